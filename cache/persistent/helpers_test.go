package persistent

import (
	"context"
	"testing"
	"time"

	"github.com/entraauth/entraauth/cache"
)

// The account every test token belongs to.
const (
	testHome   = "uid1.utid1"
	testEnv    = "login.microsoftonline.com"
	testRealm  = "organizations"
	testClient = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
)

// testAT is an access token of the test account for target, valid ttl.
func testAT(secret, target string, ttl time.Duration) *cache.AccessToken {
	now := time.Now()
	return &cache.AccessToken{
		HomeAccountID: testHome, Environment: testEnv, Realm: testRealm, ClientID: testClient,
		Secret: secret, Target: target, TokenType: "Bearer",
		CachedAt: now, ExpiresOn: now.Add(ttl), ExtendedExpiresOn: now.Add(2 * ttl),
	}
}

// atKey is the lookup key of the test account's token for scope.
func atKey(scope string) cache.AccessTokenKey {
	return cache.NewAccessTokenKey(testHome, testEnv, testRealm, testClient, []string{scope}, "", false)
}

func mustWrite(t *testing.T, c *cache.Cache, u cache.Update) {
	t.Helper()
	if err := c.Write(context.Background(), u); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
