package engine_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

// The key set is fetched once per process for an authority reached
// through one transport, not once per credential.
func TestKeySetSharedAcrossCredentials(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		for range 3 {
			mustToken(t, newPassword(t, a, fa.DefaultUsername, nil), graph)
		}
		if n := a.Count(fa.EndpointKeys); n != 1 {
			t.Errorf("three credentials fetched the key set %d times, want 1", n)
		}
		// Another transport (another proxy, another authority) has its own.
		other := &http.Client{Transport: &padKeys{base: a.Client().Transport}}
		mustToken(t, newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) { o.HTTPClient = other }), graph)
		if n := a.Count(fa.EndpointKeys); n != 2 {
			t.Errorf("a credential with another transport: %d key set fetches in all, want 2", n)
		}
	})
}

// A cold sign-in's key set fetch runs next to the token request on the
// same transport; with a server offering HTTP/2 (as Entra does) both ride
// one TLS connection.
func TestColdSignInOneConnection(t *testing.T) {
	a := fa.Start(t, nil)
	var fresh, h2 atomic.Int32
	tr := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) {
		if !i.Reused {
			fresh.Add(1)
			if c, ok := i.Conn.(*tls.Conn); ok && c.ConnectionState().NegotiatedProtocol == "h2" {
				h2.Add(1)
			}
		}
	}}
	ctx := httptrace.WithClientTrace(context.Background(), tr)
	c, err := engine.New("", &oauth.ClientOptions{HTTPClient: a.TLSClient(), AuthorityHost: a.URL(), TenantID: fa.DefaultTenantID, DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	step := func(ctx context.Context, req *engine.InteractiveRequest) (*engine.TokenResult, error) {
		return c.RedeemToken(ctx, req, map[string][]string{"grant_type": {"password"}, "username": {fa.DefaultUsername}, "password": {fa.DefaultPassword}}, "")
	}
	if _, err := c.GetToken(ctx, graph, step); err != nil {
		t.Fatal(err)
	}
	if n := a.Count(fa.EndpointKeys) + a.Count(fa.EndpointToken); n != 2 {
		t.Fatalf("%d key set and token requests, want 2", n)
	}
	if fresh.Load() != 1 || h2.Load() != 1 {
		t.Errorf("%d new connections (%d HTTP/2) for the token request and the key set, want 1 HTTP/2", fresh.Load(), h2.Load())
	}
}

// padKeys adds decoy keys before the authority's own in every key set
// response, as a large real key set would have them. The padded document
// is built on the first fetch and then served from memory, so the
// benchmark measures the client, not the padding.
type padKeys struct {
	base  http.RoundTripper
	decoy []json.RawMessage
	body  *[]byte // shared by the transports of one benchmark
}

func (p *padKeys) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(r.URL.Path, "/keys") || len(p.decoy) == 0 {
		return p.base.RoundTrip(r)
	}
	if p.body == nil || *p.body == nil {
		resp, err := p.base.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		var set struct {
			Keys []json.RawMessage `json:"keys"`
		}
		if err := json.Unmarshal(body, &set); err != nil {
			return nil, err
		}
		set.Keys = append(append([]json.RawMessage(nil), p.decoy...), set.Keys...)
		body, _ = json.Marshal(set)
		if p.body == nil {
			p.body = new([]byte)
		}
		*p.body = body
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(*p.body)), ContentLength: int64(len(*p.body)), Request: r}, nil
}

// decoyKeys returns n keys in Entra's shape (n, e, x5c with a
// certificate, x5t, issuer), from a few RSA keys under distinct kids.
func decoyKeys(b testing.TB, n int) []json.RawMessage {
	var out []json.RawMessage
	var privs []*rsa.PrivateKey
	for range 4 {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			b.Fatal(err)
		}
		privs = append(privs, k)
	}
	for i := range n {
		k := privs[i%len(privs)]
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(i + 1))}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
		if err != nil {
			b.Fatal(err)
		}
		j, _ := json.Marshal(map[string]any{
			"kty": "RSA", "use": "sig", "kid": fmt.Sprintf("decoy-%03d", i), "x5t": "x",
			"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()), "e": "AQAB",
			"x5c": []string{base64.StdEncoding.EncodeToString(der)}, "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",
		})
		out = append(out, j)
	}
	return out
}

// BenchmarkFirstTokenKeySetSize is a cold password sign-in (fresh cache,
// fresh key set: a new transport each time) against a key set of 5 and of
// 100 keys, the signing key last. Lazy parsing keeps the difference to
// reading the larger document.
func BenchmarkFirstTokenKeySetSize(b *testing.B) {
	a := fa.New(nil)
	for _, n := range []int{5, 100} {
		decoy := decoyKeys(b, n-1) // the authority publishes one key of its own
		body := new([]byte)
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				hc := &http.Client{Transport: &padKeys{base: a.Client().Transport, decoy: decoy, body: body}}
				c, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: hc, TenantID: fa.DefaultTenantID}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.GetToken(context.Background(), graph); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
