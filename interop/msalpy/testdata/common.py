"""Shared by the scenario scripts: read the test's JSON config (argv[1]),
build MSAL Python or azure-identity against the fake authority, print one
JSON object on stdout. The authority is https://login.microsoftonline.com,
reached through the Go test's CONNECT proxy (HTTPS_PROXY) at the fake
authority, whose certificate REQUESTS_CA_BUNDLE trusts; HOME is a
temporary directory. Defaults otherwise: instance discovery included."""
import json
import sys

import msal
import msal_extensions


def config():
    return json.loads(sys.argv[1])


def out(obj):
    json.dump(obj, sys.stdout)
    sys.stdout.write("\n")


def msal_app(cfg):
    """A PublicClientApplication on the shared cache file, through
    msal-extensions (the same "<path>.lockfile" as the Go side)."""
    cache = msal_extensions.PersistedTokenCache(msal_extensions.FilePersistence(cfg["cache"]))
    return msal.PublicClientApplication(
        cfg["client_id"],
        authority=cfg["authority"],
        token_cache=cache,
    )


def account(app, home_account_id):
    for a in app.get_accounts():
        if a["home_account_id"] == home_account_id:
            return a
    return None


def result(res):
    """The part of an MSAL result the Go test checks (the access token is
    from the fake: not a secret)."""
    if "access_token" not in res:
        return {"error": res.get("error"), "error_description": res.get("error_description"),
                "error_codes": res.get("error_codes")}
    claims = res.get("id_token_claims") or {}
    return {"access_token": res["access_token"], "expires_in": res.get("expires_in"),
            "home_account_id": _home(res), "username": claims.get("preferred_username")}


def _home(res):
    import base64
    ci = res.get("client_info")
    if not ci:
        return None
    info = json.loads(base64.urlsafe_b64decode(ci + "=" * (-len(ci) % 4)))
    return "%s.%s" % (info["uid"], info["utid"])
