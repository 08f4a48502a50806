package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// issuedSecrets collects the secrets of a --fake session: what the fake
// received (device codes, codes, verifiers, refresh tokens) and what it
// issued, as the plain cache file holds it (access, refresh and ID tokens,
// client_info), and the refresh tokens the fake broker keeps.
func issuedSecrets(t *testing.T, sio *stdio, fas []*fakeauthority.Authority) []string {
	var out []string
	for _, fa := range fas {
		for _, r := range fa.Requests() {
			for _, k := range []string{"device_code", "code", "code_verifier", "refresh_token", "password"} {
				if v := r.Params.Get(k); v != "" {
					out = append(out, v)
				}
			}
		}
	}
	base, _ := sio.userCacheDir()
	// The fake broker's refresh tokens (after a broker login).
	if b, err := os.ReadFile(filepath.Join(base, "entraauth", "fake", fakeBrokerFile)); err == nil {
		var st struct {
			Accounts []struct{ RefreshToken string }
		}
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatal(err)
		}
		for _, a := range st.Accounts {
			out = append(out, a.RefreshToken)
		}
	}
	b, err := os.ReadFile(filepath.Join(base, "entraauth", "fake", plainCacheFile))
	if errors.Is(err, fs.ErrNotExist) && len(out) > 0 {
		return out // a broker login: the broker kept every token
	}
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]map[string]map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	for _, section := range c {
		for _, e := range section {
			for _, k := range []string{"secret", "client_info"} {
				if v, _ := e[k].(string); v != "" {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// TestTraceEveryFlow signs in with every flow of this build (and redeems
// a refresh token) with --trace and --trace-file: the text trace pairs
// each request with its response, the HAR file is HAR 1.2, and no secret
// the fake issued or received appears in either.
func TestTraceEveryFlow(t *testing.T) {
	for _, name := range sortedKeys(loginFlows) {
		t.Run(name, func(t *testing.T) {
			fakes := captureFakes(t)
			sio, out, errb := testIO(t, nil)
			har := filepath.Join(t.TempDir(), "out.har")
			if code := run(t.Context(), []string{"login", "--fake", "--flow", name, "--trace", "--trace-file", har}, sio); code != exitOK {
				t.Fatalf("login --flow %s --trace = exit %d: %s", name, code, errb)
			}
			if !strings.Contains(errb.String(), "--- #1 ") {
				t.Errorf("login --trace printed no exchange:\n%s", errb)
			}
			if code := run(t.Context(), []string{"token", "--fake", "--scope", "https://graph.microsoft.com/.default", "--trace", "--output", "raw"}, sio); code != exitOK {
				t.Fatalf("token --trace: exit %d: %s", code, errb)
			}
			trace := errb.String()
			wants := []string{"--- #1 ", " POST https://login.microsoftonline.com/organizations/oauth2/v2.0/token",
				"<   {", "< 200 OK (", "<refresh_token sha256:", "<access_token sha256:", "<id_token sha256:", "grant_type=refresh_token"}
			if name == "broker" {
				// The broker redeems its refresh token itself, out of
				// this process's sight: the trace shows only the keys
				// that verify the broker's ID token.
				wants = []string{"--- #1 ", "/discovery/v2.0/keys", "< 200 OK ("}
				if strings.Contains(trace, "grant_type") {
					t.Errorf("a token grant in this process's trace, not the broker's:\n%s", trace)
				}
			}
			for _, want := range wants {
				if !strings.Contains(trace, want) {
					t.Errorf("trace lacks %q:\n%s", want, trace)
				}
			}
			b, err := os.ReadFile(har)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Log struct {
					Version string `json:"version"`
					Entries []struct {
						Request struct {
							Method, URL string
						} `json:"request"`
						Response struct {
							Status int `json:"status"`
						} `json:"response"`
					} `json:"entries"`
				} `json:"log"`
			}
			if err := json.Unmarshal(b, &doc); err != nil || doc.Log.Version != "1.2" || len(doc.Log.Entries) == 0 {
				t.Fatalf("HAR file: %v, version %q, %d entries", err, doc.Log.Version, len(doc.Log.Entries))
			}
			secrets := issuedSecrets(t, sio, *fakes)
			secrets = append(secrets, strings.TrimSpace(out.String()))
			if len(secrets) < 4 {
				t.Fatalf("only %d secrets collected from the fake", len(secrets))
			}
			for _, s := range secrets {
				if s == "" || strings.Contains(trace, s) || strings.Contains(string(b), s) {
					t.Errorf("a secret (%d bytes) is empty or appears in the trace or the HAR file", len(s))
				}
			}
		})
	}
}

func TestRedactForm(t *testing.T) {
	var parts []string
	for _, f := range redactFormFields("refresh_token=rt&scope=a+b&Password=p&grant_type=refresh_token&client_info=1") {
		parts = append(parts, f[0]+"="+f[1])
	}
	got := strings.Join(parts, " ")
	want := "Password=<password sha256:148de9> client_info=1 grant_type=refresh_token refresh_token=" + fingerprint("refresh_token", "rt") + " scope=a b"
	if got != want {
		t.Errorf("redactFormFields() = %q, want %q", got, want)
	}
}

// TestRedactBodyCase: JSON members are matched whatever their case, at any
// depth, as the library's parser accepts them.
func TestRedactBodyCase(t *testing.T) {
	body := `{"Access_Token":"AT1","REFRESH_TOKEN":"RT1","nested":{"Id_Token":"IT1"},"list":[{"code":"C1"}],"token_type":"Bearer"}`
	got := redactBody("application/json", []byte(body))
	for _, secret := range []string{"AT1", "RT1", "IT1", "C1"} {
		if strings.Contains(got, secret) {
			t.Errorf("redactBody() = %s: %s not redacted", got, secret)
		}
	}
	if !strings.Contains(got, `"token_type":"Bearer"`) || !strings.Contains(got, "<access_token sha256:") {
		t.Errorf("redactBody() = %s", got)
	}
}

// TestRedactURL: a URL without secrets is shown as it is; secret query
// values and the user realm segment are fingerprinted.
func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration": "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration",
		"https://h/common/UserRealm/alice@x?api-version=1.0":                                    "https://h/common/UserRealm/" + fingerprint("username", "alice@x") + "?api-version=1.0",
		"http://localhost:1/?code=SECRET&state=s":                                               "http://localhost:1/?code=%3Ccode+sha256%3A",
	} {
		u, _ := parseURL(in)
		if got := redactURL(u); !strings.HasPrefix(strings.Replace(got, "/userrealm/", "/UserRealm/", 1), want) || strings.Contains(got, "SECRET") || strings.Contains(got, "alice") {
			t.Errorf("redactURL(%s) = %s, want %s", in, got, want)
		}
	}
}

func parseURL(s string) (*url.URL, error) { return url.Parse(s) }
