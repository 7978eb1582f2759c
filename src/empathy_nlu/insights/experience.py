"""``repeat_contact``, ``sentiment`` and ``handoff``: per intent, who came back, how they felt and how
often the conversation was handed to a person. Computed from the engines' per-intent tables."""

from __future__ import annotations


def _ratio(part, whole):
    return float(part) / float(whole) if whole else None


def repeat_contact(repeat, window_days: float, need_column: bool) -> dict:
    """Per need (an intent): customers who contacted us again for it within ``window_days``."""
    rows = []
    for r in repeat.itertuples(index=False):
        median = None if r.median_hours != r.median_hours else float(r.median_hours)  # NaN: no repeats
        rows.append(
            {
                "intent": str(r.intent),
                "contacts": int(r.contacts),
                "customers": int(r.customers),
                "repeat_customers": int(r.repeat_customers),
                "repeat_rate": _ratio(r.repeat_customers, r.customers),
                "repeat_contacts": int(r.repeat_contacts),
                "median_hours_to_next_contact": median,
            }
        )
    rows.sort(key=lambda row: (-row["repeat_customers"], -(row["repeat_rate"] or 0), row["intent"]))
    return {
        "window_days": window_days,
        "need": "the need column (the conversation's need), else the intent" if need_column else "the intent",
        "definition": "a customer repeats a need when two of their contacts for it are at most "
        "window_days apart; the median is over those gaps (hours)",
        "by_intent": rows,
    }


def sentiment(experience) -> list[dict]:
    """Per intent: the share of negative contacts among those with a sentiment, the mean score."""
    rows = [
        {
            "intent": str(r.intent),
            "contacts": int(r.contacts),
            "with_sentiment": int(r.with_sentiment),
            "negative": int(r.negative),
            "negative_share": _ratio(r.negative, r.with_sentiment),
            "mean_sentiment_score": _ratio(r.score_sum, r.score_known),
        }
        for r in experience.itertuples(index=False)
    ]
    return sorted(rows, key=lambda row: (-row["contacts"], row["intent"]))


def handoff(experience) -> list[dict]:
    """Per intent: the mean escalation risk and the share of contacts handed over to a person."""
    rows = [
        {
            "intent": str(r.intent),
            "contacts": int(r.contacts),
            "mean_escalation_risk": _ratio(r.risk_sum, r.risk_known),
            "handoffs": int(r.handoffs),
            "handoff_rate": _ratio(r.handoffs, r.contacts),
        }
        for r in experience.itertuples(index=False)
    ]
    return sorted(rows, key=lambda row: (-row["contacts"], row["intent"]))
