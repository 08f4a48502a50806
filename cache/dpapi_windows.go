package cache

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// NewDPAPIFile returns a storage that keeps the cache in the file at path
// encrypted with DPAPI for the current user (CryptProtectData, no entropy,
// no UI), the format MSAL .NET's and MSAL Python's extensions and Azure
// CLI's msal_token_cache.bin use, so each can read the others' files.
// Everything else is as for [NewPlaintextFile]: lock file, atomic replace,
// quarantine of an unreadable file.
func NewDPAPIFile(path string, opts *FileOptions) (*FileStorage, error) {
	return newFileStorage(path, opts, dpapi{})
}

type dpapi struct{}

func (dpapi) seal(plain []byte) ([]byte, error) {
	return dpapiCall(plain, func(in, out *windows.DataBlob) error {
		return windows.CryptProtectData(in, nil, nil, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, out)
	})
}

func (dpapi) open(sealed []byte) ([]byte, error) {
	return dpapiCall(sealed, func(in, out *windows.DataBlob) error {
		return windows.CryptUnprotectData(in, nil, nil, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, out)
	})
}

// dpapiCall runs one DPAPI call and copies its LocalAlloc'ed output.
func dpapiCall(data []byte, call func(in, out *windows.DataBlob) error) ([]byte, error) {
	if len(data) == 0 {
		return nil, nil // &data[0] would panic; an empty document needs no sealing
	}
	in := windows.DataBlob{Size: uint32(len(data)), Data: &data[0]}
	var out windows.DataBlob
	if err := call(&in, &out); err != nil {
		return nil, err
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return append([]byte(nil), unsafe.Slice(out.Data, out.Size)...), nil
}
