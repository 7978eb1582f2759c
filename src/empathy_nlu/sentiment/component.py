"""The sentiment component: fills ``doc.sentiment`` from the shared rows plus negation and affect."""

from __future__ import annotations

from dataclasses import dataclass

from ..pipeline.component import ModelComponent, register, weights
from ..pipeline.params import Params, require
from .affect import AFFECT_FEATURES
from .classifier import SentimentClassifier


@dataclass(frozen=True)
class SentimentParams(Params):
    C: float = 0.25
    affect_weight: float = 1.0  # scale of the affect features (lexicon, shouting, "!!!", emoji, ...)
    use_lexicon: bool = True  # VADER's valence lexicon, stored in the model
    cv_folds: int = 3
    random_state: int = 0

    def check(self) -> None:
        require(
            [
                ("sentiment.C", self.C > 0),
                ("sentiment.cv_folds", self.cv_folds >= 0),
                ("sentiment.affect_weight", self.affect_weight >= 0),
            ]
        )


@register
class SentimentComponent(ModelComponent):
    """Negative / neutral / positive with calibrated probabilities and a score in [-1, 1]."""

    name = "sentiment"
    Params = SentimentParams
    Model = SentimentClassifier

    @classmethod
    def supports(cls, data, config) -> bool:
        return bool(data.sentiment_examples)

    def fit(self, data, fitted, say):
        examples = data.sentiment_examples
        say(f"sentiment: training on {len(examples)} examples")
        docs = data.docs(examples)
        self.model_ = SentimentClassifier(**self.params.to_dict()).fit(
            fitted["features"].featurizer_.transform(docs),
            docs,
            [ex.sentiment for ex in examples],
            progress=say,
        )
        self.metrics_ = {"sentiment_cross_validation": self.model_.cv_metrics_}
        return self

    def process(self, batch) -> None:
        docs = [d for d in batch.docs if d.models_pending and d.features is not None]
        results = self.model_.predict_rows(
            [d.features for d in docs],
            [d.doc for d in docs],
            [d.language for d in docs],
            [d.known for d in docs],
        )
        for doc, result in zip(docs, results, strict=True):
            doc.sentiment = result

    @classmethod
    def array_spec(cls, state):
        """``weights``: float16, one row per column (shared features, negation words, affect features),
        one column per label; ``intercept``: float32, one per label."""
        n_rows = int(state["n_shared_features"]) + len(state["negation_vocabulary"]) + len(AFFECT_FEATURES)
        n_labels = len(state["labels"])
        return {"weights": weights(n_rows, n_labels, dtype="float16"), "intercept": weights(n_labels)}
