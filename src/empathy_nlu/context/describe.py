"""``Prediction.context``: what the earlier turns mean for this one (pure: facts and params in, dict out).

Personal data: the carried details (``entities``) and the hand-over summary are what an agent
screen shows and a caller logs, so every card number, IBAN, SSN, e-mail and phone in them is
masked (``privacy``, docs/privacy.md), whatever ``Prediction.text`` shows.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..privacy import PrivacyParams, mask_context_entities
from . import handoff
from .signals import (
    TurnFacts,
    carried_entities,
    conversation_need,
    escalation_risk,
    repeat_contact,
    sentiment_trend,
)
from .window import ContextParams


def describe(
    current: TurnFacts,
    earlier: Sequence[TurnFacts],
    turns_considered: int,
    intent_source: str,
    params: ContextParams,
    privacy: PrivacyParams | None = None,
) -> dict:
    """The context dict of docs/context.md; ``privacy``: a deployment's patterns to mask too."""
    carried = mask_context_entities(carried_entities(earlier, current), privacy)
    need = conversation_need(earlier, current, params.meta_intents)
    repeat = repeat_contact(
        earlier,
        current,
        need,
        gap_minutes=params.contact_gap_minutes,
        related=params.related_intents,
    )
    trend = sentiment_trend([*earlier, current], params.sentiment_window)
    risk, risk_reasons = escalation_risk(current, trend, repeat)
    reasons = handoff.recommend(
        current,
        earlier[-1] if earlier else None,
        risk,
        repeat,
        risk_threshold=params.handoff_risk,
        max_contacts=params.handoff_contacts,
    )
    return {
        "turns_considered": turns_considered,
        "intent_source": intent_source,
        "need": need,
        "entities": carried,
        "repeat_contact": repeat,
        "sentiment_trend": trend,
        "escalation_risk": risk,
        "escalation_reasons": risk_reasons,
        "handoff": {
            "recommended": bool(reasons),
            "reasons": reasons,
            "summary": handoff.summary(current, need, carried, repeat, trend, privacy),
        },
    }
