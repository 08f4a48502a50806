package engine_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

// A new process's first token opens one connection to an authority that
// speaks HTTP/2: the key-set fetch waits for the sign-in's request to
// have its connection and shares it, instead of dialing a second one in
// the same instant.
func TestFirstTokenSharesOneConnection(t *testing.T) {
	srv := httptest.NewUnstartedServer(fa.New(nil))
	srv.EnableHTTP2 = true
	var conns atomic.Int64
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	defer srv.Close()
	cred, err := password.New("", &password.Options{
		ClientOptions: oauth.ClientOptions{AuthorityHost: srv.URL, TenantID: fa.DefaultTenantID,
			HTTPClient: srv.Client(), DisableInstanceDiscovery: true},
		Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}); err != nil {
		t.Fatal(err)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("first token opened %d connections; want 1", n)
	}
}
