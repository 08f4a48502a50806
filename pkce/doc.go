// Package pkce implements Proof Key for Code Exchange (RFC 7636) for public
// clients: a fresh code verifier, its S256 code challenge, and validation of
// a verifier received from elsewhere.
//
// A verifier is 32 bytes from crypto/rand encoded as unpadded base64url, so
// it is always 43 characters long, the shortest length RFC 7636 allows and
// the form MSAL Go uses. The challenge is BASE64URL(SHA256(verifier)) with
// method "S256"; the "plain" method is deliberately not offered.
//
//	v, err := pkce.NewVerifier()
//	// send pkce.Challenge(v) and pkce.Method on /authorize,
//	// then v as code_verifier when redeeming the code.
package pkce
