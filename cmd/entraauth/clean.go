package main

import (
	"github.com/entraauth/entraauth/internal/redact"
)

// clean is the library's one sanitizer, redact.Text: every server
// string the tool prints (claims, usernames, error text, the device code
// prompt, Azure CLI's profile) goes through it first.
var clean = redact.Text
