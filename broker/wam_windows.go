//go:build windows

package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The WinRT calls of WAM, through combase.dll and raw vtables (no cgo).
// What is built here compiles and vets for windows/amd64, arm64 and 386;
// it has not been run (see README.md). Every COM pointer obtained is
// released, every HSTRING created is deleted, and every asynchronous
// operation is awaited under the caller's context, canceled when it ends.

var (
	modcombase  = windows.NewLazySystemDLL("combase.dll")
	modkernel32 = windows.NewLazySystemDLL("kernel32.dll")
	moduser32   = windows.NewLazySystemDLL("user32.dll")

	procRoInitialize              = modcombase.NewProc("RoInitialize")
	procRoUninitialize            = modcombase.NewProc("RoUninitialize")
	procRoGetActivationFactory    = modcombase.NewProc("RoGetActivationFactory")
	procWindowsCreateString       = modcombase.NewProc("WindowsCreateString")
	procWindowsDeleteString       = modcombase.NewProc("WindowsDeleteString")
	procWindowsGetStringRawBuffer = modcombase.NewProc("WindowsGetStringRawBuffer")
	procGetConsoleWindow          = modkernel32.NewProc("GetConsoleWindow")
	procGetAncestor               = moduser32.NewProc("GetAncestor")
	procGetDesktopWindow          = moduser32.NewProc("GetDesktopWindow")
)

const (
	roInitMultithreaded = 1
	rpcEChangedMode     = 0x80010106
	gaRootOwner         = 3
	pollInterval        = 20 * time.Millisecond
)

// comObject is a COM interface pointer: its first word is the vtable.
type comObject struct{ vtbl *[64]uintptr }

// call invokes vtable slot with the object as first argument.
//
//go:uintptrescapes
func (o *comObject) call(slot int, args ...uintptr) error {
	all := make([]uintptr, 0, len(args)+1)
	all = append(all, uintptr(unsafe.Pointer(o)))
	all = append(all, args...)
	hr, _, _ := syscall.SyscallN(o.vtbl[slot], all...)
	if int32(hr) < 0 {
		return hresult(uint32(hr))
	}
	return nil
}

func (o *comObject) release() {
	if o != nil {
		syscall.SyscallN(o.vtbl[slotRelease], uintptr(unsafe.Pointer(o)))
	}
}

func (o *comObject) queryInterface(iid *guid) (*comObject, error) {
	var out *comObject
	if err := o.call(slotQueryInterface, uintptr(unsafe.Pointer(iid)), uintptr(unsafe.Pointer(&out))); err != nil {
		return nil, err
	}
	return out, nil
}

type hresult uint32

func (h hresult) Error() string { return fmt.Sprintf("HRESULT 0x%08X", uint32(h)) }

// comThread locks the goroutine to its OS thread and joins the
// multithreaded apartment; the returned func undoes both.
func comThread() func() {
	runtime.LockOSThread()
	hr, _, _ := procRoInitialize.Call(roInitMultithreaded)
	if int32(hr) >= 0 { // S_OK or S_FALSE: ours to uninitialize
		return func() { procRoUninitialize.Call(); runtime.UnlockOSThread() }
	}
	// RPC_E_CHANGED_MODE: the thread is already in an apartment; use it.
	return runtime.UnlockOSThread
}

// hstrings creates HSTRINGs and deletes them all at once.
type hstrings []uintptr

//go:uintptrescapes
func createString(p uintptr, n int, out uintptr) uintptr {
	hr, _, _ := procWindowsCreateString.Call(p, uintptr(n), out)
	return hr
}

func (hs *hstrings) new(s string) (uintptr, error) {
	u, err := hstringUnits(s)
	if err != nil {
		return 0, err
	}
	if len(u) == 0 {
		return 0, nil // the empty HSTRING is NULL
	}
	var h uintptr
	if hr := createString(uintptr(unsafe.Pointer(&u[0])), len(u), uintptr(unsafe.Pointer(&h))); int32(hr) < 0 {
		return 0, hresult(uint32(hr))
	}
	runtime.KeepAlive(u)
	*hs = append(*hs, h)
	return h, nil
}

func (hs *hstrings) free() {
	for _, h := range *hs {
		procWindowsDeleteString.Call(h)
	}
	*hs = nil
}

// goString reads an HSTRING a WinRT method returned, and deletes it.
func goString(h uintptr) string {
	if h == 0 {
		return ""
	}
	defer procWindowsDeleteString.Call(h)
	var n uint32
	p, _, _ := procWindowsGetStringRawBuffer.Call(h, uintptr(unsafe.Pointer(&n)))
	if p == 0 || n == 0 {
		return ""
	}
	ptr := *(*unsafe.Pointer)(unsafe.Pointer(&p)) // memory owned by the HSTRING
	return windows.UTF16ToString(unsafe.Slice((*uint16)(ptr), n))
}

// activationFactory returns the factory of a runtime class.
func activationFactory(class string, iid *guid) (*comObject, error) {
	var hs hstrings
	defer hs.free()
	h, err := hs.new(class)
	if err != nil {
		return nil, err
	}
	var f *comObject
	hr, _, _ := procRoGetActivationFactory.Call(h, uintptr(unsafe.Pointer(iid)), uintptr(unsafe.Pointer(&f)))
	if int32(hr) < 0 {
		return nil, unsupported("WAM (Windows 10 or later) is not available", hresult(uint32(hr)))
	}
	return f, nil
}

// await waits for an IAsyncOperation (withResult) or IAsyncAction under
// ctx, polling its IAsyncInfo; it cancels the operation when ctx ends.
func await(ctx context.Context, op *comObject, withResult bool) (*comObject, error) {
	info, err := op.queryInterface(&iidAsyncInfo)
	if err != nil {
		return nil, err
	}
	defer info.release()
	defer info.call(slotAsyncClose)
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		var status int32
		if err := info.call(slotAsyncStatus, uintptr(unsafe.Pointer(&status))); err != nil {
			return nil, err
		}
		switch status {
		case asyncCompleted:
			if !withResult {
				return nil, op.call(slotAsyncGetResults)
			}
			var res *comObject
			err := op.call(slotAsyncGetResults, uintptr(unsafe.Pointer(&res)))
			return res, err
		case asyncCanceled:
			return nil, errors.New("broker: the WAM operation was canceled")
		case asyncError:
			var code int32
			info.call(slotAsyncErrorCode, uintptr(unsafe.Pointer(&code)))
			return nil, hresult(uint32(code))
		}
		select {
		case <-ctx.Done():
			info.call(slotAsyncCancel)
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// mapLookup reads key from an IMap or IMapView of strings.
func mapLookup(m *comObject, key string) string {
	var hs hstrings
	defer hs.free()
	k, err := hs.new(key)
	if err != nil {
		return ""
	}
	var has uint8
	if m.call(slotMapHasKey, k, uintptr(unsafe.Pointer(&has))) != nil || has == 0 {
		return ""
	}
	var v uintptr
	if m.call(slotMapLookup, k, uintptr(unsafe.Pointer(&v))) != nil {
		return ""
	}
	return goString(v)
}

// parentWindow is the caller's window, else the console's root owner
// (so the sign-in window comes up over a terminal, Windows Terminal tabs
// included), else the desktop.
func parentWindow(w uintptr) uintptr {
	if w != 0 {
		return w
	}
	if c, _, _ := procGetConsoleWindow.Call(); c != 0 {
		if a, _, _ := procGetAncestor.Call(c, gaRootOwner); a != 0 {
			return a
		}
	}
	d, _, _ := procGetDesktopWindow.Call()
	return d
}

// wamBackend is WAM. It holds nothing between calls: each call joins the
// apartment on its own locked thread and releases what it obtained.
type wamBackend struct {
	log *slog.Logger
}

func newBackend(o *Options) (backend, error) {
	if err := modcombase.Load(); err != nil {
		return nil, unsupported("combase.dll cannot be loaded", err)
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &wamBackend{log: log}, nil
}

func (w *wamBackend) close() error { return nil }
