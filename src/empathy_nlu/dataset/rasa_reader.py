"""Rasa NLU YAML (``nlu:`` with ``- intent:`` items and ``examples: |`` blocks).

Intent items give examples; ``synonym``, ``regex`` and ``lookup`` items give the
dataset's ``EntityResources`` (see ``entity_resources``). Other top-level keys such as
``rules`` or ``stories`` are ignored. The line of an example inside a literal block is the
block's first content line plus its offset, so errors still name ``file:line``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from empathy_nlu.errors import DataError
from empathy_nlu.schema import Dataset, EntityResources, Example

from . import _yaml, codes
from .annotations import parse_annotated
from .entity_resources import read_rasa_item

RESOURCE_KINDS = ("synonym", "regex", "lookup")


def _example(raw: str, intent: str, source: str) -> Example:
    text, entities = parse_annotated(raw, source)
    return Example(text=text, intent=intent, entities=entities, source=source)


def _block_examples(node: yaml.ScalarNode, intent: str, path: Path) -> list[Example]:
    """Examples of a ``|`` block: one ``- text`` per line, line numbers from the block start."""
    literal = node.style == "|"  # in other styles lines are folded: fall back to the node's line
    examples = []
    for offset, line in enumerate(_yaml.scalar(node, "'examples'", path).split("\n")):
        stripped = line.strip()
        if not stripped:
            continue
        lineno = _yaml.line_of(node) + 1 + offset if literal else _yaml.line_of(node)
        source = f"{path}:{lineno}"
        if not (stripped.startswith("- ") or stripped == "-"):
            raise DataError(
                f"example line {stripped[:60]!r} must start with '- '; write one '- example' per line",
                source=source,
                code=codes.MALFORMED,
            )
        examples.append(_example(stripped[1:].strip(), intent, source))
    return examples


def _list_examples(node: yaml.SequenceNode, intent: str, path: Path) -> list[Example]:
    """Rasa 3 form ``examples: [- text: ..., metadata: ...]``; metadata is ignored."""
    examples = []
    for item in node.value:
        if isinstance(item, yaml.MappingNode):
            keys = _yaml.mapping(item, "an example", path)
            if "text" not in keys:
                raise DataError(
                    "an example has no 'text' key; add it",
                    source=f"{path}:{_yaml.line_of(item)}",
                    code=codes.MISSING_KEY,
                )
            item = keys["text"][1]
        raw = _yaml.scalar(item, "an example", path).strip()
        raw = raw[1:].strip() if raw.startswith("- ") else raw
        line = _yaml.line_of(item) + (1 if item.style in ("|", ">") else 0)  # block text starts below
        examples.append(_example(raw, intent, f"{path}:{line}"))
    return examples


def _item(node: yaml.Node, path: Path, resources: EntityResources) -> list[Example]:
    keys = _yaml.mapping(node, "an item of 'nlu'", path)
    source = f"{path}:{_yaml.line_of(node)}"
    if "intent" not in keys:
        kinds = [kind for kind in RESOURCE_KINDS if kind in keys]
        if len(kinds) > 1:
            raise DataError(
                f"an 'nlu' item has both {kinds[0]!r} and {kinds[1]!r}; split it into two items",
                source=source,
                code=codes.BAD_DECLARATION,
            )
        if kinds:
            read_rasa_item(kinds[0], keys, node, path, resources)
            return []
        raise DataError(
            "an 'nlu' item needs one of the keys intent, synonym, regex, lookup",
            source=source,
            code=codes.MISSING_KEY,
        )
    intent = _yaml.scalar(keys["intent"][1], "'intent'", path).strip()
    if not intent:
        raise DataError("'intent' is empty; give the intent a name", source=source, code=codes.BAD_VALUE)
    if "examples" not in keys:
        raise DataError(
            f"intent '{intent}' has no 'examples' key; add an 'examples: |' block",
            source=source,
            code=codes.MISSING_KEY,
        )
    examples = keys["examples"][1]
    if isinstance(examples, yaml.SequenceNode):
        return _list_examples(examples, intent, path)
    return _block_examples(examples, intent, path)


def read_rasa(path: str | Path, node: yaml.Node | None = None) -> Dataset:
    """Read a Rasa NLU YAML file: examples and entity resources (``node``: its composed root, if at hand)."""
    path = Path(path)
    root = _yaml.compose(path) if node is None else node
    if root is None:
        raise DataError(
            "the file is empty; expected a top-level 'nlu' list", source=f"{path}:1", code=codes.MISSING_KEY
        )
    keys = _yaml.mapping(root, "the top level", path)
    if "nlu" not in keys:
        raise DataError(
            "no top-level 'nlu' key; a Rasa NLU file starts with 'nlu:'",
            source=f"{path}:{_yaml.line_of(root)}",
            code=codes.MISSING_KEY,
        )
    items = keys["nlu"][1]
    _yaml.expect(items, yaml.SequenceNode, "'nlu'", path)
    dataset = Dataset(sources=[str(path)])
    for item in items.value:
        dataset.examples.extend(_item(item, path, dataset.resources))
    dataset.resources.synonym_map()  # a synonym declared for two values fails here, naming its line (E115)
    return dataset
