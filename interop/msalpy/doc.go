// Package msalpy holds interoperability tests with real MSAL Python and
// azure-identity (Debian packages python3-msal, python3-azure and
// python3-msal-extensions, run by /usr/bin/python3): both sides sign in,
// refresh and write one shared token cache file and one
// AuthenticationRecord against the fake authority of
// github.com/entraauth/entraauth/conformance/fakeauthority over TLS, in
// both orders, interleaved and at the same time, with the fake's
// single-use refresh tokens (rotation enforced). It is a nested module so
// the main module never depends on a Python toolchain.
//
// The package has no code of its own; everything is in its tests and in
// the small Python scripts under testdata/, one per role in a scenario
// (common.py holds what they share). Both sides are configured with
// https://login.microsoftonline.com, which the fake answers with a
// certificate for that name: our client dials the fake directly, Python
// reaches it through a CONNECT proxy of the test (HTTPS_PROXY) and trusts
// it through REQUESTS_CA_BUNDLE. So the cache's environment is the real
// host name on both sides and MSAL Python runs with its defaults; it
// could not use the fake's own https://127.0.0.1:PORT, because it drops
// an authority's port (the environment is the bare host name, and the
// user realm is asked on port 443).
//
// They are system tests: without the Python packages they skip, naming
// the packages, unless ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1, where they fail.
//
// ENTRAAUTH_UPDATE_GOLDEN=1 makes TestCaptureMSALPythonGolden rewrite
// ../../cache/testdata/msal_python.json, the cache file MSAL Python wrote,
// which the cache package's golden test reads.
package msalpy
