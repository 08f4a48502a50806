// Package fakebroker is a fake Microsoft identity broker for Linux: it
// serves the broker's D-Bus interface (com.microsoft.identity.Broker1 at
// /com/microsoft/identity/broker1, well-known name
// com.microsoft.identity.broker1) on a bus connection, and signs users in
// against the fake authority (package fakeauthority), so a brokered
// sign-in yields real tokens signed by the fake authority's keys, which a
// client verifies as it would Entra's.
//
// Like the real broker it keeps the refresh tokens to itself: a client
// gets access tokens, ID tokens, client_info and the broker's account
// objects. Its "interactive window" signs in as Options.Username (or the
// request's login hint) with Options.Password; its silent path redeems
// the refresh token it kept.
//
// Method shapes follow what public clients of the real broker send and
// read (https://github.com/siemens/linux-entra-sso,
// https://github.com/siemens/sso-mib): each method takes (protocolVersion,
// correlationId, requestJSON) and returns one JSON string; token answers
// are wrapped in "brokerTokenResponse", with broker errors inside it
// (status 2 and UiRequiredException for interaction required, as the real
// broker 2.0.1 answers when MFA has expired), other errors at the top
// level. [Broker.FailNext] makes the next call of a method answer with
// each error shape (status 2; status 7, the user closed the window, as
// broker 3.0.2 answers; status 0), a D-Bus error, malformed JSON, or no
// answer at all until cancelInteractiveFlow arrives or the broker is
// closed; [Broker.AnswerNext] replays an answer verbatim. Options.Mode
// selects himmelblau's stricter rules ([Himmelblau]).
//
// [StartBus] runs a private dbus-daemon (Debian package dbus) in a
// temporary directory, optionally with a .service file so that the daemon
// starts a broker binary on the first call, as the real broker is started;
// cmd/fakebroker is such a binary. The package imports neither testing
// nor httptest: a command-line tool can embed it (entraauth login --fake
// --flow broker does).
package fakebroker
