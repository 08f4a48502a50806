package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Bounds on the files the tool reads back.
const (
	maxLoginFile = 1 << 20  // the record of the last login: a few hundred bytes
	maxStateFile = 16 << 20 // the fake authority's state: users, keys, tokens
	maxCAFile    = 4 << 20  // --ca-file: a PEM bundle (the system's is ~200 KB)
	maxAzProfile = 4 << 20  // azureProfile.json
)

// readFileMax reads the regular file at path, at most max bytes: a larger
// file is an error, found by reading one byte past max (not by a Stat
// another process could race), and nothing past that is read. A FIFO or
// device planted at path is refused before it is opened; one swapped in
// after that check is opened without waiting (openNoWait) and refused by
// the check of the open file, so the read cannot block.
func readFileMax(path string, max int64) ([]byte, error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", filepath.Base(path)) // a planted FIFO or device is not even opened
	}
	f, err := openNoWait(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", filepath.Base(path))
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s is over %d bytes", filepath.Base(path), max)
	}
	return b, nil
}
