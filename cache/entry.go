package cache

import (
	"encoding/json"
	"strings"
	"time"
)

// The credential_type values of the unified schema.
const (
	credAccessToken  = "AccessToken"
	credRefreshToken = "RefreshToken"
	credIDToken      = "IdToken"
)

// AccessToken is an "AccessToken" entry of MSAL's unified cache schema.
// Times are the schema's unix-second strings, parsed. Fields this package
// does not know are kept and written back unchanged.
type AccessToken struct {
	HomeAccountID     string    // home_account_id: "uid.utid"
	Environment       string    // environment: the authority host
	Realm             string    // realm: the tenant the token was issued in
	ClientID          string    // client_id
	Secret            string    // secret: the access token itself
	Target            string    // target: granted scopes, space-separated
	TokenType         string    // token_type: "Bearer" when empty
	CachedAt          time.Time // cached_at
	ExpiresOn         time.Time // expires_on
	ExtendedExpiresOn time.Time // extended_expires_on
	RefreshOn         time.Time // refresh_on: zero when the server sent no refresh_in
	// CAE marks a token issued to a client that declared the "cp1"
	// capability. It is persisted as "entraauth_cae", which other MSAL
	// readers ignore: keep CAE and non-CAE tokens in separate storages
	// (as azidentity does with its ".cae" caches) when sharing a cache
	// with them.
	CAE bool
	// KeyID is key_id: the key a token type such as "ssh-cert" is bound
	// to. MSAL Python stores it on the entry and a silent request for such
	// a token matches on it (AzureAD/microsoft-authentication-library-for-python,
	// msal/token_cache.py and msal/application.py). Empty for bearer tokens.
	KeyID string

	key   string                     // key in the AccessToken section
	extra map[string]json.RawMessage // unknown fields, kept verbatim
}

// RefreshToken is a "RefreshToken" entry.
type RefreshToken struct {
	HomeAccountID string // home_account_id
	Environment   string // environment
	ClientID      string // client_id
	Secret        string // secret: the refresh token
	FamilyID      string // family_id: "1" for Microsoft's family of client IDs
	Target        string // target: scopes (MSAL Python writes it; optional)
	// LastModified is last_modification_time, when the token was stored
	// (MSAL Python writes it; [Cache.Write] sets it when zero). Among an
	// account's refresh tokens the newest is redeemed first.
	LastModified time.Time

	key      string
	extra    map[string]json.RawMessage
	seen     uint64    // the load (or write) of this process that first saw it
	observed time.Time // when this process first saw it, when not at the first load
}

// IDToken is an "IdToken" entry.
type IDToken struct {
	HomeAccountID string // home_account_id
	Environment   string // environment
	Realm         string // realm
	ClientID      string // client_id
	Secret        string // secret: the raw ID token (a JWT)

	key   string
	extra map[string]json.RawMessage
}

// Account is an "Account" entry.
type Account struct {
	HomeAccountID  string // home_account_id
	Environment    string // environment
	Realm          string // realm
	LocalAccountID string // local_account_id: oid, else sub
	Username       string // username: preferred_username, else upn
	AuthorityType  string // authority_type: "MSSTS" for Entra ID, "ADFS"
	Name           string // name (optional)
	ClientInfo     string // client_info (optional, as received)

	key   string
	extra map[string]json.RawMessage
}

// AppMetadata is an "AppMetadata" entry: whether a client belongs to a
// family of client IDs.
type AppMetadata struct {
	ClientID    string // client_id
	Environment string // environment
	FamilyID    string // family_id: "" when not in a family

	key   string
	extra map[string]json.RawMessage
}

// Keys of the unified schema, lower-cased and joined with "-": MSAL Go's
// form for access and ID tokens, accounts and app metadata (so MSAL Go
// writing the same token replaces our entry instead of adding a second
// copy), MSAL .NET's for refresh tokens (see rtClientKey). Readers match
// on field values, never keys.

func (t *AccessToken) storeKey() string {
	parts := []string{t.HomeAccountID, t.Environment, "accesstoken", t.ClientID, t.Realm, t.Target}
	if tt := normTokenType(t.TokenType); tt != "" {
		parts = append(parts, tt)
	}
	if t.CAE {
		parts = append(parts, "cae")
	}
	return strings.ToLower(strings.Join(parts, "-"))
}

func (t *RefreshToken) storeKey() string {
	return rtClientKey(t.HomeAccountID, t.Environment, t.ClientID)
}

func (t *IDToken) storeKey() string {
	return strings.ToLower(strings.Join([]string{t.HomeAccountID, t.Environment, "idtoken", t.ClientID, t.Realm}, "-"))
}

func (a *Account) storeKey() string {
	return strings.ToLower(strings.Join([]string{a.HomeAccountID, a.Environment, a.Realm}, "-"))
}

func (m *AppMetadata) storeKey() string {
	return strings.ToLower(strings.Join([]string{"appmetadata", m.Environment, m.ClientID}, "-"))
}

// indexKey is the key the access token is found under by its own target.
func (t *AccessToken) indexKey() AccessTokenKey {
	return AccessTokenKey{
		HomeAccountID: strings.ToLower(t.HomeAccountID),
		Environment:   CanonicalEnvironment(t.Environment),
		Realm:         strings.ToLower(t.Realm),
		ClientID:      strings.ToLower(t.ClientID),
		Scopes:        ScopeKey([]string{t.Target}),
		TokenType:     normTokenType(t.TokenType),
		CAE:           t.CAE,
	}
}

func (t *RefreshToken) clientKey() RefreshTokenKey {
	return NewRefreshTokenKey(t.HomeAccountID, t.Environment, t.ClientID, "")
}

func (t *RefreshToken) familyKey() (RefreshTokenKey, bool) {
	if t.FamilyID == "" {
		return RefreshTokenKey{}, false
	}
	return NewRefreshTokenKey(t.HomeAccountID, t.Environment, "", t.FamilyID), true
}

func (t *IDToken) indexKey() idKey {
	return idKey{strings.ToLower(t.HomeAccountID), CanonicalEnvironment(t.Environment), strings.ToLower(t.Realm), strings.ToLower(t.ClientID)}
}

func (a *Account) indexKey() accountKey {
	return accountKey{strings.ToLower(a.HomeAccountID), CanonicalEnvironment(a.Environment), strings.ToLower(a.Realm)}
}

func (m *AppMetadata) indexKey() appKey {
	return appKey{CanonicalEnvironment(m.Environment), strings.ToLower(m.ClientID)}
}
