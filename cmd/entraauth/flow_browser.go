package main

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/loopback"
	"github.com/entraauth/entraauth/oauth"
)

// browserOpener opens the authorize URL for the browser flow: the
// system browser; with --fake a stand-in that signs in on the in-process
// fake's page, and with --fake-manual the user's own browser on the
// fake's loopback server. Unless forced (--flow browser) it runs only
// where a browser can open at the call (as with no --fake), and is
// otherwise unavailable, so auto goes on to the device code.
func browserOpener(s *session, forced bool) func(context.Context, string) error {
	open := func(ctx context.Context, u string) error { return openSystemBrowser(ctx, s.io.stderr, u) }
	switch {
	case s.fake != nil && s.fake.manualURL != "":
		open = func(ctx context.Context, u string) error { return openManualFake(ctx, s, u) }
	case s.fake != nil:
		open = func(ctx context.Context, u string) error { return fakeBrowser(ctx, s, u) }
	}
	return func(ctx context.Context, u string) error {
		if !forced && !canOpenBrowser() {
			return &oauth.CredentialUnavailableError{Credential: "loopback",
				Reason: "no browser can be opened here (set $BROWSER, or use --flow device)"}
		}
		return open(ctx, u)
	}
}

// canOpenBrowser is loopback.CanOpenBrowser, replaced in tests.
var canOpenBrowser = loopback.CanOpenBrowser

// openSystemBrowser opens u in the system browser, or prints it when no
// browser can open; the sign-in waits either way.
func openSystemBrowser(ctx context.Context, w io.Writer, u string) error {
	err := loopback.OpenBrowser(ctx, u)
	if err == nil {
		fmt.Fprintf(w, "Sign in in the browser window that opened (waiting up to %v; Ctrl-C to stop).\n", loopback.DefaultTimeout)
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	fmt.Fprintf(w, "No browser could be opened (%v).\nOpen this URL in a browser on this computer to sign in (waiting up to %v):\n\n  %s\n\n",
		err, loopback.DefaultTimeout, u)
	return nil
}

// openManualFake points the authorize URL at the fake's loopback server
// (the fake answers as login.microsoftonline.com, which a real browser
// would reach instead) and opens it for the user to sign in by hand.
func openManualFake(ctx context.Context, s *session, authURL string) error {
	u, err := url.Parse(authURL)
	if err != nil {
		return err
	}
	base, err := url.Parse(s.fake.manualURL)
	if err != nil {
		return err
	}
	u.Scheme, u.Host = base.Scheme, base.Host
	fmt.Fprintf(s.io.stderr, "Fake authority: sign in as %s with password %q.\n", fakeauthority.DefaultUsername, fakeauthority.DefaultPassword)
	return openSystemBrowser(ctx, s.io.stderr, u.String())
}

// The fake's pages keep stable ids and plain hidden inputs (see
// fakeauthority's pages.go), which is all the stand-in reads.
var (
	fakeFormRE   = regexp.MustCompile(`(?is)<form[^>]*\baction="([^"]*)"`)
	fakeHiddenRE = regexp.MustCompile(`(?is)<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// fakeBrowser stands in for the user's browser when the fake authority
// lives in this process (--fake without --fake-manual): it loads the
// sign-in page, signs in as the login hint's user or the fake's default
// user, and takes the fake's answer (a redirect, or the auto-posting
// form) to the loopback listener, over a real loopback socket, exactly as
// a browser would.
func fakeBrowser(ctx context.Context, s *session, authURL string) error {
	authority := &http.Client{
		Transport:     s.fake.fa.Client().Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	user := fakeauthority.DefaultUsername
	if u, err := url.Parse(authURL); err == nil && u.Query().Get("login_hint") != "" {
		user = u.Query().Get("login_hint")
	}
	fmt.Fprintf(s.io.stderr, "Fake authority: a stand-in browser signs in as %s (use --fake-manual to sign in yourself).\n", user)
	resp, err := fakeFetch(ctx, authority, http.MethodGet, authURL, nil)
	if err != nil {
		return err
	}
	action, form, err := fakePageForm(resp)
	if err != nil {
		return err
	}
	form.Set("username", user)
	form.Set("password", fakeauthority.DefaultPassword)
	form.Set("consent", "yes")
	form.Set("action", "signin")
	if resp, err = fakeFetch(ctx, authority, http.MethodPost, action, form); err != nil {
		return err
	}
	// The listener is on loopback: never through a proxy.
	local := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 30 * time.Second}
	if resp.StatusCode == http.StatusFound {
		_, err = fakeFetch(ctx, local, http.MethodGet, resp.Header.Get("Location"), nil)
		return err
	}
	if action, form, err = fakePageForm(resp); err != nil {
		return err
	}
	_, err = fakeFetch(ctx, local, http.MethodPost, action, form)
	return err
}

// fakePage is a fetched response with its body read (bounded).
type fakePage struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

func fakeFetch(ctx context.Context, c *http.Client, method, target string, form url.Values) (*fakePage, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return &fakePage{resp.StatusCode, resp.Header, b}, err
}

// fakePageForm reads the form of a fake's page: its action and hidden inputs.
func fakePageForm(p *fakePage) (string, url.Values, error) {
	m := fakeFormRE.FindSubmatch(p.Body)
	if m == nil {
		return "", nil, errors.New("fake authority: the page has no form (HTTP " + fmt.Sprint(p.StatusCode) + ")")
	}
	form := url.Values{}
	for _, h := range fakeHiddenRE.FindAllSubmatch(p.Body, -1) {
		form.Set(html.UnescapeString(string(h[1])), html.UnescapeString(string(h[2])))
	}
	return html.UnescapeString(string(m[1])), form, nil
}
