package azurecli

import (
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/internal/redact"
)

func TestParseTokenOutput(t *testing.T) {
	loc := time.FixedZone("test", 2*3600)
	for _, tc := range []struct {
		name, in string
		want     time.Time
		err      string
	}{
		{"az 2.45 (expiresOn only, local time)",
			`{"accessToken":"s3cr3t","expiresOn":"2026-11-29 14:51:15.000000","subscription":"s","tenant":"t","tokenType":"Bearer"}`,
			time.Date(2026, 11, 29, 12, 51, 15, 0, time.UTC), ""},
		{"az 2.54+ (expires_on wins)",
			`{"accessToken":"s3cr3t","expiresOn":"2000-01-01 00:00:00.000000","expires_on":1795963876,"tokenType":"Bearer"}`,
			time.Unix(1795963876, 0), ""},
		{"expires_on as a string", `{"accessToken":"s3cr3t","expires_on":"1795963876"}`, time.Unix(1795963876, 0), ""},
		{"expiresOn without fraction", `{"accessToken":"s3cr3t","expiresOn":"2026-11-29 14:51:15"}`,
			time.Date(2026, 11, 29, 12, 51, 15, 0, time.UTC), ""},
		{"null expires_on falls back", `{"accessToken":"s3cr3t","expires_on":null,"expiresOn":"2026-11-29 14:51:15.5"}`,
			time.Date(2026, 11, 29, 12, 51, 15, 5e8, time.UTC), ""},
		{"no token", `{"expiresOn":"2026-11-29 14:51:15.000000"}`, time.Time{}, "no accessToken"},
		{"no expiry", `{"accessToken":"s3cr3t"}`, time.Time{}, "no expiry"},
		{"bad expires_on", `{"accessToken":"s3cr3t","expires_on":"soon"}`, time.Time{}, "not unix seconds"},
		{"negative expires_on", `{"accessToken":"s3cr3t","expires_on":-5}`, time.Time{}, "not unix seconds"},
		{"bad expiresOn", `{"accessToken":"s3cr3t","expiresOn":"tomorrow"}`, time.Time{}, "not a date"},
		{"not JSON", `ERROR: Please run 'az login'`, time.Time{}, "not a JSON object"},
		{"array", `[]`, time.Time{}, "not a JSON object"},
		{"token of wrong type", `{"accessToken":5,"expires_on":1}`, time.Time{}, "not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := parseTokenOutput([]byte(tc.in), loc)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "s3cr3t") {
					t.Errorf("error quotes the token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.Token != "s3cr3t" || !tok.ExpiresOn.Equal(tc.want) || tok.TokenType == "" {
				t.Errorf("got %q %v %q, want s3cr3t %v", tok.Token, tok.ExpiresOn, tok.TokenType, tc.want)
			}
		})
	}
}

func FuzzParseTokenOutput(f *testing.F) {
	f.Add([]byte(`{"accessToken":"s3cr3t","expiresOn":"2026-11-29 14:51:15.000000","tokenType":"Bearer"}`))
	f.Add([]byte(`{"accessToken":"s3cr3t","expires_on":1795963876}`))
	f.Add([]byte(`{"accessToken":"s3cr3t","expires_on":"99999999999999999999"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := parseTokenOutput(b, time.UTC)
		if err == nil && (tok.Token == "" || tok.ExpiresOn.IsZero()) {
			t.Fatalf("accepted %q without a token or expiry", b)
		}
	})
}

func TestParseProfile(t *testing.T) {
	const bom = "\ufeff"
	for _, tc := range []struct {
		name, in string
		want     session
		err      string
	}{
		{"az writes a BOM", bom + `{"subscriptions":[{"id":"s1","isDefault":false,"tenantId":"t1","environmentName":"AzureCloud","user":{"name":"a@x","type":"user"}},` +
			`{"id":"s2","isDefault":true,"tenantId":"t2","environmentName":"AzureCloud","user":{"name":"b@x","type":"user"}}]}`,
			session{username: "b@x", userType: "user", tenantID: "t2", cloud: "AzureCloud"}, ""},
		{"service principal", `{"subscriptions":[{"isDefault":true,"tenantId":"t","user":{"name":"app","type":"servicePrincipal"}}]}`,
			session{username: "app", userType: "servicePrincipal", tenantID: "t"}, ""},
		{"none default", `{"subscriptions":[{"isDefault":false,"tenantId":"t","user":{"name":"a"}}]}`, session{}, "no default subscription"},
		{"logged out", `{"subscriptions":[]}`, session{}, "no default subscription"},
		{"no user", `{"subscriptions":[{"isDefault":true,"tenantId":"t"}]}`, session{}, "no user or tenant"},
		{"garbage", `{"subscriptions":`, session{}, "not valid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseProfile([]byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func FuzzParseProfile(f *testing.F) {
	f.Add([]byte("\ufeff" + `{"subscriptions":[{"isDefault":true,"tenantId":"t","environmentName":"AzureCloud","user":{"name":"a@x","type":"user"}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseProfile(b)
		if err == nil && (s.username == "" || s.tenantID == "") {
			t.Fatalf("accepted %q without a user or tenant", b)
		}
	})
}

func TestParseINI(t *testing.T) {
	in := "\ufeff[core]\nencrypt_token_cache = False\n# comment\n; other\n[Fake Cloud]\nEndpoint_Active_Directory: https://login.example/\n  continued line\nprofile = latest\n[empty]\n"
	got := parseINI([]byte(in))
	if got["core"]["encrypt_token_cache"] != "False" {
		t.Errorf("core = %v", got["core"])
	}
	if got["Fake Cloud"]["endpoint_active_directory"] != "https://login.example/" || got["Fake Cloud"]["profile"] != "latest" {
		t.Errorf("Fake Cloud = %v", got["Fake Cloud"])
	}
	if _, ok := got["empty"]; !ok || len(got) != 3 {
		t.Errorf("sections = %v", got)
	}
}

func FuzzParseINI(f *testing.F) {
	f.Add([]byte("[core]\nencrypt_token_cache = true\n[x]\na: b\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for sec, kv := range parseINI(b) {
			for k := range kv {
				if k != strings.ToLower(k) || strings.ContainsAny(k, "\n") {
					t.Fatalf("section %q: key %q not lower-cased or has a newline", sec, k)
				}
			}
		}
	})
}

func TestAzCommand(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scopes []string
		tenant string
		want   string
		err    bool
	}{
		{"resource", []string{"https://management.core.windows.net//.default"}, "", "account get-access-token --output json --resource=https://management.core.windows.net/", false},
		{"scope", []string{"https://graph.microsoft.com/User.Read"}, "t1", "account get-access-token --output json --scope=https://graph.microsoft.com/User.Read --tenant=t1", false},
		{"two scopes", []string{"a", "b"}, "", "", true},
		{"option injection", []string{"--debug"}, "", "", true},
		{"shell metacharacter", []string{"https://x/.default&calc"}, "", "", true},
		{"space", []string{"a b"}, "", "", true},
		{"bad tenant", []string{"a"}, "t;x", "", true},
		{"tenant as an option", []string{"a"}, "--debug", "", true},
		{"tenant as a short option", []string{"a"}, "-h", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args, err := azCommand(tc.scopes, tc.tenant)
			if tc.err {
				if err == nil {
					t.Fatalf("accepted: %q", args)
				}
				return
			}
			if err != nil || strings.Join(args, " ") != tc.want {
				t.Fatalf("got %q, %v; want %q", args, err, tc.want)
			}
		})
	}
}

func TestChooseCache(t *testing.T) {
	dir := t.TempDir()
	if c := chooseCache(dir, "linux"); c.encrypted || !strings.HasSuffix(c.path, plainCacheFile) {
		t.Errorf("linux default = %+v", c)
	}
	if c := chooseCache(dir, "windows"); !c.encrypted || !strings.HasSuffix(c.path, encryptedCacheFile) {
		t.Errorf("windows default = %+v", c)
	}
	writeFile(t, dir, "config", "[core]\nencrypt_token_cache = false\n")
	if c := chooseCache(dir, "windows"); c.encrypted {
		t.Errorf("windows with encryption off = %+v", c)
	}
	writeFile(t, dir, "config", "[core]\nencrypt_token_cache = true\n")
	if c := chooseCache(dir, "linux"); !c.encrypted {
		t.Errorf("linux with encryption on = %+v", c)
	}
}

func TestRedactAndClean(t *testing.T) {
	in := "ERROR: bad\x1b[31m token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln and \"accessToken\": \"secret\"\u202e\n"
	got := redactTokens(redact.Text(in))
	for _, bad := range []string{"eyJ", "secret", "\x1b", "\u202e", "\n"} {
		if strings.Contains(got, bad) {
			t.Errorf("%q still holds %q", got, bad)
		}
	}
	if !strings.HasPrefix(got, "ERROR: bad[31m token [redacted]") {
		t.Errorf("got %q", got)
	}
}
