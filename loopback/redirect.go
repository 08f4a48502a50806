package loopback

import (
	"crypto/subtle"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/internal/redact"
	"github.com/entraauth/entraauth/oauth"
)

// Response modes for the authorization response, sent as response_mode on
// the authorize request. Microsoft recommends form_post with http://localhost
// redirect URIs: the code then travels in a POST body, not in the URL, so it
// stays out of browser history and Referer headers.
const (
	// ResponseModeFormPost: the authority makes the browser POST the
	// response to the redirect URI as an HTML form. The default.
	ResponseModeFormPost = "form_post"
	// ResponseModeQuery: the authority redirects the browser to the
	// redirect URI with the response in the query string.
	ResponseModeQuery = "query"
)

// redirectParams are the authorization response fields this package reads
// (RFC 6749 4.1.2 and 4.1.2.1, RFC 9207, and Entra's extensions).
type redirectParams struct {
	Code, State                                     string
	Error, ErrorDescription, ErrorURI, ErrorSubcode string
	ClientInfo, SessionState, Issuer                string
}

// errBadRedirect describes a request to the redirect path that is not an
// authorization response in the requested mode. It never ends the wait.
var errBadRedirect = errors.New("loopback: not an authorization response")

// singleParams must appear at most once (RFC 6749 3.1: "Request and
// response parameters MUST NOT be included more than once").
var singleParams = []string{"code", "state", "error", "error_description", "error_uri", "error_subcode", "client_info", "session_state", "iss"}

// parseRedirect reads an authorization response from one request to the
// redirect path: the form body for form_post, the query for query. The
// other carrier is ignored, so a GET with a code cannot stand in for the
// form_post that was requested (a downgrade to a URL that leaks through
// history and Referer). body is the request body, already bounded.
func parseRedirect(mode, method, contentType, rawQuery string, body []byte) (redirectParams, error) {
	var raw string
	switch mode {
	case ResponseModeFormPost:
		if method != http.MethodPost {
			return redirectParams{}, errors.New("loopback: expected the form_post response as a POST")
		}
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil || mt != "application/x-www-form-urlencoded" {
			return redirectParams{}, errors.New("loopback: form_post response is not application/x-www-form-urlencoded")
		}
		raw = string(body)
	case ResponseModeQuery:
		if method != http.MethodGet {
			return redirectParams{}, errors.New("loopback: expected the query response as a GET")
		}
		raw = rawQuery
	default:
		return redirectParams{}, errors.New("loopback: unknown response mode")
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return redirectParams{}, errors.New("loopback: malformed authorization response parameters")
	}
	for _, k := range singleParams {
		if len(v[k]) > 1 {
			return redirectParams{}, errors.New("loopback: authorization response repeats " + k)
		}
	}
	p := redirectParams{
		Code: v.Get("code"), State: v.Get("state"),
		Error: v.Get("error"), ErrorDescription: v.Get("error_description"),
		ErrorURI: v.Get("error_uri"), ErrorSubcode: v.Get("error_subcode"),
		ClientInfo: v.Get("client_info"), SessionState: v.Get("session_state"),
		Issuer: v.Get("iss"),
	}
	if p.Code == "" && p.Error == "" {
		return redirectParams{}, errBadRedirect
	}
	return p, nil
}

// outcome is what one parsed response means for the sign-in.
type outcome int

const (
	outcomeForged  outcome = iota // wrong or missing state: answer, keep waiting
	outcomeError                  // the authority's error for this sign-in: done
	outcomeSuccess                // a code for this sign-in: done
)

// classify checks p against the pending sign-in. The state check comes
// first for errors too, so a forged error=access_denied cannot cancel a
// sign-in (RFC 8252 8.9; the stacklok/toolhive#6238 bug). An iss that
// differs from wantIssuer (when both are known) is a mix-up (RFC 9207 2.4)
// and ends the sign-in: the state proves it answered our request.
func classify(p redirectParams, wantState, wantIssuer string) (outcome, error) {
	if p.State == "" || subtle.ConstantTimeCompare([]byte(p.State), []byte(wantState)) != 1 {
		return outcomeForged, &oauth.Error{Endpoint: "authorize", Code: "state_mismatch",
			Description: "the redirect's state does not match this sign-in"}
	}
	if wantIssuer != "" && p.Issuer != "" && !issuerMatches(p.Issuer, wantIssuer) {
		return outcomeError, &oauth.Error{Endpoint: "authorize", Code: "invalid_response",
			Description: "the authorization response names issuer " + printable(p.Issuer) + ", not " + wantIssuer}
	}
	if p.Error != "" {
		return outcomeError, &oauth.Error{
			Endpoint:    "authorize",
			Code:        printable(p.Error),
			Description: printable(p.ErrorDescription),
			ErrorURI:    printable(p.ErrorURI),
			SubError:    printable(p.ErrorSubcode),
		}
	}
	return outcomeSuccess, nil
}

// issuerMatches compares an authorization response's iss with the
// expected issuer (RFC 9207 2.4): the same string, or the same issuer
// named through another host of the same cloud (login.windows.net for
// login.microsoftonline.com, say). A "{tenantid}" in want (common,
// organizations, a domain tenant) stands for any tenant GUID, since the
// user's own tenant issues the response; any other difference (another
// host, scheme, tenant or path) is another authority.
func issuerMatches(got, want string) bool {
	if got == want {
		return true
	}
	g, err1 := url.Parse(got)
	w, err2 := url.Parse(want)
	if err1 != nil || err2 != nil || g.Scheme != w.Scheme || g.User != nil || g.RawQuery != "" || g.Fragment != "" || g.Opaque != "" {
		return false
	}
	wt, wrest, _ := strings.Cut(strings.TrimPrefix(w.Path, "/"), "/")
	gt, grest, _ := strings.Cut(strings.TrimPrefix(g.Path, "/"), "/")
	if grest != wrest {
		return false
	}
	switch {
	case wt == "{tenantid}":
		if !engine.IsGUID(gt) {
			return false
		}
	case !strings.EqualFold(gt, wt):
		return false
	}
	auth, err := engine.ParseAuthority(w.Scheme+"://"+w.Host, oauth.TenantCommon)
	if err != nil {
		return false
	}
	for _, h := range auth.Aliases() {
		if strings.EqualFold(h, g.Host) {
			return true
		}
	}
	return false
}

// printable cleans text chosen by the server before it goes into an
// *oauth.Error, which may be printed on a terminal.
// HTML escaping is the page's job.
var printable = redact.Text
