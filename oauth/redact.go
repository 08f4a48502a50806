package oauth

import (
	"fmt"
	"strconv"

	"github.com/entraauth/entraauth/internal/redact"
)

// Types that hold a password or a token format themselves with every fmt
// verb (%v, %+v, %#v, %s, %q, %x, %d, ...), so that logging or printing
// one, by mistake or for debugging, never shows the secret. Implementing
// fmt.Formatter rather than String alone matters: for %d or %x, fmt
// would print a struct's string fields one by one.

// Format writes the token's type and lifetime, not the token, for every
// verb.
func (t AccessToken) Format(f fmt.State, _ rune) {
	redact.Format(f, "oauth.AccessToken{Token: "+redact.Secret(t.Token)+", ExpiresOn: "+t.ExpiresOn.String()+
		", RefreshOn: "+t.RefreshOn.String()+", TokenType: "+strconv.Quote(t.TokenType)+"}")
}
