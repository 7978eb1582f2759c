"""Turn one parsed JSON record into an ``Example`` or a ``Dialogue``.

Shared by the JSONL and JSON readers so both accept exactly the same keys and
report the same errors. Only types are checked here; content problems (empty text,
spans out of range, unknown speaker) are left to ``validate_dataset`` so that
``validate=False`` really loads everything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from empathy_nlu.errors import DataError, InputError
from empathy_nlu.history import parse_timestamp
from empathy_nlu.language.detect import language_code
from empathy_nlu.schema import Dialogue, EntitySpan, Example, Turn

from . import codes
from ._io import bad_value, span, type_name

SENTIMENTS = ("negative", "neutral", "positive")


def require(record: dict, key: str, source: str, what: str = "record") -> Any:
    if key not in record:
        present = ", ".join(sorted(record)) or "none"
        raise DataError(
            f"{what} has no '{key}' key (keys present: {present}); add it",
            source=source,
            code=codes.MISSING_KEY,
        )
    return record[key]


def optional_str(record: dict, key: str, source: str) -> str | None:
    value = record.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise bad_value(key, "a non-empty string or null", value, source)
    return value


def sentiment_of(record: dict, source: str) -> str | None:
    value = record.get("sentiment")
    if value is not None and value not in SENTIMENTS:
        raise bad_value("sentiment", "one of negative, neutral, positive", value, source)
    return value


def language_of(value: Any, source: str, key: str = "lang") -> str | None:
    """A ``lang`` value: None, or an ISO 639-1 code (any case, kept lower-case)."""
    if value is None:
        return None
    code = language_code(value)
    if code is None:
        raise bad_value(key, "an ISO 639-1 code such as en, ja, ar, or null", value, source)
    return code


def _text(record: dict, key: str, source: str, what: str = "record") -> str:
    text = require(record, key, source, what)
    if not isinstance(text, str):
        raise bad_value(key, "a string", text, source)
    return text


def _intents(record: dict, source: str) -> tuple[str, ...]:
    value = record.get("intents")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise bad_value("intents", "a list of non-empty strings", value, source)
    return tuple(value)


def _cues(record: dict, source: str) -> tuple[str, ...] | None:
    value = record.get("cues")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise bad_value("cues", "a list of cue names such as frustration, urgency", value, source)
    return tuple(value)


def _entities(record: dict, text: str, source: str) -> tuple[EntitySpan, ...]:
    value = record.get("entities")
    if value is None:
        return ()
    if not isinstance(value, list):
        raise bad_value("entities", "a list of objects", value, source)
    spans = []
    for item in value:
        if not isinstance(item, dict):
            raise bad_value("entities[]", "an object with start, end, entity", item, source)
        spans.append(
            span(
                require(item, "entity", source, "entity"),
                require(item, "start", source, "entity"),
                require(item, "end", source, "entity"),
                item.get("value"),
                text,
                source,
            )
        )
    return tuple(spans)


def example_from_record(
    record: Any, source: str, *, text_key: str = "text", label_key: str | None = "intent"
) -> Example:
    """An utterance record: ``text`` plus optional intent(s), entities, sentiment and channel."""
    if not isinstance(record, dict):
        raise DataError(
            f"expected a JSON object, got {type_name(record)}", source=source, code=codes.MALFORMED
        )
    text = _text(record, text_key, source)
    return Example(
        text=text,
        intent=optional_str(record, label_key, source) if label_key is not None else None,
        intents=_intents(record, source),
        entities=_entities(record, text, source),
        sentiment=sentiment_of(record, source),
        channel=optional_str(record, "channel", source),
        cues=_cues(record, source),
        source=source,
        language=language_of(record.get("lang"), source),
    )


def _timestamp(turn: dict, source: str) -> datetime | None:
    """An ISO 8601 string in the years 1900 to 2199 (the rule of ``predict``, docs/input_rules.md)."""
    value = turn.get("timestamp")
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return parse_timestamp(value, source)
        except InputError:
            pass
    raise bad_value(
        "timestamp",
        "an ISO 8601 string in the years 1900 to 2199 such as 2024-05-01T14:03:00Z",
        value,
        source,
    )


def _turn(item: Any, source: str) -> Turn:
    if not isinstance(item, dict):
        raise bad_value("turns[]", "an object with speaker and text", item, source)
    speaker = require(item, "speaker", source, "turn")
    if not isinstance(speaker, str):
        raise bad_value("speaker", "a string", speaker, source)
    return Turn(
        text=_text(item, "text", source, "turn"),
        speaker=speaker,
        channel=optional_str(item, "channel", source),
        timestamp=_timestamp(item, source),
        intent=optional_str(item, "intent", source),
        language=language_of(item.get("lang"), source),
    )


def dialogue_from_record(record: dict, source: str, default_id: str) -> Dialogue:
    """A conversation record: ``turns`` plus an optional ``id`` (default: file and line)."""
    turns = record["turns"]
    if not isinstance(turns, list):
        raise bad_value("turns", "a list of turn objects", turns, source)
    dialogue_id = record.get("id", default_id)
    if isinstance(dialogue_id, int) and not isinstance(dialogue_id, bool):
        dialogue_id = str(dialogue_id)
    if not isinstance(dialogue_id, str) or not dialogue_id:
        raise bad_value("id", "a non-empty string", dialogue_id, source)
    parsed = tuple(_turn(item, f"{source} turn {i}") for i, item in enumerate(turns))
    return Dialogue(id=dialogue_id, turns=parsed, source=source)
