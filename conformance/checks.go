package conformance

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// Scope is what the checks ask for.
const Scope = "https://graph.microsoft.com/.default"

var graph = oauth.TokenOptions{Scopes: []string{Scope}}

// checks returns every check, in report order.
func checks() []check {
	var all []check
	for _, group := range [][]check{engineChecks(), waitChecks(), rpChecks(), faultChecks()} {
		all = append(all, group...)
	}
	return all
}

// Checks returns the names and descriptions of every check, in order.
func Checks() [][2]string {
	var out [][2]string
	for _, c := range checks() {
		out = append(out, [2]string{c.name, c.desc})
	}
	return out
}

func findCheck(name string) *check {
	for _, c := range checks() {
		if c.name == name {
			return &c
		}
	}
	return nil
}

// notApplicable ends a check that does not apply to this credential, with
// the reason, logged for the report.
func (k *kit) notApplicable(c string, reason string) {
	k.Helper()
	logResult(k.TB, k.cfg.Name, *findCheck(c), "n/a", reason)
	k.Skip("does not apply: " + reason)
}

// get calls GetToken.
func (k *kit) get(ctx context.Context, o oauth.TokenOptions) (oauth.AccessToken, error) {
	return k.sub.Credential.GetToken(ctx, o)
}

// mustGet calls GetToken and fails the check on an error or an empty token.
func (k *kit) mustGet(o oauth.TokenOptions) oauth.AccessToken {
	k.Helper()
	tok, err := k.get(context.Background(), o)
	if err != nil {
		k.Fatalf("GetToken: %v", err)
	}
	if tok.Token == "" {
		k.Fatalf("GetToken returned an empty token and no error")
	}
	return tok
}

// fa is the check's fake authority.
func (k *kit) fa() *fakeauthority.Authority { return k.env.Authority }

// requests returns how many requests the authority has logged.
func (k *kit) requests() int { return len(k.fa().Requests()) }

// requestsSince returns the requests logged after the first n.
func (k *kit) requestsSince(n int) []fakeauthority.Request {
	all := k.fa().Requests()
	if n > len(all) {
		return nil
	}
	return all[n:]
}

// tokenGrants counts token requests by grant type ("" counts all).
func (k *kit) tokenGrants(grant string) int {
	n := 0
	for _, r := range k.fa().RequestsTo(fakeauthority.EndpointToken) {
		if grant == "" || r.GrantType == grant {
			n++
		}
	}
	return n
}

// signIns counts sign-ins: token requests that are not refreshes.
func (k *kit) signIns() int { return k.tokenGrants("") - k.tokenGrants("refresh_token") }

// noRequestsSince fails when any request after the first n reached an
// endpoint other than those allowed.
func (k *kit) noRequestsSince(n int, what string, allowed ...fakeauthority.Endpoint) {
	k.Helper()
	for _, r := range k.requestsSince(n) {
		if !slices.Contains(allowed, r.Endpoint) {
			k.Errorf("%s: request to %s %s (endpoint %q, grant %q), want none", what, r.Method, r.Path, r.Endpoint, r.GrantType)
		}
	}
}

// issued records the access tokens the authority issued, and where in
// the request log each token response was served.
type issued struct {
	mu     sync.Mutex
	tokens []string
	at     []int    // log length when the token was served
	grants []string // grant_type of the request it answered
}

// captureTokens installs a token response hook recording every access
// token issued (and leaves the response unchanged, unless change is set).
func (k *kit) captureTokens(change func(grant string, resp map[string]any)) *issued {
	is := &issued{}
	fa := k.fa()
	fa.SetTokenResponseHook(func(resp map[string]any) {
		tok, _ := resp["access_token"].(string)
		reqs := fa.Requests()
		grant := ""
		if len(reqs) > 0 {
			grant = reqs[len(reqs)-1].GrantType
		}
		is.mu.Lock()
		is.tokens = append(is.tokens, tok)
		is.at = append(is.at, len(reqs))
		is.grants = append(is.grants, grant)
		is.mu.Unlock()
		if change != nil {
			change(grant, resp)
		}
	})
	k.Cleanup(func() { fa.SetTokenResponseHook(nil) })
	return is
}

func (is *issued) count() int {
	is.mu.Lock()
	defer is.mu.Unlock()
	return len(is.tokens)
}

// index is the position of tok among the issued tokens, -1 if absent.
func (is *issued) index(tok string) int {
	is.mu.Lock()
	defer is.mu.Unlock()
	if tok == "" {
		return -1
	}
	return slices.Index(is.tokens, tok)
}

// grant is the grant type of the request tok answered ("" if none).
func (is *issued) grant(tok string) string {
	i := is.index(tok)
	if i < 0 {
		return ""
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.grants[i]
}

func (is *issued) lastAt() int {
	is.mu.Lock()
	defer is.mu.Unlock()
	if len(is.at) == 0 {
		return 0
	}
	return is.at[len(is.at)-1]
}

// result is one GetToken's outcome, from a goroutine.
type result struct {
	tok oauth.AccessToken
	err error
	at  time.Time // when it returned (the bubble's clock)
}

// goGet runs GetToken in a goroutine; the channel gets its result.
func (k *kit) goGet(ctx context.Context, o oauth.TokenOptions) <-chan result {
	ch := make(chan result, 1)
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(k.base, cancel)
	go func() {
		defer stop()
		defer cancel()
		tok, err := k.get(ctx, o)
		ch <- result{tok, err, time.Now()}
	}()
	return ch
}

// waitAsked waits until the user has been asked to sign in n times in
// all, failing the check if the credential stops first.
func (k *kit) waitAsked(n int, pending <-chan result) {
	k.Helper()
	for k.env.Asked() < n {
		select {
		case <-k.env.u.askedC:
		case r := <-pending:
			k.Fatalf("GetToken returned (%v) before the user was asked to sign in", r.err)
		}
	}
}

// settle lets every goroutine of the bubble block (background refreshes
// finish).
func settle() { synctest.Wait() }

// isCtxErr reports whether err is the context's error.
func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

var _ testing.TB = (*recorder)(nil)
