package loopback

import "github.com/entraauth/entraauth/oauth"

// canShowURL is checked before a sign-in starts listening: with no OpenURL
// hook and no Output to print the URL to, a machine where [OpenBrowser]
// has no command to try cannot show the sign-in page to anyone.
func (c *Credential) canShowURL() error {
	if c.opts.OpenURL != nil || c.opts.Output != nil || CanOpenBrowser() {
		return nil
	}
	return noBrowser(ErrNoBrowser)
}

// noBrowser is the error of a credential with no browser to open: it is
// unavailable here (as azure-identity's InteractiveBrowserCredential on a
// machine without one), so oauth.Chain tries the next flow. err matches
// ErrNoBrowser.
func noBrowser(err error) error {
	return &oauth.CredentialUnavailableError{Credential: "loopback",
		Reason: "no browser can be opened on this machine (set $BROWSER, or use the device code flow)", Err: err}
}
