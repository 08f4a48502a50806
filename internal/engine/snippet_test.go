package engine

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/entraauth/entraauth/internal/redact"
	"github.com/entraauth/entraauth/oauth"
)

// Secrets shaped like the real ones: a consumer (MSA) refresh token, with
// the '*', '!' and '$' that split a token into short words, a JWT access
// token and ID token, client_info, and a device code.
const (
	msaRefreshToken = "M.C544_BAY.0.U.-CqZx*Wv!Pn$Lk9Yt*Rs!Qm$Hb7Gd!Fc*Ej$"
	jwtAccessToken  = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJncmFwaCJ9.c2lnbmF0dXJlLWJ5dGVz"
	jwtIDToken      = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJvaWQiOiJvMSIsInRpZCI6InQxIn0.aWQtc2ln"
	clientInfoValue = "eyJ1aWQiOiJ1MTIzNDUiLCJ1dGlkIjoidDY3ODkwIn0"
	deviceCodeValue = "DAQABAAEAAAD--DLA3VO7QrddgJg7WevrAgA*x!Kq$Zv"
)

// grantResponses are token responses as each grant gets them, and the
// device authorization response.
var grantResponses = map[string]string{
	"authorization_code": `{"token_type":"Bearer","scope":"User.Read openid profile offline_access","expires_in":3599,"ext_expires_in":3599,` +
		`"access_token":"` + jwtAccessToken + `","refresh_token":"` + msaRefreshToken + `","id_token":"` + jwtIDToken + `","client_info":"` + clientInfoValue + `"}`,
	"device_code": `{"token_type":"Bearer","scope":"User.Read","expires_in":"3599","refresh_token":"` + msaRefreshToken +
		`","access_token":"` + jwtAccessToken + `","id_token":"` + jwtIDToken + `","client_info":"` + clientInfoValue + `"}`,
	"refresh_token": `{"refresh_token":"` + msaRefreshToken + `","foci":"1","access_token":"` + jwtAccessToken + `","token_type":"Bearer","expires_in":3599}`,
	"password":      `{"access_token":"` + jwtAccessToken + `","token_type":"Bearer","expires_in":3599,"refresh_token":"` + msaRefreshToken + `","id_token":"` + jwtIDToken + `"}`,
	"device authorization": `{"user_code":"ABCD1234","device_code":"` + deviceCodeValue + `","verification_uri":"https://microsoft.com/devicelogin",` +
		`"expires_in":900,"interval":5}`,
	"form encoded": `access_token=` + jwtAccessToken + `&refresh_token=` + msaRefreshToken + `&token_type=Bearer`,
	"text":         `refresh token ` + msaRefreshToken + ` issued`,
}

// leaks returns the first 5-character piece of a secret found in s.
func leaks(s string) (string, bool) {
	for _, secret := range []string{msaRefreshToken, jwtAccessToken, jwtIDToken, clientInfoValue, deviceCodeValue} {
		for i := 0; i+5 <= len(secret); i++ {
			if strings.Contains(s, secret[i:i+5]) {
				return secret[i : i+5], true
			}
		}
	}
	return "", false
}

// TestTruncatedResponseNeverQuotesTokens: a response of any grant cut at
// any byte, or answered with any status, gives an error whose text and
// snippet hold no piece of any token.
func TestTruncatedResponseNeverQuotesTokens(t *testing.T) {
	now := time.Unix(1700000000, 0)
	for grant, body := range grantResponses {
		for cut := 1; cut <= len(body); cut++ {
			for _, status := range []int{200, 400, 502} {
				_, err := ParseTokenResponse("token", status, []byte(body[:cut]), now, nil)
				if err == nil {
					continue // a whole, valid response
				}
				e, _ := err.(*oauth.Error)
				for _, s := range []string{err.Error(), e.Snippet, e.Description} {
					if piece, bad := leaks(s); bad {
						t.Fatalf("%s response cut at %d, status %d: error quotes %q: %s", grant, cut, status, piece, s)
					}
				}
			}
		}
	}
}

// FuzzSnippet: whatever the body, a snippet is short, clean and valid
// UTF-8; and a token value in a JSON or form body, cut anywhere, is never
// quoted, whatever characters it holds.
func FuzzSnippet(f *testing.F) {
	f.Add(msaRefreshToken, uint(40), false)
	f.Add(jwtAccessToken, uint(30), true)
	f.Add("a\"b\\\"c*d!e$", uint(25), false)
	f.Fuzz(func(t *testing.T, secret string, cut uint, form bool) {
		if form && strings.Contains(secret, "&") {
			return // a raw '&' ends a form value: what follows is another field
		}
		q, _ := json.Marshal(secret)
		tmpl := `{"token_type":"Bearer","refresh_token":%s,"expires_in":3599}`
		body := strings.Replace(tmpl, "%s", string(q), 1)
		if form {
			tmpl = "token_type=Bearer&refresh_token=%s&expires_in=3599"
			body = strings.Replace(tmpl, "%s", secret, 1)
		}
		body = body[:int(cut%uint(len(body)+1))]
		s := snippet([]byte(body))
		if len(s) > snippetLen+4*utf8.UTFMax+len(redacted) || !utf8.ValidString(s) || redact.Text(s) != s {
			t.Fatalf("snippet(%q) = %q: too long, invalid or unclean", body, s)
		}
		for i := 0; i+8 <= len(secret); i++ {
			piece := secret[i : i+8]
			if !strings.Contains(tmpl, piece) && !strings.Contains(redacted, piece) && strings.Contains(s, piece) {
				t.Fatalf("snippet(%q) = %q quotes %q of the token", body, s, piece)
			}
		}
	})
}
