package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
)

// brokerSignedIn reports whether the last login went through the OS
// broker, which keeps that account's tokens: token, accounts, logout and
// status then ask the broker instead of the profile's cache.
func (s *session) brokerSignedIn() bool { return s.hasRecord && s.loginFlow == "broker" }

// openBroker returns the broker credential for the last login's account
// (with --fake, the fake broker restored from the profile).
func openBroker(s *session) (brokerLogin, error) {
	return newBrokerFlow(s)
}

// silentToken gets a token for the last login's account without any
// sign-in: from the broker when it signed in through the broker, else
// from the profile's cache or by refreshing.
func silentToken(ctx context.Context, s *session, scopes []string) (oauth.AccessToken, error) {
	s.client.DisableAutomaticAuthentication = true
	if s.brokerSignedIn() {
		b, err := openBroker(s)
		if err != nil {
			return oauth.AccessToken{}, err
		}
		return b.GetToken(ctx, oauth.TokenOptions{Scopes: scopes})
	}
	c, err := silentClient(s)
	if err != nil {
		return oauth.AccessToken{}, err
	}
	return c.GetToken(ctx, oauth.TokenOptions{Scopes: scopes}, nil)
}

// silentClient is the engine for the session's token cache with
// automatic authentication off: it serves from the cache or by
// refreshing, and returns *oauth.AuthenticationRequiredError instead of
// signing in. The option is set before engine.New, which copies them.
func silentClient(s *session) (*engine.Client, error) {
	s.client.DisableAutomaticAuthentication = true
	return engine.New(s.clientID, &s.client)
}

// brokerAccounts lists the accounts the broker holds for the client when
// the last login went through it; nil otherwise.
func brokerAccounts(ctx context.Context, s *session) ([]oauth.Account, brokerLogin, error) {
	if !s.brokerSignedIn() {
		return nil, brokerLogin{}, nil
	}
	b, err := openBroker(s)
	if err != nil {
		return nil, brokerLogin{}, err
	}
	accts, err := b.Accounts(ctx)
	return accts, b, explainNoBroker(err)
}

// brokerLogout signs username's account (the last login's when "") out of
// the broker, and returns how many accounts it removed.
func brokerLogout(ctx context.Context, s *session, username string, printf func(string, ...any)) (int, error) {
	accts, b, err := brokerAccounts(ctx, s)
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, a := range accts {
		if (username == "" && strings.EqualFold(a.HomeAccountID, s.client.AuthenticationRecord.HomeAccountID)) ||
			(username != "" && strings.EqualFold(a.Username, username)) {
			if err := b.RemoveAccount(ctx, a); err != nil {
				return removed, fmt.Errorf("signing out of the broker: %w", explainNoBroker(err))
			}
			printf("Signed out %s (from the OS authentication broker)\n", clean(a.Username))
			removed++
		}
	}
	return removed, nil
}
