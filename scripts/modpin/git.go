package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// git runs git in dir with a deadline and returns its trimmed stdout.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	out, err := gitBytes(ctx, dir, args...)
	return strings.TrimSpace(string(out)), err
}

func gitBytes(ctx context.Context, dir string, args ...string) ([]byte, error) {
	return command(ctx, dir, "git", args...)
}

// command runs name in dir with a deadline of five minutes and returns its
// stdout; its error carries the command's stderr.
func command(ctx context.Context, dir, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s in %s: %v: %s", name, strings.Join(args, " "), dir, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// resolve returns the commit rev names, with its committer time and the
// nearest release tag of the root module below it.
func resolve(ctx context.Context, repo, rev string) (commit, error) {
	line, err := git(ctx, repo, "show", "-s", "--format=%H %ct", rev+"^{commit}")
	if err != nil {
		return commit{}, err
	}
	hash, secs, ok := strings.Cut(line, " ")
	if !ok {
		return commit{}, fmt.Errorf("git show %s: unexpected output %q", rev, line)
	}
	unix, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return commit{}, fmt.Errorf("git show %s: commit time %q: %v", rev, secs, err)
	}
	c := commit{hash: hash, time: time.Unix(unix, 0).UTC()}
	// A release tag of the root module is "vX.Y.Z"; nested modules' tags
	// carry their directory as prefix and do not count.
	tag, err := git(ctx, repo, "describe", "--tags", "--abbrev=0", "--match=v[0-9]*.[0-9]*.[0-9]*", hash)
	if err == nil && releaseTag.MatchString(tag) {
		c.tag = tag
	}
	return c, nil
}

// isAncestor reports whether commit a is an ancestor of (or equal to) b.
func isAncestor(ctx context.Context, repo, a, b string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "merge-base", "--is-ancestor", a, b)
	cmd.Dir = repo
	err := cmd.Run()
	if err == nil {
		return true, nil
	}
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
		return false, nil
	}
	return false, fmt.Errorf("git merge-base --is-ancestor %s %s: %v", a, b, err)
}
