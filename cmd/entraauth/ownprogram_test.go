package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/oauth"
)

// ownProgram is README's "Your own program against the fake" recipe, as
// written there: a program that signs in with the library's defaults,
// where AZURE_AUTHORITY_HOST names the authority, SSL_CERT_FILE makes Go
// trust its certificate, and the program's own switch turns instance
// discovery off for a host it controls.
func ownProgram(ctx context.Context) error {
	cred, err := devicecode.New("", &devicecode.Options{ClientOptions: oauth.ClientOptions{
		// AZURE_AUTHORITY_HOST is read by the library.
		DisableInstanceDiscovery: os.Getenv("MYAPP_PRIVATE_AUTHORITY") == "1",
	}})
	if err != nil {
		return err
	}
	rec, err := cred.Authenticate(ctx, oauth.TokenOptions{})
	if err != nil {
		return err
	}
	fmt.Println("signed in as", rec.Username)
	return nil
}

// TestOwnProgramHelper is the program of TestOwnProgramAgainstFakeProcess,
// run by it as a process of its own (a fresh process reads SSL_CERT_FILE).
func TestOwnProgramHelper(t *testing.T) {
	if os.Getenv("ENTRAAUTH_TEST_OWN_PROGRAM") != "1" {
		t.Skip("run by TestOwnProgramAgainstFakeProcess")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := ownProgram(ctx); err != nil {
		fmt.Println("error:", err)
	}
}

// TestOwnProgramAgainstFakeProcess runs the recipe for (b): a separate
// `entraauth fake-authority --cert-file FILE --auto-approve 1s` process,
// and the program in another process with AZURE_AUTHORITY_HOST and
// SSL_CERT_FILE. With its switch on it signs in; without it, instance
// discovery refuses the host (127.0.0.1 is no Entra host), and nothing is
// signed in.
func TestOwnProgramAgainstFakeProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("SSL_CERT_FILE is read by Go on Linux and the BSDs; elsewhere the recipe gives HTTPClient a CertPool")
	}
	ca := filepath.Join(t.TempDir(), "fake-ca.pem")
	base, cert := startFakeAuthority(t, "--cert-file", ca)
	if cert != ca {
		t.Fatalf("fake-authority printed certificate %q, want --cert-file %q", cert, ca)
	}
	for _, tc := range []struct {
		private bool
		want    string
	}{{true, "signed in as " + fakeauthority.DefaultUsername}, {false, "error: "}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestOwnProgramHelper$", "-test.count=1")
		cmd.Env = append(binEnv(t), "ENTRAAUTH_TEST_OWN_PROGRAM=1", "AZURE_AUTHORITY_HOST="+base, "SSL_CERT_FILE="+ca)
		if tc.private {
			cmd.Env = append(cmd.Env, "MYAPP_PRIVATE_AUTHORITY=1")
		}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := runWithin(cmd, 60*time.Second); err != nil {
			t.Fatalf("program (private %v): %v\n%s%s", tc.private, err, out.String(), errb.String())
		}
		if !strings.Contains(out.String(), tc.want) {
			t.Errorf("program (private %v): stdout %q, want %q; stderr %q", tc.private, out.String(), tc.want, errb.String())
		}
		t.Logf("program (private %v): %s", tc.private, strings.TrimSpace(out.String()))
		if !tc.private && !strings.Contains(out.String(), "DisableInstanceDiscovery") {
			t.Errorf("program without the switch: %q, want an instance discovery error naming the fix (DisableInstanceDiscovery)", out.String())
		}
	}
}
