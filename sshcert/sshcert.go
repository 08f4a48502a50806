// Package sshcert gets an OpenSSH user certificate for a public key from
// Microsoft Entra ID (token_type=ssh-cert), as `az ssh cert` does, through
// any credential of this module. A second request for the same key is
// served from the token cache without a network request.
package sshcert

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"

	"github.com/entraauth/entraauth/internal/redact"
	"github.com/entraauth/entraauth/oauth"
	"golang.org/x/crypto/ssh"
)

// Scopes of the Entra SSH certificate service per cloud, as the Azure CLI
// ssh extension requests them (Azure/azure-cli-extensions,
// src/ssh/azext_ssh/custom.py, _get_and_write_certificate).
const (
	ScopePublic       = "https://pas.windows.net/CheckMyAccess/Linux/.default"
	ScopeChina        = "https://pas.chinacloudapi.cn/CheckMyAccess/Linux/.default"
	ScopeUSGovernment = "https://pasff.usgovcloudapi.net/CheckMyAccess/Linux/.default"
)

// ScopeFor returns the certificate service's scope for the cloud of an
// authority host (a URL or a bare host, as oauth.ClientOptions takes it):
// ScopeChina for the China cloud's hosts, ScopeUSGovernment for the US
// Government cloud's, else ScopePublic. `az ssh cert` chooses by its
// cloud in the same way (custom.py, _get_and_write_certificate) and
// refuses other clouds; Entra publishes no such scope for them.
func ScopeFor(authorityHost string) string {
	h := authorityHost
	if _, rest, ok := strings.Cut(h, "://"); ok {
		h = rest
	}
	h, _, _ = strings.Cut(h, "/")
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	switch strings.ToLower(h) {
	case "login.chinacloudapi.cn", "login.partner.microsoftonline.cn":
		return ScopeChina
	case "login.microsoftonline.us", "login.usgovcloudapi.net":
		return ScopeUSGovernment
	}
	return ScopePublic
}

// TokenType is the token_type form field of the request and the answer.
const TokenType = "ssh-cert"

// Credential is what every credential of this module satisfies.
type Credential interface {
	GetToken(ctx context.Context, opts oauth.TokenOptions) (oauth.AccessToken, error)
}

// Options configures Get; nil means the public cloud's scope.
type Options struct {
	// Scope is the certificate service's scope; "" is ScopePublic. Use
	// ScopeFor for a credential of the China or US Government cloud.
	Scope string
	// TenantID requests the certificate from this tenant (see
	// oauth.TokenOptions.TenantID).
	TenantID string
}

// ErrUnsupportedKey is returned for a public key that is not RSA: Entra's
// req_cnf is an RSA JWK.
var ErrUnsupportedKey = errors.New("sshcert: Entra issues certificates for RSA keys only")

// Get returns a user certificate for pub from cred.
func Get(ctx context.Context, cred Credential, pub ssh.PublicKey, opts *Options) (*ssh.Certificate, error) {
	if opts == nil {
		opts = &Options{}
	}
	scope := opts.Scope
	if scope == "" {
		scope = ScopePublic
	}
	bound, err := Request(pub)
	if err != nil {
		return nil, err
	}
	tok, err := cred.GetToken(ctx, oauth.TokenOptions{Scopes: []string{scope}, TenantID: opts.TenantID, Bound: bound})
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(tok.TokenType, TokenType) {
		return nil, fmt.Errorf("sshcert: the credential returned a %s token, not an SSH certificate", redact.Text(tok.TokenType))
	}
	return ParseCertificate(tok.Token, pub)
}

// Request is the bound-token request for pub, as the Azure CLI ssh
// extension builds it (Azure/azure-cli-extensions src/ssh/azext_ssh,
// custom.py _prepare_jwk_data): req_cnf is the JWK
// {"kty":"RSA","n","e","kid"} and kid (also key_id) is the hex SHA-256
// of n's text followed by e's. n and e are encoded as that extension
// encodes them (see JWK), so the key ID is the one `az ssh cert` caches
// its certificate under.
func Request(pub ssh.PublicKey) (*oauth.BoundToken, error) {
	jwk, kid, err := JWK(pub)
	if err != nil {
		return nil, err
	}
	return &oauth.BoundToken{TokenType: TokenType, KeyID: kid, Params: map[string]string{"req_cnf": jwk}}, nil
}

// JWK returns pub as the JWK of req_cnf and its key ID. n and e are the
// public key's mpint fields as OpenSSH writes them (RFC 4251 section 5: a
// leading zero byte when the high bit is set) in base64url with padding,
// as the Azure CLI ssh extension reads them from the .pub file
// (rsa_parser.py: base64.urlsafe_b64encode of each field); Entra accepts
// this form, and MSAL Python's tests show it accepts the unpadded one too.
func JWK(pub ssh.PublicKey) (jwk, kid string, err error) {
	ck, ok := pub.(ssh.CryptoPublicKey)
	if !ok {
		return "", "", ErrUnsupportedKey
	}
	rk, ok := ck.CryptoPublicKey().(*rsa.PublicKey)
	if !ok || rk.N == nil || rk.E <= 0 {
		return "", "", ErrUnsupportedKey
	}
	n := base64.URLEncoding.EncodeToString(mpint(rk.N))
	e := base64.URLEncoding.EncodeToString(mpint(big.NewInt(int64(rk.E))))
	h := sha256.New()
	h.Write([]byte(n))
	h.Write([]byte(e))
	kid = hex.EncodeToString(h.Sum(nil))
	b, err := json.Marshal(struct {
		Kty string `json:"kty"`
		N   string `json:"n"`
		E   string `json:"e"`
		Kid string `json:"kid"`
	}{"RSA", n, e, kid})
	return string(b), kid, err
}

// mpint is x >= 0 as an SSH mpint's bytes (RFC 4251 section 5), without
// the length: big-endian, with a zero byte before a set high bit.
func mpint(x *big.Int) []byte {
	b := x.Bytes()
	if len(b) > 0 && b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return b
}

// maxCertificate bounds the access token read as a certificate.
const maxCertificate = 64 << 10

// ParseCertificate reads an ssh-cert access token: the base64 of an
// OpenSSH certificate (Azure/azure-cli-extensions writes it after
// "ssh-rsa-cert-v01@openssh.com "). It must be a user certificate for
// pub.
func ParseCertificate(token string, pub ssh.PublicKey) (*ssh.Certificate, error) {
	if len(token) > maxCertificate {
		return nil, errors.New("sshcert: certificate too long")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil {
		return nil, errors.New("sshcert: the access token is not base64")
	}
	k, err := ssh.ParsePublicKey(raw)
	if err != nil {
		return nil, errors.New("sshcert: the access token is not an OpenSSH key")
	}
	cert, ok := k.(*ssh.Certificate)
	if !ok || cert.CertType != ssh.UserCert {
		return nil, errors.New("sshcert: the access token is not an OpenSSH user certificate")
	}
	if pub != nil && string(cert.Key.Marshal()) != string(pub.Marshal()) {
		return nil, errors.New("sshcert: the certificate is for another key")
	}
	return cert, nil
}
