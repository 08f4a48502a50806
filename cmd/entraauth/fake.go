package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/conformance/fakebroker"
	"github.com/entraauth/entraauth/devicecode"
)

// Settings of the embedded fake authority (--fake).
const (
	fakeStateFile   = "authority.json"
	fakeBrokerFile  = "broker.json"   // the fake broker's accounts and refresh tokens
	fakeInterval    = time.Second     // the device polling interval the fake advertises
	fakeApproveWait = 2 * time.Second // how long after issuing a code the fake approves it
)

// fakeEnv is the embedded fake authority of a --fake command. Its state
// (signing keys, directory, refresh tokens) is loaded from and saved to
// the profile directory, so that a later command sees the same tenant,
// keys and refresh tokens. The client reaches it in-process, at
// https://login.microsoftonline.com; with --fake-manual its handler is
// also served on a loopback port for the user's browser.
type fakeEnv struct {
	fa        *fakeauthority.Authority
	statePath string
	manualURL string // base URL of the loopback server (--fake-manual, or the device prompt)
	manual    bool   // --fake-manual: nothing is approved automatically
	srv       *http.Server
	broker    *fakebroker.Broker // the fake broker, when a command started one
}

// onFake, when set (by tests), receives each fake authority a command
// creates, so a test can count the requests it served.
var onFake func(*fakeauthority.Authority)

func openFake(ctx context.Context, s *session) (*fakeEnv, error) {
	fe := &fakeEnv{statePath: filepath.Join(s.dir, fakeStateFile), manual: s.opts.fakeManual}
	state, found, err := readFakeState(fe.statePath)
	if err != nil {
		return nil, err
	}
	opts := &fakeauthority.Options{DeviceInterval: fakeInterval}
	if !s.opts.fakeManual {
		opts.AutoApproveDevice = fakeApproveWait
	}
	if !found {
		fe.fa = fakeauthority.New(opts)
	} else if fe.fa, err = fakeauthority.Restore(state, opts); err != nil {
		return nil, badFakeState(fe.statePath, err)
	}
	if s.opts.fakeManual {
		if err := fe.serve(); err != nil {
			return nil, err
		}
	}
	if onFake != nil {
		onFake(fe.fa)
	}
	s.client.HTTPClient = fe.fa.Client()
	s.client.AuthorityHost = fe.fa.URL()
	return fe, nil
}

// readFakeState reads the fake authority's state file; found is false
// when there is none yet (the first --fake command).
func readFakeState(path string) (state []byte, found bool, err error) {
	state, err = readFileMax(path, maxStateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("fake authority: %w", err)
	}
	return state, true, nil
}

// badFakeState explains a state file the fake cannot restore. The file is
// left as it is: it may be worth a look, and deleting it signs the fake's
// user out, which is the user's call.
func badFakeState(path string, err error) error {
	return fmt.Errorf("the fake authority's state file %s cannot be read (%w); delete it to start afresh with a new fake tenant (this signs out of the fake)", path, err)
}

// serve makes the fake's pages reachable from a browser on this machine.
func (fe *fakeEnv) serve() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("fake authority: %w", err)
	}
	fe.manualURL = "http://" + ln.Addr().String()
	fe.srv = &http.Server{Handler: fe.fa, ReadHeaderTimeout: 10 * time.Second}
	go fe.srv.Serve(ln)
	return nil
}

// rewrite points a device code message at the fake's own page, served on
// loopback for the occasion: the fake answers as
// login.microsoftonline.com, whose real page would not know the code.
// Without --fake-manual the fake also approves the code by itself.
func (fe *fakeEnv) rewrite(m devicecode.Message) devicecode.Message {
	if fe.manualURL == "" {
		if err := fe.serve(); err != nil {
			m.Message = "Fake authority: the code " + m.UserCode + " is approved automatically (its page could not be served: " + err.Error() + ")."
			return m
		}
	}
	m.VerificationURI = fe.manualURL + "/devicelogin"
	m.Message = fmt.Sprintf("Fake authority: open %s and enter the code %s (user %s, password %q).",
		m.VerificationURI, m.UserCode, fakeauthority.DefaultUsername, fakeauthority.DefaultPassword)
	if !fe.manual {
		m.Message += fmt.Sprintf(" It approves the code by itself in %v.", fakeApproveWait)
	}
	return m
}

func (fe *fakeEnv) save() error {
	b, err := fe.fa.MarshalState()
	if err != nil {
		return fmt.Errorf("fake authority: saving state: %w", err)
	}
	if err := writeFileAtomic(fe.statePath, b); err != nil || fe.broker == nil {
		return err
	}
	if b, err = fe.broker.MarshalState(); err != nil {
		return fmt.Errorf("fake broker: saving state: %w", err)
	}
	return writeFileAtomic(filepath.Join(filepath.Dir(fe.statePath), fakeBrokerFile), b)
}

func (fe *fakeEnv) close() {
	if fe.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		fe.srv.Shutdown(ctx)
	}
}
