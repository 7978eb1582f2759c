"""Fast tier: shared sparse n-gram features into a linear SVM, calibrated, with an out-of-scope threshold.

Training runs K-fold cross-validation on the training data only, to fit the
temperature and choose the out-of-scope threshold from out-of-fold scores,
then fits the final model on all of it. Prediction is a gather-and-sum over the
weight rows of the features present: a few tens of microseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import DataError, ModelError, NotFittedError
from ..linear_model import CalibratedLinearSVC
from ..rows import Row
from ..schema import OUT_OF_SCOPE
from .neighbours import NeighbourEvidence
from .out_of_scope import choose_margin, choose_threshold


@dataclass(frozen=True, slots=True)
class IntentResult:
    """The classifier's answer for one utterance: ranking of (intent, probability), best first."""

    ranking: list[tuple[str, float]]
    out_of_scope: bool
    reason: str | None  # "trained_class", "low_confidence", "no_known_words" or None

    @property
    def top(self) -> tuple[str, float]:
        return self.ranking[0]


def check_decision_state(threshold: float, ranking_size, what: str) -> None:
    """Refuse a saved threshold outside [0, 1] or a ranking size below 1 (an empty ranking)."""
    if not 0.0 <= threshold <= 1.0 or not isinstance(ranking_size, int) or ranking_size < 1:
        raise ModelError(
            f"{what} threshold {threshold} or ranking size {ranking_size!r} is out of range; retrain.", "E240"
        )


class LinearIntentClassifier:
    """Word + character n-gram TF-IDF into one-vs-rest LinearSVC, calibrated by temperature scaling."""

    def __init__(
        self,
        C: float = 1.0,
        cv_folds: int = 3,
        max_in_scope_loss: float = 0.01,
        max_in_scope_loss_without_oos: float = 0.005,
        ranking_size: int = 5,
        random_state: int = 0,
    ) -> None:
        self.C = C
        self.cv_folds = cv_folds
        self.max_in_scope_loss = max_in_scope_loss
        self.max_in_scope_loss_without_oos = max_in_scope_loss_without_oos
        self.ranking_size = ranking_size
        self.random_state = random_state

    neighbours_: NeighbourEvidence | None = None  # multilingual tier: see neighbours.py
    oos_margin_: float | None = None  # data with out_of_scope examples: see out_of_scope.choose_margin

    # -- training -------------------------------------------------------------------------------
    def fit(
        self,
        X,
        labels: Sequence[str],
        progress: Callable[[str], None] | None = None,
        calibrate_on: np.ndarray | None = None,
    ) -> LinearIntentClassifier:
        """Fit on feature rows ``X`` (from the shared featurizer) and their intent labels; the
        temperature and threshold read the out-of-fold scores of the ``calibrate_on`` rows (None: all)."""
        say = progress or (lambda message: None)
        self.labels_ = sorted(set(labels))
        if len(self.labels_) < 2:
            raise DataError(f"need at least 2 intents to train, got {self.labels_}.", code="E105")
        index = {label: i for i, label in enumerate(self.labels_)}
        y = np.array([index[label] for label in labels])
        self.oos_index_ = index.get(OUT_OF_SCOPE)

        self.model_ = CalibratedLinearSVC(self.C, self.cv_folds, self.random_state).fit(
            X, y, len(self.labels_), progress=say, calibrate_on=calibrate_on
        )
        self.threshold_, self.oos_margin_ = 0.0, None
        probabilities = self.model_.oof_probabilities()
        if probabilities is not None:
            rows = self.model_.calibration_rows_
            self._choose_rule(probabilities[rows], y[rows])
        self.cv_metrics_ = {**self.model_.cv_metrics(y), "threshold": self.threshold_}
        if self.oos_margin_ is not None:
            self.cv_metrics_["oos_margin"] = self.oos_margin_
        return self

    def _choose_rule(self, probabilities: np.ndarray, y: np.ndarray) -> None:
        """With out-of-scope examples: a margin on the trained class (out_of_scope.choose_margin);
        without: a threshold on the top probability, spending less (its benefit cannot be measured)."""
        if self.oos_index_ is not None and (y == self.oos_index_).any():
            in_scope = probabilities.copy()
            in_scope[:, self.oos_index_] = -1.0
            best = in_scope.argmax(1)
            margin = _log(probabilities[:, self.oos_index_]) - _log(in_scope.max(1))
            self.oos_margin_ = choose_margin(margin, best, y, self.oos_index_, self.max_in_scope_loss)
            return
        budget = self.max_in_scope_loss if self.oos_index_ is not None else self.max_in_scope_loss_without_oos
        predicted, confidence = probabilities.argmax(1), probabilities.max(1)
        self.threshold_ = choose_threshold(confidence, predicted, y, self.oos_index_, budget)

    def keep_neighbours(self, embeddings: np.ndarray, labels: Sequence[str]) -> LinearIntentClassifier:
        """Keep the training examples' embeddings as evidence for texts in unseen scripts."""
        index = {label: i for i, label in enumerate(self.labels_)}
        y = np.array([index[label] for label in labels])
        self.neighbours_ = NeighbourEvidence().fit(embeddings, y, len(self.labels_))
        return self

    # -- prediction -----------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError("LinearIntentClassifier is not fitted: call fit() or load a model.")

    def _decide(
        self, order: list[int], probabilities: list[float], knows_a_word: bool, oos_margin: float | None
    ) -> IntentResult:
        """The ranking (label indices ``order`` with their probabilities) and the out-of-scope verdict
        (``oos_margin``: log P(out_of_scope) - log P(top intent), None without that class)."""
        ranking = [(self.labels_[i], p) for i, p in zip(order, probabilities, strict=True)]
        if not knows_a_word:
            return IntentResult(ranking, True, "no_known_words")
        if order[0] == self.oos_index_:
            return IntentResult(ranking, True, "trained_class")
        if oos_margin is not None and self.oos_margin_ is not None:
            if oos_margin >= self.oos_margin_:  # the trained class is close behind: unsure
                return IntentResult(ranking, True, "low_confidence")
        elif probabilities[0] < self.threshold_:
            return IntentResult(ranking, True, "low_confidence")
        return IntentResult(ranking, False, None)

    def predict_rows(
        self, rows: Sequence[Row], known: Sequence[bool], unseen: Sequence[float] | None = None
    ) -> list[IntentResult]:
        """Sparse rows ``(indices, values)`` and, per row, whether the featurizer knew any of its words
        and (multilingual tier) its letters' share in scripts no training text used."""
        results = []
        scored = self.model_.probabilities_rows(rows)
        if self.neighbours_ is not None and unseen is not None and any(unseen):
            dimension, mix = self.neighbours_.dimension, self.neighbours_.mix
            scored = [
                mix(p, row[1][-dimension:], share) if share > 0.0 else p
                for p, row, share in zip(scored, rows, unseen, strict=True)
            ]
        oos = self.oos_index_
        for probabilities, knows_a_word in zip(scored, known, strict=True):
            order = np.argsort(-probabilities)[: self.ranking_size]
            top = probabilities[order[0]]
            margin = None if oos is None else float(_log(probabilities[oos]) - _log(top))
            results.append(self._decide(order.tolist(), probabilities[order].tolist(), knows_a_word, margin))
        return results

    def predict_one(self, idx: np.ndarray, vals: np.ndarray, knows_a_word: bool = True) -> IntentResult:
        """One utterance given as its feature columns and values: ``predict_rows`` of one row."""
        self._check_fitted()
        return self.predict_rows([(idx, vals)], [knows_a_word])[0]

    # -- persistence ----------------------------------------------------------------------------
    def get_params(self) -> dict:
        return {
            "C": self.C,
            "cv_folds": self.cv_folds,
            "max_in_scope_loss": self.max_in_scope_loss,
            "max_in_scope_loss_without_oos": self.max_in_scope_loss_without_oos,
            "ranking_size": self.ranking_size,
            "random_state": self.random_state,
        }

    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """JSON-able state plus named arrays (no pickle anywhere)."""
        self._check_fitted()
        model_state, model_arrays = self.model_.to_state()
        state = {
            "params": self.get_params(),
            "labels": self.labels_,
            "threshold": self.threshold_,
            "oos_margin": self.oos_margin_,
            "cv_metrics": self.cv_metrics_,
            "linear_model": model_state,
        }
        if self.neighbours_ is not None:
            state["neighbours"], neighbour_arrays = self.neighbours_.to_state()
            model_arrays = {**model_arrays, **neighbour_arrays}
        return state, model_arrays

    @classmethod
    def from_state(cls, state: dict, arrays: dict[str, np.ndarray]) -> LinearIntentClassifier:
        try:
            model = cls(**state["params"])
            model.labels_ = list(state["labels"])
            model.threshold_ = float(state["threshold"])
            margin = state.get("oos_margin")  # absent in models saved before the margin rule
            model.oos_margin_ = None if margin is None else float(margin)
            model.cv_metrics_ = dict(state["cv_metrics"])
            model.model_ = CalibratedLinearSVC.from_state(state["linear_model"], arrays)
            if "neighbours" in state:
                model.neighbours_ = NeighbourEvidence.from_state(
                    state["neighbours"], arrays, len(model.labels_)
                )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"intent classifier state is incomplete ({exc!r}); retrain.", "E204") from exc
        check_decision_state(model.threshold_, model.ranking_size, "intent classifier")
        if model.oos_margin_ is not None and not -1e3 <= model.oos_margin_ <= 0.0:
            raise ModelError(f"intent out-of-scope margin {model.oos_margin_} is out of range; retrain.",
                             "E240")  # fmt: skip
        model.oos_index_ = model.labels_.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in model.labels_ else None
        return model

    def check_features(self, n_features: int) -> None:
        """Refuse a model whose weights do not fit the featurizer it is loaded with."""
        self.model_.check_shape(n_features, len(self.labels_))


def _log(p):
    """log of a probability, floored: a probability of 0 (underflow) still orders."""
    return np.log(np.maximum(p, 1e-300))
