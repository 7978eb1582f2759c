"""YAML access through PyYAML's node graph, so every value keeps its line number.

``yaml.compose`` (with ``SafeLoader``) gives nodes with marks instead of plain Python
objects; scalars are taken as written, so ``- no`` stays the text "no" instead of
becoming ``False``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from empathy_nlu.errors import DataError
from empathy_nlu.history import replace_surrogates

from . import codes
from ._io import read_text

_NULL_TAG = "tag:yaml.org,2002:null"
_KIND = {yaml.ScalarNode: "a string", yaml.SequenceNode: "a list", yaml.MappingNode: "a mapping"}


def line_of(node: yaml.Node) -> int:
    """1-based line where ``node`` starts."""
    return node.start_mark.line + 1


def compose(path: Path) -> yaml.Node | None:
    """Parse ``path`` into a node graph; syntax errors become E107 naming the line."""
    text = read_text(path)
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark, context = exc.problem_mark or exc.context_mark, exc.context_mark
        if context is not None and mark is not None and mark.index >= len(text.rstrip()):
            mark = context  # ran off the end of the file: the unclosed opener is the culprit
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        if context is not None and mark is not None and context.line != mark.line:
            problem += f" (the enclosing item starts at line {context.line + 1})"
        raise DataError(
            f"YAML syntax error: {problem}; check indentation and quote text containing ': ' or '#'",
            source=where,
            code=codes.MALFORMED,
        ) from None
    except yaml.YAMLError as exc:
        raise DataError(f"YAML error: {exc}", source=str(path), code=codes.MALFORMED) from None
    except RecursionError:  # lists or mappings nested thousands deep
        raise DataError(
            "YAML nested too deeply to be read; training data needs a few levels only",
            source=str(path),
            code=codes.MALFORMED,
        ) from None


def expect(node: yaml.Node, kind: type, what: str, path: Path) -> None:
    if not isinstance(node, kind):
        raise DataError(
            f"{what} must be {_KIND[kind]}, got {_KIND.get(type(node), type(node).__name__)}",
            source=f"{path}:{line_of(node)}",
            code=codes.BAD_VALUE,
        )


def mapping(node: yaml.Node, what: str, path: Path) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """``{key: (key_node, value_node)}`` of a mapping node; duplicate keys are an error (E107)."""
    expect(node, yaml.MappingNode, what, path)
    out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        expect(key_node, yaml.ScalarNode, f"a key of {what}", path)
        if key_node.value in out:
            raise DataError(
                f"duplicate key '{key_node.value}' in {what} (first at line "
                f"{line_of(out[key_node.value][0])}); keep one",
                source=f"{path}:{line_of(key_node)}",
                code=codes.MALFORMED,
            )
        out[key_node.value] = (key_node, value_node)
    return out


def scalar(node: yaml.Node, what: str, path: Path) -> str:
    """The text of a scalar as written; an explicit or implicit null is the empty string."""
    expect(node, yaml.ScalarNode, what, path)
    return "" if node.tag == _NULL_TAG else replace_surrogates(node.value)  # a "\\ud800" escape: U+FFFD


def reject_unknown(keys: dict, allowed: tuple[str, ...], what: str, path: Path) -> None:
    for key, (key_node, _) in keys.items():
        if key not in allowed:
            raise DataError(
                f"unknown key '{key}' in {what}; allowed keys: {', '.join(allowed)}",
                source=f"{path}:{line_of(key_node)}",
                code=codes.BAD_VALUE,
            )
