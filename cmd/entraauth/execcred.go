package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/entraauth/entraauth/oauth"
)

// The client.authentication.k8s.io versions an exec credential plugin can
// answer in (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins).
const (
	execV1      = "client.authentication.k8s.io/v1"
	execV1beta1 = "client.authentication.k8s.io/v1beta1"
)

// execCredentialVersion returns the apiVersion KUBERNETES_EXEC_INFO asks
// for (kubectl sets it to an ExecCredential whose apiVersion is the one
// it expects back), v1 when it is unset.
func execCredentialVersion(info string) (string, error) {
	if info == "" {
		return execV1, nil
	}
	var in struct {
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal([]byte(info), &in); err != nil {
		return "", fmt.Errorf("KUBERNETES_EXEC_INFO is not an ExecCredential: %v", err)
	}
	switch in.APIVersion {
	case execV1, execV1beta1:
		return in.APIVersion, nil
	case "":
		return execV1, nil
	}
	return "", fmt.Errorf("KUBERNETES_EXEC_INFO asks for apiVersion %q; entraauth answers %s or %s", clean(in.APIVersion), execV1, execV1beta1)
}

// execCredential is a client-go credential plugin's answer.
func execCredential(tok oauth.AccessToken, version string) map[string]any {
	return map[string]any{
		"kind":       "ExecCredential",
		"apiVersion": version,
		"spec":       map[string]any{"interactive": false},
		"status": map[string]any{
			"token":               tok.Token,
			"expirationTimestamp": tok.ExpiresOn.UTC().Format(time.RFC3339),
		},
	}
}
