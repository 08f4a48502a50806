"""MSAL Python gets an SSH certificate silently for the account, with the
"data" the Azure CLI ssh extension passes (token_type=ssh-cert, req_cnf,
key_id); prints the certificate and where it came from."""
from common import account, config, msal_app, out, result

cfg = config()
app = msal_app(cfg)
acct = account(app, cfg["home_account_id"])
if acct is None:
    out({"error": "no_account"})
else:
    res = app.acquire_token_silent_with_error(cfg["scopes"], acct, data=cfg["data"])
    if not res:
        out({"error": "no_token"})
    else:
        r = result(res)
        r["token_type"] = res.get("token_type")
        r["token_source"] = res.get("token_source")
        out(r)
