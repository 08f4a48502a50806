package broker

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/internal/jsonnum"
	"github.com/entraauth/entraauth/oauth"
)

// WAM (Windows Web Account Manager) through WinRT: the request properties,
// the response mapping and the interface identifiers, kept here (built and
// tested on every OS) so that the COM calls in wam_windows.go stay thin.
// Interfaces and vtable slots: Windows.Security.Authentication.Web.Core
// (https://learn.microsoft.com/uwp/api/windows.security.authentication.web.core)
// and WebAuthenticationCoreManagerInterop.h of the Windows SDK; property
// names as the AAD WAM plugin reads them (MSAL.NET's WinRT broker).

// guid is a COM GUID in its binary layout.
type guid struct {
	Data1 uint32
	Data2 uint16
	Data3 uint16
	Data4 [8]byte
}

// mustGUID parses "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX".
func mustGUID(s string) guid {
	g, err := parseGUID(s)
	if err != nil {
		panic(err)
	}
	return g
}

func parseGUID(s string) (guid, error) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return guid{}, fmt.Errorf("broker: bad GUID %q", s)
	}
	hex := strings.ReplaceAll(s, "-", "")
	var b [16]byte
	for i := range b {
		v, err := strconv.ParseUint(hex[2*i:2*i+2], 16, 8)
		if err != nil {
			return guid{}, fmt.Errorf("broker: bad GUID %q", s)
		}
		b[i] = byte(v)
	}
	g := guid{Data1: uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]),
		Data2: uint16(b[4])<<8 | uint16(b[5]), Data3: uint16(b[6])<<8 | uint16(b[7])}
	copy(g.Data4[:], b[8:])
	return g, nil
}

func (g guid) String() string {
	return fmt.Sprintf("%08X-%04X-%04X-%02X-%X", g.Data1, g.Data2, g.Data3, g.Data4[:2], g.Data4[2:])
}

// WebTokenRequestStatus values.
const (
	wamSuccess                     = 0
	wamUserCancel                  = 1
	wamAccountSwitch               = 2
	wamUserInteractionRequired     = 3
	wamAccountProviderNotAvailable = 4
	wamProviderError               = 5
)

// wamProviderAuthority is the authority FindAccountProviderWithAuthority
// gets: the tenant, "organizations" for the tenant-independent ones, or
// "consumers" with MSA passthrough.
func wamProviderAuthority(r *request) string {
	tenant := r.authority[strings.LastIndex(r.authority, "/")+1:]
	switch strings.ToLower(tenant) {
	case "common", "organizations", "":
		if r.msaPassthrough {
			return "consumers"
		}
		return "organizations"
	}
	return tenant
}

// wamProperty is one WebTokenRequest property.
type wamProperty struct{ key, value string }

// wamProperties are the WebTokenRequest.Properties of a request: v2
// scopes semantics, the authority, the claims, the correlation ID, and
// for a sign-in with a hint the login hint (WAM shows that account).
func wamProperties(r *request, interactive bool) []wamProperty {
	p := []wamProperty{{"wam_compat", "2.0"}, {"authority", r.authority}, {"validateAuthority", "yes"},
		{"correlationId", r.correlationID}}
	if r.claims != "" {
		p = append(p, wamProperty{"claims", r.claims})
	}
	if interactive && r.loginHint != "" {
		p = append(p, wamProperty{"LoginHint", r.loginHint})
	}
	return p
}

// wamScope is the request's scope string.
func wamScope(r *request) string { return strings.Join(r.scopes, " ") }

// wamResponse is what wam_windows.go reads from a WebTokenRequestResult.
type wamResponse struct {
	status      uint32
	token       string
	props       map[string]string // response properties (wamResponseKeys)
	accountID   string            // WebAccount.Id
	accountUser string            // WebAccount.UserName
	accountProp map[string]string // WebAccount.Properties: OID, TenantId
	errCode     uint32            // WebProviderError.ErrorCode
	errMessage  string            // WebProviderError.ErrorMessage
}

// wamReply maps a WAM answer: success (and AccountSwitch, which MSAL
// counts as success) to a reply, the other statuses to errors.
func wamReply(method string, w *wamResponse, now time.Time, requested []string) (*reply, error) {
	switch w.status {
	case wamSuccess, wamAccountSwitch:
	case wamAccountProviderNotAvailable:
		return nil, unsupported("WAM has no account provider for Microsoft Entra ID on this machine", nil)
	default:
		return nil, wamError(method, w)
	}
	if w.token == "" {
		return nil, badAnswer(method, "no access token")
	}
	var n jsonnum.Number
	if v := w.props["TokenExpiresOn"]; v != "" {
		if err := n.UnmarshalJSON([]byte(strings.TrimSpace(v))); err != nil {
			return nil, badAnswer(method, "TokenExpiresOn is not a number")
		}
	}
	exp, err := epoch(n, now, defaultLifetime)
	if err != nil {
		return nil, badAnswer(method, err.Error())
	}
	scopes := strings.Fields(w.props["wamcompat_scopes"])
	if len(scopes) == 0 {
		scopes = requested
	}
	res := &engine.TokenResult{AccessToken: w.token, TokenType: "Bearer", ExpiresOn: exp, Scopes: scopes,
		IDToken: w.props["wamcompat_id_token"], ClientInfo: w.props["wamcompat_client_info"]}
	rep := &reply{result: res}
	if a, ok := wamAccount(w.accountID, w.accountUser, w.accountProp); ok {
		rep.account = &a
	}
	return rep, nil
}

// wamAccount is a WebAccount as an account: home account ID from its OID
// and TenantId properties, the WebAccount ID kept to find it again.
func wamAccount(id, user string, props map[string]string) (brokerAccount, bool) {
	oid, tid := props["OID"], props["TenantId"]
	if id == "" || oid == "" || tid == "" {
		return brokerAccount{}, false
	}
	return brokerAccount{Account: oauth.Account{HomeAccountID: oid + "." + tid, Realm: tid, LocalAccountID: oid,
		Username: clean(user), Environment: props["Authority"]}, raw: []byte(id)}, true
}

// wamError maps a status that is not success.
func wamError(method string, w *wamResponse) error {
	e := &Error{Method: method, Status: int(w.status), Code: int64(w.errCode), Message: clean(w.errMessage)}
	switch w.status {
	case wamUserCancel:
		e.canceled = true
	case wamUserInteractionRequired:
		e.interaction = true
	}
	e.OAuth = relayedOAuth(method, "", "", e.Message)
	if e.OAuth != nil && errors.Is(e.OAuth, oauth.ErrInteractionRequired) {
		e.interaction = true
	}
	return e
}
