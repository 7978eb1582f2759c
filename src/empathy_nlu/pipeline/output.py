"""From a conversation understood to the ``Prediction`` the caller gets."""

from __future__ import annotations

from ..entity_parser import mask_card_numbers
from ..intent_classifier.multi_label import predicted_intents
from ..prediction import IntentScore, Prediction
from ..schema import OUT_OF_SCOPE


def intent_fields(result, has_intent_model: bool) -> tuple:
    """``(intent, ranking, out_of_scope, reason)`` of the Prediction."""
    if not has_intent_model:
        return None, [], None, None
    if result is None:  # nothing to understand: empty or whitespace-only
        return IntentScore(OUT_OF_SCOPE, 1.0), [], True, "empty"
    ranking = [IntentScore(name, p) for name, p in result.ranking]
    if not result.out_of_scope:
        return ranking[0], ranking, False, None
    in_scope_top = next((p for name, p in result.ranking if name != OUT_OF_SCOPE), 0.0)
    oos_confidence = ranking[0].confidence if result.reason == "trained_class" else 1.0 - in_scope_top
    return IntentScore(OUT_OF_SCOPE, oos_confidence), ranking, True, result.reason


def echo(text: str, read: int) -> str:
    """The part of ``text`` that was read, card numbers masked; masked a little past the cut, so a
    number that straddles it is recognized and not half shown."""
    return mask_card_numbers(text[: read + 64])[:read]


def make_prediction(text: str, doc, result, context: dict, has_intent_model: bool) -> Prediction:
    """The Prediction of ``text`` whose doc is ``doc`` (the part read) and final intent ``result``."""
    intent, ranking, out_of_scope, reason = intent_fields(result, has_intent_model)
    return Prediction(
        echo(text, len(doc.text)),
        intent,
        ranking,
        out_of_scope,
        reason,
        doc.sentiment,
        doc.cues,
        doc.entities,
        context,
        [IntentScore(name, p) for name, p in predicted_intents(result)] if intent is not None else [],
        truncated=len(doc.text) < len(text),
    )
