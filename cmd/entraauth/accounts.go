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
	Current       bool   `json:"current"` // the account of the last login
}

func cmdAccounts(ctx context.Context, io *stdio, args []string) error {
	spec := commandSpec{name: "accounts", outputs: []string{"text", "json"}, silent: true, sync: true}
	return withSession(ctx, io, args, spec, func(s *session, o *options) error { return listAccounts(io, s, o) })
}

// listAccounts prints the accounts of the session's cache.
func listAccounts(io *stdio, s *session, o *options) error {
	var list []accountOut
	for _, a := range uniqueAccounts(s.client.Cache.Accounts("", o.clientID)) {
		tenant := a.Realm
		if _, utid, _ := strings.Cut(a.HomeAccountID, "."); !oauth.IsGUID(tenant) && utid != "" {
			tenant = utid // stored under "organizations" or "common": name the home tenant
		}
		list = append(list, accountOut{clean(a.Username), clean(tenant), clean(a.HomeAccountID), clean(a.Environment),
			s.hasRecord && a.HomeAccountID == s.client.AuthenticationRecord.HomeAccountID})
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
		mark := " "
		if a.Current {
			mark = "*"
		}
		fmt.Fprintf(io.stdout, "%s %-40s tenant %s  home account %s  (%s)\n", mark, a.Username, a.TenantID, a.HomeAccountID, a.Environment)
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
	removed := 0
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
		return &actionError{msg: "no such account in the cache"}
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
