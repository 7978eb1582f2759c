"""Validation of the ``history`` argument: earlier turns as strings, dicts or ``Turn`` objects.

Later layers (context, hand-over) rely on every turn being a well-formed ``Turn``;
checking here gives the caller an error that names the bad turn and field.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from .errors import InputError
from .schema import SPEAKERS, Turn

_TURN_KEYS = {"text", "speaker", "channel", "timestamp", "intent"}


def _parse_timestamp(value, where: str) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    raise InputError(
        f"{where}: timestamp must be ISO 8601, epoch seconds or datetime, got {value!r}.", "E312"
    )


def parse_reference_time(value) -> datetime | None:
    """``reference_time`` of ``predict``: a datetime, ISO 8601 string or epoch seconds (None: now)."""
    parsed = _parse_timestamp(value, "reference_time")
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.astimezone()  # naive means local time, as everywhere in Python
    return parsed


def to_turn(item, index: int = 0) -> Turn:
    """One history item as a ``Turn`` (a bare string is a customer turn)."""
    where = f"history[{index}]"
    if isinstance(item, Turn):
        item = item.to_dict()
    if isinstance(item, str):
        return Turn(text=item)
    if not isinstance(item, dict):
        raise InputError(f"{where} must be a str, dict or Turn, got {type(item).__name__}.", "E310")
    unknown = set(item) - _TURN_KEYS
    if unknown:
        raise InputError(
            f"{where} has unknown keys {sorted(unknown)}; allowed: {sorted(_TURN_KEYS)}.", "E311"
        )
    text = item.get("text")
    if not isinstance(text, str):
        raise InputError(f"{where}.text must be a str, got {type(text).__name__}.", "E311")
    speaker = item.get("speaker") or "customer"
    if speaker not in SPEAKERS:
        raise InputError(f"{where}.speaker must be one of {list(SPEAKERS)}, got {speaker!r}.", "E311")
    for key in ("channel", "intent"):
        if item.get(key) is not None and not isinstance(item[key], str):
            raise InputError(f"{where}.{key} must be a str or null, got {item[key]!r}.", "E311")
    return Turn(
        text=text,
        speaker=speaker,
        channel=item.get("channel"),
        timestamp=_parse_timestamp(item.get("timestamp"), where),
        intent=item.get("intent"),
    )


def validate_history(history, max_turns: int | None = None) -> tuple[Turn, ...]:
    """``history`` as a tuple of ``Turn``s, oldest first, keeping only the last ``max_turns``."""
    if history is None:
        return ()
    if isinstance(history, str | bytes) or not isinstance(history, Sequence):
        raise InputError(
            f"history must be a list of turns (str, dict or Turn), got {type(history).__name__}; "
            "wrap a single earlier message in a list: history=[text].",
            "E310",
        )
    kept = history if max_turns is None else history[max(len(history) - max_turns, 0) :]
    offset = len(history) - len(kept)
    return tuple(to_turn(item, offset + i) for i, item in enumerate(kept))
