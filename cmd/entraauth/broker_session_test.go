package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// requireDBus skips (naming the Debian package) or, with
// ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1, fails when dbus-daemon is missing.
func requireDBus(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		msg := "dbus-daemon not found: install the Debian package dbus"
		if os.Getenv("ENTRAAUTH_REQUIRE_SYSTEM_TESTS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// TestBrokerLoginThenTokenAccountsLogout: after login --fake --flow
// broker, each later command (a process of its own, here a run of its
// own with a fresh fake broker restored from the profile) goes through the
// broker: token silently (the broker redeems its refresh token), status
// says where the tokens are, accounts lists the broker's account, logout
// signs it out of the broker, and token then asks for a login.
func TestBrokerLoginThenTokenAccountsLogout(t *testing.T) {
	requireDBus(t)
	fakes := captureFakes(t)
	io, out, errb := testIO(t, nil)
	run1 := func(want int, args ...string) {
		t.Helper()
		out.Reset()
		errb.Reset()
		if code := run(t.Context(), args, io); code != want {
			t.Fatalf("%v = exit %d, want %d; stderr:\n%s", args, code, want, errb)
		}
	}
	run1(exitOK, "login", "--fake", "--flow", "broker", "--output", "json")
	home := fakeauthority.DefaultUserObjectID + "." + fakeauthority.DefaultTenantID

	run1(exitOK, "token", "--fake", "--output", "raw")
	if tok := strings.TrimSpace(out.String()); strings.Count(tok, ".") != 2 {
		t.Errorf("token printed %q, want a JWT", tok)
	}
	if fa := (*fakes)[1]; fa.Count(fakeauthority.EndpointToken) != 1 {
		t.Errorf("token: %v, want one refresh by the broker", fa.Counts())
	}

	run1(exitOK, "status", "--fake", "--output", "json")
	var st statusOut
	if err := json.Unmarshal(out.Bytes(), &st); err != nil || !st.SignedIn || !st.TokensInBroker || st.HomeAccountID != home {
		t.Errorf("status = %+v (%v)", st, err)
	}

	run1(exitOK, "accounts", "--fake", "--output", "json")
	var accts []accountOut
	if err := json.Unmarshal(out.Bytes(), &accts); err != nil {
		t.Fatal(err)
	}
	want := accountOut{fakeauthority.DefaultUsername, fakeauthority.DefaultTenantID, home, "login.microsoftonline.com", true, true}
	if len(accts) != 1 || accts[0] != want {
		t.Errorf("accounts = %+v, want [%+v]", accts, want)
	}

	run1(exitOK, "logout", "--fake")
	if !strings.Contains(out.String(), "from the OS authentication broker") {
		t.Errorf("logout said %q", out)
	}
	run1(exitAction, "token", "--fake")
	run1(exitOK, "accounts", "--fake", "--output", "json")
	if strings.TrimSpace(out.String()) != "[]" {
		t.Errorf("accounts after logout: %s", out)
	}
}

// TestBrokerTokenNeverPrompts: when the broker cannot serve the account
// silently (here the fake broker forgot it), token exits 3 asking for a
// login; the broker's sign-in window is never opened.
func TestBrokerTokenNeverPrompts(t *testing.T) {
	requireDBus(t)
	fakes := captureFakes(t)
	io, out, errb := testIO(t, nil)
	if code := run(t.Context(), []string{"login", "--fake", "--flow", "broker"}, io); code != exitOK {
		t.Fatalf("login = exit %d; stderr:\n%s", code, errb)
	}
	base, _ := io.userCacheDir()
	if err := os.Remove(filepath.Join(base, "entraauth", "fake", fakeBrokerFile)); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run(t.Context(), []string{"token", "--fake"}, io); code != exitAction || out.Len() != 0 {
		t.Fatalf("token = exit %d, stdout %q; stderr:\n%s", code, out, errb)
	}
	if !strings.Contains(errb.String(), "sign-in needed") {
		t.Errorf("stderr %q", errb)
	}
	if n := (*fakes)[1].Count(fakeauthority.EndpointToken); n != 0 {
		t.Errorf("token made %d token requests (a sign-in through the broker's window)", n)
	}
}
