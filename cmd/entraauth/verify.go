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
func verifyJWT(ctx context.Context, d *decoded, caFile string) error {
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
		pub, ok := k.Key.(*rsa.PublicKey)
		if !ok || pub.N.BitLen() < 2048 {
			return fmt.Errorf("--verify: key %s is not an RSA key of at least 2048 bits", clean(kid))
		}
		if extra.Issuer != "" && strings.ReplaceAll(extra.Issuer, "{tenantid}", tid) != iss {
			return fmt.Errorf("--verify: key %s is published for issuer %s, not the token's %s", clean(kid), clean(extra.Issuer), clean(iss))
		}
		if _, err := jws.Verify(pub); err != nil {
			return fmt.Errorf("--verify: the signature does NOT verify with key %s from %s", clean(kid), clean(meta.JWKSURI))
		}
		d.Verified = true
		d.VerifiedWith = fmt.Sprintf("key %s from %s (issuer %s)", clean(kid), clean(meta.JWKSURI), clean(iss))
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
