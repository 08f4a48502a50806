package persistent

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/entraauth/entraauth/cache"
	"github.com/godbus/dbus/v5"
)

// Names of the freedesktop Secret Service API.
const (
	ssName       = "org.freedesktop.secrets"
	ssPath       = dbus.ObjectPath("/org/freedesktop/secrets")
	ssService    = "org.freedesktop.Secret.Service"
	ssCollection = "org.freedesktop.Secret.Collection"
	ssItem       = "org.freedesktop.Secret.Item"
	ssPrompt     = "org.freedesktop.Secret.Prompt"
	noPrompt     = dbus.ObjectPath("/")
	quarantineAt = "entraauth:quarantined"
)

// ssSecret is the Secret Service's (oayays) secret struct.
type ssSecret struct {
	Session     dbus.ObjectPath
	Parameters  []byte
	Value       []byte
	ContentType string
}

// SecretService is a [cache.Storage] in one item of the Linux Secret Service
// (gnome-keyring, KWallet's bridge, KeePassXC), reached over D-Bus in pure
// Go. Each call opens its own bus connection and "plain" session (the bus
// is local to the user's session), so a keyring daemon that restarts
// between calls is simply found again. It never falls back to a file: a
// missing service, collection or bus is cache.ErrKeyringUnavailable, a locked
// one cache.ErrKeyringLocked, and both errors name the plaintext opt-in.
type SecretService struct {
	o SecretServiceOptions
}

var (
	_ cache.Storage     = (*SecretService)(nil)
	_ cache.Quarantiner = (*SecretService)(nil)
)

// NewSecretService returns a Secret Service storage. It does not contact
// the service; the first Read or Write does.
func NewSecretService(opts *SecretServiceOptions) (*SecretService, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return &SecretService{o: o}, nil
}

// Lock takes the lock file named by SecretServiceOptions.LockPath.
func (s *SecretService) Lock(ctx context.Context) (func() error, error) {
	return cache.LockFile(ctx, s.o.LockPath, s.o.LockTimeout)
}

func (s *SecretService) fail(op string, err error) error {
	path := "secret service item " + strconv.Quote(s.o.Label)
	for _, known := range []error{cache.ErrKeyringLocked, cache.ErrKeyringUnavailable, cache.ErrCorrupt, cache.ErrTooLarge} {
		if errors.Is(err, known) {
			return &cache.Error{Op: op, Path: path, Err: err}
		}
	}
	kind := cache.ErrKeyringUnavailable
	if de, ok := errors.AsType[dbus.Error](err); ok && de.Name == "org.freedesktop.Secret.Error.IsLocked" {
		kind = cache.ErrKeyringLocked
	}
	return &cache.Error{Op: op, Path: path, Err: fmt.Errorf("%w: %v; %s", kind, err, plaintextHint)}
}

// conn is one connection with an open session.
type conn struct {
	c       *dbus.Conn
	session dbus.ObjectPath
}

func (s *SecretService) connect(ctx context.Context) (*conn, error) {
	if s.o.BusAddress == "" {
		return nil, errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
	}
	c, err := dbus.Connect(s.o.BusAddress, dbus.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("connecting to the session bus: %w", err)
	}
	var out dbus.Variant
	var session dbus.ObjectPath
	err = c.Object(ssName, ssPath).CallWithContext(ctx, ssService+".OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session)
	if err != nil {
		c.Close()
		return nil, err
	}
	return &conn{c, session}, nil
}

// find returns the item holding the cache, unlocking it if needed; "" when
// there is none.
func (s *SecretService) find(ctx context.Context, cn *conn) (dbus.ObjectPath, error) {
	var unlocked, locked []dbus.ObjectPath
	attrs := s.o.Attributes
	if s.o.MatchSchema {
		attrs = maps.Clone(attrs)
		attrs["xdg:schema"] = s.o.Schema
	}
	err := cn.c.Object(ssName, ssPath).CallWithContext(ctx, ssService+".SearchItems", 0, attrs).Store(&unlocked, &locked)
	if err != nil {
		return "", err
	}
	if len(unlocked) > 0 {
		return unlocked[0], nil
	}
	if len(locked) == 0 {
		return "", nil
	}
	if err := s.unlock(ctx, cn, locked[:1]); err != nil {
		return "", err
	}
	return locked[0], nil
}

// unlock unlocks objects, through a prompt only when AllowPrompt is set.
func (s *SecretService) unlock(ctx context.Context, cn *conn, objects []dbus.ObjectPath) error {
	var done []dbus.ObjectPath
	var prompt dbus.ObjectPath
	err := cn.c.Object(ssName, ssPath).CallWithContext(ctx, ssService+".Unlock", 0, objects).Store(&done, &prompt)
	if err != nil {
		return err
	}
	if prompt == noPrompt || prompt == "" {
		return nil
	}
	if !s.o.AllowPrompt {
		return fmt.Errorf("%w: unlocking needs a password prompt (SecretServiceOptions.AllowPrompt is off); unlock the keyring first; %s", cache.ErrKeyringLocked, plaintextHint)
	}
	return s.prompt(ctx, cn, prompt)
}

// prompt runs a Secret Service prompt and waits for its Completed signal.
func (s *SecretService) prompt(ctx context.Context, cn *conn, p dbus.ObjectPath) error {
	if err := cn.c.AddMatchSignalContext(ctx, dbus.WithMatchObjectPath(p), dbus.WithMatchInterface(ssPrompt), dbus.WithMatchMember("Completed")); err != nil {
		return err
	}
	ch := make(chan *dbus.Signal, 4)
	cn.c.Signal(ch)
	defer cn.c.RemoveSignal(ch)
	if err := cn.c.Object(ssName, p).CallWithContext(ctx, ssPrompt+".Prompt", 0, "").Err; err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: no answer to the unlock prompt: %w; %s", cache.ErrKeyringLocked, context.Cause(ctx), plaintextHint)
		case sig := <-ch:
			if sig.Path != p || len(sig.Body) < 1 {
				continue
			}
			if dismissed, _ := sig.Body[0].(bool); dismissed {
				return fmt.Errorf("%w: the unlock prompt was dismissed; %s", cache.ErrKeyringLocked, plaintextHint)
			}
			return nil
		}
	}
}

// Read returns the stored document, nil when there is no item yet.
func (s *SecretService) Read(ctx context.Context) ([]byte, error) {
	cn, err := s.connect(ctx)
	if err != nil {
		return nil, s.fail("read", err)
	}
	defer cn.c.Close()
	item, err := s.find(ctx, cn)
	if err != nil || item == "" {
		if err != nil {
			return nil, s.fail("read", err)
		}
		return nil, nil
	}
	var sec ssSecret
	if err := cn.c.Object(ssName, item).CallWithContext(ctx, ssItem+".GetSecret", 0, cn.session).Store(&sec); err != nil {
		return nil, s.fail("read", err)
	}
	if int64(len(sec.Value)) > s.o.MaxSize {
		return nil, s.fail("read", fmt.Errorf("%w: secret over %d bytes", cache.ErrTooLarge, s.o.MaxSize))
	}
	doc, err := decodePayload(sec.Value)
	if err != nil {
		return nil, s.fail("read", err)
	}
	return doc, nil
}

// Write stores the document, replacing the item with the same attributes.
func (s *SecretService) Write(ctx context.Context, data []byte) error {
	return s.store(ctx, "write", s.o.Attributes, s.o.Label, encodePayload(data, s.o.RawPayload))
}

func (s *SecretService) store(ctx context.Context, op string, attrs map[string]string, label string, value []byte) error {
	cn, err := s.connect(ctx)
	if err != nil {
		return s.fail(op, err)
	}
	defer cn.c.Close()
	var coll dbus.ObjectPath
	if err := cn.c.Object(ssName, ssPath).CallWithContext(ctx, ssService+".ReadAlias", 0, "default").Store(&coll); err != nil {
		return s.fail(op, err)
	}
	if coll == noPrompt || coll == "" {
		return s.fail(op, errors.New("the Secret Service has no default collection (no login keyring)"))
	}
	locked, err := cn.c.Object(ssName, coll).GetProperty(ssCollection + ".Locked")
	if err != nil {
		return s.fail(op, err)
	}
	if isLocked, _ := locked.Value().(bool); isLocked {
		if err := s.unlock(ctx, cn, []dbus.ObjectPath{coll}); err != nil {
			return s.fail(op, err)
		}
	}
	attrs = maps.Clone(attrs)
	attrs["xdg:schema"] = s.o.Schema
	props := map[string]dbus.Variant{
		ssItem + ".Label":      dbus.MakeVariant(label),
		ssItem + ".Attributes": dbus.MakeVariant(attrs),
	}
	sec := ssSecret{Session: cn.session, Value: value, ContentType: "text/plain"}
	var item, prompt dbus.ObjectPath
	if err := cn.c.Object(ssName, coll).CallWithContext(ctx, ssCollection+".CreateItem", 0, props, sec, true).Store(&item, &prompt); err != nil {
		return s.fail(op, err)
	}
	if prompt != noPrompt && prompt != "" {
		return s.fail(op, fmt.Errorf("%w: storing needs a prompt; %s", cache.ErrKeyringLocked, plaintextHint))
	}
	return nil
}

// Quarantine copies the unreadable secret to a new item, labelled and
// tagged with "entraauth:quarantined", so the next Write can replace the
// original while the user keeps the old content.
func (s *SecretService) Quarantine(ctx context.Context) (string, error) {
	cn, err := s.connect(ctx)
	if err != nil {
		return "", s.fail("quarantine", err)
	}
	item, err := s.find(ctx, cn)
	var sec ssSecret
	if err == nil && item != "" {
		err = cn.c.Object(ssName, item).CallWithContext(ctx, ssItem+".GetSecret", 0, cn.session).Store(&sec)
	}
	cn.c.Close()
	if err != nil {
		return "", s.fail("quarantine", err)
	}
	stamp := strconv.FormatInt(time.Now().UnixNano(), 10)
	// Not a superset of the cache's attributes: searches must not find it.
	attrs := map[string]string{quarantineAt: stamp, "entraauth:label": s.o.Label}
	label := s.o.Label + " (corrupt, moved aside " + stamp + ")"
	if err := s.store(ctx, "quarantine", attrs, label, sec.Value); err != nil {
		return "", err
	}
	return "secret service item " + strconv.Quote(label), nil
}

var _ cache.KeySetStore = (*SecretService)(nil)

// ReadKeySets reads the public key-set file beside the lock file (see
// [cache.KeySetStore]); the tokens stay in the Secret Service.
func (s *SecretService) ReadKeySets(ctx context.Context) ([]byte, error) {
	return s.keySets().ReadKeySets(ctx)
}

// WriteKeySets replaces the key-set file beside the lock file.
func (s *SecretService) WriteKeySets(ctx context.Context, data []byte) error {
	return s.keySets().WriteKeySets(ctx, data)
}

// keySets is the key-set file beside the lock file.
func (s *SecretService) keySets() cache.KeySetFile {
	return cache.KeySetFile(strings.TrimSuffix(s.o.LockPath, ".lockfile") + ".keys.json")
}
