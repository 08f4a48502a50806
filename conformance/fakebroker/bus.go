package fakebroker

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ErrNoDaemon is returned by StartBus when dbus-daemon is not installed.
var ErrNoDaemon = errors.New("fakebroker: dbus-daemon not found: install the Debian package dbus")

// BusOptions configure [StartBus].
type BusOptions struct {
	// Activate, when set, is the command line (program and arguments) of
	// a broker the daemon starts on the first call to the broker's name,
	// through a .service file in the bus's service directory, as the
	// session bus starts the real broker. No argument may contain a
	// space, a quote or a backslash.
	Activate []string
}

// Bus is a private session bus: a dbus-daemon in a temporary directory
// that only this process and its children know the address of.
type Bus struct {
	// Address is the bus address (unix:path=...,guid=...).
	Address string

	dir  string
	cmd  *exec.Cmd
	done chan struct{}
}

// busConfig: a session bus on a socket in the temporary directory, one
// service directory, anything allowed (it is private).
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=%DIR%</listen>
  <auth>EXTERNAL</auth>
  <servicedir>%SERVICES%</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// StartBus starts a private dbus-daemon and returns once it listens. ctx
// bounds the start only; Close stops the daemon (and any broker it
// started, which exits when its bus goes away).
func StartBus(ctx context.Context, opts *BusOptions) (*Bus, error) {
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		return nil, ErrNoDaemon
	}
	dir, err := os.MkdirTemp("", "fb") // short: unix socket paths are limited
	if err != nil {
		return nil, err
	}
	b := &Bus{dir: dir, done: make(chan struct{})}
	if err := b.writeConfig(opts); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	b.cmd = exec.Command(daemon, "--config-file="+filepath.Join(dir, "bus.conf"), "--nofork", "--print-address=1")
	b.cmd.Dir = dir
	out, err := b.cmd.StdoutPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := b.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("fakebroker: starting dbus-daemon: %w", err)
	}
	go func() { b.cmd.Wait(); close(b.done) }()
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	select {
	case b.Address = <-line:
	case <-ctx.Done():
	}
	if b.Address == "" {
		b.Close()
		return nil, errors.New("fakebroker: dbus-daemon printed no address")
	}
	return b, nil
}

func (b *Bus) writeConfig(opts *BusOptions) error {
	services := filepath.Join(b.dir, "services")
	if err := os.Mkdir(services, 0o700); err != nil {
		return err
	}
	conf := strings.NewReplacer("%DIR%", b.dir, "%SERVICES%", services).Replace(busConfig)
	if err := os.WriteFile(filepath.Join(b.dir, "bus.conf"), []byte(conf), 0o600); err != nil {
		return err
	}
	if opts == nil || len(opts.Activate) == 0 {
		return nil
	}
	for _, a := range opts.Activate {
		if a == "" || strings.ContainsAny(a, " \t\n\"'\\") {
			return fmt.Errorf("fakebroker: the activation argument %q has a space, quote or backslash", a)
		}
	}
	unit := "[D-BUS Service]\nName=" + BusName + "\nExec=" + strings.Join(opts.Activate, " ") + "\n"
	return os.WriteFile(filepath.Join(services, BusName+".service"), []byte(unit), 0o600)
}

// Close stops the daemon and removes its directory.
func (b *Bus) Close() error {
	if b.cmd != nil && b.cmd.Process != nil {
		b.cmd.Process.Kill()
		select {
		case <-b.done:
		case <-time.After(5 * time.Second):
		}
	}
	return os.RemoveAll(b.dir)
}
