package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
)

// defaultSubscription returns the ID of Azure CLI's default subscription
// (isDefault in azureProfile.json, under AZURE_CONFIG_DIR or ~/.azure)
// when it belongs to tenant (or names no tenant); "" when there is none.
func defaultSubscription(sio *stdio, tenant string) string {
	dir := envOr(sio, "AZURE_CONFIG_DIR")
	if dir == "" {
		home := envOr(sio, "HOME", "USERPROFILE")
		if home == "" || !filepath.IsAbs(home) { // never a relative .azure
			return ""
		}
		dir = filepath.Join(home, ".azure")
	}
	b, err := readFileMax(filepath.Join(dir, "azureProfile.json"), maxAzProfile)
	if err != nil {
		return ""
	}
	return profileDefault(b, tenant)
}

// profileDefault picks the default subscription out of an azureProfile.json
// (Azure CLI writes it with a UTF-8 byte order mark).
func profileDefault(b []byte, tenant string) string {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	var p struct {
		Subscriptions []struct {
			ID        string `json:"id"`
			TenantID  string `json:"tenantId"`
			IsDefault bool   `json:"isDefault"`
		} `json:"subscriptions"`
	}
	if json.Unmarshal(b, &p) != nil {
		return ""
	}
	for _, s := range p.Subscriptions {
		if s.IsDefault && (s.TenantID == "" || tenant == "" || strings.EqualFold(s.TenantID, tenant)) {
			return clean(s.ID)
		}
	}
	return ""
}
