//go:build !unix

package azurecli

import "os"

// openNoWait opens path for reading (no FIFO to wait for here).
func openNoWait(path string) (*os.File, error) { return os.Open(path) }
