package oauth

import (
	"fmt"
	"io"
	"strconv"
)

// redactedSecret stands for a secret in formatted output: whether it is
// set, and its length, which is not a secret.
func redactedSecret(s string) string {
	if s == "" {
		return `""`
	}
	return "[redacted, " + strconv.Itoa(len(s)) + " bytes]"
}

func writeFormatted(f fmt.State, s string) { _, _ = io.WriteString(f, s) }
