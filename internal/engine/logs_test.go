package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// A full run at debug level: sign-in, cache hits, proactive and blocking
// refresh, claims, retry, and refused requests. Neither the log nor any
// error contains a token, refresh token, password or (without LogPII) the
// username.
func TestNoSecretsInLogs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf syncBuffer
		log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		a := fa.New(&fa.Options{RefreshIn: 20 * time.Minute})
		mod := func(o *oauth.ClientOptions) { o.Logger = log }
		c := newPassword(t, a, fa.DefaultUsername, mod)
		var outputs []string // token values and error strings the run produced
		get := func(o oauth.TokenOptions) {
			tok, err := c.GetToken(context.Background(), o)
			if err != nil {
				outputs = append(outputs, err.Error())
				return
			}
			outputs = append(outputs, tok.Token)
		}
		get(graph)
		get(graph)
		time.Sleep(21 * time.Minute)
		get(graph) // proactive refresh in the background
		synctest.Wait()
		a.InjectFault(fa.EndpointToken, fa.Fault{Status: 503})
		get(oauth.TokenOptions{Scopes: []string{armScope}})
		get(oauth.TokenOptions{Scopes: []string{graphScope}, Claims: `{"access_token":{"nbf":{"essential":true,"value":"1"}}}`, EnableCAE: true})
		time.Sleep(2 * time.Hour)
		get(graph) // blocking refresh
		for _, user := range []string{fa.MFAUsername, fa.FederatedUsername} {
			_, err := newPassword(t, a, user, mod).GetToken(context.Background(), graph)
			outputs = append(outputs, err.Error())
		}

		secrets := []string{fa.DefaultPassword}
		for _, r := range a.RequestsTo(fa.EndpointToken) {
			for _, k := range []string{"refresh_token", "password"} {
				if v := r.Params.Get(k); v != "" {
					secrets = append(secrets, v)
				}
			}
		}
		doc, err := cacheOf(c).MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var sections map[string]map[string]map[string]any
		_ = json.Unmarshal(doc, &sections)
		for _, entries := range sections {
			for _, e := range entries {
				if s, ok := e["secret"].(string); ok && s != "" {
					secrets = append(secrets, s)
				}
			}
		}
		for _, o := range outputs {
			if strings.HasPrefix(o, "oauth:") {
				continue
			}
			secrets = append(secrets, o) // an access token returned to the caller
		}
		if len(secrets) < 8 {
			t.Fatalf("only %d secrets collected; the run did not exercise enough", len(secrets))
		}
		synctest.Wait() // background key set fetches have logged
		buf.mu.Lock()
		logs := buf.b.String()
		buf.mu.Unlock()
		for _, want := range []string{"cache hit", "cache miss", "redeeming refresh token", "proactive refresh", "retrying request", "correlation_id", "client_request_id"} {
			if !strings.Contains(logs, want) {
				t.Errorf("log has no %q event", want)
			}
		}
		for _, s := range secrets {
			probe := s
			if len(probe) > 24 {
				probe = probe[len(probe)-24:] // any sizeable piece is a leak
			}
			if strings.Contains(logs, probe) {
				t.Errorf("log contains a secret (…%s)", probe[len(probe)-6:])
			}
			for _, o := range outputs {
				if strings.HasPrefix(o, "oauth:") && strings.Contains(o, probe) {
					t.Errorf("error %q contains a secret", o)
				}
			}
		}
		if strings.Contains(logs, fa.DefaultUsername) {
			t.Error("log names the user without LogPII")
		}
	})
}

func TestLogPII(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf syncBuffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		a := fa.New(nil)
		c := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) { o.Logger, o.LogPII = log, true })
		mustToken(t, c, graph)
		synctest.Wait()
		buf.mu.Lock()
		defer buf.mu.Unlock()
		if !strings.Contains(buf.b.String(), fa.DefaultUsername) {
			t.Error("LogPII: the username is not logged")
		}
		if strings.Contains(buf.b.String(), fa.DefaultPassword) {
			t.Error("LogPII logged the password")
		}
	})
}
