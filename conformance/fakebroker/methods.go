package fakebroker

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/godbus/dbus/v5"
)

// object carries the D-Bus methods (exported Go names, mapped to the
// broker's camelCase members by Serve).
type object struct{ b *Broker }

type authParams struct {
	Account         json.RawMessage   `json:"account"`
	AdditionalQuery map[string]string `json:"additionalQueryParametersForAuthorization"`
	Authority       string            `json:"authority"`
	ClientID        string            `json:"clientId"`
	DecodedClaims   string            `json:"decodedClaims"`
	RedirectURI     string            `json:"redirectUri"`
	RequestedScopes []string          `json:"requestedScopes"`
	Username        string            `json:"username"`
}

type tokenRequest struct {
	AuthParameters *authParams `json:"authParameters"`
}

func badRequest(what string) *dbus.Error {
	return dbus.NewError("org.freedesktop.DBus.Error.InvalidArgs", []any{"fake broker: " + what})
}

func (o *object) AcquireTokenInteractively(proto, corr, req string) (string, *dbus.Error) {
	out, derr, failed := o.b.fail(o.b.begin("acquireTokenInteractively", proto, corr, req), true, corr)
	if failed {
		return out, derr
	}
	var r tokenRequest
	if json.Unmarshal([]byte(req), &r) != nil || r.AuthParameters == nil {
		return "", badRequest("acquireTokenInteractively needs {\"authParameters\":{...}}")
	}
	p := r.AuthParameters
	if o.b.opts.Mode == Himmelblau {
		return o.b.himmelblauInteractive(context.Background(), p)
	}
	user := o.b.opts.Username
	if p.Username != "" && !o.b.opts.IgnoreLoginHint {
		user = p.Username // the login hint (AuthParameters.json)
	}
	return o.b.signIn(context.Background(), p, user), nil
}

func (o *object) AcquireTokenSilently(proto, corr, req string) (string, *dbus.Error) {
	out, derr, failed := o.b.fail(o.b.begin("acquireTokenSilently", proto, corr, req), true, corr)
	if failed {
		return out, derr
	}
	var r tokenRequest
	if json.Unmarshal([]byte(req), &r) != nil || r.AuthParameters == nil {
		return "", badRequest("acquireTokenSilently needs {\"authParameters\":{...}}")
	}
	if o.b.opts.Mode == Himmelblau {
		return o.b.himmelblauSilent(context.Background(), r.AuthParameters), nil
	}
	return o.b.silent(context.Background(), r.AuthParameters), nil
}

func (o *object) GetAccounts(proto, corr, req string) (string, *dbus.Error) {
	out, derr, failed := o.b.fail(o.b.begin("getAccounts", proto, corr, req), false, corr)
	if failed {
		return out, derr
	}
	if o.b.opts.Mode == Himmelblau {
		var r struct {
			ClientID string `json:"clientId"`
		}
		json.Unmarshal([]byte(req), &r)
		if _, err := o.b.sessionAccount(context.Background(), r.ClientID, ""); err != nil {
			return himmelblauError("Unable to find account"), nil
		}
	}
	o.b.mu.Lock()
	defer o.b.mu.Unlock()
	accts := []map[string]any{}
	for _, a := range o.b.accounts {
		accts = append(accts, a.obj)
	}
	return marshal(map[string]any{"accounts": accts}), nil
}

func (o *object) RemoveAccount(proto, corr, req string) (string, *dbus.Error) {
	out, derr, failed := o.b.fail(o.b.begin("removeAccount", proto, corr, req), false, corr)
	if failed {
		return out, derr
	}
	if o.b.opts.Mode == Himmelblau {
		return himmelblauError("Not implemented"), nil
	}
	var r struct {
		Account struct {
			HomeAccountID string `json:"homeAccountId"`
		} `json:"account"`
	}
	if json.Unmarshal([]byte(req), &r) != nil || r.Account.HomeAccountID == "" {
		return "", badRequest("removeAccount needs {\"account\":{\"homeAccountId\":...}}")
	}
	o.b.mu.Lock()
	defer o.b.mu.Unlock()
	kept := o.b.accounts[:0]
	for _, a := range o.b.accounts {
		if !strings.EqualFold(a.home, r.Account.HomeAccountID) {
			kept = append(kept, a)
		}
	}
	o.b.accounts = kept
	return "{}", nil
}

func (o *object) GetLinuxBrokerVersion(proto, corr, req string) (string, *dbus.Error) {
	out, derr, failed := o.b.fail(o.b.begin("getLinuxBrokerVersion", proto, corr, req), false, corr)
	if failed {
		return out, derr
	}
	return marshal(map[string]any{"linuxBrokerVersion": o.b.opts.Version}), nil
}

// CancelInteractiveFlow releases a hung call with the correlation ID
// given as the D-Bus argument or in the JSON's "correlationId".
func (o *object) CancelInteractiveFlow(proto, corr, req string) (string, *dbus.Error) {
	o.b.begin("cancelInteractiveFlow", proto, corr, req)
	if o.b.opts.Mode == Himmelblau {
		return himmelblauError("Not implemented"), nil
	}
	var r struct {
		CorrelationID string `json:"correlationId"`
	}
	json.Unmarshal([]byte(req), &r)
	o.b.mu.Lock()
	defer o.b.mu.Unlock()
	for _, id := range []string{corr, r.CorrelationID} {
		if ch, ok := o.b.hung[id]; ok {
			close(ch)
			delete(o.b.hung, id)
		}
	}
	return "{}", nil
}

// AcquirePrtSsoCookie and GenerateSignedHTTPRequest are methods the real
// broker serves (sso-mib dbus/spec/com.microsoft.identity.broker1.xml)
// and this fake does not implement: it answers them as a broker answers
// a method it does not implement. Microsoft's broker's answer to that is
// not published; the fake gives the D-Bus error an unexported method
// gets (org.freedesktop.DBus.Error.UnknownMethod). himmelblau answers
// generateSignedHttpRequest with its "Not implemented" error; the
// Himmelblau mode answers acquirePrtSsoCookie the same way, although the
// real himmelblau serves it (src/daemon/src/broker.rs,
// acquire_prt_sso_cookie): that answer is the fake's own.
func (o *object) AcquirePrtSsoCookie(proto, corr, req string) (string, *dbus.Error) {
	return o.unsupported("acquirePrtSsoCookie", proto, corr, req)
}

// GenerateSignedHTTPRequest: see AcquirePrtSsoCookie.
func (o *object) GenerateSignedHTTPRequest(proto, corr, req string) (string, *dbus.Error) {
	return o.unsupported("generateSignedHttpRequest", proto, corr, req)
}

func (o *object) unsupported(method, proto, corr, req string) (string, *dbus.Error) {
	out, derr, failed := o.b.fail(o.b.begin(method, proto, corr, req), false, corr)
	if failed {
		return out, derr
	}
	if o.b.opts.Mode == Himmelblau {
		return himmelblauError("Not implemented"), nil
	}
	return "", dbus.NewError("org.freedesktop.DBus.Error.UnknownMethod",
		[]any{"fake broker: " + method + " is not implemented"})
}

// himmelblauError is himmelblau's answer to a failed call that is not a
// token request (identity_dbus_broker src/himmelblau_broker.rs).
func himmelblauError(context string) string {
	return marshal(map[string]any{"error": map[string]any{"context": context, "status": 0, "subStatus": 0}})
}
