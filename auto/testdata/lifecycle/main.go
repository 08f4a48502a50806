// Command lifecycle is one run of a program that uses this module's
// credentials with a persistent token cache, for the cross-process tests
// of package auto: run 1 signs in (-mode signin), later runs are new
// processes that must be silent (-mode silent). It prints "token" and a
// fingerprint of the token, or "error" and the error's type and text.
package main

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/entraauth/entraauth/auto"
	"github.com/entraauth/entraauth/azurecli"
	"github.com/entraauth/entraauth/broker"
	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/cache/persistent"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/loopback"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

var errPrompted = errors.New("a sign-in was started in a silent run")

// brokerBus is the broker's bus address; "" means no broker.
var brokerBus string

func main() {
	authority := flag.String("authority", "", "authority host URL")
	certFile := flag.String("cert", "", "PEM certificate of the authority")
	store := flag.String("store", "", "cache file, or ss:<bus address>|<item name>|<lock file> for the Secret Service")
	flow := flag.String("flow", "", "device, browser, password or auto")
	mode := flag.String("mode", "silent", "signin, silent, or expire (every cached access token)")
	recordFile := flag.String("record", "", "authentication record file (written by signin, read by silent)")
	user := flag.String("user", "", "username for the password flow, or the broker's sign-in (login hint)")
	password := flag.String("password", "", "password for the password flow")
	tag := flag.String("tag", "", "X-Test-Case header on every request")
	bus := flag.String("bus", "", "D-Bus address of the identity broker (flow broker, or auto with a broker)")
	flag.StringVar(&tenant, "tenant", "organizations", "the authority's tenant: organizations, an ID or a domain")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	brokerBus = *bus
	tok, err := run(ctx, *authority, *certFile, *store, *flow, *mode, *recordFile, *user+"\x00"+*password, *tag)
	if err != nil {
		fmt.Printf("error %T %v\n", errors.Unwrap(err), err)
		var na *oauth.NoAccountError
		if errors.As(err, &na) {
			fmt.Printf("noaccount %s %d\n", na.Credential, na.Found)
		}
		return
	}
	fmt.Printf("token %x\n", sha256.Sum256([]byte(tok)))
}

// tenant is the -tenant flag.
var tenant string

type tagged struct {
	tag  string
	next http.RoundTripper
}

func (t tagged) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Test-Case", t.tag)
	return t.next.RoundTrip(r)
}

func run(ctx context.Context, authority, certFile, store, flow, mode, recordFile, user, tag string) (string, error) {
	pem, err := os.ReadFile(certFile)
	if err != nil {
		return "", err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	hc := &http.Client{Transport: tagged{tag, &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}}
	st, err := openStore(store)
	if err != nil {
		return "", err
	}
	if mode == "expire" {
		return "", expire(ctx, st)
	}
	co := oauth.ClientOptions{AuthorityHost: authority, TenantID: tenant, HTTPClient: hc,
		Cache: cache.New(st, nil), DisableInstanceDiscovery: true}
	if recordFile != "" && mode == "silent" {
		b, err := os.ReadFile(recordFile)
		if err != nil {
			return "", err
		}
		if err := json.Unmarshal(b, &co.AuthenticationRecord); err != nil {
			return "", err
		}
	}
	signin := mode == "signin"
	if !signin && flow != "auto" {
		// A program that must not prompt; auto decides that itself.
		co.DisableAutomaticAuthentication = true
	}
	openURL := func(ctx context.Context, u string) error {
		if !signin {
			return errPrompted
		}
		return standIn(ctx, hc, u)
	}
	prompt := func(context.Context, devicecode.Message) error {
		if !signin {
			return errPrompted
		}
		return nil
	}
	var cred interface {
		oauth.Credential
		oauth.Authenticator
	}
	switch flow {
	case "device":
		cred, err = devicecode.New("", &devicecode.Options{ClientOptions: co, UserPrompt: prompt})
	case "browser":
		cred, err = loopback.New("", &loopback.Options{ClientOptions: co, OpenURL: openURL})
	case "password":
		u, pw, _ := strings.Cut(user, "\x00")
		cred, err = password.New("", &password.Options{ClientOptions: co, Username: u, Password: pw})
	case "broker":
		bo := &broker.Options{ClientOptions: co, DBusAddress: brokerBus}
		bo.Cache = nil // the broker keeps the tokens; New refuses a cache
		if u, _, _ := strings.Cut(user, "\x00"); signin && u != "" {
			bo.LoginHint = u // the user the broker's window signs in
		}
		cred, err = broker.New("", bo)
	case "auto":
		o := &auto.Options{ClientOptions: co, ExcludeBroker: brokerBus == "", BrokerOptions: &broker.Options{DBusAddress: brokerBus},
			AzureCLI: &azurecli.Options{ConfigDir: os.Getenv("AZURE_CONFIG_DIR"), DisableSubprocess: true}}
		if signin {
			o.OpenURL = openURL // a silent run has no browser and no terminal: nothing is passed in
		}
		cred, err = auto.New("", o)
	default:
		err = fmt.Errorf("unknown flow %q", flow)
	}
	if err != nil {
		return "", err
	}
	scopes := oauth.TokenOptions{Scopes: []string{oauth.DefaultAuthenticateScope}}
	if signin {
		rec, err := cred.Authenticate(ctx, scopes)
		if err != nil {
			return "", err
		}
		if recordFile != "" {
			b, _ := json.Marshal(rec)
			if err := os.WriteFile(recordFile, b, 0o600); err != nil {
				return "", err
			}
		}
	}
	tok, err := cred.GetToken(ctx, scopes)
	return tok.Token, err
}

var (
	formRE   = regexp.MustCompile(`(?is)<form[^>]*\baction="([^"]*)"`)
	hiddenRE = regexp.MustCompile(`(?is)<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// standIn plays the browser: the fake approves the authorize request at
// once and answers with a redirect or form_post's auto-submitting form to
// the app's loopback listener, which this delivers.
func standIn(ctx context.Context, hc *http.Client, u string) error {
	noFollow := &http.Client{Transport: hc.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(u)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	plain := &http.Client{Timeout: 10 * time.Second}
	if resp.StatusCode == http.StatusFound {
		resp, err = plain.Get(resp.Header.Get("Location"))
	} else if m := formRE.FindSubmatch(body); m != nil {
		form := url.Values{}
		for _, h := range hiddenRE.FindAllSubmatch(body, -1) {
			form.Set(html.UnescapeString(string(h[1])), html.UnescapeString(string(h[2])))
		}
		resp, err = plain.PostForm(html.UnescapeString(string(m[1])), form)
	} else {
		return fmt.Errorf("the authority answered the browser with HTTP %d", resp.StatusCode)
	}
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// openStore opens the persistent store a flag names.
func openStore(spec string) (cache.Storage, error) {
	rest, ok := strings.CutPrefix(spec, "ss:")
	if !ok {
		return cache.NewPlaintextFile(spec, nil)
	}
	parts := strings.Split(rest, "|")
	if len(parts) != 3 {
		return nil, fmt.Errorf("bad Secret Service spec %q", spec)
	}
	return persistent.NewSecretService(&persistent.SecretServiceOptions{BusAddress: parts[0],
		Attributes: map[string]string{"entraauth-test": parts[1]}, Label: parts[1], LockPath: parts[2]})
}

// expire rewrites the stored document with every access token expired,
// as an hour later, under the store's lock.
func expire(ctx context.Context, st cache.Storage) error {
	release, err := st.Lock(ctx)
	if err != nil {
		return err
	}
	defer release()
	b, err := st.Read(ctx)
	if err != nil {
		return err
	}
	var doc map[string]map[string]map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	for _, at := range doc["AccessToken"] {
		at["expires_on"], at["extended_expires_on"], at["cached_at"] = "1", "1", "0"
		delete(at, "refresh_on")
	}
	if b, err = json.Marshal(doc); err != nil {
		return err
	}
	return st.Write(ctx, b)
}
