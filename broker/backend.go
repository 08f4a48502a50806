package broker

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
)

// backend is one OS broker. The files named after each broker implement
// it; request shaping and response parsing are OS-independent and tested
// everywhere, the transport (D-Bus, COM) is in the OS's files.
type backend interface {
	// interactive signs a user in through the broker's window.
	interactive(ctx context.Context, r *request) (*reply, error)
	// silent gets a token without UI, for r.account (nil: the OS default
	// account); errors matching oauth.ErrInteractionRequired or
	// errNoAccount mean a window is needed.
	silent(ctx context.Context, r *request) (*reply, error)
	accounts(ctx context.Context, clientID, redirectURI string) ([]brokerAccount, error)
	remove(ctx context.Context, clientID string, a *brokerAccount) error
	close() error
}

// request is one token request, whatever the broker.
type request struct {
	clientID, authority, redirectURI string
	scopes                           []string
	claims                           string
	loginHint                        string
	parentWindow                     uintptr
	msaPassthrough                   bool
	correlationID                    string
	account                          *brokerAccount
}

// reply is a broker's token answer, parsed.
type reply struct {
	result  *engine.TokenResult // RefreshToken is always empty
	account *brokerAccount      // the broker's account, when it said
}

// brokerAccount is an account as a broker lists it: the fields this
// module uses, and the broker's own representation (the Linux broker's
// JSON object, WAM's account ID), sent back verbatim in later calls.
type brokerAccount struct {
	oauth.Account
	raw []byte
}

// newCorrelationID returns a random version 4 UUID, lower case, as the
// brokers' own clients send.
func newCorrelationID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
