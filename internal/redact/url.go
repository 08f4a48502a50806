package redact

import (
	"net/url"
	"strings"
)

// harmlessParams are the query and fragment parameters whose values are
// shown as they are: protocol switches and client telemetry, never a
// token, code, verifier, state, nonce or anything naming the user. Every
// other parameter's value is replaced.
var harmlessParams = map[string]bool{
	"api-version": true, "response_type": true, "response_mode": true, "prompt": true,
	"scope": true, "client_id": true, "redirect_uri": true, "code_challenge_method": true,
	"x-client-sku": true, "x-client-ver": true, "x-client-os": true, "x-client-cpu": true,
	"client-request-id": true, "return-client-request-id": true, "error": true,
}

// Redacted stands for a value in a URL when URLOptions.Replace is nil.
const Redacted = "(redacted)"

// URLOptions configure [URL]; nil means the defaults.
type URLOptions struct {
	// Replace returns what stands for the value of a parameter (or the
	// user realm's username, named "username") that is not known to be
	// harmless; nil means [Redacted].
	Replace func(name, value string) string
	// KeepUsername keeps the username of a user realm URL, for a log
	// that may hold personal data.
	KeepUsername bool
}

// URL returns u as text safe for an error, a log or a trace: user
// information dropped, the value of every query or fragment parameter
// not known to be harmless replaced, and the username of a user realm
// URL (/common/UserRealm/{username}) replaced. A fragment that is not a
// parameter list is replaced whole. The result is clean [Text].
func URL(u *url.URL, o *URLOptions) string {
	var opts URLOptions
	if o != nil {
		opts = *o
	}
	if opts.Replace == nil {
		opts.Replace = func(string, string) string { return Redacted }
	}
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		c.RawQuery = params(c.Query(), opts.Replace)
	}
	if c.Fragment != "" || c.RawFragment != "" {
		frag := c.Fragment
		if v, err := url.ParseQuery(frag); err == nil && strings.Contains(frag, "=") {
			frag = params(v, opts.Replace)
		} else {
			frag = opts.Replace("fragment", frag)
		}
		c.Fragment, c.RawFragment = "", ""
		s := c.String() + "#" + frag
		return Text(userRealm(s, opts))
	}
	// Text: an opaque URL ("a:\x86") comes back from String as it was.
	return Text(userRealm(c.String(), opts))
}

// URLString is [URL] for a URL held as text; "(redacted)" when s is not
// a URL.
func URLString(s string, o *URLOptions) string {
	u, err := url.Parse(s)
	if err != nil {
		return Redacted
	}
	return URL(u, o)
}

// params encodes q with every value of a parameter that is not harmless
// replaced.
func params(q url.Values, replace func(name, value string) string) string {
	for k, vs := range q {
		if harmlessParams[strings.ToLower(k)] {
			continue
		}
		for i := range vs {
			vs[i] = replace(k, vs[i])
		}
	}
	return q.Encode()
}

// userRealm replaces the username segment of a user realm URL.
func userRealm(s string, o URLOptions) string {
	i := indexFoldASCII(s, "/userrealm/")
	if i < 0 || o.KeepUsername {
		return s
	}
	rest := s[i+len("/userrealm/"):]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	user, err := url.PathUnescape(rest[:end])
	if err != nil {
		user = rest[:end]
	}
	return s[:i+len("/userrealm/")] + o.Replace("username", user) + rest[end:]
}

// indexFoldASCII is the byte offset in s of the first match of lower, an
// ASCII lower-case needle, ignoring ASCII case. strings.ToLower would not
// do: it can change the length of text that is not ASCII ("\u0130" grows,
// invalid UTF-8 becomes U+FFFD), so its offsets would not index s.
func indexFoldASCII(s, lower string) int {
	for i := 0; i+len(lower) <= len(s); i++ {
		j := 0
		for j < len(lower) {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lower[j] {
				break
			}
			j++
		}
		if j == len(lower) {
			return i
		}
	}
	return -1
}
