// Package chromium holds the system tests that drive a real headless
// Chromium through the DevTools protocol (chromedp, over a pipe): the
// loopback credential's interactive sign-in end to end, and the fake
// authority's sign-in and device-login pages.
//
// They live in a module of their own so that chromedp and its
// dependencies never enter the module graph of a user of the library.
// Without Chromium they skip, naming the Debian package chromium, unless
// ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1, where they fail.
package chromium
