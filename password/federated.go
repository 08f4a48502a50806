package password

import (
	"github.com/entraauth/entraauth/oauth"
)

// FederatedAccountError is returned by the password credential for a user
// whose domain is federated to another identity provider (user realm
// discovery says "Federated"): Entra does not check such passwords itself.
// Sign the user in with the device code (or browser) flow instead.
type FederatedAccountError struct {
	// Domain is the user's federated domain.
	Domain string
	// Protocol is the federation protocol, e.g. "WSTrust".
	Protocol string
	// MetadataURL is the identity provider's metadata URL.
	MetadataURL string
}

func (e *FederatedAccountError) Error() string {
	s := "oauth: the domain " + e.Domain + " is federated"
	if e.Protocol != "" {
		s += " (" + e.Protocol + ")"
	}
	return s + "; the password grant cannot sign in federated accounts: use the device code flow (package devicecode) instead"
}

// Is reports whether target is ErrInteractionRequired.
func (e *FederatedAccountError) Is(target error) bool { return target == oauth.ErrInteractionRequired }
