package fakeauthority

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// aadInfo is how Entra answers one AADSTS code: the OAuth "error", the
// HTTP status, the start of error_description and the suberror.
type aadInfo struct {
	err    string
	status int
	text   string
	sub    string
}

// catalog holds the AADSTS codes the fake emits or a test can script.
// Texts follow Entra's error-code reference; see the package doc for the
// codes whose exact use is the fake's choice.
var catalog = map[int]aadInfo{
	28000:   {"invalid_scope", 400, "Provided value for the input parameter scope is not valid because it contains more than one resource.", ""},
	50011:   {"invalid_request", 400, "The redirect URI specified in the request does not match the redirect URIs configured for the application.", ""},
	50020:   {"invalid_grant", 400, "User account from identity provider does not exist in tenant and cannot access the application in that tenant.", ""},
	50034:   {"invalid_grant", 400, "The user account does not exist in the directory. To sign into this application, the account must be added to the directory.", ""},
	50049:   {"invalid_instance", 400, "Unknown or invalid instance.", ""},
	50053:   {"invalid_grant", 400, "Your account is locked because the user tried to sign in too many times with an incorrect user ID or password.", ""},
	50055:   {"invalid_grant", 400, "The password is expired.", "user_password_expired"},
	50057:   {"invalid_grant", 400, "The user account is disabled.", ""},
	50058:   {"login_required", 400, "A silent sign-in request was sent but no user is signed in.", ""},
	50074:   {"invalid_grant", 400, "Strong Authentication is required.", "basic_action"},
	50076:   {"invalid_grant", 400, "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access this resource.", "basic_action"},
	50078:   {"invalid_grant", 400, "Presented multi-factor authentication has expired due to policies configured by your administrator, you must refresh your multi-factor authentication to access this resource.", "basic_action"},
	50079:   {"invalid_grant", 400, "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access this resource.", "additional_action"},
	50126:   {"invalid_grant", 400, "Error validating credentials due to invalid username or password.", ""},
	50173:   {"invalid_grant", 400, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.", "bad_token"},
	50194:   {"invalid_request", 400, "Application is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant.", ""},
	53003:   {"invalid_grant", 400, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", "message_only"},
	54005:   {"invalid_grant", 400, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.", ""},
	65001:   {"invalid_grant", 400, "The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.", "consent_required"},
	65004:   {"access_denied", 400, "User declined to consent to access the app.", ""},
	70000:   {"invalid_grant", 400, "The provided grant is invalid or malformed.", ""},
	70003:   {"unsupported_grant_type", 400, "The app requested an unsupported grant type.", ""},
	70008:   {"invalid_grant", 400, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.", ""},
	70011:   {"invalid_scope", 400, "The provided request must include a valid 'scope' input parameter. The provided value for the input parameter 'scope' is not valid.", ""},
	70016:   {"authorization_pending", 400, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.", ""},
	70018:   {"bad_verification_code", 400, "Invalid verification code was entered.", ""},
	70019:   {"expired_token", 400, "Verification code expired.", ""},
	70020:   {"expired_token", 400, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.", ""},
	70043:   {"invalid_grant", 400, "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.", "token_expired"},
	90002:   {"invalid_tenant", 400, "Tenant not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", ""},
	90033:   {"temporarily_unavailable", 503, "A transient error has occurred. Please try again.", ""},
	90055:   {"temporarily_unavailable", 429, "There are too many incoming requests. Please try again later.", ""},
	500011:  {"invalid_resource", 400, "The resource principal was not found in the tenant.", ""},
	500112:  {"invalid_grant", 400, "The reply address does not match the reply address provided when requesting Authorization code.", ""},
	501481:  {"invalid_grant", 400, "The Code_Verifier does not match the code_challenge supplied in the authorization request.", ""},
	700016:  {"unauthorized_client", 400, "Application was not found in the directory. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.", ""},
	700082:  {"invalid_grant", 400, "The refresh token has expired due to inactivity.", "bad_token"},
	700084:  {"invalid_grant", 400, "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime, which cannot be extended.", "bad_token"},
	900144:  {"invalid_request", 400, "The request body must contain the following parameter.", ""},
	700025:  {"invalid_client", 401, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.", ""},
	7000218: {"invalid_client", 401, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", ""},
	9001023: {"invalid_request", 400, "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.", ""},
	9002313: {"invalid_request", 400, "Invalid request. Request is malformed or invalid.", ""},
}

// entraError is an error the fake answers with.
type entraError struct {
	code   int    // AADSTS number
	err    string // overrides the catalog's "error"
	detail string // appended to the catalog text
	sub    string // overrides the catalog's suberror
	claims string // claims challenge
	status int    // overrides the catalog's HTTP status
}

// errorBody is Entra's token-endpoint error JSON.
type errorBody struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	Codes         []int  `json:"error_codes"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
	ErrorURI      string `json:"error_uri,omitempty"`
	SubError      string `json:"suberror,omitempty"`
	Claims        string `json:"claims,omitempty"`
}

// body builds the error JSON for e as Entra would send it at now.
func (e entraError) body(r *http.Request, rc *reqCtx, now time.Time) (int, errorBody) {
	info, ok := catalog[e.code]
	if !ok {
		info = aadInfo{"invalid_request", 400, "Error scripted by the fake authority.", ""}
	}
	if e.err != "" {
		info.err = e.err
	}
	if e.sub != "" {
		info.sub = e.sub
	}
	if e.status != 0 {
		info.status = e.status
	}
	text := info.text
	if e.detail != "" {
		text += " " + e.detail
	}
	ts := now.UTC().Format("2006-01-02 15:04:05Z")
	trace := newUUID()
	corr := r.Header.Get("client-request-id")
	if corr == "" {
		corr = newUUID()
	}
	code := strconv.Itoa(e.code)
	desc := "AADSTS" + code + ": " + text + "\r\nTrace ID: " + trace + "\r\nCorrelation ID: " + corr + "\r\nTimestamp: " + ts
	return info.status, errorBody{
		Error: info.err, Description: desc, Codes: []int{e.code},
		Timestamp: ts, TraceID: trace, CorrelationID: corr,
		ErrorURI: rc.base + "/error?code=" + code, SubError: info.sub, Claims: e.claims,
	}
}

// writeError answers a JSON endpoint with e.
func (a *Authority) writeError(w http.ResponseWriter, r *http.Request, rc *reqCtx, e entraError) {
	status, b := e.body(r, rc, a.now())
	if (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, status, b)
}

// missingParam is AADSTS900144 for a required parameter.
func missingParam(name string) entraError {
	return entraError{code: 900144, detail: "'" + name + "'"}
}

// writeHTMLError writes an Entra-style HTML error page.
func writeHTMLError(w http.ResponseWriter, status int, title, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = pageError.Execute(w, struct{ Title, Message string }{title, msg})
}

// aadstsMessage is "AADSTSnnnn: text" for an HTML page.
func aadstsMessage(code int, detail string) string {
	text := catalog[code].text
	if detail != "" {
		text += " " + detail
	}
	return "AADSTS" + strconv.Itoa(code) + ": " + strings.TrimSpace(text)
}
