package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// issuerSite serves an OpenID configuration and key set for any host
// and mints tokens signed with its key: what anyone can stand up.
type issuerSite struct {
	key      *rsa.PrivateKey
	jwksURI  string // "" means https://<host>/keys
	use, alg string
}

func (s *issuerSite) RoundTrip(r *http.Request) (*http.Response, error) {
	var body any
	switch {
	case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
		u := s.jwksURI
		if u == "" {
			u = "https://" + r.URL.Host + "/keys"
		}
		body = map[string]string{"issuer": "https://" + r.URL.Host, "jwks_uri": u}
	case r.URL.Path == "/keys":
		body = map[string]any{"keys": []jose.JSONWebKey{{Key: &s.key.PublicKey, KeyID: "k1", Use: s.use, Algorithm: s.alg}}}
	default:
		return &http.Response{StatusCode: 404, Body: io.NopCloser(strings.NewReader(""))}, nil
	}
	b, _ := json.Marshal(body)
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(string(b)))}, nil
}

func (s *issuerSite) mint(t *testing.T, iss string) string {
	t.Helper()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: s.key}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	claims, _ := json.Marshal(map[string]any{"iss": iss, "tid": "7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f", "sub": "s", "exp": 4102444800})
	jws, err := sig.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := jws.CompactSerialize()
	return out
}

// decode --verify says what was verified: against which issuer, and
// whether that issuer is a Microsoft authority, the one named with
// --authority-host, or one only the token vouches for (a warning, on
// stderr too, whatever the output format). A key set that is not https,
// or a key published for encryption or another algorithm, is refused.
func TestDecodeVerifySaysWhatWasVerified(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, iss, named     string
		site                 issuerSite
		output               string
		exit                 int
		stdout, stderr, json string
	}{
		{"attacker's issuer", "https://evil.example/t/v2.0", "", issuerSite{}, "text", exitOK,
			"WARNING:   the issuer https://evil.example/t/v2.0 is not a Microsoft authority", "WARNING: the issuer https://evil.example", ""},
		{"attacker's issuer, json", "https://evil.example/t/v2.0", "", issuerSite{}, "json", exitOK,
			`"issuerTrust": "unknown"`, "WARNING: the issuer https://evil.example", "unknown"},
		{"named authority", "https://login.contoso.example/t/v2.0", "https://login.contoso.example", issuerSite{}, "text", exitOK,
			"(the authority named with --authority-host)", "", ""},
		{"Microsoft cloud", "https://login.microsoftonline.com/7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f/v2.0", "", issuerSite{}, "json", exitOK,
			`"issuerTrust": "microsoft"`, "", "microsoft"},
		{"key set over http", "https://login.microsoftonline.com/t/v2.0", "", issuerSite{jwksURI: "http://login.microsoftonline.com/keys"}, "text", exitFailed,
			"", "names no https jwks_uri", ""},
		{"encryption key", "https://login.microsoftonline.com/t/v2.0", "", issuerSite{use: "enc"}, "text", exitFailed,
			"", "not an RSA key published for RS256 signatures", ""},
		{"key for another algorithm", "https://login.microsoftonline.com/t/v2.0", "", issuerSite{alg: "RS384"}, "text", exitFailed,
			"", "not an RSA key published for RS256 signatures", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site := tc.site
			site.key = key
			testTransport = &site
			t.Cleanup(func() { testTransport = nil })
			sio, out, errb := testIO(t, nil)
			args := []string{"decode", "--verify", "--output", tc.output}
			if tc.named != "" {
				args = append(args, "--authority-host", tc.named)
			}
			code := run(t.Context(), append(args, site.mint(t, tc.iss)), sio)
			if code != tc.exit || !strings.Contains(out.String(), tc.stdout) || !strings.Contains(errb.String(), tc.stderr) {
				t.Fatalf("exit %d (want %d)\nstdout %s\nstderr %s", code, tc.exit, out, errb)
			}
			if tc.stderr == "" && strings.Contains(errb.String()+out.String(), "WARNING") {
				t.Errorf("a warning for a trusted issuer: %s%s", out, errb)
			}
			if tc.json != "" {
				var d decoded
				if err := json.Unmarshal(out.Bytes(), &d); err != nil || d.IssuerTrust != tc.json || d.Issuer != tc.iss || !d.Verified {
					t.Errorf("json = %+v, %v", d, err)
				}
			}
		})
	}
}
