package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// realAuthority maps https://login.microsoftonline.com (every host, as a
// proxy would) to an in-memory fake authority for the commands run in this
// test without --fake: the code paths of a real sign-in.
func realAuthority(t *testing.T) *fakeauthority.Authority {
	t.Helper()
	fa := fakeauthority.New(&fakeauthority.Options{AutoApproveDevice: 10 * time.Millisecond, DeviceInterval: 10 * time.Millisecond})
	testTransport = fa.Client().Transport
	t.Cleanup(func() { testTransport = nil })
	return fa
}

// TestTokenAfterRealLogin: token after a real (not --fake) login finds the
// account, whether the record's authority is the URL (as this tool and
// azidentity write it) or the bare host (as azure-identity for Python
// does). It failed with "authority host must have no path" when the tool
// prefixed https:// to the URL.
func TestTokenAfterRealLogin(t *testing.T) {
	fa := realAuthority(t)
	sio, out, errb := testIO(t, nil)
	if code := run(t.Context(), []string{"login", "--flow", "device"}, sio); code != exitOK {
		t.Fatalf("login = exit %d: %s", code, errb)
	}
	base, _ := sio.userCacheDir()
	recPath := filepath.Join(base, "entraauth", loginFile)
	b, err := os.ReadFile(recPath)
	if err != nil || !strings.Contains(string(b), `"authority": "https://login.microsoftonline.com"`) {
		t.Fatalf("login.json = %s, %v; want the authority URL", b, err)
	}
	for i, form := range []string{"https://login.microsoftonline.com", "login.microsoftonline.com", "https://login.microsoftonline.com/"} {
		var l lastLogin
		if err := json.Unmarshal(b, &l); err != nil {
			t.Fatal(err)
		}
		l.Record.Authority = form
		nb, _ := json.Marshal(l)
		if err := os.WriteFile(recPath, nb, 0o600); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		errb.Reset()
		before := fa.Count(fakeauthority.EndpointToken)
		// Another resource each time: a refresh at the authority the record names.
		scope := []string{"https://graph.microsoft.com/.default", "https://vault.azure.net/.default", "https://storage.azure.com/.default"}[i]
		if code := run(t.Context(), []string{"token", "--scope", scope, "--output", "raw"}, sio); code != exitOK || strings.Count(out.String(), ".") != 2 {
			t.Errorf("token with record authority %q = exit %d, stdout %q, stderr %s", form, code, out, errb)
		}
		if fa.Count(fakeauthority.EndpointToken) == before {
			t.Errorf("record authority %q: no request reached the authority", form)
		}
	}
}

// TestErrorExplained: an AADSTS code the user sees comes with its meaning,
// the next step, and the correlation ID and timestamp.
func TestErrorExplained(t *testing.T) {
	fa := realAuthority(t)
	sio, _, errb := testIO(t, nil)
	for _, tt := range []struct {
		code int
		want string
	}{
		{53003, "AADSTS53003: blocked by Conditional Access"},
		{700082, "AADSTS700082: the refresh token expired because it was not used"},
		{7000218, "'Allow public client flows'"},
		{123456789, "AADSTS123456789: see https://login.microsoftonline.com/error?code=123456789"},
	} {
		fa.InjectFault(fakeauthority.EndpointToken, fakeauthority.AADSTSError(tt.code))
		errb.Reset()
		code := run(t.Context(), []string{"login", "--flow", "device"}, sio)
		if code == exitOK || !strings.Contains(errb.String(), tt.want) || !strings.Contains(errb.String(), "Correlation ID: ") ||
			!strings.Contains(errb.String(), "Timestamp: 20") {
			t.Errorf("login refused with AADSTS%d: exit %d, stderr:\n%s\nwant %q and the correlation ID and timestamp", tt.code, code, errb, tt.want)
		}
	}
}

// TestExecCredentialVersion: exec-credential answers in the apiVersion
// KUBERNETES_EXEC_INFO asks for, v1 when unset, and refuses others.
func TestExecCredentialVersion(t *testing.T) {
	realAuthority(t)
	sio, out, errb := testIO(t, nil)
	env := map[string]string{}
	sio.getenv = func(k string) string { return env[k] }
	if code := run(t.Context(), []string{"login", "--flow", "device"}, sio); code != exitOK {
		t.Fatalf("login = exit %d: %s", code, errb)
	}
	for _, tt := range []struct{ info, want string }{
		{"", execV1},
		{`{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}`, execV1},
		{`{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{}}`, execV1beta1},
		{`{"apiVersion":"client.authentication.k8s.io/v1alpha1"}`, ""},
		{`not json`, ""},
	} {
		env["KUBERNETES_EXEC_INFO"] = tt.info
		out.Reset()
		code := run(t.Context(), []string{"token", "--output", "exec-credential"}, sio)
		var got struct {
			APIVersion string `json:"apiVersion"`
			Status     struct {
				Token               string `json:"token"`
				ExpirationTimestamp string `json:"expirationTimestamp"`
			} `json:"status"`
		}
		if tt.want == "" {
			if code != exitFailed || out.Len() != 0 {
				t.Errorf("KUBERNETES_EXEC_INFO=%s: exit %d, stdout %q; want a refusal", tt.info, code, out)
			}
			continue
		}
		if err := json.Unmarshal(out.Bytes(), &got); code != exitOK || err != nil || got.APIVersion != tt.want || got.Status.Token == "" || got.Status.ExpirationTimestamp == "" {
			t.Errorf("KUBERNETES_EXEC_INFO=%s: exit %d, %+v; want apiVersion %s and a token", tt.info, code, got, tt.want)
		}
	}
}

// TestAzOutput: --output az has az account get-access-token's members,
// and subscription only when Azure CLI's profile has a default one for
// the tenant (az omits it otherwise).
func TestAzOutput(t *testing.T) {
	realAuthority(t)
	home := t.TempDir()
	sio, out, errb := testIO(t, nil)
	sio.getenv = func(k string) string { return map[string]string{"HOME": home}[k] }
	if code := run(t.Context(), []string{"login", "--flow", "device"}, sio); code != exitOK {
		t.Fatalf("login = exit %d: %s", code, errb)
	}
	profile := "\ufeff" + `{"installationId":"x","subscriptions":[` +
		`{"id":"11111111-1111-1111-1111-111111111111","isDefault":false,"tenantId":"` + fakeauthority.DefaultTenantID + `"},` +
		`{"id":"22222222-2222-2222-2222-222222222222","isDefault":true,"tenantId":"` + fakeauthority.DefaultTenantID + `"}]}`
	for _, tt := range []struct{ profile, want string }{{"", ""}, {profile, "22222222-2222-2222-2222-222222222222"}} {
		if tt.profile != "" {
			os.MkdirAll(filepath.Join(home, ".azure"), 0o700)
			os.WriteFile(filepath.Join(home, ".azure", "azureProfile.json"), []byte(tt.profile), 0o600)
		}
		out.Reset()
		if code := run(t.Context(), []string{"token", "--output", "az"}, sio); code != exitOK {
			t.Fatalf("token --output az = exit %d: %s", code, errb)
		}
		var got map[string]any
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"accessToken", "expiresOn", "expires_on", "tenant", "tokenType"} {
			if _, ok := got[k]; !ok {
				t.Errorf("--output az lacks %s: %s", k, out)
			}
		}
		if sub, ok := got["subscription"]; (tt.want == "" && ok) || (tt.want != "" && sub != tt.want) {
			t.Errorf("subscription = %v (present %v), want %q", sub, ok, tt.want)
		}
	}
}
