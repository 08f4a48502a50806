package engine

import (
	"net/http"
	"reflect"
	"sync"
)

// maxSharedKeySets bounds the process-wide key set registry; the oldest
// entry goes first.
const maxSharedKeySets = 32

// keySetID names a shared key set: its URL and the transport that fetches
// it, so clients reaching the authority differently (another proxy, a
// test's in-memory authority) never share keys.
type keySetID struct {
	url string
	rt  http.RoundTripper
}

var sharedKeySets = struct {
	sync.Mutex
	m     map[keySetID]*keySet
	order []keySetID
}{m: map[keySetID]*keySet{}}

// keySet returns the key set for url: shared with every client of the
// process that uses the same transport, so a process fetches and parses
// an authority's keys once, not once per credential. A transport that
// cannot be compared (a func type) gets a key set of this client only.
func (c *Client) keySet(url string) *keySet {
	rt := c.wire.hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	if !reflect.ValueOf(rt).Comparable() {
		c.keysMu.Lock()
		defer c.keysMu.Unlock()
		ks, ok := c.keySets[url]
		if !ok {
			ks = &keySet{url: url, wire: c.wire}
			c.keySets[url] = ks
		}
		return ks
	}
	id := keySetID{url: url, rt: rt}
	r := &sharedKeySets
	r.Lock()
	defer r.Unlock()
	if ks, ok := r.m[id]; ok {
		return ks
	}
	if len(r.order) >= maxSharedKeySets {
		delete(r.m, r.order[0])
		r.order = r.order[1:]
	}
	ks := &keySet{url: url, wire: c.wire}
	r.m[id] = ks
	r.order = append(r.order, id)
	return ks
}
