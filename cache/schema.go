package cache

import (
	"encoding/json"
	"maps"
	"slices"
	"sort"
	"strconv"
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
			{"key_id", &t.KeyID},
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
		bad := s.bad[name]
		switch {
		case name == secAccessToken && (len(s.at) > 0 || !hasRaw(s.sections, name)):
			b = appendSection(b, s.at, bad, func(t *AccessToken) []field {
				strs, times := t.fields()
				out := fieldsOf(t.extra, strs, times, credAccessToken)
				if t.CAE {
					out = append(out, field{caeField, jsonString("1")})
				}
				return out
			})
		case name == secRefreshToken && (len(s.rt) > 0 || !hasRaw(s.sections, name)):
			b = appendSection(b, s.rt, bad, func(t *RefreshToken) []field {
				return fieldsOf(t.extra, t.fields(), []timeField{{"last_modification_time", &t.LastModified}}, credRefreshToken)
			})
		case name == secIDToken && (len(s.id) > 0 || !hasRaw(s.sections, name)):
			b = appendSection(b, s.id, bad, func(t *IDToken) []field { return fieldsOf(t.extra, t.fields(), nil, credIDToken) })
		case name == secAccount && (len(s.acct) > 0 || !hasRaw(s.sections, name)):
			b = appendSection(b, s.acct, bad, func(a *Account) []field { return fieldsOf(a.extra, a.fields(), nil, "") })
		case name == secAppMetadata && (len(s.app) > 0 || !hasRaw(s.sections, name)):
			b = appendSection(b, s.app, bad, func(m *AppMetadata) []field { return fieldsOf(m.extra, m.fields(), nil, "") })
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

// hasRaw reports whether a section is kept verbatim (it was not an object).
func hasRaw(sections map[string]json.RawMessage, name string) bool {
	_, ok := sections[name]
	return ok
}

// appendSection writes a section: the entries of m, and the entries of
// bad (kept verbatim) whose keys m does not use.
func appendSection[T any](b []byte, m map[string]*T, bad map[string]json.RawMessage, fields func(*T) []field) []byte {
	keys := slices.Collect(maps.Keys(m))
	for k := range bad {
		if m[k] == nil {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		if m[k] == nil {
			b = append(b, bad[k]...)
			continue
		}
		b = append(b, '{')
		fs := fields(m[k])
		sort.Sort(byName(fs)) // not slices.SortFunc: see byUser
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

// byName orders an entry's fields by name.
type byName []field

func (f byName) Len() int           { return len(f) }
func (f byName) Swap(i, j int)      { f[i], f[j] = f[j], f[i] }
func (f byName) Less(i, j int) bool { return f[i].name < f[j].name }
