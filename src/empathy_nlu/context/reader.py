"""Reads a conversation's history for one model: the window, earlier intents, and the context dict.

Why a cache: in a live conversation every turn is first the current utterance and
then part of the history of the next one. Understanding each earlier turn once
(keyed by its text and time) and remembering the intent decided for it keeps a
20-turn history cheap, and makes an evaluation that replays a dialogue turn by
turn cost what serving it costs.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import numpy as np

from ..intent_classifier import IntentResult
from ..preprocessing import ProcessedText, preprocess
from ..schema import OUT_OF_SCOPE, Turn
from . import handoff
from .contextual_intent import ContextualIntentClassifier
from .signals import (
    TurnFacts,
    carried_entities,
    contacts,
    conversation_need,
    escalation_risk,
    repeat_contact,
    sentiment_trend,
)

CACHE_SIZE = 8192
KEY_TURNS = 8  # turns that identify a position in a conversation for the intent cache


@dataclass(frozen=True)
class Understood:
    """One utterance understood on its own, without history."""

    doc: ProcessedText
    features: tuple[np.ndarray, np.ndarray] | None  # None: nothing to featurize (empty text)
    known: bool
    intent: IntentResult | None
    sentiment: dict | None
    cues: dict = field(default_factory=dict)
    entities: list[dict] = field(default_factory=list)


Understand = Callable[[str, datetime | None], Understood]


class _LRU:
    """A small thread-safe least-recently-used mapping."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            if len(self._data) > self.size:
                self._data.popitem(last=False)


def _top(result: IntentResult | None) -> str | None:
    return result.ranking[0][0] if result is not None and result.ranking else None


def _key(turns: Sequence[Turn]) -> tuple:
    return tuple((t.speaker, t.text) for t in turns[-KEY_TURNS:])


class HistoryReader:
    """Turns a validated history into the history-aware intent and ``Prediction.context``."""

    def __init__(
        self,
        understand: Understand,
        extract: Callable[[str, datetime | None], list[dict]],
        contextual: ContextualIntentClassifier | None,
        config: dict,
    ):
        self.understand = understand
        self.extract = extract
        self.contextual = contextual
        self.config = config
        self._understood = _LRU(CACHE_SIZE)
        self._intents = _LRU(CACHE_SIZE)

    # -- the window and earlier turns -----------------------------------------------------------
    def window(self, turns: Sequence[Turn], reference: datetime | None) -> tuple[Turn, ...]:
        """The last ``max_turns`` turns, without those older than ``max_age_days`` before ``reference``."""
        kept = tuple(turns[-self.config["max_turns"] :])
        if reference is None:
            return kept
        oldest = reference - timedelta(days=self.config["max_age_days"])
        return tuple(t for t in kept if t.timestamp is None or _comparable(t.timestamp, reference) >= oldest)

    def understood(self, turn: Turn) -> Understood:
        """An earlier turn understood in full (features, intent, sentiment, entities), remembered."""
        key = (turn.text, turn.timestamp)
        value = self._understood.get(key)
        if value is None:
            value = self.understand(turn.text, turn.timestamp)
            self._understood.put(key, value)
        return value

    def entities_of(self, turn: Turn) -> list[dict]:
        """Only the entities of an earlier turn: all that most turns of a long history are needed for."""
        full = self._understood.get((turn.text, turn.timestamp))
        if full is not None:
            return full.entities
        key = ("entities", turn.text, turn.timestamp)
        value = self._understood.get(key)
        if value is None:
            value = self.extract(turn.text, turn.timestamp)
            self._understood.put(key, value)
        return value

    def remember(self, text: str, when: datetime | None, understood: Understood) -> None:
        """Keep the current utterance's understanding: it is the next turn's history."""
        self._understood.put((text, when), understood)

    def _agent_doc(self, text: str) -> ProcessedText:
        key = ("agent", text)
        doc = self._understood.get(key)
        if doc is None:
            doc = preprocess(text)
            self._understood.put(key, doc)
        return doc

    # -- history-aware intent -------------------------------------------------------------------
    def _predict_at(self, current: Understood, before: Sequence[Turn], depth: int) -> IntentResult:
        assert self.contextual is not None and current.features is not None
        agent = next((t for t in reversed(before) if t.speaker != "customer"), None)
        agent_doc = self._agent_doc(agent.text) if agent is not None else None
        last = next((i for i in range(len(before) - 1, -1, -1) if before[i].speaker == "customer"), None)
        previous_features = previous_intent = None
        if last is not None:
            previous_features = self.understood(before[last]).features
            previous_intent = before[last].intent or self._intent_of(before[: last + 1], depth - 1)
        return self.contextual.predict_one(
            current.features, agent_doc, previous_features, previous_intent, current.known
        )

    def _intent_of(self, prefix: Sequence[Turn], depth: int) -> str | None:
        """The intent decided for the last turn of ``prefix`` (a customer turn), remembered."""
        key = _key(prefix)
        cached = self._intents.get(key)
        if cached is not None:
            return cached
        understood = self.understood(prefix[-1])
        if depth <= 0 or understood.features is None:
            name = _top(understood.intent)
        else:
            name = _top(self._predict_at(understood, prefix[:-1], depth))
        if name is not None:
            self._intents.put(key, name)
        return name

    def intent(
        self, current: Understood, text: str, window: Sequence[Turn]
    ) -> tuple[IntentResult | None, str]:
        """The intent in the light of ``window``, and its source: utterance, history or carried_over."""
        result = current.intent
        if current.features is None or result is None:
            return result, "utterance"
        if self.contextual is not None:
            contextual = self._predict_at(current, window, self.config["intent_depth"])
            self._intents.put(_key([*window, Turn(text)]), _top(contextual))
            return contextual, "history" if _top(contextual) != _top(result) else "utterance"
        # No history-aware model: a turn with no intent of its own continues the previous need.
        if result.out_of_scope and result.reason in ("low_confidence", "no_known_words"):
            previous = self.earlier_facts(window)[-(self.config["sentiment_window"] - 1) :]
            known = next((f for f in reversed(previous) if f.intent not in (None, OUT_OF_SCOPE)), None)
            if known is not None:
                confidence = min(known.confidence, 1.0 - result.ranking[0][1] if result.ranking else 1.0)
                return IntentResult([(known.intent, confidence)], False, None), "carried_over"
        return result, "utterance"

    # -- context --------------------------------------------------------------------------------
    def earlier_facts(
        self, window: Sequence[Turn], channel: str | None = None, when: datetime | None = None
    ) -> list[TurnFacts]:
        """Facts of the earlier customer turns, each understood only as far as the context needs.

        Every turn gives its entities (carried over). A turn is understood in full only when
        its intent or feeling matters: the last ``sentiment_window - 1`` turns (trend, need,
        "not understood twice") and turns of earlier contacts whose intent is not given
        (repeat contact). So a long history seen for the first time stays cheap.
        """
        customer = [(i, t) for i, t in enumerate(window) if t.speaker == "customer"]
        skeleton = [TurnFacts(i, t.text, t.channel, t.timestamp, None) for i, t in customer]
        groups = contacts(
            [*skeleton, TurnFacts(None, "", channel, when, None)], self.config["contact_gap_minutes"]
        )
        earlier_contacts = {f.turn for group in groups[:-1] for f in group}
        recent = {i for i, _ in customer[-(self.config["sentiment_window"] - 1) :]}
        facts = []
        for i, turn in customer:
            decided = turn.intent or self._intents.get(_key(window[: i + 1]))
            if i in recent or (i in earlier_contacts and not decided):
                understood = self.understood(turn)
                intent = decided or _top(understood.intent)
                if understood.intent is not None and understood.intent.out_of_scope and not decided:
                    intent = OUT_OF_SCOPE
                facts.append(_facts(understood, turn, i, intent))
            else:
                facts.append(
                    TurnFacts(
                        i,
                        turn.text,
                        turn.channel,
                        turn.timestamp,
                        decided,
                        entities=tuple(self.entities_of(turn)),
                    )
                )
        return facts

    def describe(self, current: TurnFacts, window: Sequence[Turn], intent_source: str) -> dict:
        """``Prediction.context``: what the earlier turns mean for this one."""
        config = self.config
        earlier = self.earlier_facts(window, current.channel, current.timestamp)
        carried = carried_entities(earlier, current)
        need = conversation_need(earlier, current, config["meta_intents"])
        repeat = repeat_contact(
            earlier,
            current,
            need,
            gap_minutes=config["contact_gap_minutes"],
            related=config["related_intents"],
        )
        trend = sentiment_trend([*earlier, current], config["sentiment_window"])
        risk, risk_reasons = escalation_risk(current, trend, repeat)
        reasons = handoff.recommend(
            current,
            earlier[-1] if earlier else None,
            risk,
            repeat,
            risk_threshold=config["handoff_risk"],
            max_contacts=config["handoff_contacts"],
        )
        return {
            "turns_considered": len(window),
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
                "summary": handoff.summary(current, need, carried, repeat, trend),
            },
        }


def _comparable(moment: datetime, reference: datetime) -> datetime:
    """``moment`` made comparable with ``reference`` (naive datetimes are local time)."""
    if (moment.tzinfo is None) != (reference.tzinfo is None):
        return moment.astimezone(reference.tzinfo) if moment.tzinfo else moment.astimezone()
    return moment


def _facts(understood: Understood, turn: Turn, index: int | None, intent: str | None) -> TurnFacts:
    result = understood.intent
    confidence = result.ranking[0][1] if result is not None and result.ranking else 0.0
    sentiment = understood.sentiment["score"] if understood.sentiment else None
    return TurnFacts(
        turn=index,
        text=turn.text,
        channel=turn.channel,
        timestamp=turn.timestamp,
        intent=intent,
        confidence=confidence,
        out_of_scope=bool(result.out_of_scope) if result is not None else False,
        sentiment=sentiment,
        cues={name: cue["score"] for name, cue in understood.cues.items()},
        entities=tuple(understood.entities),
    )


def current_facts(
    understood: Understood, result: IntentResult | None, text: str, channel: str | None, when: datetime | None
) -> TurnFacts:
    """The facts of the utterance being predicted, with its final (history-aware) intent."""
    intent = None
    if result is not None:
        intent = OUT_OF_SCOPE if result.out_of_scope else _top(result)
    facts = _facts(understood, Turn(text, channel=channel, timestamp=when), None, intent)
    if result is not None and result.ranking:
        facts = replace(facts, confidence=result.ranking[0][1], out_of_scope=result.out_of_scope)
    return facts
