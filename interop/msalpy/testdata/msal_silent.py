"""MSAL Python gets a token silently for the account: for "scopes", or
for each scope of "scope_list" in turn (a refresh, and a cache write, for
each new one); force_refresh redeems the refresh token even when an
access token is cached."""
from common import account, config, msal_app, out, result

cfg = config()
app = msal_app(cfg)
acct = account(app, cfg["home_account_id"])
if acct is None:
    out({"error": "no_account", "accounts": [a["home_account_id"] for a in app.get_accounts()]})
elif "scope_list" in cfg:
    print("ready", flush=True)  # the Go side starts its writers now
    results = []
    for scope in cfg["scope_list"]:
        res = app.acquire_token_silent_with_error([scope], acct)
        results.append(result(res) if res else {"error": "no_token"})
    out({"results": results})
else:
    res = app.acquire_token_silent_with_error(cfg["scopes"], acct, force_refresh=cfg.get("force_refresh", False))
    out(result(res) if res else {"error": "no_token"})
