"""The empathy YAML training format: intents with examples, entities annotated inline.

::

    version: 1
    language: en
    intents:
      - intent: lost_or_stolen_card
        examples:
          - I lost my card ending [4821](card_last4)
          - text: "WHERE IS MY CARD!!"
            sentiment: negative
    synonyms:                        # optional: normalize the value of a predicted entity
      - value: checking_account
        synonyms: [current account, checking]
    lookups:                         # optional: tagger features
      - lookup: city
        examples: [Paris, Lyon]
    regexes:                         # optional: tagger features
      - regex: card_last4
        pattern: '[0-9]{4}'

Every example's ``source`` is ``file:line`` of that example, so later errors
(validation, training) point straight at it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from empathy_nlu.errors import DataError
from empathy_nlu.schema import Dataset, Example

from . import _yaml, codes
from .annotations import parse_annotated
from .entity_resources import read_empathy_sections
from .records import SENTIMENTS, language_of

TOP_KEYS = ("version", "language", "intents", "synonyms", "lookups", "regexes")
INTENT_KEYS = ("intent", "description", "examples")
EXAMPLE_KEYS = ("text", "sentiment", "channel", "language")
VERSIONS = ("1",)


def _required(keys: dict, key: str, what: str, node: yaml.Node, path: Path) -> yaml.Node:
    if key not in keys:
        raise DataError(
            f"{what} has no '{key}' key; add it",
            source=f"{path}:{_yaml.line_of(node)}",
            code=codes.MISSING_KEY,
        )
    return keys[key][1]


def _example(node: yaml.Node, intent: str, path: Path, language: str | None = None) -> Example:
    """One example; ``language``: the file's, which the example's own ``language`` overrides."""
    source = f"{path}:{_yaml.line_of(node)}"
    sentiment = channel = None
    if isinstance(node, yaml.MappingNode):
        keys = _yaml.mapping(node, "an example", path)
        _yaml.reject_unknown(keys, EXAMPLE_KEYS, "an example", path)
        raw = _yaml.scalar(_required(keys, "text", "an example", node, path), "'text'", path)
        if "sentiment" in keys:
            sentiment = _yaml.scalar(keys["sentiment"][1], "'sentiment'", path) or None
            if sentiment is not None and sentiment not in SENTIMENTS:
                raise DataError(
                    f"'sentiment' must be one of {', '.join(SENTIMENTS)}, got {sentiment!r}",
                    source=source,
                    code=codes.BAD_VALUE,
                )
        if "channel" in keys:
            channel = _yaml.scalar(keys["channel"][1], "'channel'", path) or None
        if "language" in keys:
            value = _yaml.scalar(keys["language"][1], "'language'", path) or None
            language = language_of(value, source, "language")
    else:
        raw = _yaml.scalar(node, "an example (text or mapping with 'text')", path)
    text, entities = parse_annotated(raw, source)
    return Example(
        text=text,
        intent=intent,
        entities=entities,
        sentiment=sentiment,
        channel=channel,
        source=source,
        language=language,
    )


def _intent_block(node: yaml.Node, path: Path, language: str | None) -> list[Example]:
    keys = _yaml.mapping(node, "an item of 'intents'", path)
    _yaml.reject_unknown(keys, INTENT_KEYS, "an intent", path)
    intent = _yaml.scalar(_required(keys, "intent", "an intent", node, path), "'intent'", path).strip()
    if not intent:
        raise DataError(
            "'intent' is empty; give the intent a name",
            source=f"{path}:{_yaml.line_of(node)}",
            code=codes.BAD_VALUE,
        )
    if "description" in keys:
        _yaml.scalar(keys["description"][1], "'description'", path)
    examples = _required(keys, "examples", f"intent '{intent}'", node, path)
    _yaml.expect(examples, yaml.SequenceNode, f"'examples' of intent '{intent}'", path)
    return [_example(item, intent, path, language) for item in examples.value]


def read_yaml(path: str | Path, node: yaml.Node | None = None) -> Dataset:
    """Read an empathy YAML file (``node``: its already-composed root, to avoid parsing twice)."""
    path = Path(path)
    root = _yaml.compose(path) if node is None else node
    if root is None:
        raise DataError(
            "the file is empty; expected a top-level 'intents' list",
            source=f"{path}:1",
            code=codes.MISSING_KEY,
        )
    keys = _yaml.mapping(root, "the top level", path)
    if "nlu" in keys and "intents" not in keys:
        raise DataError(
            "this is a Rasa NLU file (top-level 'nlu'); load it with format='rasa'",
            source=f"{path}:{_yaml.line_of(keys['nlu'][0])}",
            code=codes.MISSING_KEY,
        )
    _yaml.reject_unknown(keys, TOP_KEYS, "the top level", path)
    language = None
    if "language" in keys:
        node_ = keys["language"][1]
        value = _yaml.scalar(node_, "'language'", path) or None
        language = language_of(value, f"{path}:{_yaml.line_of(node_)}", "language")
    if "version" in keys and _yaml.scalar(keys["version"][1], "'version'", path) not in VERSIONS:
        raise DataError(
            f"unsupported version {keys['version'][1].value!r}; this release reads version 1",
            source=f"{path}:{_yaml.line_of(keys['version'][1])}",
            code=codes.BAD_VALUE,
        )
    intents = _required(keys, "intents", "the file", root, path)
    _yaml.expect(intents, yaml.SequenceNode, "'intents'", path)
    dataset = Dataset(sources=[str(path)], resources=read_empathy_sections(keys, path))
    for block in intents.value:
        dataset.examples.extend(_intent_block(block, path, language))
    return dataset
