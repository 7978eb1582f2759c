"""The conversation store interface: one customer's turns across every channel, oldest first.

Why an abstract class with concrete ``append`` / ``history`` / ``prune`` / ``erase``: validation
and the masking of personal data happen here, once, so every backend (``SQLiteStore``,
``PostgresStore``, or one plugged in later) implements a few small storage methods and cannot
forget to mask a card number. See docs/channels.md, "Plugging in another database".
"""

from __future__ import annotations

import json
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from ..errors import StoreError
from ..language.detect import language_code
from ..schema import SPEAKERS, Turn

MAX_CUSTOMER_ID_CHARS = 256


@dataclass(frozen=True)
class StoredTurn:
    """A turn as stored: the ``Turn`` (timestamp always set, timezone-aware), the prediction made
    for it (``Prediction.to_dict()``, or None for agent/bot turns) and channel metadata."""

    customer_id: str
    turn: Turn
    prediction: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    id: int | None = None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "customer_id": self.customer_id,
            **self.turn.to_dict(),
            "prediction": self.prediction,
            "meta": self.meta,
        }


def _json_default(value):
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise StoreError(f"cannot store {type(value).__name__} as JSON; pass plain JSON types.", "E605")


def to_json(value) -> str | None:
    """``value`` as JSON text for a backend (None stays None); numpy scalars become plain numbers."""
    return None if value is None else json.dumps(value, ensure_ascii=False, default=_json_default)


def row_of(record: StoredTurn) -> tuple:
    """The column values every backend writes, in the order (customer_id, ts, timestamp, channel,
    speaker, text, intent, prediction, meta, language): epoch seconds for ordering, ISO text with the
    offset."""
    turn = record.turn
    return (
        record.customer_id,
        turn.timestamp.timestamp(),
        turn.timestamp.isoformat(),
        turn.channel,
        turn.speaker,
        turn.text,
        turn.intent,
        to_json(record.prediction),
        to_json(record.meta),
        turn.language,
    )


def check_customer_id(customer_id) -> str:
    """A customer id is a non-empty string (of at most 256 characters); anything else is a caller bug."""
    if not isinstance(customer_id, str) or not customer_id.strip():
        raise StoreError(f"customer_id must be a non-empty str, got {customer_id!r}.", "E604")
    if len(customer_id) > MAX_CUSTOMER_ID_CHARS:
        raise StoreError(
            f"customer_id has {len(customer_id)} characters; at most {MAX_CUSTOMER_ID_CHARS} are allowed.",
            "E604",
        )
    return customer_id


def aware(timestamp: datetime | None) -> datetime:
    """``timestamp`` with a timezone: None is now (UTC), naive is local time (as everywhere in Python)."""
    if timestamp is None:
        return datetime.now(UTC)
    if not isinstance(timestamp, datetime):
        raise StoreError(f"turn.timestamp must be a datetime or None, got {timestamp!r}.", "E605")
    return timestamp if timestamp.tzinfo is not None else timestamp.astimezone()


def _masker(enabled: bool, privacy=None):
    """The privacy layer's storage masking (None when off), with ``privacy``'s patterns too."""
    if not enabled:
        return None
    try:
        from .. import privacy as layer
    except ImportError as exc:  # pragma: no cover - the privacy layer ships with the package
        raise StoreError(
            f"masking personal data needs empathy_nlu.privacy ({exc}); reinstall empathy-nlu, "
            "or pass mask_personal_data=False to store text unmasked.",
            "E606",
        ) from exc
    if isinstance(privacy, dict):
        privacy = layer.PrivacyParams.from_dict(privacy, "privacy.")
    elif privacy is not None and not isinstance(privacy, layer.PrivacyParams):
        raise StoreError(
            f"privacy must be PrivacyParams, a dict or None, got {type(privacy).__name__}.", "E605"
        )
    return _Masker(layer, privacy)


def _language(turn: Turn, prediction: dict | None) -> str | None:
    """The language stored with a turn: its own (an ISO 639-1 code, else E605), or for a customer
    turn the code its prediction gives."""
    if turn.language is not None:
        code = language_code(turn.language)
        if code is None:
            raise StoreError(
                f"turn.language must be an ISO 639-1 code or None, got {turn.language!r}.", "E605"
            )
        return code
    if turn.speaker != "customer" or not prediction or not isinstance(prediction.get("language"), dict):
        return None
    return language_code(prediction["language"].get("code"))


class _Masker:
    """What the store masks, structurally: the turn text (redacted: a person reads it, and it is the
    history the model reads back), the prediction's text fields (length kept, so its offsets hold;
    timestamps, names and scores untouched) and every string of the channel metadata."""

    def __init__(self, layer, privacy) -> None:
        self.layer, self.privacy = layer, privacy

    def text(self, text: str) -> str:
        return self.layer.redact_text(text, self.privacy)

    def prediction(self, prediction: dict | None) -> dict | None:
        return None if prediction is None else self.layer.mask_for_storage(prediction, self.privacy)

    def meta(self, meta: dict) -> dict:
        return self.layer.mask_meta_for_storage(meta, self.privacy)


class ConversationStore(ABC):
    """Where every channel keeps the conversation: turns keyed by customer id, across channels.

    ``mask_personal_data`` (default True) masks card numbers, IBANs, SSNs, e-mail addresses and
    phone numbers (and ``privacy``'s patterns: ``PrivacyParams`` or the ``privacy`` config dict) in
    the text, the prediction's text fields and the metadata *before* they reach the storage
    methods (docs/privacy.md). Subclasses implement ``_insert``, ``_select``, ``_delete_before``,
    ``_delete_customer``, ``count`` and ``close``, and may override ``_ping``.
    """

    def __init__(self, mask_personal_data: bool = True, privacy=None) -> None:
        self.mask_personal_data = mask_personal_data
        self._mask = _masker(mask_personal_data, privacy)

    # -- the public face: validation and masking, identical for every implementation -------------
    def append(
        self,
        customer_id: str,
        turn: Turn,
        *,
        prediction: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
    ) -> StoredTurn:
        """Store ``turn`` durably and return it as stored (masked, with its id and timestamp).

        When this returns, the turn survives a crash of the process. A turn without a timestamp
        is stamped now; a customer turn without an intent takes the predicted intent's name, and
        one without a language the predicted language's code (``Prediction.language``).
        """
        record = self._record(customer_id, turn, prediction, meta)
        return replace(record, id=self._insert(record))

    def history(self, customer_id: str, limit: int = 50) -> list[StoredTurn]:
        """The customer's last ``limit`` turns on every channel, oldest first."""
        check_customer_id(customer_id)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
            raise StoreError(f"limit must be an int >= 0, got {limit!r}.", "E605")
        return self._select(customer_id, limit) if limit else []

    def prune(self, days: float, *, now: datetime | None = None) -> int:
        """Delete every turn older than ``days`` days (retention); returns how many were deleted."""
        if isinstance(days, bool) or not isinstance(days, int | float) or not math.isfinite(days) or days < 0:
            raise StoreError(f"days must be a number >= 0, got {days!r}.", "E608")
        cutoff = aware(now) - timedelta(days=days)
        return self._delete_before(cutoff.timestamp())

    def erase(self, customer_id: str) -> int:
        """Delete every stored turn of ``customer_id`` (a customer's request for erasure); returns how
        many were deleted. When the text leaves the disk is the backend's: SQLite overwrites it and
        empties its WAL at once, PostgreSQL reclaims the rows at its next vacuum."""
        return self._delete_customer(check_customer_id(customer_id))

    def ping(self) -> bool:
        """True when the storage answers a trivial query; never raises, so a readiness check can poll it."""
        try:
            self._ping()
        except Exception:  # any failure means "not ready", whatever the backend raised
            return False
        return True

    def __enter__(self) -> ConversationStore:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- what an implementation provides ------------------------------------------------------------
    @abstractmethod
    def _insert(self, record: StoredTurn) -> int:
        """Write ``record`` in one transaction, committed before returning; return its new id."""

    @abstractmethod
    def _select(self, customer_id: str, limit: int) -> list[StoredTurn]:
        """The last ``limit`` records of ``customer_id`` by (timestamp, id), returned oldest first."""

    @abstractmethod
    def _delete_before(self, epoch_seconds: float) -> int:
        """Delete records whose timestamp is before ``epoch_seconds``; return how many."""

    @abstractmethod
    def _delete_customer(self, customer_id: str) -> int:
        """Delete every record of ``customer_id``; return how many."""

    @abstractmethod
    def count(self, customer_id: str | None = None) -> int:
        """How many turns are stored (for one customer, or in all)."""

    def _ping(self) -> None:
        """Raise when the storage cannot answer; a backend overrides it with its cheapest query."""
        self.history("ping", limit=1)

    @abstractmethod
    def close(self) -> None:
        """Release connections; the store is unusable afterwards."""

    # -- helpers ------------------------------------------------------------------------------------
    def _record(self, customer_id, turn, prediction, meta) -> StoredTurn:
        check_customer_id(customer_id)
        if not isinstance(turn, Turn):
            raise StoreError(f"turn must be a Turn, got {type(turn).__name__}.", "E605")
        if not isinstance(turn.text, str) or turn.speaker not in SPEAKERS:
            raise StoreError(
                f"turn needs str text and a speaker in {list(SPEAKERS)}, got {turn.speaker!r}.", "E605"
            )
        for name, value in (("prediction", prediction), ("meta", meta)):
            if value is not None and not isinstance(value, dict):
                raise StoreError(f"{name} must be a dict or None, got {type(value).__name__}.", "E605")
        intent = turn.intent
        if intent is None and prediction and isinstance(prediction.get("intent"), dict):
            intent = prediction["intent"].get("name")
        language = _language(turn, prediction)
        text, meta = turn.text, dict(meta or {})
        if self._mask is not None:
            text, prediction, meta = (
                self._mask.text(text),
                self._mask.prediction(prediction),
                self._mask.meta(meta),
            )
        stored = replace(turn, text=text, timestamp=aware(turn.timestamp), intent=intent, language=language)
        return StoredTurn(customer_id, stored, prediction, meta)
