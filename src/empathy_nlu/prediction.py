"""The typed result of ``Classifier.predict``: one dataclass, one ``to_dict`` for JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class IntentScore:
    name: str
    confidence: float

    def to_dict(self) -> dict:
        return {"name": self.name, "confidence": round(self.confidence, 6)}


@dataclass(frozen=True)
class Prediction:
    """What the customer wants, how they feel, what they said, and what the history means.

    ``sentiment``, ``cues``, ``entities`` and ``context`` are filled by the
    sentiment, entity and context layers; they are null/empty until then.
    """

    text: str
    intent: IntentScore | None  # None only for a model without an intent classifier
    intent_ranking: list[IntentScore]
    out_of_scope: bool | None
    out_of_scope_reason: str | None = None
    sentiment: dict[str, Any] | None = None
    cues: dict[str, Any] = field(default_factory=dict)
    entities: list[dict[str, Any]] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    # Every intent the message asks for, best first: the set above the multi-intent threshold, or
    # just ``intent`` for a single-intent model (empty when out of scope). ``intent`` is its top one.
    intents: list[IntentScore] = field(default_factory=list)
    # ``text`` echoes at most ``predict.max_chars`` characters: the part that was read.
    truncated: bool = False

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "truncated": self.truncated,
            "intent": self.intent.to_dict() if self.intent else None,
            "intent_ranking": [score.to_dict() for score in self.intent_ranking],
            "intents": [score.to_dict() for score in self.intents],
            "out_of_scope": self.out_of_scope,
            "out_of_scope_reason": self.out_of_scope_reason,
            "sentiment": self.sentiment,
            "cues": self.cues,
            "entities": self.entities,
            "context": self.context,
        }
