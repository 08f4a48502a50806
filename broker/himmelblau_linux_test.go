//go:build linux

package broker_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/broker"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/conformance/fakebroker"
	"github.com/godbus/dbus/v5"
)

// TestHimmelblauMode: against himmelblau's rules (account.username
// required on acquireTokenInteractively, answers without an account,
// extendedExpiresOn in seconds) a first sign-in without a hint works, by
// naming the account the broker lists, and later calls are silent.
func TestHimmelblauMode(t *testing.T) {
	e := startFake(t, &fakebroker.Options{Mode: fakebroker.Himmelblau})
	c := e.cred(t, nil)
	rec, err := c.Authenticate(context.Background(), graph)
	if err != nil || rec.Username != fakeauthority.DefaultUsername {
		t.Fatal(rec, err)
	}
	in := e.fb.CallsTo("acquireTokenInteractively")
	var req struct {
		AuthParameters struct {
			Account struct {
				Username string `json:"username"`
			} `json:"account"`
		} `json:"authParameters"`
	}
	if len(in) != 1 || json.Unmarshal([]byte(in[0].Request), &req) != nil || req.AuthParameters.Account.Username != fakeauthority.DefaultUsername {
		t.Fatalf("interactive calls %+v", in)
	}
	if _, err := c.GetToken(context.Background(), arm); err != nil {
		t.Fatal(err)
	}
	if len(e.fb.CallsTo("acquireTokenInteractively")) != 1 || len(e.fb.CallsTo("acquireTokenSilently")) != 1 {
		t.Fatalf("calls %+v: the second scope must come silently", e.fb.Calls())
	}
	accts, err := c.Accounts(context.Background())
	if err != nil || len(accts) != 1 {
		t.Fatal(accts, err)
	}
	var be *broker.Error
	if err := c.RemoveAccount(context.Background(), accts[0]); !errors.As(err, &be) || be.Message != "Not implemented" {
		t.Fatalf("RemoveAccount: %v", err)
	}
	if v, err := c.BrokerVersion(context.Background()); err != nil || v != fakebroker.DefaultVersion {
		t.Fatal(v, err)
	}
}

// TestHimmelblauRefusesRequestWithoutUsername: the fake's himmelblau mode
// fails an interactive request without account.username on the bus, as
// himmelblau's session broker does, and answers another user's request
// with its error; a hint for another user than the session's fails.
func TestHimmelblauRefusesRequestWithoutUsername(t *testing.T) {
	e := startFake(t, &fakebroker.Options{Mode: fakebroker.Himmelblau})
	conn, err := dbus.Connect(e.bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Object(fakebroker.BusName, fakebroker.ObjectPath).Call(fakebroker.Interface+".acquireTokenInteractively", 0,
		"0.0", "c", `{"authParameters":{"clientId":"`+fakeauthority.AzureCLIClientID+`","requestedScopes":["x"]}}`).Err
	var de dbus.Error
	if !errors.As(err, &de) || de.Name != "org.freedesktop.DBus.Error.Failed" || !strings.Contains(de.Error(), "Missing account username in request") {
		t.Fatalf("%v", err)
	}
	_, err = e.cred(t, &broker.Options{LoginHint: "bob@contoso.onmicrosoft.com"}).Authenticate(context.Background(), graph)
	var be *broker.Error
	if !errors.As(err, &be) || be.Message != "Missing account username in request" {
		t.Fatalf("%v", err)
	}
}
