package engine

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/entraauth/entraauth/oauth"
)

// ClientInfo is the decoded "client_info" of a token response: the user's
// object ID and home tenant.
type ClientInfo struct {
	UID  string `json:"uid"`
	UTID string `json:"utid"`
}

// HomeAccountID returns "uid.utid", or uid alone when utid is empty (as
// MSAL does).
func (c ClientInfo) HomeAccountID() string {
	if c.UTID == "" {
		return c.UID
	}
	return c.UID + "." + c.UTID
}

// stdToURLBase64 turns standard base64's alphabet into base64url's; a
// Replacer is safe for concurrent use, so one serves every call.
var stdToURLBase64 = strings.NewReplacer("+", "-", "/", "_")

// ParseClientInfo decodes raw, base64url with or without padding (standard
// base64 is accepted too), into a ClientInfo. uid is required.
func ParseClientInfo(raw string) (ClientInfo, error) {
	if len(raw) > 8<<10 {
		return ClientInfo{}, fmt.Errorf("%w: %d bytes is too long", oauth.ErrInvalidClientInfo, len(raw))
	}
	s := strings.TrimRight(strings.TrimSpace(raw), "=")
	if strings.ContainsAny(s, "+/") {
		s = stdToURLBase64.Replace(s)
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return ClientInfo{}, fmt.Errorf("%w: not base64url", oauth.ErrInvalidClientInfo)
	}
	var ci ClientInfo
	if err := json.Unmarshal(b, &ci); err != nil {
		return ClientInfo{}, fmt.Errorf("%w: not a JSON object of strings", oauth.ErrInvalidClientInfo)
	}
	if ci.UID == "" {
		return ClientInfo{}, fmt.Errorf("%w: uid is missing", oauth.ErrInvalidClientInfo)
	}
	if strings.ContainsAny(ci.UID+ci.UTID, ". \t\r\n") {
		return ClientInfo{}, fmt.Errorf("%w: uid or utid has a separator character", oauth.ErrInvalidClientInfo)
	}
	return ci, nil
}

func accountMismatch(what string) *oauth.Error {
	return &oauth.Error{Endpoint: "token", Code: "account_mismatch", Description: what, Err: oauth.ErrAccountMismatch}
}

// accountFor builds the Account of a token result from its verified ID
// token claims. The home account ID comes from client_info only where the
// signed token vouches for it: for a token of the user's home tenant (tid
// equal to utid, every sign-in through organizations, common or consumers)
// uid must be the token's oid; for a guest token of another tenant the
// token's idp must name utid's tenant and a home_oid, when present, must
// be uid. Anything else is refused: the tokens would otherwise be filed
// under an account the authority did not sign for. Without client_info
// (AD FS) the home account ID is sub.
func accountFor(auth Authority, clientInfo string, cl *IDTokenClaims) (oauth.Account, error) {
	a := oauth.Account{Environment: auth.Host, Realm: cl.TenantID, Username: cl.Username(), LocalAccountID: cl.ObjectID}
	if a.LocalAccountID == "" {
		a.LocalAccountID = cl.Subject
	}
	if clientInfo == "" || auth.IsADFS() {
		// AD FS sends no client_info; anything there is unsigned.
		a.HomeAccountID = cl.Subject
		return a, nil
	}
	ci, err := ParseClientInfo(clientInfo)
	if err != nil {
		return oauth.Account{}, &oauth.Error{Endpoint: "token", Code: "invalid_response", Description: "unreadable client_info", Err: err}
	}
	switch {
	case ci.UTID == "":
		return oauth.Account{}, accountMismatch("client_info has no utid")
	case strings.EqualFold(ci.UTID, cl.TenantID):
		if !strings.EqualFold(ci.UID, cl.ObjectID) {
			return oauth.Account{}, accountMismatch("client_info uid is not the ID token's oid")
		}
	case auth.IsTenantIndependent():
		return oauth.Account{}, accountMismatch("client_info utid is not the ID token's tid")
	default:
		if !idpNamesTenant(cl.IdentityProvider, ci.UTID) {
			return oauth.Account{}, accountMismatch("guest token: idp does not name client_info's home tenant")
		}
		if cl.HomeObjectID != "" && !strings.EqualFold(cl.HomeObjectID, ci.UID) {
			return oauth.Account{}, accountMismatch("guest token: home_oid is not client_info's uid")
		}
	}
	a.HomeAccountID = ci.HomeAccountID()
	return a, nil
}

// idpNamesTenant reports whether an idp claim names tenant: Entra writes
// https://sts.windows.net/{tid}/ (or a v2.0 issuer URL) for a guest from
// another Entra tenant, and live.com for a personal Microsoft account.
func idpNamesTenant(idp, tenant string) bool {
	if idp == "" || !IsGUID(tenant) {
		return false
	}
	if strings.EqualFold(tenant, oauth.MSATenantID) && strings.EqualFold(idp, "live.com") {
		return true
	}
	u, err := url.Parse(idp)
	if err != nil || u.Scheme != "https" {
		return false
	}
	seg, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	return strings.EqualFold(seg, tenant)
}
