"""Multi-intent: one message may ask for several things ("cancel the transfer and send a new card").

One-vs-rest linear SVMs on the shared features, one per intent. Their out-of-fold scores
on the training data (K-fold) fit a Platt sigmoid per intent, turning scores into
probabilities, and the single decision threshold that maximizes micro-F1 of the
out-of-fold label sets. Nothing is tuned on evaluation data. Prediction is the same
gather-and-sum as the single-intent model, then a sigmoid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import DataError, ModelError, NotFittedError
from ..linear_model import calibration_rows
from ..rows import Row, row_scores
from ..schema import OUT_OF_SCOPE, Dataset, Example
from .linear import LinearIntentClassifier, check_decision_state

# Candidate thresholds on the calibrated probability; the one with the best out-of-fold micro-F1 wins.
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


@dataclass(frozen=True, slots=True)
class MultiIntentResult:
    """Ranking of (intent, probability), best first, and the intents above the threshold."""

    ranking: list[tuple[str, float]]
    intents: list[tuple[str, float]]
    out_of_scope: bool
    reason: str | None  # "trained_class", "low_confidence" (no intent above threshold), "no_known_words"

    @property
    def top(self) -> tuple[str, float]:
        return self.ranking[0]


def label_set(example: Example) -> tuple[str, ...]:
    """The intents of an example: its ``intents``, else its single ``intent``, else none."""
    if example.intents:
        return tuple(dict.fromkeys(example.intents))
    return (example.intent,) if example.intent is not None else ()


def has_intent_set(example: Example) -> bool:
    """Whether an utterance counts for multi-intent training and scoring (see ``multi_intent_examples``)."""
    return (
        bool(example.intents)
        or example.intent is not None
        or (example.sentiment is None and example.cues is None)
    )


def multi_intent_examples(dataset: Dataset) -> list[Example]:
    """The training examples of a multi-intent model, or [] when no example lists ``intents``.

    An utterance with no label at all (no intent, intents or sentiment) says "none of
    these intents" in a multi-intent data set (NLU++ marks slot-only answers so), so it is
    kept as a negative example for every intent.
    """
    if not any(ex.intents for ex in dataset.examples):
        return []
    utterances = [ex for ex in dataset.examples if has_intent_set(ex)]
    n_labelled = sum(ex.intent is not None for ex in dataset.examples)
    dialogue_turns = dataset.intent_examples()[n_labelled:]  # it lists utterances first, then turns
    return utterances + dialogue_turns


def micro_f1(gold: np.ndarray, predicted: np.ndarray) -> float:
    """Micro-averaged F1 of two boolean (n, n_labels) matrices."""
    denominator = int(gold.sum() + predicted.sum())
    return 2.0 * int((gold & predicted).sum()) / denominator if denominator else 1.0


def multi_label_report(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> dict:
    """Micro precision, recall and F1 over (example, intent) pairs, and the exact-match ratio of sets."""
    gold_sets, predicted_sets = [set(g) for g in gold], [set(p) for p in predicted]
    hits = sum(len(g & p) for g, p in zip(gold_sets, predicted_sets, strict=True))
    n_gold, n_predicted = sum(map(len, gold_sets)), sum(map(len, predicted_sets))
    return {
        "multi_label_f1": 2.0 * hits / (n_gold + n_predicted) if n_gold + n_predicted else 1.0,
        "multi_label_precision": hits / n_predicted if n_predicted else None,
        "multi_label_recall": hits / n_gold if n_gold else None,
        "exact_match": float(np.mean([g == p for g, p in zip(gold_sets, predicted_sets, strict=True)]))
        if gold_sets
        else None,
        "n_multi_label": len(gold_sets),
    }


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))


def _fit_platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt's sigmoid ``p = 1 / (1 + exp(-(a s + b)))`` with his smoothed targets.

    Each score appears twice, as positive and as negative, weighted by the smoothed
    target: scikit-learn's logistic regression then minimizes exactly Platt's loss.
    """
    from sklearn.linear_model import LogisticRegression  # training only: prediction never imports it

    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    if n_pos == 0 or n_neg == 0:
        return 1.0, 0.0
    target = np.where(y > 0, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))
    column = np.concatenate([scores, scores])[:, None]
    labels = np.concatenate([np.ones(len(y)), np.zeros(len(y))])
    weights = np.concatenate([target, 1.0 - target])
    fitted = LogisticRegression(C=1e4).fit(column, labels, sample_weight=weights)
    return float(fitted.coef_[0, 0]), float(fitted.intercept_[0])


class MultiLabelIntentClassifier:
    """One-vs-rest LinearSVC per intent, Platt-calibrated, with a micro-F1-optimal threshold."""

    def __init__(
        self, C: float = 1.0, cv_folds: int = 5, ranking_size: int = 5, random_state: int = 0
    ) -> None:
        self.C = C
        self.cv_folds = cv_folds
        self.ranking_size = ranking_size
        self.random_state = random_state

    # -- training -------------------------------------------------------------------------------
    def _fit_svms(self, X, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weights (n_features, n_labels) and intercepts; an intent absent from ``Y`` never fires."""
        from sklearn.svm import LinearSVC  # training only

        weights = np.zeros((X.shape[1], Y.shape[1]), dtype=np.float32)
        intercept = np.full(Y.shape[1], -1.0, dtype=np.float32)
        for j in range(Y.shape[1]):
            if 0 < Y[:, j].sum() < len(Y):
                svm = LinearSVC(C=self.C, random_state=self.random_state).fit(X, Y[:, j])
                weights[:, j], intercept[j] = svm.coef_[0], svm.intercept_[0]
        # float16 precision on disk (as the single-intent model), computed in float32 both times.
        return weights.astype(np.float16).astype(np.float32), intercept

    def fit(
        self,
        X,
        label_sets: Sequence[Sequence[str]],
        progress: Callable[[str], None] | None = None,
        calibrate_on: np.ndarray | None = None,
    ) -> MultiLabelIntentClassifier:
        """Fit on feature rows ``X`` and, per row, its set of intents (possibly empty); the threshold
        reads the out-of-fold probabilities of the ``calibrate_on`` rows (None: all)."""
        from sklearn.model_selection import KFold  # training only

        say = progress or (lambda message: None)
        self.labels_ = sorted({label for labels in label_sets for label in labels})
        if not self.labels_:
            raise DataError("the multi-intent training data has no intents at all.", code="E120")
        index = {label: j for j, label in enumerate(self.labels_)}
        Y = np.zeros((len(label_sets), len(self.labels_)), dtype=np.int8)
        for i, labels in enumerate(label_sets):
            Y[i, [index[label] for label in labels]] = 1
        self.oos_index_ = index.get(OUT_OF_SCOPE)
        folds = min(self.cv_folds, len(Y))
        self.folds_used_ = folds if folds >= 2 else 0
        self.scale_ = np.ones(len(self.labels_), dtype=np.float64)
        self.bias_ = np.zeros(len(self.labels_), dtype=np.float64)
        self.threshold_ = 0.5
        self.cv_metrics_ = {"folds": 0, "micro_f1": None, "exact_match": None, "threshold": 0.5}
        if self.folds_used_:
            oof = np.zeros(Y.shape, dtype=np.float64)
            splitter = KFold(folds, shuffle=True, random_state=self.random_state)
            for k, (train, held_out) in enumerate(splitter.split(Y), 1):
                say(f"multi-intent cross-validation: fold {k}/{folds}")
                weights, bias = self._fit_svms(X[train], Y[train])
                oof[held_out] = np.asarray(X[held_out] @ weights) + bias
            for j in range(len(self.labels_)):
                self.scale_[j], self.bias_[j] = _fit_platt(oof[:, j], Y[:, j])
            rows = calibration_rows(calibrate_on, len(Y))
            self._choose_threshold(_sigmoid(oof[rows] * self.scale_ + self.bias_), Y[rows].astype(bool))
        say("multi-intent final model: fitting on all examples")
        self.weights_, self.intercept_ = self._fit_svms(X, Y)
        return self

    def _choose_threshold(self, probabilities: np.ndarray, gold: np.ndarray) -> None:
        scores = [micro_f1(gold, probabilities >= t) for t in THRESHOLD_GRID]
        best = int(np.argmax(scores))
        self.threshold_ = float(THRESHOLD_GRID[best])
        predicted = probabilities >= self.threshold_
        self.cv_metrics_ = {
            "folds": self.folds_used_,
            "micro_f1": float(scores[best]),
            "exact_match": float((predicted == gold).all(axis=1).mean()),
            "threshold": self.threshold_,
        }

    # -- prediction -----------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "weights_"):
            raise NotFittedError("MultiLabelIntentClassifier is not fitted: call fit() or load a model.")

    def _decide(self, probabilities: np.ndarray, knows_a_word: bool) -> MultiIntentResult:
        order = np.argsort(-probabilities)
        ranking = [(self.labels_[j], float(probabilities[j])) for j in order[: self.ranking_size]]
        above = [
            (self.labels_[j], float(probabilities[j])) for j in order if probabilities[j] >= self.threshold_
        ]
        if not knows_a_word:
            return MultiIntentResult(ranking, [], True, "no_known_words")
        if above and order[0] == self.oos_index_:
            return MultiIntentResult(ranking, [], True, "trained_class")
        if not above:
            return MultiIntentResult(ranking, [], True, "low_confidence")
        return MultiIntentResult(ranking, above, False, None)

    def probabilities(self, X) -> np.ndarray:
        """Per-intent calibrated probabilities of the rows of a (sparse) matrix."""
        self._check_fitted()
        return _sigmoid((np.asarray(X @ self.weights_) + self.intercept_) * self.scale_ + self.bias_)

    def predict_rows(self, rows: Sequence[Row], known: Sequence[bool]) -> list[MultiIntentResult]:
        """Sparse rows ``(indices, values)`` and, per row, whether the featurizer knew any of its words."""
        self._check_fitted()
        return [
            self._decide(
                _sigmoid(row_scores(row, self.weights_, self.intercept_) * self.scale_ + self.bias_), k
            )
            for row, k in zip(rows, known, strict=True)
        ]

    def predict_one(self, idx: np.ndarray, vals: np.ndarray, knows_a_word: bool = True) -> MultiIntentResult:
        """One utterance given as its feature columns and values: ``predict_rows`` of one row."""
        return self.predict_rows([(idx, vals)], [knows_a_word])[0]

    # -- persistence ----------------------------------------------------------------------------
    def get_params(self) -> dict:
        return {
            "C": self.C,
            "cv_folds": self.cv_folds,
            "ranking_size": self.ranking_size,
            "random_state": self.random_state,
        }

    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        self._check_fitted()
        state = {
            "kind": "multi_label",
            "params": self.get_params(),
            "labels": self.labels_,
            "threshold": self.threshold_,
            "cv_metrics": self.cv_metrics_,
        }
        arrays = {
            "weights": self.weights_.astype(np.float16),
            "intercept": self.intercept_,
            "platt_scale": self.scale_,
            "platt_bias": self.bias_,
        }
        return state, arrays

    @classmethod
    def from_state(cls, state: dict, arrays: dict[str, np.ndarray]) -> MultiLabelIntentClassifier:
        try:
            model = cls(**state["params"])
            model.labels_ = list(state["labels"])
            model.threshold_ = float(state["threshold"])
            model.cv_metrics_ = dict(state["cv_metrics"])
            model.weights_ = np.ascontiguousarray(arrays["weights"], dtype=np.float32)
            model.intercept_ = np.asarray(arrays["intercept"], dtype=np.float32)
            model.scale_ = np.asarray(arrays["platt_scale"], dtype=np.float64)
            model.bias_ = np.asarray(arrays["platt_bias"], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"multi-intent state is incomplete ({exc!r}); retrain.", "E204") from exc
        check_decision_state(model.threshold_, model.ranking_size, "multi-intent classifier")
        model.oos_index_ = model.labels_.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in model.labels_ else None
        return model

    def check_features(self, n_features: int) -> None:
        """Refuse weights that do not fit the featurizer they are loaded with."""
        n_labels = len(self.labels_)
        shapes = (self.weights_.shape, self.intercept_.shape, self.scale_.shape, self.bias_.shape)
        if shapes != ((n_features, n_labels), (n_labels,), (n_labels,), (n_labels,)):
            raise ModelError(
                f"multi-intent weights have shape {self.weights_.shape}, expected {(n_features, n_labels)}; "
                "the model is damaged.",
                "E204",
            )


def intent_classifier_from_state(state: dict, arrays: dict[str, np.ndarray]):
    """Whichever intent model a model directory holds: single-intent (softmax) or multi-intent."""
    if isinstance(state, dict) and state.get("kind") == "multi_label":
        return MultiLabelIntentClassifier.from_state(state, arrays)
    return LinearIntentClassifier.from_state(state, arrays)


class IntentClassifierLoader:
    """``from_state`` for the model directory's ``intent_classifier`` component, of either kind."""

    from_state = staticmethod(intent_classifier_from_state)


def predicted_intents(result) -> list[tuple[str, float]]:
    """The intents a result asserts: the set above the threshold, or the top one when in scope."""
    if result is None:
        return []
    if isinstance(result, MultiIntentResult):
        return list(result.intents)
    return [] if result.out_of_scope else [result.ranking[0]]
