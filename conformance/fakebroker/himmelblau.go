package fakebroker

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// The Himmelblau mode, after https://github.com/himmelblau-idm/himmelblau:
// src/broker/src/main.rs (the session broker on D-Bus) and
// src/daemon/src/broker.rs (the daemon that answers it).

// requestUsername is the request's account.username, where himmelblau
// reads it: authParameters.account or the request's own account.
func requestUsername(p *authParams) string {
	var a struct {
		Username string `json:"username"`
	}
	json.Unmarshal(p.Account, &a)
	return a.Username
}

// himmelblauInteractive: without account.username the session broker
// fails the D-Bus call; otherwise it authenticates the user (pinentry:
// the Hello PIN, which unlocks the session's tokens; here the session's
// sign-in, made once) and answers as acquireTokenSilently does.
func (b *Broker) himmelblauInteractive(ctx context.Context, p *authParams) (string, *dbus.Error) {
	user := requestUsername(p)
	if user == "" {
		return "", dbus.NewError("org.freedesktop.DBus.Error.Failed", []any{"Missing account username in request"})
	}
	if !strings.EqualFold(user, b.opts.Username) {
		return tokenError(map[string]any{"context": "Invalid request for user!", "status": 0, "subStatus": 0}), nil
	}
	if _, err := b.sessionAccount(ctx, p.ClientID, p.Authority); err != nil {
		return tokenError(map[string]any{"context": "Interactive authentication failed", "status": 0, "subStatus": 0}), nil
	}
	return b.himmelblauSilent(ctx, p), nil
}

// himmelblauSilent answers for the session's user only, without an
// account, extendedExpiresOn in seconds.
func (b *Broker) himmelblauSilent(ctx context.Context, p *authParams) string {
	user := requestUsername(p)
	if user == "" {
		return tokenError(map[string]any{"context": "Missing account", "status": 0, "subStatus": 0})
	}
	if !strings.EqualFold(user, b.opts.Username) {
		return tokenError(map[string]any{"context": "Invalid request for user!", "status": 0, "subStatus": 0})
	}
	acct, err := b.sessionAccount(ctx, p.ClientID, p.Authority)
	if err != nil {
		return tokenError(map[string]any{"context": "Unable to find account", "status": 0, "subStatus": 0})
	}
	b.mu.Lock()
	rt := acct.refreshToken
	b.mu.Unlock()
	tj, sent, failure := b.grant(ctx, p, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, acct)
	if failure != "" {
		return failure
	}
	b.keep(p, tj, acct)
	return marshal(map[string]any{"brokerTokenResponse": map[string]any{
		"accessToken": tj.AccessToken, "accessTokenType": 0, "clientInfo": strings.TrimRight(tj.ClientInfo, "="),
		"expiresOn":         sent.Add(time.Duration(tj.ExpiresIn) * time.Second).UnixMilli(),
		"extendedExpiresOn": sent.Add(time.Duration(tj.ExtExpiresIn) * time.Second).Unix(),
		"grantedScopes":     tj.Scope, "idToken": tj.IDToken,
	}})
}

// sessionAccount is the session's user, signed in with Username and
// Password the first time it is needed (as the session's login did).
func (b *Broker) sessionAccount(ctx context.Context, clientID, authority string) (*account, error) {
	b.mu.Lock()
	if len(b.accounts) > 0 {
		a := b.accounts[0]
		b.mu.Unlock()
		return a, nil
	}
	b.mu.Unlock()
	if authority == "" {
		authority = b.opts.AuthorityURL + "/organizations"
	}
	p := &authParams{ClientID: clientID, Authority: authority, RequestedScopes: []string{"https://graph.microsoft.com/.default"}}
	form := url.Values{"grant_type": {"password"}, "username": {b.opts.Username}, "password": {b.opts.Password}}
	tj, _, failure := b.grant(ctx, p, form, nil)
	if failure != "" {
		return nil, errors.New("the session's user cannot sign in")
	}
	b.keep(p, tj, nil)
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.accounts[len(b.accounts)-1], nil
}
