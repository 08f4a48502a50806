package cache

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"time"
	"unicode/utf8"
)

// unmarshal parses a cache document into s. Only a document that is not
// a JSON object is an error (the caller then keeps it out of reach of
// writes and moves it aside). An entry this package cannot read (not an
// object, a field of the wrong JSON type) does not cost the others: it is
// skipped, noted in s.skipped, and kept verbatim in s.bad, so the next
// write gives it back to the readers that understand it.
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
		switch name {
		case secAccessToken:
			s.section(name, raw, func(k string, e map[string]json.RawMessage) error {
				t := &AccessToken{key: k}
				strs, times := t.fields()
				var cae string
				strs = append(strs, strField{caeField, &cae})
				return after(decode(e, strs, times), func() {
					t.CAE, t.extra = cae == "1", compact(e, credAccessToken)
					s.addAT(t, false)
				})
			})
		case secRefreshToken:
			s.section(name, raw, func(k string, e map[string]json.RawMessage) error {
				t := &RefreshToken{key: k}
				return after(decode(e, t.fields(), []timeField{{"last_modification_time", &t.LastModified}}), func() {
					t.extra = compact(e, credRefreshToken)
					s.addRT(t, false)
				})
			})
		case secIDToken:
			s.section(name, raw, func(k string, e map[string]json.RawMessage) error {
				t := &IDToken{key: k}
				return after(decode(e, t.fields(), nil), func() { t.extra = compact(e, credIDToken); addIndexed(s.id, s.idIdx, t, false) })
			})
		case secAccount:
			s.section(name, raw, func(k string, e map[string]json.RawMessage) error {
				a := &Account{key: k}
				return after(decode(e, a.fields(), nil), func() { a.extra = compact(e, ""); addIndexed(s.acct, s.acctIdx, a, false) })
			})
		case secAppMetadata:
			s.section(name, raw, func(k string, e map[string]json.RawMessage) error {
				m := &AppMetadata{key: k}
				return after(decode(e, m.fields(), nil), func() { m.extra = compact(e, ""); addIndexed(s.app, s.appIdx, m, false) })
			})
		default:
			s.sections[name] = raw
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

// compact returns the unknown fields left in e in a map of their own
// size (nil when none), so a loaded entry does not keep the buckets of
// the fields decode took out. A token's credential_type is not kept: it
// is written back from the section.
func compact(e map[string]json.RawMessage, cred string) map[string]json.RawMessage {
	if cred != "" {
		if v, ok := e["credential_type"]; ok && string(v) == `"`+cred+`"` {
			delete(e, "credential_type")
		}
	}
	if len(e) == 0 {
		return nil
	}
	return maps.Clone(e)
}

// section walks one section, an object of objects (null is empty),
// calling f for each entry. One Unmarshal call splits a well-formed
// section into entries and fields; when that fails, or f refuses an
// entry, the section is split again entry by entry, and each entry that
// is not an object or that f refuses is kept verbatim in s.bad. A section
// that is not an object is kept verbatim too, and written back as it was
// unless this package stores entries of that kind.
func (s *store) section(name string, raw json.RawMessage, f func(key string, e map[string]json.RawMessage) error) {
	if isNull(raw) {
		return
	}
	var sec map[string]map[string]json.RawMessage
	var failed map[string]error
	if json.Unmarshal(raw, &sec) != nil {
		sec = nil // partly filled: the second pass reads every entry
	} else {
		for k, e := range sec {
			if e == nil { // null: kept verbatim on the second pass
				failed = setErr(failed, k, fmt.Errorf("null"))
			} else if err := f(k, e); err != nil {
				failed = setErr(failed, k, err)
			}
		}
		if failed == nil {
			return
		}
	}
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		s.skipSection(name, fmt.Errorf("not an object"), raw)
		return
	}
	for k, v := range entries {
		if err, ok := failed[k]; ok || sec != nil {
			if ok {
				s.skip(name, k, err, v)
			}
			continue // read on the first pass
		}
		var e map[string]json.RawMessage
		if err := json.Unmarshal(v, &e); err != nil || e == nil {
			s.skip(name, k, fmt.Errorf("not an object"), v)
		} else if err := f(k, e); err != nil {
			s.skip(name, k, err, v)
		}
	}
}

func setErr(m map[string]error, k string, err error) map[string]error {
	if m == nil {
		m = map[string]error{}
	}
	m[k] = err
	return m
}

// skipSection keeps a section this package cannot read, verbatim.
func (s *store) skipSection(section string, err error, raw json.RawMessage) {
	s.sections[section] = raw
	s.skipped = append(s.skipped, fmt.Sprintf("section %s: %v", section, err))
}

// skip keeps an entry this package cannot read, verbatim. Its key may be
// any string, "" included: an entry keyed "" is an entry, not its section.
func (s *store) skip(section, key string, err error, raw json.RawMessage) {
	if s.bad[section] == nil {
		s.bad[section] = map[string]json.RawMessage{}
	}
	s.bad[section][key] = raw
	s.skipped = append(s.skipped, fmt.Sprintf("section %s, entry %q: %v", section, key, err))
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
