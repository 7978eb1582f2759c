"""Training: every component the data supports, fitted from one ``Dataset`` and one config.

Why apart from ``classifier.py``: the ``Classifier`` serves predictions; this module
decides which models a dataset can train (intents, sentiment, entities, history),
fits them in order on the shared features, and reports what it measured.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from .context import ContextualIntentClassifier, samples_from_dialogues
from .cues import CueDetector
from .embeddings import make_featurizer
from .entity_parser import DIMENSIONS, BuiltinEntityParser
from .errors import DataError
from .intent_classifier import LinearIntentClassifier
from .intent_classifier.multi_label import MultiLabelIntentClassifier, label_set, multi_intent_examples
from .preprocessing import preprocess
from .schema import Dataset, Example
from .sentiment import SentimentClassifier
from .slot_filler import CRFSlotFiller, entity_training_examples

Progress = Callable[[str], None]


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


def custom_entity_examples(examples: Sequence[Example], builtin: frozenset) -> list[Example]:
    """What the tagger learns from: annotated files, without the types the builtin rules extract.

    Why drop builtin types: the rules already give them with normalized values; annotating them
    is still useful, for ``evaluate``.
    """
    out = []
    for example in entity_training_examples(examples):
        kept = tuple(span for span in example.entities if span.entity not in builtin)
        out.append(example if len(kept) == len(example.entities) else replace(example, entities=kept))
    return out


def train_components(dataset: Dataset, config: dict, say: Progress) -> tuple[dict, dict]:
    """Fit the components ``dataset`` supports; returns (components by name, metrics)."""
    intent_examples, sentiment_examples = training_examples(dataset)
    multi_examples = multi_intent_examples(dataset)  # [] unless some example lists several intents
    multi_intent = bool(multi_examples)
    if multi_intent:
        intent_examples = multi_examples
    if not intent_examples and not sentiment_examples:
        raise DataError("the training data has no examples with an intent or a sentiment.", code="E110")
    started = time.perf_counter()
    metrics: dict = {}
    say(f"preprocessing {len(intent_examples) + len(sentiment_examples)} examples")
    intent_docs = [preprocess(ex.text) for ex in intent_examples]
    sentiment_docs = [preprocess(ex.text) for ex in sentiment_examples]
    say("features: fitting on all texts")
    # One featurizer for every model: the costly n-gram work is done once per utterance.
    unique_docs = list({doc.raw: doc for doc in intent_docs + sentiment_docs}.values())
    featurizer = make_featurizer(config["features"]).fit(unique_docs)  # sparse, or sparse + embeddings
    components: dict = {"features": featurizer}
    if intent_examples:
        say(f"intent: training on {len(intent_examples)} examples")
        if multi_intent:
            intent = MultiLabelIntentClassifier(
                **config["multi_intent"],
                ranking_size=config["intent"]["ranking_size"],
                random_state=config["intent"]["random_state"],
            ).fit(featurizer.transform(intent_docs), [label_set(ex) for ex in intent_examples], progress=say)
        else:
            intent = LinearIntentClassifier(**config["intent"]).fit(
                featurizer.transform(intent_docs), [ex.intent for ex in intent_examples], progress=say
            )
        components["intent_classifier"] = intent
        metrics["intent_cross_validation"] = intent.cv_metrics_
    if sentiment_examples:
        say(f"sentiment: training on {len(sentiment_examples)} examples")
        sentiment = SentimentClassifier(**config["sentiment"]).fit(
            featurizer.transform(sentiment_docs),
            sentiment_docs,
            [ex.sentiment for ex in sentiment_examples],
            progress=say,
        )
        components["sentiment"] = sentiment
        metrics["sentiment_cross_validation"] = sentiment.cv_metrics_
    if config["cues"]["enabled"]:
        cue_detector = CueDetector(config["cues"]["patterns"] or None)
        cue_detector.detect("")  # load the patterns now: a bad patterns file fails training, not serving
        components["cues"] = cue_detector
    builtin_types: frozenset = frozenset()
    if config["entities"]["builtin"]:
        entities = config["entities"]
        parser = BuiltinEntityParser(entities["dimensions"] or None, entities["patterns"] or None)
        parser.to_state()  # compiles the patterns: a bad pattern fails training, not serving
        components["entities"] = parser
        builtin_types = frozenset(entities["dimensions"] or DIMENSIONS)
    tagger_examples = custom_entity_examples(dataset.examples, builtin_types)
    if any(ex.entities for ex in tagger_examples):
        tagger = CRFSlotFiller(**config["slot_filler"]).fit(tagger_examples, dataset.resources, progress=say)
        components["slot_filler"] = tagger
        metrics["slot_filler_entity_types"] = tagger.entity_types_
    if dataset.dialogues and intent_examples and config["context"]["enabled"] and not multi_intent:
        utterances = [ex for ex in dataset.examples if ex.intent is not None]
        samples = samples_from_dialogues(dataset.dialogues, utterances)
        say(f"context: training the history-aware intent model on {len(samples.docs)} customer turns")
        model_params = dict(config["context"]["model"])
        contextual = ContextualIntentClassifier(
            **model_params,
            max_in_scope_loss=config["intent"]["max_in_scope_loss"]
            if "out_of_scope" in set(samples.labels)
            else config["intent"]["max_in_scope_loss_without_oos"],
            ranking_size=config["intent"]["ranking_size"],
            random_state=config["intent"]["random_state"],
        ).fit(featurizer, samples, progress=say)
        components["context_intent"] = contextual
        metrics["context_intent_cross_validation"] = contextual.cv_metrics_
    metrics["train_seconds"] = round(time.perf_counter() - started, 3)
    metrics["n_intent_examples"] = len(intent_examples)
    metrics["n_sentiment_examples"] = len(sentiment_examples)
    metrics["fingerprint"] = data_fingerprint(intent_examples + sentiment_examples, dataset)
    return components, metrics
