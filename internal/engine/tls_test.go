package engine_test

import (
	"testing"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
)

// Over a real TLS socket: a connection the authority drops is retried once
// with the same client-request-id, and the ID token's issuer (with the
// socket's host:port) validates.
func TestDroppedConnectionRetriedOverTLS(t *testing.T) {
	a := fa.Start(t, nil)
	c := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) {
		o.HTTPClient = a.TLSClient()
		o.AuthorityHost = a.URL()
		o.DisableInstanceDiscovery = true
	})
	a.InjectFault(fa.EndpointToken, fa.Fault{Drop: true})
	mustToken(t, c, graph)
	reqs := a.RequestsTo(fa.EndpointToken)
	if len(reqs) != 2 || reqs[0].Header.Get("client-request-id") != reqs[1].Header.Get("client-request-id") {
		t.Fatalf("%d token requests, want 2 sharing one client-request-id", len(reqs))
	}
}

func TestPlainHTTPRefused(t *testing.T) {
	_, err := engine.New("", &oauth.ClientOptions{AuthorityHost: "http://login.microsoftonline.com"})
	if err == nil {
		t.Fatal("http authority accepted")
	}
}
