package password_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/internal/redact"
	"github.com/entraauth/entraauth/password"
)

// TestUserRealmTextSanitized: the domain and protocol a user realm answer
// names, which a FederatedAccountError prints, come out clean: sanitising
// the message again changes nothing.
func TestUserRealmTextSanitized(t *testing.T) {
	for _, h := range []string{"\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07", "\x1b]0;pwned\x07", "\r\x1b[2K", "\u009b2K", "\u202e"} {
		q, _ := json.Marshal(h)
		esc := string(q[1 : len(q)-1])
		ur, err := engine.ParseUserRealm(200, []byte(`{"account_type":"Federated","domain_name":"contoso`+esc+`.com","federation_protocol":"WSTrust`+esc+
			`","federation_metadata_url":"https://sts.contoso.com/mex"}`))
		if err != nil {
			t.Fatal(err)
		}
		fe := &password.FederatedAccountError{Domain: ur.DomainName, Protocol: ur.FederationProtocol, MetadataURL: ur.FederationMetadataURL}
		if msg := fe.Error(); redact.Text(msg) != msg || !strings.Contains(msg, "contoso") || !strings.Contains(msg, "WSTrust") {
			t.Errorf("%q: FederatedAccountError = %q is not clean", h, msg)
		}
	}
}
