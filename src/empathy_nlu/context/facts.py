"""``TurnFacts`` from understood turns: what ``context/`` reasons over (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from ..pipeline.doc import ENTITIES, Conversation, TurnDoc
from ..schema import OUT_OF_SCOPE, Turn
from .component import top_name
from .signals import TurnFacts


def facts_of(doc: TurnDoc, turn: Turn, index: int | None, intent: str | None) -> TurnFacts:
    """The facts of a turn understood in full, with the intent decided for it."""
    result = doc.intent
    confidence = result.ranking[0][1] if result is not None and result.ranking else 0.0
    return TurnFacts(
        turn=index,
        text=turn.text,
        channel=turn.channel,
        timestamp=turn.timestamp,
        intent=intent,
        confidence=confidence,
        out_of_scope=bool(result.out_of_scope) if result is not None else False,
        sentiment=doc.sentiment["score"] if doc.sentiment else None,
        cues={name: cue["score"] for name, cue in doc.cues.items()},
        entities=tuple(doc.entities),
    )


def earlier_facts(conversation: Conversation) -> list[TurnFacts]:
    """Facts of the earlier customer turns, each as far as it was understood (see ``window.plan``).

    A turn's intent is the one the caller gave, else the one the history-aware intent decided
    for it, else (when understood in full) its own words' intent (out_of_scope when unsure).
    """
    facts = []
    for i, (turn, doc) in enumerate(zip(conversation.window, conversation.window_docs, strict=True)):
        if turn.speaker != "customer":
            continue
        decided = turn.intent or conversation.earlier_intents.get(i)
        if doc.depth == ENTITIES:
            facts.append(
                TurnFacts(i, turn.text, turn.channel, turn.timestamp, decided, entities=tuple(doc.entities))
            )
            continue
        intent = decided or top_name(doc.intent)
        if doc.intent is not None and doc.intent.out_of_scope and not decided:
            intent = OUT_OF_SCOPE
        facts.append(facts_of(doc, turn, i, intent))
    return facts


def current_facts(doc: TurnDoc, result, channel: str | None, when: datetime) -> TurnFacts:
    """The facts of the utterance being predicted, with its final intent ``result``."""
    intent = None
    if result is not None:
        intent = OUT_OF_SCOPE if result.out_of_scope else top_name(result)
    facts = facts_of(doc, Turn(doc.text, channel=channel, timestamp=when), None, intent)
    if result is not None and result.ranking:
        facts = replace(facts, confidence=result.ranking[0][1], out_of_scope=result.out_of_scope)
    return facts


def previous_known_intent(earlier: Sequence[TurnFacts], recent: int) -> TurnFacts | None:
    """The latest of the last ``recent`` earlier turns with an in-scope intent (None: none)."""
    window = earlier[-recent:] if recent > 0 else []
    return next((f for f in reversed(window) if f.intent not in (None, OUT_OF_SCOPE)), None)
