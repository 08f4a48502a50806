"""MSAL Python signs in with the password grant (ROPC)."""
from common import config, msal_app, out, result

cfg = config()
app = msal_app(cfg)
out(result(app.acquire_token_by_username_password(cfg["username"], cfg["password"], scopes=cfg["scopes"])))
