package cache

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Refresh-token keys as each writer builds them.
const (
	pyKey  = testHome + "-" + testEnv + "-refreshtoken-" + testClient + "--https://graph.microsoft.com/user.read" // MSAL Python
	netKey = testHome + "-" + testEnv + "-refreshtoken-" + testClient + "--"                                      // MSAL .NET, ours
	goKey  = testHome + "-" + testEnv + "-refreshtoken-1"                                                         // MSAL Go (family)
)

func rtEntry(secret, family string, modified time.Time, target string) map[string]any {
	e := map[string]any{"credential_type": "RefreshToken", "home_account_id": testHome, "environment": testEnv,
		"client_id": testClient, "secret": secret}
	if family != "" {
		e["family_id"] = family
	}
	if !modified.IsZero() {
		e["last_modification_time"] = strconv.FormatInt(modified.Unix(), 10)
	}
	if target != "" {
		e["target"] = target
	}
	return e
}

func docOf(t *testing.T, sections map[string]map[string]any) []byte {
	t.Helper()
	data, err := json.Marshal(sections)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func secrets(rts []RefreshToken) []string {
	var out []string
	for _, rt := range rts {
		out = append(out, rt.Secret)
	}
	return out
}

// An account's refresh tokens come newest first by last_modification_time,
// whatever key each writer used: MSAL Python's per-scope key, MSAL .NET's,
// MSAL Go's family key (no timestamp: oldest). The family token is listed
// for the client; each secret once.
func TestRefreshTokensNewestFirst(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	c := New(nil, nil)
	must(t, c.UnmarshalJSON(docOf(t, map[string]map[string]any{"RefreshToken": {
		pyKey:           rtEntry("py", "1", now, "https://graph.microsoft.com/User.Read"),
		netKey:          rtEntry("net", "", now.Add(-time.Hour), ""),
		goKey:           rtEntry("go", "1", time.Time{}, ""),
		goKey + "-copy": rtEntry("go", "1", time.Time{}, ""),
	}})))
	got := secrets(c.RefreshTokens(testHome, "login.windows.net", testClient))
	if want := []string{"py", "net", "go"}; !slices.Equal(got, want) {
		t.Errorf("RefreshTokens = %v, want %v", got, want)
	}
	if rt, _ := c.RefreshToken(NewRefreshTokenKey(testHome, testEnv, testClient, "")); rt.Secret != "py" {
		t.Errorf("RefreshToken(client) = %q, want the newest, py", rt.Secret)
	}
	if rt, _ := c.RefreshToken(NewRefreshTokenKey(testHome, testEnv, "", "1")); rt.Secret != "py" {
		t.Errorf("RefreshToken(family) = %q, want py", rt.Secret)
	}
	if got := secrets(c.RefreshTokens(testHome, testEnv, "other-client")); !slices.Equal(got, []string{"py", "go"}) {
		t.Errorf("RefreshTokens(other client) = %v, want the family tokens", got)
	}
}

// Writing a refresh token deletes no other writer's entry: MSAL Python's
// stays as it was, ours goes under MSAL .NET's key (MSAL Python's for a
// token without target) and the family key, stamped, and comes first.
func TestWriteKeepsOtherWritersRefreshTokens(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	c := New(nil, nil)
	py := rtEntry("py", "1", now.Add(-time.Minute), "https://graph.microsoft.com/User.Read")
	must(t, c.UnmarshalJSON(docOf(t, map[string]map[string]any{"RefreshToken": {pyKey: py}})))
	mustWrite(t, c, Update{RefreshToken: &RefreshToken{HomeAccountID: testHome, Environment: testEnv, ClientID: testClient, Secret: "ours", FamilyID: "1"}})
	data, err := c.MarshalJSON()
	must(t, err)
	var doc map[string]map[string]map[string]string
	must(t, json.Unmarshal(data, &doc))
	rts := doc["RefreshToken"]
	if rts[pyKey]["secret"] != "py" || rts[pyKey]["target"] != "https://graph.microsoft.com/User.Read" {
		t.Errorf("MSAL Python's entry changed: %v", rts[pyKey])
	}
	famKey := testHome + "-" + testEnv + "-refreshtoken-1--"
	for _, k := range []string{netKey, famKey} {
		if e := rts[k]; e["secret"] != "ours" || e["family_id"] != "1" || e["client_id"] != testClient || e["last_modification_time"] == "" {
			t.Errorf("entry %s = %v, want ours with family_id, client_id and last_modification_time", k, e)
		}
	}
	if got := secrets(c.RefreshTokens(testHome, testEnv, testClient)); !slices.Equal(got, []string{"ours", "py"}) {
		t.Errorf("RefreshTokens = %v, want [ours py]", got)
	}
}

// A writer that rotates a token without stamping it (MSAL Go) still wins
// over our stamped, older one: the reload sees a new secret appear.
func TestRefreshTokenRotatedByUnstampedWriter(t *testing.T) {
	st, path := newFile(t, nil)
	ctx := context.Background()
	c := New(st, nil)
	mustWrite(t, c, Update{RefreshToken: &RefreshToken{HomeAccountID: testHome, Environment: testEnv, ClientID: testClient, Secret: "ours"}})
	data, err := os.ReadFile(path)
	must(t, err)
	var doc map[string]map[string]any
	must(t, json.Unmarshal(data, &doc))
	doc["RefreshToken"][testHome+"-"+testEnv+"-refreshtoken-"+testClient] = rtEntry("go-rotated", "", time.Time{}, "")
	must(t, os.WriteFile(path, docOf(t, doc), 0o600))
	future := time.Now().Add(time.Second)
	must(t, os.Chtimes(path, future, future))
	must(t, c.Sync(ctx))
	if got := secrets(c.RefreshTokens(testHome, testEnv, testClient)); len(got) != 2 || got[0] != "go-rotated" {
		t.Errorf("RefreshTokens = %v, want go-rotated first", got)
	}
	// Another process loading the file afresh cannot tell: the stamped one
	// comes first there, and the engine falls back to the other.
	if got := secrets(New(st, nil).syncedRTs(t)); len(got) != 2 {
		t.Errorf("a fresh process sees %v", got)
	}
}

func (c *Cache) syncedRTs(t *testing.T) []RefreshToken {
	t.Helper()
	must(t, c.Sync(context.Background()))
	return c.RefreshTokens(testHome, testEnv, testClient)
}

// Entries this package rewrites keep the fields it does not understand,
// on every entry kind: MSAL Node's tenantProfiles on an account, an
// unknown field on the tokens and the app metadata.
func TestWriteKeepsUnknownFields(t *testing.T) {
	old := testAT("old", "User.Read", time.Hour)
	base := New(nil, nil)
	mustWrite(t, base, Update{AccessToken: old,
		RefreshToken: &RefreshToken{HomeAccountID: testHome, Environment: testEnv, ClientID: testClient, Secret: "rt"},
		IDToken:      &IDToken{HomeAccountID: testHome, Environment: testEnv, Realm: testRealm, ClientID: testClient, Secret: "id"},
		Account:      &Account{HomeAccountID: testHome, Environment: testEnv, Realm: testRealm, Username: "u"},
		AppMetadata:  &AppMetadata{ClientID: testClient, Environment: testEnv},
	})
	data, err := base.MarshalJSON()
	must(t, err)
	var doc map[string]map[string]map[string]any
	must(t, json.Unmarshal(data, &doc))
	for _, sec := range doc {
		for _, e := range sec {
			e["x_unknown"] = map[string]any{"kept": true}
		}
	}
	for _, e := range doc["Account"] {
		e["tenantProfiles"] = []any{map[string]any{"tenantId": "t1", "localAccountId": "l1", "isHomeTenant": true}}
	}
	c := New(nil, nil)
	must(t, c.UnmarshalJSON(docOf(t, map[string]map[string]any{
		"AccessToken": toAny(doc["AccessToken"]), "RefreshToken": toAny(doc["RefreshToken"]), "IdToken": toAny(doc["IdToken"]),
		"Account": toAny(doc["Account"]), "AppMetadata": toAny(doc["AppMetadata"]),
	})))
	mustWrite(t, c, Update{AccessToken: testAT("new", "User.Read", time.Hour),
		RefreshToken: &RefreshToken{HomeAccountID: testHome, Environment: testEnv, ClientID: testClient, Secret: "rt2"},
		IDToken:      &IDToken{HomeAccountID: testHome, Environment: testEnv, Realm: testRealm, ClientID: testClient, Secret: "id2"},
		Account:      &Account{HomeAccountID: testHome, Environment: testEnv, Realm: testRealm, Username: "u2"},
		AppMetadata:  &AppMetadata{ClientID: testClient, Environment: testEnv, FamilyID: "1"},
	})
	out, err := c.MarshalJSON()
	must(t, err)
	var got map[string]map[string]map[string]json.RawMessage
	must(t, json.Unmarshal(out, &got))
	for name, sec := range got {
		for k, e := range sec {
			if name == "RefreshToken" && strings.HasSuffix(k, "-1--") {
				continue // the new family entry has no predecessor
			}
			if string(e["x_unknown"]) != `{"kept":true}` {
				t.Errorf("%s entry %s lost its unknown field: %s", name, k, e["x_unknown"])
			}
			if name == "Account" && !strings.Contains(string(e["tenantProfiles"]), `"tenantId":"t1"`) {
				t.Errorf("account lost tenantProfiles: %s", e["tenantProfiles"])
			}
		}
	}
}

func toAny(m map[string]map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// A refresh token that Merge brings in (MSAL Go's Export after it rotated
// the token, with no last_modification_time) comes before ours.
func TestMergedRefreshTokenComesFirst(t *testing.T) {
	c := New(nil, nil)
	mustWrite(t, c, Update{RefreshToken: &RefreshToken{HomeAccountID: testHome, Environment: testEnv, ClientID: testClient, Secret: "ours"}})
	doc := docOf(t, map[string]map[string]any{"RefreshToken": {
		testHome + "-" + testEnv + "-refreshtoken-" + testClient: rtEntry("from-msal-go", "", time.Time{}, ""),
	}})
	must(t, c.Merge(context.Background(), doc))
	if got := secrets(c.RefreshTokens(testHome, testEnv, testClient)); !slices.Equal(got, []string{"from-msal-go", "ours"}) {
		t.Errorf("RefreshTokens = %v, want [from-msal-go ours]", got)
	}
}
