package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/entraauth/entraauth/internal/jsonnum"
	"github.com/entraauth/entraauth/internal/redact"
	"github.com/entraauth/entraauth/oauth"
)

// TokenResult is a successful token-endpoint response, parsed, with the
// account it belongs to once the ID token has been validated.
type TokenResult struct {
	// AccessToken is the access token ("access_token").
	AccessToken string
	// TokenType is "token_type", normally "Bearer".
	TokenType string
	// ExpiresOn is now + "expires_in".
	ExpiresOn time.Time
	// ExtExpiresOn is now + "ext_expires_in" (zero when absent).
	ExtExpiresOn time.Time
	// RefreshOn is now + "refresh_in" (zero when absent).
	RefreshOn time.Time
	// Scopes are the granted scopes ("scope"); the requested ones when the
	// server did not say.
	Scopes []string
	// RefreshToken is "refresh_token" ("" when none was issued).
	RefreshToken string
	// IDToken is the raw "id_token" JWT ("" when none was issued).
	IDToken string
	// ClientInfo is the raw "client_info" (base64url JSON).
	ClientInfo string
	// FamilyID is "foci", the family of client IDs the refresh token
	// belongs to ("1" for Microsoft's first-party family).
	FamilyID string
	// Claims are the ID token's validated claims; nil without an ID token.
	Claims *IDTokenClaims
	// Account is the signed-in account (from client_info and the ID token).
	Account oauth.Account
}

// clamped is a lifetime or code member as an int64, clamped to
// [-1e12, 1e12].
func clamped(n jsonnum.Number) int64 { return max(min(n.Int(), 1e12), -1e12) }

type tokenJSON struct {
	AccessToken  *string        `json:"access_token"`
	TokenType    string         `json:"token_type"`
	Scope        string         `json:"scope"`
	ExpiresIn    jsonnum.Number `json:"expires_in"`
	ExtExpiresIn jsonnum.Number `json:"ext_expires_in"`
	RefreshIn    jsonnum.Number `json:"refresh_in"`
	RefreshToken string         `json:"refresh_token"`
	IDToken      string         `json:"id_token"`
	ClientInfo   string         `json:"client_info"`
	Foci         string         `json:"foci"`
	Error        string         `json:"error"`
}

// Lifetimes: a missing expires_in counts as this long (short, so a
// token of unknown life is renewed soon), and no lifetime exceeds maxLifetime.
const (
	defaultExpiresIn = 10 * time.Minute
	maxLifetime      = 30 * 24 * time.Hour
)

// ParseTokenResponse turns a token-endpoint answer into a *TokenResult, or
// an *Error: Entra's error JSON, or ErrInvalidResponse (an HTML page, an
// empty or truncated body, non-JSON text, a 200 with "error" or without
// an access token). now is when the request was sent; requested are the
// scopes asked for (used when the response names none). The ID token is
// not validated here.
func ParseTokenResponse(endpoint string, status int, body []byte, now time.Time, requested []string) (*TokenResult, error) {
	return parseTokenResponse(endpoint, status, body, now, requested, "")
}

// parseTokenResponse is ParseTokenResponse for a request that asked for
// token type want ("" for bearer): the answer must then be of that type.
func parseTokenResponse(endpoint string, status int, body []byte, now time.Time, requested []string, want string) (*TokenResult, error) {
	if status != http.StatusOK {
		return nil, ParseErrorResponse(endpoint, status, body)
	}
	var tj tokenJSON
	if err := json.Unmarshal(body, &tj); err != nil {
		return nil, invalidResponse(endpoint, status, "response is not token JSON", body)
	}
	if tj.Error != "" {
		// An unorthodox server can send an error with 200: an "error" member
		// is an error whatever the status (RFC 6749 section 5.2).
		return nil, ParseErrorResponse(endpoint, status, body)
	}
	if tj.AccessToken == nil || *tj.AccessToken == "" {
		return nil, invalidResponse(endpoint, status, "success response without an access token", body)
	}
	typ := "Bearer"
	switch {
	case want != "":
		if !strings.EqualFold(tj.TokenType, want) {
			return nil, invalidResponse(endpoint, status, "token_type "+strconv.Quote(truncate(tj.TokenType, 20))+" answers a request for "+strconv.Quote(truncate(want, 20)), nil)
		}
		typ = want
	case tj.TokenType != "" && !strings.EqualFold(tj.TokenType, "bearer"):
		return nil, invalidResponse(endpoint, status, "unsupported token_type "+strconv.Quote(truncate(tj.TokenType, 20)), nil)
	}
	r := &TokenResult{
		AccessToken:  *tj.AccessToken,
		TokenType:    typ,
		RefreshToken: tj.RefreshToken,
		IDToken:      tj.IDToken,
		ClientInfo:   tj.ClientInfo,
		FamilyID:     tj.Foci,
	}
	r.ExpiresOn = now.Add(defaultExpiresIn)
	if tj.ExpiresIn.Set {
		r.ExpiresOn = now.Add(lifetime(clamped(tj.ExpiresIn)))
	}
	if tj.ExtExpiresIn.Set {
		r.ExtExpiresOn = now.Add(lifetime(clamped(tj.ExtExpiresIn)))
	}
	if tj.RefreshIn.Set && clamped(tj.RefreshIn) > 0 {
		if ro := now.Add(lifetime(clamped(tj.RefreshIn))); ro.Before(r.ExpiresOn) {
			r.RefreshOn = ro
		}
	}
	if s := strings.Fields(tj.Scope); len(s) > 0 {
		r.Scopes = s
	} else {
		r.Scopes = append([]string(nil), requested...)
	}
	return r, nil
}

// lifetime is sec seconds, 0 to maxLifetime. The bound is checked before
// the conversion: sec*time.Second overflows int64 past about 9.2e9
// seconds ("expires_in":"3E10" became a time in 1805).
func lifetime(sec int64) time.Duration {
	if sec <= 0 {
		return 0
	}
	if sec >= int64(maxLifetime/time.Second) {
		return maxLifetime
	}
	return time.Duration(sec) * time.Second
}

type errorJSON struct {
	Error         string            `json:"error"`
	Description   string            `json:"error_description"`
	Codes         []json.RawMessage `json:"error_codes"`
	SubError      string            `json:"suberror"`
	Claims        string            `json:"claims"`
	CorrelationID string            `json:"correlation_id"`
	TraceID       string            `json:"trace_id"`
	Timestamp     string            `json:"timestamp"`
	ErrorURI      string            `json:"error_uri"`
}

// ParseErrorResponse turns an error answer from any endpoint into an
// *Error. A well-formed Entra error JSON fills the fields; anything else
// (HTML, empty, truncated, non-JSON, JSON without "error") gives Code
// "invalid_response" (errors.Is ErrInvalidResponse) with a short snippet
// from which anything resembling a token has been removed.
func ParseErrorResponse(endpoint string, status int, body []byte) *oauth.Error {
	var ej errorJSON
	if err := json.Unmarshal(body, &ej); err != nil || ej.Error == "" {
		what := "unexpected response"
		switch {
		case len(bytes.TrimSpace(body)) == 0:
			what = "empty response body"
		case looksHTML(body):
			what = "HTML page instead of JSON"
		case err != nil:
			what = "response is not JSON"
		}
		return invalidResponse(endpoint, status, what, body)
	}
	// Every field but Claims (echoed to the server verbatim) is cleaned
	// here, so code that prints a field rather than Error() is safe too.
	e := &oauth.Error{
		Endpoint: endpoint, StatusCode: status,
		Code: redact.Text(ej.Error), Description: sanitizeLines(ej.Description),
		SubError: redact.Text(ej.SubError), Claims: ej.Claims,
		CorrelationID: redact.Text(ej.CorrelationID), TraceID: redact.Text(ej.TraceID),
		Timestamp: redact.Text(ej.Timestamp), ErrorURI: redact.Text(ej.ErrorURI),
	}
	for _, raw := range ej.Codes {
		var n jsonnum.Number
		// An AADSTS code is a whole number; 1.5 is dropped, not read as 1.
		if n.UnmarshalJSON(raw) == nil && n.Set && n.Whole && clamped(n) >= 0 && clamped(n) <= math.MaxInt32 {
			e.AADSTS = append(e.AADSTS, int(clamped(n)))
		}
	}
	return e
}

// sanitizeLines cleans each line of s with redact.Text and joins them
// with "\n": Entra's error_description puts its trace and correlation IDs
// on lines of their own ("\r\n"), which Error() leaves out.
func sanitizeLines(s string) string {
	if redact.FirstUnsafe(s) < 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = redact.Text(l)
	}
	return strings.Join(lines, "\n")
}

func invalidResponse(endpoint string, status int, what string, body []byte) *oauth.Error {
	return &oauth.Error{Endpoint: endpoint, StatusCode: status, Code: "invalid_response",
		Description: what, Snippet: snippet(body)}
}

func looksHTML(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) > 64 {
		b = b[:64]
	}
	l := bytes.ToLower(b)
	return bytes.HasPrefix(l, []byte("<!doctype html")) || bytes.HasPrefix(l, []byte("<html")) || bytes.Contains(l, []byte("<head"))
}

// Format writes the result without its tokens, for every verb.
func (r TokenResult) Format(f fmt.State, _ rune) {
	var b strings.Builder
	b.WriteString("oauth.TokenResult{AccessToken: " + redact.Secret(r.AccessToken))
	b.WriteString(", RefreshToken: " + redact.Secret(r.RefreshToken))
	b.WriteString(", IDToken: " + redact.Secret(r.IDToken))
	b.WriteString(", TokenType: " + strconv.Quote(r.TokenType))
	b.WriteString(", ExpiresOn: " + r.ExpiresOn.String())
	b.WriteString(", Scopes: " + strconv.Quote(strings.Join(r.Scopes, " ")))
	b.WriteString(", FamilyID: " + strconv.Quote(r.FamilyID))
	b.WriteString(", Account: " + strconv.Quote(r.Account.HomeAccountID) + "}")
	redact.Format(f, b.String())
}
