package conformance

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

var (
	formRE   = regexp.MustCompile(`(?is)<form[^>]*\baction="([^"]*)"`)
	hiddenRE = regexp.MustCompile(`(?is)<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// plainBrowser reaches the app's loopback listener as a browser would: a
// fresh connection per request (no idle connection outlives the check's
// bubble), no redirect followed.
var plainBrowser = &http.Client{
	Transport:     &http.Transport{DisableKeepAlives: true},
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// delivery is what the app's listener answered the browser.
type delivery struct {
	status   int
	location string
}

// standInBrowser plays the system browser: it GETs the authorize URL from
// the authority (which auto-approves) through authority, then takes the
// answer to the redirect URI: the 302 of response_mode query or
// fragment, or the auto-submitting form of form_post. extra parameters
// are added to the delivery, as a hostile page could.
func standInBrowser(ctx context.Context, authority *http.Client, authorizeURL string, extra url.Values) (delivery, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authorizeURL, nil)
	if err != nil {
		return delivery{}, err
	}
	noFollow := &http.Client{Transport: authority.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		return delivery{}, err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	method, target, form := http.MethodGet, "", url.Values{}
	if resp.StatusCode == http.StatusFound {
		target = resp.Header.Get("Location")
	} else if m := formRE.FindSubmatch(body); m != nil {
		method, target = http.MethodPost, html.UnescapeString(string(m[1]))
		for _, h := range hiddenRE.FindAllSubmatch(body, -1) {
			form.Set(html.UnescapeString(string(h[1])), html.UnescapeString(string(h[2])))
		}
	} else {
		return delivery{}, fmt.Errorf("conformance: the authority answered the browser with HTTP %d", resp.StatusCode)
	}
	if len(extra) > 0 {
		target, form = addParams(method, target, form, extra)
	}
	dreq, err := http.NewRequestWithContext(ctx, method, target, strings.NewReader(form.Encode()))
	if err != nil {
		return delivery{}, err
	}
	if method == http.MethodPost {
		dreq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	dresp, err := plainBrowser.Do(dreq)
	if err != nil {
		return delivery{}, err
	}
	dresp.Body.Close()
	return delivery{status: dresp.StatusCode, location: dresp.Header.Get("Location")}, nil
}

// addParams adds extra to a delivery: to the form of a POST, else to the
// query of the target.
func addParams(method, target string, form, extra url.Values) (string, url.Values) {
	if method == http.MethodPost {
		for k, v := range extra {
			form[k] = v
		}
		return target, form
	}
	u, err := url.Parse(target)
	if err != nil {
		return target, form
	}
	q := u.Query()
	for k, v := range extra {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String(), form
}
