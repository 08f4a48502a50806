package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

// stub is a credential with a scripted answer that counts its calls.
type stub struct {
	name string
	err  error
	mu   sync.Mutex
	n    int
}

func (s *stub) GetToken(ctx context.Context, o oauth.TokenOptions) (oauth.AccessToken, error) {
	s.mu.Lock()
	s.n++
	err := s.err
	s.mu.Unlock()
	if err != nil {
		return oauth.AccessToken{}, err
	}
	return oauth.AccessToken{Token: s.name}, nil
}

func (s *stub) calls() int { s.mu.Lock(); defer s.mu.Unlock(); return s.n }

func unavailable(name string) error {
	return &oauth.CredentialUnavailableError{Credential: name, Reason: name + " cannot run here"}
}

func TestChain(t *testing.T) {
	refused := &oauth.Error{Endpoint: "token", Code: "invalid_grant", Description: "AADSTS50126: bad password"}
	for _, tc := range []struct {
		name      string
		errs      []error // per credential; nil = gives a token
		want      string  // token, or "" for an error
		wantErr   error
		wantCalls []int
	}{
		{"first works", []error{nil, nil}, "c0", nil, []int{1, 0}},
		{"skips the unavailable", []error{unavailable("c0"), nil}, "c1", nil, []int{1, 1}},
		{"wrapped unavailable is unavailable", []error{fmt.Errorf("x: %w", unavailable("c0")), nil}, "c1", nil, []int{1, 1}},
		{"refusal passes straight through", []error{refused, nil}, "", refused, []int{1, 0}},
		{"refusal after an unavailable", []error{unavailable("c0"), refused, nil}, "", refused, []int{1, 1, 0}},
		{"interaction required is not unavailable", []error{&oauth.AuthenticationRequiredError{}, nil}, "", oauth.ErrInteractionRequired, []int{1, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var creds []oauth.Credential
			var stubs []*stub
			for i, e := range tc.errs {
				s := &stub{name: fmt.Sprintf("c%d", i), err: e}
				stubs = append(stubs, s)
				creds = append(creds, s)
			}
			tok, err := oauth.Chain(creds...).GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"s"}})
			if tc.want != "" {
				if err != nil || tok.Token != tc.want {
					t.Fatalf("got %q, %v; want %q", tok.Token, err, tc.want)
				}
			} else if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			for i, s := range stubs {
				if s.calls() != tc.wantCalls[i] {
					t.Errorf("credential %d called %d times, want %d", i, s.calls(), tc.wantCalls[i])
				}
			}
		})
	}
}

func TestChainAllUnavailable(t *testing.T) {
	c := oauth.Chain(&stub{err: unavailable("azurecli")}, nil, &stub{err: unavailable("loopback")})
	_, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"s"}})
	var ue *oauth.CredentialUnavailableError
	if !errors.As(err, &ue) || ue.Credential != "chain" {
		t.Fatalf("err = %v, want the chain's CredentialUnavailableError", err)
	}
	for _, want := range []string{"azurecli cannot run here", "loopback cannot run here"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not hold %q", err, want)
		}
	}
	if c.Selected() != nil {
		t.Error("Selected is set though nothing worked")
	}
	// Chains nest: an exhausted inner chain is unavailable to the outer.
	outer := oauth.Chain(c, &stub{name: "last"})
	if tok, err := outer.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"s"}}); err != nil || tok.Token != "last" {
		t.Errorf("nested: %q, %v", tok.Token, err)
	}
	if _, err := oauth.Chain().GetToken(context.Background(), oauth.TokenOptions{}); !oauth.IsCredentialUnavailable(err) {
		t.Errorf("empty chain: %v", err)
	}
}

func TestChainRemembers(t *testing.T) {
	a, b := &stub{name: "a", err: unavailable("a")}, &stub{name: "b"}
	c := oauth.Chain(a, b)
	for range 3 {
		if tok, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"s"}}); err != nil || tok.Token != "b" {
			t.Fatalf("%q, %v", tok.Token, err)
		}
	}
	if a.calls() != 1 || b.calls() != 3 || c.Selected() != b {
		t.Errorf("calls a=%d b=%d, selected b: %v; want 1, 3, true", a.calls(), b.calls(), c.Selected() == b)
	}
	// The remembered one becomes unavailable: start over from the top.
	b.mu.Lock()
	b.err = unavailable("b")
	b.mu.Unlock()
	a.mu.Lock()
	a.err = nil
	a.mu.Unlock()
	if tok, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"s"}}); err != nil || tok.Token != "a" {
		t.Fatalf("after b became unavailable: %q, %v", tok.Token, err)
	}
	if c.Selected() != a {
		t.Error("Selected did not move to a")
	}
}

func TestChainConcurrent(t *testing.T) {
	c := oauth.Chain(&stub{err: unavailable("x")}, &stub{name: "y"})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if tok, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"s"}}); err != nil || tok.Token != "y" {
				t.Errorf("%q, %v", tok.Token, err)
			}
		})
	}
	wg.Wait()
}

// A real refusal from the authority stops the chain: the wrong password
// is reported, the next credential is not tried.
func TestChainPassesRefusal(t *testing.T) {
	a := fa.New(nil)
	bad, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID}, Username: fa.DefaultUsername, Password: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	next := &stub{name: "next"}
	_, err = oauth.Chain(&stub{err: unavailable("cli")}, bad, next).GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"User.Read"}})
	var oe *oauth.Error
	if !errors.As(err, &oe) || next.calls() != 0 {
		t.Fatalf("err = %v, next called %d times; want the *oauth.Error and no call", err, next.calls())
	}
}
