package fakeauthority

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is a scripted misbehaviour of one endpoint, injected with
// [Authority.InjectFault]. Build one with the constructors ([AADSTSError],
// [Throttle], [ServerError], [HTMLPage], [TruncatedJSON], [OversizedBody],
// [Delay], [DropConnection]) and adjust Times if it should apply to more
// than the next request.
type Fault struct {
	// Times is how many requests the fault applies to: 0 or 1 means the
	// next one, a negative number means every request until
	// [Authority.ClearFaults].
	Times int

	// Delay waits this long (or until the request's context ends) before
	// answering; with no other field set the request is then served
	// normally.
	Delay time.Duration
	// Drop drops the connection without an answer.
	Drop bool
	// AADSTS answers with Entra's error JSON for this code (error,
	// error_description "AADSTSnnnn: ...", error_codes, timestamp,
	// trace_id, correlation_id, error_uri, suberror), with the status
	// Entra uses for it. Codes the fake does not know answer
	// invalid_request with status 400.
	AADSTS int
	// Error, SubError and Claims override the error JSON's "error",
	// "suberror" and add "claims" for an AADSTS fault.
	Error, SubError, Claims string
	// Status overrides the HTTP status (for AADSTS, HTMLPage) or, alone,
	// answers with that status and an Entra-shaped JSON error.
	Status int
	// RetryAfter sets the Retry-After header, in whole seconds.
	RetryAfter time.Duration
	// HTML answers with an HTML error page (status Status, default 200),
	// as a proxy or captive portal would.
	HTML bool
	// Truncated answers 200 with a token response cut off mid-JSON.
	Truncated bool
	// Oversized answers 200 with a JSON body of this many bytes.
	Oversized int
}

// AADSTSError is a fault answering with Entra's error for code, e.g. 50076
// (MFA required, with suberror basic_action) or 70000 (invalid_grant).
func AADSTSError(code int) Fault { return Fault{AADSTS: code} }

// Throttle is HTTP 429 with Retry-After, as Entra's throttling answers.
func Throttle(retryAfter time.Duration) Fault {
	return Fault{AADSTS: 90055, Status: http.StatusTooManyRequests, RetryAfter: retryAfter}
}

// ServerError is a 5xx answer with a temporarily_unavailable JSON body.
func ServerError(status int) Fault { return Fault{AADSTS: 90033, Status: status} }

// HTMLPage is an HTML error page with the given status (0 means 200).
func HTMLPage(status int) Fault { return Fault{HTML: true, Status: status} }

// TruncatedJSON is a 200 answer whose JSON body stops half way.
func TruncatedJSON() Fault { return Fault{Truncated: true} }

// OversizedBody is a 200 JSON answer of n bytes (clients should stop
// reading at their limit, typically 1 MiB).
func OversizedBody(n int) Fault { return Fault{Oversized: n} }

// Delay holds the answer back for d, then serves the request normally.
func Delay(d time.Duration) Fault { return Fault{Delay: d} }

// DropConnection closes the connection without an answer.
func DropConnection() Fault { return Fault{Drop: true} }

// InjectFault queues f for endpoint ep. Faults queued for one endpoint
// apply in order, each to its Times requests.
func (a *Authority) InjectFault(ep Endpoint, f Fault) {
	if f.Times == 0 {
		f.Times = 1
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults[ep] = append(a.faults[ep], &f)
}

// ClearFaults removes every queued fault.
func (a *Authority) ClearFaults() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults = map[Endpoint][]*Fault{}
}

// takeFault pops the fault for the next request to ep, if any.
func (a *Authority) takeFault(ep Endpoint) (Fault, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	q := a.faults[ep]
	if len(q) == 0 {
		return Fault{}, false
	}
	f := *q[0]
	if q[0].Times > 0 {
		q[0].Times--
		if q[0].Times == 0 {
			a.faults[ep] = q[1:]
		}
	}
	return f, true
}

// applyFault answers r with the next scripted fault for ep; false when the
// request should be served normally.
func (a *Authority) applyFault(w http.ResponseWriter, r *http.Request, ep Endpoint) bool {
	f, ok := a.takeFault(ep)
	if !ok {
		return false
	}
	if f.Delay > 0 && !sleepCtx(r.Context(), f.Delay) {
		return true
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((f.RetryAfter+time.Second-1)/time.Second)))
	}
	switch {
	case f.Drop:
		panic(http.ErrAbortHandler)
	case f.HTML:
		st := f.Status
		if st == 0 {
			st = http.StatusOK
		}
		writeHTMLError(w, st, "Sorry, but we're having trouble signing you in.", "A proxy answered instead of the authority.")
	case f.Truncated:
		writeRaw(w, http.StatusOK, `{"token_type":"Bearer","scope":"openid profile","expires_in":3600,"access_token":"eyJ0eXAiOiJKV1Qi`)
	case f.Oversized > 0:
		const head, tail = `{"token_type":"Bearer","access_token":"`, `"}`
		writeRaw(w, http.StatusOK, head+strings.Repeat("A", max(f.Oversized-len(head)-len(tail), 0))+tail)
	case (ep == EndpointAuthorize || ep == EndpointLogin) && f.AADSTS != 0 && f.Status == 0:
		return a.authorizeFault(w, r, f)
	case f.AADSTS != 0 || f.Status != 0:
		code := f.AADSTS
		if code == 0 {
			code = 90033
		}
		_, rc := a.route(r)
		a.writeError(w, r, rc, entraError{code: code, err: f.Error, sub: f.SubError, claims: f.Claims, status: f.Status})
	default:
		return false // a pure delay: serve normally
	}
	return true
}

// sleepCtx waits for d or the end of ctx; false when ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// writeRaw writes a JSON-typed body verbatim.
func writeRaw(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// authorizeFault sends an AADSTS fault on /authorize (or the sign-in
// form) to the redirect URI, as Entra reports sign-in errors, when the
// client and redirect URI are valid; otherwise it shows the error page.
func (a *Authority) authorizeFault(w http.ResponseWriter, r *http.Request, f Fault) bool {
	_, rc := a.route(r)
	req := &authRequest{ClientID: r.Form.Get("client_id"), RedirectURI: r.Form.Get("redirect_uri"),
		ResponseMode: r.Form.Get("response_mode"), State: r.Form.Get("state"), Tenant: rc.tenant}
	if id := r.PostForm.Get("ctx"); id != "" {
		a.mu.Lock()
		if p, ok := a.pendingAuth[id]; ok {
			req = p
		}
		a.mu.Unlock()
	}
	if code, _ := a.checkClientAndRedirect(req); code != 0 {
		writeHTMLError(w, http.StatusBadRequest, "Sorry, but we're having trouble signing you in.", aadstsMessage(f.AADSTS, ""))
		return true
	}
	a.redirectError(w, r, rc, req, entraError{code: f.AADSTS, err: f.Error, sub: f.SubError, claims: f.Claims})
	return true
}
