package engine

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/entraauth/entraauth/internal/redact"
)

// UserRealm is the answer of user realm discovery: whether an account is
// managed by Entra ID or federated to another identity provider.
type UserRealm struct {
	// AccountType is "Managed", "Federated" or "Unknown".
	AccountType string `json:"account_type"`
	// DomainName is the user's domain.
	DomainName string `json:"domain_name"`
	// CloudInstanceName is e.g. "microsoftonline.com".
	CloudInstanceName string `json:"cloud_instance_name"`
	// CloudAudienceURN is e.g. "urn:federation:MicrosoftOnline".
	CloudAudienceURN string `json:"cloud_audience_urn"`
	// FederationProtocol is "WSTrust" or "SAML20" for a federated account.
	FederationProtocol string `json:"federation_protocol"`
	// FederationMetadataURL is the identity provider's metadata (MEX) URL.
	FederationMetadataURL string `json:"federation_metadata_url"`
	// FederationActiveAuthURL is the identity provider's sign-in URL.
	FederationActiveAuthURL string `json:"federation_active_auth_url"`
}

// ParseUserRealm reads a user realm discovery answer. account_type is
// required; a federated realm must name its metadata URL.
func ParseUserRealm(status int, body []byte) (*UserRealm, error) {
	if status != http.StatusOK {
		return nil, ParseErrorResponse("userrealm", status, body)
	}
	var ur UserRealm
	if err := json.Unmarshal(body, &ur); err != nil {
		return nil, invalidResponse("userrealm", status, "user realm is not JSON", body)
	}
	// Shown to the user in FederatedAccountError's text.
	ur.DomainName, ur.FederationProtocol = redact.Text(ur.DomainName), redact.Text(ur.FederationProtocol)
	ur.CloudInstanceName, ur.CloudAudienceURN = redact.Text(ur.CloudInstanceName), redact.Text(ur.CloudAudienceURN)
	switch {
	case strings.EqualFold(ur.AccountType, "Managed"):
		ur.AccountType = "Managed"
	case strings.EqualFold(ur.AccountType, "Federated"):
		ur.AccountType = "Federated"
		if ur.FederationMetadataURL == "" && ur.FederationActiveAuthURL == "" {
			return nil, invalidResponse("userrealm", status, "federated realm without a federation URL", nil)
		}
	case strings.EqualFold(ur.AccountType, "Unknown"):
		ur.AccountType = "Unknown"
	default:
		return nil, invalidResponse("userrealm", status, "user realm without a known account_type", nil)
	}
	return &ur, nil
}

// UserRealm asks the authority how username signs in.
func (c *Client) UserRealm(ctx context.Context, auth Authority, username string) (*UserRealm, error) {
	resp, err := c.wire.do(ctx, "userrealm", http.MethodGet, auth.UserRealmURL(username), nil)
	if err != nil {
		return nil, err
	}
	return ParseUserRealm(resp.status, resp.body)
}
