// Package auto signs a user in the way this machine allows, silent
// first: every call first tries, without a prompt, whatever already holds
// a session (the developer's Azure CLI session, the OS broker, the
// persistent token cache shared by the browser and device code flows);
// only when none serves does it run a step that needs a person (the
// broker's sign-in window, the system browser, a device code), and each
// such step only when it can run at that moment (a browser can open, a
// terminal is attached, a display shows the OS broker's window), decided
// at the call, not when the credential is built. So a cron job, a CI step or a pipe whose cache holds a valid
// token gets it with no terminal. A flow can be excluded as
// azure-identity's DefaultAzureCredential exclude_* options do. A refusal
// by the authority of a session auto cannot renew by itself (the Azure
// CLI session's revoked refresh token: run az login) stops the search
// there, as in DefaultAzureCredential; a refused refresh token of the
// flows' own cache leads to a sign-in, as with each flow alone.
//
// It sits above the flow packages and imports them; the flows never
// import it or each other.
package auto

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"

	"github.com/entraauth/entraauth/azurecli"
	"github.com/entraauth/entraauth/broker"
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
	// AuthenticationRecord, logger. The Azure CLI session and the broker
	// take them all but Cache (their tokens live in Azure CLI's own cache
	// and in the broker); a tenant-independent tenant leaves the Azure CLI
	// session on az's default subscription.
	oauth.ClientOptions

	// ExcludeAzureCLI, ExcludeBroker, ExcludeBrowser and
	// ExcludeDeviceCode leave a flow out even where it could run.
	ExcludeAzureCLI   bool
	ExcludeBroker     bool
	ExcludeBrowser    bool
	ExcludeDeviceCode bool

	// AzureCLI configures the Azure CLI session credential; nil means its
	// defaults. Its ClientOptions, when left zero, are this struct's (as
	// above); set, they are used as they are, except that this struct's
	// AuthenticationRecord binds them too (naming another one is an
	// error).
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
	// session; BrokerOptions is then ignored. A broker passed in may sign
	// in at every call; the OS broker built here opens its sign-in window
	// only where one can be shown (on Linux, DISPLAY or WAYLAND_DISPLAY
	// is set), asked at the call.
	Broker oauth.Credential

	// OpenURL replaces the system browser (see loopback.Options.OpenURL);
	// when set, the browser flow counts as able to open at every call.
	OpenURL func(ctx context.Context, authorizeURL string) error
	// UserPrompt shows the device code (see devicecode.Options.UserPrompt);
	// when set, the device code flow counts as having somewhere to show
	// the code even without a terminal (else it runs only while standard
	// error is a terminal).
	UserPrompt func(ctx context.Context, m devicecode.Message) error
}

// machine is what the choice of flows depends on, so it is tested
// without a browser or a terminal. canOpenBrowser, hasTerminal and
// canShowWindow are asked at each call, before a step that needs a
// person.
type machine struct {
	canOpenBrowser func() bool
	hasTerminal    func() bool
	// canShowWindow reports whether the OS broker's sign-in window can
	// reach a person here; nil means it always can.
	canShowWindow func() bool
	// newBroker builds the OS broker's credential; an error matching
	// broker.ErrUnsupported means there is none on this machine.
	newBroker func(clientID string, o *broker.Options) (*broker.Credential, error)
}

var thisMachine = machine{canOpenBrowser: loopback.CanOpenBrowser, hasTerminal: stderrIsTerminal,
	canShowWindow: hasDisplay, newBroker: broker.New}

// hasDisplay reports whether a window can be shown to this process's
// user: on Linux a graphical session named in DISPLAY or WAYLAND_DISPLAY
// (a cron job, a CI step or an SSH shell has neither); elsewhere (WAM on
// Windows) always.
func hasDisplay() bool {
	if runtime.GOOS != "linux" {
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

// stderrIsTerminal reports whether standard error is a terminal, where
// the device code prompt is written by default.
func stderrIsTerminal() bool {
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Plan returns the flows [New] would try for clientID ("" means the Azure
// CLI client), in order: the Azure CLI session (only for the Azure CLI
// client, whose session it is), the OS broker where this machine has one
// (broker.New does not report broker.ErrUnsupported) or Options.Broker is
// set, the browser, the device code; minus the excluded ones. Whether the
// browser can open and whether a terminal is attached are not part of the
// plan: they are asked at each call, only when nothing silent served.
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
	if !o.ExcludeBrowser {
		out = append(out, Browser)
	}
	if !o.ExcludeDeviceCode {
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
	bo.Cache = nil // the broker keeps the account's tokens, not the flows' cache
	return &bo
}

// azureCLIClientOptions are the shared options as the Azure CLI session
// takes them: az's own files are its cache, and a tenant-independent
// tenant leaves the choice to az's default subscription.
func (o *Options) azureCLIClientOptions() oauth.ClientOptions {
	co := o.ClientOptions
	co.Cache = nil
	if isTenantIndependent(co.TenantID) {
		co.TenantID = ""
	}
	return co
}

// credential builds one flow's credential.
func (o *Options) credential(f Flow, clientID string) (oauth.Credential, error) {
	switch f {
	case AzureCLI:
		var ao azurecli.Options
		if o.AzureCLI != nil {
			ao = *o.AzureCLI
		}
		if reflect.ValueOf(ao.ClientOptions).IsZero() {
			ao.ClientOptions = o.azureCLIClientOptions()
		}
		// A credential bound to a user serves only that user, in every
		// step: the record binds the Azure CLI step even when it has
		// options of its own.
		if rec := o.AuthenticationRecord; rec != (oauth.AuthenticationRecord{}) {
			switch ao.AuthenticationRecord {
			case oauth.AuthenticationRecord{}:
				ao.AuthenticationRecord = rec
			case rec:
			default:
				return nil, errors.New("auto: Options.AzureCLI names another AuthenticationRecord than Options.ClientOptions")
			}
		}
		return azurecli.New(&ao)
	case Broker:
		return o.Broker, nil
	case Browser:
		return loopback.New(clientID, &loopback.Options{ClientOptions: o.ClientOptions, OpenURL: o.OpenURL})
	case DeviceCode:
		return devicecode.New(clientID, &devicecode.Options{ClientOptions: o.ClientOptions, UserPrompt: o.UserPrompt})
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
