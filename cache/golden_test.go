package cache

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite cache/testdata/entraauth.golden.json")

// The golden files. msal_python.json was written by MSAL Python 1.21
// itself (Debian python3-msal with msal-extensions' FilePersistence),
// signing in as the Azure CLI does (device code, client 04b07795-…,
// authority organizations, ARM .default) against the fake authority;
// interop/msalpy's TestCaptureMSALPythonGolden rewrites it with
// ENTRAAUTH_UPDATE_GOLDEN=1 and checks MSAL Python still writes that
// shape. Its tokens come from the fake, so they are no secret, and its
// access token is looked up as of its cached_at (it expired an hour
// later). The others are written by hand after each writer's shape (keys,
// fields, string timestamps) with fake secrets. msal_go.json: MSAL Go
// (compact, 4-part RT key, token_type, client_info). msal_net.json: MSAL
// .NET (login.windows.net, tenant-ID realm, family RT key "-1--",
// ext_expires_on, wam_account_ids, plus an unknown top-level section).
type goldenCase struct {
	file, client, env, realm string
	scopes                   []string
	wantAT, wantRT           string // "": the secret of the file's only such entry
	family                   bool
	wantUser                 string
}

var goldens = []goldenCase{
	{"msal_python.json", "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "login.microsoftonline.com", "organizations",
		[]string{"https://management.core.windows.net//.default"}, "", "", true, "alice@contoso.onmicrosoft.com"},
	{"msal_go.json", "11111111-2222-3333-4444-555555555555", "login.microsoftonline.com", "organizations",
		[]string{"user.read"}, "fake-access-token-go", "fake-refresh-token-go", false, "bob@fabrikam.example"},
	{"msal_net.json", "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "login.microsoftonline.com", "utid-c3",
		[]string{"https://graph.microsoft.com/User.Read"}, "fake-access-token-net", "fake-refresh-token-net", true, "carol@contoso.example"},
}

// golden is a loaded golden file with what its lookups must find.
type golden struct {
	data           []byte
	c              *Cache
	wantAT, wantRT string
	at             time.Time // when to look up its access token
}

// load reads g's file and its expectations: the table's, or for a file
// written by a real client the secrets and cached_at of its only access
// and refresh token, read from the JSON directly (not through this
// package's parser).
func (g goldenCase) load(t *testing.T) golden {
	t.Helper()
	data, c := loadGolden(t, g.file)
	out := golden{data: data, c: c, wantAT: g.wantAT, wantRT: g.wantRT, at: time.Now()}
	if g.wantAT != "" {
		return out
	}
	var doc map[string]map[string]map[string]string
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", g.file, err)
	}
	only := func(section string) map[string]string {
		if len(doc[section]) != 1 {
			t.Fatalf("%s holds %d %s entries, want 1", g.file, len(doc[section]), section)
		}
		for _, e := range doc[section] {
			return e
		}
		return nil
	}
	at, rt := only("AccessToken"), only("RefreshToken")
	cached, err := strconv.ParseInt(at["cached_at"], 10, 64)
	if err != nil {
		t.Fatalf("%s: cached_at %q", g.file, at["cached_at"])
	}
	out.wantAT, out.wantRT, out.at = at["secret"], rt["secret"], time.Unix(cached, 0)
	return out
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
			gd := g.load(t)
			c := gd.c
			var users []string
			for _, a := range c.Accounts(g.env, g.client) {
				users = append(users, a.Username)
			}
			if len(users) != 1 || users[0] != g.wantUser {
				t.Fatalf("Accounts = %v, want [%s]", users, g.wantUser)
			}
			a := c.Accounts(g.env, g.client)[0]
			k := NewAccessTokenKey(a.HomeAccountID, g.env, g.realm, g.client, g.scopes, "", false)
			if at, ok := c.AccessTokenAt(k, gd.at); !ok || at.Secret != gd.wantAT {
				t.Errorf("AccessToken = %q, %v; want %q", at.Secret, ok, gd.wantAT)
			}
			if rt, ok := c.RefreshToken(NewRefreshTokenKey(a.HomeAccountID, g.env, g.client, "")); !ok || rt.Secret != gd.wantRT {
				t.Errorf("RefreshToken by client = %q, %v; want %q", rt.Secret, ok, gd.wantRT)
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
	gd := g.load(t)
	c := gd.c
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
	if x, ok := c.AccessTokenAt(NewAccessTokenKey(a.HomeAccountID, g.env, g.realm, g.client, g.scopes, "", false), gd.at); !ok || x.Secret != gd.wantAT {
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
