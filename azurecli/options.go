package azurecli

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/entraauth/entraauth/internal/redact"
	"github.com/entraauth/entraauth/oauth"
)

// check refuses the options this credential cannot honour and applies
// the AuthenticationRecord's binding, normalising o in place.
func (o *Options) check() error {
	if o.Cache != nil {
		return errors.New("azurecli: Options.Cache cannot be honoured: Azure CLI's own token cache holds this credential's tokens")
	}
	if o.TenantID != "" {
		if err := oauth.ValidateTenant(o.TenantID); err != nil {
			return fmt.Errorf("azurecli: %w", err)
		}
	}
	if o.AuthorityHost != "" {
		u, err := url.Parse(o.AuthorityHost)
		if err != nil || u.Scheme != "https" || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("azurecli: %w: AuthorityHost %q is not an https URL with a host only", oauth.ErrInvalidAuthority, o.AuthorityHost)
		}
		o.AuthorityHost = "https://" + strings.ToLower(u.Host)
	}
	if rec := o.AuthenticationRecord.Username; rec != "" {
		switch {
		case o.Username == "":
			o.Username = rec
		case !strings.EqualFold(o.Username, rec):
			return errors.New("azurecli: Options.Username and the AuthenticationRecord name different users")
		}
	}
	return nil
}

// servesCloud: with Options.AuthorityHost set, a session az holds in
// another cloud counts as none.
func (c *Credential) servesCloud(host string) error {
	if c.opts.AuthorityHost == "" || strings.EqualFold(strings.TrimRight(host, "/"), c.opts.AuthorityHost) {
		return nil
	}
	return fmt.Errorf("%w: Azure CLI's cloud signs in at %s, not %s", errNoSession, redact.Text(host), c.opts.AuthorityHost)
}

// subprocessServes is checked before "az account get-access-token",
// which answers for az's default account in az's current cloud: a
// credential bound to a user (Options.Username) or a cloud
// (Options.AuthorityHost) must not get another's token. The profile is
// read once, and only when the credential is bound.
func (c *Credential) subprocessServes() error {
	if c.opts.Username == "" && c.opts.AuthorityHost == "" {
		return nil
	}
	b, err := readFile(filepath.Join(c.opts.ConfigDir, "azureProfile.json"))
	if err != nil {
		return &oauth.CredentialUnavailableError{Credential: name,
			Reason: "azureProfile.json cannot be read, so the Azure CLI session cannot be matched to this credential", Err: err}
	}
	sess, err := parseProfile(b)
	if c.opts.Username != "" && (err != nil || !strings.EqualFold(sess.username, c.opts.Username)) {
		return &oauth.CredentialUnavailableError{Credential: name,
			Reason: "Azure CLI's default account is not " + redact.Text(c.opts.Username) + "; run az login as that user or az account set", Err: err}
	}
	if c.opts.AuthorityHost == "" {
		return nil
	}
	host := ""
	if err == nil {
		if host, err = authorityHost(c.opts.ConfigDir, sess.cloud); err == nil {
			err = c.servesCloud(host)
		}
	}
	if err != nil {
		return &oauth.CredentialUnavailableError{Credential: name,
			Reason: "Azure CLI's session is not in the cloud of " + c.opts.AuthorityHost + " (az cloud set)", Err: err}
	}
	return nil
}
