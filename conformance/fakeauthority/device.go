package fakeauthority

import (
	"errors"
	"net/http"
	"strings"
	"time"
)

// DeviceState is where a device code stands.
type DeviceState string

// The device-code states.
const (
	DevicePending  DeviceState = "pending"
	DeviceApproved DeviceState = "approved"
	DeviceDeclined DeviceState = "declined"
	DeviceRedeemed DeviceState = "redeemed"
)

// DeviceCode is a view of one issued device code, for tests.
type DeviceCode struct {
	UserCode string
	ClientID string
	Scope    string
	Issued   time.Time
	Expires  time.Time
	State    DeviceState
	Username string // who approved it
}

// deviceCode is an issued device code.
type deviceCode struct {
	DeviceCode
	Tenant   string    `json:"tenant"`
	Claims   string    `json:"claims,omitempty"`
	LastPoll time.Time `json:"last_poll"`
	Seq      uint64    `json:"seq"` // issue order, to find the newest
}

// deviceResponse is Entra's /devicecode success JSON.
type deviceResponse struct {
	UserCode        string `json:"user_code"`
	DeviceCode      string `json:"device_code"`
	VerificationURI string `json:"verification_uri"`
	ExpiresIn       int64  `json:"expires_in"`
	Interval        int64  `json:"interval"`
	Message         string `json:"message"`
}

// handleDeviceCode serves POST /{tenant}/oauth2/v2.0/devicecode.
func (a *Authority) handleDeviceCode(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	ti, ok := a.resolveTenant(rc.tenant)
	var e *entraError
	if !ok {
		e = &entraError{code: 90002, detail: "Tenant '" + rc.tenant + "' not found."}
	}
	var app App
	if e == nil {
		app, e = a.checkApp(r.PostForm.Get("client_id"), ti)
	}
	var v []string
	if e == nil {
		v, e = required(r, "scope")
	}
	if e == nil {
		_, e = a.parseScopes(v[0])
	}
	if e != nil {
		a.writeError(w, r, rc, *e)
		return
	}
	now := a.now()
	life, interval := a.deviceTimes()
	dc := &deviceCode{DeviceCode: DeviceCode{
		UserCode: newUserCode(), ClientID: app.ClientID, Scope: v[0], Issued: now,
		Expires: now.Add(life), State: DevicePending,
	}, Tenant: rc.tenant, Claims: r.PostForm.Get("claims")}
	code := "fake.dc." + randomID(32)
	a.mu.Lock()
	a.seq++
	dc.Seq = a.seq
	a.devices[code] = dc
	a.mu.Unlock()
	uri := rc.base + "/devicelogin"
	writeJSON(w, http.StatusOK, deviceResponse{
		UserCode: dc.UserCode, DeviceCode: code, VerificationURI: uri,
		ExpiresIn: int64(life / time.Second), Interval: int64(interval / time.Second),
		Message: "To sign in, use a web browser to open the page " + uri + " and enter the code " + dc.UserCode + " to authenticate.",
	})
}

// deviceTimes are the device-code lifetime and polling interval.
func (a *Authority) deviceTimes() (life, interval time.Duration) {
	life, interval = a.opts.DeviceCodeLifetime, a.opts.DeviceInterval
	if life <= 0 {
		life = 15 * time.Minute
	}
	if interval <= 0 {
		interval = 5 * time.Second
	}
	return life, interval
}

// grantDevice polls a device code: authorization_pending until approved,
// slow_down when Options.EnforceDeviceInterval and polled too early,
// authorization_declined, expired_token, then tokens once.
func (a *Authority) grantDevice(w http.ResponseWriter, r *http.Request, rc *reqCtx, ti tenantInfo, app App) {
	v, e := required(r, "device_code")
	if e == nil && !app.PublicClient {
		e = &entraError{code: 7000218}
	}
	var dc DeviceCode
	if e == nil {
		dc, e = a.pollDevice(v[0], app.ClientID)
	}
	var g grant
	if e == nil {
		g, e = a.deviceGrant(dc, ti, app)
	}
	if e != nil {
		a.writeError(w, r, rc, *e)
		return
	}
	a.issue(w, r, rc, g)
}

// pollDevice advances a device code's state machine for one poll.
func (a *Authority) pollDevice(code, clientID string) (DeviceCode, *entraError) {
	now := a.now()
	_, interval := a.deviceTimes()
	a.mu.Lock()
	defer a.mu.Unlock()
	dc, ok := a.devices[code]
	if !ok || !strings.EqualFold(dc.ClientID, clientID) {
		return DeviceCode{}, &entraError{code: 70000, err: "bad_verification_code", detail: "The device_code was not recognized."}
	}
	last := dc.LastPoll
	dc.LastPoll = now
	if dc.State == DevicePending && a.opts.AutoApproveDevice > 0 && !now.Before(dc.Issued.Add(a.opts.AutoApproveDevice)) {
		dc.State, dc.Username = DeviceApproved, a.autoUser("")
	}
	switch {
	case dc.State == DeviceRedeemed:
		return DeviceCode{}, &entraError{code: 54005, detail: "The device code was already redeemed."}
	case !now.Before(dc.Expires):
		return DeviceCode{}, &entraError{code: 70020}
	case dc.State == DeviceDeclined:
		return DeviceCode{}, &entraError{code: 70000, err: "authorization_declined", detail: "The end user denied the authorization request."}
	case dc.State == DevicePending && a.opts.EnforceDeviceInterval && !last.IsZero() && now.Sub(last) < interval:
		return DeviceCode{}, &entraError{code: 70016, err: "slow_down", detail: "The client polled sooner than the interval."}
	case dc.State == DevicePending:
		return DeviceCode{}, &entraError{code: 70016}
	}
	dc.State = DeviceRedeemed
	return dc.DeviceCode, nil
}

// deviceGrant builds the grant of an approved device code.
func (a *Authority) deviceGrant(dc DeviceCode, ti tenantInfo, app App) (grant, *entraError) {
	u, ok := a.dir.user(dc.Username)
	if !ok {
		return grant{}, &entraError{code: 50034}
	}
	tid, e := tokenTenant(ti, u)
	if e != nil {
		return grant{}, e
	}
	scopes, e := a.parseScopes(dc.Scope)
	if e != nil {
		return grant{}, e
	}
	return grant{app: app, user: u, tid: tid, scopes: scopes}, nil
}

// autoUser is who auto-approval signs in as.
func (a *Authority) autoUser(loginHint string) string {
	if _, ok := a.dir.user(loginHint); ok && loginHint != "" {
		return loginHint
	}
	if a.opts.AutoApproveUser != "" {
		return a.opts.AutoApproveUser
	}
	return DefaultUsername
}

// ErrNoDeviceCode is returned by [Authority.ApproveDevice] and
// [Authority.DeclineDevice] when no pending device code matches.
var ErrNoDeviceCode = errors.New("fakeauthority: no pending device code with that user code")

// ApproveDevice approves a pending device code as username, as if the user
// had typed userCode on the verification page and signed in. userCode ""
// means the most recently issued pending code. The next poll gets tokens.
func (a *Authority) ApproveDevice(userCode, username string) error {
	if _, ok := a.dir.user(username); !ok {
		return errors.New("fakeauthority: unknown user " + username)
	}
	return a.setDevice(userCode, DeviceApproved, username)
}

// DeclineDevice declines a pending device code ("" means the most recent
// one); the next poll gets authorization_declined.
func (a *Authority) DeclineDevice(userCode string) error {
	return a.setDevice(userCode, DeviceDeclined, "")
}

func (a *Authority) setDevice(userCode string, st DeviceState, username string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var pick *deviceCode
	for _, dc := range a.devices {
		if dc.State != DevicePending || (userCode != "" && !strings.EqualFold(dc.UserCode, userCode)) {
			continue
		}
		if pick == nil || dc.Seq > pick.Seq {
			pick = dc
		}
	}
	if pick == nil {
		return ErrNoDeviceCode
	}
	pick.State, pick.Username = st, username
	return nil
}

// DeviceCodes returns every device code issued, for assertions.
func (a *Authority) DeviceCodes() []DeviceCode {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]DeviceCode, 0, len(a.devices))
	for _, dc := range a.devices {
		out = append(out, dc.DeviceCode)
	}
	return out
}
