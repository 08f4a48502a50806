package fakeauthority

import (
	"net/http"
	"net/url"
	"strings"
)

// discoveryDoc is the OpenID configuration Entra publishes per tenant.
type discoveryDoc struct {
	TokenEndpoint                string   `json:"token_endpoint"`
	TokenEndpointAuthMethods     []string `json:"token_endpoint_auth_methods_supported"`
	JWKSURI                      string   `json:"jwks_uri"`
	ResponseModes                []string `json:"response_modes_supported"`
	SubjectTypes                 []string `json:"subject_types_supported"`
	IDTokenSigningAlgs           []string `json:"id_token_signing_alg_values_supported"`
	ResponseTypes                []string `json:"response_types_supported"`
	ScopesSupported              []string `json:"scopes_supported"`
	Issuer                       string   `json:"issuer"`
	RequestURIParameterSupported bool     `json:"request_uri_parameter_supported"`
	UserinfoEndpoint             string   `json:"userinfo_endpoint"`
	AuthorizationEndpoint        string   `json:"authorization_endpoint"`
	DeviceAuthorizationEndpoint  string   `json:"device_authorization_endpoint"`
	HTTPLogoutSupported          bool     `json:"http_logout_supported"`
	FrontchannelLogoutSupported  bool     `json:"frontchannel_logout_supported"`
	EndSessionEndpoint           string   `json:"end_session_endpoint"`
	ClaimsSupported              []string `json:"claims_supported"`
	CodeChallengeMethods         []string `json:"code_challenge_methods_supported"`
	TenantRegionScope            *string  `json:"tenant_region_scope"`
	CloudInstanceName            string   `json:"cloud_instance_name"`
	CloudGraphHostName           string   `json:"cloud_graph_host_name"`
	MSGraphHost                  string   `json:"msgraph_host"`
	RBACURL                      string   `json:"rbac_url"`
}

// handleDiscovery serves /{tenant}/v2.0/.well-known/openid-configuration.
// For common and organizations the issuer is Entra's template
// https://{host}/{tenantid}/v2.0; for a tenant it names the tenant ID.
// A tenant asked for by its domain (contoso.onmicrosoft.com) gets a
// document naming its tenant ID in every endpoint, as Entra's does
// (https://login.microsoftonline.com/microsoft.com/v2.0/.well-known/openid-configuration
// names 72f988bf-86f1-41af-91ab-2d7cd011db47 in its token_endpoint):
// MSAL Python keys its cache by the token endpoint's tenant, so a client
// that keys by the domain instead would pass against an echo.
func (a *Authority) handleDiscovery(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	ti, ok := a.resolveTenant(rc.tenant)
	if !ok {
		a.writeError(w, r, rc, entraError{code: 90002, detail: "Tenant '" + rc.tenant + "' not found."})
		return
	}
	issuer := rc.issuerTemplate()
	named := *rc
	if !ti.multi {
		issuer = rc.issuer(ti.id)
		if _, inDirectory := a.dir.tenant(rc.tenant); inDirectory {
			named.tenant = ti.id // "consumers" stays as asked
		}
	}
	region := "WW"
	writeJSON(w, http.StatusOK, discoveryDoc{
		TokenEndpoint:               named.endpoint("token"),
		TokenEndpointAuthMethods:    []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		JWKSURI:                     rc.base + "/" + named.tenant + "/discovery/v2.0/keys",
		ResponseModes:               []string{"query", "fragment", "form_post"},
		SubjectTypes:                []string{"pairwise"},
		IDTokenSigningAlgs:          []string{"RS256"},
		ResponseTypes:               []string{"code", "id_token", "code id_token", "id_token token"},
		ScopesSupported:             []string{"openid", "profile", "email", "offline_access"},
		Issuer:                      issuer,
		UserinfoEndpoint:            "https://graph.microsoft.com/oidc/userinfo",
		AuthorizationEndpoint:       named.endpoint("authorize"),
		DeviceAuthorizationEndpoint: named.endpoint("devicecode"),
		HTTPLogoutSupported:         true,
		FrontchannelLogoutSupported: true,
		EndSessionEndpoint:          named.endpoint("logout"),
		ClaimsSupported:             []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"},
		CodeChallengeMethods:        []string{"S256"},
		TenantRegionScope:           &region,
		CloudInstanceName:           "microsoftonline.com",
		CloudGraphHostName:          "graph.windows.net",
		MSGraphHost:                 "graph.microsoft.com",
		RBACURL:                     "https://pas.windows.net",
	})
}

// instanceResponse is Entra's instance discovery JSON.
type instanceResponse struct {
	TenantDiscoveryEndpoint string             `json:"tenant_discovery_endpoint"`
	APIVersion              string             `json:"api-version"`
	Metadata                []instanceMetadata `json:"metadata"`
}

type instanceMetadata struct {
	PreferredNetwork string   `json:"preferred_network"`
	PreferredCache   string   `json:"preferred_cache"`
	Aliases          []string `json:"aliases"`
}

// handleInstance serves /common/discovery/instance. The host the client
// asked about must be the authority's own host or a public-cloud alias;
// anything else is invalid_instance (AADSTS50049), as Entra answers for
// unknown hosts. The metadata lists the authority's host among the
// aliases, which MSAL needs to find its cache entries.
func (a *Authority) handleInstance(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	ae := r.Form.Get("authorization_endpoint")
	u, err := url.Parse(ae)
	if ae == "" || err != nil || u.Host == "" {
		a.writeError(w, r, rc, entraError{code: 50049, detail: "authorization_endpoint is missing or not a URL."})
		return
	}
	own := strings.TrimPrefix(strings.TrimPrefix(rc.base, "https://"), "http://")
	public := []string{"login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"}
	meta := []instanceMetadata{{PreferredNetwork: "login.microsoftonline.com", PreferredCache: "login.windows.net", Aliases: public}}
	if !containsFold(public, own) {
		meta = append(meta, instanceMetadata{PreferredNetwork: own, PreferredCache: own, Aliases: []string{own}})
	}
	if !containsFold(public, u.Host) && !strings.EqualFold(u.Host, own) {
		a.writeError(w, r, rc, entraError{code: 50049, detail: "Host '" + u.Host + "' is not known to this authority."})
		return
	}
	tenant := strings.Split(strings.Trim(u.Path, "/"), "/")[0]
	writeJSON(w, http.StatusOK, instanceResponse{
		TenantDiscoveryEndpoint: "https://" + u.Host + "/" + tenant + "/v2.0/.well-known/openid-configuration",
		APIVersion:              "1.1",
		Metadata:                meta,
	})
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// userRealm is Entra's user realm JSON (api-version 1.0).
type userRealm struct {
	Ver                     string `json:"ver"`
	AccountType             string `json:"account_type"`
	DomainName              string `json:"domain_name"`
	CloudInstanceName       string `json:"cloud_instance_name"`
	CloudAudienceURN        string `json:"cloud_audience_urn"`
	FederationProtocol      string `json:"federation_protocol,omitempty"`
	FederationMetadataURL   string `json:"federation_metadata_url,omitempty"`
	FederationActiveAuthURL string `json:"federation_active_auth_url,omitempty"`
}

// handleUserRealm serves /common/userrealm/{username}: Managed, Federated
// or Unknown (a domain the directory does not know), as Entra does.
func (a *Authority) handleUserRealm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	_, domain, _ := strings.Cut(rc.extra, "@")
	ur := userRealm{Ver: "1.0", AccountType: "Unknown", DomainName: domain,
		CloudInstanceName: "microsoftonline.com", CloudAudienceURN: "urn:federation:MicrosoftOnline"}
	if _, ok := a.dir.tenant(domain); ok {
		ur.AccountType = "Managed"
	}
	if u, ok := a.dir.user(rc.extra); ok && u.Federated {
		ur.AccountType = "Federated"
		ur.FederationProtocol = "WSTrust"
		ur.FederationMetadataURL = "https://adfs." + domain + "/adfs/services/trust/mex"
		ur.FederationActiveAuthURL = "https://adfs." + domain + "/adfs/services/trust/2005/usernamemixed"
	}
	writeJSON(w, http.StatusOK, ur)
}
