"""Training: a loop over the registered components that the data supports.

Why apart from ``classifier.py``: the ``Classifier`` serves predictions; this module
gathers what each component may learn from (``TrainingData``), fits the components
in pipeline order on it, and reports what they measured.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .errors import DataError
from .intent_classifier.multi_label import multi_intent_examples
from .preprocessing import ProcessedText, preprocess
from .schema import Dataset, Example

Progress = Callable[[str], None]


@dataclass
class TrainingData:
    """A dataset split by what each component learns from, texts preprocessed once."""

    dataset: Dataset
    config: dict  # section -> params
    intent_examples: list[Example]  # the multi-intent examples when ``multi_intent``
    sentiment_examples: list[Example]
    multi_intent: bool
    _docs: dict[str, ProcessedText] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, dataset: Dataset, config: dict) -> TrainingData:
        multi = multi_intent_examples(dataset)  # [] unless some example lists several intents
        intent_examples, sentiment_examples = training_examples(dataset)
        return cls(dataset, config, multi or intent_examples, sentiment_examples, bool(multi))

    def docs(self, examples: Sequence[Example]) -> list[ProcessedText]:
        """The preprocessed texts of ``examples`` (each text preprocessed once)."""
        out = []
        for example in examples:
            doc = self._docs.get(example.text)
            if doc is None:
                doc = self._docs[example.text] = preprocess(example.text)
            out.append(doc)
        return out

    def all_docs(self) -> list[ProcessedText]:
        """Every distinct text a model learns from: what the shared featurizer is fitted on."""
        docs = self.docs(self.intent_examples) + self.docs(self.sentiment_examples)
        return list({doc.raw: doc for doc in docs}.values())


def data_fingerprint(examples: Sequence[Example], dataset: Dataset | None = None) -> str:
    """SHA-256 of the training content, independent of file order and location."""
    rows = sorted(
        json.dumps(
            [
                ex.text,
                ex.intent,
                list(ex.intents),
                [[e.entity, e.start, e.end, e.value] for e in ex.entities],
                ex.sentiment,
            ],
            ensure_ascii=False,
        )
        for ex in examples
    )
    for dialogue in dataset.dialogues if dataset is not None else ():
        rows.append(json.dumps([[t.speaker, t.text, t.intent] for t in dialogue.turns], ensure_ascii=False))
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()


def training_examples(dataset: Dataset) -> tuple[list[Example], list[Example]]:
    """The examples each model learns from: (with an intent, with a sentiment)."""
    return dataset.intent_examples(), [ex for ex in dataset.examples if ex.sentiment is not None]


def train_components(dataset: Dataset, params: dict, say: Progress) -> tuple[dict, dict]:
    """Fit every component ``dataset`` supports, in pipeline order; returns (components, metrics)."""
    from .pipeline.registry import components as registered

    data = TrainingData.of(dataset, params)
    if not data.intent_examples and not data.sentiment_examples:
        raise DataError("the training data has no examples with an intent or a sentiment.", code="E121")
    started = time.perf_counter()
    say(f"preprocessing {len(data.intent_examples) + len(data.sentiment_examples)} examples")
    fitted: dict = {}
    metrics: dict = {}
    for name, cls in registered().items():
        if cls.supports(data, params):
            fitted[name] = cls(params[name]).fit(data, fitted, say)
            metrics.update(fitted[name].metrics_)
    metrics["train_seconds"] = round(time.perf_counter() - started, 3)
    metrics["n_intent_examples"] = len(data.intent_examples)
    metrics["n_sentiment_examples"] = len(data.sentiment_examples)
    metrics["fingerprint"] = data_fingerprint(data.intent_examples + data.sentiment_examples, dataset)
    return fitted, metrics
