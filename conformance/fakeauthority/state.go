package fakeauthority

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrBadState is the error (tested with errors.Is) of a state that cannot
// be restored: [Restore] returns it, [Listen] too, and [New] panics with
// its text.
var ErrBadState = errors.New("fakeauthority: the state cannot be restored")

// minKeyBits is the smallest RSA signing key a state may hold.
const minKeyBits = 2048

// stateVersion is the version of the MarshalState format.
const stateVersion = 1

// savedState is what MarshalState writes. Authorization codes and sign-in
// pages in progress are not saved: they live ten minutes.
type savedState struct {
	Version       int                      `json:"version"`
	Keys          []savedKey               `json:"keys"`
	Tenants       []Tenant                 `json:"tenants"`
	Users         []User                   `json:"users"`
	Apps          []App                    `json:"apps"`
	Resources     []Resource               `json:"resources"`
	RefreshTokens map[string]*refreshToken `json:"refresh_tokens"`
	DeviceCodes   map[string]*deviceCode   `json:"device_codes"`
	Seq           uint64                   `json:"seq"`
}

type savedKey struct {
	KID   string `json:"kid"`
	PKCS8 []byte `json:"pkcs8"`
}

// MarshalState saves the authority's lasting state as JSON: signing keys
// (private keys included: keep the file private), the directory, issued
// refresh tokens and device codes that have not expired. [Options].State
// restores it, so a program can keep one authority across runs.
func (a *Authority) MarshalState() ([]byte, error) {
	now := a.now()
	a.mu.Lock()
	s := savedState{Version: stateVersion, RefreshTokens: map[string]*refreshToken{}, DeviceCodes: map[string]*deviceCode{}, Seq: a.seq}
	for k, rt := range a.refresh { // expired tokens are dropped, so the file does not grow forever
		if now.Sub(rt.Issued) <= a.refreshLifetime() {
			s.RefreshTokens[k] = rt
		}
	}
	for k, dc := range a.devices {
		if now.Before(dc.Expires) {
			s.DeviceCodes[k] = dc
		}
	}
	for _, k := range a.keys.keys {
		der, err := x509.MarshalPKCS8PrivateKey(k.Private)
		if err != nil {
			a.mu.Unlock()
			return nil, err
		}
		s.Keys = append(s.Keys, savedKey{KID: k.KID, PKCS8: der})
	}
	a.dir.mu.RLock()
	s.Tenants, s.Users, s.Apps, s.Resources = a.dir.tenants, a.dir.users, a.dir.apps, a.dir.resources
	b, err := json.MarshalIndent(s, "", "  ")
	a.dir.mu.RUnlock()
	a.mu.Unlock()
	return b, err
}

// restoreState loads what MarshalState saved. Every error wraps
// ErrBadState.
func (a *Authority) restoreState(b []byte) error {
	var s savedState
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%w: %w", ErrBadState, err)
	}
	if s.Version != stateVersion {
		return fmt.Errorf("%w: state version %d, want %d", ErrBadState, s.Version, stateVersion)
	}
	if len(s.Keys) == 0 {
		return fmt.Errorf("%w: the state has no signing key", ErrBadState)
	}
	ring := &keyRing{}
	for _, k := range s.Keys {
		pk, err := x509.ParsePKCS8PrivateKey(k.PKCS8)
		if err != nil {
			return fmt.Errorf("%w: state key %q: %w", ErrBadState, k.KID, err)
		}
		rk, ok := pk.(*rsa.PrivateKey)
		if !ok || k.KID == "" {
			return fmt.Errorf("%w: state key %q is not an RSA key with a kid", ErrBadState, k.KID)
		}
		if rk.N.BitLen() < minKeyBits {
			// crypto/rsa refuses to sign with it; keyCert would panic
			return fmt.Errorf("%w: state key %q has %d bits, want at least %d", ErrBadState, k.KID, rk.N.BitLen(), minKeyBits)
		}
		ring.keys = append(ring.keys, signingKey{KID: k.KID, Private: rk, Cert: keyCert(rk)})
	}
	a.keys = ring
	a.dir = &Directory{tenants: s.Tenants, users: s.Users, apps: s.Apps, resources: s.Resources}
	for k, v := range s.RefreshTokens {
		if v != nil {
			a.refresh[k] = v
		}
	}
	for k, v := range s.DeviceCodes {
		if v != nil {
			a.devices[k] = v
		}
	}
	a.seq = s.Seq
	return nil
}
