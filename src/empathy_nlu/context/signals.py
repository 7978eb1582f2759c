"""What the earlier turns mean: carried-over details, repeat contact, feeling over time, escalation risk.

Pure functions over ``TurnFacts`` (what was understood of each customer turn),
so they are cheap, deterministic and testable without a model. The weights of
``escalation_risk`` are set by hand and documented in docs/context.md: there is
no labelled escalation data to learn them from, and a transparent score is
easier to trust and to tune per deployment than an opaque one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..schema import OUT_OF_SCOPE

NEGATIVE_CUES = ("frustration", "churn_risk", "urgency")


@dataclass(frozen=True)
class TurnFacts:
    """What was understood of one customer turn; ``turn`` is its index in the history (None: now)."""

    turn: int | None
    text: str
    channel: str | None
    timestamp: datetime | None
    intent: str | None
    confidence: float = 0.0
    out_of_scope: bool = False
    sentiment: float | None = None  # P(positive) - P(negative), in [-1, 1]
    cues: dict[str, float] = field(default_factory=dict)  # cue -> score
    entities: tuple[dict, ...] = ()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def carried_entities(earlier: Sequence[TurnFacts], current: TurnFacts) -> list[dict]:
    """The latest value of each entity type said earlier, unless the current turn gives a new one."""
    said_now = {entity["entity"] for entity in current.entities}
    latest: dict[str, dict] = {}
    for facts in earlier:  # oldest first: a newer value replaces an older one
        for entity in facts.entities:
            if entity["entity"] in said_now:
                continue
            latest[entity["entity"]] = {
                "entity": entity["entity"],
                "value": entity.get("value"),
                "text": entity.get("text"),
                "turn": facts.turn,
                "channel": facts.channel,
                "timestamp": _iso(facts.timestamp),
            }
    return sorted(latest.values(), key=lambda e: (e["turn"] if e["turn"] is not None else -1, e["entity"]))


def contacts(turns: Sequence[TurnFacts], gap_minutes: float) -> list[list[TurnFacts]]:
    """Group turns into contacts: a new contact starts on another channel or after a quiet gap."""
    groups: list[list[TurnFacts]] = []
    for facts in turns:
        if groups:
            last = groups[-1][-1]
            same_channel = facts.channel == last.channel
            gap = (
                (facts.timestamp - last.timestamp).total_seconds() / 60
                if facts.timestamp and last.timestamp
                else 0.0
            )
            if same_channel and gap <= gap_minutes:
                groups[-1].append(facts)
                continue
        groups.append([facts])
    return groups


def _related(a: str | None, b: str | None, related: Sequence[Sequence[str]]) -> bool:
    if a is None or b is None or OUT_OF_SCOPE in (a, b):
        return False
    return a == b or any(a in group and b in group for group in related)


def conversation_need(
    earlier: Sequence[TurnFacts], current: TurnFacts, meta_intents: Sequence[str]
) -> str | None:
    """What the customer needs: the current intent, or, when it is about the conversation itself
    (a greeting, thanks, asking for a human, not understood), the latest need stated before."""
    if current.intent is not None and current.intent not in meta_intents and current.intent != OUT_OF_SCOPE:
        return current.intent
    stated = (f.intent for f in reversed(earlier) if f.intent not in (None, OUT_OF_SCOPE, *meta_intents))
    return next(stated, current.intent)


def repeat_contact(
    earlier: Sequence[TurnFacts],
    current: TurnFacts,
    need: str | None,
    *,
    gap_minutes: float,
    related: Sequence[Sequence[str]] = (),
) -> dict:
    """Whether ``need`` was raised in an earlier contact: how often, since when, on which channels."""
    grouped = contacts([*earlier, current], gap_minutes)
    previous_contacts = grouped[:-1]
    matching = [group for group in previous_contacts if any(_related(f.intent, need, related) for f in group)]
    firsts = [next(f for f in group if _related(f.intent, need, related)) for group in matching]
    return {
        "is_repeat": bool(matching),
        "previous_contacts": len(matching),
        "first_at": _iso(firsts[0].timestamp) if firsts else None,
        "channels": sorted({f.channel for f in firsts if f.channel}),
        "turns": [f.turn for f in firsts],
    }


def sentiment_trend(turns: Sequence[TurnFacts], window: int = 5) -> dict:
    """Direction of the customer's sentiment over their last ``window`` turns (least-squares slope)."""
    scores = [f.sentiment for f in turns if f.sentiment is not None][-window:]
    if len(scores) < 2:
        return {"direction": "unknown", "slope": 0.0, "scores": [round(s, 3) for s in scores]}
    n = len(scores)
    mean_x, mean_y = (n - 1) / 2, sum(scores) / n
    slope = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(scores)) / sum(
        (x - mean_x) ** 2 for x in range(n)
    )
    direction = "worsening" if slope < -0.1 else "improving" if slope > 0.1 else "steady"
    return {"direction": direction, "slope": round(slope, 3), "scores": [round(s, 3) for s in scores]}


def escalation_risk(current: TurnFacts, trend: dict, repeat: dict) -> tuple[float, list[str]]:
    """A risk in [0, 1] and the reasons behind it (stable names, strongest first)."""
    parts: list[tuple[float, str]] = []
    if current.sentiment is not None and current.sentiment < 0:
        parts.append((0.3 * -current.sentiment, "negative_sentiment"))
    if trend["direction"] == "worsening":
        parts.append((min(0.25, -trend["slope"] * 0.5), "sentiment_worsening"))
    if repeat["is_repeat"]:
        parts.append((min(0.4, 0.2 * repeat["previous_contacts"]), "repeat_contact"))
    for cue in NEGATIVE_CUES:
        score = current.cues.get(cue, 0.0)
        if score >= 0.5:
            parts.append((0.25 * score, cue))
    if current.cues.get("request_human", 0.0) >= 0.5:
        parts.append((0.35, "request_human"))
    if current.out_of_scope or current.confidence < 0.5:
        parts.append((0.1, "low_confidence"))
    risk = 1.0
    for weight, _ in parts:  # independent pushes: 1 - prod(1 - w), stays within [0, 1]
        risk *= 1.0 - min(weight, 1.0)
    reasons = [name for _, name in sorted(parts, key=lambda p: -p[0])]
    return round(1.0 - risk, 3), reasons
