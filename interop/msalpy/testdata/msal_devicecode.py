"""MSAL Python signs in with the device code flow (the fake approves it)."""
from common import config, msal_app, out, result

cfg = config()
app = msal_app(cfg)
flow = app.initiate_device_flow(scopes=cfg["scopes"])
if "user_code" not in flow:
    out({"error": flow.get("error"), "error_description": flow.get("error_description")})
else:
    out(result(app.acquire_token_by_device_flow(flow)))
