"""The one path from turns to predictions: batch first, a single prediction is a batch of one.

    request -> window plan -> preprocessing -> components (in order) -> context -> decide -> Prediction

Every text of the batch (current utterances and the earlier turns their context
needs) is understood together by each component in turn; ``context/`` then reads
the understood turns with pure functions, and ``decide.final_intent`` picks the
intent. Nothing here depends on earlier calls: the cache only returns what a miss
would compute (see ``cache.py``).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..context.describe import describe
from ..context.facts import current_facts, earlier_facts
from ..context.language import describe_language
from ..context.window import plan, select_window
from ..language.detect import LanguageGuess, ascii_fast_path, detect
from ..preprocessing import preprocess
from ..schema import Turn
from .cache import LRU
from .component import Component
from .decide import final_intent
from .doc import ENTITIES, FULL, NO_CUES, TEXT, Batch, Conversation, TurnDoc
from .output import make_prediction

CACHE_SIZE = 8192


@dataclass(frozen=True)
class Request:
    """One validated ``predict`` call."""

    text: str
    history: tuple[Turn, ...]
    reference: datetime
    channel: str | None


class Pipeline:
    """Components in their registered order, with the settings that are not any one component's."""

    def __init__(self, components: dict[str, Component], config: dict) -> None:
        self.components = components
        self.config = config  # section -> Params
        self._earlier = LRU(CACHE_SIZE)
        self._languages = LRU(CACHE_SIZE)  # text -> LanguageGuess (a function of the text alone)

    @property
    def intent_depth(self) -> int | None:
        """How far back the history-aware intent re-reads earlier turns (None: no such model)."""
        return self.config["context_intent"].intent_depth if "context_intent" in self.components else None

    def run(self, requests: Sequence[Request]):
        """``Prediction`` of every request, in order."""
        fresh: dict = {}
        conversations = [self._conversation(request, fresh) for request in requests]
        earlier = [
            doc
            for doc in fresh.values()
            if doc.models_pending or doc.entities_pending or (doc.depth == TEXT and doc.doc is None)
        ]
        docs = [c.current for c in conversations] + earlier
        for doc in docs:
            if doc.doc is None and doc.depth != ENTITIES:
                doc.doc = preprocess(doc.text)
            if doc.language is None:
                doc.language = self.language_of(doc.text)
        batch = Batch(docs, conversations)
        for component in self.components.values():
            component.process(batch)
        if self.config["context"].enabled:  # else no call reads earlier turns: nothing to remember
            for doc in docs:
                self._remember(doc)
        return [self._prediction(c, r) for c, r in zip(conversations, requests, strict=True)]

    def _conversation(self, request: Request, fresh: dict) -> Conversation:
        max_chars = self.config["predict"].max_chars
        current = TurnDoc(request.text[:max_chars], request.reference, FULL)
        context = self.config["context"]
        if not context.enabled or not request.history:
            return Conversation(current, request.channel, (), [])
        window = select_window(request.history, request.reference, context)
        needs = plan(window, request.channel, request.reference, context, self.intent_depth)
        docs: list[TurnDoc | None] = [None] * len(window)
        for i, depth in needs.items():
            turn = window[i]
            reference = turn.timestamp or request.reference
            docs[i] = self._earlier_doc(turn.text[:max_chars], reference, depth, fresh)
        return Conversation(current, request.channel, window, docs)

    def _earlier_doc(self, text: str, reference: datetime, depth: str, fresh: dict) -> TurnDoc:
        """An earlier turn's doc, filled from what is remembered of its text; one per batch."""
        key = (depth, text, reference)
        doc = fresh.get(key)
        if doc is None:
            doc = fresh[key] = TurnDoc(text, reference, depth)
            self._recall(doc)
        return doc

    def language_of(self, text: str) -> LanguageGuess:
        """The language of ``text`` alone, computed once per text (ASCII text that answers without the
        model skips the cache: that costs less than a cache entry)."""
        if text.isascii():
            fast = ascii_fast_path(text)
            if fast is not None:
                return fast
        guess = self._languages.get(text)
        if guess is None:
            guess = detect(text)
            self._languages.put(text, guess)
        return guess

    # -- the cache: what a text gives alone (models) and with a reference time (entities) -----------
    # Dicts a caller may hold (a Prediction's sentiment and entities) are copied in and out, so a
    # caller changing what it got back can never change a later answer.
    def _recall(self, doc: TurnDoc) -> None:
        known = self._earlier.get(("models", doc.text))
        if known is not None:
            doc.doc = known.doc
            if doc.models_pending:
                doc.features, doc.known = known.features, known.known
                doc.intent, doc.sentiment = known.intent, copy.deepcopy(known.sentiment)
                doc.models_pending = False
        elif doc.depth == TEXT:
            doc.doc = self._earlier.get(("text", doc.text))
        if doc.entities_pending:
            entities = self._earlier.get(("entities", doc.text, doc.reference))
            if entities is not None:
                doc.entities, doc.entities_pending = copy.deepcopy(entities), False

    def _remember(self, doc: TurnDoc) -> None:
        if doc.depth in (FULL, NO_CUES):
            known = TurnDoc(doc.text, doc.reference, NO_CUES, doc.doc, doc.features, doc.known, doc.intent)
            known.sentiment = copy.deepcopy(doc.sentiment)
            self._earlier.put(("models", doc.text), known)
        if doc.depth == TEXT:
            self._earlier.put(("text", doc.text), doc.doc)
        else:
            self._earlier.put(("entities", doc.text, doc.reference), copy.deepcopy(doc.entities))

    def _prediction(self, conversation: Conversation, request: Request):
        has_intent = "intent" in self.components or "multi_intent" in self.components
        context = self.config["context"]
        privacy = self.config.get("privacy")  # personal data masked by this policy (docs/privacy.md)
        current = conversation.current
        max_chars = self.config["predict"].max_chars
        language = describe_language(
            current.language, conversation.window, lambda text: self.language_of(text[:max_chars])
        )
        if not context.enabled:
            return make_prediction(request.text, current, current.intent, {}, has_intent, privacy, language)
        earlier = earlier_facts(conversation)
        result, source = final_intent(conversation, earlier, context.sentiment_window)
        facts = current_facts(
            conversation.current, result if has_intent else None, request.channel, request.reference
        )
        described = describe(facts, earlier, len(conversation.window), source, context, privacy)
        return make_prediction(request.text, current, result, described, has_intent, privacy, language)
