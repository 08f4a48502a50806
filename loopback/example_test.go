package loopback_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/loopback"
	"github.com/entraauth/entraauth/oauth"
)

// An OpenURL hook stands in for the system browser. Here it "visits" the
// authorize URL on an in-memory fake authority that approves at once, and
// follows the authority's redirect to the credential's loopback listener,
// which receives the code; the credential then redeems it.
func ExampleNew() {
	fa := fakeauthority.New(&fakeauthority.Options{AutoApprove: true})
	cred, err := loopback.New("", &loopback.Options{
		ClientOptions: oauth.ClientOptions{
			HTTPClient: fa.Client(), // the fake, in memory
			TenantID:   fakeauthority.DefaultTenantID,
		},
		ResponseMode: loopback.ResponseModeQuery, // the answer is a plain redirect
		OpenURL: func(ctx context.Context, authorizeURL string) error {
			endpoint, _, _ := strings.Cut(authorizeURL, "?")
			fmt.Println("browser opens", endpoint)
			return visit(ctx, fa.Client(), authorizeURL)
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	graph := oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}
	rec, err := cred.Authenticate(context.Background(), graph)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("signed in as", rec.Username)

	// The next token comes from the cache: the browser does not open.
	tok, err := cred.GetToken(context.Background(), graph)
	fmt.Println("token:", err == nil && tok.Token != "")
	// Output:
	// browser opens https://login.microsoftonline.com/7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f/oauth2/v2.0/authorize
	// signed in as alice@contoso.onmicrosoft.com
	// token: true
}

// visit is what the browser does: GET the authorize URL from the authority,
// then follow its redirect to http://localhost:PORT/?code=...&state=...
func visit(ctx context.Context, authority *http.Client, authorizeURL string) error {
	noFollow := &http.Client{
		Transport:     authority.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, authorizeURL, nil)
	resp, err := noFollow.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, resp.Header.Get("Location"), nil)
	if err != nil {
		return err
	}
	if resp, err = http.DefaultClient.Do(req); err != nil {
		return err
	}
	return resp.Body.Close()
}
