package fakeauthority

import (
	"net/http"
	"net/url"
	"time"
)

// Request is one request as the authority received it, for tests to
// assert on. Params holds query and form parameters as sent, secrets
// included: the log is a test's view of the wire, not a diagnostic log.
type Request struct {
	Endpoint Endpoint // "" for a path no endpoint serves
	Method   string
	Path     string
	Tenant   string // the tenant path segment, as sent
	// GrantType is grant_type of a token request.
	GrantType string
	// PKCEMethod is code_challenge_method of an authorize request ("" when
	// absent), or for a code redemption the method the code was issued
	// with.
	PKCEMethod string
	Params     url.Values
	Header     http.Header
	Time       time.Time
}

// record counts a request and appends it to the log.
func (a *Authority) record(ep Endpoint, r *http.Request, rc *reqCtx) {
	params := url.Values{}
	for k, v := range r.Form {
		params[k] = append([]string(nil), v...)
	}
	req := Request{
		Endpoint:  ep,
		Method:    r.Method,
		Path:      r.URL.Path,
		Tenant:    rc.tenant,
		GrantType: params.Get("grant_type"),
		Params:    params,
		Header:    r.Header.Clone(),
		Time:      a.now(),
	}
	switch ep {
	case EndpointAuthorize:
		req.PKCEMethod = params.Get("code_challenge_method")
	case EndpointToken:
		req.PKCEMethod = a.codeMethod(params.Get("code"))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.counts[ep]++
	if len(a.requests) >= maxLogEntries { // a long-running program must not grow without bound
		a.requests = append(a.requests[:0:0], a.requests[len(a.requests)-maxLogEntries/2:]...)
	}
	a.requests = append(a.requests, req)
}

// maxLogEntries bounds the request log; past it the older half is dropped.
const maxLogEntries = 10000

// codeMethod is the PKCE method an unredeemed code was issued with.
func (a *Authority) codeMethod(code string) string {
	if code == "" {
		return ""
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.codes[code]; ok {
		return c.ChallengeMethod
	}
	return ""
}

// Requests returns a copy of the request log, oldest first. The log keeps
// at most the last 10000 requests; counters are never dropped.
func (a *Authority) Requests() []Request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Request(nil), a.requests...)
}

// RequestsTo returns the logged requests to one endpoint, oldest first.
func (a *Authority) RequestsTo(ep Endpoint) []Request {
	var out []Request
	for _, r := range a.Requests() {
		if r.Endpoint == ep {
			out = append(out, r)
		}
	}
	return out
}

// Count returns how many requests reached ep (faulted ones included).
func (a *Authority) Count(ep Endpoint) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.counts[ep]
}

// Counts returns a copy of every endpoint's counter.
func (a *Authority) Counts() map[Endpoint]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[Endpoint]int, len(a.counts))
	for k, v := range a.counts {
		out[k] = v
	}
	return out
}

// ResetLog clears the request log and the counters.
func (a *Authority) ResetLog() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requests = nil
	a.counts = map[Endpoint]int{}
}
