package fakeauthority

import (
	"net/http"
	"strings"
)

// Endpoint names one endpoint of the authority, for counters, the request
// log and scripted faults.
type Endpoint string

// The endpoints the authority serves. Paths are Entra's v2.0 shapes;
// {tenant} is common, organizations, consumers, a tenant ID or a domain.
const (
	EndpointDiscovery  Endpoint = "discovery"          // GET /{tenant}/v2.0/.well-known/openid-configuration
	EndpointInstance   Endpoint = "instance_discovery" // GET /common/discovery/instance
	EndpointKeys       Endpoint = "keys"               // GET /{tenant}/discovery/v2.0/keys
	EndpointAuthorize  Endpoint = "authorize"          // GET /{tenant}/oauth2/v2.0/authorize (the sign-in page)
	EndpointLogin      Endpoint = "login"              // POST /{tenant}/login (the sign-in form's target)
	EndpointToken      Endpoint = "token"              // POST /{tenant}/oauth2/v2.0/token
	EndpointDeviceCode Endpoint = "devicecode"         // POST /{tenant}/oauth2/v2.0/devicecode
	EndpointDevice     Endpoint = "devicelogin"        // GET, POST /devicelogin (where the user types the code)
	EndpointUserRealm  Endpoint = "userrealm"          // GET /common/userrealm/{username}
	EndpointLogout     Endpoint = "logout"             // GET, POST /{tenant}/oauth2/v2.0/logout
	EndpointErrorPage  Endpoint = "error"              // GET /error?code=NNN (the error_uri of error answers)
)

// maxBody bounds every request body the authority reads.
const maxBody = 1 << 20

// reqCtx is what routing learned about a request.
type reqCtx struct {
	base   string // scheme://host, no trailing slash
	tenant string // tenant path segment as sent
	extra  string // the {username} of user realm
}

// issuerTemplate is the tenant-independent issuer Entra publishes for
// common and organizations.
func (rc *reqCtx) issuerTemplate() string { return rc.issuer("{tenantid}") }

// issuer is the issuer of tokens for tenant tid. On a CIAM host
// ({name}.ciamlogin.com) External ID names the tenant ID in the issuer's
// host too: https://{tid}.ciamlogin.com/{tid}/v2.0 (as reported in
// https://github.com/AzureAD/microsoft-authentication-library-for-js/issues/8592).
func (rc *reqCtx) issuer(tid string) string {
	if h := strings.ToLower(rc.base); strings.HasPrefix(h, "https://") && strings.HasSuffix(h, ciamSuffix) {
		return "https://" + tid + ciamSuffix + "/" + tid + "/v2.0"
	}
	return rc.base + "/" + tid + "/v2.0"
}

// ciamSuffix ends a CIAM (Microsoft Entra External ID) host.
const ciamSuffix = ".ciamlogin.com"

// endpoint is the URL of an oauth2/v2.0 endpoint for the request's tenant.
func (rc *reqCtx) endpoint(name string) string {
	return rc.base + "/" + rc.tenant + "/oauth2/v2.0/" + name
}

type handlerFunc func(a *Authority, w http.ResponseWriter, r *http.Request, rc *reqCtx)

var handlers = map[Endpoint]handlerFunc{
	EndpointDiscovery:  (*Authority).handleDiscovery,
	EndpointInstance:   (*Authority).handleInstance,
	EndpointKeys:       (*Authority).handleKeys,
	EndpointAuthorize:  (*Authority).handleAuthorize,
	EndpointLogin:      (*Authority).handleLogin,
	EndpointToken:      (*Authority).handleToken,
	EndpointDeviceCode: (*Authority).handleDeviceCode,
	EndpointDevice:     (*Authority).handleDevicePage,
	EndpointUserRealm:  (*Authority).handleUserRealm,
	EndpointLogout:     (*Authority).handleLogout,
	EndpointErrorPage:  (*Authority).handleErrorPage,
}

// ServeHTTP routes a request to its endpoint, after recording it and
// applying any scripted fault.
func (a *Authority) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ep, rc := a.route(r)
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	if err := r.ParseForm(); err != nil {
		a.record(ep, r, rc)
		a.writeError(w, r, rc, entraError{code: 9002313, detail: "The request body could not be read."})
		return
	}
	a.record(ep, r, rc)
	w.Header().Set("x-ms-request-id", newUUID())
	if id := r.Header.Get("client-request-id"); id != "" && strings.EqualFold(r.Header.Get("return-client-request-id"), "true") {
		w.Header().Set("client-request-id", id)
	}
	if ep == "" {
		writeHTMLError(w, http.StatusNotFound, "Not found", "The fake authority serves no page at "+r.URL.Path+".")
		return
	}
	if a.applyFault(w, r, ep) {
		return
	}
	handlers[ep](a, w, r, rc)
}

// route maps a path to its endpoint; "" when it matches none.
func (a *Authority) route(r *http.Request) (Endpoint, *reqCtx) {
	rc := &reqCtx{base: a.baseURL(r)}
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	low := make([]string, len(segs))
	for i, s := range segs {
		low[i] = strings.ToLower(s)
	}
	if len(segs) > 0 {
		rc.tenant = segs[0]
	}
	join := strings.Join(low[min(1, len(low)):], "/")
	switch {
	case len(low) == 1 && low[0] == "devicelogin":
		return EndpointDevice, rc
	case len(low) == 1 && low[0] == "error":
		return EndpointErrorPage, rc
	case len(low) == 3 && low[0] == "common" && low[1] == "discovery" && low[2] == "instance":
		return EndpointInstance, rc
	case len(low) == 3 && low[0] == "common" && low[1] == "userrealm":
		rc.extra = segs[2] // r.URL.Path is already unescaped
		return EndpointUserRealm, rc
	}
	return tenantEndpoints[join], rc
}

// tenantEndpoints maps a path below /{tenant}/, lower-cased, to its
// endpoint.
var tenantEndpoints = map[string]Endpoint{
	"v2.0/.well-known/openid-configuration": EndpointDiscovery,
	"discovery/v2.0/keys":                   EndpointKeys,
	"login":                                 EndpointLogin,
	"oauth2/v2.0/authorize":                 EndpointAuthorize,
	"oauth2/v2.0/token":                     EndpointToken,
	"oauth2/v2.0/devicecode":                EndpointDeviceCode,
	"oauth2/v2.0/logout":                    EndpointLogout,
}

// baseURL is scheme://host of the request, or of Options.Host.
func (a *Authority) baseURL(r *http.Request) string {
	if a.opts.Host != "" {
		return "https://" + a.opts.Host
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = DefaultHost
	}
	return scheme + "://" + host
}

// tenantInfo is a resolved tenant path segment.
type tenantInfo struct {
	id    string // "" for common and organizations
	multi bool   // common or organizations: any tenant's users
}

// msaTenantID is the consumers tenant; the fake has no personal accounts.
const msaTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"

// resolveTenant resolves a tenant segment; false when it is unknown.
func (a *Authority) resolveTenant(seg string) (tenantInfo, bool) {
	switch strings.ToLower(seg) {
	case "common", "organizations":
		return tenantInfo{multi: true}, true
	case "consumers", msaTenantID:
		return tenantInfo{id: msaTenantID}, true
	}
	if t, ok := a.dir.tenant(seg); ok {
		return tenantInfo{id: t.ID}, true
	}
	return tenantInfo{}, false
}
