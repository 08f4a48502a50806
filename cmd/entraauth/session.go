package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
)

// loginFile holds what the last login signed in (no secret: it names the
// account so that `token` can find its tokens).
const loginFile = "login.json"

// lastLogin is the content of loginFile.
type lastLogin struct {
	// Record is the account, in azidentity's AuthenticationRecord form.
	Record oauth.AuthenticationRecord `json:"authenticationRecord"`
	// Tenant is the tenant login was given ("" for the default,
	// organizations): the engine caches access tokens under it.
	Tenant string `json:"tenant"`
	// DisableInstanceDiscovery and CAFile repeat login's
	// --disable-instance-discovery and --ca-file, so that token reaches
	// the same private or fake authority without them.
	DisableInstanceDiscovery bool   `json:"disableInstanceDiscovery,omitempty"`
	CAFile                   string `json:"caFile,omitempty"`
	// Flow is the flow login signed in with. "broker" means the OS
	// broker keeps the tokens: token, accounts and logout go through it.
	Flow string `json:"flow,omitempty"`
}

// newSession resolves the command line into client options: the authority
// (real, or the embedded fake with --fake), the persistent token cache,
// and, when silent, the account of the last login.
func newSession(ctx context.Context, io *stdio, o *options, silent bool) (*session, error) {
	dir, err := profileDir(io, o.fake)
	if err != nil {
		return nil, err
	}
	s := &session{opts: o, io: io, dir: dir, clientID: o.clientID}
	s.client.TenantID = o.tenant
	s.client.AuthorityHost = o.authorityHost
	s.client.Logger = newLogger(io)
	caFiles := []string{o.caFile}
	if last, ok, err := loadLogin(dir); err != nil {
		return nil, err
	} else if ok && silent {
		s.hasRecord = true
		s.loginFlow = last.Flow
		rec := last.Record
		s.client.AuthenticationRecord = rec
		if s.clientID == "" {
			s.clientID = rec.ClientID
		}
		if s.client.TenantID == "" {
			s.client.TenantID = last.Tenant
		}
		if s.client.AuthorityHost == "" && !o.fake {
			s.client.AuthorityHost = authorityHostOf(rec.Authority)
		}
		s.client.TenantID = silentTenant(s.client.AuthorityHost, s.client.TenantID)
		o.disableInstanceDiscovery = o.disableInstanceDiscovery || last.DisableInstanceDiscovery
		// An explicit --ca-file replaces the login's CA file. An
		// SSL_CERT_FILE from the environment (often the system bundle)
		// does not: the login's is trusted besides it, when it can still
		// be read (a CA rotated away is said, not fatal).
		switch {
		case last.CAFile == "" || last.CAFile == o.caFile || (o.caFile != "" && !o.caFileFromEnv):
		case o.caFile == "":
			o.caFile = last.CAFile
			caFiles = []string{last.CAFile}
		default:
			if _, err := readFileMax(last.CAFile, maxCAFile); err != nil {
				fmt.Fprintf(io.stderr, "entraauth: not trusting the CA file login remembered: %v\n", err)
			} else {
				caFiles = append(caFiles, last.CAFile)
			}
		}
	}
	s.client.DisableInstanceDiscovery = o.disableInstanceDiscovery
	if !o.fake {
		if s.client.HTTPClient, err = httpClient(caFiles...); err != nil {
			return nil, err
		}
	}
	if o.fake {
		if s.fake, err = openFake(ctx, s); err != nil {
			return nil, err
		}
	}
	if o.trace || o.traceFile != "" {
		if err := s.traceHTTP(); err != nil {
			return nil, err
		}
	}
	if err := openStorage(ctx, s); err != nil {
		s.close()
		return nil, err
	}
	s.client.Cache = cache.New(s.storage, nil)
	return s, nil
}

// verifySaved reads the persisted cache back with a fresh Cache and
// checks that it holds the account: the engine keeps tokens in memory when
// persisting fails (and only logs it), which would make login look
// successful and the next `token` fail.
func (s *session) verifySaved(ctx context.Context, rec oauth.AuthenticationRecord) error {
	c := cache.New(s.storage, nil)
	if err := c.Sync(ctx); err != nil {
		return fmt.Errorf("signed in, but the token cache cannot be read back: %w", err)
	}
	for _, a := range c.Accounts("", "") {
		if a.HomeAccountID == rec.HomeAccountID {
			return nil
		}
	}
	return fmt.Errorf("signed in, but the token cache was not saved (run with %s=warn to see why)", envLog)
}

// onClose registers f to run when the session closes (writing the HAR
// file, ...).
func (s *session) onClose(f func() error) { s.closers = append(s.closers, f) }

// close releases what the session holds (the fake's socket, if any) and
// runs the onClose functions, reporting their errors on stderr.
func (s *session) close() {
	s.done()
	for _, f := range s.closers {
		if err := f(); err != nil {
			fmt.Fprintf(s.io.stderr, "entraauth: %v\n", err)
		}
	}
	s.closers = nil
	if s.fake != nil {
		s.fake.close()
	}
}

// profileDir is where the tool keeps its files: <user cache dir>/entraauth,
// and its "fake" subdirectory for --fake, so that the fake's tokens never
// mix with real ones (the fake answers as login.microsoftonline.com).
func profileDir(io *stdio, fake bool) (string, error) {
	base, err := io.userCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory: %w", err)
	}
	dir := filepath.Join(base, "entraauth")
	if fake {
		dir = filepath.Join(dir, "fake")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return dir, nil
}

func loadLogin(dir string) (lastLogin, bool, error) {
	var l lastLogin
	b, err := readFileMax(filepath.Join(dir, loginFile), maxLoginFile)
	if errors.Is(err, fs.ErrNotExist) {
		return l, false, nil
	}
	if err != nil {
		return l, false, err
	}
	if err := json.Unmarshal(b, &l); err != nil || l.Record.HomeAccountID == "" {
		// An unreadable file is as good as none: the user signs in again.
		return lastLogin{}, false, nil
	}
	return l, true, nil
}

func (s *session) saveLogin(rec oauth.AuthenticationRecord, flow string) error {
	caFile := s.opts.caFile
	if caFile != "" {
		if abs, err := filepath.Abs(caFile); err == nil {
			caFile = abs
		}
	}
	b, err := json.MarshalIndent(lastLogin{Record: rec, Tenant: s.opts.tenant,
		DisableInstanceDiscovery: s.opts.disableInstanceDiscovery, CAFile: caFile, Flow: flow}, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(s.dir, loginFile), append(b, '\n'))
}

// saveFake persists the fake authority's state (keys, directory, refresh
// tokens) for the next command; a no-op without --fake.
func (s *session) saveFake() error {
	if s.fake == nil {
		return nil
	}
	return s.fake.save()
}

// writeFileAtomic writes data to a 0600 temporary file beside path and
// renames it over path.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if err := errors.Join(werr, f.Chmod(0o600), f.Sync(), f.Close()); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// newLogger logs to stderr at the level named by ENTRAAUTH_LOG (debug,
// info, warn, error); unset means no log. Tokens and codes are never
// logged by the library.
func newLogger(io *stdio) *slog.Logger {
	v := envOr(io, envLog)
	if v == "" {
		return nil
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(v)); err != nil {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(io.stderr, &slog.HandlerOptions{Level: level}))
}

// silentTenant is the tenant of a silent command whose login named none:
// "" for a CIAM host, which names its own tenant (engine.ParseAuthority)
// as it did at login; organizations for any other host.
func silentTenant(host, tenant string) string {
	if tenant != "" {
		return tenant
	}
	if a, err := engine.ParseAuthority(host, ""); err == nil && a.IsCIAM() {
		return ""
	}
	return oauth.TenantOrganizations
}
