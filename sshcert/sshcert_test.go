package sshcert_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"strings"
	"testing"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
	"github.com/entraauth/entraauth/sshcert"
	"golang.org/x/crypto/ssh"
)

func newKey(t testing.TB) ssh.PublicKey {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ssh.NewPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// TestCacheByKeyAndType: a second request for the same key is silent;
// another key makes a request and gets its own certificate; a bearer
// request for the same scope never gets the certificate, nor a
// certificate request the bearer token.
func TestCacheByKeyAndType(t *testing.T) {
	ctx := context.Background()
	a := fa.New(nil)
	cred, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	if err != nil {
		t.Fatal(err)
	}
	bearer, err := cred.GetToken(ctx, oauth.TokenOptions{Scopes: []string{sshcert.ScopePublic}})
	if err != nil || bearer.TokenType != "Bearer" {
		t.Fatalf("bearer: %v %q", err, bearer.TokenType)
	}
	k1, k2 := newKey(t), newKey(t)
	steps := []struct {
		key      ssh.PublicKey
		requests int // token requests after the step
	}{{k1, 2}, {k1, 2}, {k2, 3}, {k2, 3}}
	var certs []*ssh.Certificate
	for i, s := range steps {
		c, err := sshcert.Get(ctx, cred, s.key, nil)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if string(c.Key.Marshal()) != string(s.key.Marshal()) {
			t.Fatalf("step %d: certificate for another key", i)
		}
		if got := a.Count(fa.EndpointToken); got != s.requests {
			t.Fatalf("step %d: %d token requests, want %d", i, got, s.requests)
		}
		certs = append(certs, c)
	}
	if certs[0].Serial == certs[2].Serial {
		t.Fatal("second key got the first key's certificate")
	}
	again, err := cred.GetToken(ctx, oauth.TokenOptions{Scopes: []string{sshcert.ScopePublic}})
	if err != nil || again.TokenType != "Bearer" || again.Token != bearer.Token {
		t.Fatalf("bearer after certificates: %v %q, same=%v", err, again.TokenType, again.Token == bearer.Token)
	}
}

func TestParseCertificateRefuses(t *testing.T) {
	a := fa.New(nil)
	k1, k2 := newKey(t), newKey(t)
	cert, err := a.SignSSHCertificate(k1, "id", []string{"u"}, a.Now(), a.Now().Add(1e9))
	if err != nil {
		t.Fatal(err)
	}
	good := strings.TrimSpace(strings.TrimPrefix(string(ssh.MarshalAuthorizedKey(cert)), cert.Type()))
	for _, tc := range []struct {
		name, token string
		key         ssh.PublicKey
		ok          bool
	}{
		{"good", good, k1, true},
		{"another key", good, k2, false},
		{"not base64", "%%%", k1, false},
		{"plain key", strings.Fields(string(ssh.MarshalAuthorizedKey(k1)))[1], k1, false},
		{"jwt", "eyJhbGciOiJub25lIn0.e30.", k1, false},
	} {
		_, err := sshcert.ParseCertificate(tc.token, tc.key)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err=%v", tc.name, err)
		}
	}
}

func FuzzParseCertificate(f *testing.F) {
	f.Add("AAAA")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := sshcert.ParseCertificate(s, nil)
		if err == nil && c.CertType != ssh.UserCert {
			t.Fatal("accepted a host certificate")
		}
	})
}

// FuzzJWK: any RSA key read from authorized_keys text gives a JWK whose
// kid is the key ID.
func FuzzJWK(f *testing.F) {
	f.Add(string(ssh.MarshalAuthorizedKey(newKey(f))))
	f.Add("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDs8+F6fTqYJ0Lx4wU6L5hG8iR1Ib3A5TYwSbxnkKXLs x")
	f.Fuzz(func(t *testing.T, s string) {
		pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(s))
		if err != nil {
			return
		}
		jwk, kid, err := sshcert.JWK(pub)
		if err != nil {
			return
		}
		if len(kid) != 64 || !strings.Contains(jwk, `"kid":"`+kid+`"`) {
			t.Fatalf("jwk %q kid %q", jwk, kid)
		}
	})
}

// TestJWKAsAzureCLI: the key ID and JWK members are those the Azure CLI
// ssh extension sends for the same public key (Azure/azure-cli-extensions
// src/ssh/azext_ssh/rsa_parser.py reads e and n as the .pub file's
// mpint fields and encodes them with Python's base64.urlsafe_b64encode,
// padded; custom.py _prepare_jwk_data hashes n's text then e's), so a
// certificate `az ssh cert` cached for a key is found for that key here
// and the other way round. The expected key ID was computed with those
// steps in Python from this key.
func TestJWKAsAzureCLI(t *testing.T) {
	const pubLine = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC9D+iwMOESMsNc8PNEXipjfuLOYrCpSJpepyKyEpPGMwgKUs5EPc2lxbkg/PkXM6bi2i1aksFzIFHhyqZuaiMo9AErVW0suBBCIgMOaPbYiBx3MJ7qdA/NFPW7KubBu6u6Il2rIgwJm5pRCFPREHSxUo6TX02t9AYvVW2lIUhoYTMNI9Diz1GLZUlbp5fiou5nWnaIrCMQsk5c90finqQZKjIWAiZ/3hL2SPa3oaq3UYjKz3aIZGshWQRp60gOgpjqlI468JxY/YNtYl0ZdtxFLVandAZMl12GyUzSxpWaaLKghJ6u7IlFwkULXVyNQ0ptiyDmjTwOXM+Ab4DK1E57 x"
	const wantKid = "58d09b6a4af73568f8af4fa7f70cdc84a470847b766ba088469f548b0013d14f"
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(pubLine))
	if err != nil {
		t.Fatal(err)
	}
	jwk, kid, err := sshcert.JWK(pub)
	if err != nil {
		t.Fatal(err)
	}
	if kid != wantKid {
		t.Errorf("kid %s, want %s (az ssh cert's key_id for this key)", kid, wantKid)
	}
	var m struct{ N, E string }
	if err := json.Unmarshal([]byte(jwk), &m); err != nil {
		t.Fatal(err)
	}
	// The modulus' mpint has a leading zero byte ("AL..."), and 257 bytes
	// encode to 344 characters ending in one "=".
	if !strings.HasPrefix(m.N, "AL0P6L") || !strings.HasSuffix(m.N, "ns=") || len(m.N) != 344 || m.E != "AQAB" {
		t.Errorf("n %.8s...%s (%d chars), e %q; want az's padded mpint encoding", m.N, m.N[max(0, len(m.N)-3):], len(m.N), m.E)
	}
}

// TestScopeFor: the China and US Government clouds ask their own
// certificate service, as `az ssh cert` picks the scope by cloud
// (Azure/azure-cli-extensions src/ssh/azext_ssh/custom.py); any other
// host, a fake authority's included, gets the public cloud's.
func TestScopeFor(t *testing.T) {
	for host, want := range map[string]string{
		"":                                         sshcert.ScopePublic,
		"https://login.microsoftonline.com":        sshcert.ScopePublic,
		"https://login.chinacloudapi.cn/":          sshcert.ScopeChina,
		"login.partner.microsoftonline.cn":         sshcert.ScopeChina,
		"https://LOGIN.MICROSOFTONLINE.US":         sshcert.ScopeUSGovernment,
		"https://login.usgovcloudapi.net:443":      sshcert.ScopeUSGovernment,
		"https://127.0.0.1:8443":                   sshcert.ScopePublic,
		"https://login.chinacloudapi.cn.example":   sshcert.ScopePublic,
		"https://contoso.ciamlogin.com/contoso.io": sshcert.ScopePublic,
	} {
		if got := sshcert.ScopeFor(host); got != want {
			t.Errorf("ScopeFor(%q) = %q, want %q", host, got, want)
		}
	}
}
