package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestTokenWithoutTerminal is a user's lifecycle across processes with
// the built binary: `login --fake` once; then `token --fake` in a new
// process as cron, CI or `2>/dev/null` run it (stdin /dev/null, stdout a
// pipe, stderr /dev/null) prints the cached token with no request at all;
// after the access token expired, exactly one request, the refresh (no
// key-set fetch: login kept the keys beside the cache file),
// and no sign-in; then the refreshed token, again with no request.
func TestTokenWithoutTerminal(t *testing.T) {
	env := binEnv(t)
	if _, stderr, code := runBinary(t, env, "", "login", "--fake"); code != exitOK {
		t.Fatalf("login --fake: exit %d\n%s", code, stderr)
	}
	cacheFile := filepath.Join(strings.TrimPrefix(env[1], "XDG_CACHE_HOME="), "entraauth", "fake", "msal_token_cache.json")
	for _, step := range []struct {
		name     string
		expire   bool
		refreshs int
	}{{"cached", false, 0}, {"expired", true, 1}, {"refreshed", false, 0}} {
		if step.expire {
			expireAccessTokens(t, cacheFile)
		}
		har := filepath.Join(t.TempDir(), "token.har")
		cmd := exec.Command(binary(t), "token", "--fake", "--output", "raw", "--trace-file", har)
		cmd.Env = env // Stdin and Stderr nil: /dev/null
		var out bytes.Buffer
		cmd.Stdout = &out // a pipe
		if err := runWithin(cmd, 60*time.Second); err != nil {
			t.Fatalf("%s: token --fake with no terminal: %v", step.name, err)
		}
		if tok := strings.TrimSpace(out.String()); strings.Count(tok, ".") != 2 || !strings.HasPrefix(tok, "ey") {
			t.Errorf("%s: stdout %q, want a JWT", step.name, out.String())
		}
		// Any other request is a sign-in, a token request too many, or a
		// key-set fetch: login kept the signing keys beside the cache
		// file, so the refreshed ID token is checked without fetching them.
		var tokens, others []string
		for _, e := range harEntries(t, har) {
			switch {
			case strings.HasSuffix(e.URL, "/oauth2/v2.0/token") && strings.Contains(e.PostText, "grant_type=refresh_token"):
				tokens = append(tokens, e.URL)
			default:
				others = append(others, e.Method+" "+e.URL)
			}
		}
		if len(tokens) != step.refreshs || len(others) != 0 {
			t.Errorf("%s: %d refresh requests %q and other requests %q; want %d refreshes and no other request",
				step.name, len(tokens), tokens, others, step.refreshs)
		}
	}
}

// runWithin runs cmd and kills it after d.
func runWithin(cmd *exec.Cmd, d time.Duration) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		cmd.Process.Kill()
		return <-done
	}
}

// expireAccessTokens rewrites the plain-file cache (MSAL's schema) so
// that every access token expired a minute ago.
func expireAccessTokens(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	past := strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)
	if len(doc["AccessToken"]) == 0 {
		t.Fatalf("no access token in %s", path)
	}
	for _, at := range doc["AccessToken"] {
		at["expires_on"], at["extended_expires_on"] = past, past
		delete(at, "refresh_on")
	}
	if b, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// harExchange is what these tests read of a HAR entry.
type harExchange struct{ Method, URL, PostText string }

func harEntries(t *testing.T, path string) []harExchange {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Log struct {
			Entries []struct {
				Request struct {
					Method   string `json:"method"`
					URL      string `json:"url"`
					PostData *struct {
						Text string `json:"text"`
					} `json:"postData"`
				} `json:"request"`
			} `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []harExchange
	for _, e := range doc.Log.Entries {
		x := harExchange{Method: e.Request.Method, URL: e.Request.URL}
		if e.Request.PostData != nil {
			x.PostText = e.Request.PostData.Text
		}
		out = append(out, x)
	}
	return out
}
