package broker

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/internal/jsonnum"
	"github.com/entraauth/entraauth/oauth"
)

// Bounds on what a broker may send.
const (
	maxResponse     = 1 << 20 // a broker answer larger than this is refused unread
	defaultLifetime = 10 * time.Minute
	maxLifetime     = 30 * 24 * time.Hour
)

// scopeList is grantedScopes: a space-separated string (sso-mib's reading
// of the real broker) or an array of strings.
type scopeList []string

func (s *scopeList) UnmarshalJSON(b []byte) error {
	var str string
	if json.Unmarshal(b, &str) == nil {
		*s = strings.Fields(str)
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return errors.New("grantedScopes is neither a string nor an array of strings")
	}
	*s = l
	return nil
}

type linuxDiagnostics struct {
	RawErrorCode  string `json:"raw_error_code"`
	ExceptionType string `json:"exception_type"`
	SubError      string `json:"oauth2_sub_error_code"`
}

type linuxErrorJSON struct {
	Context     string           `json:"context"`
	Diagnostics linuxDiagnostics `json:"diagnostics"`
	ErrorCode   jsonnum.Number   `json:"errorCode"`
	Status      jsonnum.Number   `json:"status"`
	SubStatus   jsonnum.Number   `json:"subStatus"`
	Tag         jsonnum.Number   `json:"tag"`
}

type linuxTokenJSON struct {
	AccessToken     string          `json:"accessToken"`
	AccessTokenType jsonnum.Number  `json:"accessTokenType"`
	ExpiresOn       jsonnum.Number  `json:"expiresOn"`
	ExtExpiresOn    jsonnum.Number  `json:"extendedExpiresOn"`
	GrantedScopes   scopeList       `json:"grantedScopes"`
	IDToken         string          `json:"idToken"`
	ClientInfo      string          `json:"clientInfo"`
	Account         json.RawMessage `json:"account"`
	Error           *linuxErrorJSON `json:"error"`
}

type linuxEnvelope struct {
	BrokerTokenResponse *linuxTokenJSON   `json:"brokerTokenResponse"`
	Accounts            []json.RawMessage `json:"accounts"`
	LinuxBrokerVersion  string            `json:"linuxBrokerVersion"`
	Error               *linuxErrorJSON   `json:"error"`
}

// decodeLinux reads one broker answer, bounded, refusing anything that
// is not a JSON object, and reports a top-level error payload.
func decodeLinux(method, body string) (*linuxEnvelope, error) {
	if len(body) > maxResponse {
		return nil, badAnswer(method, "the answer is larger than 1 MiB")
	}
	var env linuxEnvelope
	d := json.NewDecoder(strings.NewReader(body))
	if err := d.Decode(&env); err != nil || d.More() || !bytes.HasPrefix(bytes.TrimSpace([]byte(body)), []byte("{")) {
		return nil, badAnswer(method, "the answer is not the expected JSON object")
	}
	if env.Error != nil {
		return nil, linuxError(method, env.Error)
	}
	return &env, nil
}

// parseLinuxToken turns the answer of acquireToken* into a reply. now is
// when the request was sent; requested are the scopes asked for.
func parseLinuxToken(method, body string, now time.Time, requested []string) (*reply, error) {
	env, err := decodeLinux(method, body)
	if err != nil {
		return nil, err
	}
	t := env.BrokerTokenResponse
	if t == nil {
		return nil, badAnswer(method, "no brokerTokenResponse")
	}
	if t.Error != nil {
		return nil, linuxError(method, t.Error)
	}
	if t.AccessToken == "" {
		return nil, badAnswer(method, "no access token")
	}
	if t.AccessTokenType.Int() != 0 {
		return nil, badAnswer(method, "the token is not a bearer token")
	}
	exp, err := epoch(t.ExpiresOn, now, defaultLifetime)
	if err != nil {
		return nil, badAnswer(method, err.Error())
	}
	ext, _ := epoch(t.ExtExpiresOn, now, 0)
	scopes := []string(t.GrantedScopes)
	if len(scopes) == 0 {
		scopes = requested
	}
	res := &engine.TokenResult{AccessToken: t.AccessToken, TokenType: "Bearer", ExpiresOn: exp,
		ExtExpiresOn: ext, Scopes: scopes, IDToken: t.IDToken, ClientInfo: t.ClientInfo}
	rep := &reply{result: res}
	if len(t.Account) > 0 && string(t.Account) != "null" {
		a, err := parseLinuxAccount(t.Account)
		if err != nil {
			return nil, badAnswer(method, err.Error())
		}
		rep.account = &a
	}
	return rep, nil
}

// epoch reads expiresOn: milliseconds since 1970 as the broker sends it
// (a value below 1e11 is read as seconds, as some brokers send). Missing
// or zero means now+def (def 0: zero time). A time already past is an
// error; one beyond maxLifetime is cut to it.
func epoch(n jsonnum.Number, now time.Time, def time.Duration) (time.Time, error) {
	if !n.Set || n.Value == 0 {
		if def == 0 {
			return time.Time{}, nil
		}
		return now.Add(def), nil
	}
	ms := n.Int()
	if ms < 1e11 {
		ms *= 1000
	}
	t := time.UnixMilli(ms)
	if !t.After(now) {
		return time.Time{}, errors.New("the token has already expired")
	}
	if t.Sub(now) > maxLifetime {
		t = now.Add(maxLifetime)
	}
	return t, nil
}

type linuxAccountJSON struct {
	HomeAccountID  string `json:"homeAccountId"`
	Environment    string `json:"environment"`
	Realm          string `json:"realm"`
	Username       string `json:"username"`
	LocalAccountID string `json:"localAccountId"`
}

// parseLinuxAccount reads a broker account object, keeping it verbatim
// to send back. homeAccountId is required.
func parseLinuxAccount(raw json.RawMessage) (brokerAccount, error) {
	var a linuxAccountJSON
	if err := json.Unmarshal(raw, &a); err != nil {
		return brokerAccount{}, errors.New("an account is not a JSON object of strings")
	}
	if a.HomeAccountID == "" {
		return brokerAccount{}, errors.New("an account has no homeAccountId")
	}
	return brokerAccount{
		Account: oauth.Account{HomeAccountID: a.HomeAccountID, Environment: a.Environment, Realm: a.Realm,
			Username: clean(a.Username), LocalAccountID: a.LocalAccountID},
		raw: bytes.Clone(raw),
	}, nil
}

// parseLinuxAccounts reads getAccounts' answer. An account without a
// homeAccountId is skipped, not trusted.
func parseLinuxAccounts(body string) ([]brokerAccount, error) {
	env, err := decodeLinux(methodAccounts, body)
	if err != nil {
		return nil, err
	}
	out := make([]brokerAccount, 0, len(env.Accounts))
	for _, raw := range env.Accounts {
		if a, err := parseLinuxAccount(raw); err == nil {
			out = append(out, a)
		}
	}
	return out, nil
}

// parseLinuxVersion reads getLinuxBrokerVersion's answer
// ({"linuxBrokerVersion": "2.0.1"}: LinuxBrokerVersionResult.json, sso-mib
// mib_client_app_get_linux_broker_version), refusing a version that is not
// numeric.
func parseLinuxVersion(body string) (string, error) {
	env, err := decodeLinux(methodVersion, body)
	if err != nil {
		return "", err
	}
	if env.LinuxBrokerVersion == "" {
		return "", badAnswer(methodVersion, "no linuxBrokerVersion")
	}
	v, err := parseLinuxVersionString(env.LinuxBrokerVersion)
	if err != nil {
		return "", badAnswer(methodVersion, err.Error())
	}
	return v.String(), nil
}

func badAnswer(method, what string) *oauth.Error {
	return &oauth.Error{Endpoint: "broker " + method, Code: "invalid_response", Description: "broker answer refused: " + what}
}
