// Package azurecli gets tokens from the developer's Azure CLI session,
// silently and in microseconds: it reads Azure CLI's own MSAL token cache
// instead of running az for every token.
//
// Azure CLI (2.30 and later) keeps its tokens with MSAL Python in its
// configuration directory ($AZURE_CONFIG_DIR, else ~/.azure):
// msal_token_cache.json, or msal_token_cache.bin protected with DPAPI
// where the cache is encrypted (core.encrypt_token_cache, on by default
// on Windows only). The signed-in account is the user of the default
// subscription in azureProfile.json (what az account show prints), and
// the cloud's Active Directory endpoint is built in or in clouds.config.
// Azure CLI locks the cache through "<file>.lockfile" (msal-extensions'
// CrossPlatLock: an flock on Unix), and so does this package when it
// writes back a refreshed token, so az and this library share one cache
// and each uses the tokens (and rotated refresh tokens) the other wrote.
//
// When the cache cannot serve, [Credential] runs
// "az account get-access-token --output json" with a timeout and parses
// its accessToken and expires_on (or expiresOn, which Azure CLI before
// 2.54 prints as a naive local time), as azure-identity's
// AzureCliCredential does for every token. It never prompts: with no
// usable session it returns an *oauth.CredentialUnavailableError that
// says to run az login, so an [oauth.Chain] can move on.
package azurecli
