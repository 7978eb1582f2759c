"""Plain data types shared by every layer: training examples, turns, dialogues.

They carry no behaviour beyond validation so that readers, models and the
``Classifier`` can pass them around without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

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


@dataclass(frozen=True)
class Turn:
    """One turn of a conversation, from any channel."""

    text: str
    speaker: str = "customer"
    channel: str | None = None
    timestamp: datetime | None = None
    intent: str | None = None

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "speaker": self.speaker,
            "channel": self.channel,
            "timestamp": self.timestamp.isoformat() if self.timestamp else None,
            "intent": self.intent,
        }


@dataclass(frozen=True)
class Dialogue:
    """A conversation; customer turns may carry a gold intent."""

    id: str
    turns: tuple[Turn, ...]
    source: str = ""


@dataclass
class Dataset:
    """What a reader returns: utterance examples and/or dialogues, with where they came from."""

    examples: list[Example] = field(default_factory=list)
    dialogues: list[Dialogue] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.examples) + len(self.dialogues)

    def extend(self, other: Dataset) -> None:
        self.examples.extend(other.examples)
        self.dialogues.extend(other.dialogues)
        self.sources.extend(other.sources)

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
