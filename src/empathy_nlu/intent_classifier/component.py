"""The intent components: single-intent (softmax) and multi-intent (one sigmoid per intent).

Both fill ``doc.intent`` from the shared feature rows; which one a model has depends on
the data: any example listing several ``intents`` makes it a multi-intent model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ModelError
from ..pipeline.component import ModelComponent, register, weights
from ..pipeline.params import Params, require
from .linear import LinearIntentClassifier
from .multi_label import MultiLabelIntentClassifier, label_set
from .neighbours import neighbour_specs


@dataclass(frozen=True)
class IntentParams(Params):
    C: float = 1.0
    cv_folds: int = 3  # folds whose out-of-fold scores calibrate and choose the out-of-scope threshold
    # In-scope accuracy the out-of-scope margin may cost (data with out_of_scope examples); 0.01 chosen
    # on CLINC150 val: recall 0.70 where 0.02 gave 0.79 for 0.8 points less in-scope accuracy.
    max_in_scope_loss: float = 0.01
    max_in_scope_loss_without_oos: float = 0.005  # ... when the data has no out_of_scope examples
    ranking_size: int = 5
    random_state: int = 0

    def check(self) -> None:
        require(
            [
                ("intent.C", self.C > 0),
                ("intent.cv_folds", self.cv_folds >= 0),
                ("intent.max_in_scope_loss", 0 <= self.max_in_scope_loss <= 1),
                ("intent.max_in_scope_loss_without_oos", 0 <= self.max_in_scope_loss_without_oos <= 1),
                ("intent.ranking_size", self.ranking_size >= 1),
            ]
        )


@dataclass(frozen=True)
class MultiIntentParams(Params):
    C: float = 1.0
    cv_folds: int = 5  # folds whose out-of-fold predictions calibrate and choose the threshold
    ranking_size: int = 5
    random_state: int = 0

    def check(self) -> None:
        require([("multi_intent.C", self.C > 0), ("multi_intent.cv_folds", self.cv_folds >= 0)], "E442")
        require([("multi_intent.ranking_size", self.ranking_size >= 1)])


class _IntentBase(ModelComponent):
    """Shared by both: fill ``doc.intent`` for every doc with features, batch-first."""

    def process(self, batch) -> None:
        docs = [d for d in batch.docs if d.models_pending and d.features is not None]
        rows = [d.features for d in docs]
        for doc, result in zip(docs, self.model_.predict_rows(rows, [d.known for d in docs]), strict=True):
            doc.intent = result


def untuned_rows(featurizer, examples) -> np.ndarray | None:
    """Per example, whether the featurizer's encoder was not fine-tuned on its text (None: no
    fine-tuning): calibration reads only those rows' out-of-fold scores (embeddings/finetune.py)."""
    tuned = getattr(featurizer, "tuned_texts_", None)
    return None if tuned is None else np.array([ex.text not in tuned for ex in examples], dtype=bool)


@register
class IntentComponent(_IntentBase):
    """One intent per message: calibrated linear SVM with an out-of-scope threshold."""

    name = "intent"
    Params = IntentParams
    Model = LinearIntentClassifier

    @classmethod
    def supports(cls, data, config) -> bool:
        return bool(data.intent_examples) and not data.multi_intent

    def fit(self, data, fitted, say):
        examples = data.intent_examples
        say(f"intent: training on {len(examples)} examples")
        featurizer = fitted["features"].featurizer_
        X = featurizer.transform(data.docs(examples))
        labels = [ex.intent for ex in examples]
        self.model_ = LinearIntentClassifier(**self.params.to_dict()).fit(
            X, labels, progress=say, calibrate_on=untuned_rows(featurizer, examples)
        )
        if getattr(featurizer, "scripts_", None) is not None:  # a multilingual encoder: neighbours.py
            self.model_.keep_neighbours(X[:, -featurizer.dimension_ :].toarray(), labels)
        self.metrics_ = {"intent_cross_validation": self.model_.cv_metrics_}
        return self

    def process(self, batch) -> None:
        """As every intent model, plus each doc's unseen-script share for the neighbour evidence."""
        docs = [d for d in batch.docs if d.models_pending and d.features is not None]
        rows, known = [d.features for d in docs], [d.known for d in docs]
        results = self.model_.predict_rows(rows, known, [d.unseen_script for d in docs])
        for doc, result in zip(docs, results, strict=True):
            doc.intent = result

    @classmethod
    def array_spec(cls, state):
        """``weights``: float16, one row per shared feature (checked in ``check``), one column per
        intent; ``intercept``: float32, one per intent. Multilingual tier: ``neighbours`` (float16
        unit rows, ``count`` x ``dimension`` of the state) and ``neighbour_labels`` (int32 intents)."""
        n_labels = len(state["labels"])
        specs = {"weights": weights(None, n_labels, dtype="float16"), "intercept": weights(n_labels)}
        if "neighbours" in state:
            specs.update(neighbour_specs(state["neighbours"], n_labels))
        return specs

    def check(self, components) -> None:
        """The weights fit the featurizer, and saved neighbours its embedding dimension."""
        super().check(components)
        neighbours = self.model_.neighbours_
        dimension = getattr(components["features"].featurizer_, "dimension_", None)
        if neighbours is not None and neighbours.dimension != dimension:
            raise ModelError(
                f"the intent model's neighbours have {neighbours.dimension} dimensions, the featurizer's "
                f"embedding {dimension}; retrain the model.",
                "E236",
            )


@register
class MultiIntentComponent(_IntentBase):
    """Several intents per message: one calibrated sigmoid per intent and one threshold."""

    name = "multi_intent"
    Params = MultiIntentParams
    Model = MultiLabelIntentClassifier

    @classmethod
    def supports(cls, data, config) -> bool:
        return data.multi_intent

    def fit(self, data, fitted, say):
        examples = data.intent_examples
        say(f"multi-intent: training on {len(examples)} examples")
        featurizer = fitted["features"].featurizer_
        X = featurizer.transform(data.docs(examples))
        self.model_ = MultiLabelIntentClassifier(**self.params.to_dict()).fit(
            X,
            [label_set(ex) for ex in examples],
            progress=say,
            calibrate_on=untuned_rows(featurizer, examples),
        )
        self.metrics_ = {"intent_cross_validation": self.model_.cv_metrics_}
        return self

    @classmethod
    def array_spec(cls, state):
        """As ``intent``, plus float64 ``platt_scale`` and ``platt_bias``: one sigmoid per intent."""
        n_labels = len(state["labels"])
        return {
            "weights": weights(None, n_labels, dtype="float16"),
            "intercept": weights(n_labels),
            "platt_scale": weights(n_labels, dtype="float64"),
            "platt_bias": weights(n_labels, dtype="float64"),
        }
