package main

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
	jose "github.com/go-jose/go-jose/v4"
)

// verifyJWT checks d's RS256 signature against the key set its issuer
// publishes: iss + "/.well-known/openid-configuration" names jwks_uri, the
// key is picked by the header's kid (never taken from the token), must be
// RSA of at least 2048 bits, and, where Entra gives a key an "issuer"
// ({tenantid} filled with the token's tid), that issuer must be the
// token's. On success d says what it was verified against.
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
	jws, err := jose.ParseSigned(d.raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil || len(jws.Signatures) != 1 {
		return fmt.Errorf("--verify: not a JWS signed with RS256 (the only algorithm Entra ID uses)")
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
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := getJSON(ctx, hc, meta.JWKSURI, &set); err != nil {
		return fmt.Errorf("--verify: %s", clean(err.Error()))
	}
	kid := jws.Signatures[0].Header.KeyID
	tid, _ := d.Claims["tid"].(string)
	for _, raw := range set.Keys {
		var k jose.JSONWebKey
		var extra struct {
			Issuer string `json:"issuer"`
		}
		if k.UnmarshalJSON(raw) != nil || json.Unmarshal(raw, &extra) != nil || k.KeyID != kid {
			continue
		}
		// The library's rules for a signing key (RFC 7517 4.2, 4.4): RSA,
		// not for encryption, for no other algorithm, 2048 to 8192 bits.
		pub, ok := k.Key.(*rsa.PublicKey)
		if !ok || pub.N.BitLen() < 2048 || pub.N.BitLen() > 8192 {
			return fmt.Errorf("--verify: key %s is not an RSA key of 2048 to 8192 bits", clean(kid))
		}
		if (k.Use != "" && k.Use != "sig") || (k.Algorithm != "" && k.Algorithm != string(jose.RS256)) {
			return fmt.Errorf("--verify: key %s is published for %q/%q, not for RS256 signatures", clean(kid), clean(k.Use), clean(k.Algorithm))
		}
		if extra.Issuer != "" && strings.ReplaceAll(extra.Issuer, "{tenantid}", tid) != iss {
			return fmt.Errorf("--verify: key %s is published for issuer %s, not the token's %s", clean(kid), clean(extra.Issuer), clean(iss))
		}
		if _, err := jws.Verify(pub); err != nil {
			return fmt.Errorf("--verify: the signature does NOT verify with key %s from %s", clean(kid), clean(meta.JWKSURI))
		}
		d.Verified = true
		d.VerifiedWith = fmt.Sprintf("key %s from %s (issuer %s)", clean(kid), clean(meta.JWKSURI), clean(iss))
		d.Issuer, d.IssuerTrust = clean(iss), issuerTrust(u.Host, namedHost)
		return nil
	}
	return fmt.Errorf("--verify: no key %q in %s", clean(kid), clean(meta.JWKSURI))
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
