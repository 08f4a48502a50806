package fakeauthority

import (
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Well-known values of the [DefaultDirectory], so a test can sign in with
// zero setup.
const (
	// DefaultTenantID is the tenant of the default directory.
	DefaultTenantID = "7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f"
	// DefaultTenantDomain is its verified domain.
	DefaultTenantDomain = "contoso.onmicrosoft.com"
	// SecondTenantID is a second tenant, for tenant-switching tests.
	SecondTenantID = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
	// SecondTenantDomain is its verified domain.
	SecondTenantDomain = "fabrikam.onmicrosoft.com"

	// DefaultUsername is a managed user of the default tenant, without MFA.
	DefaultUsername = "alice@contoso.onmicrosoft.com"
	// DefaultPassword is the password of every default user.
	DefaultPassword = "correct horse battery staple"
	// DefaultUserObjectID is DefaultUsername's object ID (oid, uid).
	DefaultUserObjectID = "1c2d3e4f-0000-4000-8000-00000000a11c"
	// MFAUsername is a managed user whose password grant answers
	// AADSTS50076 with a claims challenge.
	MFAUsername = "mfa@contoso.onmicrosoft.com"
	// FederatedUsername is a federated user: user realm says Federated and
	// the password grant refuses it.
	FederatedUsername = "fed@contoso.onmicrosoft.com"
	// SecondTenantUsername is a managed user of SecondTenantID.
	SecondTenantUsername = "bob@fabrikam.onmicrosoft.com"

	// AzureCLIClientID is the Azure CLI public client, registered as a
	// public client with localhost redirect URIs, family "1". It is the
	// default client of entraauth.
	AzureCLIClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
	// AzurePowerShellClientID is a second family-"1" public client, for
	// family refresh token tests.
	AzurePowerShellClientID = "1950a258-227b-4e31-a9cf-717495945fc2"
	// NonFamilyClientID is a public client outside any family.
	NonFamilyClientID = "3d4e5f60-7a8b-4c9d-8e0f-a1b2c3d4e5f6"
	// WebClientID is an app registration with public-client flows
	// disallowed: device code and password grants answer AADSTS7000218.
	WebClientID = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"

	// GraphResource is Microsoft Graph; bare scopes ("User.Read") mean it.
	GraphResource = "https://graph.microsoft.com"
	// GraphAppID is Microsoft Graph's application ID.
	GraphAppID = "00000003-0000-0000-c000-000000000000"
)

// Tenant is a directory tenant.
type Tenant struct {
	ID     string // GUID, the tid claim
	Domain string // verified domain, e.g. contoso.onmicrosoft.com
}

// User is a user account of a tenant.
type User struct {
	Username    string // UPN, the preferred_username claim
	Password    string
	ObjectID    string // oid claim and client_info uid
	TenantID    string // home tenant; "" means DefaultTenantID
	DisplayName string // name claim; "" means the part of Username before @
	// Federated users are redirected to their IdP: user realm answers
	// Federated and the password grant refuses them.
	Federated bool
	// MFARequired users cannot use the password grant: it answers
	// invalid_grant AADSTS50076 with a claims challenge. Interactive
	// sign-in and device code succeed (the fake has no second factor).
	MFARequired bool
}

// App is an application registration.
type App struct {
	ClientID string
	// RedirectURIs are the registered redirect URIs. For http://localhost
	// and http://127.0.0.1 the port is ignored when matching, as Entra
	// does; anything else must match exactly (case-sensitive).
	RedirectURIs []string
	// PublicClient is "Allow public client flows": device code and password
	// grants need it (else AADSTS7000218).
	PublicClient bool
	// FamilyID is the family of client IDs ("1" for Microsoft's first-party
	// family); a family refresh token works for every member.
	FamilyID string
	// TenantID, when set, makes the app single-tenant: /common and
	// /organizations answer AADSTS50194 and other tenants AADSTS700016.
	TenantID string
	// Permissions are the delegated permissions configured (and
	// consented) for the app, as scopes "<resource>/<permission>", e.g.
	// "https://management.core.windows.net//user_impersonation". A
	// "<resource>/.default" request is granted those of its resource.
	Permissions []string
}

// Resource is an API that access tokens can be issued for.
type Resource struct {
	URI   string // application ID URI, e.g. https://graph.microsoft.com
	AppID string // application ID GUID, accepted in place of URI
	// Scopes are the delegated permissions, e.g. "User.Read"; nil accepts
	// any. ".default" is always accepted.
	Scopes []string
}

// Directory holds tenants, users, app registrations and resources. Its
// methods are safe for concurrent use, also while an authority serves.
type Directory struct {
	mu        sync.RWMutex
	tenants   []Tenant
	users     []User
	apps      []App
	resources []Resource
}

// NewDirectory returns an empty directory.
func NewDirectory() *Directory { return &Directory{} }

// DefaultDirectory returns the directory an authority uses when given
// none: two tenants (DefaultTenantID, SecondTenantID), the users named by
// the Default*, MFA*, Federated* and SecondTenant* constants (all with
// DefaultPassword), the public clients AzureCLIClientID,
// AzurePowerShellClientID (family "1") and NonFamilyClientID with
// redirect URIs http://localhost, http://127.0.0.1 and the native-client
// URI, the web app WebClientID, and resources for Microsoft Graph, Azure
// Resource Manager, Key Vault, Storage and api://entraauth-test.
func DefaultDirectory() *Directory {
	d := NewDirectory()
	d.AddTenant(Tenant{ID: DefaultTenantID, Domain: DefaultTenantDomain})
	d.AddTenant(Tenant{ID: SecondTenantID, Domain: SecondTenantDomain})
	d.AddUser(User{Username: DefaultUsername, Password: DefaultPassword, ObjectID: DefaultUserObjectID, DisplayName: "Alice Example"})
	d.AddUser(User{Username: MFAUsername, Password: DefaultPassword, ObjectID: "1c2d3e4f-0000-4000-8000-0000000000f2", MFARequired: true})
	d.AddUser(User{Username: FederatedUsername, Password: DefaultPassword, ObjectID: "1c2d3e4f-0000-4000-8000-0000000000fe", Federated: true})
	d.AddUser(User{Username: SecondTenantUsername, Password: DefaultPassword, ObjectID: "1c2d3e4f-0000-4000-8000-000000000b0b", TenantID: SecondTenantID, DisplayName: "Bob Example"})
	native := []string{"http://localhost", "http://127.0.0.1", "https://login.microsoftonline.com/common/oauth2/nativeclient"}
	perms := DefaultPermissions()
	d.AddApp(App{ClientID: AzureCLIClientID, RedirectURIs: native, PublicClient: true, FamilyID: "1", Permissions: perms})
	d.AddApp(App{ClientID: AzurePowerShellClientID, RedirectURIs: native, PublicClient: true, FamilyID: "1", Permissions: perms})
	d.AddApp(App{ClientID: NonFamilyClientID, RedirectURIs: native, PublicClient: true, Permissions: perms})
	d.AddApp(App{ClientID: WebClientID, RedirectURIs: []string{"https://app.example.com/signin-oidc"}})
	d.AddResource(Resource{URI: GraphResource, AppID: GraphAppID})
	d.AddResource(Resource{URI: "https://management.azure.com", AppID: "797f4846-ba00-4fd7-ba43-dac1f8f63013"})
	d.AddResource(Resource{URI: "https://management.core.windows.net/", AppID: "797f4846-ba00-4fd7-ba43-dac1f8f63013"})
	d.AddResource(Resource{URI: "https://vault.azure.net", AppID: "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"})
	d.AddResource(Resource{URI: "https://storage.azure.com", AppID: "e406a681-f3d4-42a8-90b6-c2b029497af1"})
	d.AddResource(Resource{URI: "api://entraauth-test", AppID: "5b6c7d8e-9f00-4112-8233-445566778899"})
	// The Entra SSH certificate service (`az ssh cert`); the app ID is the fake's own.
	d.AddResource(Resource{URI: "https://pas.windows.net/CheckMyAccess/Linux", AppID: "0c4d5e6f-7a8b-4c9d-8e0f-112233445566"})
	return d
}

// DefaultPermissions are the permissions the public clients of the
// [DefaultDirectory] are configured with: user_impersonation on Azure
// Resource Manager, Key Vault and Storage, User.Read on Microsoft Graph
// and access_as_user on api://entraauth-test.
func DefaultPermissions() []string {
	return []string{
		"https://management.core.windows.net//user_impersonation",
		GraphResource + "/User.Read",
		"https://vault.azure.net/user_impersonation",
		"https://storage.azure.com/user_impersonation",
		"api://entraauth-test/access_as_user",
	}
}

// AddTenant adds a tenant.
func (d *Directory) AddTenant(t Tenant) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.tenants = append(d.tenants, t)
}

// AddUser adds a user, or replaces the one with the same username.
func (d *Directory) AddUser(u User) {
	if u.TenantID == "" {
		u.TenantID = DefaultTenantID
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.users = slices.DeleteFunc(d.users, func(x User) bool { return strings.EqualFold(x.Username, u.Username) })
	d.users = append(d.users, u)
}

// AddApp adds an app registration, or replaces the one with the same
// client ID.
func (d *Directory) AddApp(a App) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.apps = slices.DeleteFunc(d.apps, func(x App) bool { return x.ClientID == a.ClientID })
	d.apps = append(d.apps, a)
}

// AddResource adds a resource that access tokens can be issued for.
func (d *Directory) AddResource(r Resource) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.resources = append(d.resources, r)
}

// tenant finds a tenant by ID or domain (case-insensitive).
func (d *Directory) tenant(idOrDomain string) (Tenant, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, t := range d.tenants {
		if strings.EqualFold(t.ID, idOrDomain) || strings.EqualFold(t.Domain, idOrDomain) {
			return t, true
		}
	}
	return Tenant{}, false
}

// user finds a user by username (case-insensitive, as UPNs are).
func (d *Directory) user(username string) (User, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, u := range d.users {
		if strings.EqualFold(u.Username, username) {
			if u.DisplayName == "" {
				u.DisplayName, _, _ = strings.Cut(u.Username, "@")
			}
			if u.TenantID == "" {
				u.TenantID = DefaultTenantID
			}
			return u, true
		}
	}
	return User{}, false
}

// app finds an app registration by client ID (case-insensitive GUID).
func (d *Directory) app(clientID string) (App, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, a := range d.apps {
		if strings.EqualFold(a.ClientID, clientID) {
			return a, true
		}
	}
	return App{}, false
}

// resource finds a resource by application ID URI or app ID; a trailing
// slash is not significant.
func (d *Directory) resource(uri string) (Resource, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	want := strings.TrimRight(uri, "/")
	for _, r := range d.resources {
		if strings.EqualFold(strings.TrimRight(r.URI, "/"), want) || strings.EqualFold(r.AppID, want) {
			return r, true
		}
	}
	return Resource{}, false
}

// matchRedirect reports whether uri is registered for app. Loopback
// registrations over http ignore the port (Entra's "localhost exception").
func matchRedirect(app App, uri string) bool {
	for _, reg := range app.RedirectURIs {
		if reg == uri || loopbackMatch(reg, uri) {
			return true
		}
	}
	return false
}

// loopbackMatch applies the localhost exception: an http registration on
// localhost or 127.0.0.1 matches the same host on any port, same path.
func loopbackMatch(reg, uri string) bool {
	r, err1 := url.Parse(reg)
	u, err2 := url.Parse(uri)
	if err1 != nil || err2 != nil || r.Scheme != "http" || u.Scheme != "http" {
		return false
	}
	h := r.Hostname()
	if h != "localhost" && h != "127.0.0.1" {
		return false
	}
	norm := func(p string) string { return strings.TrimSuffix(p, "/") }
	return u.Hostname() == h && norm(u.Path) == norm(r.Path) && u.RawQuery == r.RawQuery && u.User == nil && u.Fragment == ""
}

// Users returns a copy of the directory's users.
func (d *Directory) Users() []User {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return append([]User(nil), d.users...)
}

// Apps returns a copy of the directory's app registrations.
func (d *Directory) Apps() []App {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return append([]App(nil), d.apps...)
}
