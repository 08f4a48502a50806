package oauth_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

const graphScope = "https://graph.microsoft.com/.default"

func newPassword(t *testing.T, fa *fakeauthority.Authority, user string, mod func(*oauth.ClientOptions)) *oauth.PasswordCredential {
	t.Helper()
	o := &oauth.ClientOptions{HTTPClient: fa.Client(), TenantID: fakeauthority.DefaultTenantID}
	if mod != nil {
		mod(o)
	}
	pw := fakeauthority.DefaultPassword
	c, err := oauth.NewPasswordCredential("", user, pw, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSmoke(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fa := fakeauthority.New(nil)
		cred := newPassword(t, fa, fakeauthority.DefaultUsername, nil)
		ctx := context.Background()
		tok, err := cred.GetToken(ctx, oauth.TokenOptions{Scopes: []string{graphScope}})
		if err != nil {
			t.Fatal(err)
		}
		if tok.Token == "" || !tok.ExpiresOn.After(time.Now()) {
			t.Fatalf("bad token %+v", tok)
		}
		t.Log(fa.Counts())
		tok2, err := cred.GetToken(ctx, oauth.TokenOptions{Scopes: []string{graphScope}})
		if err != nil || tok2.Token != tok.Token {
			t.Fatalf("second call: %v", err)
		}
		t.Log(fa.Counts())
	})
}
