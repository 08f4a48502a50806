//go:build unix

package azurecli

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/entraauth/entraauth/oauth"
)

// Azure CLI's files are planted-file territory: a FIFO in place of
// azureProfile.json, config or clouds.config must not block GetToken (an
// open for reading waits for a writer that never comes).
func TestConfigFileFIFORefused(t *testing.T) {
	for _, file := range []string{"azureProfile.json", "config", "clouds.config"} {
		t.Run(file, func(t *testing.T) {
			dir := t.TempDir()
			if file != "azureProfile.json" {
				cloud := "AzureCloud" // a built-in cloud: no clouds.config read before config
				if file == "clouds.config" {
					cloud = "MyCloud"
				}
				writeFile(t, dir, "azureProfile.json", `{"subscriptions":[{"isDefault":true,"tenantId":"t",`+
					`"environmentName":"`+cloud+`","user":{"name":"u@x","type":"user"}}]}`)
			}
			p := filepath.Join(dir, file)
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := New(&Options{ConfigDir: dir, DisableSubprocess: true, Username: "u@x"})
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"https://management.azure.com/.default"}})
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil {
					t.Fatal("GetToken succeeded with a FIFO for " + file)
				}
			case <-time.After(3 * time.Second):
				// Unblock the reader so the test can end.
				if f, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
					f.Close()
				}
				<-done
				t.Errorf("reading a FIFO planted as %s blocked", file)
			}
		})
	}
}
