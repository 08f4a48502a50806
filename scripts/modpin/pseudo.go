package main

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// A commit is what a pseudo-version names: its full hash and its committer
// time, which the go command uses (https://go.dev/ref/mod#pseudo-versions).
type commit struct {
	hash string
	time time.Time
	tag  string // nearest reachable release tag "vX.Y.Z", or ""
}

var (
	releaseTag = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)
	// pseudoTail matches the timestamp and the 12-hex revision that end
	// every pseudo-version form.
	pseudoTail = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+-(?:0\.)?([0-9]{14})-([0-9a-f]{12})$`)
)

// pseudoVersion returns the version the go command gives c: v0.0.0-T-H with
// no release tag below it, vX.Y.(Z+1)-0.T-H above release tag vX.Y.Z.
func pseudoVersion(c commit) (string, error) {
	if len(c.hash) < 12 {
		return "", fmt.Errorf("commit hash %q is shorter than 12 hex digits", c.hash)
	}
	stamp := c.time.UTC().Format("20060102150405")
	rev := c.hash[:12]
	if c.tag == "" {
		return "v0.0.0-" + stamp + "-" + rev, nil
	}
	m := releaseTag.FindStringSubmatch(c.tag)
	if m == nil {
		return "", fmt.Errorf("tag %q is not a release version vX.Y.Z", c.tag)
	}
	patch, err := strconv.Atoi(m[3])
	if err != nil {
		return "", fmt.Errorf("tag %q: %v", c.tag, err)
	}
	return fmt.Sprintf("v%s.%s.%d-0.%s-%s", m[1], m[2], patch+1, stamp, rev), nil
}

// parsePseudo returns the 12-hex revision a pseudo-version names, or an
// error for anything else (a zero version, a release, a malformed string).
func parsePseudo(v string) (rev string, err error) {
	m := pseudoTail.FindStringSubmatch(v)
	if m == nil {
		return "", fmt.Errorf("%q is not a pseudo-version vX.Y.Z-[0.]yyyymmddhhmmss-<12 hex>", v)
	}
	if m[1] == "00010101000000" {
		return "", fmt.Errorf("%q is the zero pseudo-version, which names no commit", v)
	}
	return m[2], nil
}
