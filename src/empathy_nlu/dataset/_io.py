"""File access shared by the readers: every OS or decoding failure becomes a ``DataError``.

Reading bytes and decoding once lets a ``UnicodeDecodeError`` be turned into a line number,
which a text-mode file iterator cannot do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from empathy_nlu.errors import DataError
from empathy_nlu.history import replace_surrogates
from empathy_nlu.schema import EntitySpan

from . import codes


def read_text(path: Path) -> str:
    """Return the UTF-8 text of ``path`` (a leading BOM is dropped), or raise E109/E107."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(
            "file not found; check the path (relative paths are resolved from the working directory "
            f"{Path.cwd()})",
            source=str(path),
            code=codes.NOT_FOUND,
        ) from None
    except IsADirectoryError:
        raise DataError("is a directory, not a data file", source=str(path), code=codes.NOT_FOUND) from None
    except OSError as exc:
        raise DataError(f"cannot read file: {exc.strerror}", source=str(path), code=codes.NOT_FOUND) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; re-save the file as UTF-8",
            source=f"{path}:{line}",
            code=codes.MALFORMED,
        ) from None


def unknown_column(kind: str, name: str, columns: list[str], source: str) -> DataError:
    """E102 listing the columns that do exist, shared with the Hugging Face reader."""
    return DataError(
        f"{kind} {name!r} not found; available columns: {', '.join(map(repr, columns))}. "
        f"Pass {kind}=<one of them>",
        source=source,
        code=codes.UNKNOWN_COLUMN,
    )


def type_name(value: Any) -> str:
    """JSON-ish name of a Python value's type, for messages written for data authors."""
    names = {str: "string", bool: "boolean", int: "number", float: "number", list: "list", dict: "object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def bad_value(key: str, expected: str, value: Any, source: str) -> DataError:
    return DataError(
        f"'{key}' must be {expected}, got {type_name(value)} {value!r:.60}",
        source=source,
        code=codes.BAD_VALUE,
    )


def value_text(value: Any) -> str | None:
    """Entity values are strings; structured ones (dates in NLU++) are kept as compact JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def span(entity: str, start: Any, end: Any, value: Any, text: str, source: str) -> EntitySpan:
    """Build an ``EntitySpan`` after type checks; range checks are the validator's job (E104)."""
    for key, offset in (("start", start), ("end", end)):
        if not isinstance(offset, int) or isinstance(offset, bool):
            raise bad_value(f"entities.{key}", "an integer character offset", offset, source)
    if not isinstance(entity, str) or not entity:
        raise bad_value("entities.entity", "a non-empty string", entity, source)
    if value is None and 0 <= start < end <= len(text):
        value = text[start:end]
    return EntitySpan(entity=entity, start=start, end=end, value=value_text(value))


def without_surrogates(value: Any) -> Any:
    """``value`` (parsed JSON) with every lone surrogate in its strings (a ``"\\ud800"`` escape: half of
    an emoji cut off by an export) replaced by U+FFFD, as ``predict`` does (docs/input_rules.md)."""
    if isinstance(value, str):
        return replace_surrogates(value)
    if not isinstance(value, dict | list):
        return value
    root: list = [value]
    stack: list = [(root, 0)]
    while stack:  # iterative: a deeply nested record cannot exhaust the recursion limit here
        container, key = stack.pop()
        item = container[key]
        if isinstance(item, str):
            container[key] = replace_surrogates(item)
        elif isinstance(item, list):
            stack.extend((item, i) for i in range(len(item)))
        elif isinstance(item, dict):
            for name in list(item):
                clean = replace_surrogates(name) if isinstance(name, str) else name
                if clean is not name:
                    item[clean] = item.pop(name)
                stack.append((item, clean))
    return root[0]
