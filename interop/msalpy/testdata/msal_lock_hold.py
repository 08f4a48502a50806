"""Holds msal-extensions' lock on the shared cache ("<path>.lockfile",
CrossPlatLock as PersistedTokenCache takes it), says "locked", and when a
line arrives on stdin adds a marker entry to the file and lets go."""
import json
import sys

from msal_extensions.cache_lock import CrossPlatLock

from common import config, out

cfg = config()
with CrossPlatLock(cfg["cache"] + ".lockfile"):
    print("locked", flush=True)
    sys.stdin.readline()
    with open(cfg["cache"]) as f:
        doc = json.load(f)
    key = "appmetadata-%s-py-marker" % cfg["environment"]
    doc.setdefault("AppMetadata", {})[key] = {"client_id": "py-marker", "environment": cfg["environment"]}
    with open(cfg["cache"], "w") as f:
        json.dump(doc, f)
out({"done": True})
