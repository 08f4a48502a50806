package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
)

// verifyJWT checks d's signature against the key set its issuer
// publishes (iss + "/.well-known/openid-configuration" names jwks_uri)
// with the library's own verifier, the one every ID token passes
// (engine.VerifyJWS): RS256 only, the key picked by the header's kid and
// never taken from the token, RSA of 2048 to 8192 bits published for
// RS256 signatures, and, where Entra gives a key an "issuer", that issuer
// must be the token's. On success d says what it was verified against.
//
// This proves who signed the token, not that you should trust that
// issuer: the issuer's name comes from the token itself.
func verifyJWT(ctx context.Context, d *decoded, caFile, namedHost string) error {
	iss, _ := d.Claims["iss"].(string)
	u, err := url.Parse(iss)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("--verify: the token's issuer %q is not an https URL", clean(iss))
	}
	if _, ok := d.Header["nonce"]; ok {
		return fmt.Errorf("--verify: this token has a nonce in its header (a Microsoft Graph access token): only Graph can verify it, by design")
	}
	hc, err := httpClient(caFile)
	if err != nil {
		return err
	}
	if hc == nil {
		hc = &http.Client{}
	}
	hc.Timeout = 30 * time.Second
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	metaURL := strings.TrimRight(iss, "/") + "/.well-known/openid-configuration"
	if err := getJSON(ctx, hc, metaURL, &meta); err != nil {
		return fmt.Errorf("--verify: %s", clean(err.Error()))
	}
	if ju, err := url.Parse(meta.JWKSURI); err != nil || ju.Scheme != "https" {
		return fmt.Errorf("--verify: %s names no https jwks_uri", clean(metaURL))
	}
	var set json.RawMessage
	if err := getJSON(ctx, hc, meta.JWKSURI, &set); err != nil {
		return fmt.Errorf("--verify: %s", clean(err.Error()))
	}
	_, kid, err := engine.VerifyJWS(d.raw, set)
	if err != nil {
		return fmt.Errorf("--verify: the signature does NOT verify against %s: %s", clean(meta.JWKSURI), clean(err.Error()))
	}
	d.Verified = true
	d.VerifiedWith = fmt.Sprintf("key %s from %s (issuer %s)", clean(kid), clean(meta.JWKSURI), clean(iss))
	d.Issuer, d.IssuerTrust = clean(iss), issuerTrust(u.Host, namedHost)
	return nil
}

// getJSON fetches u (200 only, at most 1 MiB) and decodes it into v.
func getJSON(ctx context.Context, hc *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v); err != nil {
		return fmt.Errorf("GET %s: not JSON: %v", u, err)
	}
	return nil
}

// Issuer trust, as decode --verify reports it.
const (
	issuerMicrosoft = "microsoft" // a known Microsoft cloud host
	issuerNamed     = "named"     // the host the user named with --authority-host
	issuerUnknown   = "unknown"   // anyone's: the token named it itself
)

// issuerTrust says whose issuer host is: a Microsoft cloud's (the same
// list the library uses to skip instance discovery), the one the user
// named, or unknown. Verification against an unknown issuer proves only
// that whoever runs that host signed the token.
func issuerTrust(host, named string) string {
	if a, err := engine.ParseAuthority("https://"+host, oauth.TenantCommon); err == nil && a.IsKnownCloud() {
		return issuerMicrosoft
	}
	if named != "" {
		if nu, err := url.Parse(named); err == nil && nu.Host != "" && strings.EqualFold(nu.Host, host) {
			return issuerNamed
		}
		if strings.EqualFold(strings.TrimRight(named, "/"), host) {
			return issuerNamed
		}
	}
	return issuerUnknown
}

// issuerLine describes the issuer a signature was verified against.
func issuerLine(d *decoded) string {
	tid, _ := d.Claims["tid"].(string)
	switch d.IssuerTrust {
	case issuerMicrosoft:
		return "Issuer:    " + d.Issuer + " (a Microsoft Entra authority; tenant " + clean(tid) + ": anyone can own a tenant, check it is yours)"
	case issuerNamed:
		return "Issuer:    " + d.Issuer + " (the authority named with --authority-host)"
	}
	return "WARNING:   the issuer " + d.Issuer + " is not a Microsoft authority nor one named with --authority-host: " +
		"the token named it itself, so this proves only that whoever runs it signed the token"
}
