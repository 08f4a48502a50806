package devicecode

import (
	"os"

	"github.com/entraauth/entraauth/oauth"
)

// reachable reports whether the default prompt, written to f (standard
// error), can reach anyone. Whether f is a terminal is not the test: a
// prompt in a CI job's log, a redirected file or a service's journal is
// read there, and a user watching a log can enter the code. Only two
// cases reach nobody for certain: f is closed (a daemon started without
// file descriptor 2) or it is the null device (2>/dev/null).
func reachable(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return &oauth.CredentialUnavailableError{Credential: "devicecode",
			Reason: "standard error, where the device code would be shown, is closed; set Options.UserPrompt to show it elsewhere", Err: err}
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(fi, null) {
		return &oauth.CredentialUnavailableError{Credential: "devicecode",
			Reason: "standard error, where the device code would be shown, is " + os.DevNull + "; set Options.UserPrompt to show it elsewhere"}
	}
	return nil
}
