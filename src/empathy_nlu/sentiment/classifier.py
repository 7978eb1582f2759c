"""Sentiment: negative / neutral / positive with a score in [-1, 1] and a calibrated confidence.

Same recipe as the intent model (sparse n-grams into a calibrated LinearSVC),
with two additions for feeling: tokens inside a negation's scope are marked
(``not_happy``), and the dense affect features of ``affect.py`` are appended.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse

from ..calibration import expected_calibration_error, softmax
from ..errors import DataError, ModelError, NotFittedError
from ..features import SparseFeaturizer
from ..linear_model import CalibratedLinearSVC
from ..preprocessing import ProcessedText
from .affect import AFFECT_FEATURES, affect_features, load_vader_lexicon, mark_negation

SENTIMENT_LABELS = ("negative", "neutral", "positive")


def _negation_marked(doc: ProcessedText) -> ProcessedText:
    return ProcessedText(doc.raw, doc.normalized, mark_negation(doc.tokens))


class SentimentClassifier:
    """Negation-marked word + character n-grams and affect features into a calibrated LinearSVC."""

    def __init__(
        self,
        C: float = 0.25,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        min_df: int = 1,
        affect_weight: float = 1.0,
        use_lexicon: bool = True,
        cv_folds: int = 3,
        random_state: int = 0,
    ) -> None:
        self.C = C
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.affect_weight = affect_weight
        self.use_lexicon = use_lexicon
        self.cv_folds = cv_folds
        self.random_state = random_state

    def _affect(self, doc: ProcessedText) -> np.ndarray:
        return affect_features(doc, self.lexicon_) * self.affect_weight

    def _matrix(self, docs: Sequence[ProcessedText]):
        marked = [_negation_marked(doc) for doc in docs]
        dense = (
            np.vstack([self._affect(doc) for doc in docs]) if docs else np.zeros((0, len(AFFECT_FEATURES)))
        )
        return sparse.hstack([self.featurizer_.transform(marked), sparse.csr_matrix(dense)]).tocsr()

    def fit(
        self,
        docs: Sequence[ProcessedText],
        labels: Sequence[str],
        progress: Callable[[str], None] | None = None,
    ) -> SentimentClassifier:
        say = progress or (lambda message: None)
        unknown = sorted(set(labels) - set(SENTIMENT_LABELS))
        if unknown:
            raise DataError(f"unknown sentiment labels {unknown}; use {list(SENTIMENT_LABELS)}.", code="E111")
        present = sorted(set(labels), key=SENTIMENT_LABELS.index)
        if len(present) < 2:
            raise DataError(f"sentiment needs at least 2 labels in the data, got {present}.", code="E105")
        self.labels_ = present
        y = np.array([present.index(label) for label in labels])
        self.lexicon_ = load_vader_lexicon() if self.use_lexicon else {}
        say(f"sentiment features: fitting on {len(docs)} examples")
        marked = [_negation_marked(doc) for doc in docs]
        self.featurizer_ = SparseFeaturizer(self.word_ngram_range, self.char_ngram_range, self.min_df).fit(
            marked
        )
        X = self._matrix(docs)
        self.model_ = CalibratedLinearSVC(self.C, self.cv_folds, self.random_state).fit(
            X, y, len(present), progress=say
        )
        self.cv_metrics_ = {"folds": self.model_.folds_used_, "accuracy": None, "ece": None}
        if self.model_.oof_scores_ is not None:
            probabilities = softmax(self.model_.oof_scores_, self.model_.temperature_)
            predicted = probabilities.argmax(1)
            self.cv_metrics_["accuracy"] = float((predicted == y).mean())
            self.cv_metrics_["ece"] = expected_calibration_error(probabilities.max(1), predicted == y)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError("SentimentClassifier is not fitted: call fit() or load a model.")

    def _result(self, probabilities: np.ndarray) -> dict:
        p = dict(zip(self.labels_, probabilities.tolist(), strict=True))
        best = int(probabilities.argmax())
        return {
            "label": self.labels_[best],
            "score": round(p.get("positive", 0.0) - p.get("negative", 0.0), 6),
            "confidence": round(float(probabilities[best]), 6),
            "probabilities": {label: round(value, 6) for label, value in p.items()},
        }

    def predict_one(self, doc: ProcessedText) -> dict:
        """``{"label", "score", "confidence", "probabilities"}`` for one document."""
        self._check_fitted()
        idx, vals = self.featurizer_.transform_one(_negation_marked(doc))
        n_sparse = self.featurizer_.n_features_
        idx = np.concatenate([idx, np.arange(n_sparse, n_sparse + len(AFFECT_FEATURES), dtype=np.int32)])
        vals = np.concatenate([vals, self._affect(doc)])
        return self._result(self.model_.probabilities_one(idx, vals))

    def predict(self, docs: Sequence[ProcessedText]) -> list[dict]:
        self._check_fitted()
        return [self._result(p) for p in self.model_.probabilities(self._matrix(docs))]

    # -- persistence ----------------------------------------------------------------------------
    def get_params(self) -> dict:
        return {
            "C": self.C,
            "word_ngram_range": list(self.word_ngram_range),
            "char_ngram_range": list(self.char_ngram_range),
            "min_df": self.min_df,
            "affect_weight": self.affect_weight,
            "use_lexicon": self.use_lexicon,
            "cv_folds": self.cv_folds,
            "random_state": self.random_state,
        }

    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        self._check_fitted()
        featurizer_state, featurizer_arrays = self.featurizer_.to_state()
        model_state, model_arrays = self.model_.to_state()
        state = {
            "params": self.get_params(),
            "labels": self.labels_,
            "cv_metrics": self.cv_metrics_,
            "lexicon": self.lexicon_,
            "featurizer": featurizer_state,
            "linear_model": model_state,
        }
        return state, {**model_arrays, **featurizer_arrays}

    @classmethod
    def from_state(cls, state: dict, arrays: dict[str, np.ndarray]) -> SentimentClassifier:
        try:
            params = dict(state["params"])
            for key in ("word_ngram_range", "char_ngram_range"):
                params[key] = tuple(params[key])
            model = cls(**params)
            model.labels_ = list(state["labels"])
            model.cv_metrics_ = dict(state["cv_metrics"])
            model.lexicon_ = {str(k): float(v) for k, v in state["lexicon"].items()}
            model.featurizer_ = SparseFeaturizer.from_state(state["featurizer"], arrays)
            model.model_ = CalibratedLinearSVC.from_state(state["linear_model"], arrays)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"sentiment state is incomplete ({exc!r}); retrain.", "E204") from exc
        model.model_.check_shape(model.featurizer_.n_features_ + len(AFFECT_FEATURES), len(model.labels_))
        return model
