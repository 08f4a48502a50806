package azadapter

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/entraauth/entraauth/oauth"
)

type recordingCred struct {
	got oauth.TokenOptions
	tok oauth.AccessToken
	err error
}

func (r *recordingCred) GetToken(_ context.Context, o oauth.TokenOptions) (oauth.AccessToken, error) {
	r.got = o
	return r.tok, r.err
}

func TestGetTokenMapsFields(t *testing.T) {
	exp := time.Unix(2000000000, 0)
	ref := exp.Add(-time.Hour)
	rc := &recordingCred{tok: oauth.AccessToken{Token: "t", ExpiresOn: exp, RefreshOn: ref, TokenType: "Bearer"}}
	at, err := New(rc).GetToken(context.Background(), policy.TokenRequestOptions{
		Scopes: []string{"s1", "s2"}, Claims: `{"a":1}`, TenantID: "tid", EnableCAE: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rc.got.Claims != `{"a":1}` || rc.got.TenantID != "tid" || !rc.got.EnableCAE || len(rc.got.Scopes) != 2 {
		t.Errorf("options passed = %+v", rc.got)
	}
	if at.Token != "t" || !at.ExpiresOn.Equal(exp) || !at.RefreshOn.Equal(ref) {
		t.Errorf("token = %+v", at)
	}
	boom := errors.New("boom")
	rc.err = boom
	if _, err := New(rc).GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"s"}}); !errors.Is(err, boom) {
		t.Errorf("err = %v, want %v", err, boom)
	}
}
