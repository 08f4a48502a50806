package oauth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidClientInfo is matched (errors.Is) by every error
// ParseClientInfo returns.
var ErrInvalidClientInfo = errors.New("oauth: invalid client_info")

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

// ParseClientInfo decodes raw, base64url with or without padding (standard
// base64 is accepted too), into a ClientInfo. uid is required.
func ParseClientInfo(raw string) (ClientInfo, error) {
	if len(raw) > 8<<10 {
		return ClientInfo{}, fmt.Errorf("%w: %d bytes is too long", ErrInvalidClientInfo, len(raw))
	}
	s := strings.TrimRight(strings.TrimSpace(raw), "=")
	s = strings.NewReplacer("+", "-", "/", "_").Replace(s)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return ClientInfo{}, fmt.Errorf("%w: not base64url", ErrInvalidClientInfo)
	}
	var ci ClientInfo
	if err := json.Unmarshal(b, &ci); err != nil {
		return ClientInfo{}, fmt.Errorf("%w: not a JSON object of strings", ErrInvalidClientInfo)
	}
	if ci.UID == "" {
		return ClientInfo{}, fmt.Errorf("%w: uid is missing", ErrInvalidClientInfo)
	}
	if strings.ContainsAny(ci.UID+ci.UTID, ". \t\r\n") {
		return ClientInfo{}, fmt.Errorf("%w: uid or utid has a separator character", ErrInvalidClientInfo)
	}
	return ci, nil
}

// accountFor builds the Account of a token result: home account ID from
// client_info (else the ID token's sub, as for AD FS), realm and names
// from the validated ID token claims.
func accountFor(environment, clientInfo string, claims *IDTokenClaims) (Account, error) {
	a := Account{Environment: environment}
	if clientInfo != "" {
		ci, err := ParseClientInfo(clientInfo)
		if err != nil {
			return Account{}, err
		}
		a.HomeAccountID = ci.HomeAccountID()
	}
	if claims != nil {
		a.Realm = claims.TenantID
		a.Username = claims.Username()
		a.LocalAccountID = claims.ObjectID
		if a.LocalAccountID == "" {
			a.LocalAccountID = claims.Subject
		}
		if a.HomeAccountID == "" {
			a.HomeAccountID = claims.Subject
		}
	}
	return a, nil
}
