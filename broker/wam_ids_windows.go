package broker

// The COM identifiers, runtime class names, vtable slots and status
// values only the Windows calls use (wam_calls_windows.go and
// wam_windows.go). The request properties and the answer mapping, which
// are tested on every OS, stay in wam.go.

// Interface identifiers.
var (
	iidCoreManagerStatics  = mustGUID("6ACA7C92-A581-4479-9C10-752EFF44FD34") // IWebAuthenticationCoreManagerStatics
	iidCoreManagerStatics4 = mustGUID("54E633FE-96E0-41E8-9832-1298897C2AAF") // IWebAuthenticationCoreManagerStatics4
	iidCoreManagerInterop  = mustGUID("F4B8E804-811E-4436-B69C-44CB67B72084") // IWebAuthenticationCoreManagerInterop
	iidTokenRequestFactory = mustGUID("6CF2141C-0FF0-4C67-B84F-99DDBE4A72C9") // IWebTokenRequestFactory
	iidWebAccount2         = mustGUID("7B56D6F8-990B-4EB5-94A7-5621F3A8B824") // IWebAccount2
	iidAsyncInfo           = mustGUID("00000036-0000-0000-C000-000000000046") // IAsyncInfo
	// IAsyncOperation<WebTokenRequestResult>, the riid
	// RequestTokenForWindowAsync must be given.
	iidAsyncOpTokenResult = mustGUID("0A815852-7C44-5674-B3D2-FA2E4C1E46C9")
)

// Runtime class names.
const (
	classCoreManager  = "Windows.Security.Authentication.Web.Core.WebAuthenticationCoreManager"
	classTokenRequest = "Windows.Security.Authentication.Web.Core.WebTokenRequest"
)

// Vtable slots: 0-2 IUnknown, 3-5 IInspectable, an interface's own
// methods from 6.
const (
	slotQueryInterface = 0
	slotRelease        = 2

	slotGetTokenSilently            = 6  // IWebAuthenticationCoreManagerStatics
	slotGetTokenSilentlyWithAccount = 7  //
	slotFindAccount                 = 10 //
	slotFindAccountProvider         = 11 //
	slotFindAccountProviderWithAuth = 12 //
	slotFindAllAccountsWithClientID = 7  // IWebAuthenticationCoreManagerStatics4
	slotRequestTokenForWindow       = 6  // IWebAuthenticationCoreManagerInterop
	slotCreateWithPromptType        = 7  // IWebTokenRequestFactory
	slotRequestProperties           = 10 // IWebTokenRequest.get_Properties -> IMap<String,String>
	slotMapLookup                   = 6  // IMap / IMapView
	slotMapHasKey                   = 8  //
	slotMapInsert                   = 10 // IMap only
	slotAsyncStatus                 = 7  // IAsyncInfo
	slotAsyncErrorCode              = 8  //
	slotAsyncCancel                 = 9  //
	slotAsyncClose                  = 10 //
	slotAsyncGetResults             = 8  // IAsyncOperation<T>
	slotResultResponseData          = 6  // IWebTokenRequestResult
	slotResultStatus                = 7  //
	slotResultError                 = 8  //
	slotVectorGetAt                 = 6  // IVectorView<T>
	slotVectorSize                  = 7  //
	slotResponseToken               = 6  // IWebTokenResponse
	slotResponseAccount             = 8  //
	slotResponseProperties          = 9  //
	slotProviderErrorCode           = 6  // IWebProviderError
	slotProviderErrorMessage        = 7  //
	slotAccountUserName             = 7  // IWebAccount
	slotAccount2ID                  = 6  // IWebAccount2
	slotAccount2Properties          = 7  //
	slotAccount2SignOutWithClientID = 10 //
	slotFindAllAccounts             = 6  // IFindAllAccountsResult.get_Accounts
	slotFindAllStatus               = 7  //
)

// AsyncStatus values of IAsyncInfo.
const (
	asyncStarted   = 0
	asyncCompleted = 1
	asyncCanceled  = 2
	asyncError     = 3
)

// The AAD WAM plugin's provider: its ID, the authority for work and
// school accounts, and for personal accounts (MSA passthrough); the
// OS default account's provider.
const (
	wamProviderID        = "https://login.microsoft.com"
	wamDefaultProviderID = "https://login.windows.local"
)

// Response properties the AAD plugin sets.
var wamResponseKeys = []string{"TokenExpiresOn", "wamcompat_id_token", "wamcompat_client_info", "wamcompat_scopes"}
