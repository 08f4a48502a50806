//go:build windows

package broker

import (
	"context"
	"unsafe"
)

// findAllAccountsSuccess is FindAllWebAccountsStatus.Success.
const findAllAccountsSuccess = 0

// accounts lists the WAM accounts that have used this client
// (FindAllAccountsWithClientIdAsync).
func (w *wamBackend) accounts(ctx context.Context, clientID, _ string) ([]brokerAccount, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	defer comThread()()
	statics, provider, err := aadProvider(ctx)
	if err != nil {
		return nil, err
	}
	defer statics.release()
	defer provider.release()
	statics4, err := statics.queryInterface(&iidCoreManagerStatics4)
	if err != nil {
		return nil, unsupported("WAM cannot list accounts before Windows 10 1803", err)
	}
	defer statics4.release()
	var hs hstrings
	defer hs.free()
	cid, err := hs.new(clientID)
	if err != nil {
		return nil, err
	}
	var op *comObject
	if err := statics4.call(slotFindAllAccountsWithClientID, uintptr(unsafe.Pointer(provider)), cid, uintptr(unsafe.Pointer(&op))); err != nil {
		return nil, err
	}
	defer op.release()
	res, err := await(ctx, op, true)
	if err != nil {
		return nil, err
	}
	defer res.release()
	var status uint32
	if err := res.call(slotFindAllStatus, uintptr(unsafe.Pointer(&status))); err != nil {
		return nil, err
	}
	if status != findAllAccountsSuccess {
		return nil, &Error{Method: "FindAllAccountsWithClientIdAsync", Status: int(status)}
	}
	var vec *comObject
	if err := res.call(slotFindAllAccounts, uintptr(unsafe.Pointer(&vec))); err != nil || vec == nil {
		return nil, err
	}
	defer vec.release()
	var n uint32
	if err := vec.call(slotVectorSize, uintptr(unsafe.Pointer(&n))); err != nil {
		return nil, err
	}
	var out []brokerAccount
	for i := uint32(0); i < n && i < 1000; i++ {
		var acct *comObject
		if vec.call(slotVectorGetAt, uintptr(i), uintptr(unsafe.Pointer(&acct))) != nil || acct == nil {
			continue
		}
		id, user, props := readAccount(acct)
		acct.release()
		if a, ok := wamAccount(id, user, props); ok {
			out = append(out, a)
		}
	}
	return out, nil
}

// remove signs the account out of WAM for this client
// (IWebAccount2.SignOutWithClientIdAsync).
func (w *wamBackend) remove(ctx context.Context, clientID string, a *brokerAccount) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	defer comThread()()
	statics, provider, err := aadProvider(ctx)
	if err != nil {
		return err
	}
	defer statics.release()
	defer provider.release()
	acct, err := findAccount(ctx, statics, provider, string(a.raw))
	if err != nil {
		return err
	}
	defer acct.release()
	a2, err := acct.queryInterface(&iidWebAccount2)
	if err != nil {
		return err
	}
	defer a2.release()
	var hs hstrings
	defer hs.free()
	cid, err := hs.new(clientID)
	if err != nil {
		return err
	}
	var op *comObject
	if err := a2.call(slotAccount2SignOutWithClientID, cid, uintptr(unsafe.Pointer(&op))); err != nil {
		return err
	}
	defer op.release()
	_, err = await(ctx, op, false)
	return err
}

// aadProvider returns the WebAuthenticationCoreManager statics and the AAD
// account provider for work and school accounts; the caller releases both.
func aadProvider(ctx context.Context) (statics, provider *comObject, err error) {
	statics, err = activationFactory(classCoreManager, &iidCoreManagerStatics)
	if err != nil {
		return nil, nil, err
	}
	provider, err = findProvider(ctx, statics, &request{authority: "organizations"}, false)
	if err != nil {
		statics.release()
		return nil, nil, err
	}
	return statics, provider, nil
}
