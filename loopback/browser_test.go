package loopback

import (
	"context"
	"errors"
	"os/exec"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const testURL = "https://login.example/t/oauth2/v2.0/authorize?client_id=x&state=s&redirect_uri=http%3A%2F%2Flocalhost%3A1234"

func fakeOpener(goos string, wsl bool, env map[string]string, installed ...string) opener {
	return opener{
		goos:   goos,
		wsl:    wsl,
		getenv: func(k string) string { return env[k] },
		lookPath: func(name string) (string, error) {
			if slices.Contains(installed, name) {
				return "/usr/bin/" + name, nil
			}
			return "", exec.ErrNotFound
		},
		listSep: ":",
	}
}

func TestOpenerCommands(t *testing.T) {
	u := testURL
	tests := []struct {
		name      string
		o         opener
		want      [][]string
		wantFirst string // when only the first entry matters
	}{
		{
			name: "linux desktop",
			o:    fakeOpener("linux", false, map[string]string{"DISPLAY": ":0"}, "xdg-open", "gio", "x-www-browser"),
			want: [][]string{{"xdg-open", u}, {"gio", "open", u}, {"x-www-browser", u}},
		},
		{
			name: "linux wayland, only gio installed",
			o:    fakeOpener("linux", false, map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, "gio"),
			want: [][]string{{"gio", "open", u}},
		},
		{
			name: "linux without a desktop session (SSH)",
			o:    fakeOpener("linux", false, nil, "xdg-open", "x-www-browser"),
			want: nil,
		},
		{
			name: "BROWSER first, with %s and without",
			o: fakeOpener("linux", false, map[string]string{"DISPLAY": ":0", "BROWSER": "firefox --new-window:missing-browser:chromium --app=%s"},
				"firefox", "chromium", "xdg-open"),
			want: [][]string{{"firefox", "--new-window", u}, {"chromium", "--app=" + u}, {"xdg-open", u}},
		},
		{
			name: "BROWSER honoured without a desktop session",
			o:    fakeOpener("linux", false, map[string]string{"BROWSER": "w3m"}, "w3m", "xdg-open"),
			want: [][]string{{"w3m", u}},
		},
		{
			name: "wsl uses the Windows browser",
			o:    fakeOpener("linux", true, nil, "wslview", "powershell.exe", "rundll32.exe", "xdg-open"),
			want: [][]string{
				{"wslview", u},
				{"powershell.exe", "-NoProfile", "-NonInteractive", "-Command", "Start-Process '" + u + "'"},
				{"rundll32.exe", "url.dll,FileProtocolHandler", u},
			},
		},
		{
			name: "wsl with WSLg falls back to the Linux desktop last",
			o:    fakeOpener("linux", true, map[string]string{"DISPLAY": ":0"}, "powershell.exe", "xdg-open"),
			want: [][]string{
				{"powershell.exe", "-NoProfile", "-NonInteractive", "-Command", "Start-Process '" + u + "'"},
				{"xdg-open", u},
			},
		},
		{
			name: "darwin",
			o:    fakeOpener("darwin", false, map[string]string{"DISPLAY": ":0"}, "open", "xdg-open"),
			want: [][]string{{"open", u}},
		},
		{
			name: "windows",
			o:    fakeOpener("windows", false, nil, "rundll32"),
			want: [][]string{{"rundll32", "url.dll,FileProtocolHandler", u}},
		},
		{
			name: "freebsd desktop",
			o:    fakeOpener("freebsd", false, map[string]string{"DISPLAY": ":0"}, "xdg-open"),
			want: [][]string{{"xdg-open", u}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.o.commands(u)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("commands() =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestBrowserEnvCommand(t *testing.T) {
	tests := []struct {
		entry string
		want  []string
	}{
		{"", nil},
		{"   ", nil},
		{"firefox", []string{"firefox", "U"}},
		{"open -a Safari", []string{"open", "-a", "Safari", "U"}},
		{"browser --url=%s --x", []string{"browser", "--url=U", "--x"}},
		{"b %s 100%%", []string{"b", "U", "100%%"}}, // only arguments with %s are expanded
		{"b %s%%", []string{"b", "U%"}},
	}
	for _, tt := range tests {
		if got := browserEnvCommand(tt.entry, "U"); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("browserEnvCommand(%q) = %q, want %q", tt.entry, got, tt.want)
		}
	}
}

func TestOpenFallsThrough(t *testing.T) {
	o := fakeOpener("linux", true, nil, "wslview", "powershell.exe", "rundll32.exe")
	var tried []string
	o.run = func(_ context.Context, argv []string) error {
		tried = append(tried, argv[0])
		if argv[0] == "rundll32.exe" {
			return nil
		}
		return errors.New("exit status 1")
	}
	if err := o.open(context.Background(), testURL); err != nil {
		t.Fatalf("open: %v", err)
	}
	if want := []string{"wslview", "powershell.exe", "rundll32.exe"}; !reflect.DeepEqual(tried, want) {
		t.Errorf("tried %v, want %v", tried, want)
	}
}

func TestOpenNothingWorks(t *testing.T) {
	tests := []struct {
		name string
		o    opener
	}{
		{"no command", fakeOpener("linux", false, nil)},
		{"all fail", fakeOpener("linux", false, map[string]string{"DISPLAY": ":0"}, "xdg-open", "gio")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.run = func(context.Context, []string) error { return errors.New("exit status 3") }
			err := tt.o.open(context.Background(), testURL)
			if !errors.Is(err, ErrNoBrowser) {
				t.Fatalf("open = %v, want ErrNoBrowser", err)
			}
			if strings.Contains(err.Error(), "state=s") {
				t.Errorf("error repeats the URL: %v", err)
			}
		})
	}
}

func TestOpenRefusesUnsafeURLs(t *testing.T) {
	o := fakeOpener("linux", false, map[string]string{"DISPLAY": ":0"}, "xdg-open")
	o.run = func(context.Context, []string) error {
		t.Fatal("a launcher ran for an unsafe URL")
		return nil
	}
	for _, u := range []string{
		"file:///etc/passwd",
		"javascript:alert(1)",
		"/relative/path",
		"https://x.example/a b",
		"https://x.example/'; calc.exe; '",
		"https://x.example/\"&calc",
		"https://x.example/`id`",
		"https://x.example/\u2019;calc",
		"https://x.example/\n",
		"--help",
	} {
		if err := o.open(context.Background(), u); err == nil || errors.Is(err, ErrNoBrowser) {
			t.Errorf("open(%q) = %v, want a refusal", u, err)
		}
	}
}

func TestIsWSL(t *testing.T) {
	none := func(string) string { return "" }
	tests := []struct {
		release string
		env     map[string]string
		want    bool
	}{
		{"6.6.87.2-microsoft-standard-WSL2", nil, true},
		{"4.4.0-19041-Microsoft", nil, true},
		{"6.1.0-18-amd64", nil, false},
		{"", map[string]string{"WSL_DISTRO_NAME": "Ubuntu"}, true},
		{"", map[string]string{"WSL_INTEROP": "/run/WSL/1_interop"}, true},
		{"", nil, false},
	}
	for _, tt := range tests {
		getenv := none
		if tt.env != nil {
			getenv = func(k string) string { return tt.env[k] }
		}
		if got := isWSL(tt.release, getenv); got != tt.want {
			t.Errorf("isWSL(%q, %v) = %v, want %v", tt.release, tt.env, got, tt.want)
		}
	}
}

func TestRunDetached(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses the POSIX true and false commands")
	}
	for _, name := range []string{"true", "false"} {
		if _, err := exec.LookPath(name); err != nil {
			t.Skipf("%s not installed (coreutils)", name)
		}
	}
	if err := runDetached(context.Background(), []string{"true"}); err != nil {
		t.Errorf("runDetached(true) = %v, want nil", err)
	}
	if err := runDetached(context.Background(), []string{"false"}); err == nil {
		t.Error("runDetached(false) = nil, want the exit status")
	}
	if err := runDetached(context.Background(), []string{"/nonexistent/browser"}); err == nil {
		t.Error("runDetached(missing) = nil, want an error")
	}
}

// FuzzBrowserEnv: a $BROWSER entry yields nothing exactly when it is
// blank, and otherwise a command line that carries the URL.
func FuzzBrowserEnv(f *testing.F) {
	for _, s := range []string{"firefox", "open -a Safari", "b --url=%s", "b %s%%", "  ", "%s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, entry string) {
		argv := browserEnvCommand(entry, testURL)
		if argv == nil {
			if len(strings.Fields(entry)) != 0 {
				t.Fatalf("browserEnvCommand(%q) = nil", entry)
			}
			return
		}
		if !strings.Contains(strings.Join(argv, " "), testURL) {
			t.Fatalf("browserEnvCommand(%q) = %q lacks the URL", entry, argv)
		}
	})
}
