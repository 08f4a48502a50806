package cache

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite cache/testdata/entraauth.golden.json")

// The golden files are written by hand after each writer's shape as
// recorded in entra-protocol.md section 7 (keys, fields, string
// timestamps); their secrets are fake. azure_cli.json: MSAL Python as used
// by Azure CLI (sorted targets, RT key with target, trailing-dash ID token
// key, account_source, last_modification_time). msal_go.json: MSAL Go
// (compact, 4-part RT key, token_type, client_info). msal_net.json: MSAL
// .NET (login.windows.net, tenant-ID realm, family RT key "-1--",
// ext_expires_on, wam_account_ids, plus an unknown top-level section).
var goldens = []struct {
	file, client, env, realm string
	scopes                   []string
	wantAT, wantRT           string
	family                   bool
	wantUser                 string
}{
	{"azure_cli.json", "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "login.microsoftonline.com", "organizations",
		[]string{"https://management.core.windows.net//.default"}, "fake-access-token-cli", "fake-refresh-token-cli", true, "alice@contoso.example"},
	{"msal_go.json", "11111111-2222-3333-4444-555555555555", "login.microsoftonline.com", "organizations",
		[]string{"user.read"}, "fake-access-token-go", "fake-refresh-token-go", false, "bob@fabrikam.example"},
	{"msal_net.json", "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "login.microsoftonline.com", "utid-c3",
		[]string{"https://graph.microsoft.com/User.Read"}, "fake-access-token-net", "fake-refresh-token-net", true, "carol@contoso.example"},
}

func loadGolden(t *testing.T, name string) ([]byte, *Cache) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	c := New(nil, nil)
	if err := c.UnmarshalJSON(data); err != nil {
		t.Fatalf("UnmarshalJSON(%s): %v", name, err)
	}
	return data, c
}

func TestGoldenLoads(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.file, func(t *testing.T) {
			_, c := loadGolden(t, g.file)
			var users []string
			for _, a := range c.Accounts(g.env, g.client) {
				users = append(users, a.Username)
			}
			if len(users) != 1 || users[0] != g.wantUser {
				t.Fatalf("Accounts = %v, want [%s]", users, g.wantUser)
			}
			a := c.Accounts(g.env, g.client)[0]
			k := NewAccessTokenKey(a.HomeAccountID, g.env, g.realm, g.client, g.scopes, "", false)
			if at, ok := c.AccessToken(k); !ok || at.Secret != g.wantAT {
				t.Errorf("AccessToken = %q, %v; want %q", at.Secret, ok, g.wantAT)
			}
			if rt, ok := c.RefreshToken(NewRefreshTokenKey(a.HomeAccountID, g.env, g.client, "")); !ok || rt.Secret != g.wantRT {
				t.Errorf("RefreshToken by client = %q, %v; want %q", rt.Secret, ok, g.wantRT)
			}
			_, ok := c.RefreshToken(NewRefreshTokenKey(a.HomeAccountID, g.env, "", "1"))
			if ok != g.family {
				t.Errorf("family refresh token found = %v, want %v", ok, g.family)
			}
			if _, ok := c.IDToken(a.HomeAccountID, g.env, a.Realm, g.client); !ok {
				t.Errorf("IDToken not found for realm %q", a.Realm)
			}
		})
	}
}

// TestGoldenRoundTrip: what we write back is the same JSON document,
// unknown sections and fields included (key order aside).
func TestGoldenRoundTrip(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.file, func(t *testing.T) {
			data, c := loadGolden(t, g.file)
			out, err := c.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			var want, got any
			json.Unmarshal(data, &want)
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip changed the document:\n got %s\nwant %s", out, data)
			}
		})
	}
}

// TestGoldenWriteKeepsOthers: our engine refreshing a token in another
// writer's file adds its refresh token under its own keys (the client's
// and the family's), which then come first, and leaves every other entry
// as it was, the other writer's refresh token included.
func TestGoldenWriteKeepsOthers(t *testing.T) {
	g := goldens[0]
	_, c := loadGolden(t, g.file)
	a := c.Accounts(g.env, g.client)[0]
	rt := &RefreshToken{HomeAccountID: a.HomeAccountID, Environment: g.env, ClientID: g.client, Secret: "rotated", FamilyID: "1"}
	at := &AccessToken{HomeAccountID: a.HomeAccountID, Environment: g.env, Realm: g.realm, ClientID: g.client,
		Secret: "new-graph", Target: "https://graph.microsoft.com/User.Read", ExpiresOn: time.Now().Add(time.Hour)}
	if err := c.Write(context.Background(), Update{AccessToken: at, RefreshToken: rt}); err != nil {
		t.Fatal(err)
	}
	if got := c.Len(); got != (Counts{2, 3, 1, 1, 1}) {
		t.Errorf("Len = %+v, want 2 access tokens, 3 refresh tokens and one of everything else", got)
	}
	if r, _ := c.RefreshToken(NewRefreshTokenKey(a.HomeAccountID, g.env, g.client, "")); r.Secret != "rotated" {
		t.Errorf("RefreshToken = %q, want rotated", r.Secret)
	}
	if x, ok := c.AccessToken(NewAccessTokenKey(a.HomeAccountID, g.env, g.realm, g.client, g.scopes, "", false)); !ok || x.Secret != g.wantAT {
		t.Errorf("the other access token was disturbed: %q, %v", x.Secret, ok)
	}
}

// TestOwnGolden pins the bytes this package writes.
func TestOwnGolden(t *testing.T) {
	c := New(nil, nil)
	exp := time.Unix(4102444800, 0)
	u := Update{
		AccessToken: &AccessToken{HomeAccountID: "uid.utid", Environment: "login.microsoftonline.com", Realm: "organizations",
			ClientID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", Secret: "fake-at", Target: "https://management.azure.com/user_impersonation",
			TokenType: "Bearer", CachedAt: time.Unix(1700000000, 0), ExpiresOn: exp, ExtendedExpiresOn: exp, RefreshOn: exp.Add(-time.Hour)},
		RefreshToken: &RefreshToken{HomeAccountID: "uid.utid", Environment: "login.microsoftonline.com", ClientID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", Secret: "fake-rt", FamilyID: "1", LastModified: time.Unix(1700000000, 0)},
		IDToken:      &IDToken{HomeAccountID: "uid.utid", Environment: "login.microsoftonline.com", Realm: "organizations", ClientID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", Secret: "fake.id.token"},
		Account: &Account{HomeAccountID: "uid.utid", Environment: "login.microsoftonline.com", Realm: "organizations",
			LocalAccountID: "uid", Username: "user@example.com", ClientInfo: "eyJ1aWQiOiJ1aWQiLCJ1dGlkIjoidXRpZCJ9"},
		AppMetadata: &AppMetadata{ClientID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", Environment: "login.microsoftonline.com", FamilyID: "1"},
	}
	if err := c.Write(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	got, err := c.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	json.Indent(&pretty, got, "", "  ")
	pretty.WriteByte('\n')
	path := filepath.Join("testdata", "entraauth.golden.json")
	if *update {
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cache -run TestOwnGolden -update)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("output differs from %s:\n%s", path, pretty.Bytes())
	}
}
