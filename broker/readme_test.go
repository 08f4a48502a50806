package broker

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/oauth"
)

// sentFields is every JSON member path the Linux requests can carry, by
// the method column README.md uses ("acquireToken*" for both token
// calls). A token request's authParameters members are
// "authParameters.<name>"; the account inside is the broker's own object,
// sent back verbatim, so its members are not ours to source.
func sentFields(t *testing.T) map[string][]string {
	t.Helper()
	a := &brokerAccount{Account: oauth.Account{HomeAccountID: "u.t", Username: "a@b"}, raw: []byte(`{"homeAccountId":"u.t","username":"a@b"}`)}
	full := &request{clientID: "cid", authority: "https://login.microsoftonline.com/organizations", redirectURI: RedirectURILinux,
		scopes: []string{"User.Read"}, claims: `{"access_token":{}}`, loginHint: "a@b", account: a}
	hintOnly := *full
	hintOnly.account = nil
	out := map[string][]string{}
	add := func(method string, body []byte) {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(body, &top); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		for k, v := range top {
			out[method] = append(out[method], k)
			if k != "authParameters" {
				continue
			}
			var inner map[string]json.RawMessage
			if err := json.Unmarshal(v, &inner); err != nil {
				t.Fatalf("%s: authParameters: %v", method, err)
			}
			for ik := range inner {
				out[method] = append(out[method], k+"."+ik)
			}
		}
	}
	for _, interactive := range []bool{false, true} {
		add("acquireToken*", linuxTokenRequest(full, interactive))
		add("acquireToken*", linuxTokenRequest(&hintOnly, interactive))
	}
	add(methodAccounts, linuxAccountsRequest("cid", RedirectURILinux))
	add(methodRemove, linuxRemoveRequest("cid", a))
	add(methodVersion, linuxVersionRequest())
	for m := range out {
		slices.Sort(out[m])
		out[m] = slices.Compact(out[m])
	}
	return out
}

var backticked = regexp.MustCompile("`([A-Za-z.*]+)`")

// sourcedFields reads README.md's "What the client sends" table: for each
// method, the fields whose row names a source.
func sourcedFields(t *testing.T) map[string]map[string]bool {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "### What the client sends")
	if !ok {
		t.Fatal(`README.md has no "### What the client sends" section`)
	}
	sec, _, _ = strings.Cut(sec, "\n###")
	out := map[string]map[string]bool{}
	for line := range strings.SplitSeq(sec, "\n") {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) != 4 || strings.HasPrefix(strings.TrimSpace(cells[0]), "---") {
			continue
		}
		method, field, source := strings.TrimSpace(cells[0]), cells[1], strings.TrimSpace(cells[3])
		if source == "" || source == "—" || source == "-" {
			continue
		}
		for _, m := range backticked.FindAllStringSubmatch(field, -1) {
			if out[method] == nil {
				out[method] = map[string]bool{}
			}
			out[method][m[1]] = true
		}
	}
	return out
}

// TestReadmeSourcesEverySentField: every JSON member the Linux client
// can send has a row in README.md's "What the client sends" table, and
// that row names a public source. A field added to a request without its
// source fails here.
func TestReadmeSourcesEverySentField(t *testing.T) {
	sourced := sourcedFields(t)
	sent := sentFields(t)
	if len(sent) != 4 {
		t.Fatalf("requests of %d methods built, want 4: %v", len(sent), sent)
	}
	for method, fields := range sent {
		for _, f := range fields {
			if !sourced[method][f] {
				t.Errorf("%s sends %q, which README.md's table gives no source for", method, f)
			}
		}
	}
}
