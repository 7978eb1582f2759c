"""The conversation store: every channel's turns for one customer, in one place.

``ConversationStore`` is the interface (validation and masking of personal data live
there); ``SQLiteStore`` is the embedded default. See docs/channels.md and docs/privacy.md.
"""

from __future__ import annotations

from .base import ConversationStore, StoredTurn
from .sqlite import SQLiteStore

__all__ = ["ConversationStore", "SQLiteStore", "StoredTurn", "open_store"]


def open_store(path, *, mask_personal_data: bool = True, **options) -> SQLiteStore:
    """The default store at ``path`` (an SQLite file, created with mode 0600 if missing); ``options``:
    ``timeout``, ``synchronous``, ``privacy`` (a deployment's patterns to mask too), see ``SQLiteStore``."""
    return SQLiteStore(path, mask_personal_data=mask_personal_data, **options)
