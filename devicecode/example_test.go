package devicecode_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/oauth"
)

// ExampleNew signs in with a device code against the in-memory fake
// authority, which approves the code as its default user a moment after
// issuing it, as if a user had typed it. Against Microsoft Entra ID, leave
// AuthorityHost and HTTPClient unset.
func ExampleNew() {
	fa := fakeauthority.New(&fakeauthority.Options{DeviceInterval: time.Second, AutoApproveDevice: time.Millisecond})
	cred, err := devicecode.New("", &devicecode.Options{
		ClientOptions: oauth.ClientOptions{
			AuthorityHost: fa.URL(),
			TenantID:      fakeauthority.DefaultTenantID,
			HTTPClient:    fa.Client(),
		},
		UserPrompt: func(ctx context.Context, m devicecode.Message) error {
			// m.Message is Entra's own text; the code is random, so this
			// example prints only the page and the code's lifetime.
			fmt.Printf("open %s and enter the code (valid for %v)\n", m.VerificationURI, time.Until(m.ExpiresOn).Round(time.Minute))
			return nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec, err := cred.Authenticate(context.Background(), oauth.TokenOptions{Scopes: []string{"User.Read"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("signed in as", rec.Username)
	// Now the token comes from the cache: no prompt, no request.
	tok, err := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"User.Read"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("token valid for about", time.Until(tok.ExpiresOn).Round(time.Hour))
	// Output:
	// open https://login.microsoftonline.com/devicelogin and enter the code (valid for 15m0s)
	// signed in as alice@contoso.onmicrosoft.com
	// token valid for about 1h0m0s
}

// ExampleWriterPrompt shows what the default prompt prints: the warning
// the credential set (here for a page off Microsoft's hosts), then the
// checked page and code; never the server's own message.
func ExampleWriterPrompt() {
	prompt := devicecode.WriterPrompt(os.Stdout)
	_ = prompt(context.Background(), devicecode.Message{
		UserCode:        "ABCD1234",
		VerificationURI: "https://devicelogin.example/",
		Message:         "Open https://devicelogin.example/ and type ABCD1234.\x1b]0;title\x07",
		Warning:         "the verification page devicelogin.example is not a Microsoft sign-in page for login.microsoftonline.com; enter the code only if you trust that site",
	})
	// Output:
	// WARNING: the verification page devicelogin.example is not a Microsoft sign-in page for login.microsoftonline.com; enter the code only if you trust that site
	// To sign in, use a web browser to open the page https://devicelogin.example/ and enter the code ABCD1234 to authenticate.
}
