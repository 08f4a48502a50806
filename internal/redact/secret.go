package redact

import (
	"fmt"
	"io"
	"strconv"
)

// Secret stands for a secret in formatted output: whether it is
// set, and its length, which is not a secret.
func Secret(s string) string {
	if s == "" {
		return `""`
	}
	return "[redacted, " + strconv.Itoa(len(s)) + " bytes]"
}

// Format writes s, a value's redacted text, as a fmt.Formatter's output.
func Format(f fmt.State, s string) { _, _ = io.WriteString(f, s) }
