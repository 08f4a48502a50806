// Package msalpy holds interoperability tests with real MSAL Python and
// azure-identity (Debian packages python3-msal, python3-azure and
// python3-msal-extensions, run by /usr/bin/python3): both sides sign in,
// refresh and write one shared token cache file and one
// AuthenticationRecord against the fake authority of
// github.com/entraauth/entraauth/conformance/fakeauthority over TLS, in
// both orders and at the same time. It is a nested module so the main
// module never depends on a Python toolchain.
//
// The package has no code of its own; everything is in its tests and in
// the small Python scripts under testdata/, one per role in a scenario.
// They are system tests: without the Python packages they skip, naming
// the packages, unless ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1, where they fail.
//
// ENTRAAUTH_UPDATE_GOLDEN=1 makes TestCaptureMSALPythonGolden rewrite
// ../../cache/testdata/msal_python.json, the cache file MSAL Python wrote,
// which the cache package's golden test reads.
package msalpy
