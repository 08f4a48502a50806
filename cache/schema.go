package cache

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
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
	s.sizeHint = len(data) + len(data)/8
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

// eachEntry walks one section: an object of objects (null is empty). One
// Unmarshal call splits the section into entries and fields.
func eachEntry(raw json.RawMessage, f func(key string, e map[string]json.RawMessage) error) error {
	var sec map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sec); err != nil {
		return err
	}
	for k, e := range sec {
		if e == nil {
			return fmt.Errorf("entry %q: null", k)
		}
		if err := f(k, e); err != nil {
			return fmt.Errorf("entry %q: %w", k, err)
		}
	}
	return nil
}

// rawString decodes a JSON string value; plain strings (no escapes, valid
// UTF-8, the common case) are sliced without running the decoder again.
func rawString(raw json.RawMessage, p *string) error {
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' {
		body := raw[1 : n-1]
		if bytes.IndexByte(body, '\\') < 0 && bytes.IndexByte(body, '"') < 0 && utf8.Valid(body) {
			*p = string(body)
			return nil
		}
	}
	return json.Unmarshal(raw, p)
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
			if err := rawString(raw, f.p); err != nil {
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
	if err := rawString(raw, &s); err != nil {
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

// marshal serializes s: compact JSON, keys sorted at every level (so the
// output is deterministic), unknown sections and fields written back
// verbatim (they were validated when read). It writes the bytes itself
// rather than through encoding/json's reflection, which re-validated every
// preserved value and dominated the cost of saving a large cache.
func (s *store) marshal() ([]byte, error) {
	names := []string{secAccessToken, secRefreshToken, secIDToken, secAccount, secAppMetadata}
	for k := range s.sections {
		if !slices.Contains(names, k) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	b := make([]byte, 0, max(s.sizeHint, 4096)) // marshal runs under a read lock: it must not write s
	b = append(b, '{')
	for i, name := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, name)
		b = append(b, ':')
		switch name {
		case secAccessToken:
			b = appendSection(b, s.at, func(t *AccessToken) []field {
				strs, times := t.fields()
				out := fieldsOf(t.extra, strs, times, credAccessToken)
				if t.CAE {
					out = append(out, field{caeField, jsonString("1")})
				}
				return out
			})
		case secRefreshToken:
			b = appendSection(b, s.rt, func(t *RefreshToken) []field { return fieldsOf(t.extra, t.fields(), nil, credRefreshToken) })
		case secIDToken:
			b = appendSection(b, s.id, func(t *IDToken) []field { return fieldsOf(t.extra, t.fields(), nil, credIDToken) })
		case secAccount:
			b = appendSection(b, s.acct, func(a *Account) []field { return fieldsOf(a.extra, a.fields(), nil, "") })
		case secAppMetadata:
			b = appendSection(b, s.app, func(m *AppMetadata) []field { return fieldsOf(m.extra, m.fields(), nil, "") })
		default:
			b = append(b, s.sections[name]...)
		}
	}
	return append(b, '}'), nil
}

type field struct {
	name  string
	value json.RawMessage
}

func appendSection[T any](b []byte, m map[string]*T, fields func(*T) []field) []byte {
	keys := slices.Sorted(maps.Keys(m))
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':', '{')
		fs := fields(m[k])
		slices.SortFunc(fs, func(x, y field) int { return strings.Compare(x.name, y.name) })
		for j, f := range fs {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, f.name)
			b = append(b, ':')
			b = append(b, f.value...)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// fieldsOf lists an entry's fields: the unknown ones, the known non-empty
// ones, and credential_type when cred is set.
func fieldsOf(extra map[string]json.RawMessage, strs []strField, times []timeField, cred string) []field {
	out := make([]field, 0, len(extra)+len(strs)+len(times)+1)
	for k, v := range extra {
		if cred == "" || k != "credential_type" { // ours is written below
			out = append(out, field{k, v})
		}
	}
	for _, f := range strs {
		if *f.p != "" {
			out = append(out, field{f.name, jsonString(*f.p)})
		}
	}
	for _, f := range times {
		if !f.p.IsZero() {
			out = append(out, field{f.name, jsonString(strconv.FormatInt(f.p.Unix(), 10))})
		}
	}
	if cred != "" {
		out = append(out, field{"credential_type", jsonString(cred)})
	}
	return out
}

func jsonString(s string) json.RawMessage { return appendString(nil, s) }

// appendString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD (as encoding/json
// does).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] >= 0x20 && s[j] < utf8.RuneSelf && s[j] != '"' && s[j] != '\\' {
			j++
		}
		b = append(b, s[i:j]...) // the plain run, in one copy
		if i = j; i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\\ufffd"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
