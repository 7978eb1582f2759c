"""Validation of ``predict``'s arguments: earlier turns (strings, dicts or ``Turn`` objects), times, text.

Later layers (context, hand-over) rely on every turn being a well-formed ``Turn``;
checking here gives the caller an error that names the bad turn and field. The rules
(docs/input_rules.md):

- a time is a datetime, an ISO 8601 string or epoch seconds, in the years 1900 to 2199
  (``EARLIEST`` .. ``LATEST``); anything else is ``E312`` (not a time) or ``E315`` (out of range);
- a naive ``reference_time`` is local time, as everywhere in Python (the store, the entity parser);
  a naive history timestamp is read in the zone of the call's reference time, so the turns and
  "now" are on one clock whichever zone the caller's clock is in;
- a lone surrogate (``"\\ud800"``: half of a UTF-16 pair, which no UTF-8 text can hold) in any text
  becomes U+FFFD, the replacement character: one character for one, so offsets hold.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

from .errors import InputError
from .language.detect import language_code
from .schema import SPEAKERS, Turn

_TURN_KEYS = {"text", "speaker", "channel", "timestamp", "intent", "language"}
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)  # times before this are refused (E315)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)  # ... and from this on
_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_surrogates(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (same length); other text unchanged."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def shown(value, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters, for error messages (a 1 MB value is not echoed)."""
    try:
        text = repr(value)
    except Exception:  # a caller's object whose __repr__ fails still gets its error
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _out_of_range(value, where: str) -> InputError:
    return InputError(
        f"{where}: {shown(value)} is outside the years {EARLIEST.year} to {LATEST.year - 1}; "
        "pass the real time of the turn (epoch seconds, not milliseconds).",
        "E315",
    )


def _check_range(moment: datetime, value, where: str) -> datetime:
    """``moment`` if it is in range: its year as written, and in UTC when it has a zone."""
    if not EARLIEST.year <= moment.year < LATEST.year:
        raise _out_of_range(value, where)
    try:
        offset = moment.utcoffset()
    except Exception as exc:  # a tzinfo of the caller's that fails
        raise InputError(f"{where}: the time zone of {shown(value)} cannot be read ({exc}).", "E312") from exc
    if offset is not None and not EARLIEST <= moment.replace(tzinfo=UTC) - offset < LATEST:
        raise _out_of_range(value, where)
    return moment


def parse_timestamp(value, where: str) -> datetime | None:
    """A datetime (naive if ``value`` has no zone), or None; ``E312`` when it is not a time, ``E315``
    when it is outside the years 1900 to 2199 (including NaN and infinite epoch seconds)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return _check_range(value, value, where)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            seconds = float(value)
        except (OverflowError, ValueError, TypeError):
            seconds = math.inf
        if not math.isfinite(seconds):
            raise InputError(f"{where}: {shown(value)} is not a finite number of epoch seconds.", "E315")
        if not EARLIEST.timestamp() <= seconds < LATEST.timestamp():
            raise _out_of_range(value, where)
        return datetime.fromtimestamp(seconds, tz=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return _check_range(parsed, value, where)
    raise InputError(
        f"{where}: timestamp must be ISO 8601, epoch seconds or datetime, got {shown(value)}.", "E312"
    )


def parse_reference_time(value) -> datetime | None:
    """``reference_time`` of ``predict``: a datetime, ISO 8601 string or epoch seconds (None: now)."""
    parsed = parse_timestamp(value, "reference_time")
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.astimezone()  # naive means local time, as everywhere in Python
    return parsed


def _in_zone(moment: datetime | None, zone: tzinfo | None) -> datetime | None:
    """A naive history timestamp read in ``zone`` (the reference time's); others as they are."""
    if moment is None or zone is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zone)


def _text(value, where: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"{where}.text must be a str, got {type(value).__name__}.", "E311")
    return replace_surrogates(value)


def _optional_str(value, where: str, key: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise InputError(f"{where}.{key} must be a str or null, got {shown(value)}.", "E311")
    return None if value is None else replace_surrogates(value)


def turn_language(value, where: str = "turn") -> str | None:
    """A turn's ``language``: None, or an ISO 639-1 code (any case; kept lower-case); else ``E350``."""
    if value is None:
        return None
    code = language_code(value)
    if code is None:
        raise InputError(
            f"{where}.language must be an ISO 639-1 code such as 'en', 'ja' or 'ar', or null; "
            f"got {shown(value)}.",
            "E350",
        )
    return code


def to_turn(item, index: int = 0, zone: tzinfo | None = None) -> Turn:
    """One history item as a ``Turn`` (a bare string is a customer turn); ``zone``: the reference
    time's zone, in which a naive timestamp is read."""
    where = f"history[{index}]"
    if isinstance(item, str):
        return Turn(text=replace_surrogates(item))
    if isinstance(item, Turn):
        fields = {key: getattr(item, key) for key in _TURN_KEYS}
    elif isinstance(item, dict):
        unknown = [key for key in item if key not in _TURN_KEYS]
        if unknown:
            names = sorted(shown(key, 40) for key in unknown)
            raise InputError(f"{where} has unknown keys {names}; allowed: {sorted(_TURN_KEYS)}.", "E311")
        fields = item
    else:
        raise InputError(f"{where} must be a str, dict or Turn, got {type(item).__name__}.", "E310")
    text = _text(fields.get("text"), where)
    speaker = fields.get("speaker") or "customer"
    if not isinstance(speaker, str) or speaker not in SPEAKERS:
        raise InputError(f"{where}.speaker must be one of {list(SPEAKERS)}, got {shown(speaker)}.", "E311")
    return Turn(
        text=text,
        speaker=speaker,
        channel=_optional_str(fields.get("channel"), where, "channel"),
        timestamp=_in_zone(parse_timestamp(fields.get("timestamp"), where), zone),
        intent=_optional_str(fields.get("intent"), where, "intent"),
        language=turn_language(fields.get("language"), where),
    )


def validate_history(history, max_turns: int | None = None, zone: tzinfo | None = None) -> tuple[Turn, ...]:
    """``history`` as a tuple of ``Turn``s, oldest first, keeping only the last ``max_turns``;
    naive timestamps are read in ``zone`` (the reference time's zone; None: left naive)."""
    if history is None:
        return ()
    if isinstance(history, str | bytes | bytearray) or not isinstance(history, Sequence):
        raise InputError(
            f"history must be a list of turns (str, dict or Turn), got {type(history).__name__}; "
            "wrap a single earlier message in a list: history=[text].",
            "E310",
        )
    kept = history if max_turns is None else history[max(len(history) - max_turns, 0) :]
    offset = len(history) - len(kept)
    return tuple(to_turn(item, offset + i, zone) for i, item in enumerate(kept))
