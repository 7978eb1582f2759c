"""From a conversation understood to the ``Prediction`` the caller gets."""

from __future__ import annotations

from ..intent_classifier.multi_label import predicted_intents
from ..prediction import IntentScore, Prediction
from ..privacy import PrivacyParams, mask_prediction
from ..schema import OUT_OF_SCOPE

# Masked a little past the cut of a truncated text, so a number straddling it is recognized and not
# half shown.
LOOK_PAST = 64


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


def echo(text: str, read: int, entities: list[dict], cues: dict, privacy: PrivacyParams | None = None):
    """``(text, entities, cues)`` of the Prediction: the part of ``text`` that was read, with personal
    data masked by the ``privacy`` policy (length kept), and every entity and cue span over masked
    characters showing the masked characters (``text[start:end] == entity["text"]`` still holds)."""
    masked, entities, findings = mask_prediction(text[: read + LOOK_PAST], entities, privacy)
    masked = masked[:read]
    if findings and cues:
        cues = {name: _masked_cue(cue, masked, findings) for name, cue in cues.items()}
    return masked, entities, cues


def _masked_cue(cue, masked: str, findings) -> dict:
    evidence = cue.get("evidence") if isinstance(cue, dict) else None
    if not evidence:
        return cue
    out = []
    for item in evidence:
        start, end = item.get("start"), item.get("end")
        if (
            isinstance(start, int)
            and isinstance(end, int)
            and any(f.start < end and start < f.end for f in findings)
        ):
            item = {**item, "text": masked[start:end]}
        out.append(item)
    return {**cue, "evidence": out}


def make_prediction(
    text: str,
    doc,
    result,
    context: dict,
    has_intent_model: bool,
    privacy: PrivacyParams | None = None,
    language: dict | None = None,
) -> Prediction:
    """The Prediction of ``text`` whose doc is ``doc`` (the part read) and final intent ``result``;
    ``language``: ``Prediction.language`` (``context/language.py``)."""
    intent, ranking, out_of_scope, reason = intent_fields(result, has_intent_model)
    shown, entities, cues = echo(text, len(doc.text), doc.entities, doc.cues, privacy)
    return Prediction(
        shown,
        intent,
        ranking,
        out_of_scope,
        reason,
        doc.sentiment,
        cues,
        entities,
        context,
        [IntentScore(name, p) for name, p in predicted_intents(result)] if intent is not None else [],
        truncated=len(doc.text) < len(text),
        language=language,
    )
