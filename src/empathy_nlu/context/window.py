"""The history window and what each earlier turn of it must be understood for.

Pure functions of the turns, the reference time and ``ContextParams``: the
pipeline asks ``plan`` which earlier turns to understand in full (intent and
feeling matter), which only for their entities (carried-over details), and
which only as text (the agent turn before a customer turn the history-aware
intent looks at); then it understands them all in one batch with the current turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..pipeline.doc import ENTITIES, NO_CUES, TEXT
from ..pipeline.params import Params, require
from ..schema import Turn
from .signals import TurnFacts, contacts


@dataclass(frozen=True)
class ContextParams(Params):
    enabled: bool = True
    max_turns: int = 20  # the window of earlier turns that context looks at
    max_age_days: float = 30.0  # ... and how far back in time (turns with a timestamp)
    contact_gap_minutes: float = 60.0  # a new contact: another channel, or this long without a turn
    sentiment_window: int = 5  # customer turns (with this one) the trend is read over
    handoff_risk: float = 0.6  # escalation risk from which a hand-over is recommended
    handoff_contacts: int = 3  # ... and the contact number about one need
    related_intents: tuple[tuple[str, ...], ...] = ()  # groups of intents that count as the same need
    # intents about the conversation, not a need: the need stays the one stated before
    meta_intents: tuple[str, ...] = ("greeting", "thanks", "goodbye", "talk_to_human", "file_complaint")

    def check(self) -> None:
        require(
            [
                ("context.max_turns", self.max_turns >= 1),
                ("context.max_age_days", self.max_age_days > 0),
                ("context.contact_gap_minutes", self.contact_gap_minutes >= 0),
                ("context.sentiment_window", self.sentiment_window >= 2),
                ("context.handoff_risk", 0 <= self.handoff_risk <= 1),
                ("context.handoff_contacts", self.handoff_contacts >= 2),
            ]
        )


def select_window(turns: Sequence[Turn], reference: datetime, params: ContextParams) -> tuple[Turn, ...]:
    """The last ``max_turns`` turns, without those older than ``max_age_days`` before ``reference``."""
    kept = tuple(turns[-params.max_turns :])
    oldest = reference - timedelta(days=params.max_age_days)
    return tuple(t for t in kept if t.timestamp is None or _comparable(t.timestamp, reference) >= oldest)


def customer_indices(window: Sequence[Turn]) -> list[int]:
    return [i for i, t in enumerate(window) if t.speaker == "customer"]


def plan(
    window: Sequence[Turn],
    channel: str | None,
    when: datetime,
    params: ContextParams,
    intent_depth: int | None,
) -> dict[int, str]:
    """Window index -> how far to understand that turn (``NO_CUES``, ``ENTITIES`` or ``TEXT``).

    Every customer turn gives its entities (carried over). A customer turn is understood in
    full when its intent or feeling matters: the last ``sentiment_window - 1`` (trend, need,
    "not understood twice"), the last ``intent_depth`` (the history-aware intent reads them),
    and turns of earlier contacts whose intent is not given (repeat contact). The agent turn
    before each customer turn the history-aware intent reads is needed as text.
    """
    customer = customer_indices(window)
    skeleton = [TurnFacts(i, window[i].text, window[i].channel, window[i].timestamp, None) for i in customer]
    groups = contacts([*skeleton, TurnFacts(None, "", channel, when, None)], params.contact_gap_minutes)
    earlier_contacts = {f.turn for group in groups[:-1] for f in group}
    recent = set(customer[-(params.sentiment_window - 1) :])
    read_by_intent = set(customer[-max(intent_depth, 1) :]) if intent_depth is not None else set()
    needs = {}
    for i in customer:
        full = i in recent or i in read_by_intent or (i in earlier_contacts and not window[i].intent)
        needs[i] = NO_CUES if full else ENTITIES
    for i in [len(window), *read_by_intent] if intent_depth is not None else ():
        agent = last_agent_before(window, i)
        if agent is not None:
            needs[agent] = TEXT
    return needs


def last_agent_before(window: Sequence[Turn], end: int) -> int | None:
    """Index of the last non-customer turn before ``end`` (None: there is none)."""
    return next((j for j in range(end - 1, -1, -1) if window[j].speaker != "customer"), None)


def last_customer_before(window: Sequence[Turn], end: int) -> int | None:
    return next((j for j in range(end - 1, -1, -1) if window[j].speaker == "customer"), None)


def _comparable(moment: datetime, reference: datetime) -> datetime:
    """``moment`` made comparable with ``reference``: a naive moment is read in the zone of an aware
    reference (docs/input_rules.md); an aware moment next to a naive reference (local time) is
    its local wall-clock time. ``predict`` gives aware times only; this keeps direct callers safe."""
    if moment.tzinfo is None and reference.tzinfo is not None:
        return moment.replace(tzinfo=reference.tzinfo)
    if moment.tzinfo is not None and reference.tzinfo is None:
        return moment.astimezone().replace(tzinfo=None)
    return moment
