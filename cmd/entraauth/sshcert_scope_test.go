package main

import (
	"testing"

	"github.com/entraauth/entraauth/sshcert"
)

// TestSSHCertScope: ssh-cert asks the certificate service of the cloud
// the session signs in to, not always the public cloud's.
func TestSSHCertScope(t *testing.T) {
	for host, want := range map[string]string{
		"":                                 sshcert.ScopePublic,
		"https://login.chinacloudapi.cn":   sshcert.ScopeChina,
		"https://login.microsoftonline.us": sshcert.ScopeUSGovernment,
	} {
		s := &session{}
		s.client.AuthorityHost = host
		if got := sshCertOptions(s).Scope; got != want {
			t.Errorf("authority host %q: scope %q, want %q", host, got, want)
		}
	}
}
