package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/oauth"
)

// A flow is one way `entraauth login` can sign a user in. Each flow lives in
// its own file and registers itself from an init function, so adding a flow
// adds a file and edits none: flow_device.go registers "device", and
// flow_browser.go (owned by the loopback flow) registers "browser".
type flow struct {
	// Name is the --flow value.
	Name string
	// Summary is one line for the usage text.
	Summary string
	// Priority orders the default choice: among the available flows, the
	// lowest Priority wins. Device code is 100, the fallback.
	Priority int
	// Available reports whether the flow can run in this session without
	// being asked for (a browser can open, ...). Nil means always. It is
	// consulted only to pick the default; --flow NAME skips it.
	Available func(s *session) bool
	// New builds the credential for the session. It must not make
	// requests; login calls Authenticate on what it returns.
	New func(s *session) (loginCredential, error)
}

// loginCredential is what every flow builds: an oauth.Credential that can
// also sign in and return the account's record.
type loginCredential interface {
	oauth.Credential
	Authenticate(ctx context.Context, o oauth.TokenOptions) (oauth.AuthenticationRecord, error)
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

var flows = map[string]*flow{}

// registerFlow adds a flow; it panics on a duplicate name (a build error
// in all but name).
func registerFlow(f *flow) {
	if _, dup := flows[f.Name]; dup {
		panic("entraauth: flow " + f.Name + " registered twice")
	}
	flows[f.Name] = f
}

// chooseFlow returns the flow --flow names, or the default: the available
// flow with the lowest Priority.
func chooseFlow(name string, s *session) (*flow, error) {
	if name != "" {
		if f, ok := flows[name]; ok {
			return f, nil
		}
		return nil, usagef("unknown --flow %q (available: %s)", name, flowNames())
	}
	best := autoFlow(s)
	for _, f := range flows {
		if f.Available != nil && !f.Available(s) {
			continue
		}
		if best == nil || f.Priority < best.Priority || (f.Priority == best.Priority && f.Name < best.Name) {
			best = f
		}
	}
	if best == nil {
		return nil, fmt.Errorf("no sign-in flow can run here (have: %s)", flowNames())
	}
	return best, nil
}

func flowNames() string {
	names := make([]string, 0, len(flows))
	for n := range flows {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
