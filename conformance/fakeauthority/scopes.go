package fakeauthority

import (
	"slices"
	"strings"
)

// oidcScopes are the OpenID Connect scopes; they name no resource.
var oidcScopes = []string{"openid", "profile", "offline_access", "email"}

// scopeSet is a parsed "scope" parameter.
type scopeSet struct {
	all      []string // as requested, without duplicates, in order
	resource Resource // the one resource the access token is for
	perms    []string // its permissions, without the resource prefix
	openid   bool     // an ID token is wanted
	offline  bool     // a refresh token is wanted
}

// parseScopes resolves scopes to one resource of the directory, as Entra
// does: bare scopes ("User.Read") mean Microsoft Graph; "<uri>/<perm>"
// names a resource by application ID URI or app ID; several resources in
// one request are refused (AADSTS28000); an unknown resource is AADSTS500011.
func (a *Authority) parseScopes(raw string) (scopeSet, *entraError) {
	var s scopeSet
	var resURI string
	for _, sc := range strings.Fields(raw) {
		if slices.Contains(s.all, sc) {
			continue
		}
		s.all = append(s.all, sc)
		if isOIDC(sc) {
			s.openid = s.openid || strings.EqualFold(sc, "openid")
			s.offline = s.offline || strings.EqualFold(sc, "offline_access")
			continue
		}
		uri, perm := splitScope(sc)
		if perm == "" {
			return s, &entraError{code: 70011, detail: "The scope '" + sc + "' names no permission."}
		}
		res, ok := a.dir.resource(uri)
		if !ok {
			return s, &entraError{code: 500011, err: "invalid_resource", detail: "The resource principal named " + uri + " was not found."}
		}
		if resURI != "" && !strings.EqualFold(strings.TrimRight(resURI, "/"), strings.TrimRight(res.URI, "/")) {
			return s, &entraError{code: 28000, detail: "Scope " + raw + " is not valid."}
		}
		if perm != ".default" && res.Scopes != nil && !slices.ContainsFunc(res.Scopes, func(p string) bool { return strings.EqualFold(p, perm) }) {
			return s, &entraError{code: 70011, detail: "The scope '" + sc + "' does not exist on the resource."}
		}
		resURI = res.URI
		s.resource = res
		s.perms = append(s.perms, perm)
	}
	if len(s.all) == 0 {
		return s, &entraError{code: 70011, detail: "The 'scope' parameter is empty."}
	}
	if resURI == "" { // only OIDC scopes: Entra issues a Graph token
		s.resource, _ = a.dir.resource(GraphResource)
		if s.resource.URI == "" {
			s.resource = Resource{URI: GraphResource, AppID: GraphAppID}
		}
	}
	return s, nil
}

// splitScope splits "<resource>/<permission>" at the last slash; a bare
// permission means Microsoft Graph.
func splitScope(sc string) (resource, perm string) {
	i := strings.LastIndex(sc, "/")
	if i < 0 {
		return GraphResource, sc
	}
	if j := strings.Index(sc, "://"); j >= 0 && i < j+3 {
		return sc, "" // a bare URI with no permission
	}
	return sc[:i], sc[i+1:]
}

// isOIDC reports whether sc is an OpenID Connect scope.
func isOIDC(sc string) bool {
	return slices.Contains(oidcScopes, strings.ToLower(sc))
}

// grantedScopes are the "scope" of a token response as Entra answers it:
// the requested permissions, where "<resource>/.default" is preceded by
// the app's configured permissions on that resource (App.Permissions),
// written with the resource prefix the request used, e.g.
// "https://management.core.windows.net//user_impersonation
// https://management.core.windows.net//.default". OIDC scopes are not
// echoed; a request for OIDC scopes only is answered with them.
func (a *Authority) grantedScopes(app App, s scopeSet) []string {
	var out []string
	add := func(sc string) {
		if !slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, sc) }) {
			out = append(out, sc)
		}
	}
	for _, sc := range s.all {
		if isOIDC(sc) {
			continue
		}
		if uri, perm := splitScope(sc); perm == ".default" {
			for _, p := range a.appPermissions(app, s.resource) {
				add(uri + "/" + p)
			}
		}
		add(sc)
	}
	if len(out) == 0 {
		return s.all
	}
	return out
}

// appPermissions are app's configured permissions on res, without the
// resource prefix.
func (a *Authority) appPermissions(app App, res Resource) []string {
	var out []string
	for _, p := range app.Permissions {
		uri, perm := splitScope(p)
		if r, ok := a.dir.resource(uri); ok && perm != "" && perm != ".default" && sameResource(r, res) {
			out = append(out, perm)
		}
	}
	return out
}

// sameResource reports whether x and y are one resource (two application
// ID URIs of one app, such as Azure Resource Manager's, are one).
func sameResource(x, y Resource) bool {
	if x.AppID != "" && strings.EqualFold(x.AppID, y.AppID) {
		return true
	}
	return strings.EqualFold(strings.TrimRight(x.URI, "/"), strings.TrimRight(y.URI, "/"))
}

// scpClaim is the access token's scp: the granted permissions without
// their resource prefix and without ".default", as Entra writes it.
func scpClaim(granted []string, s scopeSet) string {
	var perms []string
	for _, sc := range granted {
		if _, perm := splitScope(sc); perm != ".default" && perm != "" && !isOIDC(sc) {
			perms = append(perms, perm)
		}
	}
	if len(perms) == 0 {
		perms = s.perms
	}
	return strings.Join(perms, " ")
}
