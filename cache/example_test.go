package cache_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/entraauth/entraauth/cache"
)

// An engine stores a token response once and finds its access token by a
// key built once per request.
func ExampleCache_AccessToken() {
	c := cache.New(nil, nil) // memory only
	err := c.Write(context.Background(), cache.Update{
		AccessToken: &cache.AccessToken{
			HomeAccountID: "uid.utid", Environment: "login.microsoftonline.com", Realm: "organizations",
			ClientID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", Secret: "eyJ0eXAi...",
			Target:    "https://management.azure.com/user_impersonation",
			ExpiresOn: time.Now().Add(time.Hour),
		},
		RequestedScopes: []string{"https://management.azure.com/.default"},
	})
	if err != nil {
		panic(err)
	}
	// Aliases of the cloud and any order or case of scopes find it.
	key := cache.NewAccessTokenKey("uid.utid", "login.windows.net", "organizations",
		"04b07795-8ddb-461a-bbee-02f9e1bf7b46", []string{"https://management.azure.com/.default", "openid"}, "", false)
	at, ok := c.AccessToken(key)
	fmt.Println(ok, at.Secret)
	// Output: true eyJ0eXAi...
}

// Tokens written by one run (or process) are found by the next.
func ExampleNewPlaintextFile() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "msal_token_cache.json")
	ctx := context.Background()

	store, err := cache.NewPlaintextFile(path, nil) // unencrypted: an explicit choice
	if err != nil {
		panic(err)
	}
	first := cache.New(store, nil)
	err = first.Write(ctx, cache.Update{
		RefreshToken: &cache.RefreshToken{HomeAccountID: "uid.utid", Environment: "login.microsoftonline.com",
			ClientID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", Secret: "0.AAAA...", FamilyID: "1"},
		Account: &cache.Account{HomeAccountID: "uid.utid", Environment: "login.microsoftonline.com",
			Realm: "utid", Username: "alice@contoso.example"},
	})
	if err != nil {
		panic(err)
	}

	next := cache.New(store, nil)
	if err := next.Sync(ctx); err != nil {
		panic(err)
	}
	for _, a := range next.Accounts("login.microsoftonline.com", "04b07795-8ddb-461a-bbee-02f9e1bf7b46") {
		fmt.Println(a.Username)
	}
	rt, _ := next.RefreshToken(cache.NewRefreshTokenKey("uid.utid", "login.microsoftonline.com", "", "1"))
	fmt.Println(rt.Secret)
	fi, _ := os.Stat(path)
	fmt.Println(fi.Mode().Perm())
	// Output:
	// alice@contoso.example
	// 0.AAAA...
	// -rw-------
}

// A corrupt cache file is left alone by reads and moved aside, intact, by
// the next change.
func ExampleError_corrupt() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "cache.json")
	os.WriteFile(path, []byte("{truncated"), 0o600)
	store, _ := cache.NewPlaintextFile(path, nil)
	c := cache.New(store, nil)

	err := c.Sync(context.Background())
	fmt.Println(errors.Is(err, cache.ErrCorrupt))

	err = c.Write(context.Background(), cache.Update{Account: &cache.Account{HomeAccountID: "u.t", Environment: "login.microsoftonline.com", Realm: "t"}})
	var cerr *cache.Error
	if errors.As(err, &cerr) && errors.Is(err, cache.ErrCorrupt) {
		kept, _ := os.ReadFile(cerr.Path)
		fmt.Printf("moved aside: %s\n", kept)
	}
	// Output:
	// true
	// moved aside: {truncated
}

// When the authority refuses a refresh token as revoked or expired, the
// engine removes it, naming the refused secret, so it is not redeemed on
// every call; the account's other entries stay.
func ExampleCache_RemoveRefreshToken() {
	ctx := context.Background()
	c := cache.New(nil, nil)
	client := "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
	err := c.Write(ctx, cache.Update{
		RefreshToken: &cache.RefreshToken{HomeAccountID: "uid.utid", Environment: "login.microsoftonline.com",
			ClientID: client, Secret: "0.AAAA-revoked"},
		Account: &cache.Account{HomeAccountID: "uid.utid", Environment: "login.microsoftonline.com",
			Realm: "utid", Username: "user@contoso.example"},
	})
	if err != nil {
		panic(err)
	}
	key := cache.NewRefreshTokenKey("uid.utid", "login.microsoftonline.com", client, "")
	rt, _ := c.RefreshToken(key)
	// ... the token endpoint answers invalid_grant (AADSTS50173) ...
	if err := c.RemoveRefreshToken(ctx, key, rt.Secret); err != nil {
		panic(err)
	}
	_, ok := c.RefreshToken(key)
	fmt.Printf("refresh token left: %v, entries: %+v\n", ok, c.Len())
	// Output: refresh token left: false, entries: {AccessTokens:0 RefreshTokens:0 IDTokens:0 Accounts:1 AppMetadata:0}
}

// RefreshTokens lists an account's refresh tokens newest first, so an
// engine redeems the newest and, when the authority refuses it (another
// writer rotated it), tries the next.
func ExampleCache_RefreshTokens() {
	c := cache.New(nil, nil)
	ctx := context.Background()
	for i, secret := range []string{"older", "newer"} {
		_ = c.Write(ctx, cache.Update{RefreshToken: &cache.RefreshToken{
			HomeAccountID: "uid.utid", Environment: "login.microsoftonline.com", ClientID: "client-" + secret,
			Secret: secret, FamilyID: "1", LastModified: time.Unix(1700000000+int64(i), 0),
		}})
	}
	for _, rt := range c.RefreshTokens("uid.utid", "login.windows.net", "client-older") {
		fmt.Println(rt.Secret)
	}
	// Output:
	// newer
	// older
}
