package fakeauthority

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Options configure an [Authority]. The zero value (or a nil *Options) gives
// a working authority with the [DefaultDirectory].
type Options struct {
	// Host, when set (for example "login.microsoftonline.com" or
	// "127.0.0.1:8443"), is the host every issuer and endpoint URL names.
	// When empty the authority answers with the host and scheme each request
	// came to, so one handler can pretend to be any cloud.
	Host string

	// Now is the authority's clock. Nil means time.Now, which inside a
	// testing/synctest bubble is the bubble's fake clock. [Authority.Advance]
	// moves the clock forward on top of it.
	Now func() time.Time

	// Directory is the tenants, users and applications the authority knows.
	// Nil means [DefaultDirectory]().
	Directory *Directory

	// AutoApprove makes /authorize sign in without showing the sign-in
	// page: as the login_hint user when it names a known user, else as
	// AutoApproveUser, else as [DefaultUsername]. For headless tests.
	AutoApprove bool
	// AutoApproveUser is the username AutoApprove and AutoApproveDevice
	// sign in as; "" means the login_hint or [DefaultUsername].
	AutoApproveUser string
	// AutoApproveDevice, when positive, approves every device code this long
	// after it was issued, as if AutoApproveUser (or [DefaultUsername]) had
	// typed the user code. It is evaluated when the client polls, so it
	// needs no goroutine and works inside testing/synctest.
	AutoApproveDevice time.Duration

	// AccessTokenLifetime, when positive, pins expires_in (and
	// ext_expires_in) of access tokens. When 0 every token gets a random
	// lifetime of 60 to 90 minutes (3600-5400 s), as Entra's default.
	AccessTokenLifetime time.Duration
	// RefreshTokenLifetime is the inactivity lifetime of refresh tokens;
	// 0 means 90 days, as Entra.
	RefreshTokenLifetime time.Duration
	// RefreshIn, when positive, is sent as refresh_in on every token
	// response. When 0 the fake follows Entra: refresh_in is half the
	// lifetime, sent only for lifetimes of 2 hours or more.
	RefreshIn time.Duration
	// RejectRefreshTokenReuse makes a refresh token single-use: a redeemed
	// token answers invalid_grant (AADSTS70000). Entra accepts reuse of a
	// refresh token until it expires; this is a stricter mode for tests.
	RejectRefreshTokenReuse bool
	// DeviceCodeLifetime is expires_in of device codes; 0 means 15 minutes.
	DeviceCodeLifetime time.Duration
	// DeviceInterval is the polling interval advertised; 0 means 5 seconds.
	DeviceInterval time.Duration
	// EnforceDeviceInterval answers slow_down to polls that come sooner
	// than the advertised interval after the previous one. Entra does not
	// do this (MSAL Go polls every 50 ms at first), so it is off by default.
	EnforceDeviceInterval bool

	// UniqueKey gives the authority a signing key of its own. By default
	// every authority of a process starts with the same RSA key (published
	// under a kid of its own, so tokens of one authority do not verify
	// against another's JWKS by kid), because generating a key is slow.
	// [Authority.RotateKey] always makes a fresh key.
	UniqueKey bool

	// State restores what [Authority.MarshalState] saved: signing keys,
	// directory, refresh tokens and pending device codes. It overrides
	// Directory. A state that cannot be read makes [New] panic and
	// [Listen] fail; [Restore] is the way to restore a state from a file.
	State []byte
}

// Authority is a fake Microsoft Entra ID authority: an [http.Handler]
// serving the v2.0 endpoints for every tenant of its [Directory]. It is safe
// for concurrent use. Create one with [New] (in memory), [Start] (a TLS
// socket for a test) or [Listen] (a TLS socket for a program).
type Authority struct {
	opts Options

	mu           sync.Mutex
	offset       time.Duration // added to opts.Now by Advance
	dir          *Directory
	keys         *keyRing
	codes        map[string]*authCode
	pendingAuth  map[string]*authRequest
	sessions     map[string]string // browser session id -> username
	refresh      map[string]*refreshToken
	devices      map[string]*deviceCode // by device_code
	faults       map[Endpoint][]*Fault
	misbehave    Misbehavior
	badKey       *misbehavingKey // published and signing under a key misbehaviour
	idTokenHook  func(claims map[string]any)
	tokenHook    func(resp map[string]any)
	redirectHook func(params url.Values)
	requests     []Request
	counts       map[Endpoint]int
	seq          uint64
	sshCA        sshCA // sshcert.go

	// set by Start/Listen
	server *tlsServer
	client *http.Client
}

// New returns an in-memory authority. Its [Authority.Client] calls the
// handler in the same process without a socket, pretending to be
// https://login.microsoftonline.com (or Options.Host); use it for every
// test that does not need a real socket, including tests inside
// testing/synctest. New panics if opts.State cannot be restored, as it
// would for any other programmer error; a state read from a file is data:
// restore it with [Restore], which returns an error instead.
func New(opts *Options) *Authority {
	a, err := build(opts)
	if err != nil {
		panic(err.Error())
	}
	return a
}

// Restore returns an in-memory authority, as [New] does, with the state
// that [Authority.MarshalState] saved (opts.State is ignored). A state
// that cannot be restored (empty, truncated, not JSON, wrong types, another
// version, no usable signing key) gives an error that errors.Is
// [ErrBadState], never a panic.
func Restore(state []byte, opts *Options) (*Authority, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if len(bytes.TrimSpace(state)) == 0 {
		return nil, fmt.Errorf("%w: the state is empty", ErrBadState)
	}
	o.State = state
	return build(&o)
}

// build is New returning an error for a state it cannot restore.
func build(opts *Options) (*Authority, error) {
	a := &Authority{
		codes:       map[string]*authCode{},
		pendingAuth: map[string]*authRequest{},
		sessions:    map[string]string{},
		refresh:     map[string]*refreshToken{},
		devices:     map[string]*deviceCode{},
		faults:      map[Endpoint][]*Fault{},
		counts:      map[Endpoint]int{},
	}
	if opts != nil {
		a.opts = *opts
	}
	if a.opts.Now == nil {
		a.opts.Now = time.Now
	}
	if len(a.opts.State) > 0 {
		if err := a.restoreState(a.opts.State); err != nil {
			return nil, err
		}
	} else {
		a.dir = a.opts.Directory
		if a.dir == nil {
			a.dir = DefaultDirectory()
		}
		a.keys = newKeyRing(a.opts.UniqueKey)
	}
	a.client = &http.Client{Transport: &memTransport{a: a, real: loopbackTransport()}}
	return a, nil
}

// now is the authority's clock.
func (a *Authority) now() time.Time {
	a.mu.Lock()
	off := a.offset
	a.mu.Unlock()
	return a.opts.Now().Add(off)
}

// Now returns the authority's current time: Options.Now plus every
// [Authority.Advance].
func (a *Authority) Now() time.Time { return a.now() }

// Advance moves the authority's clock forward by d, so codes, device codes
// and refresh tokens expire without waiting. Tokens minted afterwards carry
// the advanced times.
func (a *Authority) Advance(d time.Duration) {
	a.mu.Lock()
	a.offset += d
	a.mu.Unlock()
}

// Client returns an *http.Client that reaches this authority. For an
// authority made by [New] its transport calls the handler in-process for
// any URL (so "https://login.microsoftonline.com/..." works with no
// network), except plain http to localhost or a loopback address, which
// goes to the real network so that redirects reach a native app's
// loopback listener; for one made by [Start] or [Listen] it is a TLS client that
// trusts the authority's certificate.
func (a *Authority) Client() *http.Client { return a.client }

// TLSClient is [Authority.Client] for an authority on a TLS socket; it
// returns nil for an in-memory authority.
func (a *Authority) TLSClient() *http.Client {
	if a.server == nil {
		return nil
	}
	return a.client
}

// CertPool returns a pool holding the certificate of the authority's TLS
// socket, or nil for an in-memory authority.
func (a *Authority) CertPool() *x509.CertPool {
	if a.server == nil {
		return nil
	}
	return a.server.pool
}

// URL returns the base URL of the authority without a trailing slash:
// "https://127.0.0.1:PORT" for a socket, else "https://" + Options.Host
// (default login.microsoftonline.com). Append "/" + tenant to get an
// authority URL for a client.
func (a *Authority) URL() string {
	if a.server != nil {
		return "https://" + a.server.addr
	}
	if a.opts.Host != "" {
		return "https://" + a.opts.Host
	}
	return "https://" + DefaultHost
}

// AuthorityURL returns URL() + "/" + tenant, the authority a client is
// configured with ("organizations", "common" or a tenant ID or domain).
func (a *Authority) AuthorityURL(tenant string) string {
	return a.URL() + "/" + strings.Trim(tenant, "/")
}

// Directory returns the authority's directory, for adding users and
// applications after start. It is safe to change while the authority runs.
func (a *Authority) Directory() *Directory { return a.dir }

// DefaultHost is the host an in-memory authority pretends to be.
const DefaultHost = "login.microsoftonline.com"

// CIAMHost is a Microsoft Entra External ID (CIAM) host the in-memory
// authority also answers for: https://contoso.ciamlogin.com, whose
// path-less authority names the tenant contoso.onmicrosoft.com
// ([DefaultTenantDomain]). Requests to it get CIAM's issuer,
// https://{tenantid}.ciamlogin.com/{tenantid}/v2.0.
const CIAMHost = "contoso.ciamlogin.com"
