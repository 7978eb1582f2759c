"""Sentiment: negative / neutral / positive with a score in [-1, 1] and a calibrated confidence.

Same recipe as the intent model (the shared sparse n-gram features into a
calibrated LinearSVC), with two additions for feeling: a small block of
negation-scope features (``not_happy``) and the dense affect features of ``affect.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..cues.phrases import languages_for
from ..errors import ConfigError, DataError, ModelError, NotFittedError
from ..linear_model import CalibratedLinearSVC
from ..preprocessing import ProcessedText
from ..rows import Row
from .affect import AFFECT_FEATURES, NegationFeatures, affect_features, load_vader_lexicon
from .languages import LanguageLexicons, check_lexicons, read_all_lexicons

SENTIMENT_LABELS = ("negative", "neutral", "positive")


class SentimentClassifier:
    """Shared n-grams + negation-scope words + affect features into a calibrated LinearSVC."""

    def __init__(
        self,
        C: float = 0.25,
        affect_weight: float = 1.0,
        use_lexicon: bool = True,
        cv_folds: int = 3,
        random_state: int = 0,
    ) -> None:
        self.C = C
        self.affect_weight = affect_weight
        self.use_lexicon = use_lexicon
        self.cv_folds = cv_folds
        self.random_state = random_state

    def _extra(self, doc: ProcessedText, language=None) -> tuple[list[int], np.ndarray]:
        """Columns of the negation block and the affect values of one document (offsets relative).

        ``language``: the text's ``LanguageGuess`` or None; other languages' lexicons are read
        only where the text can be in them (``cues.phrases.languages_for``).
        """
        found = self.languages_.affect(doc.raw, language) if self.languages_ is not None else None
        return self.negation_.columns(doc), affect_features(doc, self.lexicon_, found) * self.affect_weight

    def _matrix(self, X_shared, docs: Sequence[ProcessedText]):
        from scipy import sparse

        n_neg = self.negation_.n_features_
        rows = [self._extra(doc) for doc in docs]
        negation = sparse.lil_matrix((len(docs), n_neg), dtype=np.float32)
        for i, (columns, _) in enumerate(rows):
            if columns:
                negation[i, columns] = 1.0 / np.sqrt(len(columns))
        dense = np.vstack([affect for _, affect in rows]) if rows else np.zeros((0, len(AFFECT_FEATURES)))
        return sparse.hstack([X_shared, negation.tocsr(), sparse.csr_matrix(dense)]).tocsr()

    def fit(
        self,
        X_shared,
        docs: Sequence[ProcessedText],
        labels: Sequence[str],
        progress: Callable[[str], None] | None = None,
    ) -> SentimentClassifier:
        """Fit on shared feature rows ``X_shared``, the same ``docs`` and their sentiment labels."""
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
        self.languages_ = LanguageLexicons(read_all_lexicons()) if self.use_lexicon else None
        self.negation_ = NegationFeatures().fit(docs)
        self.n_shared_ = X_shared.shape[1]
        self.model_ = CalibratedLinearSVC(self.C, self.cv_folds, self.random_state).fit(
            self._matrix(X_shared, docs), y, len(present), progress=say
        )
        self.cv_metrics_ = self.model_.cv_metrics(y)
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

    def _row(self, row: Row, doc: ProcessedText, language=None, known: bool = True) -> Row:
        """The shared features of ``doc`` followed by its negation and affect columns.

        A text in another language with no word the training data knew keeps only its
        negation and affect columns: its shared row then holds nothing but punctuation
        n-grams (". " leans negative in English data), noise next to its language's lexicon.
        """
        idx, vals = row
        if not known and self.languages_ is not None and languages_for(doc.raw, language):
            idx, vals = idx[:0], vals[:0]
        negation, affect = self._extra(doc, language)
        offset = self.n_shared_ + self.negation_.n_features_
        extra_idx = np.array(
            [self.n_shared_ + j for j in negation] + list(range(offset, offset + len(AFFECT_FEATURES))),
            dtype=np.int32,
        )
        negation_vals = np.full(len(negation), 1.0 / np.sqrt(len(negation)) if negation else 0.0, np.float32)
        return np.concatenate([idx, extra_idx]), np.concatenate([vals, negation_vals, affect])

    def predict_rows(
        self,
        rows: Sequence[Row],
        docs: Sequence[ProcessedText],
        languages: Sequence | None = None,
        known: Sequence[bool] | None = None,
    ) -> list[dict]:
        """``{"label", "score", "confidence", "probabilities"}`` per row of shared features and its doc.

        ``languages``: each doc's ``LanguageGuess`` (or None: decided from the text alone);
        ``known``: whether the featurizer knew any of its words (None: all known).
        """
        self._check_fitted()
        languages = languages if languages is not None else [None] * len(docs)
        known = known if known is not None else [True] * len(docs)
        full = [
            self._row(row, doc, lang, k)
            for row, doc, lang, k in zip(rows, docs, languages, known, strict=True)
        ]
        return [self._result(p) for p in self.model_.probabilities_rows(full)]

    def predict_one(self, idx: np.ndarray, vals: np.ndarray, doc: ProcessedText) -> dict:
        """One document: ``predict_rows`` of one row."""
        return self.predict_rows([(idx, vals)], [doc])[0]

    # -- persistence ----------------------------------------------------------------------------
    def get_params(self) -> dict:
        return {
            "C": self.C,
            "affect_weight": self.affect_weight,
            "use_lexicon": self.use_lexicon,
            "cv_folds": self.cv_folds,
            "random_state": self.random_state,
        }

    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        self._check_fitted()
        model_state, model_arrays = self.model_.to_state()
        state = {
            "params": self.get_params(),
            "labels": self.labels_,
            "cv_metrics": self.cv_metrics_,
            "lexicon": self.lexicon_,
            "language_lexicons": None if self.languages_ is None else self.languages_.lexicons,
            "negation_vocabulary": sorted(self.negation_.vocabulary_, key=self.negation_.vocabulary_.get),
            "n_shared_features": self.n_shared_,
            "linear_model": model_state,
        }
        return state, model_arrays

    @classmethod
    def from_state(cls, state: dict, arrays: dict[str, np.ndarray]) -> SentimentClassifier:
        try:
            model = cls(**state["params"])
            model.labels_ = list(state["labels"])
            model.cv_metrics_ = dict(state["cv_metrics"])
            model.lexicon_ = {str(k): float(v) for k, v in state["lexicon"].items()}
            model.languages_ = _saved_languages(state, model.use_lexicon)
            model.negation_ = NegationFeatures()
            model.negation_.vocabulary_ = {t: i for i, t in enumerate(state["negation_vocabulary"])}
            model.n_shared_ = int(state["n_shared_features"])
            model.model_ = CalibratedLinearSVC.from_state(state["linear_model"], arrays)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"sentiment state is incomplete ({exc!r}); retrain.", "E204") from exc
        return model

    def check_features(self, n_shared: int) -> None:
        """Refuse a model whose weights do not fit the shared featurizer it is loaded with."""
        if n_shared != self.n_shared_:
            raise ModelError("the sentiment model does not fit the model's featurizer; retrain.", "E204")
        n_features = n_shared + self.negation_.n_features_ + len(AFFECT_FEATURES)
        self.model_.check_shape(n_features, len(self.labels_))


def _saved_languages(state: dict, use_lexicon: bool) -> LanguageLexicons | None:
    """The saved language lexicons; a model saved before they existed gets the shipped ones."""
    if "language_lexicons" not in state:
        return LanguageLexicons(read_all_lexicons()) if use_lexicon else None
    if state["language_lexicons"] is None:
        return None
    try:
        return LanguageLexicons(check_lexicons(state["language_lexicons"]))
    except ConfigError as exc:
        raise ModelError(
            f"sentiment state has an invalid language lexicon: {exc.message}; retrain.", "E204"
        ) from exc
