// Package auto signs a user in the way this machine allows: the
// developer's Azure CLI session, then the OS broker, then the system
// browser where one can open, then a device code where a terminal is
// attached, each only when it can run here and is not excluded (as
// azure-identity's DefaultAzureCredential and its exclude_* options).
//
// It sits above the flow packages and imports them; the flows never
// import it or each other.
package auto

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/entraauth/entraauth/azurecli"
	"github.com/entraauth/entraauth/broker"
	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/loopback"
	"github.com/entraauth/entraauth/oauth"
)

// Flow names one way to sign in.
type Flow string

// The flows, in the order [New] tries them.
const (
	// AzureCLI: the developer's Azure CLI session (package azurecli).
	AzureCLI Flow = "azurecli"
	// Broker: the operating system's identity broker (package broker),
	// or the credential passed in as Options.Broker.
	Broker Flow = "broker"
	// Browser: the system browser with a loopback redirect (package loopback).
	Browser Flow = "browser"
	// DeviceCode: a code to enter on another device (package devicecode).
	DeviceCode Flow = "devicecode"
)

// DefaultOrder returns every flow in the order [New] tries them.
func DefaultOrder() []Flow { return []Flow{AzureCLI, Broker, Browser, DeviceCode} }

// Options configure [New]. A nil *Options means the defaults.
type Options struct {
	// ClientOptions are shared by every flow: authority, tenant, HTTP
	// client, cache (nil means one in-memory cache shared by the flows),
	// AuthenticationRecord, logger. The Azure CLI session takes only the
	// tenant, HTTP client, allowed tenants and logger from it: its
	// tokens live in Azure CLI's own cache.
	oauth.ClientOptions

	// ExcludeAzureCLI, ExcludeBroker, ExcludeBrowser and
	// ExcludeDeviceCode leave a flow out even where it could run.
	ExcludeAzureCLI   bool
	ExcludeBroker     bool
	ExcludeBrowser    bool
	ExcludeDeviceCode bool

	// AzureCLI configures the Azure CLI session credential; nil means its
	// defaults (with ClientOptions' tenant, HTTP client and logger).
	AzureCLI *azurecli.Options

	// BrokerOptions configure the OS broker's credential (package
	// broker), built from ClientOptions by default; its ClientOptions
	// field is ignored in favour of this struct's. Where broker.New
	// reports no broker on this machine (broker.ErrUnsupported), the
	// broker is left out of the plan; where the broker turns out to be
	// absent only when called (not installed on the session bus), its
	// GetToken fails with an *oauth.CredentialUnavailableError and the
	// next flow runs.
	BrokerOptions *broker.Options

	// Broker, when set, replaces the OS broker's credential (a broker
	// built by the caller, or a stand-in), tried after the Azure CLI
	// session; BrokerOptions is then ignored.
	Broker oauth.Credential

	// OpenURL replaces the system browser (see loopback.Options.OpenURL);
	// when set, the browser flow counts as able to open.
	OpenURL func(ctx context.Context, authorizeURL string) error
	// DevicePrompt shows the device code (see devicecode.Options.Prompt);
	// when set, the device code flow counts as having somewhere to show
	// the code even without a terminal.
	DevicePrompt func(ctx context.Context, m devicecode.Message) error
}

// machine is what the choice of flows depends on, so it is tested
// without a browser or a terminal.
type machine struct {
	canOpenBrowser func() bool
	hasTerminal    func() bool
	// newBroker builds the OS broker's credential; an error matching
	// broker.ErrUnsupported means there is none on this machine.
	newBroker func(clientID string, o *broker.Options) (*broker.Credential, error)
}

var thisMachine = machine{canOpenBrowser: loopback.CanOpenBrowser, hasTerminal: stderrIsTerminal, newBroker: broker.New}

// stderrIsTerminal reports whether standard error is a terminal, where
// the device code prompt is written by default.
func stderrIsTerminal() bool {
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Plan returns the flows [New] would try for clientID ("" means the Azure
// CLI client) on this machine, in order: the Azure CLI session (only for
// the Azure CLI client, whose session it is), the OS broker where this
// machine has one (broker.New does not report broker.ErrUnsupported) or
// Options.Broker is set, the browser when one can open (or OpenURL is
// set), the device code when standard error is a terminal (or
// DevicePrompt is set); minus the excluded ones.
// It makes no broker call and no request.
func Plan(clientID string, opts *Options) ([]Flow, error) {
	plan, b, err := thisMachine.plan(clientID, opts)
	if b != nil {
		b.Close()
	}
	return plan, err
}

// plan returns the flows to try and, when the plan includes the OS
// broker built here, its credential (the caller closes it).
func (m machine) plan(clientID string, opts *Options) ([]Flow, *broker.Credential, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	var out []Flow
	if !o.ExcludeAzureCLI && (clientID == "" || clientID == oauth.AzureCLIClientID) {
		out = append(out, AzureCLI)
	}
	var b *broker.Credential
	if !o.ExcludeBroker {
		switch {
		case o.Broker != nil:
			out = append(out, Broker)
		case m.newBroker != nil:
			var err error
			if b, err = m.newBroker(clientID, o.brokerOptions()); err == nil {
				out = append(out, Broker)
			} else if !errors.Is(err, broker.ErrUnsupported) {
				return nil, nil, fmt.Errorf("auto: broker: %w", err)
			}
		}
	}
	if !o.ExcludeBrowser && (o.OpenURL != nil || m.canOpenBrowser()) {
		out = append(out, Browser)
	}
	if !o.ExcludeDeviceCode && (o.DevicePrompt != nil || m.hasTerminal()) {
		out = append(out, DeviceCode)
	}
	return out, b, nil
}

// brokerOptions are the OS broker's options: BrokerOptions with this
// struct's ClientOptions.
func (o *Options) brokerOptions() *broker.Options {
	var bo broker.Options
	if o.BrokerOptions != nil {
		bo = *o.BrokerOptions
	}
	bo.ClientOptions = o.ClientOptions
	return &bo
}

// Credential signs in with the first flow of its plan that can run, and
// keeps using the one that worked (an [oauth.ChainCredential]). It is
// safe for concurrent use.
type Credential struct {
	chain  *oauth.ChainCredential
	plan   []Flow
	client *oauth.Client      // over the flows' shared cache, for Accounts
	broker *broker.Credential // the OS broker built here, if in the plan
}

var _ oauth.Credential = (*Credential)(nil)

// New returns a credential for clientID ("" means the Azure CLI public
// client) that tries the flows of [Plan] in order. It makes no request.
// With no flow left it fails with an *oauth.CredentialUnavailableError.
func New(clientID string, opts *Options) (*Credential, error) {
	return thisMachine.build(clientID, opts)
}

func (m machine) build(clientID string, opts *Options) (*Credential, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Cache == nil {
		o.Cache = cache.New(nil, &cache.Options{Logger: o.Logger})
	}
	plan, b, err := m.plan(clientID, &o)
	if err != nil {
		return nil, err
	}
	cred, err := o.assemble(clientID, plan, b)
	if err != nil && b != nil {
		b.Close()
	}
	return cred, err
}

// assemble builds each flow's credential of plan (b is the OS broker's).
func (o *Options) assemble(clientID string, plan []Flow, b *broker.Credential) (*Credential, error) {
	if len(plan) == 0 {
		return nil, &oauth.CredentialUnavailableError{Credential: "auto",
			Reason: "no way to sign in here: every flow is excluded, or there is no broker, no browser and no terminal"}
	}
	creds := make([]oauth.Credential, 0, len(plan))
	for _, f := range plan {
		var c oauth.Credential
		var err error
		if f == Broker && b != nil {
			c = b
		} else if c, err = o.credential(f, clientID); err != nil {
			return nil, fmt.Errorf("auto: %s: %w", f, err)
		}
		creds = append(creds, c)
	}
	client, err := oauth.NewClient(clientID, &o.ClientOptions)
	if err != nil {
		return nil, fmt.Errorf("auto: %w", err)
	}
	return &Credential{chain: oauth.Chain(creds...), plan: plan, client: client, broker: b}, nil
}

// credential builds one flow's credential.
func (o *Options) credential(f Flow, clientID string) (oauth.Credential, error) {
	switch f {
	case AzureCLI:
		var ao azurecli.Options
		if o.AzureCLI != nil {
			ao = *o.AzureCLI
		}
		if ao.TenantID == "" && o.TenantID != "" && oauth.ValidateTenant(o.TenantID) == nil && !isTenantIndependent(o.TenantID) {
			ao.TenantID = o.TenantID
		}
		if ao.HTTPClient == nil {
			ao.HTTPClient = o.HTTPClient
		}
		if ao.Logger == nil {
			ao.Logger = o.Logger
		}
		if ao.AdditionallyAllowedTenants == nil {
			ao.AdditionallyAllowedTenants = o.AdditionallyAllowedTenants
		}
		return azurecli.New(&ao)
	case Broker:
		return o.Broker, nil
	case Browser:
		return loopback.New(clientID, &loopback.Options{ClientOptions: o.ClientOptions, OpenURL: o.OpenURL})
	case DeviceCode:
		return devicecode.New(clientID, &devicecode.Options{ClientOptions: o.ClientOptions, Prompt: o.DevicePrompt})
	}
	return nil, errors.New("unknown flow")
}

func isTenantIndependent(t string) bool {
	switch t {
	case oauth.TenantCommon, oauth.TenantOrganizations, oauth.TenantConsumers:
		return true
	}
	return false
}

// GetToken returns a token from the first flow of the plan that can run,
// or from the one that worked before.
func (c *Credential) GetToken(ctx context.Context, opts oauth.TokenOptions) (oauth.AccessToken, error) {
	return c.chain.GetToken(ctx, opts)
}

// Flows returns the plan: the flows this credential tries, in order.
func (c *Credential) Flows() []Flow { return append([]Flow(nil), c.plan...) }

// Selected returns the flow's credential that last produced a token
// (*azurecli.Credential, *loopback.Credential, ...), or nil before any.
func (c *Credential) Selected() oauth.Credential { return c.chain.Selected() }

// Accounts lists the accounts in the flows' shared cache (those signed
// in through the browser or device code), then those the OS broker holds
// for this application that are not already listed (none where the
// broker is absent). The Azure CLI session's accounts are Azure CLI's:
// list them with azurecli.Credential.Accounts.
func (c *Credential) Accounts(ctx context.Context) ([]oauth.Account, error) {
	accts, err := c.client.Accounts(ctx)
	if err != nil || c.broker == nil {
		return accts, err
	}
	held, err := c.broker.Accounts(ctx)
	if oauth.IsCredentialUnavailable(err) {
		return accts, nil
	}
	if err != nil {
		return nil, err
	}
	for _, b := range held {
		if !slices.ContainsFunc(accts, func(a oauth.Account) bool {
			return strings.EqualFold(a.HomeAccountID, b.HomeAccountID) && strings.EqualFold(a.Environment, b.Environment)
		}) {
			accts = append(accts, b)
		}
	}
	return accts, nil
}

// RemoveAccount deletes an account's tokens from the flows' shared cache
// and signs it out of the OS broker for this application (where there is
// one). It does not sign the user out at the authority, nor out of Azure
// CLI.
func (c *Credential) RemoveAccount(ctx context.Context, a oauth.Account) error {
	if err := c.client.RemoveAccount(ctx, a); err != nil {
		return err
	}
	if c.broker == nil || a.HomeAccountID == "" {
		return nil
	}
	if err := c.broker.RemoveAccount(ctx, a); err != nil && !oauth.IsCredentialUnavailable(err) {
		return err
	}
	return nil
}

// Close releases the connection to the OS broker, if one was opened.
func (c *Credential) Close() error {
	if c.broker == nil {
		return nil
	}
	return c.broker.Close()
}
