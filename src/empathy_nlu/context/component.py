"""The history-aware intent component: the intent of the current turn given the turns before it.

It reads a ``Conversation`` whose docs the utterance components have filled, and
records the history-aware intent of the current turn and of the earlier customer
turns it had to re-read (up to ``intent_depth`` back). It never decides the final
intent: ``pipeline/decide.py`` does, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..pipeline.component import Component, register
from ..pipeline.doc import Conversation
from ..pipeline.params import Params, require
from .contextual_intent import ContextualIntentClassifier, samples_from_dialogues
from .window import last_agent_before, last_customer_before


@dataclass(frozen=True)
class ContextIntentParams(Params):
    C: float = 1.0
    cv_folds: int = 2  # folds whose out-of-fold scores calibrate the model and choose its threshold
    cross_fit_folds: int = 2  # folds (by dialogue) predicting the previous intents it trains on
    agent_weight: float = 1.0
    previous_text_weight: float = 0.5
    previous_intent_weight: float = 1.0
    intent_depth: int = 2  # earlier customer turns re-understood with history when their intent is not given

    def check(self) -> None:
        require(
            [
                ("context_intent.C", self.C > 0),
                ("context_intent.cv_folds", self.cv_folds >= 0),
                ("context_intent.cross_fit_folds", self.cross_fit_folds >= 0),
                ("context_intent.agent_weight", self.agent_weight >= 0),
                ("context_intent.previous_text_weight", self.previous_text_weight >= 0),
                ("context_intent.previous_intent_weight", self.previous_intent_weight >= 0),
                ("context_intent.intent_depth", self.intent_depth >= 0),
            ]
        )


def top_name(result) -> str | None:
    return result.ranking[0][0] if result is not None and result.ranking else None


@register
class ContextIntentComponent(Component):
    """A linear model over the utterance, the last agent turn, the previous turn and its intent."""

    name = "context_intent"
    Params = ContextIntentParams

    @classmethod
    def supports(cls, data, config) -> bool:
        return (
            bool(data.dataset.dialogues and data.intent_examples)
            and config["context"].enabled
            and (not data.multi_intent)
        )

    def fit(self, data, fitted, say):
        intent = data.config["intent"]
        utterances = [ex for ex in data.dataset.examples if ex.intent is not None]
        samples = samples_from_dialogues(data.dataset.dialogues, utterances)
        say(f"context: training the history-aware intent model on {len(samples.docs)} customer turns")
        has_oos = "out_of_scope" in set(samples.labels)
        params = self.params.to_dict()
        params.pop("intent_depth")
        self.model_ = ContextualIntentClassifier(
            **params,
            max_in_scope_loss=intent.max_in_scope_loss if has_oos else intent.max_in_scope_loss_without_oos,
            ranking_size=intent.ranking_size,
            random_state=intent.random_state,
        ).fit(fitted["features"].featurizer_, samples, progress=say)
        self.metrics_ = {"context_intent_cross_validation": self.model_.cv_metrics_}
        return self

    def process(self, batch) -> None:
        for conversation in batch.conversations:
            current = conversation.current
            if current.features is None or current.intent is None:
                continue
            memo: dict = {}
            end = len(conversation.window)
            conversation.intent = self._predict_at(conversation, current, end, self.params.intent_depth, memo)
            conversation.earlier_intents = {i: name for (i, depth), name in memo.items() if depth > 0}

    def _predict_at(self, conversation: Conversation, doc, end: int, depth: int, memo: dict):
        """The history-aware result of ``doc``, a customer turn read after ``window[:end]``."""
        window, docs = conversation.window, conversation.window_docs
        agent = last_agent_before(window, end)
        agent_doc = docs[agent].doc if agent is not None else None
        last = last_customer_before(window, end)
        previous_features = previous_intent = None
        if last is not None:
            previous_features = docs[last].features
            previous_intent = window[last].intent or self._intent_of(conversation, last, depth - 1, memo)
        return self.model_.predict_one(doc.features, agent_doc, previous_features, previous_intent, doc.known)

    def _intent_of(self, conversation: Conversation, index: int, depth: int, memo: dict) -> str | None:
        """The intent decided for the earlier customer turn ``window[index]`` read ``depth`` deep."""
        key = (index, depth)
        if key not in memo:
            doc = conversation.window_docs[index]
            if depth <= 0 or doc.features is None:
                memo[key] = top_name(doc.intent)
            else:
                memo[key] = top_name(self._predict_at(conversation, doc, index, depth, memo))
        return memo[key]

    def to_state(self):
        return self.model_.to_state()

    @classmethod
    def from_state(cls, params, state, arrays):
        component = cls(params)
        component.model_ = ContextualIntentClassifier.from_state(state, arrays)
        return component

    def check(self, components) -> None:
        self.model_.check_features(components["features"].n_features_)
