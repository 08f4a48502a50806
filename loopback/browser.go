package loopback

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// ErrNoBrowser is returned (wrapped) by [OpenBrowser] when it found no
// command to open a browser with, or every one it tried failed. The
// credential then prints the URL for the user to open by hand.
var ErrNoBrowser = errors.New("loopback: no browser could be opened")

// OpenBrowser opens rawURL in the user's browser:
//
//   - each command in $BROWSER first (a list separated by the OS's path
//     list separator; "%s" in a command is replaced by the URL, else the
//     URL is appended), as Python's webbrowser and sensible-browser do;
//   - macOS: open; Windows: rundll32 url.dll,FileProtocolHandler;
//   - WSL: the Windows browser, through wslview, powershell.exe
//     Start-Process or rundll32.exe, then the Linux desktop below;
//   - other Unix with a desktop session ($DISPLAY or $WAYLAND_DISPLAY):
//     xdg-open, gio open, x-www-browser. Without one nothing is tried, so
//     a text-mode browser never takes over the terminal of an SSH session.
//
// A command that exits with an error is skipped for the next; one that is
// still running after a few seconds (a browser started in the foreground)
// counts as success and is left running. rawURL must be an absolute http
// or https URL of printable ASCII without quotes or spaces, which is what
// the authorize URL is; anything else is refused, so no launcher's shell
// can read part of it as a command.
func OpenBrowser(ctx context.Context, rawURL string) error {
	return systemOpener().open(ctx, rawURL)
}

// CanOpenBrowser reports whether [OpenBrowser] has a command to try on
// this machine. It does not start anything; a true answer does not
// promise the command will work.
func CanOpenBrowser() bool {
	return len(systemOpener().commands("https://example.invalid/")) > 0
}

// opener holds what the choice of command depends on, so the choice is
// tested for every OS on any OS.
type opener struct {
	goos     string
	getenv   func(string) string
	wsl      bool
	lookPath func(string) (string, error)
	run      func(ctx context.Context, argv []string) error
	listSep  string
}

func systemOpener() opener {
	return opener{
		goos: runtime.GOOS, getenv: os.Getenv, wsl: runtime.GOOS == "linux" && detectWSL(),
		lookPath: exec.LookPath, run: runDetached, listSep: string(os.PathListSeparator),
	}
}

// commands lists the command lines to try, in order, keeping only those
// whose program is installed.
func (o opener) commands(u string) [][]string {
	var out [][]string
	add := func(argv ...string) {
		if _, err := o.lookPath(argv[0]); err == nil {
			out = append(out, argv)
		}
	}
	for entry := range strings.SplitSeq(o.getenv("BROWSER"), o.listSep) {
		if argv := browserEnvCommand(entry, u); argv != nil {
			add(argv...)
		}
	}
	switch {
	case o.goos == "darwin":
		add("open", u)
	case o.goos == "windows":
		add("rundll32", "url.dll,FileProtocolHandler", u)
	case o.wsl:
		add("wslview", u)
		add("powershell.exe", "-NoProfile", "-NonInteractive", "-Command", "Start-Process '"+u+"'")
		add("rundll32.exe", "url.dll,FileProtocolHandler", u)
	}
	if o.goos != "darwin" && o.goos != "windows" && (o.getenv("DISPLAY") != "" || o.getenv("WAYLAND_DISPLAY") != "") {
		add("xdg-open", u)
		add("gio", "open", u)
		add("x-www-browser", u)
	}
	return out
}

// browserEnvCommand turns one $BROWSER entry into a command line.
func browserEnvCommand(entry, u string) []string {
	f := strings.Fields(entry)
	if len(f) == 0 {
		return nil
	}
	substituted := false
	for i, a := range f {
		if strings.Contains(a, "%s") {
			f[i] = strings.ReplaceAll(strings.ReplaceAll(a, "%s", u), "%%", "%")
			substituted = true
		}
	}
	if !substituted {
		f = append(f, u)
	}
	return f
}

// checkURL refuses what should never reach a launcher.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("loopback: refusing to open a URL that is not an absolute http(s) URL")
	}
	for _, r := range raw {
		if r <= ' ' || r > '~' || r == '"' || r == '\'' || r == '`' {
			return fmt.Errorf("loopback: refusing to open a URL containing %q", r)
		}
	}
	return nil
}

func (o opener) open(ctx context.Context, u string) error {
	if err := checkURL(u); err != nil {
		return err
	}
	cmds := o.commands(u)
	if len(cmds) == 0 {
		return fmt.Errorf("%w: no command found (set $BROWSER to one)", ErrNoBrowser)
	}
	var errs []error
	for _, argv := range cmds {
		err := o.run(ctx, argv)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		errs = append(errs, fmt.Errorf("%s: %w", argv[0], err))
	}
	return fmt.Errorf("%w: %w", ErrNoBrowser, errors.Join(errs...))
}

// launchGrace is how long a launcher gets to fail before it counts as a
// browser that is running.
const launchGrace = 3 * time.Second

// runDetached starts argv in its own process group (so Ctrl-C in the
// terminal does not take the browser down), with no stdin or output, and
// reports its failure if it exits with one within launchGrace.
func runDetached(ctx context.Context, argv []string) error {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = detachedProcAttr()
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }() // also reaps a browser left running
	t := time.NewTimer(launchGrace)
	defer t.Stop()
	select {
	case err := <-exited:
		return err
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
