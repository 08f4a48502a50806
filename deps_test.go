package deps_test

// This file is a statement of policy: the import rules of ARCHITECTURE.md
// ("Import rules"), checked with go/build for every GOOS the module vets on.
// Do not change the tables to make a build pass; change the design first.

import (
	"go/build"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/entraauth/entraauth"

// allowed lists, for each package of the main module, the packages of this
// module its non-test files may import. A package missing from this table
// fails the test: a new package needs a decision, not a default. A row
// for a package that does not exist fails it too: the table describes
// this module, not plans.
var allowed = map[string][]string{
	"":                          nil, // this test only
	"pkce":                      nil,
	"cache":                     nil,
	"cache/persistent":          {"cache"},
	"internal/redact":           nil,
	"internal/jsonnum":          nil,
	"oauth":                     {"cache", "internal/redact"},
	"internal/engine":           {"oauth", "cache", "internal/redact", "internal/jsonnum"},
	"password":                  {"oauth", "internal/engine", "internal/redact"},
	"devicecode":                {"oauth", "internal/engine", "internal/redact"},
	"loopback":                  {"oauth", "internal/engine", "internal/redact", "pkce"},
	"broker":                    {"oauth", "internal/engine", "internal/redact", "internal/jsonnum"},
	"azurecli":                  {"oauth", "internal/engine", "internal/redact", "cache", "cache/persistent"}, // persistent on Windows only (DPAPI)
	"auto":                      {"oauth", "internal/engine", "cache", "azurecli", "broker", "devicecode", "loopback"},
	"sshcert":                   {"oauth", "internal/redact"},
	"conformance/fakeauthority": nil,
	"conformance/fakebroker":    {"conformance/fakeauthority"},
	// the fake broker as a program, for D-Bus activation tests
	"conformance/fakebroker/cmd/fakebroker": {"conformance/fakebroker"},
	"conformance":                           {"oauth", "cache", "conformance/fakeauthority"},
	"scripts/catalogcheck":                  nil,
	"scripts/conformancereport":             nil,
	"scripts/modpin":                        nil,
	"cmd/entraauth":                         {"*"},
}

// testKits may be linked only by the conformance suite.
var testKits = []string{"testing", "net/http/httptest", "github.com/stretchr/testify"}

// vendorSDKs never appear in the main module: they live in nested modules
// that compare or interoperate (bench/, interop/, azadapter/).
var vendorSDKs = []string{
	"github.com/AzureAD/microsoft-authentication-library-for-go",
	"github.com/Azure/azure-sdk-for-go",
}

// testOnlyModules are never imported in the main module, not even by its
// tests: a module its tests import is a requirement in its go.mod, and so
// in the module graph of every user of the library. The fake authority
// mints tokens with the standard library (and so shares no JOSE code with
// the client's go-jose); the tests that drive a real Chromium (chromedp)
// live in the nested module interop/chromium.
var testOnlyModules = []string{"github.com/lestrrat-go/jwx", "github.com/chromedp"}

// noDBus are the packages a program that signs in without an OS secret
// store links (a credential, its cache in memory or in a plain file):
// none may link the D-Bus client, which only the Secret Service storage
// (cache/persistent), the Linux broker and their importers need.
var noDBus = []string{"pkce", "cache", "oauth", "internal/engine", "internal/redact", "password", "devicecode", "loopback", "azurecli", "sshcert"}

// dbusClient is the D-Bus client module; dbusUser links it on Linux, so
// that a walk which cannot see it fails rather than passes.
const (
	dbusClient = "github.com/godbus/dbus"
	dbusUser   = "cache/persistent"
)

type pkg struct {
	rel                  string
	imports, testImports []string // testImports: in-package and external tests
	xtestImports         []string
}

func TestImportRules(t *testing.T) {
	for _, goos := range []string{"linux", "windows", "darwin"} {
		t.Run(goos, func(t *testing.T) {
			pkgs := loadPackages(t, goos)
			if len(pkgs) < 2 {
				t.Fatalf("found %d packages; the walk is broken", len(pkgs))
			}
			for _, p := range pkgs {
				checkPackage(t, p)
			}
			if goos == "linux" {
				checkRowsExist(t, pkgs)
			}
			checkTestKitsClosure(t, pkgs)
		})
	}
}

func checkPackage(t *testing.T, p pkg) {
	t.Helper()
	rules, ok := allowed[p.rel]
	if !ok {
		t.Errorf("package %q is not in the allowed table of deps_test.go", p.rel)
		return
	}
	for _, imp := range p.imports {
		if rel, internal := moduleRel(imp); internal {
			if !slices.Contains(rules, "*") && !slices.Contains(rules, rel) {
				t.Errorf("%s imports %s: not an allowed edge", show(p.rel), rel)
			}
			if rel == "conformance" && p.rel != "conformance" {
				t.Errorf("%s imports the conformance suite outside a _test.go file", show(p.rel))
			}
		}
		if hasPrefixAny(imp, testKits) && p.rel != "conformance" {
			t.Errorf("%s links test kit %s in non-test code", show(p.rel), imp)
		}
	}
	for _, imp := range slices.Concat(p.imports, p.testImports, p.xtestImports) {
		if hasPrefixAny(imp, vendorSDKs) {
			t.Errorf("%s imports %s; vendor SDKs belong in nested modules", show(p.rel), imp)
		}
		if hasPrefixAny(imp, testOnlyModules) {
			t.Errorf("%s imports %s; it would enter every user's module graph", show(p.rel), imp)
		}
	}
	if slices.Contains(p.testImports, module+"/conformance") {
		t.Errorf("%s imports conformance from an in-package test; use an external _test package", show(p.rel))
	}
}

// checkRowsExist fails for a row of the allowed table naming no package.
func checkRowsExist(t *testing.T, pkgs []pkg) {
	t.Helper()
	for rel := range allowed {
		if !slices.ContainsFunc(pkgs, func(p pkg) bool { return p.rel == rel }) {
			t.Errorf("deps_test.go allows imports for %q, which is not a package of this module", rel)
		}
	}
}

// checkTestKitsClosure follows imports inside the module, so that a package
// cannot link testing through another package of ours.
func checkTestKitsClosure(t *testing.T, pkgs []pkg) {
	t.Helper()
	byRel := map[string]pkg{}
	for _, p := range pkgs {
		byRel[p.rel] = p
	}
	for _, p := range pkgs {
		if p.rel == "conformance" || p.rel == "" {
			continue
		}
		seen := map[string]bool{}
		var walk func(rel string) string
		walk = func(rel string) string {
			if seen[rel] {
				return ""
			}
			seen[rel] = true
			for _, imp := range byRel[rel].imports {
				if hasPrefixAny(imp, testKits) {
					return rel + " -> " + imp
				}
				if r, ok := moduleRel(imp); ok {
					if path := walk(r); path != "" {
						return rel + " -> " + path
					}
				}
			}
			return ""
		}
		if chain := walk(p.rel); chain != "" {
			t.Errorf("%s links a test kit: %s", show(p.rel), chain)
		}
	}
}

// TestPlainCredentialsLinkNoDBus follows every import, in this module
// and outside it, as `go list -deps` does, from each package of noDBus.
func TestPlainCredentialsLinkNoDBus(t *testing.T) {
	for _, goos := range []string{"linux", "windows", "darwin"} {
		t.Run(goos, func(t *testing.T) {
			t.Parallel() // each walk runs go list for the packages outside the module
			w := &depWalk{t: t, ctxt: buildContext(goos), imports: map[string][]string{}}
			for _, rel := range noDBus {
				if chain := w.chainTo(module+"/"+rel, dbusClient, map[string]bool{}); chain != "" {
					t.Errorf("%s links the D-Bus client: %s", rel, chain)
				}
			}
			if chain := w.chainTo(module+"/"+dbusUser, dbusClient, map[string]bool{}); (chain != "") != (goos == "linux") {
				t.Errorf("%s on %s: D-Bus chain %q; the walk does not see what it links", dbusUser, goos, chain)
			}
		})
	}
}

// depWalk reads packages' imports for one GOOS, each once.
type depWalk struct {
	t       *testing.T
	ctxt    build.Context
	imports map[string][]string
}

// chainTo returns the import chain from path to a package under target,
// "" when there is none. The standard library is not followed: it
// imports nothing outside itself.
func (w *depWalk) chainTo(path, target string, seen map[string]bool) string {
	if path == target || strings.HasPrefix(path, target+"/") {
		return path
	}
	if seen[path] || !strings.Contains(strings.SplitN(path, "/", 2)[0], ".") {
		return ""
	}
	seen[path] = true
	imps, ok := w.imports[path]
	if !ok {
		var bp *build.Package
		var err error
		if rel, ok := moduleRel(path); ok { // read here: quicker than go list
			bp, err = w.ctxt.ImportDir(filepath.Join(".", filepath.FromSlash(rel)), 0)
		} else {
			bp, err = w.ctxt.Import(path, ".", 0)
		}
		if err != nil {
			w.t.Fatalf("%s: %v", path, err)
		}
		imps = bp.Imports
		w.imports[path] = imps
	}
	for _, imp := range imps {
		if chain := w.chainTo(imp, target, seen); chain != "" {
			return path + " -> " + chain
		}
	}
	return ""
}

func buildContext(goos string) build.Context {
	ctxt := build.Default
	ctxt.GOOS = goos
	ctxt.CgoEnabled = false
	return ctxt
}

func loadPackages(t *testing.T, goos string) []pkg {
	t.Helper()
	ctxt := buildContext(goos)
	var out []pkg
	err := filepath.WalkDir(".", func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if dir != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
			return filepath.SkipDir
		}
		if dir != "." {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return filepath.SkipDir // a nested module has rules of its own
			}
		}
		bp, err := ctxt.ImportDir(dir, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			t.Fatalf("%s: %v", dir, err)
		}
		rel := filepath.ToSlash(dir)
		if rel == "." {
			rel = ""
		}
		out = append(out, pkg{rel: rel, imports: bp.Imports, testImports: bp.TestImports, xtestImports: bp.XTestImports})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func moduleRel(imp string) (string, bool) {
	if imp == module {
		return "", true
	}
	if rest, ok := strings.CutPrefix(imp, module+"/"); ok {
		return path.Clean(rest), true
	}
	return "", false
}

func hasPrefixAny(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if s == p || strings.HasPrefix(s, p+"/") {
			return true
		}
	}
	return false
}

func show(rel string) string {
	if rel == "" {
		return "(root)"
	}
	return rel
}
