package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// claimMeanings explains the Entra ID claims decode knows, from Microsoft's
// claims reference (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
// and .../id-token-claims-reference).
var claimMeanings = map[string]string{
	"tid":                "tenant ID: the directory the user signed in to (home tenant, or a guest's resource tenant)",
	"oid":                "object ID: the user (or service principal) in that tenant; the same for every app",
	"sub":                "subject: the user, unique to this application (pairwise)",
	"scp":                "delegated permissions (scopes) granted to the client, space-separated",
	"roles":              "application roles (app permissions, or the user's app roles) granted",
	"xms_cc":             "client capabilities: \"cp1\" means the client handles Continuous Access Evaluation claims challenges",
	"acrs":               "authentication context class references satisfied (Conditional Access auth contexts, c1..c99)",
	"idtyp":              "identity type: \"user\" for a user, \"app\" for an application-only token",
	"amr":                "authentication methods used: pwd, mfa, rsa, otp, fido, wia, ...",
	"aud":                "audience: the resource (API) this token is for; only that API should accept it",
	"iss":                "issuer: the authority that signed the token (https://login.microsoftonline.com/{tid}/v2.0 or https://sts.windows.net/{tid}/)",
	"azp":                "authorized party: the client ID that asked for the token (v2.0 tokens)",
	"appid":              "the client ID that asked for the token (v1.0 tokens)",
	"ver":                "token format version, 1.0 or 2.0",
	"upn":                "user principal name (may change; not an identifier)",
	"preferred_username": "sign-in name to display (may change; not an identifier)",
	"uti":                "token identifier (quote it to Microsoft support to find the token's issuance)",
	"wids":               "directory role template IDs the user holds (e.g. Global Administrator)",
	"groups":             "group object IDs the user belongs to (when the app asks for them)",
}

// explainClaims returns the meaning of each known claim present.
func explainClaims(claims map[string]any) map[string]string {
	out := map[string]string{}
	for k := range claims {
		if m, ok := claimMeanings[k]; ok {
			out[k] = m
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// timeClaims are NumericDate claims shown in UTC and local time.
var timeClaims = map[string]bool{"exp": true, "nbf": true, "iat": true, "auth_time": true, "xms_tcdt": true}

// printDecoded writes d as JSON or as text for a person.
func printDecoded(w io.Writer, d *decoded, format string) error {
	if format == "json" {
		return writeJSON(w, d)
	}
	var b strings.Builder
	b.WriteString("Header:\n")
	writeMembers(&b, d.Header, nil)
	b.WriteString("\nClaims:\n")
	writeMembers(&b, d.Claims, d.Explained)
	b.WriteString("\n")
	switch {
	case d.ExpiresOn == nil:
		b.WriteString("Expiry:    none (no exp claim)\n")
	case *d.Expired:
		fmt.Fprintf(&b, "Expiry:    EXPIRED %s ago\n", time.Since(*d.ExpiresOn).Round(time.Second))
	default:
		fmt.Fprintf(&b, "Expiry:    valid for %s more\n", time.Until(*d.ExpiresOn).Round(time.Second))
	}
	if d.Verified {
		fmt.Fprintf(&b, "Signature: verified with %s\n", d.VerifiedWith)
		b.WriteString(issuerLine(d) + "\n")
	} else {
		b.WriteString("Signature: not verified (--verify checks it against the issuer's keys)\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeMembers writes one "name: value" line per member, sorted, times in
// UTC and local time, each known claim's meaning below it.
func writeMembers(b *strings.Builder, m map[string]any, explained map[string]string) {
	for _, k := range sortedKeys(m) {
		fmt.Fprintf(b, "  %-10s %s\n", clean(k)+":", memberText(k, m[k]))
		if e := explained[k]; e != "" {
			fmt.Fprintf(b, "  %-10s   (%s)\n", "", e)
		}
	}
}

// memberText renders a claim value on one line, cleaned for the terminal.
func memberText(name string, v any) string {
	if timeClaims[name] {
		if t, ok := claimTime(v); ok {
			return fmt.Sprintf("%s  %s  (%s local)", v, t.Format("2006-01-02 15:04:05 UTC"), t.Local().Format("2006-01-02 15:04:05 MST"))
		}
	}
	if s, ok := v.(string); ok {
		return clean(s)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return clean(string(out))
}
