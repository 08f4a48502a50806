package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"testing/synctest"

	"github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
)

func TestAuthenticationRecordRoundTrip(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		c := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) { o.TenantID = "" }) // organizations
		rec, err := c.Authenticate(context.Background(), oauth.TokenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := oauth.AuthenticationRecord{
			Authority: "https://login.microsoftonline.com", ClientID: oauth.AzureCLIClientID,
			HomeAccountID: fa.DefaultUserObjectID + "." + fa.DefaultTenantID, TenantID: fa.DefaultTenantID,
			Username: fa.DefaultUsername, Version: "1.0",
		}
		if rec != want {
			t.Fatalf("record = %+v\nwant     %+v", rec, want)
		}
		if got := a.RequestsTo(fa.EndpointToken)[0].Params.Get("scope"); got != oauth.DefaultAuthenticateScope+" openid profile offline_access" {
			t.Errorf("default Authenticate scope = %q", got)
		}
		b, _ := json.Marshal(rec)
		var keys map[string]string
		_ = json.Unmarshal(b, &keys)
		wantKeys := []string{"authority", "clientId", "homeAccountId", "tenantId", "username", "version"}
		for _, k := range wantKeys {
			if _, ok := keys[k]; !ok || len(keys) != len(wantKeys) {
				t.Fatalf("record JSON %s lacks azidentity's key %q", b, k)
			}
		}
		// A new credential given the record (and the same cache) is silent.
		var back oauth.AuthenticationRecord
		if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, rec) {
			t.Fatalf("round trip: %+v, %v", back, err)
		}
		a.ResetLog()
		c2 := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) {
			o.TenantID, o.AuthenticationRecord, o.Cache = "", back, cacheOf(c)
			o.DisableAutomaticAuthentication = true
		})
		mustToken(t, c2, oauth.TokenOptions{Scopes: []string{graphScope}})
		if n := a.Count(fa.EndpointUserRealm); n != 0 {
			t.Errorf("the record's account signed in again")
		}
		// azure-identity (Python) writes a host-only authority.
		py := `{"authority":"login.microsoftonline.com","clientId":"` + oauth.AzureCLIClientID + `","homeAccountId":"` +
			rec.HomeAccountID + `","tenantId":"` + fa.DefaultTenantID + `","username":"` + fa.DefaultUsername + `","version":"1.0"}`
		var pyRec oauth.AuthenticationRecord
		if err := json.Unmarshal([]byte(py), &pyRec); err != nil {
			t.Fatal(err)
		}
		a.ResetLog()
		c3, err := engine.New("", &oauth.ClientOptions{HTTPClient: a.Client(), AuthenticationRecord: pyRec, Cache: cacheOf(c)})
		if err != nil {
			t.Fatal(err)
		}
		if c3.Authority().String() != "https://login.microsoftonline.com/"+fa.DefaultTenantID {
			t.Errorf("authority from a host-only record = %s", c3.Authority())
		}
		if _, err := c3.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{graphScope}}, nil); err != nil {
			t.Errorf("silent with azure-identity's record: %v", err)
		}
	})
}

func TestRecordForAnotherClient(t *testing.T) {
	_, err := engine.New(fa.NonFamilyClientID, &oauth.ClientOptions{AuthenticationRecord: oauth.AuthenticationRecord{ClientID: oauth.AzureCLIClientID, HomeAccountID: "u.t"}})
	if err == nil {
		t.Error("a record for another client was accepted")
	}
}

// A credential built from an AuthenticationRecord finds the access token
// that its sign-in through "organizations" cached, although the token is
// stored under realm "organizations" (as MSAL Python and Go store it) and
// the record names the tenant ID: no request at all, neither with the
// same cache nor in the next process (a new cache on the same file). A
// credential for another tenant is not served that token.
func TestRecordFindsOrganizationsToken(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		newCache := func() *cache.Cache { return fileCache(t, path) }
		shared := newCache()
		signIn := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) { o.TenantID, o.Cache = "", shared })
		rec, err := signIn.Authenticate(context.Background(), graph)
		if err != nil {
			t.Fatal(err)
		}
		orgKey := cache.NewAccessTokenKey(rec.HomeAccountID, "login.microsoftonline.com", oauth.TenantOrganizations, oauth.AzureCLIClientID, graph.Scopes, "", false)
		first, ok := shared.AccessToken(orgKey)
		if !ok || rec.TenantID != fa.DefaultTenantID {
			t.Fatalf("sign-in through organizations: token under realm organizations %v, record tenant %q", ok, rec.TenantID)
		}
		fromRecord := func(c *cache.Cache, tenant string) *engine.Client {
			client, err := engine.New("", &oauth.ClientOptions{HTTPClient: a.Client(), Cache: c, TenantID: tenant,
				AuthenticationRecord: rec, DisableAutomaticAuthentication: true})
			if err != nil {
				t.Fatal(err)
			}
			return client
		}
		for _, tc := range []struct {
			name  string
			cache *cache.Cache
		}{{"same cache", shared}, {"next process", newCache()}} {
			a.ResetLog()
			client := fromRecord(tc.cache, "")
			if got := client.Authority().Tenant; got != rec.TenantID {
				t.Errorf("%s: authority tenant %q, want the record's %q", tc.name, got, rec.TenantID)
			}
			tok, err := client.GetToken(context.Background(), graph, nil)
			if err != nil || tok.Token != first.Secret || len(a.Requests()) != 0 {
				t.Errorf("%s: GetToken = same token %v, err %v, %d requests (%v); want the cached token, no request",
					tc.name, tok.Token == first.Secret, err, len(a.Requests()), a.Counts())
			}
		}
		// The other way round: a token stored under the home tenant's ID
		// serves a request through organizations.
		a.ResetLog()
		arm := oauth.TokenOptions{Scopes: []string{armScope}}
		homeTok, err := fromRecord(shared, "").GetToken(context.Background(), arm, nil) // one refresh, stored under the tid
		if err != nil || a.Count(fa.EndpointToken) != 1 {
			t.Fatalf("refresh for ARM: %v, counts %v", err, a.Counts())
		}
		a.ResetLog()
		if tok := mustToken(t, signIn, arm); tok.Token != homeTok.Token || len(a.Requests()) != 0 {
			t.Errorf("organizations credential: same token %v, %d requests; want the home tenant's token, no request",
				tok.Token == homeTok.Token, len(a.Requests()))
		}
		// An explicit other tenant keeps its own tokens.
		a.ResetLog()
		_, _ = fromRecord(shared, fa.SecondTenantID).GetToken(context.Background(), graph, nil)
		if reqs := a.RequestsTo(fa.EndpointToken); len(reqs) != 1 || reqs[0].Tenant != fa.SecondTenantID {
			t.Errorf("explicit tenant %s: %d token requests, want one to that tenant (the organizations token is the home tenant's)",
				fa.SecondTenantID, len(reqs))
		}
	})
}

// failingStorage is a cache storage whose writes fail (a full disk, a
// locked keyring).
type failingStorage struct{ writes int }

var errDiskFull = errors.New("test storage: disk full")

func (f *failingStorage) Lock(context.Context) (func() error, error) {
	return func() error { return nil }, nil
}
func (f *failingStorage) Read(context.Context) ([]byte, error) { return nil, nil }
func (f *failingStorage) Write(context.Context, []byte) error {
	f.writes++
	return errDiskFull
}

// Authenticate is the durable sign-in: when the cache cannot be persisted
// it says so (with the record, and the tokens usable in this process);
// GetToken returns its token regardless.
func TestAuthenticateCacheNotPersisted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		st := &failingStorage{}
		c := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) { o.Cache = cache.New(st, nil) })
		rec, err := c.Authenticate(context.Background(), graph)
		if !errors.Is(err, cache.ErrNotPersisted) || !errors.Is(err, errDiskFull) || st.writes == 0 {
			t.Fatalf("Authenticate with a failing storage: err = %v (%d writes); want ErrNotPersisted wrapping the storage's error", err, st.writes)
		}
		if rec.HomeAccountID != fa.DefaultUserObjectID+"."+fa.DefaultTenantID || rec.Username != fa.DefaultUsername {
			t.Errorf("record returned with the error = %+v", rec)
		}
		a.ResetLog()
		mustToken(t, c, graph) // the tokens are in memory
		if n := len(a.Requests()); n != 0 {
			t.Errorf("GetToken after Authenticate: %d requests, want none (tokens kept in memory)", n)
		}

		st2 := &failingStorage{}
		g := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) { o.Cache = cache.New(st2, nil) })
		if tok, err := g.GetToken(context.Background(), graph); err != nil || tok.Token == "" || st2.writes == 0 {
			t.Errorf("GetToken with a failing storage: %v (%d writes); want the token", err, st2.writes)
		}

		ok := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) { o.Cache = cache.New(&memStorage{}, nil) })
		if _, err := ok.Authenticate(context.Background(), graph); err != nil {
			t.Errorf("Authenticate with a working storage: %v", err)
		}
	})
}

// memStorage is a working cache storage in memory.
type memStorage struct{ data []byte }

func (m *memStorage) Lock(context.Context) (func() error, error) {
	return func() error { return nil }, nil
}
func (m *memStorage) Read(context.Context) ([]byte, error) { return m.data, nil }
func (m *memStorage) Write(_ context.Context, d []byte) error {
	m.data = append([]byte(nil), d...)
	return nil
}
