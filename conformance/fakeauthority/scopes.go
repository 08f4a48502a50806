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
		if slices.Contains(oidcScopes, strings.ToLower(sc)) {
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

// responseScope is the "scope" of a token response: the requested
// scopes, so that clients that check for declined scopes (MSAL) find every
// one of them.
func (s scopeSet) responseScope() string {
	return strings.Join(s.all, " ")
}
