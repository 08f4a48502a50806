package main

import (
	"sort"
	"strings"
	"sync"

	"github.com/entraauth/entraauth/auto"
	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/loopback"
	"github.com/entraauth/entraauth/oauth"
)

// loginFlows maps login's --flow names to package auto's flows. login
// signs in through an auto.Credential, which is the one chooser: without
// --flow it takes auto's order (the browser where one can open at the
// call, else the device code); --flow NAME excludes every other flow.
// The OS broker runs only when asked for (--flow broker): the default
// needs nothing installed. The Azure CLI session never runs here: it
// signs nobody in.
var loginFlows = map[string]auto.Flow{"broker": auto.Broker, "browser": auto.Browser, "device": auto.DeviceCode}

// loginCredential is what login signs in with: auto's credential, with
// the flow's own credential once one has signed in (Selected).
type loginCredential interface {
	oauth.Authenticator
	Selected() oauth.Credential
	Close() error
}

// newLoginCredential builds the auto credential for login: the flow
// --flow names ("" for auto's choice), each flow with the CLI's own way
// to reach the user (the countdown, the system browser or the fake's
// stand-in, the fake broker).
func newLoginCredential(s *session, name string) (loginCredential, error) {
	want, ok := loginFlows[name]
	if name != "" && !ok {
		return nil, usagef("unknown --flow %q (available: %s)", name, flowNames())
	}
	o := &auto.Options{
		ClientOptions:   s.client,
		ExcludeAzureCLI: true,
		ExcludeBroker:   want != auto.Broker,
		ExcludeBrowser:  name != "" && want != auto.Browser,
		// The prompt writes plain lines where stderr is no terminal, so
		// the device code can always run.
		ExcludeDeviceCode: name != "" && want != auto.DeviceCode,
		UserPrompt:        devicePrompt(s),
		OpenURL:           browserOpener(s, name == "browser"),
	}
	if want == auto.Broker {
		b, err := newBrokerFlow(s)
		if err != nil {
			return nil, err
		}
		o.Broker = b
	}
	return auto.New(s.clientID, o)
}

// flowName is the --flow name of the flow whose credential signed in.
func flowName(c oauth.Credential) string {
	switch c.(type) {
	case brokerLogin:
		return "broker"
	case *loopback.Credential:
		return "browser"
	case *devicecode.Credential:
		return "device"
	}
	return ""
}

// session is what a flow is built from: the parsed command line, the
// resolved client options (authority, tenant, HTTP client, persistent
// cache, logger), the standard streams and, with --fake, the embedded
// fake authority.
type session struct {
	opts     *options
	io       *stdio
	clientID string
	client   oauth.ClientOptions
	fake     *fakeEnv // nil unless --fake

	dir       string // the profile directory: record, plain-file cache, fake state
	hasRecord bool   // a previous login left an AuthenticationRecord
	loginFlow string // the flow of that login ("broker": the broker keeps its tokens)
	storage   cache.Storage
	store     storeInfo // where storage keeps the tokens
	closers   []func() error

	mu      sync.Mutex
	cleanup []func()
}

// onDone registers f to run when the sign-in has ended, whatever its
// outcome, before login prints its result (for example to erase a prompt).
// It is safe to call from the goroutine the engine runs a sign-in on.
func (s *session) onDone(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cleanup = append(s.cleanup, f)
}

func (s *session) done() {
	s.mu.Lock()
	fs := s.cleanup
	s.cleanup = nil
	s.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}

func flowNames() string {
	names := make([]string, 0, len(loginFlows))
	for n := range loginFlows {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
