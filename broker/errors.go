package broker

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/entraauth/entraauth/internal/redact"
	"github.com/entraauth/entraauth/oauth"
)

// Linux broker statuses whose meaning a public source shows. Other status
// values are reported as they come; their meaning is not published.
const (
	// StatusInteractionRequired: the user must sign in (again) in the
	// broker's window. Seen with UiRequiredException in broker 2.0.1
	// (https://github.com/siemens/linux-entra-sso/issues/114), with
	// "Code: 'invalid_grant' ... suberror: 'token_expired'" in 2.5.2
	// (https://github.com/siemens/linux-entra-sso/issues/129) and with
	// interaction_required in 3.0.2 (teams-lite SIGN-IN.md).
	StatusInteractionRequired = 2
	// StatusCanceled: the user closed the broker's window, "The
	// InteractiveRequest was canceled by the user" (broker 3.0.2,
	// https://github.com/theophile-wallez/teams-lite SIGN-IN.md). Such an
	// error matches oauth.ErrDeclined.
	StatusCanceled = 7
)

// Error is a failure a broker reported. When the broker relayed an
// authority error (an AADSTS code, an OAuth error code), OAuth holds it
// and errors.As finds it as an *oauth.Error too.
type Error struct {
	// Method is the broker call: "acquireTokenSilently",
	// "RequestTokenForWindowAsync", ...
	Method string
	// Status, SubStatus, Code and Tag are the broker's own numbers (the
	// Linux broker's status/subStatus/errorCode/tag; WAM's
	// WebTokenRequestStatus and WebProviderError.ErrorCode).
	Status, SubStatus int
	Code, Tag         int64
	// Exception is the broker's exception type, when it names one.
	Exception string
	// Message is the broker's text, cleaned of control characters.
	Message string
	// OAuth is the authority's error the broker relayed, if any.
	OAuth *oauth.Error
	// interaction is set when the failure asks for an interactive sign-in.
	interaction bool
	// canceled is set when the user closed the broker's window.
	canceled bool
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("broker: ")
	b.WriteString(e.Method)
	b.WriteString(": status ")
	b.WriteString(strconv.Itoa(e.Status))
	if e.SubStatus != 0 {
		b.WriteString("/" + strconv.Itoa(e.SubStatus))
	}
	if e.Code != 0 {
		b.WriteString(" code 0x" + strconv.FormatInt(e.Code, 16))
	}
	if e.interaction {
		b.WriteString(" (interaction required)")
	}
	if e.canceled {
		b.WriteString(" (canceled by the user)")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Unwrap returns the relayed authority error, if any.
func (e *Error) Unwrap() error {
	if e.OAuth == nil {
		return nil
	}
	return e.OAuth
}

// Is matches oauth.ErrInteractionRequired when the broker asks for an
// interactive sign-in, and oauth.ErrDeclined when the user canceled.
func (e *Error) Is(target error) bool {
	switch target {
	case oauth.ErrInteractionRequired:
		return e.interaction
	case oauth.ErrDeclined:
		return e.canceled
	}
	return false
}

var aadstsRE = regexp.MustCompile(`AADSTS(\d{1,9})`)

// aadCodeRE and aadSubErrorRE read the authority's error code and
// suberror out of the context the broker writes when its diagnostics are
// null: "Recieved an error from AAD. Code: 'invalid_grant' description:
// '(pii)' correlation id: '...' suberror: 'token_expired'" (broker 2.5.2,
// https://github.com/siemens/linux-entra-sso/issues/129; 3.0.2 with
// interaction_required, teams-lite SIGN-IN.md).
var (
	aadCodeRE     = regexp.MustCompile(`Code: '([A-Za-z0-9_]{1,64})'`)
	aadSubErrorRE = regexp.MustCompile(`suberror: '([A-Za-z0-9_]{1,64})'`)
)

// linuxError maps the Linux broker's error object.
func linuxError(method string, j *linuxErrorJSON) *Error {
	e := &Error{Method: method, Status: int(j.Status.Int()), SubStatus: int(j.SubStatus.Int()),
		Code: j.ErrorCode.Int(), Tag: j.Tag.Int(), Exception: clean(j.Diagnostics.ExceptionType),
		Message: clean(j.Context)}
	e.interaction = e.Status == StatusInteractionRequired || strings.Contains(e.Exception, "UiRequired")
	e.canceled = e.Status == StatusCanceled
	code, sub := clean(j.Diagnostics.RawErrorCode), clean(j.Diagnostics.SubError)
	if code == "" && strings.HasPrefix(e.Message, "Recieved an error from AAD.") {
		if m := aadCodeRE.FindStringSubmatch(e.Message); m != nil {
			code = m[1]
		}
		if m := aadSubErrorRE.FindStringSubmatch(e.Message); m != nil && sub == "" {
			sub = m[1]
		}
	}
	e.OAuth = relayedOAuth(method, code, sub, e.Message)
	if e.OAuth != nil && errors.Is(e.OAuth, oauth.ErrInteractionRequired) {
		e.interaction = true
	}
	return e
}

// relayedOAuth builds the *oauth.Error a broker relayed, or nil when its
// answer names no OAuth code and no AADSTS code.
func relayedOAuth(method, code, subError, text string) *oauth.Error {
	var codes []int
	for _, m := range aadstsRE.FindAllStringSubmatch(text, 8) {
		if n, err := strconv.Atoi(m[1]); err == nil {
			codes = append(codes, n)
		}
	}
	if code == "" && len(codes) == 0 {
		return nil
	}
	if code == "" {
		code = "broker_error"
	}
	return &oauth.Error{Endpoint: "broker " + method, Code: code, Description: text, AADSTS: codes, SubError: subError}
}

// maxText bounds a broker string kept in an error or account.
const maxText = 2048

// clean makes a broker string safe for a terminal (redact.Text:
// no control or bidi characters, valid UTF-8) and at most maxText bytes.
func clean(s string) string {
	if len(s) > 4*maxText {
		s = s[:4*maxText]
	}
	s = redact.Text(s)
	if len(s) > maxText {
		s = strings.ToValidUTF8(s[:maxText], "")
	}
	return s
}
