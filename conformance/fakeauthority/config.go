package fakeauthority

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Config is a fake authority described in JSON, for programs and CI jobs
// in other languages (entraauth fake-authority --config FILE): users,
// apps, tenants, token lifetimes and faults. Read one with [ParseConfig];
// [ConfigExample] is a complete example.
type Config struct {
	// Host fixes the host of issuers and endpoint URLs (Options.Host).
	Host string `json:"host,omitempty"`
	// DefaultDirectory starts from [DefaultDirectory] and adds the
	// tenants, users and apps below (a user or app with the same name
	// replaces the default one); false starts from an empty directory.
	DefaultDirectory bool `json:"default_directory,omitempty"`

	Tenants   []ConfigTenant   `json:"tenants,omitempty"`
	Users     []ConfigUser     `json:"users,omitempty"`
	Apps      []ConfigApp      `json:"apps,omitempty"`
	Resources []ConfigResource `json:"resources,omitempty"`

	// Durations are Go durations ("1h", "90s"); "" or absent means the
	// default of the matching Options field.
	AccessTokenLifetime  string `json:"access_token_lifetime,omitempty"`
	RefreshTokenLifetime string `json:"refresh_token_lifetime,omitempty"`
	RefreshIn            string `json:"refresh_in,omitempty"`
	DeviceCodeLifetime   string `json:"device_code_lifetime,omitempty"`
	DeviceInterval       string `json:"device_interval,omitempty"`
	// AutoApproveDevice approves every device code this long after issue.
	AutoApproveDevice string `json:"auto_approve_device,omitempty"`
	// AutoApprove signs browsers in without the page, as AutoApproveUser
	// ("" means the first user of Users).
	AutoApprove     bool   `json:"auto_approve,omitempty"`
	AutoApproveUser string `json:"auto_approve_user,omitempty"`

	RejectRefreshTokenReuse bool `json:"reject_refresh_token_reuse,omitempty"`
	EnforceDeviceInterval   bool `json:"enforce_device_interval,omitempty"`

	// Faults are injected when the authority starts, in order.
	Faults []ConfigFault `json:"faults,omitempty"`
}

// ConfigTenant is a tenant of a [Config].
type ConfigTenant struct {
	ID     string `json:"id"`
	Domain string `json:"domain"`
}

// ConfigUser is a user of a [Config]. Tenant is a tenant ID or domain of
// the config ("" means its first tenant); ObjectID "" derives a stable
// GUID from the username.
type ConfigUser struct {
	Username    string `json:"username"`
	Password    string `json:"password"`
	Tenant      string `json:"tenant,omitempty"`
	ObjectID    string `json:"object_id,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	MFARequired bool   `json:"mfa_required,omitempty"`
	Federated   bool   `json:"federated,omitempty"`
}

// ConfigApp is an app registration of a [Config].
type ConfigApp struct {
	ClientID     string   `json:"client_id"`
	Public       bool     `json:"public"`
	Family       string   `json:"family,omitempty"`
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	// Tenant makes the app single-tenant (a tenant ID of the config).
	Tenant string `json:"tenant,omitempty"`
}

// ConfigResource is an API of a [Config]; the default directory's
// resources (Microsoft Graph, Azure Resource Manager, ...) are always
// there too.
type ConfigResource struct {
	URI    string   `json:"uri"`
	AppID  string   `json:"app_id,omitempty"`
	Scopes []string `json:"scopes,omitempty"`
}

// ConfigFault is a [Fault] of a [Config] for one endpoint ("token",
// "devicecode", "authorize", "keys", ... as [Endpoint]).
type ConfigFault struct {
	Endpoint   string `json:"endpoint"`
	Times      int    `json:"times,omitempty"`
	AADSTS     int    `json:"aadsts,omitempty"`
	Status     int    `json:"status,omitempty"`
	RetryAfter string `json:"retry_after,omitempty"`
	Delay      string `json:"delay,omitempty"`
	Drop       bool   `json:"drop,omitempty"`
	HTML       bool   `json:"html,omitempty"`
	Truncated  bool   `json:"truncated,omitempty"`
	Oversized  int    `json:"oversized,omitempty"`
}

// ConfigExample is a complete [Config], every field used.
const ConfigExample = `{
  "host": "",
  "default_directory": false,
  "tenants": [
    {"id": "7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f", "domain": "contoso.onmicrosoft.com"}
  ],
  "users": [
    {"username": "ci@contoso.onmicrosoft.com", "password": "ci-password",
     "tenant": "contoso.onmicrosoft.com", "display_name": "CI User"},
    {"username": "mfa@contoso.onmicrosoft.com", "password": "ci-password", "mfa_required": true},
    {"username": "fed@contoso.onmicrosoft.com", "password": "ci-password", "federated": true,
     "object_id": "1c2d3e4f-0000-4000-8000-0000000000fe"}
  ],
  "apps": [
    {"client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "public": true, "family": "1",
     "redirect_uris": ["http://localhost", "http://127.0.0.1"]},
    {"client_id": "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a", "public": false,
     "redirect_uris": ["https://app.example.com/signin-oidc"],
     "tenant": "7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f"}
  ],
  "resources": [
    {"uri": "api://my-api", "app_id": "5b6c7d8e-9f00-4112-8233-000000000001", "scopes": ["read"]}
  ],
  "access_token_lifetime": "1h",
  "refresh_token_lifetime": "2160h",
  "refresh_in": "30m",
  "device_code_lifetime": "15m",
  "device_interval": "5s",
  "auto_approve_device": "2s",
  "auto_approve": true,
  "auto_approve_user": "ci@contoso.onmicrosoft.com",
  "reject_refresh_token_reuse": false,
  "enforce_device_interval": false,
  "faults": [
    {"endpoint": "token", "times": 1, "status": 503, "retry_after": "1s"},
    {"endpoint": "devicecode", "times": 1, "delay": "100ms"},
    {"endpoint": "keys", "times": 0, "aadsts": 0, "drop": false, "html": false, "truncated": false, "oversized": 0}
  ]
}`

// ErrBadConfig is matched (errors.Is) by every error of [ParseConfig].
var ErrBadConfig = errors.New("fakeauthority: bad config")

// maxConfig bounds a config document.
const maxConfig = 1 << 20

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ParseConfig reads a [Config] from JSON: unknown fields, bad durations,
// unknown tenants or endpoints, and documents over 1 MiB are errors
// matching [ErrBadConfig], naming the field.
func ParseConfig(data []byte) (*Config, error) {
	if len(data) > maxConfig {
		return nil, fmt.Errorf("%w: over %d bytes", ErrBadConfig, maxConfig)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrBadConfig)
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	return &c, nil
}

func (c *Config) validate() error {
	if !c.DefaultDirectory && (len(c.Tenants) == 0 || len(c.Users) == 0 || len(c.Apps) == 0) {
		return errors.New("tenants, users and apps are required unless default_directory is true")
	}
	for i, t := range c.Tenants {
		if !guidRE.MatchString(t.ID) || t.Domain == "" || strings.ContainsAny(t.Domain, "/ ") {
			return fmt.Errorf("tenants[%d]: id must be a GUID and domain a domain name", i)
		}
	}
	for i, u := range c.Users {
		if !strings.Contains(u.Username, "@") || u.Password == "" {
			return fmt.Errorf("users[%d]: username must be an email-like name and password is required", i)
		}
		if _, ok := c.tenantID(u.Tenant); !ok {
			return fmt.Errorf("users[%d]: tenant %q is not a tenant of the config", i, u.Tenant)
		}
		if u.ObjectID != "" && !guidRE.MatchString(u.ObjectID) {
			return fmt.Errorf("users[%d]: object_id must be a GUID", i)
		}
	}
	for i, a := range c.Apps {
		if !guidRE.MatchString(a.ClientID) {
			return fmt.Errorf("apps[%d]: client_id must be a GUID", i)
		}
		if _, ok := c.tenantID(a.Tenant); a.Tenant != "" && !ok {
			return fmt.Errorf("apps[%d]: tenant %q is not a tenant of the config", i, a.Tenant)
		}
		for _, r := range a.RedirectURIs {
			if u, err := url.Parse(r); err != nil || u.Scheme == "" || u.Host == "" {
				return fmt.Errorf("apps[%d]: redirect URI %q is not an absolute URL", i, r)
			}
		}
	}
	for i, r := range c.Resources {
		if r.URI == "" || (r.AppID != "" && !guidRE.MatchString(r.AppID)) {
			return fmt.Errorf("resources[%d]: uri is required and app_id must be a GUID", i)
		}
	}
	if _, err := c.durations(); err != nil {
		return err
	}
	_, err := c.faults()
	return err
}

// tenantID resolves a tenant ID or domain of the config; "" means the
// first tenant (or the default tenant with the default directory).
func (c *Config) tenantID(s string) (string, bool) {
	if s == "" {
		if len(c.Tenants) > 0 {
			return c.Tenants[0].ID, true
		}
		return DefaultTenantID, c.DefaultDirectory
	}
	for _, t := range c.Tenants {
		if strings.EqualFold(t.ID, s) || strings.EqualFold(t.Domain, s) {
			return t.ID, true
		}
	}
	if c.DefaultDirectory {
		for _, t := range []Tenant{{DefaultTenantID, DefaultTenantDomain}, {SecondTenantID, SecondTenantDomain}} {
			if strings.EqualFold(t.ID, s) || strings.EqualFold(t.Domain, s) {
				return t.ID, true
			}
		}
	}
	return "", false
}

// duration parses a config duration; "" is 0.
func duration(field, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > 10*365*24*time.Hour {
		return 0, fmt.Errorf("%s: %q is not a duration between 0 and 10 years", field, s)
	}
	return d, nil
}

// durations parses the lifetimes, in Options order.
func (c *Config) durations() ([6]time.Duration, error) {
	var out [6]time.Duration
	for i, f := range []struct{ name, v string }{
		{"access_token_lifetime", c.AccessTokenLifetime}, {"refresh_token_lifetime", c.RefreshTokenLifetime},
		{"refresh_in", c.RefreshIn}, {"device_code_lifetime", c.DeviceCodeLifetime},
		{"device_interval", c.DeviceInterval}, {"auto_approve_device", c.AutoApproveDevice},
	} {
		d, err := duration(f.name, f.v)
		if err != nil {
			return out, err
		}
		out[i] = d
	}
	return out, nil
}
