package engine

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
)

// TestTransportErrorURL: a transport error names the URL that failed, as
// it is when it holds no secret, and never a parameter that is not known
// harmless, user information or the username of a user realm request.
func TestTransportErrorURL(t *testing.T) {
	cause := errors.New("connection refused")
	for in, want := range map[string]string{
		"https://login.microsoftonline.com/organizations/oauth2/v2.0/token":    "https://login.microsoftonline.com/organizations/oauth2/v2.0/token",
		"https://h/common/discovery/instance?api-version=1.1&secret=x":         "https://h/common/discovery/instance?api-version=1.1&secret=%28redacted%29",
		"https://user:pw@h/common/UserRealm/alice@contoso.com?api-version=1.0": "https://h/common/UserRealm/(redacted)?api-version=1.0",
		"://bad": "(redacted)",
	} {
		err := cleanTransportErr(context.Background(), &url.Error{Op: "Post", URL: in, Err: cause})
		var ue *url.Error
		if !errors.As(err, &ue) || ue.URL != want || !errors.Is(err, cause) {
			t.Errorf("cleanTransportErr(%s) = %v, want URL %s and the cause", in, err, want)
		}
		if strings.Contains(err.Error(), "alice") || strings.Contains(err.Error(), "pw@") || strings.Contains(err.Error(), "secret=x") {
			t.Errorf("cleanTransportErr(%s) = %v leaks", in, err)
		}
	}
}
