// Package msalgo holds interoperability tests: real MSAL Go
// (github.com/AzureAD/microsoft-authentication-library-for-go, from the
// module proxy) signs in against the fake authority of
// github.com/entraauth/entraauth/conformance/fakeauthority over TLS,
// unchanged. It is a nested module so the main module never links MSAL.
//
// Its one piece of code is [Credential], an adapter from MSAL Go's public
// client to oauth.Credential (silent, then device code), so the
// conformance kit runs the same checks against MSAL Go as against this
// module's credentials (TestConformance; the checks MSAL Go fails are
// listed with their reasons, and conformance/REPORT.md shows them).
// Everything else is in its tests. Their helper newMSAL starts the fake authority over TLS and returns an MSAL
// public.Client pointed at it, for other test files of this package
// (cache interop, password-then-silent) to reuse.
package msalgo
