"""The typed result of ``Classifier.predict``: one dataclass, one ``to_dict`` for JSON, one ``to_json``.

No output carries NaN or infinity (JSON has neither; ``json.dumps`` would write ``NaN``, which strict
JSON parsers refuse): ``to_dict`` writes such a number as ``None``. A model that passed the load checks
(``docs/model_files.md``) never produces one; this is the last guard, not the first.
"""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass, field
from typing import Any


def finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float inside it (dicts, lists, tuples) replaced by None.

    Copies only what holds such a number: a full prediction is walked in ~20 us, nothing copied.
    """
    kind = type(value)
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is dict:
        copy = None
        for key, item in value.items():
            if (new := finite(item)) is not item:
                copy = copy or dict(value)
                copy[key] = new
        return value if copy is None else copy
    if kind is list or kind is tuple:
        items = None
        for i, item in enumerate(value):
            if (new := finite(item)) is not item:
                items = items or list(value)
                items[i] = new
        return value if items is None else kind(items)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if isinstance(value, numbers.Real) and not math.isfinite(value):  # numpy's floats and the like
        return None
    return value


@dataclass(frozen=True)
class IntentScore:
    name: str
    confidence: float

    def to_dict(self) -> dict:
        return {"name": self.name, "confidence": finite(round(self.confidence, 6))}


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
    # The customer's language: ``{"code": "ja", "confidence": 0.97, "source": "message"}``; the
    # conversation's (``source: conversation``) when the message alone is too short, mixed or unsure;
    # ``code: None`` when neither tells (docs/language_id.md).
    language: dict[str, Any] | None = None

    def to_dict(self) -> dict:
        """Plain JSON types; every number finite (a NaN or infinity would be None)."""
        return {
            "text": self.text,
            "truncated": self.truncated,
            "intent": self.intent.to_dict() if self.intent else None,
            "intent_ranking": [score.to_dict() for score in self.intent_ranking],
            "intents": [score.to_dict() for score in self.intents],
            "out_of_scope": self.out_of_scope,
            "out_of_scope_reason": self.out_of_scope_reason,
            "sentiment": finite(self.sentiment),
            "cues": finite(self.cues),
            "entities": finite(self.entities),
            "context": finite(self.context),
            "language": finite(self.language),
        }

    def to_json(self, indent: int | None = None) -> str:
        """``to_dict`` as JSON text (UTF-8 characters kept); never ``NaN`` or ``Infinity``."""
        return json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False, indent=indent)
