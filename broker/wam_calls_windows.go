//go:build windows

package broker

import (
	"context"
	"time"
	"unsafe"
)

func (w *wamBackend) interactive(ctx context.Context, r *request) (*reply, error) {
	return w.token(ctx, r, true)
}

func (w *wamBackend) silent(ctx context.Context, r *request) (*reply, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return w.token(ctx, r, false)
}

// token runs one WebTokenRequest: through the window for a sign-in,
// silently for r.account (nil: the OS default account) otherwise.
func (w *wamBackend) token(ctx context.Context, r *request, interactive bool) (*reply, error) {
	defer comThread()()
	statics, err := activationFactory(classCoreManager, &iidCoreManagerStatics)
	if err != nil {
		return nil, err
	}
	defer statics.release()
	provider, err := findProvider(ctx, statics, r, !interactive && r.account == nil)
	if err != nil {
		return nil, err
	}
	defer provider.release()
	req, err := newTokenRequest(provider, r, interactive)
	if err != nil {
		return nil, err
	}
	defer req.release()
	method := "GetTokenSilentlyAsync"
	var op *comObject
	switch {
	case interactive:
		method = "RequestTokenForWindowAsync"
		interop, err := statics.queryInterface(&iidCoreManagerInterop)
		if err != nil {
			return nil, err
		}
		defer interop.release()
		err = interop.call(slotRequestTokenForWindow, parentWindow(r.parentWindow), uintptr(unsafe.Pointer(req)),
			uintptr(unsafe.Pointer(&iidAsyncOpTokenResult)), uintptr(unsafe.Pointer(&op)))
		if err != nil {
			return nil, err
		}
	case r.account != nil:
		acct, err := findAccount(ctx, statics, provider, string(r.account.raw))
		if err != nil {
			return nil, err
		}
		defer acct.release()
		if err := statics.call(slotGetTokenSilentlyWithAccount, uintptr(unsafe.Pointer(req)), uintptr(unsafe.Pointer(acct)),
			uintptr(unsafe.Pointer(&op))); err != nil {
			return nil, err
		}
	default:
		if err := statics.call(slotGetTokenSilently, uintptr(unsafe.Pointer(req)), uintptr(unsafe.Pointer(&op))); err != nil {
			return nil, err
		}
	}
	defer op.release()
	sent := time.Now()
	result, err := await(ctx, op, true)
	if err != nil {
		return nil, err
	}
	defer result.release()
	return wamReply(method, readResult(result), sent, r.scopes)
}

// findProvider finds the AAD account provider for the request's
// authority, or the OS default account's provider.
func findProvider(ctx context.Context, statics *comObject, r *request, osDefault bool) (*comObject, error) {
	var hs hstrings
	defer hs.free()
	var op *comObject
	if osDefault {
		id, err := hs.new(wamDefaultProviderID)
		if err != nil {
			return nil, err
		}
		err = statics.call(slotFindAccountProvider, id, uintptr(unsafe.Pointer(&op)))
		if err != nil {
			return nil, err
		}
	} else {
		id, err := hs.new(wamProviderID)
		if err != nil {
			return nil, err
		}
		auth, err := hs.new(wamProviderAuthority(r))
		if err != nil {
			return nil, err
		}
		if err := statics.call(slotFindAccountProviderWithAuth, id, auth, uintptr(unsafe.Pointer(&op))); err != nil {
			return nil, err
		}
	}
	defer op.release()
	p, err := await(ctx, op, true)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, unsupported("WAM has no account provider for Microsoft Entra ID on this machine", nil)
	}
	return p, nil
}

// newTokenRequest creates the WebTokenRequest and sets its properties.
func newTokenRequest(provider *comObject, r *request, interactive bool) (*comObject, error) {
	factory, err := activationFactory(classTokenRequest, &iidTokenRequestFactory)
	if err != nil {
		return nil, err
	}
	defer factory.release()
	var hs hstrings
	defer hs.free()
	scope, err := hs.new(wamScope(r))
	if err != nil {
		return nil, err
	}
	client, err := hs.new(r.clientID)
	if err != nil {
		return nil, err
	}
	var req *comObject
	const promptDefault = 0
	if err := factory.call(slotCreateWithPromptType, uintptr(unsafe.Pointer(provider)), scope, client, promptDefault,
		uintptr(unsafe.Pointer(&req))); err != nil {
		return nil, err
	}
	var props *comObject
	if err := req.call(slotRequestProperties, uintptr(unsafe.Pointer(&props))); err != nil {
		req.release()
		return nil, err
	}
	defer props.release()
	for _, p := range wamProperties(r, interactive) {
		k, err := hs.new(p.key)
		if err == nil {
			var v uintptr
			if v, err = hs.new(p.value); err == nil {
				var replaced uint8
				err = props.call(slotMapInsert, k, v, uintptr(unsafe.Pointer(&replaced)))
			}
		}
		if err != nil {
			req.release()
			return nil, err
		}
	}
	return req, nil
}

// findAccount finds a WebAccount by its ID.
func findAccount(ctx context.Context, statics, provider *comObject, id string) (*comObject, error) {
	var hs hstrings
	defer hs.free()
	h, err := hs.new(id)
	if err != nil {
		return nil, err
	}
	var op *comObject
	if err := statics.call(slotFindAccount, uintptr(unsafe.Pointer(provider)), h, uintptr(unsafe.Pointer(&op))); err != nil {
		return nil, err
	}
	defer op.release()
	acct, err := await(ctx, op, true)
	if err == nil && acct == nil {
		err = errNoAccount
	}
	return acct, err
}

// readResult reads a WebTokenRequestResult.
func readResult(result *comObject) *wamResponse {
	w := &wamResponse{props: map[string]string{}}
	result.call(slotResultStatus, uintptr(unsafe.Pointer(&w.status)))
	if w.status != wamSuccess && w.status != wamAccountSwitch {
		var perr *comObject
		if result.call(slotResultError, uintptr(unsafe.Pointer(&perr))) == nil && perr != nil {
			defer perr.release()
			perr.call(slotProviderErrorCode, uintptr(unsafe.Pointer(&w.errCode)))
			var m uintptr
			if perr.call(slotProviderErrorMessage, uintptr(unsafe.Pointer(&m))) == nil {
				w.errMessage = goString(m)
			}
		}
		return w
	}
	var vec *comObject
	if result.call(slotResultResponseData, uintptr(unsafe.Pointer(&vec))) != nil || vec == nil {
		return w
	}
	defer vec.release()
	var n uint32
	if vec.call(slotVectorSize, uintptr(unsafe.Pointer(&n))) != nil || n == 0 {
		return w
	}
	var resp *comObject
	if vec.call(slotVectorGetAt, 0, uintptr(unsafe.Pointer(&resp))) != nil || resp == nil {
		return w
	}
	defer resp.release()
	var tok uintptr
	if resp.call(slotResponseToken, uintptr(unsafe.Pointer(&tok))) == nil {
		w.token = goString(tok)
	}
	var props *comObject
	if resp.call(slotResponseProperties, uintptr(unsafe.Pointer(&props))) == nil && props != nil {
		for _, k := range wamResponseKeys {
			if v := mapLookup(props, k); v != "" {
				w.props[k] = v
			}
		}
		props.release()
	}
	var acct *comObject
	if resp.call(slotResponseAccount, uintptr(unsafe.Pointer(&acct))) == nil && acct != nil {
		w.accountID, w.accountUser, w.accountProp = readAccount(acct)
		acct.release()
	}
	return w
}

// readAccount reads a WebAccount's ID, user name and the properties that
// identify it (OID, TenantId, Authority).
func readAccount(acct *comObject) (id, user string, props map[string]string) {
	props = map[string]string{}
	var h uintptr
	if acct.call(slotAccountUserName, uintptr(unsafe.Pointer(&h))) == nil {
		user = goString(h)
	}
	a2, err := acct.queryInterface(&iidWebAccount2)
	if err != nil {
		return "", user, props
	}
	defer a2.release()
	if a2.call(slotAccount2ID, uintptr(unsafe.Pointer(&h))) == nil {
		id = goString(h)
	}
	var m *comObject
	if a2.call(slotAccount2Properties, uintptr(unsafe.Pointer(&m))) == nil && m != nil {
		for _, k := range []string{"OID", "TenantId", "Authority"} {
			props[k] = mapLookup(m, k)
		}
		m.release()
	}
	return id, user, props
}
