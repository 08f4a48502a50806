package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/entraauth/entraauth/oauth"
)

// aadstsHelp is one line of meaning and the next step for the common
// sign-in error codes, after Microsoft's reference
// (https://learn.microsoft.com/entra/identity-platform/reference-error-codes;
// https://login.microsoftonline.com/error?code=N has the current text).
var aadstsHelp = map[int]string{
	50011:   "the redirect URI is not one registered for the application. Next: register it in the app registration (Authentication).",
	50020:   "the user's account is not in this tenant (a guest who was not invited). Next: sign in with --tenant set to the user's own tenant, or have an administrator invite the user.",
	50034:   "the user account does not exist in this directory. Next: check the username and the tenant.",
	50053:   "the account is locked (too many failed sign-ins) or sign-in is blocked. Next: wait and retry, or ask an administrator.",
	50055:   "the password has expired. Next: change it (https://mysignins.microsoft.com), then sign in again.",
	50057:   "the user account is disabled. Next: ask an administrator to enable it.",
	50058:   "a silent sign-in found no signed-in user. Next: sign in interactively with `entraauth login`.",
	50076:   "multi-factor authentication is required (policy change or new location). Next: sign in interactively with `entraauth login` (browser or device code) to complete MFA.",
	50079:   "the user must register for multi-factor authentication. Next: sign in interactively with `entraauth login` and complete the registration.",
	50105:   "the user is not assigned to this application. Next: ask an administrator to assign the user (Enterprise applications > Users and groups).",
	50126:   "invalid username or password. Next: check both; federated or MFA accounts cannot use the password flow.",
	50158:   "an external security challenge (federated MFA, third-party provider) was not satisfied. Next: sign in interactively with `entraauth login`.",
	50173:   "the grant was revoked (password changed or sessions revoked). Next: sign in again with `entraauth login`.",
	53003:   "blocked by Conditional Access. Next: give the correlation ID and timestamp to your administrator (sign-in logs show which policy).",
	530003:  "Conditional Access requires a managed or compliant device. Next: sign in from a managed device, or ask your administrator.",
	65001:   "the user or an administrator has not consented to the application. Next: sign in interactively to consent, or ask an administrator to grant consent.",
	65004:   "the user declined to consent to the application. Next: sign in again and accept, or ask an administrator to grant consent.",
	70000:   "the grant is invalid (a refresh token or code that is expired, revoked or for another client). Next: sign in again with `entraauth login`.",
	70008:   "the refresh token or code expired or was revoked. Next: sign in again with `entraauth login`.",
	70011:   "the scope is invalid. Next: check --scope (a resource's scope, or RESOURCE/.default).",
	700016:  "the application (client ID) was not found in the tenant. Next: check --client-id and --tenant; the app may need consent in this tenant.",
	700082:  "the refresh token expired because it was not used for too long (90 days). Next: sign in again with `entraauth login`.",
	7000218: "the application is not a public client: the request needs a client secret. Next: in the app registration set 'Allow public client flows' to Yes, or use another --client-id.",
	90002:   "the tenant was not found (wrong ID or domain, or no active subscription). Next: check --tenant; use the tenant ID (a GUID) or a verified domain.",
	9001023: "this grant type is not supported on /common or /consumers. Next: use --tenant organizations or the tenant's ID.",
}

// describeError is err as the user sees it: cleaned of control characters
// and, for an error of the authority, the meaning and next step of each
// known AADSTS code and the correlation ID and timestamp to give to an
// administrator.
func describeError(err error) string {
	msg := clean(err.Error())
	// The cache's errors name the library's opt-in for a plain file, which
	// means nothing to a user of the tool: say what the tool offers.
	msg = strings.ReplaceAll(msg, "to keep them unencrypted instead, opt in with cache.NewPlaintextFile",
		"without --require-encrypted-cache, entraauth keeps them in a 0600 file where no secret store works")
	var oe *oauth.Error
	if !errors.As(err, &oe) {
		return msg
	}
	var b strings.Builder
	b.WriteString(msg)
	codes := oe.AADSTS
	if len(codes) == 0 {
		codes = codesIn(oe.Description)
	}
	for _, c := range codes {
		if h, ok := aadstsHelp[c]; ok {
			fmt.Fprintf(&b, "\n  AADSTS%d: %s", c, h)
		} else {
			fmt.Fprintf(&b, "\n  AADSTS%d: see https://login.microsoftonline.com/error?code=%d", c, c)
		}
	}
	if oe.CorrelationID != "" || oe.Timestamp != "" {
		fmt.Fprintf(&b, "\n  Correlation ID: %s  Timestamp: %s  (give these to your administrator)", clean(oe.CorrelationID), clean(oe.Timestamp))
	}
	return b.String()
}

// codesIn finds "AADSTS<digits>" codes in a description.
func codesIn(desc string) []int {
	var out []int
	for rest := desc; ; {
		i := strings.Index(rest, "AADSTS")
		if i < 0 {
			return out
		}
		rest = rest[i+len("AADSTS"):]
		n, j := 0, 0
		for j < len(rest) && j < 9 && rest[j] >= '0' && rest[j] <= '9' {
			n = n*10 + int(rest[j]-'0')
			j++
		}
		if j > 0 {
			out = append(out, n)
		}
	}
}
