"""The history-aware intent component: the intent of the current turn given the turns before it.

It reads a ``Conversation`` whose docs the utterance components have filled, and
records the history-aware intent of the current turn and of the earlier customer
turns it had to re-read (up to ``intent_depth`` back). It never decides the final
intent: ``pipeline/decide.py`` does, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..features import vocabulary_size
from ..pipeline.cache import LRU
from ..pipeline.component import ModelComponent, idf, register, weights
from ..pipeline.doc import Conversation
from ..pipeline.params import Params, require
from ..schema import Turn
from .contextual_intent import ContextualIntentClassifier, samples_from_dialogues
from .window import last_agent_before, last_customer_before

CACHE_SIZE = 8192


@dataclass(frozen=True)
class ContextIntentParams(Params):
    C: float = 1.0
    cv_folds: int = 2  # folds whose out-of-fold scores calibrate the model and choose its threshold
    cross_fit_folds: int = 2  # folds (by dialogue) predicting the previous intents it trains on
    agent_weight: float = 1.0
    previous_text_weight: float = 0.5
    previous_intent_weight: float = 1.0
    intent_depth: int = 20  # earlier customer turns read with their own history (20: the whole window)

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
class ContextIntentComponent(ModelComponent):
    """A linear model over the utterance, the last agent turn, the previous turn and its intent."""

    name = "context_intent"
    Params = ContextIntentParams
    Model = ContextualIntentClassifier

    def __init__(self, params=None) -> None:
        super().__init__(params)
        # The intents decided for earlier turns, keyed by everything they are computed from (see
        # ``_Reading.intent_of``): a conversation served turn by turn reads each turn about once.
        self._decided = LRU(CACHE_SIZE)

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
        depth = self.params.intent_depth
        for conversation in batch.conversations:
            current = conversation.current
            if current.features is None or current.intent is None:
                continue
            read = _Reading(self, conversation)
            conversation.intent = read.predict_at(current, len(conversation.window), depth)
            read.remember_current(current.text, depth, top_name(conversation.intent))
            customer = [i for i, turn in enumerate(conversation.window) if turn.speaker == "customer"]
            for distance, i in enumerate(reversed(customer), 1):
                if depth - distance > 0 and not conversation.window[i].intent:
                    conversation.earlier_intents[i] = read.intent_of(i, depth - distance)

    @classmethod
    def array_spec(cls, state):
        """``agent_idf``: the agent-turn vocabulary's idf; ``model_weights``: float16, one row per column
        (utterance and previous-turn features, agent-turn features, one per previous intent and one for
        none), one column per intent; ``model_intercept``: float32, one per intent."""
        n_utterance, n_agent = int(state["n_utterance_features"]), vocabulary_size(state["agent_featurizer"])
        n_rows = 2 * n_utterance + n_agent + len(state["labels"]) + 1
        n_labels = len(state["model"]["labels"])
        return {
            "agent_idf": idf(n_agent),
            "model_weights": weights(n_rows, n_labels, dtype="float16"),
            "model_intercept": weights(n_labels),
        }


class _Reading:
    """One conversation read by the history-aware model: each earlier customer turn with the turns before it.

    A turn read ``depth`` deep uses the intent decided for the previous customer turn read
    ``depth - 1`` deep; at depth 0 its own words decide. This is how training decodes (each turn's
    previous intent is the model's own earlier answer), so with ``intent_depth`` at least the number
    of customer turns in the window, every turn is read as in training.
    """

    def __init__(self, component: ContextIntentComponent, conversation: Conversation) -> None:
        self.model = component.model_
        self.decided = component._decided
        self.window, self.docs = conversation.window, conversation.window_docs
        self.customers_before = []  # customer turns before each index
        count = 0
        for turn in self.window:
            self.customers_before.append(count)
            count += turn.speaker == "customer"
        self.customers_before_all = count

    def predict_at(self, doc, end: int, depth: int):
        """The history-aware result of ``doc``, a customer turn read after ``window[:end]``."""
        agent = last_agent_before(self.window, end)
        agent_doc = self.docs[agent].doc if agent is not None else None
        last = last_customer_before(self.window, end)
        previous_features = previous_intent = None
        if last is not None:
            previous_features = self.docs[last].features
            previous_intent = self.window[last].intent or self.intent_of(last, depth - 1)
        return self.model.predict_one(doc.features, agent_doc, previous_features, previous_intent, doc.known)

    def _key(self, turns: tuple, customers_before: int, depth: int) -> tuple:
        """What a decided intent is remembered under: the turns up to it (speaker, text, given intent:
        all the model reads) and the depth that matters (deeper than its earlier customer turns reads
        the same)."""
        return tuple((t.speaker, t.text, t.intent) for t in turns), min(depth, customers_before + 1)

    def remember_current(self, text: str, depth: int, name: str | None) -> None:
        """The current turn's intent, for the next call, where this turn is the previous one."""
        if name is not None:
            current = Turn(text)
            self.decided.put(self._key((*self.window, current), self.customers_before_all, depth), name)

    def intent_of(self, index: int, depth: int) -> str | None:
        """The intent decided for the earlier customer turn ``window[index]`` read ``depth`` deep.

        Remembered under everything it is computed from (``_key``), so a remembered value is
        exactly what reading it again would give.
        """
        doc = self.docs[index]
        if depth <= 0 or doc.features is None:
            return top_name(doc.intent)
        key = self._key(self.window[: index + 1], self.customers_before[index], depth)
        name = self.decided.get(key)
        if name is None:
            name = top_name(self.predict_at(doc, index, key[1]))
            if name is not None:
                self.decided.put(key, name)
        return name
