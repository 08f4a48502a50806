package oauth

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// keySet is one authority's JSON Web Key Set, cached for the process. It
// implements oidc.KeySet: an unknown kid triggers one refetch (coalesced
// with any fetch in flight, and at most once per keysMinRetry), and a
// failed fetch keeps the last good keys.
type keySet struct {
	url  string
	wire *wire

	mu       sync.Mutex
	keys     []jose.JSONWebKey
	lastTry  time.Time     // when the last fetch started; zero = never
	lastMiss time.Time     // when an unknown kid last caused a fetch
	inflight chan struct{} // closed when the running fetch ends
	fetchErr error         // error of the last finished fetch
}

// keySet returns the cached key set for url, creating it.
func (c *Client) keySet(url string) *keySet {
	c.keysMu.Lock()
	defer c.keysMu.Unlock()
	ks, ok := c.keySets[url]
	if !ok {
		ks = &keySet{url: url, wire: c.wire}
		c.keySets[url] = ks
	}
	return ks
}

// prefetch starts fetching the key set in the background if it has never
// been fetched, so validation later costs no wait.
func (k *keySet) prefetch(ctx context.Context) {
	k.mu.Lock()
	start := k.lastTry.IsZero() && k.inflight == nil
	var ch chan struct{}
	if start {
		ch = k.startLocked()
	}
	k.mu.Unlock()
	if start {
		go k.fetch(context.WithoutCancel(ctx), ch)
	}
}

func (k *keySet) startLocked() chan struct{} {
	ch := make(chan struct{})
	k.inflight = ch
	k.lastTry = time.Now()
	return ch
}

// refresh waits for a fetch: the one in flight, or a new one unless an
// unknown kid already caused one less than keysMinRetry ago (the first
// fetch and the prefetch do not count, so a key rotated just after the
// prefetch is still found).
func (k *keySet) refresh(ctx context.Context) error {
	k.mu.Lock()
	ch := k.inflight
	if ch == nil {
		if !k.lastMiss.IsZero() && time.Since(k.lastMiss) < keysMinRetry {
			err := k.fetchErr
			k.mu.Unlock()
			return err
		}
		k.lastMiss = time.Now()
		ch = k.startLocked()
		go k.fetch(context.WithoutCancel(ctx), ch)
	}
	k.mu.Unlock()
	select {
	case <-ch:
	case <-ctx.Done():
		return ctx.Err()
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.fetchErr
}

func (k *keySet) fetch(ctx context.Context, done chan struct{}) {
	keys, err := k.download(ctx)
	k.mu.Lock()
	if err == nil {
		k.keys = keys
	}
	k.fetchErr = err
	k.inflight = nil
	k.mu.Unlock()
	close(done)
}

func (k *keySet) download(ctx context.Context) ([]jose.JSONWebKey, error) {
	ctx, cancel := context.WithTimeout(ctx, defaultTimeout)
	defer cancel()
	resp, err := k.wire.do(ctx, "keys", http.MethodGet, k.url, nil)
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		return nil, ParseErrorResponse("keys", resp.status, resp.body)
	}
	return parseJWKS(resp.body)
}

// parseJWKS reads a JWKS, keeping only RSA signing keys usable for RS256;
// keys it cannot parse or use are skipped, so one odd key (another key
// type, another use, a short modulus) does not lose the others.
func parseJWKS(body []byte) ([]jose.JSONWebKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, invalidResponse("keys", http.StatusOK, "key set is not JWKS JSON", body)
	}
	var keys []jose.JSONWebKey
	for _, raw := range set.Keys {
		var k jose.JSONWebKey
		if json.Unmarshal(raw, &k) != nil {
			continue
		}
		if _, ok := k.Key.(*rsa.PublicKey); !ok || k.Use == "enc" || (k.Algorithm != "" && k.Algorithm != "RS256") {
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, invalidResponse("keys", http.StatusOK, "key set has no usable RS256 key", nil)
	}
	return keys, nil
}

var errNoKey = errors.New("no key in the authority's key set verifies the signature")

// VerifySignature implements oidc.KeySet. Keys come only from the
// authority's key set URL, never from the token header (jku, jwk, x5u).
func (k *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	jws, err := jose.ParseSigned(jwt, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, idTokenError("not an RS256 JWS")
	}
	if len(jws.Signatures) != 1 {
		return nil, idTokenError("not exactly one signature")
	}
	kid := jws.Signatures[0].Header.KeyID
	if payload, found, err := k.verifyWith(jws, kid); found || err == nil {
		return payload, err
	}
	// Unknown kid (or none fitting): the authority may have rotated keys.
	if err := k.refresh(ctx); err != nil {
		var oe *Error
		if errors.As(err, &oe) {
			return nil, oe
		}
		e := idTokenError("key set unavailable")
		e.err = err
		return nil, e
	}
	payload, _, err := k.verifyWith(jws, kid)
	return payload, err
}

// verifyWith verifies with the cached key named kid (every cached key when
// kid is empty). found reports whether a key with that kid was cached.
func (k *keySet) verifyWith(jws *jose.JSONWebSignature, kid string) (payload []byte, found bool, err error) {
	k.mu.Lock()
	keys := k.keys
	k.mu.Unlock()
	for _, key := range keys {
		if kid != "" && key.KeyID != kid {
			continue
		}
		if kid != "" {
			found = true
		}
		if p, err := jws.Verify(key.Key); err == nil {
			return p, true, nil
		}
	}
	if found {
		return nil, true, idTokenError("signature does not verify")
	}
	return nil, false, idTokenError(errNoKey.Error())
}
