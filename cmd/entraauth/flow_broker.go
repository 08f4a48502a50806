package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/entraauth/entraauth/broker"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/conformance/fakebroker"
	"github.com/entraauth/entraauth/oauth"
	"github.com/godbus/dbus/v5"
)

// brokerFallback is what to say where no broker can sign in.
const brokerFallback = "no authentication broker can sign in here; use --flow browser or --flow device instead"

// brokerLogin is the broker credential as login uses it. The broker
// keeps the refresh tokens, so nothing reaches the profile's token cache:
// login records the flow as "broker" and does not look for the account
// there.
type brokerLogin struct{ *broker.Credential }

func (b brokerLogin) Authenticate(ctx context.Context, o oauth.TokenOptions) (oauth.AuthenticationRecord, error) {
	rec, err := b.Credential.Authenticate(ctx, o)
	return rec, explainNoBroker(err)
}

func (b brokerLogin) GetToken(ctx context.Context, o oauth.TokenOptions) (oauth.AccessToken, error) {
	tok, err := b.Credential.GetToken(ctx, o)
	return tok, explainNoBroker(err)
}

func explainNoBroker(err error) error {
	if errors.Is(err, broker.ErrUnsupported) {
		return fmt.Errorf("%s (%w)", brokerFallback, err)
	}
	return err
}

// newBrokerFlow builds the broker credential; with --fake, a fake broker
// on a private D-Bus session bus signs in against the in-process fake
// authority, so the whole broker path runs wherever dbus-daemon does.
func newBrokerFlow(s *session) (brokerLogin, error) {
	o := &broker.Options{ClientOptions: s.client}
	o.Cache = nil // the broker keeps the account's tokens, not the profile's cache
	if s.fake != nil {
		addr, err := startFakeBroker(s)
		if err != nil {
			return brokerLogin{}, err
		}
		o.DBusAddress = addr
	}
	c, err := broker.New(s.clientID, o)
	if err != nil {
		return brokerLogin{}, explainNoBroker(err)
	}
	s.onDone(func() { c.Close() })
	return brokerLogin{c}, nil
}

// startFakeBroker runs dbus-daemon privately with the fake broker on it
// and returns the bus address. Both stop when the sign-in has ended.
func startFakeBroker(s *session) (string, error) {
	bus, err := fakebroker.StartBus(context.Background(), nil)
	if errors.Is(err, fakebroker.ErrNoDaemon) {
		return "", fmt.Errorf("--fake --flow broker runs a private D-Bus session bus: %w", err)
	}
	if err != nil {
		return "", err
	}
	conn, err := dbus.Connect(bus.Address)
	if err != nil {
		bus.Close()
		return "", fmt.Errorf("fake broker: %w", err)
	}
	fb := fakebroker.New(&fakebroker.Options{AuthorityURL: s.fake.fa.URL(), HTTPClient: s.fake.fa.Client()})
	if err := restoreFakeBroker(s, fb); err != nil {
		conn.Close()
		bus.Close()
		return "", err
	}
	if err := fb.Serve(conn); err != nil {
		conn.Close()
		bus.Close()
		return "", fmt.Errorf("fake broker: %w", err)
	}
	s.fake.broker = fb
	fmt.Fprintf(s.io.stderr, "Fake broker: on a private D-Bus session bus; its sign-in window signs in as %s.\n", fakeauthority.DefaultUsername)
	s.onDone(func() {
		fb.Close()
		conn.Close()
		bus.Close()
	})
	return bus.Address, nil
}

// restoreFakeBroker gives the fake broker the accounts and refresh tokens
// an earlier --fake command left (the fake broker lives as long as one
// command, the real one as long as the desktop session).
func restoreFakeBroker(s *session, fb *fakebroker.Broker) error {
	path := filepath.Join(s.dir, fakeBrokerFile)
	state, found, err := readFakeState(path)
	if err != nil || !found {
		return err
	}
	if err := fb.RestoreState(state); err != nil {
		return badFakeState(path, err)
	}
	return nil
}
