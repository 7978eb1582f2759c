"""API keys and scopes: a YAML file of ``{name, sha256, scopes}``, never the keys themselves.

Why hashes: the keys file sits next to the service's config and in its backups; whoever reads it
must not be able to call the service. A key is 32 random bytes, so one SHA-256 (no salt, no
slow hash) is enough to make the hash useless to an attacker, and checking it costs a
microsecond per request. Every key is compared in constant time, whichever matches.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import ServiceError

SCOPES = ("parse", "channels", "history", "erase", "admin", "metrics")
KEY_PREFIX = "enlu_"
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ApiKey:
    """One entry of the keys file: who (``name``, shown in the access log) may do what (``scopes``)."""

    name: str
    sha256: str
    scopes: frozenset[str]


def hash_key(key: str) -> str:
    """The hex SHA-256 of ``key``: what the keys file stores."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _entry(raw, where: str) -> ApiKey:
    if not isinstance(raw, dict) or set(raw) - {"name", "sha256", "scopes"}:
        raise ServiceError(f"{where}: an entry must be a mapping with name, sha256 and scopes.", "E705")
    name, digest, scopes = raw.get("name"), raw.get("sha256"), raw.get("scopes")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ServiceError(f"{where}: name must be 1-64 letters, digits or _.@-, got {name!r}.", "E705")
    if not isinstance(digest, str) or not _HEX.match(digest):
        raise ServiceError(f"{where}: sha256 of {name!r} must be 64 lowercase hex digits.", "E705")
    if not isinstance(scopes, list) or not all(isinstance(s, str) and s in SCOPES for s in scopes):
        raise ServiceError(f"{where}: scopes of {name!r} must be a list of {list(SCOPES)}.", "E705")
    return ApiKey(name, digest, frozenset(scopes))


def read_keys(path: str | Path) -> list[ApiKey]:
    """The entries of the keys file at ``path`` (a YAML list); E705 names the entry that is wrong."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or []
    except OSError as exc:
        raise ServiceError(f"cannot read the keys file {path}: {exc.strerror}.", "E705") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ServiceError(f"{path} is not a YAML keys file: {exc}", "E705") from exc
    if not isinstance(data, list):
        raise ServiceError(f"{path}: the keys file must be a YAML list of entries.", "E705")
    keys = [_entry(raw, f"{path}: entry {i + 1}") for i, raw in enumerate(data)]
    names = [key.name for key in keys]
    if len(set(names)) != len(names):
        raise ServiceError(f"{path}: a key name appears twice; names must be unique.", "E705")
    return keys


class KeyRing:
    """The keys the service accepts; ``check`` answers who is calling, or raises 401/403."""

    def __init__(self, keys: list[ApiKey]) -> None:
        self.keys = list(keys)

    def check(self, authorization: str | None, scope: str) -> ApiKey:
        """The key sent as ``Authorization: Bearer <key>`` if it has ``scope``; E701 (401) or E702 (403)."""
        key = self._match(authorization)
        if key is None:
            raise ServiceError("missing or unknown API key; send Authorization: Bearer <key>.", "E701", 401)
        if scope not in key.scopes:
            raise ServiceError(f"this route needs the {scope!r} scope, which the key lacks.", "E702", 403)
        return key

    def _match(self, authorization: str | None) -> ApiKey | None:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        digest = hash_key(token.strip())
        found = None
        for key in self.keys:  # every entry compared, in constant time: no timing tells which exists
            if hmac.compare_digest(key.sha256, digest):
                found = key
        return found


def check_scopes(scopes: list[str]) -> list[str]:
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown or not scopes:
        raise ServiceError(f"scopes must be some of {list(SCOPES)}, got {scopes!r}.", "E711")
    return sorted(set(scopes), key=SCOPES.index)


def new_key(path: str | Path, name: str, scopes: list[str]) -> str:
    """A fresh random key for ``name`` with ``scopes``; its hash is appended to ``path`` (created 0600).

    The file is rewritten whole through a temporary file and a rename: never half-written.
    """
    path = Path(path)
    scopes = check_scopes(scopes)
    keys = read_keys(path) if path.exists() else []
    if any(key.name == name for key in keys):
        raise ServiceError(f"{path} already has a key named {name!r}; choose another name.", "E711")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    entry = _entry({"name": name, "sha256": hash_key(key), "scopes": scopes}, str(path))
    _write_keys(path, [*keys, entry])
    return key


def _write_keys(path: Path, keys: list[ApiKey]) -> None:
    import yaml

    rows = [{"name": k.name, "sha256": k.sha256, "scopes": sorted(k.scopes, key=SCOPES.index)} for k in keys]
    text = "# empathy-nlu API keys: SHA-256 of each key, never the key (docs/service.md)\n"
    text += yaml.safe_dump(rows, sort_keys=False)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as exc:
        raise ServiceError(f"cannot write the keys file {path}: {exc.strerror}.", "E705") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp creates it 0600
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
