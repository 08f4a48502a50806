package engine

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/entraauth/entraauth/oauth"
)

const (
	maxIDTokenLen = 64 << 10         // a JWT larger than this is refused before parsing
	clockSkew     = 5 * time.Minute  // allowed skew for exp, nbf and iat
	maxIDTokenAge = 24 * time.Hour   // an iat older than this is refused
	keysMinRetry  = 30 * time.Second // unknown-kid refetches are at most this often
)

// IDTokenClaims are the ID-token claims this package reads.
type IDTokenClaims struct {
	Issuer            string    // iss
	Subject           string    // sub
	Audience          []string  // aud (a string or an array on the wire)
	AuthorizedParty   string    // azp
	TenantID          string    // tid
	ObjectID          string    // oid
	PreferredUsername string    // preferred_username
	UPN               string    // upn
	Name              string    // name
	Nonce             string    // nonce
	Version           string    // ver
	IdentityProvider  string    // idp (a guest's home identity provider)
	HomeObjectID      string    // home_oid (a guest's object ID in its home tenant)
	IssuedAt          time.Time // iat
	NotBefore         time.Time // nbf (zero when absent)
	Expiry            time.Time // exp
}

// Username returns preferred_username, else upn.
func (c *IDTokenClaims) Username() string {
	if c.PreferredUsername != "" {
		return c.PreferredUsername
	}
	return c.UPN
}

type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' { // b is one JSON value, checked by the decoder
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = audience{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return errors.New("aud is neither a string nor an array of strings")
	}
	*a = l
	return nil
}

// numericDate is an RFC 7519 NumericDate: a JSON number (int or float);
// strings are refused.
type numericDate struct {
	t   time.Time
	set bool
}

func (d *numericDate) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	// b is one JSON value, checked by the decoder: a number starts with
	// '-' or a digit, and then ParseFloat reads the JSON number grammar.
	if len(b) == 0 || (b[0] != '-' && (b[0] < '0' || b[0] > '9')) {
		return errors.New("time claim is not a number")
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return errors.New("time claim is not a number")
	}
	if f < 0 || f > 1e11 {
		return errors.New("time claim out of range")
	}
	sec := int64(f)
	d.t, d.set = time.Unix(sec, int64((f-float64(sec))*1e9)), true
	return nil
}

type claimsJSON struct {
	Iss   string      `json:"iss"`
	Sub   string      `json:"sub"`
	Aud   audience    `json:"aud"`
	Azp   string      `json:"azp"`
	Tid   string      `json:"tid"`
	Oid   string      `json:"oid"`
	PU    string      `json:"preferred_username"`
	UPN   string      `json:"upn"`
	Name  string      `json:"name"`
	Nonce string      `json:"nonce"`
	Ver   string      `json:"ver"`
	Idp   string      `json:"idp"`
	HOid  string      `json:"home_oid"`
	Iat   numericDate `json:"iat"`
	Nbf   numericDate `json:"nbf"`
	Exp   numericDate `json:"exp"`
}

// ParseIDTokenClaims parses a decoded ID-token payload with strict types:
// aud a string or an array of strings, times JSON numbers, exp and iat
// present. It does not validate values; [Client] does that after checking
// the signature.
func ParseIDTokenClaims(payload []byte) (*IDTokenClaims, error) {
	var cj claimsJSON
	if err := json.Unmarshal(payload, &cj); err != nil {
		return nil, idTokenError("claims are not a JSON object of the expected types")
	}
	if !cj.Exp.set {
		return nil, idTokenError("exp is missing")
	}
	if !cj.Iat.set {
		return nil, idTokenError("iat is missing")
	}
	return &IDTokenClaims{
		Issuer: cj.Iss, Subject: cj.Sub, Audience: cj.Aud, AuthorizedParty: cj.Azp,
		TenantID: cj.Tid, ObjectID: cj.Oid, PreferredUsername: cj.PU, UPN: cj.UPN,
		Name: cj.Name, Nonce: cj.Nonce, Version: cj.Ver, IdentityProvider: cj.Idp, HomeObjectID: cj.HOid,
		IssuedAt: cj.Iat.t, NotBefore: cj.Nbf.t, Expiry: cj.Exp.t,
	}, nil
}

func idTokenError(what string) *oauth.Error {
	return &oauth.Error{Endpoint: "token", Code: "invalid_id_token", Description: "ID token rejected: " + what}
}

// verifyIDToken checks raw's signature against the authority's key set,
// then iss (per tid for tenant-independent authorities), aud/azp, exp, nbf
// and iat within clockSkew, sub, and nonce when one was sent.
func (c *Client) verifyIDToken(ctx context.Context, raw string, auth Authority, nonce string) (*IDTokenClaims, error) {
	// One parse: the signature is checked on this JWS and its payload
	// decoded once into the claims (RFC 7515 section 5.2).
	jws, err := parseJWS(raw)
	if err != nil {
		return nil, err
	}
	payload, err := c.keySet(c.endpoints(auth).Keys).verifySignature(ctx, jws)
	if err != nil {
		return nil, err
	}
	claims, err := ParseIDTokenClaims(payload)
	if err != nil {
		return nil, err
	}
	if isDomainTenant(auth) {
		// The token names its tenant by GUID: pin tid to the domain's.
		guid, err := c.tenantGUID(ctx, auth)
		if err != nil {
			return nil, err
		}
		auth.Tenant = guid
	}
	if err := checkClaims(claims, auth, c.clientID, nonce, time.Now()); err != nil {
		return nil, err
	}
	return claims, nil
}

// checkClaims validates a signature-checked token's claims.
func checkClaims(cl *IDTokenClaims, auth Authority, clientID, nonce string, now time.Time) error {
	if cl.Subject == "" {
		return idTokenError("sub is missing")
	}
	if err := checkAudience(cl, clientID); err != nil {
		return err
	}
	if err := checkIssuer(cl, auth); err != nil {
		return err
	}
	switch {
	case now.After(cl.Expiry.Add(clockSkew)):
		return idTokenError("expired (exp)")
	case !cl.NotBefore.IsZero() && now.Add(clockSkew).Before(cl.NotBefore):
		return idTokenError("not yet valid (nbf)")
	case now.Add(clockSkew).Before(cl.IssuedAt):
		return idTokenError("issued in the future (iat)")
	case now.Sub(cl.IssuedAt) > maxIDTokenAge:
		return idTokenError("issued too long ago (iat)")
	}
	if nonce != "" && cl.Nonce != nonce {
		return idTokenError("nonce does not match the one sent")
	}
	return nil
}

func checkIssuer(cl *IDTokenClaims, auth Authority) error {
	if auth.IsADFS() {
		if cl.Issuer != auth.Endpoints().Issuer {
			return idTokenError("iss is not this AD FS authority")
		}
		return nil
	}
	if !IsGUID(cl.TenantID) {
		return idTokenError("tid is missing or not a GUID")
	}
	switch t := strings.ToLower(auth.Tenant); {
	case t == oauth.TenantConsumers:
		if !strings.EqualFold(cl.TenantID, oauth.MSATenantID) {
			return idTokenError("tid is not the consumer tenant")
		}
	case IsGUID(t):
		if !strings.EqualFold(cl.TenantID, t) {
			return idTokenError("tid is not the requested tenant")
		}
	}
	// A CIAM (External ID) token names its tenant in the issuer's host:
	// https://{tid}.ciamlogin.com/{tid}/v2.0, whatever name the authority
	// uses for the tenant's host (reported against MSAL.js in
	// https://github.com/AzureAD/microsoft-authentication-library-for-js/issues/8592,
	// accepted by its pull request #8595).
	if auth.IsCIAM() && cl.Issuer == strings.ReplaceAll(auth.Endpoints().Issuer, "{tenantid}", cl.TenantID) {
		return nil
	}
	// iss must be https://{host}/{tid}/v2.0 for the authority's host or an
	// alias of the same cloud, with the token's own tid.
	for _, h := range auth.Aliases() {
		if cl.Issuer == auth.Scheme+"://"+h+"/"+cl.TenantID+"/v2.0" {
			return nil
		}
	}
	return idTokenError("iss does not match the authority and tid")
}

// checkAudience applies OIDC Core 3.1.3.7 steps 3 to 5: aud names this
// client; a token for several audiences is accepted only when azp is this
// client and no audience is another party (this client is the only one a
// public client trusts); an azp, when present, is this client.
func checkAudience(cl *IDTokenClaims, clientID string) error {
	if len(cl.Audience) == 0 {
		return idTokenError("aud does not name this client")
	}
	for _, a := range cl.Audience {
		if a != clientID {
			if len(cl.Audience) == 1 {
				return idTokenError("aud does not name this client")
			}
			return idTokenError("aud names another party besides this client")
		}
	}
	if cl.AuthorizedParty != "" && cl.AuthorizedParty != clientID {
		return idTokenError("azp names another client")
	}
	if len(cl.Audience) > 1 && cl.AuthorizedParty != clientID {
		return idTokenError("several audiences and azp is not this client")
	}
	return nil
}
