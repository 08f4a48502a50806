//go:build linux

package broker_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/broker"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// replay reads testdata/replay/name, filling {{key}} from vars.
func replay(t *testing.T, name string, vars map[string]string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "replay", name))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{{"+k+"}}", v)
	}
	if strings.Contains(s, "{{") {
		t.Fatalf("%s: a placeholder is left unfilled", name)
	}
	return s
}

// minted signs alice in at the fake authority (as a broker does behind
// its window) and returns the values a broker answer carries.
func minted(t *testing.T, fa *fakeauthority.Authority) map[string]string {
	t.Helper()
	form := url.Values{"grant_type": {"password"}, "client_id": {fakeauthority.AzureCLIClientID}, "client_info": {"1"},
		"username": {fakeauthority.DefaultUsername}, "password": {fakeauthority.DefaultPassword},
		"scope": {graph.Scopes[0] + " openid profile offline_access"}}
	resp, err := fa.Client().Post("https://"+fakeauthority.DefaultHost+"/organizations/oauth2/v2.0/token",
		"application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tj struct {
		AccessToken  string `json:"access_token"`
		ExpiresIn    int64  `json:"expires_in"`
		ExtExpiresIn int64  `json:"ext_expires_in"`
		Scope        string `json:"scope"`
		IDToken      string `json:"id_token"`
		ClientInfo   string `json:"client_info"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tj); err != nil || resp.StatusCode != http.StatusOK || tj.IDToken == "" {
		t.Fatalf("minting: %d %v", resp.StatusCode, err)
	}
	now := time.Now()
	return map[string]string{
		"accessToken": tj.AccessToken, "idToken": tj.IDToken, "scope": tj.Scope,
		"clientInfo":      strings.TrimRight(tj.ClientInfo, "="),
		"expiresOnMs":     strconv.FormatInt(now.Add(time.Duration(tj.ExpiresIn)*time.Second).UnixMilli(), 10),
		"extExpiresOnMs":  strconv.FormatInt(now.Add(time.Duration(tj.ExtExpiresIn)*time.Second).UnixMilli(), 10),
		"extExpiresOnSec": strconv.FormatInt(now.Add(time.Duration(tj.ExtExpiresIn)*time.Second).Unix(), 10),
		"homeAccountId":   fakeauthority.DefaultUserObjectID + "." + fakeauthority.DefaultTenantID,
		"localAccountId":  fakeauthority.DefaultUserObjectID, "realm": fakeauthority.DefaultTenantID,
		"username": fakeauthority.DefaultUsername,
	}
}

// TestReplayTokenAnswers: real and source-shaped token answers of both
// brokers, fed through the fake bus, sign alice in with the token the
// answer carries.
func TestReplayTokenAnswers(t *testing.T) {
	for _, file := range []string{"microsoft-token.tmpl.json", "himmelblau-token.tmpl.json"} {
		t.Run(file, func(t *testing.T) {
			e := startFake(t, nil)
			vars := minted(t, e.fa)
			e.fb.AnswerNext("acquireTokenInteractively", replay(t, file, vars))
			c := e.cred(t, nil)
			rec, err := c.Authenticate(context.Background(), graph)
			if err != nil || rec.Username != fakeauthority.DefaultUsername || rec.HomeAccountID != vars["homeAccountId"] {
				t.Fatalf("record %+v, %v", rec, err)
			}
			tok, err := c.GetToken(context.Background(), graph)
			if err != nil || tok.Token != vars["accessToken"] || time.Until(tok.ExpiresOn) < 30*time.Minute {
				t.Fatalf("GetToken: %v (the replayed token: %v)", err, tok.Token == vars["accessToken"])
			}
		})
	}
}

// TestReplayErrorAnswers: each real error answer decodes to its typed
// error, through acquireTokenInteractively (the error as the caller sees
// it) and, for those captured from acquireTokenSilently, through a silent
// call, where interaction required asks for a sign-in.
func TestReplayErrorAnswers(t *testing.T) {
	interaction := func(t *testing.T, err error) {
		var be *broker.Error
		if !errors.As(err, &be) || be.Status != broker.StatusInteractionRequired || !errors.Is(err, oauth.ErrInteractionRequired) ||
			errors.Is(err, oauth.ErrDeclined) {
			t.Fatalf("%v", err)
		}
	}
	cases := []struct {
		file   string
		silent bool
		check  func(t *testing.T, err error)
	}{
		{"2.0.1-silent-mfa-expired.json", true, func(t *testing.T, err error) {
			interaction(t, err)
			var oe *oauth.Error
			if !errors.As(err, &oe) || !oe.HasAADSTS(50078) || oe.Code != "invalid_grant" || oe.SubError != "basic_action" {
				t.Fatalf("relayed %+v", oe)
			}
		}},
		{"2.5.2-silent-token-expired.json", true, func(t *testing.T, err error) {
			interaction(t, err)
			var oe *oauth.Error
			if !errors.As(err, &oe) || oe.Code != "invalid_grant" || oe.SubError != "token_expired" {
				t.Fatalf("relayed %+v", oe)
			}
		}},
		{"3.0.2-silent-interaction-required.json", true, func(t *testing.T, err error) {
			interaction(t, err)
			var oe *oauth.Error
			if !errors.As(err, &oe) || oe.Code != "interaction_required" || oe.SubError != "token_expired" {
				t.Fatalf("relayed %+v", oe)
			}
		}},
		{"3.0.2-interactive-canceled.json", false, func(t *testing.T, err error) {
			var be *broker.Error
			if !errors.As(err, &be) || be.Status != broker.StatusCanceled || !errors.Is(err, oauth.ErrDeclined) ||
				errors.Is(err, oauth.ErrInteractionRequired) || !strings.Contains(err.Error(), "canceled by the user") {
				t.Fatalf("%v", err)
			}
		}},
		{"himmelblau-invalid-user.json", true, func(t *testing.T, err error) {
			var be *broker.Error
			var oe *oauth.Error
			if !errors.As(err, &be) || be.Status != 0 || be.Message != "Invalid request for user!" ||
				errors.Is(err, oauth.ErrInteractionRequired) || errors.As(err, &oe) {
				t.Fatalf("%v", err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			e := startFake(t, nil)
			e.fb.AnswerNext("acquireTokenInteractively", replay(t, tc.file, nil))
			_, err := e.cred(t, nil).Authenticate(context.Background(), graph)
			tc.check(t, err)
			if !tc.silent {
				return
			}
			rec, err := e.cred(t, nil).Authenticate(context.Background(), graph)
			if err != nil {
				t.Fatal(err)
			}
			e.fb.AnswerNext("acquireTokenSilently", replay(t, tc.file, nil))
			o := &broker.Options{}
			o.AuthenticationRecord, o.DisableAutomaticAuthentication = rec, true
			_, err = e.cred(t, o).GetToken(context.Background(), arm)
			// Interaction required asks for a sign-in; another failure is
			// the broker's.
			var are *oauth.AuthenticationRequiredError
			var be *broker.Error
			if gotSignIn, wantSignIn := errors.As(err, &are), !strings.HasPrefix(tc.file, "himmelblau"); gotSignIn != wantSignIn ||
				!wantSignIn && !errors.As(err, &be) {
				t.Fatalf("silent: %v", err)
			}
		})
	}
}

// TestReplayOtherAnswers: accounts, versions and an unimplemented method.
func TestReplayOtherAnswers(t *testing.T) {
	e := startFake(t, nil)
	c := e.cred(t, nil)
	e.fb.AnswerNext("getAccounts", replay(t, "himmelblau-accounts.tmpl.json", minted(t, e.fa)))
	accts, err := c.Accounts(context.Background())
	if err != nil || len(accts) != 1 || accts[0].Username != fakeauthority.DefaultUsername ||
		accts[0].HomeAccountID != fakeauthority.DefaultUserObjectID+"."+fakeauthority.DefaultTenantID {
		t.Fatal(accts, err)
	}
	for file, want := range map[string]string{"3.0.2-version.json": "3.0.2", "himmelblau-version.json": "4.0.0"} {
		e.fb.AnswerNext("getLinuxBrokerVersion", replay(t, file, nil))
		if v, err := c.BrokerVersion(context.Background()); err != nil || v != want {
			t.Fatalf("%s: %q %v", file, v, err)
		}
	}
	e.fb.AnswerNext("getAccounts", replay(t, "himmelblau-accounts.tmpl.json", minted(t, e.fa)))
	e.fb.AnswerNext("removeAccount", replay(t, "himmelblau-not-implemented.json", nil))
	err = c.RemoveAccount(context.Background(), oauth.Account{HomeAccountID: fakeauthority.DefaultUserObjectID + "." + fakeauthority.DefaultTenantID})
	var be *broker.Error
	if !errors.As(err, &be) || be.Status != 0 || be.Message != "Not implemented" {
		t.Fatalf("%v", err)
	}
}
