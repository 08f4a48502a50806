package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// proxy writes a file:// module proxy into dir: the main module at every
// commit a consumer module requires and at HEAD, each from git archive of
// its commit, and each consumer module from the working tree (so a change
// is tested before it is committed), versioned as HEAD's pseudo-version.
func proxy(ctx context.Context, repo, mainPath, dir string, w io.Writer) error {
	head, err := resolve(ctx, repo, "HEAD")
	if err != nil {
		return err
	}
	revs := []string{head.hash}
	for _, m := range consumerModules {
		v, err := required(ctx, filepath.Join(repo, m), mainPath)
		if err != nil {
			return err
		}
		// A requirement naming no commit is left for the consumer's build
		// to reject, as it would for a real consumer (modpin check says why).
		if rev, err := parsePseudo(v); err == nil {
			revs = append(revs, rev)
		}
	}
	done := map[string]bool{}
	for _, rev := range revs {
		c, err := resolve(ctx, repo, rev)
		if err != nil {
			return err
		}
		if done[c.hash] {
			continue
		}
		done[c.hash] = true
		if err := publishCommit(ctx, repo, mainPath, dir, c, w); err != nil {
			return err
		}
	}
	head.tag = "" // a nested module's tags are "<dir>/vX.Y.Z"; it has none
	hv, err := pseudoVersion(head)
	if err != nil {
		return err
	}
	for _, m := range consumerModules {
		out, err := git(ctx, repo, "ls-files", "-co", "--exclude-standard", "--", m)
		if err != nil {
			return err
		}
		var names []string
		for _, n := range strings.Split(out, "\n") {
			if rel, ok := strings.CutPrefix(n, m+"/"); ok {
				names = append(names, rel)
			}
		}
		files, err := filesFromDir(filepath.Join(repo, m), names)
		if err != nil {
			return err
		}
		if err := publish(dir, mainPath+"/"+m, hv, head.time, moduleFiles(files), true); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s/%s %s\n", mainPath, m, hv)
	}
	return nil
}

// publishCommit writes the main module at commit c, from git archive.
func publishCommit(ctx context.Context, repo, mainPath, dir string, c commit, w io.Writer) error {
	v, err := pseudoVersion(c)
	if err != nil {
		return err
	}
	tarball, err := gitBytes(ctx, repo, "archive", "--format=tar", c.hash)
	if err != nil {
		return err
	}
	files, err := filesFromTar(bytes.NewReader(tarball))
	if err != nil {
		return fmt.Errorf("git archive %s: %v", c.hash, err)
	}
	if err := publish(dir, mainPath, v, c.time, moduleFiles(files), false); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s %s\n", mainPath, v)
	return err
}
