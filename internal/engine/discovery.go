package engine

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/entraauth/entraauth/oauth"
)

// instanceMetadata is what instance discovery says about a host.
type instanceMetadata struct {
	PreferredNetwork string   `json:"preferred_network"`
	PreferredCache   string   `json:"preferred_cache"`
	Aliases          []string `json:"aliases"`
}

type instanceDiscoveryJSON struct {
	TenantDiscoveryEndpoint string             `json:"tenant_discovery_endpoint"`
	Metadata                []instanceMetadata `json:"metadata"`
	Error                   string             `json:"error"`
}

// discovered caches instance discovery per process, by authority host:
// a host is validated once, and no request is made on a cache hit.
var discovered = struct {
	sync.Mutex
	hosts map[string]*discovery
}{hosts: map[string]*discovery{}}

type discovery struct {
	done    chan struct{}
	aliases []string
	err     error
}

// discoverInstance validates an unknown authority host through Entra's
// instance discovery (/common/discovery/instance) once per process; known
// clouds (each with its aliases built in, so a host of one cloud never
// asks another cloud's host), CIAM tenants (validated by their own OIDC
// discovery, as MSAL Python and MSAL.NET do), AD FS and
// DisableInstanceDiscovery need no request. It returns the host's aliases.
//
// A failed discovery degrades without a crash and without trusting the
// host: Entra's definitive refusal (invalid_instance) is cached; any other
// failure (network, timeout, 5xx, a malformed answer) is not, so a later
// call retries. Both are a typed *Error whose description names the fix,
// DisableInstanceDiscovery. MSAL.NET instead goes on with the host alone
// when discovery fails for another reason than invalid_instance
// (https://github.com/AzureAD/microsoft-authentication-library-for-dotnet/issues/5546);
// this package keeps authority validation closed, as the host would
// receive the user's credentials. Concurrent callers share one request.
func (c *Client) discoverInstance(ctx context.Context, auth Authority) ([]string, error) {
	if c.opts.DisableInstanceDiscovery || auth.IsKnownCloud() || auth.IsADFS() || auth.IsCIAM() {
		return auth.Aliases(), nil
	}
	discovered.Lock()
	d, ok := discovered.hosts[auth.Host]
	if !ok {
		d = &discovery{done: make(chan struct{})}
		discovered.hosts[auth.Host] = d
		discovered.Unlock()
		d.aliases, d.err = c.fetchInstance(ctx, auth)
		var oe *oauth.Error
		if d.err != nil && !(errors.As(d.err, &oe) && oe.Code == "invalid_instance") {
			discovered.Lock()
			delete(discovered.hosts, auth.Host)
			discovered.Unlock()
		}
		close(d.done)
		return d.aliases, d.err
	}
	discovered.Unlock()
	select {
	case <-d.done:
		return d.aliases, d.err
	case <-ctx.Done():
		return nil, &oauth.Error{Endpoint: "discovery", Code: "request_failed", Err: ctx.Err()}
	}
}

func (c *Client) fetchInstance(ctx context.Context, auth Authority) ([]string, error) {
	resp, err := c.wire.do(ctx, "discovery", http.MethodGet, auth.InstanceDiscoveryURL(), nil)
	if err != nil {
		return nil, discoveryFailed(auth, err)
	}
	aliases, err := parseInstanceDiscovery(resp.status, resp.body, auth.Host)
	if err != nil {
		return nil, discoveryFailed(auth, err)
	}
	return aliases, nil
}

// discoveryFailed returns err as a discovery *Error (Entra's fields kept)
// whose description names the authority host and the fix.
func discoveryFailed(auth Authority, err error) error {
	e := &oauth.Error{Endpoint: "discovery", Code: "request_failed"}
	var oe *oauth.Error
	if errors.As(err, &oe) {
		cp := *oe
		e = &cp
	}
	e.Err = err
	what := "instance discovery failed for"
	if e.Code == "invalid_instance" {
		what = "Entra does not know"
	}
	e.Description = what + " authority host " + auth.Host + "; if it is a trusted private cloud, proxy or fake authority, set ClientOptions.DisableInstanceDiscovery (entraauth --disable-instance-discovery)"
	return e
}

// parseInstanceDiscovery reads an instance discovery answer. A 400
// invalid_instance (AADSTS50049) means Entra does not know the host. A
// success whose metadata does not list host gives host alone as alias
// (MSAL Go instead caches empty aliases and later misses every lookup).
func parseInstanceDiscovery(status int, body []byte, host string) ([]string, error) {
	if status != http.StatusOK {
		return nil, ParseErrorResponse("discovery", status, body)
	}
	var dj instanceDiscoveryJSON
	if err := json.Unmarshal(body, &dj); err != nil {
		return nil, invalidResponse("discovery", status, "instance discovery is not JSON", body)
	}
	if dj.Error != "" {
		return nil, ParseErrorResponse("discovery", status, body)
	}
	if dj.TenantDiscoveryEndpoint == "" {
		return nil, invalidResponse("discovery", status, "instance discovery without tenant_discovery_endpoint", nil)
	}
	for _, m := range dj.Metadata {
		for _, a := range m.Aliases {
			if strings.EqualFold(a, host) {
				out := []string{host}
				for _, b := range m.Aliases {
					if !strings.EqualFold(b, host) {
						out = append(out, strings.ToLower(b))
					}
				}
				return out, nil
			}
		}
	}
	return []string{host}, nil
}
