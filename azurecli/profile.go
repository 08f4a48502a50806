package azurecli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/entraauth/entraauth/internal/redact"
)

// maxConfigFile bounds what is read of azureProfile.json, clouds.config
// and config: a profile with thousands of subscriptions is a few MB.
const maxConfigFile = 16 << 20

// errNoSession: Azure CLI has no signed-in user this credential can use.
var errNoSession = errors.New("no Azure CLI session")

// session is the Azure CLI account to use: from azureProfile.json's
// default subscription, or the options.
type session struct {
	username string // user.name: the sign-in name for a user
	userType string // user.type: "user", "servicePrincipal"
	tenantID string // the subscription's tenant
	cloud    string // environmentName: AzureCloud, a registered cloud's name
}

// profileDoc is the part of azureProfile.json this package reads. Azure
// CLI writes it with a UTF-8 byte order mark.
type profileDoc struct {
	Subscriptions []struct {
		IsDefault       bool   `json:"isDefault"`
		TenantID        string `json:"tenantId"`
		EnvironmentName string `json:"environmentName"`
		User            struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"user"`
	} `json:"subscriptions"`
}

// parseProfile returns the default subscription's account.
func parseProfile(data []byte) (session, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var doc profileDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return session{}, fmt.Errorf("azurecli: azureProfile.json is not valid JSON: %w", err)
	}
	for _, s := range doc.Subscriptions {
		if !s.IsDefault {
			continue
		}
		if s.User.Name == "" || s.TenantID == "" {
			return session{}, fmt.Errorf("%w: the default subscription names no user or tenant", errNoSession)
		}
		// Every value may reach error text: strip terminal controls.
		return session{username: redact.Text(s.User.Name), userType: redact.Text(s.User.Type),
			tenantID: s.TenantID, cloud: redact.Text(s.EnvironmentName)}, nil
	}
	return session{}, fmt.Errorf("%w: azureProfile.json has no default subscription", errNoSession)
}

// readFile reads a configuration file of at most maxConfigFile bytes. A
// FIFO or device planted in its place is refused before it is opened;
// one swapped in after that check is opened without waiting (openNoWait:
// an open of a FIFO for reading waits for a writer, with no deadline) and
// refused by the check of the open file.
func readFile(path string) ([]byte, error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("azurecli: %s is not a regular file", path) // a planted FIFO or device is not even opened
	}
	f, err := openNoWait(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("azurecli: %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("azurecli: %s is not a regular file", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxConfigFile {
		return nil, fmt.Errorf("azurecli: %s is over %d bytes", path, maxConfigFile)
	}
	return b, nil
}

// builtinClouds are Azure CLI's clouds and their Active Directory
// endpoints (azure/cli/core/cloud.py); a registered cloud's endpoint is
// in clouds.config.
var builtinClouds = map[string]string{
	"azurecloud":        "https://login.microsoftonline.com",
	"azurechinacloud":   "https://login.chinacloudapi.cn",
	"azureusgovernment": "https://login.microsoftonline.us",
	"azuregermancloud":  "https://login.microsoftonline.de",
}

// authorityHost returns the Active Directory endpoint of an Azure CLI
// cloud: a built-in one, else endpoint_active_directory of its section
// in clouds.config.
func authorityHost(configDir, cloud string) (string, error) {
	if cloud == "" {
		cloud = "AzureCloud"
	}
	if h, ok := builtinClouds[strings.ToLower(cloud)]; ok {
		return h, nil
	}
	b, err := readFile(filepath.Join(configDir, "clouds.config"))
	if err != nil {
		return "", fmt.Errorf("azurecli: cloud %q is not built in and clouds.config cannot be read: %w", cloud, err)
	}
	h := parseINI(b)[cloud]["endpoint_active_directory"]
	if h == "" {
		return "", fmt.Errorf("azurecli: clouds.config names no Active Directory endpoint for cloud %q", cloud)
	}
	return strings.TrimRight(h, "/"), nil
}

// parseINI reads the subset of Python's configparser format Azure CLI
// writes: "[section]" lines and "key = value" (or "key: value") lines;
// "#" and ";" start comments. Keys are lower-cased, as configparser
// does; section names keep their case. Continuation lines are ignored.
func parseINI(data []byte) map[string]map[string]string {
	out := map[string]map[string]string{}
	var cur map[string]string
	sc := bufio.NewScanner(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	sc.Buffer(make([]byte, 0, 4096), maxConfigFile)
	for sc.Scan() {
		line := sc.Text()
		t := strings.TrimSpace(line)
		switch {
		case t == "" || t[0] == '#' || t[0] == ';':
		case t[0] == '[' && strings.HasSuffix(t, "]"):
			name := t[1 : len(t)-1]
			if out[name] == nil {
				out[name] = map[string]string{}
			}
			cur = out[name]
		case cur != nil && line[0] != ' ' && line[0] != '\t':
			i := strings.IndexAny(t, "=:")
			if i <= 0 {
				continue
			}
			cur[strings.ToLower(strings.TrimSpace(t[:i]))] = strings.TrimSpace(t[i+1:])
		}
	}
	return out
}
