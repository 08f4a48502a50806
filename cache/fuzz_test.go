package cache

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzUnmarshal feeds arbitrary bytes to the deserializer: it must never
// panic, and whatever it accepts must serialize to a document that parses
// again and serializes to the same bytes.
func FuzzUnmarshal(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		`{}`, `null`, `[]`, `{"AccessToken":null}`, `{"AccessToken":{"k":{"expires_on":12}}}`,
		`{"AccessToken":{"k":{"expires_on":"1e300"}}}`, `{"RefreshToken":{"a":{"family_id":"1","home_account_id":"H"},"b":{"family_id":"1","home_account_id":"h"}}}`,
		`{"Account":{"k":{"realm":null,"x":{"y":[1,2]}}}}`, `{"AccessToken":{"k":{"entraauth_cae":"1","target":"A B a"}}}`,
		`{"AccessToken":{"a":"v","b":{"secret":5},"c":null,"d":{"expires_on":"9"}},"Account":[1]}`,
		`{"RefreshToken":{"k":{"last_modification_time":"x"},"j":{"secret":"s","last_modification_time":"12"}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newStore()
		if err := s.unmarshal(data); err != nil {
			return
		}
		out1, err := s.marshal()
		if err != nil {
			t.Fatalf("marshal of an accepted document: %v", err)
		}
		s2 := newStore()
		if err := s2.unmarshal(out1); err != nil {
			t.Fatalf("our own output does not parse: %v\n%s", err, out1)
		}
		out2, err := s2.marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out1, out2) {
			t.Fatalf("not stable after one round trip:\n%s\n%s", out1, out2)
		}
	})
}
