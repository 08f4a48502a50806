package devicecode

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// WriterPrompt returns a Prompt that writes to w the verification URI and
// the user code, checked and cleaned, in a sentence of its own: Entra's
// Message is not printed, since its text (and any other URL in it) is the
// server's to choose. A [Message.Warning] is written first, on a line of
// its own. It is the default prompt, writing to standard error.
func WriterPrompt(w io.Writer) func(context.Context, Message) error {
	return func(_ context.Context, m Message) error {
		var b strings.Builder
		if warn := clean(m.Warning); warn != "" {
			b.WriteString("WARNING: ")
			b.WriteString(warn)
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "To sign in, use a web browser to open the page %s and enter the code %s to authenticate.\n",
			clean(m.VerificationURI), clean(m.UserCode))
		_, err := io.WriteString(w, b.String())
		return err
	}
}

// Device login pages Entra names in verification_uri, by cloud: the
// authority hosts of the cloud, and the pages. A page with an empty path
// stands for any page on its host. Besides these, the configured
// authority's own host is always accepted.
var cloudPages = []struct {
	authorities []string
	pages       []page
}{
	{ // public cloud; a US Government (GCC) tenant signs in there too
		[]string{"login.microsoftonline.com", "login.microsoft.com", "login.windows.net", "sts.windows.net"},
		[]page{{"microsoft.com", "/devicelogin"}, {"login.microsoft.com", "/device"}, {"microsoft.com", "/deviceloginus"}},
	},
	{ // Azure US Government
		[]string{"login.microsoftonline.us", "login.usgovcloudapi.net"},
		[]page{{"microsoft.com", "/deviceloginus"}, {"login.microsoftonline.us", ""}},
	},
	{ // Azure operated by 21Vianet
		[]string{"login.chinacloudapi.cn", "login.partner.microsoftonline.cn"},
		[]page{{"microsoft.com", "/deviceloginchina"}, {"login.partner.microsoftonline.cn", ""}, {"login.chinacloudapi.cn", ""}},
	},
}

type page struct{ host, path string }

// knownPage reports whether u is a device login page of the cloud of the
// authority host (a host name, with or without a port), or a page on the
// authority host itself.
func knownPage(u *url.URL, authorityHost string) bool {
	host := strings.ToLower(u.Hostname())
	auth := strings.ToLower(authorityHost)
	if h, _, ok := strings.Cut(auth, ":"); ok && !strings.HasPrefix(auth, "[") {
		auth = h
	}
	auth = strings.Trim(auth, "[]")
	if host == auth {
		return true
	}
	if u.Port() != "" && u.Port() != "443" {
		return false
	}
	path := strings.TrimSuffix(strings.ToLower(u.EscapedPath()), "/")
	for _, c := range cloudPages {
		if !contains(c.authorities, auth) {
			continue
		}
		for _, p := range c.pages {
			if host == p.host && (p.path == "" || path == p.path) {
				return true
			}
		}
	}
	return false
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// warning returns what the user must be told before using m, or "": when
// the verification URI is not a known device login page of the
// authority's cloud (RFC 8628 §5.4, remote phishing), or when the
// server's message names a URL other than the verification URI. The
// warning quotes neither the message nor its URLs.
func warning(m Message, authorityHost string) string {
	u, err := url.Parse(m.VerificationURI)
	if err != nil {
		return "the verification page is not a valid URL; do not enter the code"
	}
	var w []string
	if !knownPage(u, authorityHost) {
		// The host as the URL shows it: percent-encoded, so a bidi or
		// look-alike character shows instead of vanishing.
		host := strings.TrimPrefix((&url.URL{Host: u.Host}).String(), "//")
		w = append(w, "the verification page "+host+" is not a Microsoft sign-in page for "+
			authorityHost+"; enter the code only if you trust that site")
	}
	for _, other := range urlsIn(m.Message) {
		if !sameURL(other, u) {
			w = append(w, "the server's instructions name a page other than the verification page; use only the page below")
			break
		}
	}
	return clean(strings.Join(w, "; ")) // a host may hold bidi characters
}

// urlsIn returns the http and https URLs written in s.
func urlsIn(s string) []*url.URL {
	var out []*url.URL
	lower := strings.ToLower(s)
	for i := 0; i < len(s); {
		j := strings.Index(lower[i:], "http")
		if j < 0 {
			break
		}
		start := i + j
		if !strings.HasPrefix(lower[start:], "http://") && !strings.HasPrefix(lower[start:], "https://") {
			i = start + 4
			continue
		}
		end := start
		for end < len(s) && !strings.ContainsRune(" \t\n\"'<>()[]{}", rune(s[end])) {
			end++
		}
		raw := strings.TrimRight(s[start:end], ".,;:!?")
		if u, err := url.Parse(raw); err == nil {
			out = append(out, u)
		} else {
			out = append(out, &url.URL{Scheme: "invalid"})
		}
		i = end
	}
	return out
}

// sameURL compares two URLs as a user would read them: scheme, host and
// path case-insensitively, a trailing slash ignored, query included.
func sameURL(a, b *url.URL) bool {
	norm := func(u *url.URL) string {
		return strings.ToLower(u.Scheme+"://"+u.Host+strings.TrimSuffix(u.EscapedPath(), "/")) + "?" + u.RawQuery
	}
	return norm(a) == norm(b)
}
