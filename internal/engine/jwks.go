package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/oauth"
)

const (
	minRSABits = 2048 // smaller RSA keys are refused for verification
	maxRSABits = 8192 // larger ones too: they only cost time
)

// keySet is one authority's JSON Web Key Set, shared by every client of
// the process that reaches the same key set URL through the same
// transport (see sharedKeySet). In verifySignature an unknown kid
// triggers one refetch (coalesced with any fetch in flight, and at most
// once per keysMinRetry), and a failed fetch keeps the last good keys.
// Keys are parsed lazily: a fetch reads only each key's small members,
// and the RSA key a token names is built when first used (certificates
// only for a key published without n and e).
type keySet struct {
	url  string
	wire *wire

	mu       sync.Mutex
	keys     []*jwkSlot
	lastTry  time.Time     // when the last fetch started; zero = never
	lastMiss time.Time     // when an unknown kid last caused a fetch
	inflight chan struct{} // closed when the running fetch ends
	hurry    chan struct{} // closed when a token waits for the first fetch
	fetchErr error         // error of the last finished fetch

	// The token cache that keeps this key set across processes (that of
	// the first client with a keeping storage that prefetched it), and
	// the authority it is for.
	store     *cache.Cache
	authority string
}

// prefetch starts fetching the key set in the background if it has never
// been fetched, so validation later costs no wait.
// The first fetch reads the key set stored in store for this authority
// and URL when it is under a day old (cache.KeySetMaxAge), so a new
// process does not fetch it again; a key the stored set lacks still
// causes a fetch (refresh), whose result is stored.
//
// The network fetch waits, up to connWait, for conn: the signal that the
// request the caller is about to send has its connection, so that over
// HTTP/2 both travel on one connection. A token waiting for the keys
// (settle) ends that wait at once.
func (k *keySet) prefetch(ctx context.Context, store *cache.Cache, authority string, conns *connWatch) {
	k.mu.Lock()
	if k.store == nil && store != nil && store.KeepsKeySets() {
		k.store, k.authority = store, authority
	}
	start := k.lastTry.IsZero() && k.inflight == nil
	var ch, hurry chan struct{}
	if start {
		ch = k.startLocked()
		hurry = k.hurry
	}
	k.mu.Unlock()
	if start {
		go k.firstFetch(context.WithoutCancel(ctx), ch, conns.connSignal(), hurry)
	}
}

func (k *keySet) persistence() (*cache.Cache, string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.store, k.authority
}

// firstFetch uses the stored key set when there is a fresh one, else
// fetches.
func (k *keySet) firstFetch(ctx context.Context, done chan struct{}, conn, hurry <-chan struct{}) {
	if store, authority := k.persistence(); store != nil {
		if st, ok := store.StoredKeySet(ctx, authority, k.url, time.Now()); ok {
			if keys, err := parseJWKS(st.Keys); err == nil {
				k.mu.Lock()
				k.keys, k.fetchErr, k.inflight = keys, nil, nil
				k.mu.Unlock()
				close(done)
				return
			}
		}
	}
	awaitConn(conn, hurry)
	k.fetch(ctx, done)
}

// awaitConn waits for conn, for a token that needs the keys now, or for
// connWait, whichever comes first.
func awaitConn(conn, hurry <-chan struct{}) {
	t := time.NewTimer(connWait)
	defer t.Stop()
	select {
	case <-conn:
	case <-hurry:
	case <-t.C:
	}
}

// hurryLocked ends a first fetch's wait for a connection to share.
func (k *keySet) hurryLocked() {
	if k.hurry != nil {
		close(k.hurry)
		k.hurry = nil
	}
}

func (k *keySet) startLocked() chan struct{} {
	ch := make(chan struct{})
	k.inflight, k.hurry = ch, make(chan struct{})
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
	k.hurryLocked()
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
	keys, body, err := k.download(ctx)
	if store, authority := k.persistence(); err == nil && store != nil {
		// Stored before the waiters resume, so a short-lived process
		// that exits once its token is verified has kept the keys. A
		// failure only costs the next process a fetch.
		_ = store.StoreKeySet(ctx, cache.KeySet{Authority: authority, URL: k.url, FetchedAt: time.Now(), Keys: body})
	}
	k.mu.Lock()
	if err == nil {
		k.keys = keys
	}
	k.fetchErr = err
	k.inflight = nil
	k.mu.Unlock()
	close(done)
}

// download fetches and splits the key set; body is the document as
// served, for the store.
func (k *keySet) download(ctx context.Context) ([]*jwkSlot, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, defaultTimeout)
	defer cancel()
	resp, err := k.wire.do(ctx, "keys", http.MethodGet, k.url, nil)
	if err != nil {
		return nil, nil, err
	}
	if resp.status != http.StatusOK {
		return nil, nil, ParseErrorResponse("keys", resp.status, resp.body)
	}
	keys, err := parseJWKS(resp.body)
	return keys, resp.body, err
}

// jwkSlot is one element of a fetched key set, decoded on first use.
type jwkSlot struct {
	raw   []byte
	once  sync.Once
	entry *jwkEntry // nil when the element is not a usable RS256 key
}

// get decodes the element once; nil for a key this package cannot read
// or use (RFC 7517 5: such keys are skipped).
func (s *jwkSlot) get() *jwkEntry {
	s.once.Do(func() {
		var e jwkEntry
		if json.Unmarshal(s.raw, &e) == nil && e.usable() {
			s.entry = &e
		}
	})
	return s.entry
}

// parseJWKS splits a JWKS into its keys without decoding them (see
// splitKeys); a key is decoded when a token names it.
func parseJWKS(body []byte) ([]*jwkSlot, error) {
	raw, err := splitKeys(body)
	if err != nil {
		return nil, invalidResponse("keys", http.StatusOK, "key set is not JWKS JSON", body)
	}
	if len(raw) == 0 {
		return nil, invalidResponse("keys", http.StatusOK, "key set has no key", nil)
	}
	slots := make([]*jwkSlot, len(raw))
	for i, r := range raw {
		slots[i] = &jwkSlot{raw: r}
	}
	return slots, nil
}

var errNoKey = errors.New("no key in the authority's key set verifies the signature")

// verifySignature verifies jws (parsed once by verifyIDToken, RS256 and
// one signature) and returns its payload. Keys come only from the
// authority's key set URL, never from the token header (jku, jwk, x5u).
func (k *keySet) verifySignature(ctx context.Context, jws *compactJWS) ([]byte, error) {
	kid := jws.kid
	if err := k.settle(ctx); err != nil {
		return nil, keySetUnavailable(err)
	}
	if payload, found, err := k.verifyWith(jws, kid); found || err == nil {
		return payload, err
	}
	// Unknown kid (or none fitting): the authority may have rotated keys.
	if err := k.refresh(ctx); err != nil {
		return nil, keySetUnavailable(err)
	}
	payload, _, err := k.verifyWith(jws, kid)
	return payload, err
}

// keySetUnavailable is the error of a key-set fetch as verification
// reports it: the authority's own error, else an invalid ID token.
func keySetUnavailable(err error) error {
	var oe *oauth.Error
	if errors.As(err, &oe) {
		return oe
	}
	e := idTokenError("key set unavailable")
	e.Err = err
	return e
}

// settle waits for a fetch in flight (the prefetch, or the key set kept
// beside the cache being read), so that a kid is looked up in the set it
// brings: judged against an empty set, the kid would seem unknown, and
// the refresh it causes would only wait for that same fetch, leaving a
// key rotated since the set was kept unfound.
// It returns that fetch's error: a set that could not be fetched just
// now is not fetched again for the same token.
func (k *keySet) settle(ctx context.Context) error {
	k.mu.Lock()
	ch := k.inflight
	k.hurryLocked()
	k.mu.Unlock()
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
	case <-ctx.Done():
		return ctx.Err()
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.fetchErr
}

// verifyWith verifies with the cached key named kid (every cached key when
// kid is empty). found reports whether a key with that kid was cached. A
// key that verifies must also be bound to the token's issuer. Only keys
// whose text holds the kid are decoded; when none does (a kid written
// with JSON escapes, or unknown), every key is decoded to be sure.
func (k *keySet) verifyWith(jws *compactJWS, kid string) (payload []byte, found bool, err error) {
	k.mu.Lock()
	slots := k.keys
	k.mu.Unlock()
	quoted := []byte(`"` + kid + `"`)
	unusable := false // a key that names kid but is not for RS256 signatures
	for pass := 0; pass < 2; pass++ {
		for _, s := range slots {
			if kid != "" && pass == 0 && !bytes.Contains(s.raw, quoted) {
				continue
			}
			key := s.get()
			if key == nil {
				unusable = unusable || (kid != "" && pass == 0 && namesKid(s.raw, kid))
				continue
			}
			if kid != "" && key.Kid != kid {
				continue
			}
			found = found || kid != ""
			if p, ok, err := key.verify(jws); ok {
				return p, true, err
			}
		}
		if found || kid == "" {
			break
		}
	}
	if found {
		return nil, true, idTokenError("signature does not verify with the key named by kid (or that key is unusable: under 2048 bits, for encryption, or for another algorithm)")
	}
	if unusable {
		return nil, false, idTokenError("the key named by kid is not an RSA key published for RS256 signatures (RFC 7517 sections 4.2, 4.4: use, alg)")
	}
	return nil, false, idTokenError(errNoKey.Error())
}

// namesKid reports whether a key set element, one this package cannot
// use, is the key named kid.
func namesKid(raw []byte, kid string) bool {
	var k struct {
		Kid string `json:"kid"`
	}
	return json.Unmarshal(raw, &k) == nil && k.Kid == kid
}
