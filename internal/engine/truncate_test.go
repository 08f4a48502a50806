package engine_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// msaRefreshToken is shaped like a consumer refresh token: '*', '!' and
// '$' split it into short words.
const msaRefreshToken = "M.C544_BAY.0.U.-CqZx*Wv!Pn$Lk9Yt*Rs!Qm$Hb7Gd!Fc*Ej$"

// cutTokenBodies is a transport that, while cut > 0, cuts every token
// endpoint response body after cut bytes.
type cutTokenBodies struct {
	next http.RoundTripper
	cut  *atomic.Int64
}

func (c cutTokenBodies) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	n := c.cut.Load()
	if err != nil || n == 0 || !strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") {
		return resp, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	b = b[:min(int(n), len(b))]
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// TestTruncatedTokenResponseOfEachGrant: the password grant, and the
// refresh grant of an account signed in before, each given a token
// response cut inside its refresh token, fail with an error that quotes no
// piece of it.
func TestTruncatedTokenResponseOfEachGrant(t *testing.T) {
	for _, grant := range []string{"password", "refresh_token"} {
		t.Run(grant, func(t *testing.T) {
			a := fa.New(nil)
			// Only the refresh token and token_type: JSON keys come out
			// sorted, so the refresh token comes first and a cut lands in it.
			onlyRefreshToken := func(m map[string]any) {
				for k := range m {
					if k != "token_type" {
						delete(m, k)
					}
				}
				m["refresh_token"] = msaRefreshToken
			}
			a.SetTokenResponseHook(onlyRefreshToken)
			var cut atomic.Int64
			c := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) {
				o.HTTPClient = &http.Client{Transport: cutTokenBodies{a.Client().Transport, &cut}}
			})
			scopes := graph
			if grant == "refresh_token" {
				a.SetTokenResponseHook(nil)
				mustToken(t, c, graph) // signed in: the next scope is a refresh
				a.SetTokenResponseHook(onlyRefreshToken)
				scopes = oauth.TokenOptions{Scopes: []string{"https://vault.azure.net/.default"}}
			}
			for _, n := range []int64{40, 45, 52, 60, 70} {
				cut.Store(n)
				_, err := c.GetToken(t.Context(), scopes)
				if err == nil {
					t.Fatalf("cut at %d: GetToken succeeded", n)
				}
				for i := 0; i+5 <= len(msaRefreshToken); i++ {
					if piece := msaRefreshToken[i : i+5]; strings.Contains(err.Error(), piece) {
						t.Fatalf("cut at %d: error quotes %q: %v", n, piece, err)
					}
				}
			}
			if got := a.RequestsTo(fa.EndpointToken); len(got) == 0 || got[len(got)-1].GrantType != grant {
				t.Errorf("last token request grant = %v, want %s", got, grant)
			}
		})
	}
}
