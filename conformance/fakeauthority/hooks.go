package fakeauthority

import (
	"encoding/json"
	"net/url"
)

// SetTokenResponseHook installs f to change every successful token
// response before it is written (nil removes it): the JSON object as a
// map, so a test can drop access_token, send expires_in as a string, leave
// out a requested scope, change token_type, and so on. Misbehaviour of the
// ID token itself is better set with [Authority.Misbehave] or
// [Authority.SetIDTokenHook].
func (a *Authority) SetTokenResponseHook(f func(resp map[string]any)) {
	a.mu.Lock()
	a.tokenHook = f
	a.mu.Unlock()
}

// SetRedirectHook installs f to change the parameters sent to the redirect
// URI after sign-in, success or error (nil removes it): a test can drop or
// alter state, add an iss (RFC 9207, which Entra does not send), swap the
// code, or add an error.
func (a *Authority) SetRedirectHook(f func(params url.Values)) {
	a.mu.Lock()
	a.redirectHook = f
	a.mu.Unlock()
}

// applyTokenHook runs the token response hook, if any, on resp.
func (a *Authority) applyTokenHook(resp *tokenResponse) (any, error) {
	a.mu.Lock()
	hook := a.tokenHook
	a.mu.Unlock()
	if hook == nil {
		return resp, nil
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	hook(m)
	return m, nil
}

// applyRedirectHook runs the redirect hook, if any, on p.
func (a *Authority) applyRedirectHook(p url.Values) {
	a.mu.Lock()
	hook := a.redirectHook
	a.mu.Unlock()
	if hook != nil {
		hook(p)
	}
}
