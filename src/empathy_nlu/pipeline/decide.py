"""The final intent, decided in one place, and where it came from.

- With a history-aware model: its answer (``history`` when it differs from what the words alone say).
- Without one: a turn with no intent of its own (unsure or no known word) continues the need of
  the latest recent turn that had one (``carried_over``), with the lower of the two confidences.
- Otherwise the words alone decide (``utterance``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..context.component import top_name
from ..context.facts import previous_known_intent
from ..context.signals import TurnFacts
from ..intent_classifier import IntentResult
from .doc import Conversation

CARRY_OVER_REASONS = ("low_confidence", "no_known_words")


def final_intent(conversation: Conversation, earlier: Sequence[TurnFacts], sentiment_window: int):
    """``(result, source)``: the intent result the prediction reports and its ``intent_source``."""
    own = conversation.current.intent
    if own is None:
        return None, "utterance"
    if conversation.intent is not None:
        history = conversation.intent
        return history, "history" if top_name(history) != top_name(own) else "utterance"
    if own.out_of_scope and own.reason in CARRY_OVER_REASONS:
        known = previous_known_intent(earlier, sentiment_window - 1)
        if known is not None:
            confidence = min(known.confidence, 1.0 - own.ranking[0][1] if own.ranking else 1.0)
            return IntentResult([(known.intent, confidence)], False, None), "carried_over"
    return own, "utterance"
