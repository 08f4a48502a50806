package cache

import (
	"slices"
	"strings"
)

// reservedScopes are the OpenID Connect scopes the engine adds to every
// request. Entra may or may not echo them in "scope", so they never take
// part in an access token's scope key.
var reservedScopes = [...]string{"openid", "profile", "offline_access"}

// ScopeKey returns the canonical form of a scope set: each scope trimmed
// and lower-cased (Entra and every MSAL compare scopes case-insensitively),
// the OIDC scopes openid, profile and offline_access dropped, duplicates
// removed, sorted, joined with single spaces.
//
// The cache builds scope keys itself (in [NewAccessTokenKey] and when it
// indexes a token's "target"), so callers never need to sort scopes; call
// ScopeKey only to build an [AccessTokenKey] by hand. It allocates; build a
// key once per distinct request and reuse it on the hot path.
func ScopeKey(scopes []string) string {
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		for f := range strings.FieldsSeq(s) {
			f = strings.ToLower(f)
			if !slices.Contains(reservedScopes[:], f) {
				out = append(out, f)
			}
		}
	}
	slices.Sort(out)
	return strings.Join(slices.Compact(out), " ")
}

// aliasGroups lists the authority hosts Entra treats as one cloud, first
// the one the cache indexes by. They are the hosts of Microsoft's
// instance-discovery metadata that MSAL also hard-codes.
var aliasGroups = [][]string{
	{"login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"},
	{"login.partner.microsoftonline.cn", "login.chinacloudapi.cn"},
	{"login.microsoftonline.de"},
	{"login.microsoftonline.us", "login.usgovcloudapi.net"},
	{"login-us.microsoftonline.com"},
	{"login.windows-ppe.net", "sts.windows-ppe.net", "login.microsoft-ppe.com"},
}

// CanonicalEnvironment returns the host the cache indexes env under: the
// first alias of env's cloud (for example "login.windows.net" becomes
// "login.microsoftonline.com"), or env lower-cased when it is not a known
// Microsoft host (a fake authority, a sovereign cloud added later).
func CanonicalEnvironment(env string) string {
	env = strings.ToLower(strings.TrimSpace(env))
	for _, g := range aliasGroups {
		if slices.Contains(g, env) {
			return g[0]
		}
	}
	return env
}

// AccessTokenKey identifies an access token in the index. It is a
// comparable struct so a lookup is one map access: build it once with
// [NewAccessTokenKey] (which normalizes every field) and reuse it; a
// lookup with a key built by hand finds nothing unless its fields are
// already normalized the same way.
type AccessTokenKey struct {
	HomeAccountID string // "uid.utid", lower-cased
	Environment   string // CanonicalEnvironment of the authority host
	Realm         string // tenant (ID or name) the token was issued in, lower-cased
	ClientID      string // application ID, lower-cased
	Scopes        string // ScopeKey of the requested scopes
	TokenType     string // lower-cased; "" for Bearer
	CAE           bool   // token issued to a CAE-capable client ("cp1")
}

// NewAccessTokenKey builds a normalized [AccessTokenKey]. tokenType "" or
// any case of "Bearer" means a bearer token.
func NewAccessTokenKey(homeAccountID, environment, realm, clientID string, scopes []string, tokenType string, cae bool) AccessTokenKey {
	return AccessTokenKey{
		HomeAccountID: strings.ToLower(homeAccountID),
		Environment:   CanonicalEnvironment(environment),
		Realm:         strings.ToLower(realm),
		ClientID:      strings.ToLower(clientID),
		Scopes:        ScopeKey(scopes),
		TokenType:     normTokenType(tokenType),
		CAE:           cae,
	}
}

func normTokenType(t string) string {
	if strings.EqualFold(t, "bearer") {
		return ""
	}
	return strings.ToLower(t)
}

// RefreshTokenKey identifies a refresh token: by client when FamilyID is
// empty, else by family (Microsoft's first-party apps share family "1",
// so any of them can redeem the others' refresh tokens). ClientID is then
// ignored. Build it with [NewRefreshTokenKey].
type RefreshTokenKey struct {
	HomeAccountID string
	Environment   string
	ClientID      string
	FamilyID      string
}

// NewRefreshTokenKey builds a normalized [RefreshTokenKey]. Pass familyID
// "" to look up the client's own refresh token, "1" for the family one.
func NewRefreshTokenKey(homeAccountID, environment, clientID, familyID string) RefreshTokenKey {
	k := RefreshTokenKey{
		HomeAccountID: strings.ToLower(homeAccountID),
		Environment:   CanonicalEnvironment(environment),
		FamilyID:      strings.ToLower(familyID),
	}
	if k.FamilyID == "" {
		k.ClientID = strings.ToLower(clientID)
	}
	return k
}

// idKey, accountKey and appKey are the index keys of the other sections.
type idKey struct{ home, env, realm, client string }
type accountKey struct{ home, env, realm string }
type appKey struct{ env, client string }

// bucketKey groups access tokens that differ only by scopes, for the
// subset-match fallback of [Cache.AccessToken].
type bucketKey struct {
	home, env, realm, client, tokenType string
	cae                                 bool
}

func (k AccessTokenKey) bucket() bucketKey {
	return bucketKey{k.HomeAccountID, k.Environment, k.Realm, k.ClientID, k.TokenType, k.CAE}
}
