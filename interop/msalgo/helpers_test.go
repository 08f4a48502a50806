package msalgo

import (
	"testing"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// msalSetup is an MSAL Go public client pointed at a fake authority.
type msalSetup struct {
	fa     *fakeauthority.Authority
	client public.Client
	// authority is the authority URL MSAL was configured with.
	authority string
}

// msalOptions tune newMSAL; the zero value is the default tenant, the
// Azure CLI client ID and a private in-memory MSAL cache.
type msalOptions struct {
	fake     *fakeauthority.Options // nil: defaults
	tenant   string                 // "" means fakeauthority.DefaultTenantID
	clientID string                 // "" means fakeauthority.AzureCLIClientID
	cache    cache.ExportReplace    // nil: MSAL's own in-memory cache
	// on, when set, is an already started (TLS) authority to point at,
	// for several MSAL clients sharing one fake; fake is then ignored.
	on *fakeauthority.Authority
}

// newMSAL starts a fake authority on a TLS socket (closed with the test),
// or uses o.on, and returns an MSAL Go public client that trusts its certificate. MSAL
// is told to skip instance discovery: the fake's host (127.0.0.1:PORT)
// is not a known Entra host, and MSAL would otherwise ask the real
// login.microsoftonline.com about it.
func newMSAL(t *testing.T, o msalOptions) msalSetup {
	t.Helper()
	if o.tenant == "" {
		o.tenant = fakeauthority.DefaultTenantID
	}
	if o.clientID == "" {
		o.clientID = fakeauthority.AzureCLIClientID
	}
	fa := o.on
	if fa == nil {
		fa = fakeauthority.Start(t, o.fake)
	}
	authority := fa.AuthorityURL(o.tenant)
	opts := []public.Option{
		public.WithAuthority(authority),
		public.WithHTTPClient(fa.TLSClient()),
		public.WithInstanceDiscovery(false),
	}
	if o.cache != nil {
		opts = append(opts, public.WithCache(o.cache))
	}
	client, err := public.New(o.clientID, opts...)
	if err != nil {
		t.Fatalf("public.New: %v", err)
	}
	return msalSetup{fa: fa, client: client, authority: authority}
}
