package azurecli

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// exec copies a child's output with io.Copy, which prefers the writer's
// ReadFrom: the cap must hold through every way of writing, not only Write.
func TestLimitedBufferCapsEveryCopy(t *testing.T) {
	const max, sent = 1 << 10, 8 << 20
	for _, tc := range []struct {
		name string
		copy func(w io.Writer, r io.Reader) error
	}{
		{"io.Copy", func(w io.Writer, r io.Reader) error { _, err := io.Copy(w, r); return err }},
		{"ReaderFrom if any", func(w io.Writer, r io.Reader) error {
			if rf, ok := w.(io.ReaderFrom); ok {
				_, err := rf.ReadFrom(r)
				return err
			}
			_, err := io.Copy(w, r)
			return err
		}},
		{"Write", func(w io.Writer, r io.Reader) error { b, _ := io.ReadAll(r); _, err := w.Write(b); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &limitedBuffer{max: max}
			if err := tc.copy(b, io.LimitReader(zeros{}, sent)); err != nil {
				t.Fatal(err)
			}
			if len(b.Bytes()) > max || !b.over {
				t.Errorf("kept %d bytes (cap %d), over = %v", len(b.Bytes()), max, b.over)
			}
		})
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// A token az prints is refused once expired: a stale cached token is not
// a valid one.
func TestTokenFromAzRefusesExpired(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		name string
		exp  int64
		ok   bool
	}{
		{"future", 1_800_003_600, true},
		{"now", 1_800_000_000, false},
		{"past", 1_700_000_000, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := []byte(`{"accessToken":"s3cr3t","expires_on":` + strconv.FormatInt(tc.exp, 10) + `}`)
			tok, err := tokenFromAz(out, time.UTC, now)
			if tc.ok != (err == nil) {
				t.Fatalf("tokenFromAz = %v, %v; want ok %v", tok.ExpiresOn, err, tc.ok)
			}
			if err != nil && (tok.Token != "" || strings.Contains(err.Error(), "s3cr3t")) {
				t.Errorf("refusal carries the token: %q %v", tok.Token, err)
			}
		})
	}
}

// Without HOME (or with a relative one) and without AZURE_CONFIG_DIR
// there is no configuration directory: never the relative ".azure" of the
// working directory, which another user may have planted.
func TestConfigDirFailsClosed(t *testing.T) {
	for _, tc := range []struct {
		name, home, azdir string
		want              string
		err               error
	}{
		{"home", "/home/u", "", "/home/u/.azure", nil},
		{"AZURE_CONFIG_DIR", "/home/u", "/etc/az", "/etc/az", nil},
		{"HOME unset", "", "", "", ErrNoConfigDir},
		{"HOME relative", "somewhere", "", "", ErrNoConfigDir},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HOME", tc.home)
			t.Setenv("AZURE_CONFIG_DIR", tc.azdir)
			got, err := configDir()
			if got != filepath.FromSlash(tc.want) || !errors.Is(err, tc.err) {
				t.Errorf("configDir = %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
			if d := DefaultConfigDir(); d != got {
				t.Errorf("DefaultConfigDir = %q, configDir = %q", d, got)
			}
		})
	}
	t.Run("planted .azure in the working directory is not read", func(t *testing.T) {
		wd := t.TempDir()
		t.Chdir(wd)
		if err := os.MkdirAll(filepath.Join(wd, ".azure"), 0o700); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(wd, ".azure"), "azureProfile.json",
			`{"subscriptions":[{"isDefault":true,"tenantId":"t","user":{"name":"planted@x","type":"user"}}]}`)
		t.Setenv("HOME", "")
		t.Setenv("AZURE_CONFIG_DIR", "")
		c, err := New(&Options{DisableSubprocess: true})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = c.open(t.Context())
		if !errors.Is(err, ErrNoConfigDir) {
			t.Errorf("open = %v, want ErrNoConfigDir", err)
		}
	})
}

// azureProfile.json is a file anyone who can write the config directory
// controls: its user name, user type and cloud name reach error text, so
// they come out of the parser without terminal controls. The controls
// are JSON escapes (a raw ESC in a JSON string would make the file
// unparsable and the test pass on the parse error).
func TestProfileValuesSanitized(t *testing.T) {
	const evil = `\u001b]0;pwn\u0007\u009b2J\u202e`
	for _, tc := range []struct{ name, cloud, user, userType, want string }{
		{"user type", "AzureCloud", "u@x", "servicePrincipal" + evil, "servicePrincipal"},
		{"user name", "AzureCloud", "u" + evil + "@x", "user", "has no tokens"},
		{"cloud name", "c" + evil, "u@x", "user", "is not built in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := `{"subscriptions":[{"isDefault":true,"tenantId":"t","environmentName":"` + tc.cloud +
				`","user":{"name":"` + tc.user + `","type":"` + tc.userType + `"}}]}`
			dir := t.TempDir()
			writeFile(t, dir, "azureProfile.json", doc)
			writeFile(t, dir, "msal_token_cache.json", "{}") // a cache without this user
			c, err := New(&Options{ConfigDir: dir, DisableSubprocess: true})
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = c.open(t.Context())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("open = %v, want an error naming %q", err, tc.want)
			}
			for _, bad := range []string{"\x1b", "\x07", "\u009b", "\u202e"} {
				if strings.Contains(err.Error(), bad) {
					t.Errorf("error text %q holds %q", err, bad)
				}
			}
		})
	}
}
