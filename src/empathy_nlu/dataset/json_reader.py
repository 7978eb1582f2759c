"""JSON array of utterance records, e.g. the NLU++ folds (``nlupp/banking/fold0.json``).

Each record takes the JSONL utterance keys, plus NLU++ ``slots``
(``{"name": {"text", "span": [start, end], "value" | "values"}}``), which become
entity spans. The array is decoded one element at a time so that every record's
errors can name the line where it starts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from empathy_nlu.errors import DataError
from empathy_nlu.schema import Dataset, EntitySpan, Example

from . import codes
from ._io import bad_value, read_text, span, without_surrogates
from .jsonl_reader import check_label_column
from .records import example_from_record, require

_WS = " \t\r\n"


def _malformed(path: Path, text: str, pos: int, what: str) -> DataError:
    line = text.count("\n", 0, pos) + 1
    return DataError(what, source=f"{path}:{line}", code=codes.MALFORMED)


def iter_array(path: Path, text: str) -> Iterator[tuple[int, Any]]:
    """Yield ``(line, element)`` for each element of the top-level JSON array in ``text``."""
    decoder = json.JSONDecoder()
    pos, line, end = 0, 1, len(text)
    escapes = "\\u" in text  # an escape may be a lone surrogate

    def skip(pos: int) -> int:
        while pos < end and text[pos] in _WS:
            pos += 1
        return pos

    pos = skip(pos)
    if pos >= end or text[pos] != "[":
        raise _malformed(path, text, pos, "expected a JSON array of records ('[' ... ']')")
    pos, counted = skip(pos + 1), 0
    if pos < end and text[pos] == "]":
        return
    while True:
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            element, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise _malformed(path, text, exc.pos, f"invalid JSON: {exc.msg}") from None
        except (ValueError, RecursionError) as exc:  # a 5,000-digit integer, arrays nested 10,000 deep
            raise _malformed(path, text, pos, f"JSON that cannot be read ({type(exc).__name__})") from None
        yield line, (without_surrogates(element) if escapes else element)
        pos = skip(pos)
        if pos < end and text[pos] == ",":
            pos = skip(pos + 1)
        elif pos < end and text[pos] == "]":
            if skip(pos + 1) < end:
                raise _malformed(path, text, skip(pos + 1), "unexpected data after the closing ']'")
            return
        else:
            raise _malformed(path, text, pos, "expected ',' or ']' between records")


def _slots(record: dict, text: str, source: str) -> tuple[EntitySpan, ...]:
    slots = record.get("slots")
    if slots is None:
        return ()
    if not isinstance(slots, dict):
        raise bad_value("slots", "an object of slot name to {text, span, value}", slots, source)
    spans = []
    for name, slot in slots.items():
        if not isinstance(slot, dict):
            raise bad_value(f"slots.{name}", "an object with text, span, value", slot, source)
        bounds = require(slot, "span", source, f"slot '{name}'")
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise bad_value(f"slots.{name}.span", "a [start, end] pair", bounds, source)
        value = slot.get("value", slot.get("values"))
        spans.append(span(name, bounds[0], bounds[1], value, text, source))
    return tuple(spans)


def read_json(path: str | Path, *, text_column: str = "text", label_column: str | None = "intent") -> Dataset:
    """Read a JSON array of utterance records (NLU++ style); errors name ``file:line``."""
    path = Path(path)
    text = read_text(path)
    examples: list[Example] = []
    labelled, first = False, None
    for line, record in iter_array(path, text):
        source = f"{path}:{line}"
        if first is None and isinstance(record, dict):
            first = (source, sorted(record))
        labelled = labelled or (isinstance(record, dict) and label_column in record)
        example = example_from_record(record, source, text_key=text_column, label_key=label_column)
        slot_spans = _slots(record, example.text, source)
        if slot_spans:
            example = replace(example, entities=example.entities + slot_spans)
        examples.append(example)
    check_label_column(label_column, labelled, first)
    return Dataset(examples=examples, sources=[str(path)])
