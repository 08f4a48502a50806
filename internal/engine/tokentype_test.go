package engine

import (
	"testing"
	"time"
)

// TestParseBoundTokenType: an answer to a bound request must be of the
// type asked for, and a bearer request still refuses any other type.
func TestParseBoundTokenType(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
		ok               bool
	}{
		{"ssh-cert asked and given", `{"access_token":"AAAA","token_type":"ssh-cert"}`, "ssh-cert", true},
		{"ssh-cert asked, case", `{"access_token":"AAAA","token_type":"SSH-Cert"}`, "ssh-cert", true},
		{"ssh-cert asked, bearer given", `{"access_token":"x","token_type":"Bearer"}`, "ssh-cert", false},
		{"ssh-cert asked, no type", `{"access_token":"x"}`, "ssh-cert", false},
		{"bearer asked, ssh-cert given", `{"access_token":"AAAA","token_type":"ssh-cert"}`, "", false},
		{"bearer asked and given", `{"access_token":"x","token_type":"Bearer"}`, "", true},
	} {
		res, err := parseTokenResponse("token", 200, []byte(tc.body), time.Now(), []string{"s"}, tc.want)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
		if err == nil && tc.want != "" && res.TokenType != tc.want {
			t.Errorf("%s: type %q", tc.name, res.TokenType)
		}
	}
}
