package broker

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// stubBackend answers with canned replies, to test the credential's own
// rules without a bus.
type stubBackend struct {
	rep   *reply
	calls []string
}

func (s *stubBackend) interactive(context.Context, *request) (*reply, error) {
	s.calls = append(s.calls, "interactive")
	return s.rep, nil
}
func (s *stubBackend) silent(context.Context, *request) (*reply, error) {
	s.calls = append(s.calls, "silent")
	return s.rep, nil
}
func (s *stubBackend) accounts(context.Context, string, string) ([]brokerAccount, error) {
	return nil, nil
}
func (s *stubBackend) remove(context.Context, string, *brokerAccount) error { return nil }
func (s *stubBackend) close() error                                         { return nil }

func stubCredential(t *testing.T, rep *reply) (*Credential, *stubBackend) {
	t.Helper()
	fa := fakeauthority.New(nil)
	o := &Options{DBusAddress: "unix:path=/nonexistent"}
	o.AuthorityHost, o.HTTPClient = fa.URL(), fa.Client()
	c, err := New(fakeauthority.AzureCLIClientID, o)
	if err != nil {
		t.Fatal(err)
	}
	sb := &stubBackend{rep: rep}
	c.be = sb
	return c, sb
}

func clientInfoFor(uid, utid string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(`{"uid":"` + uid + `","utid":"` + utid + `"}`))
}

func answer(idToken, clientInfo string) *reply {
	return &reply{result: &oauth.TokenResult{AccessToken: "at", TokenType: "Bearer", ExpiresOn: time.Now().Add(time.Hour),
		Scopes: []string{"https://graph.microsoft.com/.default"}, IDToken: idToken, ClientInfo: clientInfo, RefreshToken: "rt"}}
}

var graphScopes = oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}

// An ID token the authority did not sign is not identity: a broker answer
// carrying one is refused, and no account is recorded.
func TestForgedIDTokenRefused(t *testing.T) {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"forged"}`))
	p := base64.RawURLEncoding.EncodeToString([]byte(`{"aud":"` + fakeauthority.AzureCLIClientID + `","iss":"x","sub":"s","tid":"` +
		fakeauthority.DefaultTenantID + `","exp":9999999999,"iat":1}`))
	c, _ := stubCredential(t, answer(h+"."+p+".c2ln", clientInfoFor("u", fakeauthority.DefaultTenantID)))
	_, err := c.Authenticate(context.Background(), graphScopes)
	if !errors.Is(err, oauth.ErrInvalidIDToken) {
		t.Fatalf("%v", err)
	}
}

// A silent answer for another account than the one asked for is refused.
func TestSilentAnswerForAnotherAccountRefused(t *testing.T) {
	c, sb := stubCredential(t, answer("", clientInfoFor("mallory", "t")))
	c.last = &brokerAccount{Account: oauth.Account{HomeAccountID: "alice.t", Username: "alice@t"}, raw: []byte(`{}`)}
	_, err := c.GetToken(context.Background(), graphScopes)
	if err == nil || !strings.Contains(err.Error(), "another account") || strings.Join(sb.calls, ",") != "silent" {
		t.Fatalf("%v, calls %v", err, sb.calls)
	}
}

// The broker's refresh token never reaches the cache, even if a broker
// sent one; the access token is served from memory afterwards.
func TestNoRefreshTokenKept(t *testing.T) {
	c, sb := stubCredential(t, answer("", clientInfoFor("alice", "t")))
	c.last = &brokerAccount{Account: oauth.Account{HomeAccountID: "alice.t", Username: "alice@t"}, raw: []byte(`{}`)}
	if _, err := c.GetToken(context.Background(), graphScopes); err != nil {
		t.Fatal(err)
	}
	if n := c.client.Cache().Len(); n.RefreshTokens != 0 || n.AccessTokens != 1 {
		t.Fatalf("cache holds %+v, want one access token and no refresh token", n)
	}
	if _, err := c.GetToken(context.Background(), graphScopes); err != nil || len(sb.calls) != 1 {
		t.Fatalf("second GetToken: %v, calls %v", err, sb.calls)
	}
}

// BenchmarkGetTokenWarm: a token the broker gave earlier, served from
// memory (no broker call).
func BenchmarkGetTokenWarm(b *testing.B) {
	fa := fakeauthority.New(nil)
	o := &Options{DBusAddress: "unix:path=/nonexistent"}
	o.AuthorityHost, o.HTTPClient = fa.URL(), fa.Client()
	c, err := New(fakeauthority.AzureCLIClientID, o)
	if err != nil {
		b.Fatal(err)
	}
	sb := &stubBackend{rep: answer("", clientInfoFor("alice", "t"))}
	c.be = sb
	c.last = &brokerAccount{Account: oauth.Account{HomeAccountID: "alice.t"}, raw: []byte(`{}`)}
	ctx := context.Background()
	if _, err := c.GetToken(ctx, graphScopes); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetToken(ctx, graphScopes); err != nil {
			b.Fatal(err)
		}
	}
	if len(sb.calls) != 1 {
		b.Fatalf("%d broker calls", len(sb.calls))
	}
}
