package oauth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/entraauth/entraauth/oauth"
)

// cancelling is a credential that ends the caller's context and then
// reports itself unavailable, as one that gave up on a deadline would.
type cancelling struct {
	cancel context.CancelFunc
	fail   bool
	n      int
}

func (c *cancelling) GetToken(ctx context.Context, o oauth.TokenOptions) (oauth.AccessToken, error) {
	c.n++
	if c.fail {
		c.cancel()
		return oauth.AccessToken{}, unavailable("remembered")
	}
	return oauth.AccessToken{Token: "remembered"}, nil
}

// After the remembered credential fails once the caller's context has
// ended, no further credential is started (each could prompt or spawn a
// process); the error still says the chain was unavailable.
func TestChainStopsAfterContextEnds(t *testing.T) {
	for _, remembered := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		first, next := &cancelling{cancel: cancel}, &stub{name: "next"}
		c := oauth.Chain(first, next)
		if remembered {
			if _, err := c.GetToken(ctx, oauth.TokenOptions{Scopes: []string{"s"}}); err != nil || c.Selected() != first {
				t.Fatalf("first call: %v", err)
			}
		}
		first.fail = true
		_, err := c.GetToken(ctx, oauth.TokenOptions{Scopes: []string{"s"}})
		if next.calls() != 0 {
			t.Errorf("remembered=%v: the next credential started after the context ended", remembered)
		}
		if !oauth.IsCredentialUnavailable(err) || !errors.Is(err, context.Canceled) {
			t.Errorf("remembered=%v: err = %v, want unavailable naming the cancellation", remembered, err)
		}
	}
}

// authStub is a stub that can also sign in explicitly.
type authStub struct {
	stub
	rec oauth.AuthenticationRecord
}

func (s *authStub) Authenticate(ctx context.Context, o oauth.TokenOptions) (oauth.AuthenticationRecord, error) {
	s.mu.Lock()
	s.n++
	err := s.err
	s.mu.Unlock()
	return s.rec, err
}

func TestChainAuthenticate(t *testing.T) {
	refused := &oauth.Error{Endpoint: "token", Code: "invalid_grant"}
	rec := oauth.AuthenticationRecord{HomeAccountID: "u.t", Username: "u@x"}
	for _, tc := range []struct {
		name      string
		creds     func() []oauth.Credential
		wantErr   func(error) bool
		wantCalls []int // per credential
	}{
		{"skips one that cannot authenticate", func() []oauth.Credential {
			return []oauth.Credential{&stub{name: "cli"}, &authStub{rec: rec}}
		}, nil, []int{0, 1}},
		{"skips the unavailable", func() []oauth.Credential {
			return []oauth.Credential{&authStub{stub: stub{err: unavailable("a")}}, &authStub{rec: rec}}
		}, nil, []int{1, 1}},
		{"a refusal stops the chain", func() []oauth.Credential {
			return []oauth.Credential{&authStub{stub: stub{err: refused}}, &authStub{rec: rec}}
		}, func(err error) bool { return errors.Is(err, refused) }, []int{1, 0}},
		{"none can authenticate", func() []oauth.Credential {
			return []oauth.Credential{&stub{name: "cli"}}
		}, oauth.IsCredentialUnavailable, []int{0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			creds := tc.creds()
			got, err := oauth.Chain(creds...).Authenticate(context.Background(), oauth.TokenOptions{})
			if tc.wantErr == nil && (err != nil || got != rec) {
				t.Fatalf("got %+v, %v; want the record", got, err)
			}
			if tc.wantErr != nil && !tc.wantErr(err) {
				t.Fatalf("err = %v", err)
			}
			for i, cr := range creds {
				n := 0
				switch s := cr.(type) {
				case *stub:
					n = s.calls()
				case *authStub:
					n = s.calls()
				}
				if n != tc.wantCalls[i] {
					t.Errorf("credential %d called %d times, want %d", i, n, tc.wantCalls[i])
				}
			}
		})
	}
}
