"""Declared lookup tables and regexes as tagger features, and synonyms as value normalization.

Why features and not rules: a lookup hit ("Paris" in ``city``) or a regex match is evidence
the CRF weighs against the context it learned, so a table that also lists "may" does not
turn every "may" into a month. Tokens inside a match get ``lk:NAME:B`` (first token) or
``lk:NAME:I`` (``rx:`` for regexes); lookups match whole tokens case-insensitively, regexes
match the raw text as written (case-sensitive unless the pattern says ``(?i)``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..errors import DataError
from ..schema import EntityResources
from .tokens import tokenize


def normalize_surface(text: str) -> str:
    """The synonym key of a surface form: case-folded, whitespace collapsed."""
    return " ".join(text.casefold().split())


class ResourceFeatures:
    """Compiled lookups and regexes; ``features`` gives each token its match features."""

    def __init__(self, lookups: dict[str, list[str]], regexes: list[tuple[str, str]]) -> None:
        self.lookups = lookups
        self.regexes = regexes
        self._first: dict[str, list[tuple[int, tuple[str, ...], str]]] = {}
        for name, phrases in lookups.items():
            for phrase in phrases:
                words = tuple(w.lower() for w in tokenize(phrase)[0])
                if words:
                    self._first.setdefault(words[0], []).append((len(words), words, name))
        self._compiled = [(name, re.compile(pattern)) for name, pattern in regexes]

    def __bool__(self) -> bool:
        return bool(self._first or self._compiled)

    @classmethod
    def from_resources(cls, resources: EntityResources | None) -> ResourceFeatures:
        lookups: dict[str, list[str]] = {}
        regexes: list[tuple[str, str]] = []
        for table in resources.lookups if resources else ():
            lookups.setdefault(table.name, []).extend(table.elements)
        for regex in resources.regexes if resources else ():
            try:
                re.compile(regex.pattern)
            except re.error as exc:
                raise DataError(
                    f"regex {regex.name!r}: {regex.pattern!r} is not a valid regular expression ({exc})",
                    source=regex.source,
                    code="E116",
                ) from None
            regexes.append((regex.name, regex.pattern))
        return cls({name: sorted(set(phrases)) for name, phrases in lookups.items()}, regexes)

    def features(
        self, text: str, words: Sequence[str], starts: list[int], ends: list[int]
    ) -> list[list[str]]:
        """Per token, the ``lk:``/``rx:`` features of the matches it lies in (``[]`` for most)."""
        out: list[list[str]] = [[] for _ in words]
        if self._first:
            lows = [w.lower() for w in words]
            n = len(lows)
            for i, low in enumerate(lows):
                for length, phrase, name in self._first.get(low, ()):
                    if i + length <= n and tuple(lows[i : i + length]) == phrase:
                        _mark(out, i, i + length, "lk:" + name)
        for name, regex in self._compiled:
            for match in regex.finditer(text):
                inside = [
                    i
                    for i, (s, e) in enumerate(zip(starts, ends, strict=True))
                    if s >= match.start() and e <= match.end()
                ]
                if inside:
                    _mark(out, inside[0], inside[-1] + 1, "rx:" + name)
        return out

    def to_state(self) -> dict:
        return {"lookups": self.lookups, "regexes": [list(pair) for pair in self.regexes]}

    @classmethod
    def from_state(cls, state: dict) -> ResourceFeatures:
        lookups = {str(name): [str(p) for p in phrases] for name, phrases in state["lookups"].items()}
        return cls(lookups, [(str(name), str(pattern)) for name, pattern in state["regexes"]])


def _mark(out: list[list[str]], first: int, stop: int, prefix: str) -> None:
    out[first].append(prefix + ":B")
    for i in range(first + 1, stop):
        out[i].append(prefix + ":I")


def synonym_map(
    resources: EntityResources | None, annotated: Sequence[tuple[str, str]] = ()
) -> dict[str, str]:
    """``normalized surface -> value`` from the declared synonyms and annotated values.

    ``annotated``: ``(surface, value)`` pairs of training spans whose value differs from the
    surface (Rasa's ``[checking]{"entity": "account", "value": "checking_account"}``). Declared
    synonyms win; a surface annotated with two values teaches nothing and is left out.
    """
    declared = (resources or EntityResources()).synonym_map()
    learned: dict[str, set[str]] = {}
    for surface, value in annotated:
        key = normalize_surface(surface)
        if key and key != normalize_surface(value) and value[:1] not in "{[":  # not structured (NLU++)
            learned.setdefault(key, set()).add(value)
    for key, values in learned.items():
        if len(values) == 1 and key not in declared:
            declared[key] = values.pop()
    return declared
