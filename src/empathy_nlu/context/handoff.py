"""Hand-over to a human: when to recommend it, and the brief the agent reads first.

Why a brief: an agent who opens with "how can I help you?" on a customer's third
contact loses them. The summary states the need, the details already given, the
contacts so far and the customer's feeling, in plain short sentences, with
personal data masked like everywhere else.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..privacy import PrivacyParams, mask_context_entities, redact_text
from ..schema import OUT_OF_SCOPE
from .signals import TurnFacts

MAX_QUOTE_CHARS = 160


def _humanize(intent: str | None) -> str:
    return "unclear" if intent in (None, OUT_OF_SCOPE) else intent.replace("_", " ")


def _value_text(entity: dict) -> str:
    value = entity.get("value")
    if isinstance(value, dict):
        if "amount" in value:
            currency = value.get("currency")
            return f"{value['amount']:g} {currency}" if currency else f"{value['amount']:g}"
        if "from" in value or "to" in value:
            return f"{value.get('from')} to {value.get('to')}"
        return ", ".join(f"{k} {v}" for k, v in value.items() if v is not None)
    return str(value if value is not None else entity.get("text"))


def _day(facts: TurnFacts) -> str:
    return facts.timestamp.date().isoformat() if facts.timestamp else "earlier"


def recommend(
    current: TurnFacts,
    previous: TurnFacts | None,
    risk: float,
    repeat: dict,
    *,
    risk_threshold: float,
    max_contacts: int,
) -> list[str]:
    """The reasons to hand over now (empty: the bot can carry on)."""
    reasons = []
    if current.cues.get("request_human", 0.0) >= 0.5:
        reasons.append("customer_asked_for_a_human")
    if current.cues.get("churn_risk", 0.0) >= 0.5:
        reasons.append("churn_risk")
    if risk >= risk_threshold:
        reasons.append("high_escalation_risk")
    if repeat["previous_contacts"] + 1 >= max_contacts:
        reasons.append("repeated_contacts")
    if current.out_of_scope and previous is not None and previous.out_of_scope:
        reasons.append("not_understood_twice")
    return reasons


def summary(
    current: TurnFacts,
    need: str | None,
    carried: Sequence[dict],
    repeat: dict,
    trend: dict,
    privacy: PrivacyParams | None = None,
) -> str:
    """A short factual brief for the human agent, personal data masked (``privacy``: a deployment's
    patterns too): the details given are masked one by one, and the quote before it is cut."""
    sure = (
        f" ({current.confidence:.0%} sure)"
        if need == current.intent and need not in (None, OUT_OF_SCOPE)
        else ""
    )
    lines = [f"Need: {_humanize(need)}{sure}."]
    if current.intent not in (None, need):
        lines.append(f"Now: {_humanize(current.intent)}.")
    if repeat["is_repeat"]:
        channels = ", ".join(repeat["channels"]) or "unknown channel"
        since = repeat["first_at"][:10] if repeat["first_at"] else "earlier"
        lines.append(
            f"Repeat contact: raised in {repeat['previous_contacts']} earlier contact(s) "
            f"since {since} ({channels}); now on {current.channel or 'this channel'}."
        )
    now = ({**e, "channel": current.channel} for e in current.entities)
    details = mask_context_entities([*carried, *now], privacy)
    if details:
        said = "; ".join(f"{e['entity']} {_value_text(e)}" for e in details)
        lines.append(f"Details already given: {said}.")
    feeling = []
    if current.sentiment is not None:
        feeling.append(
            "negative" if current.sentiment < -0.2 else "positive" if current.sentiment > 0.2 else "neutral"
        )
    if trend["direction"] in ("worsening", "improving"):
        feeling.append(trend["direction"])
    cues = [name.replace("_", " ") for name, score in sorted(current.cues.items()) if score >= 0.5]
    if feeling or cues:
        lines.append("Feeling: " + ", ".join(feeling + cues) + ".")
    quote = redact_text(current.text.strip().replace("\n", " "), privacy)  # before the cut: no half number
    if len(quote) > MAX_QUOTE_CHARS:
        quote = quote[: MAX_QUOTE_CHARS - 3] + "..."
    lines.append(f'Last message ({current.channel or "unknown channel"}): "{quote}"')
    # Every part taken from the customer's words (the details, the quote) is masked above; the rest
    # are intent names, counts, dates and channel names.
    return " ".join(lines)
