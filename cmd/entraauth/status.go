package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/oauth"
)

func init() {
	commands["status"] = command{"show who is signed in, the tenant, token expiry and where the cache lives (no request; exit 3 when not signed in)", cmdStatus}
}

// statusOut is status's JSON output.
type statusOut struct {
	SignedIn       bool       `json:"signedIn"`
	Username       string     `json:"username,omitempty"`
	TenantID       string     `json:"tenantId,omitempty"`
	HomeAccountID  string     `json:"homeAccountId,omitempty"`
	ClientID       string     `json:"clientId,omitempty"`
	Authority      string     `json:"authority,omitempty"`
	Scopes         string     `json:"scopes"`
	TokenExpiresOn *time.Time `json:"tokenExpiresOn,omitempty"`
	RefreshToken   bool       `json:"refreshToken"`
	TokensInBroker bool       `json:"tokensInBroker,omitempty"` // the last login went through the OS broker
	Cache          string     `json:"cache"`
	CacheEncrypted bool       `json:"cacheEncrypted"`
}

func cmdStatus(ctx context.Context, io *stdio, args []string) error {
	spec := commandSpec{name: "status", outputs: []string{"text", "json"}, silent: true, sync: true}
	return withSession(ctx, io, args, spec, func(s *session, o *options) error { return printStatus(io, s, o) })
}

// printStatus reports the last login's account from the cache, without
// any request: the access token for the scopes (--scope) and whether a
// refresh token is there to renew it.
func printStatus(io *stdio, s *session, o *options) error {
	st := statusOut{Scopes: strings.Join(o.scopes, " "), Cache: s.store.where, CacheEncrypted: s.store.encrypted}
	rec := s.client.AuthenticationRecord
	if s.hasRecord {
		st.SignedIn = true
		st.Username, st.TenantID, st.HomeAccountID, st.ClientID = clean(rec.Username), clean(rec.TenantID), clean(rec.HomeAccountID), clean(rec.ClientID)
		st.Authority = clean(authorityHostOf(rec.Authority))
		env := ""
		if u, err := url.Parse(st.Authority); err == nil {
			env = u.Host
		}
		st.TokensInBroker = s.brokerSignedIn()
		c := s.client.Cache
		for _, realm := range []string{s.client.TenantID, rec.TenantID, oauth.TenantOrganizations, "common"} {
			k := cache.NewAccessTokenKey(rec.HomeAccountID, env, realm, rec.ClientID, o.scopes, "", false)
			if at, ok := c.AccessToken(k); ok {
				t := at.ExpiresOn.UTC()
				st.TokenExpiresOn = &t
				break
			}
		}
		_, st.RefreshToken = c.RefreshToken(cache.NewRefreshTokenKey(rec.HomeAccountID, env, rec.ClientID, ""))
		if !st.RefreshToken {
			_, st.RefreshToken = c.RefreshToken(cache.NewRefreshTokenKey(rec.HomeAccountID, env, "", "1"))
		}
	}
	if o.output == "json" {
		if err := writeJSON(io.stdout, st); err != nil || st.SignedIn {
			return err
		}
		return &actionError{msg: "not signed in: run " + loginHint(o)}
	}
	w := io.stdout
	if !st.SignedIn {
		fmt.Fprintf(w, "Not signed in.\n  Token cache:     %s\n", st.Cache)
		return &actionError{msg: "not signed in: run " + loginHint(o)}
	}
	fmt.Fprintf(w, "Signed in as %s\n  Tenant:          %s\n  Home account ID: %s\n  Client ID:       %s\n  Authority:       %s\n",
		st.Username, st.TenantID, st.HomeAccountID, st.ClientID, st.Authority)
	if st.TokensInBroker {
		fmt.Fprintf(w, "  Tokens:          kept by the OS authentication broker (`entraauth token` asks it silently)\n")
	} else if st.TokenExpiresOn != nil {
		state := "expires"
		if time.Now().After(*st.TokenExpiresOn) {
			state = "EXPIRED"
		}
		fmt.Fprintf(w, "  Access token:    %s %s (%s local) for %s\n", state, st.TokenExpiresOn.Format("2006-01-02 15:04:05 UTC"),
			st.TokenExpiresOn.Local().Format("15:04:05 MST"), st.Scopes)
	} else {
		fmt.Fprintf(w, "  Access token:    none cached for %s\n", st.Scopes)
	}
	if !st.TokensInBroker {
		fmt.Fprintf(w, "  Refresh token:   %s\n", map[bool]string{true: "cached (token renews silently)", false: "none: run " + loginHint(o)}[st.RefreshToken])
	}
	enc := "encrypted"
	if !st.CacheEncrypted {
		enc = "NOT encrypted"
	}
	_, err := fmt.Fprintf(w, "  Token cache:     %s (%s)\n", st.Cache, enc)
	return err
}
