"""History-aware intent: what the customer wants *given what was said before*.

A follow-up ("yes please", "in Oakland", "it still doesn't work") carries little
intent of its own; the last agent turn, the previous customer turn and the
intent understood for it carry the rest. The model is the fast tier's linear
model over four blocks of columns:

    [utterance n-grams | last agent turn n-grams | previous customer turn n-grams | previous intent]

Why cross-fitting: at prediction time the previous intent is the model's own
earlier answer, never a gold label. Trained on gold previous intents the model
trusts them too much and errors cascade; so training uses previous intents
predicted out-of-fold (by dialogue) with the same sequential decoding as serving.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import DataError, ModelError, NotFittedError
from ..features import SparseFeaturizer
from ..intent_classifier import IntentResult, LinearIntentClassifier
from ..linear_model import CalibratedLinearSVC
from ..preprocessing import ProcessedText, preprocess

START = "<start>"  # the previous intent of a first turn (or of an unknown label)


@dataclass
class ContextSamples:
    """Customer turns in conversation order. ``previous[i]``: row of the previous customer turn, or -1."""

    docs: list[ProcessedText]
    agent_docs: list[ProcessedText | None]
    previous: np.ndarray
    labels: list[str]
    groups: np.ndarray  # conversation number, for folds that never split a conversation


class ContextualIntentClassifier:
    """The fast-tier intent model with the last agent turn, previous turn and previous intent as features."""

    def __init__(
        self,
        C: float = 1.0,
        cv_folds: int = 2,
        cross_fit_folds: int = 2,
        agent_weight: float = 1.0,
        previous_text_weight: float = 0.5,
        previous_intent_weight: float = 1.0,
        max_in_scope_loss: float = 0.02,
        ranking_size: int = 5,
        random_state: int = 0,
    ) -> None:
        self.C = C
        self.cv_folds = cv_folds
        self.cross_fit_folds = cross_fit_folds
        self.agent_weight = agent_weight
        self.previous_text_weight = previous_text_weight
        self.previous_intent_weight = previous_intent_weight
        self.max_in_scope_loss = max_in_scope_loss
        self.ranking_size = ranking_size
        self.random_state = random_state

    # -- training -------------------------------------------------------------------------------
    def _text_blocks(self, featurizer: SparseFeaturizer, samples: ContextSamples):
        from scipy import sparse

        empty = ProcessedText("", "", ())
        agent = self.agent_featurizer_.transform([d or empty for d in samples.agent_docs])
        previous_docs = [samples.docs[j] if j >= 0 else empty for j in samples.previous]
        return sparse.hstack(
            [
                featurizer.transform(samples.docs),
                self.agent_weight * agent,
                self.previous_text_weight * featurizer.transform(previous_docs),
            ]
        ).tocsr()

    def _one_hot(self, previous_label_index: np.ndarray):
        from scipy import sparse

        n = len(previous_label_index)
        return sparse.csr_matrix(
            (np.full(n, self.previous_intent_weight, np.float32), (np.arange(n), previous_label_index)),
            shape=(n, len(self.labels_) + 1),
        )

    def _decode(self, weights, bias, text_rows, previous: np.ndarray) -> np.ndarray:
        """Sequential decoding: each turn's previous intent is the prediction made for its previous turn."""
        n_text = text_rows.shape[1]
        base = np.asarray(text_rows @ weights[:n_text]) + bias
        intent_rows = weights[n_text:] * self.previous_intent_weight
        predicted = np.empty(len(previous), dtype=np.int64)
        start = len(self.labels_)
        for i, j in enumerate(previous):  # previous rows always come earlier
            predicted[i] = int(np.argmax(base[i] + intent_rows[predicted[j] if j >= 0 else start]))
        return predicted

    def fit(
        self,
        featurizer: SparseFeaturizer,
        samples: ContextSamples,
        progress: Callable[[str], None] | None = None,
    ) -> ContextualIntentClassifier:
        """Fit on customer turns in order; ``featurizer`` is the fitted shared featurizer."""
        from scipy import sparse

        say = progress or (lambda message: None)
        if not samples.docs:
            raise DataError("the dialogue data has no customer turns with an intent.", code="E125")
        self.labels_ = sorted(set(samples.labels))
        if len(self.labels_) < 2:
            raise DataError(f"need at least 2 intents to train, got {self.labels_}.", code="E105")
        self.label_index_ = {label: i for i, label in enumerate(self.labels_)}
        y = np.array([self.label_index_[label] for label in samples.labels])
        start = len(self.labels_)
        gold_previous = np.array([y[j] if j >= 0 else start for j in samples.previous])

        say("context: fitting the agent-turn features")
        agent_docs = [d for d in samples.agent_docs if d is not None and d.tokens]
        self.agent_featurizer_ = SparseFeaturizer(word_ngram_range=(1, 2), char_ngram_range=(3, 3))
        self.agent_featurizer_.fit(agent_docs or [ProcessedText("", "", ("",))])
        text_rows = self._text_blocks(featurizer, samples)

        # Previous intents as serving will see them: predicted out-of-fold, sequentially.
        predicted_previous = gold_previous.copy()
        folds = self.cross_fit_folds
        fold_of = samples.groups % max(folds, 1)
        if folds >= 2 and len(set(fold_of.tolist())) == folds:  # else: gold previous intents
            for fold in range(folds):
                say(f"context: cross-fitting previous intents, fold {fold + 1}/{folds}")
                fit_rows, held = np.where(fold_of != fold)[0], np.where(fold_of == fold)[0]
                rows = sparse.hstack([text_rows[fit_rows], self._one_hot(gold_previous[fit_rows])]).tocsr()
                svm = CalibratedLinearSVC(self.C, 0, self.random_state).fit(rows, y[fit_rows], start)
                position = np.full(len(y), -1)
                position[held] = np.arange(len(held))
                held_previous = np.array([position[j] if j >= 0 else -1 for j in samples.previous[held]])
                decoded = self._decode(svm.weights_, svm.intercept_, text_rows[held], held_previous)
                predicted_previous[held] = [decoded[p] if p >= 0 else start for p in held_previous]
        self.previous_accuracy_ = float((predicted_previous == gold_previous).mean())

        say("context: fitting the history-aware intent model")
        rows = sparse.hstack([text_rows, self._one_hot(predicted_previous)]).tocsr()
        self.model_ = LinearIntentClassifier(
            C=self.C,
            cv_folds=self.cv_folds,
            max_in_scope_loss=self.max_in_scope_loss,
            max_in_scope_loss_without_oos=self.max_in_scope_loss,
            ranking_size=self.ranking_size,
            random_state=self.random_state,
        ).fit(rows, samples.labels, progress=say)
        self.n_utterance_features_ = featurizer.n_features_
        self.cv_metrics_ = {**self.model_.cv_metrics_, "previous_intent_accuracy": self.previous_accuracy_}
        return self

    # -- prediction -----------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError("ContextualIntentClassifier is not fitted: call fit() or load a model.")

    def predict_one(
        self,
        utterance: tuple[np.ndarray, np.ndarray],
        agent_doc: ProcessedText | None,
        previous: tuple[np.ndarray, np.ndarray] | None,
        previous_intent: str | None,
        knows_a_word: bool = True,
    ) -> IntentResult:
        """One customer turn: its features, the last agent turn, the previous turn's features and intent."""
        self._check_fitted()
        n_utterance, n_agent = self.n_utterance_features_, self.agent_featurizer_.n_features_
        idx_parts, val_parts = [utterance[0]], [utterance[1]]
        if agent_doc is not None and agent_doc.tokens:
            idx, vals = self.agent_featurizer_.transform_one(agent_doc)
            idx_parts.append(idx + n_utterance)
            val_parts.append(vals * self.agent_weight)
        if previous is not None:
            idx_parts.append(previous[0] + (n_utterance + n_agent))
            val_parts.append(previous[1] * self.previous_text_weight)
        intent_column = self.label_index_.get(previous_intent, len(self.labels_))
        idx_parts.append(np.array([2 * n_utterance + n_agent + intent_column], dtype=np.int32))
        val_parts.append(np.array([self.previous_intent_weight], dtype=np.float32))
        idx = np.concatenate(idx_parts).astype(np.int64, copy=False)
        return self.model_.predict_one(idx, np.concatenate(val_parts), knows_a_word)

    # -- persistence ----------------------------------------------------------------------------
    def get_params(self) -> dict:
        return {
            "C": self.C,
            "cv_folds": self.cv_folds,
            "cross_fit_folds": self.cross_fit_folds,
            "agent_weight": self.agent_weight,
            "previous_text_weight": self.previous_text_weight,
            "previous_intent_weight": self.previous_intent_weight,
            "max_in_scope_loss": self.max_in_scope_loss,
            "ranking_size": self.ranking_size,
            "random_state": self.random_state,
        }

    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        self._check_fitted()
        agent_state, agent_arrays = self.agent_featurizer_.to_state()
        model_state, model_arrays = self.model_.to_state()
        state = {
            "params": self.get_params(),
            "labels": self.labels_,
            "n_utterance_features": self.n_utterance_features_,
            "previous_accuracy": self.previous_accuracy_,
            "cv_metrics": self.cv_metrics_,
            "agent_featurizer": agent_state,
            "model": model_state,
        }
        arrays = {f"agent_{k}": v for k, v in agent_arrays.items()}
        arrays.update({f"model_{k}": v for k, v in model_arrays.items()})
        return state, arrays

    @classmethod
    def from_state(cls, state: dict, arrays: dict[str, np.ndarray]) -> ContextualIntentClassifier:
        try:
            model = cls(**state["params"])
            model.labels_ = list(state["labels"])
            model.label_index_ = {label: i for i, label in enumerate(model.labels_)}
            model.n_utterance_features_ = int(state["n_utterance_features"])
            model.previous_accuracy_ = float(state["previous_accuracy"])
            model.cv_metrics_ = dict(state["cv_metrics"])
            model.agent_featurizer_ = SparseFeaturizer.from_state(
                state["agent_featurizer"], _arrays_under(arrays, "agent_")
            )
            model.model_ = LinearIntentClassifier.from_state(state["model"], _arrays_under(arrays, "model_"))
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(
                f"history-aware intent model state is incomplete ({exc!r}); retrain.", "E204"
            ) from exc
        return model

    def check_features(self, n_utterance_features: int) -> None:
        """Refuse weights that do not fit the shared featurizer they are loaded with."""
        if n_utterance_features != self.n_utterance_features_:
            raise ModelError("the history-aware intent model does not fit the featurizer; retrain.", "E204")
        n_columns = 2 * n_utterance_features + self.agent_featurizer_.n_features_ + len(self.labels_) + 1
        self.model_.check_features(n_columns)


def _arrays_under(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    """The arrays ``to_state`` stored under ``prefix``, with their own names back."""
    return {name.removeprefix(prefix): a for name, a in arrays.items() if name.startswith(prefix)}


def samples_from_dialogues(dialogues, utterances=()) -> ContextSamples:
    """Customer turns with an intent, in order, plus stand-alone utterances as first turns."""
    docs, agent_docs, previous, labels, groups = [], [], [], [], []
    for number, dialogue in enumerate(dialogues):
        last_customer, last_agent = -1, None
        for turn in dialogue.turns:
            if turn.speaker != "customer":
                last_agent = turn.text
                continue
            if turn.intent is None:  # an unlabelled customer turn still is the "previous turn" text
                continue
            docs.append(preprocess(turn.text))
            agent_docs.append(preprocess(last_agent) if last_agent else None)
            previous.append(last_customer)
            labels.append(turn.intent)
            groups.append(number)
            last_customer = len(docs) - 1
    offset = len(dialogues)
    for k, example in enumerate(utterances):
        docs.append(preprocess(example.text))
        agent_docs.append(None)
        previous.append(-1)
        labels.append(example.intent)
        groups.append(offset + k)
    return ContextSamples(docs, agent_docs, np.array(previous, dtype=np.int64), labels, np.array(groups))
