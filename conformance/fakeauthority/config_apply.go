package fakeauthority

import (
	"crypto/sha256"
	"fmt"
	"strings"
)

// endpointNames are the endpoints a config fault may name.
var endpointNames = map[string]Endpoint{}

func init() {
	for _, ep := range []Endpoint{EndpointDiscovery, EndpointInstance, EndpointKeys, EndpointAuthorize, EndpointLogin,
		EndpointToken, EndpointDeviceCode, EndpointDevice, EndpointUserRealm, EndpointLogout} {
		endpointNames[string(ep)] = ep
	}
}

// configFault is a parsed fault.
type configFault struct {
	ep Endpoint
	f  Fault
}

// faults parses the config's faults.
func (c *Config) faults() ([]configFault, error) {
	var out []configFault
	for i, cf := range c.Faults {
		ep, ok := endpointNames[cf.Endpoint]
		if !ok {
			return nil, fmt.Errorf("faults[%d]: unknown endpoint %q", i, cf.Endpoint)
		}
		ra, err := duration(fmt.Sprintf("faults[%d].retry_after", i), cf.RetryAfter)
		if err != nil {
			return nil, err
		}
		delay, err := duration(fmt.Sprintf("faults[%d].delay", i), cf.Delay)
		if err != nil {
			return nil, err
		}
		switch {
		case cf.Times < -1:
			return nil, fmt.Errorf("faults[%d]: times must be -1 (always) or more", i)
		case cf.AADSTS < 0 || cf.AADSTS > 9999999:
			return nil, fmt.Errorf("faults[%d]: aadsts out of range", i)
		case cf.Status != 0 && (cf.Status < 100 || cf.Status > 599):
			return nil, fmt.Errorf("faults[%d]: status out of range", i)
		case cf.Oversized < 0 || cf.Oversized > 1<<30:
			return nil, fmt.Errorf("faults[%d]: oversized must be 0 to 1 GiB", i)
		}
		out = append(out, configFault{ep: ep, f: Fault{Times: cf.Times, AADSTS: cf.AADSTS, Status: cf.Status,
			RetryAfter: ra, Delay: delay, Drop: cf.Drop, HTML: cf.HTML, Truncated: cf.Truncated, Oversized: cf.Oversized}})
	}
	return out, nil
}

// Options returns the authority options the config describes. The
// config must come from [ParseConfig]. Without auto_approve_user,
// auto-approval signs in as the config's first user (the default
// directory's user when it has none).
func (c *Config) Options() *Options {
	d, _ := c.durations()
	user := c.AutoApproveUser
	if user == "" && len(c.Users) > 0 {
		user = c.Users[0].Username
	}
	return &Options{
		Host: c.Host, Directory: c.directory(),
		AccessTokenLifetime: d[0], RefreshTokenLifetime: d[1], RefreshIn: d[2],
		DeviceCodeLifetime: d[3], DeviceInterval: d[4], AutoApproveDevice: d[5],
		AutoApprove: c.AutoApprove, AutoApproveUser: user,
		RejectRefreshTokenReuse: c.RejectRefreshTokenReuse, EnforceDeviceInterval: c.EnforceDeviceInterval,
	}
}

// FirstTenant is the ID of the config's first tenant, else the default
// tenant (with the default directory).
func (c *Config) FirstTenant() string {
	id, _ := c.tenantID("")
	return id
}

// Apply injects the config's faults into a.
func (c *Config) Apply(a *Authority) {
	fs, _ := c.faults()
	for _, f := range fs {
		a.InjectFault(f.ep, f.f)
	}
}

// directory builds the config's directory.
func (c *Config) directory() *Directory {
	d := NewDirectory()
	if c.DefaultDirectory {
		d = DefaultDirectory()
	} else {
		for _, r := range DefaultDirectory().resources {
			d.AddResource(r)
		}
	}
	for _, t := range c.Tenants {
		d.AddTenant(Tenant{ID: strings.ToLower(t.ID), Domain: t.Domain})
	}
	for _, u := range c.Users {
		tid, _ := c.tenantID(u.Tenant)
		oid := u.ObjectID
		if oid == "" {
			oid = stableGUID(u.Username)
		}
		d.AddUser(User{Username: u.Username, Password: u.Password, ObjectID: strings.ToLower(oid), TenantID: strings.ToLower(tid),
			DisplayName: u.DisplayName, Federated: u.Federated, MFARequired: u.MFARequired})
	}
	for _, a := range c.Apps {
		tid := ""
		if a.Tenant != "" {
			tid, _ = c.tenantID(a.Tenant)
		}
		d.AddApp(App{ClientID: strings.ToLower(a.ClientID), RedirectURIs: a.RedirectURIs, PublicClient: a.Public,
			FamilyID: a.Family, TenantID: strings.ToLower(tid)})
	}
	for _, r := range c.Resources {
		d.AddResource(Resource{URI: r.URI, AppID: strings.ToLower(r.AppID), Scopes: r.Scopes})
	}
	return d
}

// stableGUID derives a GUID-shaped object ID from a username, so a user
// keeps its oid from one run to the next.
func stableGUID(s string) string {
	h := sha256.Sum256([]byte(strings.ToLower(s)))
	x := fmt.Sprintf("%x", h[:16])
	return x[0:8] + "-" + x[8:12] + "-4" + x[13:16] + "-8" + x[17:20] + "-" + x[20:32]
}
