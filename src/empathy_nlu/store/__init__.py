"""The conversation store: every channel's turns for one customer, in one place.

``ConversationStore`` is the interface (validation and masking of personal data live
there); ``SQLiteStore`` is the embedded default; ``PostgresStore`` lets several service
replicas share one history. ``PostgresStore`` is imported on first use, so importing this
package never imports psycopg. See docs/channels.md and docs/privacy.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import StoreError
from .base import ConversationStore, StoredTurn
from .sqlite import SQLiteStore

if TYPE_CHECKING:
    from .postgres import PostgresStore

__all__ = ["ConversationStore", "PostgresStore", "SQLiteStore", "StoredTurn", "open_store"]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
POSTGRES_SCHEMES = ("postgresql", "postgres")


def __getattr__(name: str):
    if name == "PostgresStore":
        from .postgres import PostgresStore

        return PostgresStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_store(target: str | Path, *, mask_personal_data: bool = True, **options) -> ConversationStore:
    """The store at ``target``: a path or ``sqlite:///path`` (an SQLite file, created with mode 0600 if
    missing; ``sqlite:////abs/path`` is absolute, as SQLAlchemy writes it) or ``postgresql://`` /
    ``postgres://`` (a ``PostgresStore``). ``options`` go to that store: ``privacy`` for both (a
    deployment's patterns to mask too), ``timeout``, ``synchronous`` for SQLite, ``min_size``,
    ``max_size``, ``timeout`` for PostgreSQL."""
    if isinstance(target, Path):
        return SQLiteStore(target, mask_personal_data=mask_personal_data, **options)
    if not isinstance(target, str):
        raise StoreError(f"a store is a path or a URL, got {type(target).__name__}.", "E614")
    match = _SCHEME.match(target)
    if match is None:
        return SQLiteStore(target, mask_personal_data=mask_personal_data, **options)
    scheme = match.group(1).lower()
    if scheme in POSTGRES_SCHEMES:
        from .postgres import PostgresStore

        return PostgresStore(target, mask_personal_data=mask_personal_data, **options)
    if scheme == "sqlite" and target[match.end() :].startswith("/") and len(target) > match.end() + 1:
        return SQLiteStore(target[match.end() + 1 :], mask_personal_data=mask_personal_data, **options)
    from .postgres import redact  # an unknown URL may carry a password too; redact imports no psycopg

    raise StoreError(
        f"cannot open a store at {redact(target)!r}: use a path, sqlite:///relative/path, "
        "sqlite:////absolute/path or postgresql://user@host/database.",
        "E614",
    )
