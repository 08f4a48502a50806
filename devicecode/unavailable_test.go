package devicecode

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

func TestReachable(t *testing.T) {
	logFile, err := os.Create(filepath.Join(t.TempDir(), "ci.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	closed, err := os.Create(filepath.Join(t.TempDir(), "closed"))
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	for _, tc := range []struct {
		name        string
		f           *os.File
		unavailable bool
	}{
		{"a log file (CI)", logFile, false},
		{"a pipe (a supervisor's log)", w, false},
		{"the null device", null, true},
		{"closed", closed, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := reachable(tc.f)
			if got := oauth.IsCredentialUnavailable(err); got != tc.unavailable {
				t.Fatalf("reachable = %v, want unavailable %v", err, tc.unavailable)
			}
		})
	}
}

// With the default prompt and standard error discarded, the credential is
// unavailable before any device code is requested; a prompt of the
// caller's is always taken to reach someone.
func TestDefaultPromptToNullIsUnavailable(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	saved := os.Stderr
	os.Stderr = null
	defer func() { os.Stderr = saved }()

	fa := fakeauthority.New(nil)
	opts := oauth.ClientOptions{HTTPClient: fa.Client(), AuthorityHost: fa.URL(), TenantID: fakeauthority.DefaultTenantID}
	c, err := New("", &Options{ClientOptions: opts})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := c.GetToken(ctx, oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}); !oauth.IsCredentialUnavailable(err) {
		t.Fatalf("GetToken = %v, want unavailable", err)
	}
	if n := fa.Count(fakeauthority.EndpointDeviceCode); n != 0 {
		t.Fatalf("%d device code requests", n)
	}

	prompted := false
	c, err = New("", &Options{ClientOptions: opts, UserPrompt: func(context.Context, Message) error {
		prompted = true
		cancel() // enough: the prompt was reached
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	c.GetToken(ctx, oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if !prompted {
		t.Fatal("a caller's prompt was not called with standard error discarded")
	}
}
