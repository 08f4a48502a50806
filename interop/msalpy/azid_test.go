package msalpy

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/cache/persistent"
	"github.com/entraauth/entraauth/oauth"
)

// azidName is the cache name both sides give: azure-identity's
// TokenCachePersistenceOptions(name=..., allow_unencrypted_storage=True)
// and our persistent.Options{Name, AllowUnencryptedStorage}.
const azidName = "entraauth-interop.cache"

// azidCache makes our side open the named persistent cache as
// azure-identity does, with HOME at e.home and no Secret Service on
// either side: both fall back to ~/.IdentityService/<name>, which is then
// the shared file. It returns the name.
func (e *env) azidCache() string {
	e.cache = filepath.Join(e.home, ".IdentityService", azidName)
	e.persistent = &persistent.Options{Name: azidName, AllowUnencryptedStorage: true,
		Dir: filepath.Join(e.home, ".IdentityService"), BusAddress: noBus}
	return azidName
}

// TestPersistentStorageIsAzureIdentityFile: with no Secret Service our
// named cache is the plaintext file azure-identity falls back to.
func TestPersistentStorageIsAzureIdentityFile(t *testing.T) {
	e := newEnv(t, nil)
	e.azidCache()
	st, err := persistent.New(t.Context(), e.persistent)
	if err != nil {
		t.Fatal(err)
	}
	fs, ok := st.(*cache.FileStorage)
	if !ok || fs.Path() != e.cache {
		t.Fatalf("persistent.New = %T %v, want the plaintext file %s", st, st, e.cache)
	}
}

// TestAzureIdentitySignInThenOurs: azure-identity signs in (password,
// device code) with its persisted cache and serializes its
// AuthenticationRecord; our library reads that record and that file: the
// token with no request, a refresh for a new scope; azure-identity then
// serves our refreshed token with no request and refreshes after us.
func TestAzureIdentitySignInThenOurs(t *testing.T) {
	for _, flow := range []string{"password", "devicecode"} {
		t.Run(flow, func(t *testing.T) {
			e := newEnv(t, nil)
			name := e.azidCache()
			res := e.py("azid_signin.py", map[string]any{"name": name, "flow": flow})
			azTok := e.token("azure-identity sign-in", res)
			var rec oauth.AuthenticationRecord
			if err := json.Unmarshal([]byte(res["record"].(string)), &rec); err != nil {
				t.Fatalf("azure-identity's record %v: %v", res["record"], err)
			}
			e.fa.ResetLog()
			ours := e.ourSilent(rec)
			if got := e.get(ours, "ours with azure-identity's record and cache"); got != azTok {
				t.Error("ours returned another token than the one azure-identity cached")
			}
			e.wantTokenRequests("ours silent after azure-identity's sign-in", 0)
			vault, err := ours.GetToken(t.Context(), oauth.TokenOptions{Scopes: []string{vaultScope}}, nil)
			if err != nil {
				t.Fatalf("ours refreshing with azure-identity's refresh token: %v", err)
			}
			e.wantTokenRequests("ours refreshing for a new scope", 1)
			e.fa.ResetLog()
			back := e.py("azid_silent.py", map[string]any{"name": name, "record": res["record"], "scopes": []string{vaultScope}})
			if got := e.token("azure-identity silent after our refresh", back); got != vault.Token {
				t.Error("azure-identity returned another token than the one we cached")
			}
			e.wantTokenRequests("azure-identity silent after our refresh", 0)
			e.token("azure-identity refreshing after us", e.py("azid_silent.py",
				map[string]any{"name": name, "record": res["record"], "scopes": []string{storageScope}}))
			e.wantTokenRequests("azure-identity refreshing after us", 1)
		})
	}
}

// TestOursSignInThenAzureIdentity: our library signs in into
// azure-identity's persisted cache file and serializes our
// AuthenticationRecord; azure-identity deserializes it and serves the
// token from the file with no request, then refreshes with our refresh
// token for a new scope.
func TestOursSignInThenAzureIdentity(t *testing.T) {
	e := newEnv(t, nil)
	name := e.azidCache()
	cred := e.ourPassword()
	rec, err := cred.Authenticate(t.Context(), oauth.TokenOptions{Scopes: []string{armScope}})
	if err != nil {
		t.Fatal(err)
	}
	ours := e.get(e.ourSilent(rec), "ours silent after our sign-in")
	recJSON, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	e.fa.ResetLog()
	res := e.py("azid_silent.py", map[string]any{"name": name, "record": string(recJSON)})
	if got := e.token("azure-identity with our record", res); got != ours {
		t.Error("azure-identity returned another token than the one we cached")
	}
	e.wantTokenRequests("azure-identity silent with our record", 0)
	e.token("azure-identity refreshing with our refresh token", e.py("azid_silent.py",
		map[string]any{"name": name, "record": string(recJSON), "scopes": []string{vaultScope}}))
	e.wantTokenRequests("azure-identity refreshing with our refresh token", 1)
}
