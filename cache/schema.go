package cache

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Section names of the unified schema.
const (
	secAccessToken  = "AccessToken"
	secRefreshToken = "RefreshToken"
	secIDToken      = "IdToken"
	secAccount      = "Account"
	secAppMetadata  = "AppMetadata"
)

// caeField is this package's own field on access tokens; see AccessToken.CAE.
const caeField = "entraauth_cae"

type strField struct {
	name string
	p    *string
}

type timeField struct {
	name string
	p    *time.Time
}

func (t *AccessToken) fields() ([]strField, []timeField) {
	return []strField{
			{"home_account_id", &t.HomeAccountID}, {"environment", &t.Environment}, {"realm", &t.Realm},
			{"client_id", &t.ClientID}, {"secret", &t.Secret}, {"target", &t.Target}, {"token_type", &t.TokenType},
		}, []timeField{
			{"cached_at", &t.CachedAt}, {"expires_on", &t.ExpiresOn},
			{"extended_expires_on", &t.ExtendedExpiresOn}, {"refresh_on", &t.RefreshOn},
		}
}

func (t *RefreshToken) fields() []strField {
	return []strField{
		{"home_account_id", &t.HomeAccountID}, {"environment", &t.Environment}, {"client_id", &t.ClientID},
		{"secret", &t.Secret}, {"family_id", &t.FamilyID}, {"target", &t.Target},
	}
}

func (t *IDToken) fields() []strField {
	return []strField{
		{"home_account_id", &t.HomeAccountID}, {"environment", &t.Environment}, {"realm", &t.Realm},
		{"client_id", &t.ClientID}, {"secret", &t.Secret},
	}
}

func (a *Account) fields() []strField {
	return []strField{
		{"home_account_id", &a.HomeAccountID}, {"environment", &a.Environment}, {"realm", &a.Realm},
		{"local_account_id", &a.LocalAccountID}, {"username", &a.Username}, {"authority_type", &a.AuthorityType},
		{"name", &a.Name}, {"client_info", &a.ClientInfo},
	}
}

func (m *AppMetadata) fields() []strField {
	return []strField{{"client_id", &m.ClientID}, {"environment", &m.Environment}, {"family_id", &m.FamilyID}}
}

// unmarshal parses a cache document into s. Any value of the wrong JSON
// type is an error: the document is then not ours to rewrite.
func (s *store) unmarshal(data []byte) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return err
	}
	if top == nil {
		return fmt.Errorf("document is null")
	}
	for name, raw := range top {
		var err error
		switch name {
		case secAccessToken:
			err = eachEntry(raw, func(k string, e map[string]json.RawMessage) error {
				t := &AccessToken{key: k}
				strs, times := t.fields()
				var cae string
				strs = append(strs, strField{caeField, &cae})
				if err := decode(e, strs, times); err != nil {
					return err
				}
				t.CAE, t.extra = cae == "1", e
				s.addAT(t, false)
				return nil
			})
		case secRefreshToken:
			err = eachEntry(raw, func(k string, e map[string]json.RawMessage) error {
				t := &RefreshToken{key: k}
				t.extra = e
				return after(decode(e, t.fields(), nil), func() { s.addRT(t, false) })
			})
		case secIDToken:
			err = eachEntry(raw, func(k string, e map[string]json.RawMessage) error {
				t := &IDToken{key: k}
				t.extra = e
				return after(decode(e, t.fields(), nil), func() { s.addID(t, false) })
			})
		case secAccount:
			err = eachEntry(raw, func(k string, e map[string]json.RawMessage) error {
				a := &Account{key: k}
				a.extra = e
				return after(decode(e, a.fields(), nil), func() { s.addAccount(a, false) })
			})
		case secAppMetadata:
			err = eachEntry(raw, func(k string, e map[string]json.RawMessage) error {
				m := &AppMetadata{key: k}
				m.extra = e
				return after(decode(e, m.fields(), nil), func() { s.addApp(m, false) })
			})
		default:
			s.sections[name] = raw
		}
		if err != nil {
			return fmt.Errorf("section %s: %w", name, err)
		}
	}
	return nil
}

func after(err error, f func()) error {
	if err == nil {
		f()
	}
	return err
}

// eachEntry walks one section: an object of objects (null is empty).
func eachEntry(raw json.RawMessage, f func(key string, e map[string]json.RawMessage) error) error {
	var sec map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sec); err != nil {
		return err
	}
	for k, v := range sec {
		var e map[string]json.RawMessage
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("entry %q: %w", k, err)
		}
		if e == nil {
			return fmt.Errorf("entry %q: null", k)
		}
		if err := f(k, e); err != nil {
			return fmt.Errorf("entry %q: %w", k, err)
		}
	}
	return nil
}

// decode moves the known fields out of e into their targets, leaving the
// unknown ones. Strings must be JSON strings (or null); timestamps are
// unix seconds as a string (the schema) or, tolerated, a number.
func decode(e map[string]json.RawMessage, strs []strField, times []timeField) error {
	for _, f := range strs {
		raw, ok := e[f.name]
		if !ok {
			continue
		}
		if !isNull(raw) {
			if err := json.Unmarshal(raw, f.p); err != nil {
				return fmt.Errorf("field %s: %w", f.name, err)
			}
		}
		delete(e, f.name)
	}
	for _, f := range times {
		raw, ok := e[f.name]
		if !ok {
			continue
		}
		t, err := parseUnix(raw)
		if err != nil {
			return fmt.Errorf("field %s: %w", f.name, err)
		}
		*f.p = t
		delete(e, f.name)
	}
	return nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

func parseUnix(raw json.RawMessage) (time.Time, error) {
	if isNull(raw) {
		return time.Time{}, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		var n json.Number
		if err2 := json.Unmarshal(raw, &n); err2 != nil {
			return time.Time{}, fmt.Errorf("want unix seconds, got %.20s", raw)
		}
		s = n.String()
	}
	if s == "" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f < -1e15 || f > 1e15 {
			return time.Time{}, fmt.Errorf("want unix seconds, got %.20q", s)
		}
		n = int64(f)
	}
	if n < -1e15 || n > 1e15 {
		return time.Time{}, fmt.Errorf("unix seconds out of range: %d", n)
	}
	return time.Unix(n, 0).UTC(), nil
}

// marshal serializes s. encoding/json sorts map keys, so the output is
// deterministic; unknown sections and fields are written back verbatim.
func (s *store) marshal() ([]byte, error) {
	top := make(map[string]any, 5+len(s.sections))
	for k, v := range s.sections {
		top[k] = v
	}
	top[secAccessToken] = encodeSection(s.at, func(t *AccessToken) map[string]json.RawMessage {
		strs, times := t.fields()
		e := encode(t.extra, strs, times)
		e["credential_type"] = jsonString(credAccessToken)
		if t.CAE {
			e[caeField] = jsonString("1")
		}
		return e
	})
	top[secRefreshToken] = encodeSection(s.rt, func(t *RefreshToken) map[string]json.RawMessage {
		e := encode(t.extra, t.fields(), nil)
		e["credential_type"] = jsonString(credRefreshToken)
		return e
	})
	top[secIDToken] = encodeSection(s.id, func(t *IDToken) map[string]json.RawMessage {
		e := encode(t.extra, t.fields(), nil)
		e["credential_type"] = jsonString(credIDToken)
		return e
	})
	top[secAccount] = encodeSection(s.acct, func(a *Account) map[string]json.RawMessage { return encode(a.extra, a.fields(), nil) })
	top[secAppMetadata] = encodeSection(s.app, func(m *AppMetadata) map[string]json.RawMessage { return encode(m.extra, m.fields(), nil) })
	return json.Marshal(top)
}

func encodeSection[T any](m map[string]*T, f func(*T) map[string]json.RawMessage) map[string]map[string]json.RawMessage {
	out := make(map[string]map[string]json.RawMessage, len(m))
	for k, v := range m {
		out[k] = f(v)
	}
	return out
}

func encode(extra map[string]json.RawMessage, strs []strField, times []timeField) map[string]json.RawMessage {
	e := make(map[string]json.RawMessage, len(extra)+len(strs)+len(times)+1)
	for k, v := range extra {
		e[k] = v
	}
	for _, f := range strs {
		if *f.p != "" {
			e[f.name] = jsonString(*f.p)
		}
	}
	for _, f := range times {
		if !f.p.IsZero() {
			e[f.name] = jsonString(strconv.FormatInt(f.p.Unix(), 10))
		}
	}
	return e
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}
