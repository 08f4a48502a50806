package pkce_test

import (
	"fmt"

	"github.com/entraauth/entraauth/pkce"
)

func ExampleChallenge() {
	// The verifier from RFC 7636 Appendix B.
	fmt.Println(pkce.Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), pkce.Method)
	// Output: E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM S256
}

func ExampleNewVerifier() {
	v, err := pkce.NewVerifier()
	if err != nil {
		panic(err)
	}
	fmt.Println(len(v), pkce.Validate(v))
	// Output: 43 <nil>
}
