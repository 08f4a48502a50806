//go:build linux

package broker_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/entraauth/entraauth/broker"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/loopback"
	"github.com/entraauth/entraauth/oauth"
)

// signIn signs in through the OS broker where there is one, and in the
// system browser (loopback) where there is none, as azure-identity does.
func signIn(ctx context.Context, client oauth.ClientOptions, brokerOpts *broker.Options, browser *loopback.Options) (oauth.AuthenticationRecord, error) {
	graph := oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}
	brokerOpts.ClientOptions = client
	cred, err := broker.New("", brokerOpts)
	if err == nil {
		defer cred.Close()
		rec, err := cred.Authenticate(ctx, graph)
		if !errors.Is(err, broker.ErrUnsupported) {
			return rec, err
		}
	} else if !errors.Is(err, broker.ErrUnsupported) {
		return oauth.AuthenticationRecord{}, err
	}
	fmt.Println("no broker here: signing in with the browser")
	browser.ClientOptions = client
	lc, err := loopback.New("", browser)
	if err != nil {
		return oauth.AuthenticationRecord{}, err
	}
	return lc.Authenticate(ctx, graph)
}

// On a machine without a broker (here: a session bus address where no bus
// listens), the sign-in falls back to the browser flow. The browser is a
// stand-in visiting an in-memory fake authority that approves at once.
func Example_fallbackToLoopback() {
	fa := fakeauthority.New(&fakeauthority.Options{AutoApprove: true})
	client := oauth.ClientOptions{HTTPClient: fa.Client(), TenantID: fakeauthority.DefaultTenantID}
	browser := &loopback.Options{
		ResponseMode: loopback.ResponseModeQuery,
		OpenURL: func(ctx context.Context, authorizeURL string) error {
			return followRedirect(ctx, fa.Client(), authorizeURL)
		},
	}
	noBroker := &broker.Options{DBusAddress: "unix:path=/nonexistent/bus"}
	rec, err := signIn(context.Background(), client, noBroker, browser)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("signed in as", rec.Username)
	// Output:
	// no broker here: signing in with the browser
	// signed in as alice@contoso.onmicrosoft.com
}

// followRedirect is the browser: GET the authorize URL, then follow the
// authority's redirect to the credential's loopback listener.
func followRedirect(ctx context.Context, authority *http.Client, authorizeURL string) error {
	noFollow := &http.Client{Transport: authority.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, authorizeURL, nil)
	resp, err := noFollow.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if req, err = http.NewRequestWithContext(ctx, http.MethodGet, resp.Header.Get("Location"), nil); err != nil {
		return err
	}
	if resp, err = http.DefaultClient.Do(req); err != nil {
		return err
	}
	return resp.Body.Close()
}
