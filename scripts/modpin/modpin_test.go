package main

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPseudoVersion(t *testing.T) {
	at := time.Date(2026, 12, 6, 3, 12, 59, 0, time.FixedZone("CET", 3600))
	hash := "c5afc8266983df2bc5a7a1c09986e1c36f03c2e3"
	tests := []struct {
		name, tag, want string
		wantErr         bool
	}{
		{"untagged, time in UTC", "", "v0.0.0-20261206021259-c5afc8266983", false},
		{"above a release", "v1.4.2", "v1.4.3-0.20261206021259-c5afc8266983", false},
		{"above v0 release", "v0.1.0", "v0.1.1-0.20261206021259-c5afc8266983", false},
		{"prerelease tag refused", "v1.0.0-rc.1", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pseudoVersion(commit{hash: hash, time: at, tag: tt.tag})
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("pseudoVersion = %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
			if err == nil {
				if rev, err := parsePseudo(got); err != nil || rev != hash[:12] {
					t.Fatalf("parsePseudo(%q) = %q, %v", got, rev, err)
				}
			}
		})
	}
	if _, err := pseudoVersion(commit{hash: "abc", time: at}); err == nil {
		t.Fatal("a short hash made a pseudo-version")
	}
}

func TestParsePseudoRefuses(t *testing.T) {
	for _, v := range []string{
		"v0.0.0-00010101000000-000000000000", // the zero version
		"v1.2.3",
		"v0.0.0-20261206021259-C5AFC8266983",
		"v0.0.0-2026120602125-c5afc8266983",
		"v0.0.0-20261206021259-c5afc826698",
		"",
	} {
		if rev, err := parsePseudo(v); err == nil {
			t.Errorf("parsePseudo(%q) = %q, want an error", v, rev)
		}
	}
}

func TestModuleFiles(t *testing.T) {
	var all []file
	for _, n := range []string{
		"go.mod", "oauth/a.go", "azadapter/go.mod", "azadapter/adapter.go",
		"interop/msalgo/go.mod", "interop/msalgo/x.go", "interop/doc.md",
		"vendor/modules.txt", "x/vendor/y.go", ".git/config", "cache/testdata/t.json",
		"azadapterx/b.go",
	} {
		all = append(all, file{name: n})
	}
	var got []string
	for _, f := range moduleFiles(all) {
		got = append(got, f.name)
	}
	want := []string{"azadapterx/b.go", "cache/testdata/t.json", "go.mod", "interop/doc.md", "oauth/a.go"}
	if !slices.Equal(got, want) {
		t.Fatalf("moduleFiles kept %q, want %q", got, want)
	}
}

func TestEscapePath(t *testing.T) {
	tests := map[string]string{
		"github.com/entraauth/entraauth":               "github.com/entraauth/entraauth",
		"github.com/Azure/azure-sdk-for-go/sdk/azcore": "github.com/!azure/azure-sdk-for-go/sdk/azcore",
		"github.com/AzureAD/x":                         "github.com/!azure!a!d/x",
	}
	for in, want := range tests {
		if got := escapePath(in); got != want {
			t.Errorf("escapePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteZipLayout(t *testing.T) {
	var buf bytes.Buffer
	files := []file{{"go.mod", []byte("module m\n")}, {"p/p.go", []byte("package p\n")}}
	if err := writeZip(&buf, "example.com/m", "v0.0.0-20261206021259-c5afc8266983", files); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	want := []string{
		"example.com/m@v0.0.0-20261206021259-c5afc8266983/go.mod",
		"example.com/m@v0.0.0-20261206021259-c5afc8266983/p/p.go",
	}
	if !slices.Equal(names, want) {
		t.Fatalf("zip names %q, want %q", names, want)
	}
}

// TestResolveFromGit makes a repository with fixed committer times and
// checks the pseudo-versions and ancestry modpin reads from git.
func TestResolveFromGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	ctx := context.Background()
	gitAt := func(date string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_COMMITTER_DATE="+date, "GIT_AUTHOR_DATE="+date,
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
			"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	gitAt("", "init", "-q", "-b", "main")
	gitAt("2026-12-06T04:12:59+01:00", "commit", "-q", "--allow-empty", "-m", "one")
	first := gitAt("", "rev-parse", "HEAD")
	gitAt("2026-12-07T00:00:00Z", "commit", "-q", "--allow-empty", "-m", "two")
	gitAt("2026-12-07T00:00:00Z", "tag", "v0.2.0")
	gitAt("2026-12-08T00:00:00Z", "commit", "-q", "--allow-empty", "-m", "three")

	tests := []struct{ rev, want string }{
		{first, "v0.0.0-20261206031259-" + first[:12]},
		{"HEAD", "v0.2.1-0.20261208000000-"},
	}
	for _, tt := range tests {
		c, err := resolve(ctx, dir, tt.rev)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pseudoVersion(c)
		if err != nil || !strings.HasPrefix(got, tt.want) {
			t.Errorf("pseudo-version of %s = %q, %v; want prefix %q", tt.rev, got, err, tt.want)
		}
	}
	if ok, err := isAncestor(ctx, dir, first, "HEAD"); err != nil || !ok {
		t.Errorf("isAncestor(first, HEAD) = %v, %v; want true", ok, err)
	}
	if ok, err := isAncestor(ctx, dir, "HEAD", first); err != nil || ok {
		t.Errorf("isAncestor(HEAD, first) = %v, %v; want false", ok, err)
	}
	if _, err := resolve(ctx, dir, "0123456789ab"); err == nil {
		t.Error("resolve of a missing commit succeeded")
	}
}
