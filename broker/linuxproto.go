package broker

import (
	"encoding/json"
	"runtime"
	"strings"
)

// The Linux identity broker (Debian/RPM package microsoft-identity-broker,
// also installed by Intune Company Portal) is a D-Bus service on the
// session bus. Every method takes (protocolVersion, correlationId,
// requestJSON) strings and returns one JSON string. Since broker 2.0.2
// the service has no Introspectable interface: methods are called by
// name. Shapes as used by public clients of the broker
// (https://github.com/siemens/linux-entra-sso,
// https://github.com/siemens/sso-mib).
const (
	LinuxBusName   = "com.microsoft.identity.broker1"
	LinuxObject    = "/com/microsoft/identity/broker1"
	LinuxInterface = "com.microsoft.identity.Broker1"

	methodInteractive = "acquireTokenInteractively"
	methodSilent      = "acquireTokenSilently"
	methodAccounts    = "getAccounts"
	methodRemove      = "removeAccount"
	methodVersion     = "getLinuxBrokerVersion"
	methodCancel      = "cancelInteractiveFlow"
)

// authorizationType values of the broker's authParameters (MSAL runtime's
// AuthorizationType as transcribed by sso-mib).
const (
	authTypeCachedRefreshToken = 1
	authTypeInteractive        = 6
)

// linuxAuthParameters is the broker's "authParameters" object.
type linuxAuthParameters struct {
	Account           json.RawMessage   `json:"account,omitempty"`
	AdditionalQuery   map[string]string `json:"additionalQueryParametersForAuthorization"`
	Authority         string            `json:"authority"`
	AuthorizationType int               `json:"authorizationType"`
	ClientID          string            `json:"clientId"`
	DecodedClaims     string            `json:"decodedClaims,omitempty"`
	RedirectURI       string            `json:"redirectUri"`
	RequestedScopes   []string          `json:"requestedScopes"`
	Username          string            `json:"username,omitempty"`
}

// linuxTokenRequest is the JSON of acquireTokenSilently and
// acquireTokenInteractively. Since broker 2.0.2 the account is nested in
// authParameters with an explicit authorizationType.
func linuxTokenRequest(r *request, interactive bool) []byte {
	p := linuxAuthParameters{
		AdditionalQuery:   map[string]string{},
		Authority:         r.authority,
		AuthorizationType: authTypeCachedRefreshToken,
		ClientID:          r.clientID,
		DecodedClaims:     r.claims,
		RedirectURI:       r.redirectURI,
		RequestedScopes:   r.scopes,
	}
	if p.RequestedScopes == nil {
		p.RequestedScopes = []string{}
	}
	if r.account != nil && len(r.account.raw) > 0 && json.Valid(r.account.raw) {
		p.Account = r.account.raw
		p.Username = r.account.Username
	}
	if interactive {
		p.AuthorizationType = authTypeInteractive
		if r.loginHint != "" {
			p.Username = r.loginHint
			p.AdditionalQuery["login_hint"] = r.loginHint
		}
	}
	b, _ := json.Marshal(struct {
		AuthParameters linuxAuthParameters `json:"authParameters"`
	}{p})
	return b
}

func linuxAccountsRequest(clientID, redirectURI string) []byte {
	b, _ := json.Marshal(struct {
		ClientID    string `json:"clientId"`
		RedirectURI string `json:"redirectUri"`
	}{clientID, redirectURI})
	return b
}

func linuxRemoveRequest(clientID string, a *brokerAccount) []byte {
	b, _ := json.Marshal(struct {
		Account  json.RawMessage `json:"account"`
		ClientID string          `json:"clientId"`
	}{a.raw, clientID})
	return b
}

// linuxVersionRequest names this library as the caller, in the field MSAL
// C++ fills with its own version.
func linuxVersionRequest() []byte {
	b, _ := json.Marshal(struct {
		MsalCppVersion string `json:"msalCppVersion"`
	}{"entraauth-go"})
	return b
}

// linuxCancelRequest: no public client sends cancelInteractiveFlow, so
// its JSON is not known; the correlation ID of the flow to cancel is
// sent both as the D-Bus argument and in the JSON, with the client ID.
func linuxCancelRequest(clientID, correlationID string) []byte {
	b, _ := json.Marshal(struct {
		ClientID      string `json:"clientId"`
		CorrelationID string `json:"correlationId"`
	}{clientID, correlationID})
	return b
}

// defaultRedirectURI is the broker redirect URI of this OS.
func defaultRedirectURI(clientID string) string {
	switch runtime.GOOS {
	case "windows":
		return strings.ReplaceAll(RedirectURIWindows, "{client_id}", clientID)
	case "darwin":
		return RedirectURIMac
	}
	return RedirectURILinux
}
