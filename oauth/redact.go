package oauth

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Types that hold a password or a token format themselves with every fmt
// verb (%v, %+v, %#v, %s, %q, %x, %d, ...), so that logging or printing
// one, by mistake or for debugging, never shows the secret. Implementing
// fmt.Formatter rather than String alone matters: for %d or %x, fmt
// would print a struct's string fields one by one.

// redactedSecret stands for a secret in formatted output: whether it is
// set, and its length, which is not a secret.
func redactedSecret(s string) string {
	if s == "" {
		return `""`
	}
	return "[redacted, " + strconv.Itoa(len(s)) + " bytes]"
}

func writeFormatted(f fmt.State, s string) { _, _ = io.WriteString(f, s) }

// Format writes the credential without its password, for every verb.
func (p PasswordCredential) Format(f fmt.State, _ rune) {
	clientID := ""
	if p.client != nil {
		clientID = p.client.clientID
	}
	writeFormatted(f, "oauth.PasswordCredential{ClientID: "+strconv.Quote(clientID)+
		", Username: "+strconv.Quote(p.username)+", Password: "+redactedSecret(p.password)+"}")
}

// Format writes the result without its tokens, for every verb.
func (r TokenResult) Format(f fmt.State, _ rune) {
	var b strings.Builder
	b.WriteString("oauth.TokenResult{AccessToken: " + redactedSecret(r.AccessToken))
	b.WriteString(", RefreshToken: " + redactedSecret(r.RefreshToken))
	b.WriteString(", IDToken: " + redactedSecret(r.IDToken))
	b.WriteString(", TokenType: " + strconv.Quote(r.TokenType))
	b.WriteString(", ExpiresOn: " + r.ExpiresOn.String())
	b.WriteString(", Scopes: " + strconv.Quote(strings.Join(r.Scopes, " ")))
	b.WriteString(", FamilyID: " + strconv.Quote(r.FamilyID))
	b.WriteString(", Account: " + strconv.Quote(r.Account.HomeAccountID) + "}")
	writeFormatted(f, b.String())
}

// Format writes the token's type and lifetime, not the token, for every
// verb.
func (t AccessToken) Format(f fmt.State, _ rune) {
	writeFormatted(f, "oauth.AccessToken{Token: "+redactedSecret(t.Token)+", ExpiresOn: "+t.ExpiresOn.String()+
		", RefreshOn: "+t.RefreshOn.String()+", TokenType: "+strconv.Quote(t.TokenType)+"}")
}
