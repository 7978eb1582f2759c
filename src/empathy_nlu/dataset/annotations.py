"""Inline entity annotations, shared by the empathy YAML and Rasa readers.

Two syntaxes, both marking a surface string inside the example text:

* ``[4821](card_last4)``: entity type only; the value is the surface text.
* ``[visa]{"entity": "card_type", "value": "VISA"}``: Rasa's JSON form, with a normalized value.

Brackets that are meant literally are written ``\\[`` and ``\\]``. Anything else that
looks like a half-written annotation is an error (E108) rather than silently kept as
text, so a typo never drops an entity.
"""

from __future__ import annotations

import json
import re

from empathy_nlu.errors import DataError
from empathy_nlu.schema import EntitySpan

from . import codes
from ._io import value_text

_ENTITY_NAME = re.compile(r"[^\s()\[\]{}:\"']+")
_JSON_KEYS = {"entity", "value", "role", "group"}  # role/group: accepted from Rasa files, not kept
_decoder = json.JSONDecoder()


def _error(text: str, pos: int, problem: str, source: str) -> DataError:
    snippet = text if len(text) <= 80 else text[max(0, pos - 30) : pos + 40]
    return DataError(
        f"{problem} at character {pos + 1} of {snippet!r}; write entities as [surface](entity) or "
        '[surface]{"entity": "type", "value": "normalized"}, and literal brackets as \\[ and \\]',
        source=source,
        code=codes.BAD_ANNOTATION,
    )


def _closing_bracket(text: str, start: int, source: str) -> tuple[int, str]:
    """Index of the ``]`` closing the ``[`` at ``start`` and the unescaped surface between them."""
    surface: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in "[]":
            surface.append(text[i + 1])
            i += 2
            continue
        if char == "]":
            return i, "".join(surface)
        if char == "[":
            raise _error(text, i, "nested '[' inside an annotation", source)
        surface.append(char)
        i += 1
    raise _error(text, start, "unbalanced '[' (no closing ']')", source)


def _paren_entity(text: str, open_pos: int, source: str) -> tuple[int, str, None]:
    close = text.find(")", open_pos)
    if close < 0:
        raise _error(text, open_pos, "unbalanced '(' (no closing ')')", source)
    name = text[open_pos + 1 : close].strip()
    if ":" in name:
        raise _error(text, open_pos, f"'({name})' is not supported; give a value with the JSON form", source)
    if not _ENTITY_NAME.fullmatch(name):
        raise _error(text, open_pos, f"invalid entity name {name!r}", source)
    return close + 1, name, None


def _json_entity(text: str, open_pos: int, source: str) -> tuple[int, str, str | None]:
    try:
        obj, end = _decoder.raw_decode(text, open_pos)
    except json.JSONDecodeError as exc:
        raise _error(text, exc.pos, f"invalid JSON in annotation ({exc.msg})", source) from None
    except (ValueError, RecursionError) as exc:  # a 5,000-digit integer, arrays nested 10,000 deep
        raise _error(
            text, open_pos, f"JSON in annotation that cannot be read ({type(exc).__name__})", source
        ) from None
    if not isinstance(obj, dict):
        raise _error(text, open_pos, "the {...} after [surface] must be a JSON object", source)
    unknown = set(obj) - _JSON_KEYS
    if unknown:
        raise _error(text, open_pos, f"unknown annotation keys {sorted(unknown)}", source)
    name = obj.get("entity")
    if not isinstance(name, str) or not _ENTITY_NAME.fullmatch(name):
        raise _error(text, open_pos, "the JSON annotation needs an 'entity' name string", source)
    return end, name, value_text(obj.get("value"))


def parse_annotated(text: str, source: str = "") -> tuple[str, tuple[EntitySpan, ...]]:
    """Strip annotations from ``text``: return the plain text and spans with offsets into it."""
    if "[" not in text and "]" not in text:
        return text, ()
    plain: list[str] = []
    length = 0  # len("".join(plain)), tracked to avoid re-joining
    spans: list[EntitySpan] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in "[]":
            plain.append(text[i + 1])
            length += 1
            i += 2
            continue
        if char == "]":
            raise _error(text, i, "unbalanced ']' (no opening '[')", source)
        if char != "[":
            plain.append(char)
            length += 1
            i += 1
            continue
        close, surface = _closing_bracket(text, i, source)
        if not surface.strip():
            raise _error(text, i, "empty surface text in '[]'", source)
        after = text[close + 1 : close + 2]
        if after == "(":
            i, name, value = _paren_entity(text, close + 1, source)
        elif after == "{":
            i, name, value = _json_entity(text, close + 1, source)
        else:
            raise _error(text, close + 1, "'[...]' must be followed by (entity) or {json}", source)
        spans.append(EntitySpan(entity=name, start=length, end=length + len(surface), value=value or surface))
        plain.append(surface)
        length += len(surface)
    return "".join(plain), tuple(spans)
