package cache

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// One entry of the wrong JSON type does not cost the others: it is
// skipped (reported once), the valid entries stay usable, the file is not
// moved aside, and the next write gives the entry back verbatim for the
// readers that understand it. Only a file that is not a JSON object is
// quarantined.
func TestBadEntrySkipped(t *testing.T) {
	at := goodAccessTokenSection(t)
	bad := map[string]string{
		"entry not an object": `"AccessToken":` + at[:len(at)-1] + `,"zz-not-an-object":"v"}`,
		"field wrong type":    `"AccessToken":` + at[:len(at)-1] + `,"zz-secret-number":{"secret":5,"expires_on":"1"}}`,
		"time not a number":   `"AccessToken":` + at[:len(at)-1] + `,"zz-time":{"expires_on":"soon"}}`,
		"null entry":          `"AccessToken":` + at[:len(at)-1] + `,"zz-null":null}`,
		"section wrong type":  `"AccessToken":` + at + `,"Account":[1,2]`,
	}
	for name, body := range bad {
		t.Run(name, func(t *testing.T) {
			st, path := newFile(t, nil)
			must(t, os.MkdirAll(filepath.Dir(path), 0o700))
			content := "{" + body + "}"
			must(t, os.WriteFile(path, []byte(content), 0o600))
			var logs bytes.Buffer
			c := New(st, &Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			ctx := context.Background()
			must(t, c.Sync(ctx))
			if x, ok := c.AccessToken(NewAccessTokenKey(testHome, testEnv, testRealm, testClient, []string{"User.Read"}, "", false)); !ok || x.Secret != "good" {
				t.Fatalf("the valid entry is not usable: %q, %v", x.Secret, ok)
			}
			mustWrite(t, c, Update{AccessToken: testAT("other", "Mail.Read", time.Hour)})
			must(t, c.Sync(ctx))
			if n := strings.Count(logs.String(), "skipped an entry"); n != 1 {
				t.Errorf("skipped entry reported %d times, want once:\n%s", n, logs.String())
			}
			if m, _ := filepath.Glob(path + ".corrupt-*"); len(m) != 0 {
				t.Errorf("the file was moved aside: %v", m)
			}
			after, err := os.ReadFile(path)
			must(t, err)
			var got map[string]map[string]json.RawMessage
			if err := json.Unmarshal(after, &got); err != nil && name != "section wrong type" {
				t.Fatalf("written document: %v", err)
			}
			key, raw, _ := strings.Cut(body[strings.LastIndex(body, `"zz-`)+1:], `":`)
			if name != "section wrong type" && string(got["AccessToken"][key]) != strings.TrimSuffix(raw, "}") {
				t.Errorf("entry %s written back as %s, want %s", key, got["AccessToken"][key], strings.TrimSuffix(raw, "}"))
			}
			if name == "section wrong type" && !bytes.Contains(after, []byte(`"Account":[1,2]`)) {
				t.Errorf("the Account section was not kept: %s", after)
			}
			if c.Len().AccessTokens != 2 {
				t.Errorf("Len = %+v", c.Len())
			}
		})
	}
}

// An unreadable entry whose key is "" is kept as that entry. It was taken
// for its whole section: the section was replaced by the entry's own
// object, which lost every other entry of it on the next write (found by
// FuzzUnmarshal).
func TestBadEntryKeyedEmpty(t *testing.T) {
	at := goodAccessTokenSection(t)
	const entry = `{"cached_at":"A"}`
	for name, section := range map[string]string{
		"alone":             `{"":` + entry + `}`,
		"beside a good one": at[:len(at)-1] + `,"":` + entry + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			s := newStore()
			must(t, s.unmarshal([]byte(`{"AccessToken":`+section+`}`)))
			out, err := s.marshal()
			must(t, err)
			var got map[string]map[string]json.RawMessage
			must(t, json.Unmarshal(out, &got))
			if string(got["AccessToken"][""]) != entry {
				t.Errorf("entry \"\" written back as %s, want %s; document %s", got["AccessToken"][""], entry, out)
			}
			if want := strings.Count(section, "{") - 1; len(got["AccessToken"]) != want {
				t.Errorf("AccessToken has %d entries, want %d: %s", len(got["AccessToken"]), want, out)
			}
		})
	}
}

// goodAccessTokenSection is the AccessToken section of a cache holding one
// readable token ("good", User.Read), as this package writes it.
func goodAccessTokenSection(t *testing.T) string {
	t.Helper()
	base := New(nil, nil)
	mustWrite(t, base, Update{AccessToken: testAT("good", "User.Read", time.Hour)})
	data, err := base.MarshalJSON()
	must(t, err)
	var doc map[string]json.RawMessage
	must(t, json.Unmarshal(data, &doc))
	return string(doc["AccessToken"])
}
