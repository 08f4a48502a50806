package persistent

import (
	"unsafe"

	"github.com/entraauth/entraauth/cache"
	"golang.org/x/sys/windows"
)

// NewDPAPIFile returns a storage that keeps the cache in the file at path
// encrypted with DPAPI for the current user (CryptProtectData, no entropy,
// no UI), the format MSAL .NET's and MSAL Python's extensions and Azure
// CLI's msal_token_cache.bin use, so each can read the others' files.
// Everything else is as for [cache.NewPlaintextFile]: lock file, atomic
// replace, quarantine of an unreadable file.
func NewDPAPIFile(path string, opts *cache.FileOptions) (*cache.FileStorage, error) {
	return cache.NewSealedFile(path, dpapi{}, opts)
}

// dpapi is the [cache.Sealer] of DPAPI files.
type dpapi struct{}

func (dpapi) Seal(plain []byte) ([]byte, error) {
	return dpapiCall(plain, func(in, out *windows.DataBlob) error {
		return windows.CryptProtectData(in, nil, nil, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, out)
	})
}

func (dpapi) Open(sealed []byte) ([]byte, error) {
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
