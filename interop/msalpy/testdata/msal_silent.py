"""MSAL Python gets a token silently for the account (force_refresh to
redeem the refresh token the cache holds), "rounds" times in a row."""
from common import account, config, msal_app, out, result

cfg = config()
app = msal_app(cfg)
acct = account(app, cfg["home_account_id"])
if acct is None:
    out({"error": "no_account", "accounts": [a["home_account_id"] for a in app.get_accounts()]})
else:
    results = []
    for _ in range(cfg.get("rounds", 1)):
        res = app.acquire_token_silent_with_error(cfg["scopes"], acct, force_refresh=cfg.get("force_refresh", False))
        results.append(result(res) if res else {"error": "no_token"})
    out(results[-1] if cfg.get("rounds", 1) == 1 else {"results": results})
