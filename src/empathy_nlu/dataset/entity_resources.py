"""Synonyms, lookup tables and regexes declared in YAML, for both the empathy and the Rasa format.

empathy YAML has three top-level lists (``synonyms``, ``lookups``, ``regexes``); Rasa NLU YAML
has ``synonym:``, ``lookup:`` and ``regex:`` items inside ``nlu``. Both end up as one
``EntityResources``. Every declaration keeps ``file:line`` so a bad pattern or a synonym
declared for two values is reported where it is written.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from empathy_nlu.errors import DataError
from empathy_nlu.schema import EntityResources, LookupTable, RegexFeature, SynonymSet

from . import _yaml, codes

SYNONYM_KEYS = ("value", "synonyms")
LOOKUP_KEYS = ("lookup", "examples")
REGEX_KEYS = ("regex", "pattern")


def _source(node: yaml.Node, path: Path) -> str:
    return f"{path}:{_yaml.line_of(node)}"


def _name(node: yaml.Node, what: str, path: Path) -> str:
    name = _yaml.scalar(node, what, path).strip()
    if not name:
        raise DataError(
            f"{what} is empty; give it a name", source=_source(node, path), code=codes.EMPTY_DECLARATION
        )
    return name


def _required(keys: dict, key: str, what: str, node: yaml.Node, path: Path) -> yaml.Node:
    if key not in keys:
        raise DataError(
            f"{what} has no '{key}' key; add it", source=_source(node, path), code=codes.BAD_DECLARATION
        )
    return keys[key][1]


def _reject_unknown(keys: dict, allowed: tuple[str, ...], what: str, path: Path) -> None:
    for key, (key_node, _) in keys.items():
        if key not in allowed:
            raise DataError(
                f"unknown key '{key}' in {what}; allowed keys: {', '.join(allowed)}",
                source=_source(key_node, path),
                code=codes.BAD_DECLARATION,
            )


def items(node: yaml.Node, what: str, path: Path) -> list[tuple[str, str]]:
    """``(text, file:line)`` of a YAML list of strings or of a ``|`` block of ``- item`` lines."""
    out: list[tuple[str, str]] = []
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode):
                raise DataError(
                    f"each item of {what} must be a string",
                    source=_source(item, path),
                    code=codes.BAD_DECLARATION,
                )
            out.append((_yaml.scalar(item, what, path).strip(), _source(item, path)))
    elif isinstance(node, yaml.ScalarNode):
        literal = node.style == "|"
        for offset, line in enumerate(_yaml.scalar(node, what, path).split("\n")):
            stripped = line.strip()
            if not stripped:
                continue
            lineno = _yaml.line_of(node) + 1 + offset if literal else _yaml.line_of(node)
            if not (stripped.startswith("- ") or stripped == "-"):
                raise DataError(
                    f"line {stripped[:60]!r} of {what} must start with '- '; write one '- item' per line",
                    source=f"{path}:{lineno}",
                    code=codes.BAD_DECLARATION,
                )
            out.append((stripped[1:].strip(), f"{path}:{lineno}"))
    else:
        raise DataError(
            f"{what} must be a list of strings or a '|' block of '- item' lines",
            source=_source(node, path),
            code=codes.BAD_DECLARATION,
        )
    for text, source in out:
        if not text:
            raise DataError(
                f"an item of {what} is empty; remove it", source=source, code=codes.EMPTY_DECLARATION
            )
    if not out:
        raise DataError(
            f"{what} has no items; add some", source=_source(node, path), code=codes.EMPTY_DECLARATION
        )
    return out


def synonym(value: str, node: yaml.Node, items_node: yaml.Node, path: Path) -> SynonymSet:
    surfaces = items(items_node, f"the synonyms of {value!r}", path)
    return SynonymSet(value=value, synonyms=tuple(text for text, _ in surfaces), source=_source(node, path))


def lookup(name: str, node: yaml.Node, items_node: yaml.Node, path: Path) -> LookupTable:
    elements = items(items_node, f"lookup table {name!r}", path)
    return LookupTable(name=name, elements=tuple(text for text, _ in elements), source=_source(node, path))


def regexes(name: str, patterns: list[tuple[str, str]]) -> list[RegexFeature]:
    """One ``RegexFeature`` per pattern, each compiled now so a typo fails at its own line (E116)."""
    out = []
    for pattern, source in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise DataError(
                f"regex {name!r}: {pattern!r} is not a valid regular expression ({exc}); fix or quote it "
                "(in YAML, single quotes keep backslashes as written)",
                source=source,
                code=codes.BAD_REGEX,
            ) from None
        out.append(RegexFeature(name=name, pattern=pattern, source=source))
    return out


def read_empathy_sections(keys: dict, path: Path) -> EntityResources:
    """The top-level ``synonyms``, ``lookups`` and ``regexes`` lists of an empathy YAML file."""
    resources = EntityResources()
    sections = {"synonyms": SYNONYM_KEYS, "lookups": LOOKUP_KEYS, "regexes": REGEX_KEYS}
    for section, allowed in sections.items():
        if section not in keys:
            continue
        node = keys[section][1]
        if not isinstance(node, yaml.SequenceNode):
            raise DataError(
                f"'{section}' must be a list", source=_source(node, path), code=codes.BAD_DECLARATION
            )
        for item in node.value:
            if not isinstance(item, yaml.MappingNode):
                raise DataError(
                    f"each item of '{section}' must be a mapping with keys {', '.join(allowed)}",
                    source=_source(item, path),
                    code=codes.BAD_DECLARATION,
                )
            what = f"an item of '{section}'"
            entry = _yaml.mapping(item, what, path)
            _reject_unknown(entry, allowed, what, path)
            name = _name(_required(entry, allowed[0], what, item, path), f"'{allowed[0]}'", path)
            second = _required(entry, allowed[1], what, item, path)
            if section == "synonyms":
                resources.synonyms.append(synonym(name, item, second, path))
            elif section == "lookups":
                resources.lookups.append(lookup(name, item, second, path))
            else:
                pattern = _yaml.scalar(second, "'pattern'", path)
                if not pattern:
                    raise DataError(
                        "'pattern' is empty; write a regular expression",
                        source=_source(second, path),
                        code=codes.EMPTY_DECLARATION,
                    )
                resources.regexes.extend(regexes(name, [(pattern, _source(second, path))]))
    resources.synonym_map()  # a synonym declared for two values fails here, naming its line (E115)
    return resources


def read_rasa_item(kind: str, keys: dict, node: yaml.Node, path: Path, resources: EntityResources) -> None:
    """A Rasa ``- synonym:``, ``- lookup:`` or ``- regex:`` item of ``nlu``, added to ``resources``."""
    name = _name(keys[kind][1], f"'{kind}'", path)
    if "examples" not in keys:
        raise DataError(
            f"{kind} {name!r} has no 'examples' key; add an 'examples: |' block",
            source=_source(node, path),
            code=codes.BAD_DECLARATION,
        )
    examples = keys["examples"][1]
    if kind == "synonym":
        resources.synonyms.append(synonym(name, node, examples, path))
    elif kind == "lookup":
        resources.lookups.append(lookup(name, node, examples, path))
    else:
        resources.regexes.extend(regexes(name, items(examples, f"regex {name!r}", path)))
