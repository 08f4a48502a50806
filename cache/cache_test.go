package cache

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

const (
	testHome   = "uid1.utid1"
	testEnv    = "login.microsoftonline.com"
	testRealm  = "organizations"
	testClient = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
)

func testAT(secret, target string, ttl time.Duration) *AccessToken {
	now := time.Now()
	return &AccessToken{
		HomeAccountID: testHome, Environment: testEnv, Realm: testRealm, ClientID: testClient,
		Secret: secret, Target: target, TokenType: "Bearer",
		CachedAt: now, ExpiresOn: now.Add(ttl), ExtendedExpiresOn: now.Add(2 * ttl),
	}
}

func mustWrite(t *testing.T, c *Cache, u Update) {
	t.Helper()
	if err := c.Write(context.Background(), u); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func TestAccessTokenLookup(t *testing.T) {
	c := New(nil, nil)
	mustWrite(t, c, Update{AccessToken: testAT("graph", "User.Read Mail.Read openid profile", time.Hour)})
	mustWrite(t, c, Update{AccessToken: testAT("arm", "https://management.azure.com/user_impersonation", time.Hour)})
	cae := testAT("graph-cae", "User.Read Mail.Read", time.Hour)
	cae.CAE = true
	mustWrite(t, c, Update{AccessToken: cae})
	pop := testAT("graph-pop", "User.Read Mail.Read", time.Hour)
	pop.TokenType = "pop"
	mustWrite(t, c, Update{AccessToken: pop})

	tests := []struct {
		name                     string
		home, env, realm, client string
		scopes                   []string
		tokenType                string
		cae                      bool
		want                     string // "" for a miss
	}{
		{"exact set", testHome, testEnv, testRealm, testClient, []string{"User.Read", "Mail.Read"}, "", false, "graph"},
		{"case and order", "UID1.UTID1", testEnv, "Organizations", testClient, []string{"mail.read user.read", "openid"}, "Bearer", false, "graph"},
		{"env alias", testHome, "login.windows.net", testRealm, testClient, []string{"User.Read Mail.Read"}, "", false, "graph"},
		{"subset", testHome, testEnv, testRealm, testClient, []string{"User.Read"}, "", false, "graph"},
		{".default of resource", testHome, testEnv, testRealm, testClient, []string{"https://management.azure.com/.default"}, "", false, "arm"},
		{".default other resource", testHome, testEnv, testRealm, testClient, []string{"https://vault.azure.net/.default"}, "", false, ""},
		{"superset misses", testHome, testEnv, testRealm, testClient, []string{"User.Read", "Files.Read"}, "", false, ""},
		{"other realm", testHome, testEnv, "contoso", testClient, []string{"User.Read"}, "", false, ""},
		{"other client", testHome, testEnv, testRealm, "other", []string{"User.Read"}, "", false, ""},
		{"other account", "uid2.utid1", testEnv, testRealm, testClient, []string{"User.Read"}, "", false, ""},
		{"other cloud", testHome, "login.microsoftonline.us", testRealm, testClient, []string{"User.Read"}, "", false, ""},
		{"cae apart", testHome, testEnv, testRealm, testClient, []string{"User.Read", "Mail.Read"}, "", true, "graph-cae"},
		{"token type apart", testHome, testEnv, testRealm, testClient, []string{"User.Read", "Mail.Read"}, "PoP", false, "graph-pop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := NewAccessTokenKey(tt.home, tt.env, tt.realm, tt.client, tt.scopes, tt.tokenType, tt.cae)
			got, ok := c.AccessToken(k)
			if ok != (tt.want != "") || got.Secret != tt.want {
				t.Errorf("AccessToken(%+v) = %q, %v; want %q", k, got.Secret, ok, tt.want)
			}
		})
	}
}

func TestAccessTokenExpiredNotReturnedAndEvicted(t *testing.T) {
	c := New(nil, nil)
	mustWrite(t, c, Update{AccessToken: testAT("old", "User.Read", -time.Second)})
	k := NewAccessTokenKey(testHome, testEnv, testRealm, testClient, []string{"User.Read"}, "", false)
	if at, ok := c.AccessToken(k); ok {
		t.Fatalf("AccessToken returned expired token %q", at.Secret)
	}
	// The first write of a cache sweeps (lastSweep is zero), so the
	// expired token is already gone.
	if n := c.Len().AccessTokens; n != 0 {
		t.Errorf("after a write, %d access tokens cached; want the expired one evicted", n)
	}
	c.lastSweep = time.Now() // the next writes are within a minute: no sweep
	mustWrite(t, c, Update{AccessToken: testAT("a", "A", -time.Second)})
	mustWrite(t, c, Update{AccessToken: testAT("b", "B", time.Hour)})
	if n := c.Len().AccessTokens; n != 2 {
		t.Fatalf("Len = %d, want 2 (no sweep within a minute)", n)
	}
	c.lastSweep = time.Time{}
	mustWrite(t, c, Update{AccessToken: testAT("c", "C", time.Hour)})
	if n := c.Len().AccessTokens; n != 2 {
		t.Errorf("after sweep Len = %d, want 2 (b and c)", n)
	}
}

func TestRequestedScopesAlias(t *testing.T) {
	c := New(nil, nil)
	at := testAT("tok", "https://management.azure.com/user_impersonation", time.Hour)
	mustWrite(t, c, Update{AccessToken: at, RequestedScopes: []string{"https://management.azure.com/.default", "openid", "offline_access"}})
	k := NewAccessTokenKey(testHome, testEnv, testRealm, testClient, []string{"https://management.azure.com/.default"}, "", false)
	if _, ok := c.alias[k]; !ok {
		t.Fatalf("no alias recorded for the requested scopes")
	}
	if got, ok := c.AccessToken(k); !ok || got.Secret != "tok" {
		t.Errorf("AccessToken(requested key) = %q, %v; want tok", got.Secret, ok)
	}
}

func TestWriteReplacesSameIdentity(t *testing.T) {
	c := New(nil, nil)
	for i := range 3 {
		mustWrite(t, c, Update{
			AccessToken:  testAT(fmt.Sprint("at", i), "User.Read", time.Hour),
			RefreshToken: &RefreshToken{HomeAccountID: testHome, Environment: testEnv, ClientID: testClient, Secret: fmt.Sprint("rt", i)},
			IDToken:      &IDToken{HomeAccountID: testHome, Environment: testEnv, Realm: testRealm, ClientID: testClient, Secret: "id"},
			Account:      &Account{HomeAccountID: testHome, Environment: testEnv, Realm: testRealm, Username: "u@example.com"},
			AppMetadata:  &AppMetadata{ClientID: testClient, Environment: testEnv},
		})
	}
	if got, want := c.Len(), (Counts{1, 1, 1, 1, 1}); got != want {
		t.Errorf("Len = %+v, want %+v", got, want)
	}
	rt, ok := c.RefreshToken(NewRefreshTokenKey(testHome, "login.windows.net", testClient, ""))
	if !ok || rt.Secret != "rt2" {
		t.Errorf("RefreshToken = %q, %v; want rt2", rt.Secret, ok)
	}
	if a, ok := c.Account(testHome, testEnv); !ok || a.AuthorityType != "MSSTS" {
		t.Errorf("Account = %+v, %v; want the account with authority_type MSSTS", a, ok)
	}
}

func TestFamilyRefreshTokenAndAccounts(t *testing.T) {
	c := New(nil, nil)
	other := "other-client"
	mustWrite(t, c, Update{
		RefreshToken: &RefreshToken{HomeAccountID: testHome, Environment: testEnv, ClientID: testClient, Secret: "frt", FamilyID: "1"},
		Account:      &Account{HomeAccountID: testHome, Environment: testEnv, Realm: "utid1", Username: "u@example.com"},
		AppMetadata:  &AppMetadata{ClientID: testClient, Environment: testEnv, FamilyID: "1"},
	})
	mustWrite(t, c, Update{AppMetadata: &AppMetadata{ClientID: other, Environment: testEnv, FamilyID: "1"}})
	mustWrite(t, c, Update{
		RefreshToken: &RefreshToken{HomeAccountID: "uid2.utid1", Environment: testEnv, ClientID: "third", Secret: "rt3"},
		Account:      &Account{HomeAccountID: "uid2.utid1", Environment: testEnv, Realm: "utid1", Username: "v@example.com"},
	})

	if rt, ok := c.RefreshToken(NewRefreshTokenKey(testHome, testEnv, other, "1")); !ok || rt.Secret != "frt" {
		t.Errorf("family lookup = %q, %v; want frt", rt.Secret, ok)
	}
	if _, ok := c.RefreshToken(NewRefreshTokenKey(testHome, testEnv, other, "")); ok {
		t.Errorf("client lookup for %s found a token it does not own", other)
	}
	for _, tc := range []struct {
		client string
		want   []string
	}{
		{testClient, []string{"u@example.com"}},
		{other, []string{"u@example.com"}}, // through the family
		{"third", []string{"v@example.com"}},
		{"nobody", nil},
		{"", []string{"u@example.com", "v@example.com"}},
	} {
		var got []string
		for _, a := range c.Accounts(testEnv, tc.client) {
			got = append(got, a.Username)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("Accounts(%q) = %v, want %v", tc.client, got, tc.want)
		}
	}
}

func TestRemoveAccount(t *testing.T) {
	c := New(nil, nil)
	for _, home := range []string{testHome, "uid2.utid1"} {
		at := testAT("at", "User.Read", time.Hour)
		at.HomeAccountID = home
		mustWrite(t, c, Update{
			AccessToken:  at,
			RefreshToken: &RefreshToken{HomeAccountID: home, Environment: testEnv, ClientID: testClient, Secret: "rt", FamilyID: "1"},
			IDToken:      &IDToken{HomeAccountID: home, Environment: testEnv, Realm: testRealm, ClientID: testClient, Secret: "id"},
			Account:      &Account{HomeAccountID: home, Environment: testEnv, Realm: testRealm, Username: home},
		})
	}
	// A family token written by another client of the family.
	mustWrite(t, c, Update{RefreshToken: &RefreshToken{HomeAccountID: testHome, Environment: testEnv, ClientID: "sibling", Secret: "srt", FamilyID: "1"}})

	if err := c.RemoveAccount(context.Background(), testHome, "login.windows.net", testClient); err != nil {
		t.Fatal(err)
	}
	if got, want := c.Len(), (Counts{1, 2, 1, 1, 0}); got != want { // the other account's refresh token: its client and family entries
		t.Errorf("after RemoveAccount Len = %+v, want %+v (only the other account left)", got, want)
	}
	if _, ok := c.RefreshToken(NewRefreshTokenKey(testHome, testEnv, "", "1")); ok {
		t.Errorf("family refresh token of the removed account still found")
	}
	if _, ok := c.RefreshToken(NewRefreshTokenKey("uid2.utid1", testEnv, "", "1")); !ok {
		t.Errorf("the other account's family refresh token was removed")
	}
}

func TestWriteRejectsTokenWithoutExpiry(t *testing.T) {
	c := New(nil, nil)
	at := testAT("x", "User.Read", time.Hour)
	at.ExpiresOn = time.Time{}
	if err := c.Write(context.Background(), Update{AccessToken: at}); err == nil {
		t.Fatal("Write accepted an access token without expiry")
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	c := New(nil, nil)
	mustWrite(t, c, Update{AccessToken: testAT("tok", "User.Read", time.Hour)})
	k := NewAccessTokenKey(testHome, testEnv, testRealm, testClient, []string{"User.Read"}, "", false)
	rk := NewRefreshTokenKey(testHome, testEnv, testClient, "")
	allocs := testing.AllocsPerRun(100, func() {
		if _, ok := c.AccessToken(k); !ok {
			panic("miss")
		}
		c.RefreshToken(rk)
	})
	if allocs != 0 {
		t.Errorf("AccessToken hit allocates %v times, want 0", allocs)
	}
}

func TestScopeKey(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want string
	}{
		{[]string{"B", "a", "openid", "profile offline_access", " a "}, "a b"},
		{[]string{"https://Graph.microsoft.com/.default"}, "https://graph.microsoft.com/.default"},
		{nil, ""},
	} {
		if got := ScopeKey(tt.in); got != tt.want {
			t.Errorf("ScopeKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A Hit stands only while the index it came from is current and its
// token is valid: any write, and the token's expiry, send the caller back
// to a lookup; the recheck itself allocates nothing. HitCurrent is the
// same test without the expiry.
func TestAccessTokenRecheck(t *testing.T) {
	k := NewAccessTokenKey(testHome, testEnv, testRealm, testClient, []string{"User.Read"}, "", false)
	now := time.Now()
	for _, tt := range []struct {
		name  string
		after func(t *testing.T, c *Cache)
		at    time.Time
		want  bool
		cur   bool // HitCurrent
	}{
		{"unchanged", func(*testing.T, *Cache) {}, now, true, true},
		{"expired", func(*testing.T, *Cache) {}, now.Add(2 * time.Hour), false, true},
		{"token replaced", func(t *testing.T, c *Cache) {
			mustWrite(t, c, Update{AccessToken: testAT("new", "User.Read", time.Hour)})
		}, now, false, false},
		{"other token written", func(t *testing.T, c *Cache) {
			mustWrite(t, c, Update{AccessToken: testAT("other", "Mail.Read", time.Hour)})
		}, now, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := New(nil, nil)
			mustWrite(t, c, Update{AccessToken: testAT("old", "User.Read", time.Hour)})
			h, ok := c.AccessTokenHit(k, now)
			if !ok {
				t.Fatal("AccessTokenHit missed a stored token")
			}
			tt.after(t, c)
			got, ok := c.AccessTokenRecheck(&h, tt.at)
			if ok != tt.want || (ok && got.Secret != "old") {
				t.Errorf("AccessTokenRecheck = %v, %v; want ok %v", got.Secret, ok, tt.want)
			}
			if cur := c.HitCurrent(&h); cur != tt.cur {
				t.Errorf("HitCurrent = %v; want %v", cur, tt.cur)
			}
		})
	}
	c := New(nil, nil)
	mustWrite(t, c, Update{AccessToken: testAT("tok", "User.Read", time.Hour)})
	h, _ := c.AccessTokenHit(k, now)
	if allocs := testing.AllocsPerRun(100, func() { c.AccessTokenRecheck(&h, now) }); allocs != 0 {
		t.Errorf("AccessTokenRecheck allocates %v times, want 0", allocs)
	}
	if _, ok := c.AccessTokenRecheck(&Hit{}, now); ok || c.HitCurrent(&Hit{}) {
		t.Error("the zero Hit rechecked as valid")
	}
}
