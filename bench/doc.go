// Package bench compares entraauth with MSAL Go (apps/public) and
// azidentity, side by side, against the same fake authority.
package bench
