package oauth

import (
	"errors"
	"fmt"
	"strings"
)

// DefaultAuthorityHost is the public cloud's authority host, used when
// neither ClientOptions.AuthorityHost nor AZURE_AUTHORITY_HOST is set.
const DefaultAuthorityHost = "https://login.microsoftonline.com"

// Well-known tenants.
const (
	TenantCommon        = "common"
	TenantOrganizations = "organizations"
	TenantConsumers     = "consumers"
	TenantADFS          = "adfs"
	// MSATenantID is the tenant of personal Microsoft accounts; ID tokens
	// issued through "consumers" carry it as tid.
	MSATenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"
)

// ErrInvalidAuthority is matched (errors.Is) by every error that rejects an
// authority host or tenant.
var ErrInvalidAuthority = errors.New("oauth: invalid authority")

// ValidateTenant reports whether tenant is a usable tenant path segment: a
// well-known name, a GUID, or a domain name (letters, digits, '-' and '.').
func ValidateTenant(tenant string) error {
	if tenant == "" || len(tenant) > 256 {
		return fmt.Errorf("%w: tenant must be 1 to 256 characters", ErrInvalidAuthority)
	}
	for i := 0; i < len(tenant); i++ {
		c := tenant[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_'
		if !ok {
			return fmt.Errorf("%w: tenant has an invalid character at byte %d", ErrInvalidAuthority, i)
		}
	}
	// A leading '-' is no GUID or domain, and would read as an option
	// wherever a tenant is passed to a program (az --tenant).
	if tenant[0] == '.' || tenant[0] == '-' || strings.Contains(tenant, "..") {
		return fmt.Errorf("%w: tenant is not a GUID, domain or well-known name", ErrInvalidAuthority)
	}
	return nil
}
