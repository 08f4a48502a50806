package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	ourcache "github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/password"
)

// scaleSizes are the numbers of access tokens cached for the signed-in
// account in BenchmarkWarmScale.
var scaleSizes = []int{1, 100, 1000, 10000}

// padDocument adds n-1 access tokens for other resources to a
// unified-schema document that holds one signed-in account's tokens:
// each is a copy of the document's first access token with another
// target and secret, keyed the way MSAL writes keys. Both MSAL Go and our
// cache load the result, so both libraries hold the same n tokens.
func padDocument(tb testing.TB, doc []byte, n int) []byte {
	tb.Helper()
	var d map[string]json.RawMessage
	if err := json.Unmarshal(doc, &d); err != nil {
		tb.Fatal(err)
	}
	var ats map[string]map[string]any
	if err := json.Unmarshal(d["AccessToken"], &ats); err != nil || len(ats) == 0 {
		tb.Fatalf("no access token in the document (%v)", err)
	}
	var proto map[string]any
	for _, v := range ats {
		proto = v
		break
	}
	for i := 1; i < n; i++ {
		e := make(map[string]any, len(proto))
		for k, v := range proto {
			e[k] = v
		}
		target := fmt.Sprintf("https://res%d.example.com/.default", i)
		e["target"] = target
		e["secret"] = fmt.Sprintf("padding-token-%d", i)
		key := strings.ToLower(strings.Join([]string{
			fmt.Sprint(e["home_account_id"]), fmt.Sprint(e["environment"]), "accesstoken",
			fmt.Sprint(e["client_id"]), fmt.Sprint(e["realm"]), target}, "-"))
		ats[key] = e
	}
	raw, err := json.Marshal(ats)
	if err != nil {
		tb.Fatal(err)
	}
	d["AccessToken"] = raw
	out, err := json.Marshal(d)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// loadOnce is an MSAL Go cache accessor that loads a document into MSAL's
// in-memory cache on the next Replace, once, and records every Export.
// After the load MSAL works from memory as it does with no accessor, so
// the timed loop measures its lookup and not a deserialization.
type loadOnce struct {
	pending  []byte
	exported []byte
}

func (l *loadOnce) Replace(_ context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	if l.pending == nil {
		return nil
	}
	doc := l.pending
	l.pending = nil
	return u.Unmarshal(doc)
}

func (l *loadOnce) Export(_ context.Context, m cache.Marshaler, _ cache.ExportHints) error {
	b, err := m.Marshal()
	l.exported = b
	return err
}

// signedInEntraauth signs fa.DefaultUsername in with our password
// credential over a private in-memory cache and returns both.
func signedInEntraauth(b *testing.B, a *fa.Authority) (*ourcache.Cache, tokenClient) {
	b.Helper()
	c := ourcache.New(nil, nil)
	opts := entraauthOptions(a, false)
	opts.Cache = c
	cred, err := password.New(fa.AzureCLIClientID, &password.Options{ClientOptions: opts, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	if err != nil {
		b.Fatal(err)
	}
	cl := &entraauthClient{cred: cred}
	if err := cl.signIn(context.Background()); err != nil {
		b.Fatal(err)
	}
	return c, cl
}

// scaledEntraauth signs in with the password grant, then replaces the
// in-memory cache with the same document padded to n access tokens.
func scaledEntraauth(b *testing.B, a *fa.Authority, n int) tokenClient {
	c, cl := signedInEntraauth(b, a)
	doc, err := c.MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	if err := c.UnmarshalJSON(padDocument(b, doc, n)); err != nil {
		b.Fatal(err)
	}
	if got := c.Len().AccessTokens; got != n {
		b.Fatalf("entraauth cache holds %d access tokens, want %d", got, n)
	}
	return cl
}

// scaledMSALGo does the same through an ExportReplace accessor.
func scaledMSALGo(b *testing.B, a *fa.Authority, n int) tokenClient {
	acc := &loadOnce{}
	app, err := public.New(fa.AzureCLIClientID,
		public.WithAuthority(a.AuthorityURL(fa.DefaultTenantID)),
		public.WithHTTPClient(a.Client()),
		public.WithInstanceDiscovery(false), public.WithCache(acc))
	if err != nil {
		b.Fatal(err)
	}
	cl := &msalClient{app: app}
	if err := cl.signIn(context.Background()); err != nil {
		b.Fatal(err)
	}
	acc.pending = padDocument(b, acc.exported, n)
	return cl
}

// BenchmarkWarmScale is BenchmarkWarmSilent with n access tokens cached
// for the account (the one asked for plus n-1 for other resources), as an
// application that calls many APIs accumulates. azidentity is absent: it
// offers no way to load a document into its in-memory cache, and filling
// it by n token requests would cost n signed responses from the fake per
// run.
func BenchmarkWarmScale(b *testing.B) {
	type scaled struct {
		name string
		new  func(*testing.B, *fa.Authority, int) tokenClient
	}
	for _, n := range scaleSizes {
		for _, l := range []scaled{{"entraauth", scaledEntraauth}, {"msalgo", scaledMSALGo}} {
			b.Run(fmt.Sprintf("tokens=%d/lib=%s", n, l.name), func(b *testing.B) {
				a := fa.New(nil)
				c := l.new(b, a, n)
				ctx := context.Background()
				if tok, err := c.token(ctx, graphScopes); err != nil || tok == "" {
					b.Fatalf("first silent token: %q, %v", tok, err)
				}
				a.ResetLog()
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.token(ctx, graphScopes); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				if k := len(a.Requests()); k != 0 {
					b.Fatalf("the warm loop sent %d requests", k)
				}
			})
		}
	}
}
