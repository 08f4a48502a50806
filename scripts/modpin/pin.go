package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// gocmd runs the go command in dir.
func gocmd(ctx context.Context, dir string, args ...string) ([]byte, error) {
	return command(ctx, dir, "go", args...)
}

type goMod struct {
	Module  struct{ Path string }
	Require []struct{ Path, Version string }
}

func readGoMod(ctx context.Context, dir string) (goMod, error) {
	var m goMod
	out, err := gocmd(ctx, dir, "mod", "edit", "-json")
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(out, &m)
}

func modulePath(ctx context.Context, repo string) (string, error) {
	m, err := readGoMod(ctx, repo)
	return m.Module.Path, err
}

// required returns the version of the main module that dir's go.mod requires.
func required(ctx context.Context, dir, mainPath string) (string, error) {
	m, err := readGoMod(ctx, dir)
	if err != nil {
		return "", err
	}
	for _, r := range m.Require {
		if r.Path == mainPath {
			return r.Version, nil
		}
	}
	return "", fmt.Errorf("%s/go.mod does not require %s", dir, mainPath)
}

func set(ctx context.Context, repo, mainPath, rev string) error {
	c, err := resolve(ctx, repo, rev)
	if err != nil {
		return err
	}
	ok, err := isAncestor(ctx, repo, c.hash, "HEAD")
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s is not an ancestor of HEAD", rev)
	}
	v, err := pseudoVersion(c)
	if err != nil {
		return err
	}
	for _, m := range consumerModules {
		if _, err := gocmd(ctx, filepath.Join(repo, m), "mod", "edit", "-require="+mainPath+"@"+v); err != nil {
			return err
		}
		fmt.Printf("%s/go.mod: require %s %s\n", m, mainPath, v)
	}
	return nil
}

func check(ctx context.Context, repo, mainPath string) error {
	var errs []string
	for _, m := range consumerModules {
		if err := checkModule(ctx, repo, mainPath, m); err != nil {
			errs = append(errs, fmt.Sprintf("%s/go.mod: %v", m, err))
		}
	}
	if errs != nil {
		return fmt.Errorf("%s\n(run `go run ./scripts/modpin set` to require HEAD's pseudo-version)", strings.Join(errs, "\n"))
	}
	return nil
}

// checkModule checks that mod requires the main module at the
// pseudo-version of a commit that is an ancestor of HEAD and holds every
// package of the main module that mod's files (tests included) import.
func checkModule(ctx context.Context, repo, mainPath, mod string) error {
	dir := filepath.Join(repo, mod)
	v, err := required(ctx, dir, mainPath)
	if err != nil {
		return err
	}
	rev, err := parsePseudo(v)
	if err != nil {
		return fmt.Errorf("requires %s %s: a consumer cannot resolve it: %v", mainPath, v, err)
	}
	c, err := resolve(ctx, repo, rev)
	if err != nil {
		return fmt.Errorf("requires %s %s: no such commit here: %v", mainPath, v, err)
	}
	want, err := pseudoVersion(c)
	if err != nil {
		return err
	}
	if want != v {
		return fmt.Errorf("requires %s %s, but that commit's pseudo-version is %s", mainPath, v, want)
	}
	ok, err := isAncestor(ctx, repo, c.hash, "HEAD")
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("requires %s %s: commit %s is not an ancestor of HEAD", mainPath, v, c.hash[:12])
	}
	pkgs, err := mainImports(ctx, dir, mainPath, mainPath+"/"+mod)
	if err != nil {
		return err
	}
	for _, p := range pkgs {
		rel := strings.TrimPrefix(p, mainPath+"/")
		if !hasGoFiles(ctx, repo, c.hash, rel) {
			return fmt.Errorf("requires %s %s, which has no package %s (imported by %s)", mainPath, v, rel, mod)
		}
	}
	fmt.Printf("%s/go.mod: requires %s %s (ancestor of HEAD; has %s)\n", mod, mainPath, v, strings.Join(pkgs, ", "))
	return nil
}

// mainImports lists the packages of the main module that the module in
// dir imports from any of its files (for the host GOOS).
func mainImports(ctx context.Context, dir, mainPath, self string) ([]string, error) {
	const format = `{{join .Imports "\n"}}{{"\n"}}{{join .TestImports "\n"}}{{"\n"}}{{join .XTestImports "\n"}}`
	out, err := gocmd(ctx, dir, "list", "-e", "-f", format, "./...")
	if err != nil {
		return nil, err
	}
	var pkgs []string
	for _, p := range strings.Fields(string(out)) {
		if (p == mainPath || strings.HasPrefix(p, mainPath+"/")) && p != self && !strings.HasPrefix(p, self+"/") && !slices.Contains(pkgs, p) {
			pkgs = append(pkgs, p)
		}
	}
	slices.Sort(pkgs)
	return pkgs, nil
}

// hasGoFiles reports whether directory rel at commit holds a non-test .go file.
func hasGoFiles(ctx context.Context, repo, hash, rel string) bool {
	out, err := git(ctx, repo, "ls-tree", "--name-only", hash+":"+rel)
	if err != nil {
		return false
	}
	for _, n := range strings.Fields(out) {
		if path.Ext(n) == ".go" && !strings.HasSuffix(n, "_test.go") {
			return true
		}
	}
	return false
}
