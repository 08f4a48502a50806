package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

func init() {
	commands["fake-authority"] = command{"serve the fake authority on loopback (TLS) until interrupted", cmdFakeAuthority}
}

// fakeCertFile is where fake-authority writes its certificate, for
// clients to trust (SSL_CERT_FILE, or a test's CertPool).
const fakeCertFile = "fake-authority.pem"

// fakeReady, when set by a test, is called with the running authority.
var fakeReady func(*fakeauthority.Authority)

func cmdFakeAuthority(ctx context.Context, sio *stdio, args []string) error {
	fset := newCommandFlags("fake-authority", sio.stderr, "")
	addr := fset.String("addr", "127.0.0.1:0", "address to listen on (port 0 picks a free one)")
	approve := fset.Duration("auto-approve", 0, "approve every device code this long after issuing it (0: approve on the fake's page)")
	interval := fset.Duration("interval", fakeInterval, "device code polling interval the fake advertises")
	if err := parseFlags(fset, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fset.NArg() > 0 {
		return usagef("unexpected argument %q", fset.Arg(0))
	}
	dir, err := profileDir(sio, true)
	if err != nil {
		return err
	}
	statePath := filepath.Join(dir, fakeStateFile)
	state, found, err := readFakeState(statePath)
	if err != nil {
		return err
	}
	if found {
		// Checked here, as --fake commands do, for a clear error (Listen
		// would take an empty file for no state and overwrite it).
		if _, err := fakeauthority.Restore(state, nil); err != nil {
			return badFakeState(statePath, err)
		}
	}
	opts := &fakeauthority.Options{State: state, DeviceInterval: *interval, AutoApproveDevice: *approve}
	var running *fakeauthority.Authority
	err = fakeauthority.ListenAndServe(ctx, *addr, opts, func(a *fakeauthority.Authority) {
		running = a
		cert := filepath.Join(dir, fakeCertFile)
		if werr := writeFileAtomic(cert, a.CertPEM()); werr != nil {
			fmt.Fprintf(sio.stderr, "entraauth: cannot write the certificate: %v\n", werr)
		}
		fmt.Fprintf(sio.stdout, "Fake authority listening at %s\n", a.URL())
		fmt.Fprintf(sio.stdout, "  authority:   %s\n", a.AuthorityURL(fakeauthority.DefaultTenantID))
		fmt.Fprintf(sio.stdout, "  certificate: %s\n", cert)
		fmt.Fprintf(sio.stdout, "  sign in as:  %s, password %q\n", fakeauthority.DefaultUsername, fakeauthority.DefaultPassword)
		fmt.Fprintf(sio.stdout, "  device page: %s/devicelogin\n", a.URL())
		fmt.Fprintln(sio.stdout, "Press Ctrl-C to stop; the state is saved for the next --fake command.")
		if fakeReady != nil {
			fakeReady(a)
		}
	})
	if running != nil {
		b, serr := running.MarshalState()
		if serr == nil {
			serr = writeFileAtomic(statePath, b)
		}
		err = errors.Join(err, serr)
	}
	if errors.Is(err, context.Canceled) {
		return nil // interrupted: the normal way to stop
	}
	return err
}
