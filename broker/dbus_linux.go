//go:build linux

package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/entraauth/entraauth/internal/engine"
	"github.com/godbus/dbus/v5"
)

const (
	// linuxProtocolVersion is the first argument of every call: what
	// every public client sends.
	linuxProtocolVersion = "0.0"
)

// dbusBackend talks to the Linux identity broker on the session bus. The
// connection is opened by a call and closed when no call is in flight, so
// a credential serving tokens from memory holds no bus connection and a
// restarted bus is found again; every call is bounded by its context and
// a default deadline.
type dbusBackend struct {
	addr string
	log  *slog.Logger

	mu       sync.Mutex
	conn     *dbus.Conn
	inFlight int // calls between connect and release
}

func newBackend(o *Options) (backend, error) {
	addr := o.DBusAddress
	if addr == "" {
		addr = os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	}
	if addr == "" {
		return nil, unsupported("there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is empty), so no Linux identity broker can be reached", nil)
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &dbusBackend{addr: addr, log: log}, nil
}

// connect returns the connection, opening it within ctx, and counts a
// call in flight; a nil error must be followed by release.
func (d *dbusBackend) connect(ctx context.Context) (*dbus.Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != nil && d.conn.Connected() {
		d.inFlight++
		return d.conn, nil
	}
	conn, err := dbus.Dial(d.addr)
	if err != nil {
		return nil, unsupported("the D-Bus session bus cannot be reached", err)
	}
	done := make(chan error, 1)
	go func() {
		err := conn.Auth(nil)
		if err == nil {
			err = conn.Hello()
		}
		done <- err
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		conn.Close() // unblocks Auth or Hello
		<-done
		return nil, fmt.Errorf("broker: connecting to the session bus: %w", ctx.Err())
	}
	if err != nil {
		conn.Close()
		return nil, unsupported("the D-Bus session bus refused the connection", err)
	}
	d.conn = conn
	d.inFlight++
	return conn, nil
}

// release ends a call; the last one in flight closes the connection.
func (d *dbusBackend) release() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.inFlight--
	if d.inFlight == 0 && d.conn != nil {
		d.conn.Close()
		d.conn = nil
	}
}

// call invokes one broker method, bounded by ctx and timeout.
func (d *dbusBackend) call(ctx context.Context, method, correlationID string, body []byte, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := d.connect(ctx)
	if err != nil {
		return "", err
	}
	defer d.release()
	var out string
	err = conn.Object(LinuxBusName, LinuxObject).
		CallWithContext(ctx, LinuxInterface+"."+method, 0, linuxProtocolVersion, correlationID, string(body)).
		Store(&out)
	if err != nil {
		return "", dbusError(ctx, method, timeout, err)
	}
	return out, nil
}

// dbusError maps a failed call: no broker on the bus is ErrUnsupported,
// a deadline says so, other D-Bus errors are *Error.
func dbusError(ctx context.Context, method string, timeout time.Duration, err error) error {
	if ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("broker: %s: no answer from the broker within the deadline (at most %v): %w", method, timeout, ctx.Err())
		}
		return fmt.Errorf("broker: %s: %w", method, ctx.Err())
	}
	var de dbus.Error
	if errors.As(err, &de) {
		msg := ""
		if len(de.Body) > 0 {
			msg, _ = de.Body[0].(string)
		}
		switch de.Name {
		case "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner":
			return unsupported("the Microsoft identity broker is not installed (Debian/RPM package microsoft-identity-broker) or not running on this session bus", errors.New(clean(de.Name+": "+msg)))
		}
		return &Error{Method: method, Exception: clean(de.Name), Message: clean(msg)}
	}
	return fmt.Errorf("broker: %s: %w", method, err)
}

// interactive runs acquireTokenInteractively. A caller that gives up (its
// context ends) stops waiting for the answer, and nothing is sent to the
// broker: see the note on cancelInteractiveFlow in linuxproto.go.
func (d *dbusBackend) interactive(ctx context.Context, r *request) (*reply, error) {
	if r.account == nil {
		rr := *r
		rr.account = d.signInAccount(ctx, r)
		r = &rr
	}
	sent := time.Now()
	timeout := DefaultTimeout // the step always sets a deadline; this is a backstop
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	out, err := d.call(ctx, methodInteractive, r.correlationID, linuxTokenRequest(r, true), timeout)
	if err != nil {
		return nil, err
	}
	rep, err := parseLinuxToken(methodInteractive, out, sent, r.scopes)
	if err == nil && rep.account == nil && r.account != nil && sameHome(rep.result.ClientInfo, r.account) {
		// himmelblau answers without an account (src/daemon/src/broker.rs):
		// the one asked for, when client_info names it.
		rep.account = r.account
	}
	return rep, err
}

// signInAccount is the broker account a first interactive sign-in names:
// the one whose username is the login hint, else the broker's only
// account, else none. sso-mib sends the broker's account matching the
// hint (src/mib-client-app.c, mib_client_app_get_account_by_upn_raw);
// himmelblau's broker lists the session's user and requires its
// account.username (src/broker/src/main.rs). A broker that cannot list
// its accounts gets a request without one.
func (d *dbusBackend) signInAccount(ctx context.Context, r *request) *brokerAccount {
	accts, err := d.accounts(ctx, r.clientID, r.redirectURI)
	if err != nil {
		d.log.LogAttrs(ctx, slog.LevelInfo, "broker: getAccounts before sign-in failed", slog.String("error", err.Error()))
		return nil
	}
	return pickAccount(accts, r.loginHint)
}

func (d *dbusBackend) silent(ctx context.Context, r *request) (*reply, error) {
	if r.account == nil {
		// The OS default account: the broker's only account, if it has
		// exactly one (the Linux broker has no "default account" call),
		// and only the login hint's user when there is a hint.
		accts, err := d.accounts(ctx, r.clientID, r.redirectURI)
		if err != nil {
			return nil, err
		}
		a := pickAccount(accts, r.loginHint)
		if a == nil {
			return nil, errNoAccount
		}
		rr := *r
		rr.account = a
		r = &rr
	}
	sent := time.Now()
	out, err := d.call(ctx, methodSilent, r.correlationID, linuxTokenRequest(r, false), callTimeout)
	if err != nil {
		return nil, err
	}
	rep, err := parseLinuxToken(methodSilent, out, sent, r.scopes)
	if err == nil && rep.account == nil {
		rep.account = r.account
	}
	return rep, err
}

func (d *dbusBackend) accounts(ctx context.Context, clientID, redirectURI string) ([]brokerAccount, error) {
	out, err := d.call(ctx, methodAccounts, newCorrelationID(), linuxAccountsRequest(clientID, redirectURI), callTimeout)
	if err != nil {
		return nil, err
	}
	return parseLinuxAccounts(out)
}

func (d *dbusBackend) remove(ctx context.Context, clientID string, a *brokerAccount) error {
	out, err := d.call(ctx, methodRemove, newCorrelationID(), linuxRemoveRequest(clientID, a), callTimeout)
	if err != nil {
		return err
	}
	_, err = decodeLinux(methodRemove, out)
	return err
}

// version asks the broker for its version (getLinuxBrokerVersion).
func (d *dbusBackend) version(ctx context.Context) (string, error) {
	out, err := d.call(ctx, methodVersion, newCorrelationID(), linuxVersionRequest(), callTimeout)
	if err != nil {
		return "", err
	}
	return parseLinuxVersion(out)
}

func (d *dbusBackend) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn == nil {
		return nil
	}
	err := d.conn.Close()
	d.conn = nil
	return err
}

// pickAccount is the account among accts whose username is hint
// (case-insensitive), or with no hint the only account; nil when there is
// no such account or more than one.
func pickAccount(accts []brokerAccount, hint string) *brokerAccount {
	var pick *brokerAccount
	for i := range accts {
		if hint != "" && !strings.EqualFold(accts[i].Username, hint) {
			continue
		}
		if pick != nil {
			return nil
		}
		pick = &accts[i]
	}
	return pick
}

// sameHome reports whether clientInfo names a's home account.
func sameHome(clientInfo string, a *brokerAccount) bool {
	ci, err := engine.ParseClientInfo(clientInfo)
	return err == nil && strings.EqualFold(ci.HomeAccountID(), a.HomeAccountID)
}
