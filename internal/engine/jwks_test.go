package engine

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/oauth"
)

func rsaJWK(t testing.TB, bits int) (map[string]any, *rsa.PrivateKey) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	return map[string]any{"kty": "RSA", "kid": "k", "n": enc.EncodeToString(k.N.Bytes()), "e": "AQAB"}, k
}

// A key is built only when used, and only if it is a 2048 to 8192-bit RSA
// signing key for RS256; a key published with only a certificate is read
// from it.
func TestJWKPublicKey(t *testing.T) {
	good, priv := rsaJWK(t, 2048)
	small, _ := rsaJWK(t, 1024)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	with := func(m map[string]any, kv ...string) map[string]any {
		c := map[string]any{}
		for k, v := range m {
			c[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(c, kv[i])
			} else {
				c[kv[i]] = kv[i+1]
			}
		}
		return c
	}
	certOnly := with(good, "n", "", "e", "")
	certOnly["x5c"] = []string{base64.StdEncoding.EncodeToString(der)}
	tests := []struct {
		name   string
		key    map[string]any
		usable bool // passes the member checks
		builds bool // its public key is accepted
	}{
		{"2048-bit", good, true, true},
		{"alg RS256, use sig", with(good, "alg", "RS256", "use", "sig"), true, true},
		{"certificate only", certOnly, true, true},
		{"1024-bit", small, true, false},
		{"use enc", with(good, "use", "enc"), false, false},
		{"alg RS384 contradicts RS256", with(good, "alg", "RS384"), false, false},
		{"kty EC", with(good, "kty", "EC"), false, false},
		{"even exponent", with(good, "e", "AAI"), true, false},
		{"exponent 1", with(good, "e", "AQ"), true, false},
		{"n not base64", with(good, "n", "!!"), true, false},
		{"neither n nor certificate", with(good, "n", "", "e", ""), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := json.Marshal(tt.key)
			var e jwkEntry
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatal(err)
			}
			if e.usable() != tt.usable {
				t.Fatalf("usable() = %v, want %v", e.usable(), tt.usable)
			}
			if !tt.usable {
				return
			}
			pub, err := e.publicKey()
			if (err == nil) != tt.builds || (err == nil && pub.N.Cmp(priv.N) != 0) {
				t.Errorf("publicKey() = %v, %v; want built %v (and the published key)", pub != nil, err, tt.builds)
			}
		})
	}
}

// Binding a key to its issuer: the key's issuer, with {tenantid} filled
// from the token's tid, must be the token's iss.
func TestKeyIssuerBinding(t *testing.T) {
	const (
		org = "7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f"
		msa = oauth.MSATenantID
	)
	iss := func(t string) string { return "https://login.microsoftonline.com/" + t + "/v2.0" }
	tests := []struct {
		name, keyIssuer, iss, tid string
		ok                        bool
	}{
		{"template, own tenant", iss("{tenantid}"), iss(org), org, true},
		{"template, iss of another tenant than tid", iss("{tenantid}"), iss(msa), org, false},
		{"consumer key, org token", iss(msa), iss(org), org, false},
		{"consumer key, consumer token", iss(msa), iss(msa), msa, true},
		{"template, tid missing", iss("{tenantid}"), iss(org), "", false},
		{"key of another host", "https://login.evil.example/{tenantid}/v2.0", iss(org), org, false},
		{"key without issuer", "", iss(org), org, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := jwkEntry{Issuer: tt.keyIssuer}
			payload, _ := json.Marshal(map[string]string{"iss": tt.iss, "tid": tt.tid})
			if err := e.bindsIssuer(payload); (err == nil) != tt.ok {
				t.Errorf("bindsIssuer = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func FuzzParseJWKS(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"a","n":"sXch","e":"AQAB","issuer":"x"},{"kty":"RSA","x5c":["MIIB"]},42]}`))
	f.Add([]byte(`{"keys":"x"}`))
	f.Add([]byte(`{"a":"\"keys\"","keys":[{"b":"]}"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		slots, err := parseJWKS(body)
		var ref struct {
			Keys []json.RawMessage `json:"keys"`
		}
		if json.Unmarshal(body, &ref) == nil && err == nil {
			// Where both read the document, they find the same keys.
			if len(ref.Keys) != len(slots) {
				t.Fatalf("%d keys, encoding/json finds %d", len(slots), len(ref.Keys))
			}
			for i, r := range ref.Keys {
				if !bytes.Equal(bytes.TrimSpace(r), slots[i].raw) {
					t.Fatalf("key %d is %q, encoding/json reads %q", i, slots[i].raw, r)
				}
			}
		}
		if err != nil {
			if !strings.Contains(err.Error(), "keys") {
				t.Fatalf("error does not name the endpoint: %v", err)
			}
			return
		}
		for _, s := range slots {
			k := s.get()
			if k == nil {
				continue
			}
			if !k.usable() {
				t.Fatal("an unusable key was decoded as usable")
			}
			if pub, err := k.publicKey(); err == nil && (pub.N.BitLen() < minRSABits || pub.E < 3) {
				t.Fatalf("accepted a weak key: %d bits, e=%d", pub.N.BitLen(), pub.E)
			}
		}
	})
}

// BenchmarkParseJWKS is the key set fetch's own cost for 100 Entra-shaped
// keys (n, e, x5c certificate, issuer): decoding only, no key is built.
func BenchmarkParseJWKS(b *testing.B) {
	good, priv := rsaJWK(b, 2048)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	good["x5c"] = []string{base64.StdEncoding.EncodeToString(der)}
	good["issuer"] = "https://login.microsoftonline.com/{tenantid}/v2.0"
	keys := make([]map[string]any, 100)
	for i := range keys {
		keys[i] = good
	}
	body, _ := json.Marshal(map[string]any{"keys": keys})
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseJWKS(body); err != nil {
			b.Fatal(err)
		}
	}
}
