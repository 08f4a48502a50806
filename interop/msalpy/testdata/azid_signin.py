"""azure-identity signs in (password or device code) with its persistent
cache, TokenCachePersistenceOptions(name=..., allow_unencrypted_storage=True):
~/.IdentityService/<name> when no Secret Service answers; prints the
serialized AuthenticationRecord."""
from azure.identity import DeviceCodeCredential, TokenCachePersistenceOptions, UsernamePasswordCredential

from common import config, out

cfg = config()
opts = dict(authority=cfg["authority_host"], tenant_id=cfg["tenant"],
            cache_persistence_options=TokenCachePersistenceOptions(name=cfg["name"], allow_unencrypted_storage=True))
if cfg["flow"] == "password":
    cred = UsernamePasswordCredential(cfg["client_id"], cfg["username"], cfg["password"], **opts)
else:
    cred = DeviceCodeCredential(cfg["client_id"], prompt_callback=lambda *a: None, **opts)
record = cred.authenticate(scopes=cfg["scopes"])
tok = cred.get_token(*cfg["scopes"])
out({"record": record.serialize(), "access_token": tok.token, "expires_on": tok.expires_on})
