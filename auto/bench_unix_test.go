//go:build unix

package auto_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/entraauth/entraauth/auto"
	"github.com/entraauth/entraauth/azurecli"
	"github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

// BenchmarkAutoSilent is one silent auto run of a new process (a new
// credential over a persistent cache that holds a valid token), with
// the Azure CLI installed but signed out (az's stand-in takes a second
// to say "run az login", as real az does) and with the Azure CLI step
// excluded. az's files show no session, so the two should cost the same.
//
//	go test -run '^$' -bench BenchmarkAutoSilent -benchtime 20x ./auto/
func BenchmarkAutoSilent(b *testing.B) {
	a := fa.New(nil)
	dir := b.TempDir()
	path := filepath.Join(dir, "cache.json")
	fileCache := func() *cache.Cache {
		st, err := cache.NewPlaintextFile(path, nil)
		if err != nil {
			b.Fatal(err)
		}
		return cache.New(st, nil)
	}
	p, _ := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: fileCache()}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	if _, err := p.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}}); err != nil {
		b.Fatal(err)
	}
	az := filepath.Join(dir, "az")
	if err := os.WriteFile(az, []byte("#!/bin/sh\nsleep 1\necho \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n"), 0o700); err != nil {
		b.Fatal(err)
	}
	signedOut := filepath.Join(dir, "azure")
	if err := os.Mkdir(signedOut, 0o700); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(signedOut, "azureProfile.json"), []byte("\ufeff{\"subscriptions\": []}"), 0o600); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name    string
		exclude bool
	}{{"azcli-signed-out", false}, {"azcli-excluded", true}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				cred, err := auto.New("", &auto.Options{ExcludeBroker: true, ExcludeBrowser: true, ExcludeDeviceCode: false,
					ExcludeAzureCLI: bc.exclude, AzureCLI: &azurecli.Options{ConfigDir: signedOut, AzPath: az},
					ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: fileCache()}})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}}); err != nil {
					b.Fatal(err)
				}
				cred.Close()
			}
		})
	}
}
