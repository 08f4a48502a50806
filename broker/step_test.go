package broker

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
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
	return stubCredentialOn(t, fakeauthority.New(nil), rep)
}

// stubCredentialOn is a credential whose broker answers rep, checking
// ID tokens against fa.
func stubCredentialOn(tb testing.TB, fa *fakeauthority.Authority, rep *reply) (*Credential, *stubBackend) {
	tb.Helper()
	o := &Options{DBusAddress: "unix:path=/nonexistent"}
	o.AuthorityHost, o.HTTPClient = fa.URL(), fa.Client()
	c, err := New(fakeauthority.AzureCLIClientID, o)
	if err != nil {
		tb.Fatal(err)
	}
	sb := &stubBackend{rep: rep}
	c.be = sb
	return c, sb
}

// issuedAnswer is what a broker relays after signing the default user in
// against fa: the authority's own signed token response (a password grant
// posted here), refresh token included, and that user's account.
func issuedAnswer(tb testing.TB, fa *fakeauthority.Authority) (*reply, *brokerAccount) {
	tb.Helper()
	form := url.Values{"grant_type": {"password"}, "client_id": {fakeauthority.AzureCLIClientID},
		"username": {fakeauthority.DefaultUsername}, "password": {fakeauthority.DefaultPassword}, "client_info": {"1"},
		"scope": {"https://graph.microsoft.com/.default openid profile offline_access"}}
	resp, err := fa.Client().PostForm(fa.AuthorityURL(fakeauthority.DefaultTenantID)+"/oauth2/v2.0/token", form)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken  string `json:"access_token"`
		IDToken      string `json:"id_token"`
		ClientInfo   string `json:"client_info"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil || body.IDToken == "" {
		tb.Fatalf("the fake's token response: %d, %v", resp.StatusCode, err)
	}
	ci, err := engine.ParseClientInfo(body.ClientInfo)
	if err != nil {
		tb.Fatal(err)
	}
	rep := &reply{result: &engine.TokenResult{AccessToken: body.AccessToken, TokenType: "Bearer", ExpiresOn: time.Now().Add(time.Hour),
		Scopes: []string{"https://graph.microsoft.com/.default"}, IDToken: body.IDToken, ClientInfo: body.ClientInfo, RefreshToken: body.RefreshToken}}
	acct := &brokerAccount{Account: oauth.Account{HomeAccountID: ci.HomeAccountID(), Username: fakeauthority.DefaultUsername}, raw: []byte(`{}`)}
	return rep, acct
}

func clientInfoFor(uid, utid string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(`{"uid":"` + uid + `","utid":"` + utid + `"}`))
}

func answer(idToken, clientInfo string) *reply {
	return &reply{result: &engine.TokenResult{AccessToken: "at", TokenType: "Bearer", ExpiresOn: time.Now().Add(time.Hour),
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
	fa := fakeauthority.New(nil)
	rep, acct := issuedAnswer(t, fa)
	c, sb := stubCredentialOn(t, fa, rep)
	c.last = acct
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
	rep, acct := issuedAnswer(b, fa)
	c, sb := stubCredentialOn(b, fa, rep)
	c.last = acct
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
