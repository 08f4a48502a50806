package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
)

func init() {
	commands["accounts"] = command{"list the accounts in the token cache", cmdAccounts}
	commands["logout"] = command{"remove the signed-in account's tokens from the cache", cmdLogout}
}

// accountOut is one account in accounts' JSON output.
type accountOut struct {
	Username      string `json:"username"`
	TenantID      string `json:"tenantId"`
	HomeAccountID string `json:"homeAccountId"`
	Environment   string `json:"environment"`
	Current       bool   `json:"current"`            // the account of the last login
	InBroker      bool   `json:"inBroker,omitempty"` // held by the OS authentication broker
}

func cmdAccounts(ctx context.Context, io *stdio, args []string) error {
	spec := commandSpec{name: "accounts", outputs: []string{"text", "json"}, silent: true, sync: true}
	return withSession(ctx, io, args, spec, func(s *session, o *options) error { return listAccounts(ctx, io, s, o) })
}

// listAccounts prints the accounts of the session's cache, and those of
// the OS broker when the last login went through it.
func listAccounts(ctx context.Context, io *stdio, s *session, o *options) error {
	var list []accountOut
	add := func(home, env, realm, username string, inBroker bool) {
		tenant := realm
		if _, utid, _ := strings.Cut(home, "."); !engine.IsGUID(tenant) && utid != "" {
			tenant = utid // stored under "organizations" or "common": name the home tenant
		}
		list = append(list, accountOut{clean(username), clean(tenant), clean(home), clean(env),
			s.hasRecord && home == s.client.AuthenticationRecord.HomeAccountID, inBroker})
	}
	for _, a := range uniqueAccounts(s.client.Cache.Accounts("", o.clientID)) {
		add(a.HomeAccountID, a.Environment, a.Realm, a.Username, false)
	}
	held, _, err := brokerAccounts(ctx, s)
	if oauth.IsCredentialUnavailable(err) {
		fmt.Fprintf(io.stderr, "entraauth: the last login's broker cannot be asked (%v); listing the token cache only\n", err)
	} else if err != nil {
		return err
	}
	for _, a := range held {
		add(a.HomeAccountID, a.Environment, a.Realm, a.Username, true)
	}
	if o.output == "json" {
		if list == nil {
			list = []accountOut{}
		}
		return writeJSON(io.stdout, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(io.stderr, "No accounts in the cache; sign in with "+loginHint(o)+".")
		return nil
	}
	for _, a := range list {
		mark, where := " ", ""
		if a.Current {
			mark = "*"
		}
		if a.InBroker {
			where = ", in the OS broker"
		}
		fmt.Fprintf(io.stdout, "%s %-40s tenant %s  home account %s  (%s%s)\n", mark, a.Username, a.TenantID, a.HomeAccountID, a.Environment, where)
	}
	return nil
}

// cmdLogout removes the last login's account (or --username's) from the
// cache: its refresh, access and ID tokens, for every client. Entra has no
// public-client revocation endpoint; the refresh token stays valid at the
// server until it expires or an administrator revokes sessions.
func cmdLogout(ctx context.Context, io *stdio, args []string) error {
	var username string
	spec := commandSpec{name: "logout", silent: true, sync: true, flags: func(fs *flag.FlagSet, _ *options) {
		fs.StringVar(&username, "username", "", "account to remove (default: the account of the last login)")
	}}
	return withSession(ctx, io, args, spec, func(s *session, _ *options) error { return logout(ctx, io, s, username) })
}

// logout removes username's account, or the last login's when username is
// empty, from the session's cache.
func logout(ctx context.Context, io *stdio, s *session, username string) error {
	if username == "" && !s.hasRecord {
		return &actionError{msg: "not signed in (name an account with --username)"}
	}
	removed, err := brokerLogout(ctx, s, username, func(f string, a ...any) { fmt.Fprintf(io.stdout, f, a...) })
	if err != nil {
		return err
	}
	for _, a := range uniqueAccounts(s.client.Cache.Accounts("", "")) {
		if (username == "" && a.HomeAccountID == s.client.AuthenticationRecord.HomeAccountID) || (username != "" && strings.EqualFold(a.Username, username)) {
			if err := s.client.Cache.RemoveAccount(ctx, a.HomeAccountID, a.Environment, ""); err != nil {
				return err
			}
			fmt.Fprintf(io.stdout, "Signed out %s (tokens removed from the cache)\n", clean(a.Username))
			removed++
		}
	}
	if s.hasRecord && (username == "" || strings.EqualFold(username, s.client.AuthenticationRecord.Username)) {
		if err := os.Remove(filepath.Join(s.dir, loginFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if removed == 0 {
		return &actionError{msg: "no such account in the cache or the broker"}
	}
	return s.saveFake()
}

// uniqueAccounts keeps one entry per account and environment (the cache
// has one per realm the account signed in to), preferring the home
// tenant's, whose realm is the "utid" half of the home account ID.
func uniqueAccounts(in []cache.Account) []cache.Account {
	var out []cache.Account
	at := map[string]int{}
	for _, a := range in {
		k := a.HomeAccountID + "|" + a.Environment
		i, seen := at[k]
		if !seen {
			at[k] = len(out)
			out = append(out, a)
			continue
		}
		if _, utid, _ := strings.Cut(a.HomeAccountID, "."); a.Realm == utid {
			out[i] = a
		}
	}
	return out
}
