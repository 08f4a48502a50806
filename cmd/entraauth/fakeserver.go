package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

func init() {
	commands["fake-authority"] = command{"serve the fake authority on loopback (TLS) until interrupted", cmdFakeAuthority}
}

// fakeCertFile is where fake-authority writes its certificate by
// default, for clients to trust (--ca-file, SSL_CERT_FILE, a CertPool):
// named by the port, which no other running fake holds, so two fakes run
// side by side without one overwriting the other's certificate.
func fakeCertFile(port string) string { return "fake-authority-" + port + ".pem" }

// fakeReady, when set by a test, is called with the running authority.
var fakeReady func(*fakeauthority.Authority)

func cmdFakeAuthority(ctx context.Context, sio *stdio, args []string) error {
	fset := newCommandFlags("fake-authority", sio.stderr, "")
	addr := fset.String("addr", "127.0.0.1:0", "address to listen on (port 0 picks a free one)")
	approve := fset.Duration("auto-approve", 0, "approve every device code this long after issuing it, and sign every browser in\n"+
		"at once without the sign-in page, as the login hint's user or the default one (0: sign in on the fake's pages)")
	certFile := fset.String("cert-file", "", "`file` to write the TLS certificate to (default: fake-authority-PORT.pem in the\n"+
		"fake's profile directory, so that two fakes can run side by side)")
	interval := fset.Duration("interval", fakeInterval, "device code polling interval the fake advertises")
	config := fset.String("config", "", "JSON `file` of tenants, users, apps, token lifetimes and faults (example below);\n"+
		"the fake then starts from it alone: --auto-approve and --interval are ignored, and no state is read or saved")
	usage := fset.Usage
	fset.Usage = func() {
		usage()
		fmt.Fprintf(sio.stderr, "\nA complete --config file:\n%s\n", fakeauthority.ConfigExample)
	}
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
	if *config != "" {
		cfg, err := readFakeConfig(*config)
		if err != nil {
			return err
		}
		run := fakeRun{dir: dir, addr: *addr, tenant: cfg.FirstTenant(), certFile: *certFile}
		return run.serve(ctx, sio, cfg.Options(), cfg.Apply)
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
	opts := &fakeauthority.Options{State: state, DeviceInterval: *interval, AutoApproveDevice: *approve, AutoApprove: *approve > 0}
	run := fakeRun{dir: dir, addr: *addr, tenant: fakeauthority.DefaultTenantID, saves: true, certFile: *certFile}
	running, err := run.serveState(ctx, sio, opts)
	if running != nil {
		b, serr := running.MarshalState()
		if serr == nil {
			serr = writeFileAtomic(statePath, b)
		}
		err = errors.Join(err, serr)
	}
	return err
}

// readFakeConfig reads and checks a --config file (at most 1 MiB).
func readFakeConfig(path string) (*fakeauthority.Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fake authority config: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<20+1))
	if err != nil {
		return nil, fmt.Errorf("fake authority config %s: %w", path, err)
	}
	cfg, err := fakeauthority.ParseConfig(b)
	if err != nil {
		return nil, fmt.Errorf("fake authority config %s: %w", path, err)
	}
	return cfg, nil
}

// fakeRun is where and how fake-authority serves.
type fakeRun struct {
	dir, addr string
	tenant    string // the tenant of the authority URL shown
	saves     bool   // the state is saved when it stops
	certFile  string // --cert-file; "" for fakeCertFile in dir
}

// serveState serves the fake with opts (a saved state) until ctx ends,
// and returns the authority that ran, for its state to be saved.
func (r fakeRun) serveState(ctx context.Context, sio *stdio, opts *fakeauthority.Options) (*fakeauthority.Authority, error) {
	var running *fakeauthority.Authority
	err := r.serve(ctx, sio, opts, func(a *fakeauthority.Authority) { running = a })
	return running, err
}

// serve serves the fake with opts until ctx ends; ready runs first.
func (r fakeRun) serve(ctx context.Context, sio *stdio, opts *fakeauthority.Options, ready func(*fakeauthority.Authority)) error {
	err := fakeauthority.ListenAndServe(ctx, r.addr, opts, func(a *fakeauthority.Authority) {
		ready(a)
		cert := r.certFile
		if cert == "" {
			cert = filepath.Join(r.dir, fakeCertFile(urlPort(a.URL())))
		}
		if werr := writeFileAtomic(cert, a.CertPEM()); werr != nil {
			fmt.Fprintf(sio.stderr, "entraauth: cannot write the certificate: %v\n", werr)
		}
		fmt.Fprintf(sio.stdout, "Fake authority listening at %s\n", a.URL())
		fmt.Fprintf(sio.stdout, "  authority:   %s\n", a.AuthorityURL(r.tenant))
		fmt.Fprintf(sio.stdout, "  certificate: %s\n", cert)
		fmt.Fprintf(sio.stdout, "  device page: %s/devicelogin\n", a.URL())
		fmt.Fprintf(sio.stdout, "  SSH CA:      %s   (for sshd's TrustedUserCAKeys)\n", strings.TrimSpace(a.SSHCAPublicKey()))
		if r.saves {
			fmt.Fprintf(sio.stdout, "  sign in as:  %s, password %q\n", fakeauthority.DefaultUsername, fakeauthority.DefaultPassword)
			fmt.Fprintln(sio.stdout, "Press Ctrl-C to stop; the state is saved for the next --fake command.")
		} else {
			fmt.Fprintln(sio.stdout, "Press Ctrl-C to stop; the users are those of the config file.")
		}
		if fakeReady != nil {
			fakeReady(a)
		}
	})
	if errors.Is(err, context.Canceled) {
		return nil // interrupted: the normal way to stop
	}
	return err
}

// urlPort is the port of a URL such as https://127.0.0.1:PORT.
func urlPort(u string) string {
	if p, err := url.Parse(u); err == nil && p.Port() != "" {
		return p.Port()
	}
	return "0"
}
