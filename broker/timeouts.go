//go:build linux || windows

package broker

import "time"

// callTimeout bounds every broker call but an interactive sign-in (silent token, accounts,
// sign-out, version). A variable only so a test can shorten it.
var callTimeout = 30 * time.Second
