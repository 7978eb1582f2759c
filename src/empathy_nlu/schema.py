"""Plain data types shared by every layer: training examples, turns, dialogues.

They carry no behaviour beyond validation so that readers, models and the
``Classifier`` can pass them around without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .errors import DataError

OUT_OF_SCOPE = "out_of_scope"
SPEAKERS = ("customer", "agent", "bot")


@dataclass(frozen=True)
class EntitySpan:
    """An annotated entity: character offsets into the example text (end exclusive)."""

    entity: str
    start: int
    end: int
    value: str | None = None


@dataclass(frozen=True)
class Example:
    """One labelled utterance. ``source`` is ``file:line`` (or ``file:record``) for error messages."""

    text: str
    intent: str | None = None
    intents: tuple[str, ...] = ()
    entities: tuple[EntitySpan, ...] = ()
    sentiment: str | None = None
    channel: str | None = None
    cues: tuple[str, ...] | None = None  # labelled empathy cues (None: not labelled; () : none present)
    source: str = ""
    language: str | None = None  # ISO 639-1 code given by the data (``lang``), None: not given


@dataclass(frozen=True)
class Turn:
    """One turn of a conversation, from any channel."""

    text: str
    speaker: str = "customer"
    channel: str | None = None
    timestamp: datetime | None = None
    intent: str | None = None
    language: str | None = None  # ISO 639-1 code: given by the channel, or detected and stored

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "speaker": self.speaker,
            "channel": self.channel,
            "timestamp": self.timestamp.isoformat() if self.timestamp else None,
            "intent": self.intent,
            "language": self.language,
        }


@dataclass(frozen=True)
class Dialogue:
    """A conversation; customer turns may carry a gold intent."""

    id: str
    turns: tuple[Turn, ...]
    source: str = ""


@dataclass(frozen=True)
class SynonymSet:
    """Surface forms (matched case-insensitively) that all mean the entity value ``value``."""

    value: str
    synonyms: tuple[str, ...]
    source: str = ""


@dataclass(frozen=True)
class LookupTable:
    """A named list of phrases; a token inside a match gets a tagger feature, not a forced entity."""

    name: str
    elements: tuple[str, ...]
    source: str = ""


@dataclass(frozen=True)
class RegexFeature:
    """A named regular expression; tokens inside a match get a tagger feature."""

    name: str
    pattern: str
    source: str = ""


@dataclass
class EntityResources:
    """Synonyms, lookup tables and regexes declared next to the examples (empathy or Rasa YAML)."""

    synonyms: list[SynonymSet] = field(default_factory=list)
    lookups: list[LookupTable] = field(default_factory=list)
    regexes: list[RegexFeature] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.synonyms or self.lookups or self.regexes)

    def extend(self, other: EntityResources) -> None:
        self.synonyms.extend(other.synonyms)
        self.lookups.extend(other.lookups)
        self.regexes.extend(other.regexes)

    def synonym_map(self) -> dict[str, str]:
        """``casefolded surface -> value``; a surface declared for two values is an error (E115).

        Each value also maps to itself, so "Checking_Account" normalizes to "checking_account".
        """
        mapping: dict[str, tuple[str, str]] = {}
        for entry in self.synonyms:
            for surface in (entry.value, *entry.synonyms):
                key = " ".join(surface.casefold().split())
                seen = mapping.get(key)
                if seen is not None and seen[0] != entry.value:
                    raise DataError(
                        f"synonym {surface!r} maps to both {seen[0]!r} (at {seen[1]}) and {entry.value!r}; "
                        "keep it under one value",
                        source=entry.source,
                        code="E115",
                    )
                mapping.setdefault(key, (entry.value, entry.source))
        return {key: value for key, (value, _) in mapping.items()}


@dataclass
class Dataset:
    """What a reader returns: utterance examples and/or dialogues, with where they came from."""

    examples: list[Example] = field(default_factory=list)
    dialogues: list[Dialogue] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    resources: EntityResources = field(default_factory=EntityResources)

    def __len__(self) -> int:
        return len(self.examples) + len(self.dialogues)

    def extend(self, other: Dataset) -> None:
        self.examples.extend(other.examples)
        self.dialogues.extend(other.dialogues)
        self.sources.extend(other.sources)
        self.resources.extend(other.resources)

    def intent_examples(self) -> list[Example]:
        """Examples usable for intent training: utterances plus labelled customer turns of dialogues."""
        out = [ex for ex in self.examples if ex.intent is not None]
        for dialogue in self.dialogues:
            for i, turn in enumerate(dialogue.turns):
                if turn.speaker == "customer" and turn.intent is not None:
                    out.append(
                        Example(
                            text=turn.text,
                            intent=turn.intent,
                            channel=turn.channel,
                            source=f"{dialogue.source} turn {i}",
                        )
                    )
        return out
