"""azure-identity gets a token silently from its persistent cache for the
account of a serialized AuthenticationRecord (ours or its own), with
automatic authentication disabled: it may refresh, never prompt."""
from azure.identity import AuthenticationRecord, DeviceCodeCredential, TokenCachePersistenceOptions

from common import config, out

cfg = config()
record = AuthenticationRecord.deserialize(cfg["record"])
cred = DeviceCodeCredential(
    authentication_record=record, disable_automatic_authentication=True,
    cache_persistence_options=TokenCachePersistenceOptions(name=cfg["name"], allow_unencrypted_storage=True))
try:
    tok = cred.get_token(*cfg["scopes"])
    out({"access_token": tok.token, "expires_on": tok.expires_on, "record_authority": record.authority})
except Exception as ex:  # the Go test reports it
    out({"error": type(ex).__name__, "error_description": str(ex)})
