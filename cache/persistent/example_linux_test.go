package persistent_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/cache/persistent"
)

// New opens the named cache azure-identity shares. Here no Secret
// Service answers (the bus address names nothing), so without the opt-in
// it is an error, and with it the plaintext file.
func ExampleNew() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	opts := &persistent.Options{Name: "myapp", Dir: dir, BusAddress: "unix:path=" + dir + "/no-bus"}
	_, err := persistent.New(ctx, opts)
	fmt.Println("not allowed:", errors.Is(err, cache.ErrEncryptionUnavailable))

	opts.AllowUnencryptedStorage = true
	st, err := persistent.New(ctx, opts)
	if err != nil {
		panic(err)
	}
	fmt.Println("allowed, encrypted:", persistent.Encrypted(st))
	// Output:
	// not allowed: true
	// allowed, encrypted: false
}
