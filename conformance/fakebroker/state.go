package fakebroker

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// stateVersion is the version of the MarshalState format.
const stateVersion = 1

// savedState is what MarshalState writes: the signed-in accounts with
// the refresh tokens the broker keeps, in sign-in order. Calls, queued
// failures and hung calls are not state.
type savedState struct {
	Version  int            `json:"version"`
	Accounts []savedAccount `json:"accounts"`
}

type savedAccount struct {
	Account      map[string]any `json:"account"`
	ClientID     string         `json:"clientId"`
	RefreshToken string         `json:"refreshToken"`
}

// maxState bounds a state RestoreState accepts.
const maxState = 1 << 20

// ErrBadState is wrapped by every error of [Broker.RestoreState].
var ErrBadState = errors.New("fakebroker: invalid state")

// MarshalState saves the broker's signed-in accounts and their refresh
// tokens as JSON, so that a program that starts the fake broker anew on
// each run (as a CLI does) keeps its users signed in, together with the
// fake authority's own MarshalState. The refresh tokens are the fake
// authority's; keep the file as private as that one.
func (b *Broker) MarshalState() ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := savedState{Version: stateVersion, Accounts: []savedAccount{}}
	for _, a := range b.accounts {
		st.Accounts = append(st.Accounts, savedAccount{Account: a.obj, ClientID: a.clientID, RefreshToken: a.refreshToken})
	}
	return json.Marshal(st)
}

// RestoreState replaces the broker's accounts with those MarshalState
// saved. On error the broker is unchanged.
func (b *Broker) RestoreState(state []byte) error {
	if len(state) > maxState {
		return fmt.Errorf("%w: larger than %d bytes", ErrBadState, maxState)
	}
	var st savedState
	if err := json.Unmarshal(state, &st); err != nil {
		return fmt.Errorf("%w: %w", ErrBadState, err)
	}
	if st.Version != stateVersion {
		return fmt.Errorf("%w: version %d, want %d", ErrBadState, st.Version, stateVersion)
	}
	accts := make([]*account, 0, len(st.Accounts))
	for i, s := range st.Accounts {
		home, _ := s.Account["homeAccountId"].(string)
		uid, utid, ok := strings.Cut(home, ".")
		if !ok || uid == "" || utid == "" || s.ClientID == "" {
			return fmt.Errorf("%w: account %d has no home account ID or client ID", ErrBadState, i)
		}
		accts = append(accts, &account{obj: s.Account, home: home, clientID: s.ClientID, refreshToken: s.RefreshToken})
	}
	b.mu.Lock()
	b.accounts = accts
	b.mu.Unlock()
	return nil
}
