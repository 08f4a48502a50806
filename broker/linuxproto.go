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
// name. Every field below is named after a public source, listed with
// each in broker/README.md: the interface in
// https://github.com/siemens/sso-mib (dbus/spec/com.microsoft.identity.broker1.xml),
// the requests of sso-mib (src/mib-client-app.c) and
// https://github.com/siemens/linux-entra-sso (linux-entra-sso.py), and
// the JSON schemas extracted from broker 2.0.1 in
// https://github.com/Pihaar/linux-entra-bridge (research/broker-schemas/).
const (
	LinuxBusName   = "com.microsoft.identity.broker1"
	LinuxObject    = "/com/microsoft/identity/broker1"
	LinuxInterface = "com.microsoft.identity.Broker1"

	methodInteractive = "acquireTokenInteractively"
	methodSilent      = "acquireTokenSilently"
	methodAccounts    = "getAccounts"
	methodRemove      = "removeAccount"
	methodVersion     = "getLinuxBrokerVersion"
	// cancelInteractiveFlow is never called: no public source shows its
	// request, and teams-lite measured that calling it on broker 3.0.2
	// took the broker off the bus
	// (https://github.com/theophile-wallez/teams-lite, SIGN-IN.md, "The
	// pending call, and how to end it"). A caller that gives up ends its
	// own wait; the broker's window stays for the user to close.
)

// authorizationType values of the broker's authParameters: MSAL runtime's
// AuthorizationType as transcribed by sso-mib (src/mib-client-app.c,
// enum AuthorizationType).
const (
	authTypeCachedRefreshToken = 1
	authTypeInteractive        = 6
)

// linuxAuthParameters is the broker's "authParameters" object
// (linux-entra-bridge research/broker-schemas/AuthParameters.json; the
// same fields as sso-mib's prepare_prt_auth_params).
type linuxAuthParameters struct {
	Account           json.RawMessage   `json:"account,omitempty"`
	AdditionalQuery   map[string]string `json:"additionalQueryParametersForAuthorization"`
	Authority         string            `json:"authority"`
	AuthorizationType int               `json:"authorizationType"`
	ClientID          string            `json:"clientId"`
	DecodedClaims     string            `json:"decodedClaims,omitempty"`
	RedirectURI       string            `json:"redirectUri"`
	RequestedScopes   []string          `json:"requestedScopes"`
	// Username is the login hint: AuthParameters.json describes
	// "username" as "loginHint"; sso-mib and linux-entra-sso send the
	// account's username there.
	Username string `json:"username,omitempty"`
}

// oidcScopes are the scopes the engine adds to every sign-in; the broker
// adds its own, and every public client sends the resource's scopes only
// (linux-entra-sso.py GRAPH_SCOPES, sso-mib mib_scopes_to_json,
// teams-lite SIGN-IN.md).
var oidcScopes = map[string]bool{"openid": true, "profile": true, "offline_access": true}

// resourceScopes is scopes without the OIDC scopes.
func resourceScopes(scopes []string) []string {
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if !oidcScopes[strings.ToLower(s)] {
			out = append(out, s)
		}
	}
	return out
}

// linuxTokenRequest is the JSON of acquireTokenSilently and
// acquireTokenInteractively. Since broker 2.0.2 the account is nested in
// authParameters with an explicit authorizationType. The account is the
// broker's own object, sent back verbatim with its username as
// "username" (sso-mib prepare_prt_auth_params, linux-entra-sso
// _get_auth_parameters); himmelblau's broker requires account.username on
// acquireTokenInteractively ("Missing account username in request",
// https://github.com/himmelblau-idm/himmelblau src/broker/src/main.rs).
// With no account, an interactive request carries the login hint as
// "username" only, and neither (the broker's account picker) without one,
// as sso-mib sends a select_account sign-in.
func linuxTokenRequest(r *request, interactive bool) []byte {
	p := linuxAuthParameters{
		AdditionalQuery:   map[string]string{},
		Authority:         r.authority,
		AuthorizationType: authTypeCachedRefreshToken,
		ClientID:          r.clientID,
		DecodedClaims:     r.claims,
		RedirectURI:       r.redirectURI,
		RequestedScopes:   resourceScopes(r.scopes),
	}
	if r.account != nil && len(r.account.raw) > 0 && json.Valid(r.account.raw) {
		p.Account = r.account.raw
		p.Username = r.account.Username
	}
	if interactive {
		p.AuthorizationType = authTypeInteractive
		if p.Account == nil && r.loginHint != "" {
			p.Username = r.loginHint
		}
	}
	b, _ := json.Marshal(struct {
		AuthParameters linuxAuthParameters `json:"authParameters"`
	}{p})
	return b
}

// linuxAccountsRequest: GetAllAccountsRequest.json; sso-mib and
// linux-entra-sso send clientId and redirectUri.
func linuxAccountsRequest(clientID, redirectURI string) []byte {
	b, _ := json.Marshal(struct {
		ClientID    string `json:"clientId"`
		RedirectURI string `json:"redirectUri"`
	}{clientID, redirectURI})
	return b
}

// linuxRemoveRequest: RemoveAccountRequest.json; sso-mib
// mib_client_app_remove_account sends clientId and the account.
func linuxRemoveRequest(clientID string, a *brokerAccount) []byte {
	b, _ := json.Marshal(struct {
		Account  json.RawMessage `json:"account"`
		ClientID string          `json:"clientId"`
	}{a.raw, clientID})
	return b
}

// linuxVersionRequest: LinuxBrokerVersionRequest.json's msalCppVersion,
// which sso-mib and linux-entra-sso fill with their own version; this
// library names itself there.
func linuxVersionRequest() []byte {
	b, _ := json.Marshal(struct {
		MsalCppVersion string `json:"msalCppVersion"`
	}{"entraauth-go"})
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
