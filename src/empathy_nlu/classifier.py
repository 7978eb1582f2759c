"""The one public entry point: ``Classifier.train / load / save / predict / predict_batch``.

It owns the flow preprocessing -> features -> models -> ``Prediction`` and
nothing else; each step lives in its own module. Sentiment, entities and
history context plug in here as further components of the same model directory.
"""

from __future__ import annotations

import gc
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .config import load_config, make_config
from .cues import CueDetector
from .errors import DataError, InputError, ModelError
from .features import SparseFeaturizer
from .history import parse_reference_time, validate_history
from .intent_classifier import IntentResult, LinearIntentClassifier
from .persistence import load_model_dir, save_model_dir
from .prediction import IntentScore, Prediction
from .preprocessing import PREPROCESSING_VERSION, preprocess
from .schema import OUT_OF_SCOPE, Dataset, Example
from .sentiment import SentimentClassifier

Progress = Callable[[str], None]

_gc_lock = threading.Lock()
_gc_pausers = 0


@contextmanager
def _cyclic_gc_paused():
    """Pause the cyclic garbage collector during a batch (thread-safe, nestable).

    Why: a batch allocates many small objects, which triggers full collections that
    walk every live object of the process (models, vocabularies, the caller's data):
    a third of the batch time. Predictions hold no reference cycles, so reference
    counting still frees everything; the collector resumes when the last batch ends.
    """
    global _gc_pausers
    with _gc_lock:
        if _gc_pausers == 0 and not gc.isenabled():
            paused = False
        else:
            paused = True
            _gc_pausers += 1
            gc.disable()
    try:
        yield
    finally:
        if paused:
            with _gc_lock:
                _gc_pausers -= 1
                if _gc_pausers == 0:
                    gc.enable()


def data_fingerprint(examples: Sequence[Example]) -> str:
    """SHA-256 of the training examples' content, independent of file order and location."""
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
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()


def training_examples(dataset: Dataset) -> tuple[list[Example], list[Example]]:
    """The examples each model learns from: (with an intent, with a sentiment)."""
    return dataset.intent_examples(), [ex for ex in dataset.examples if ex.sentiment is not None]


def default_model_path() -> Path:
    """The bundled default model: inside the installed wheel, or ``models/default`` of a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "models" / "default", here.parents[1] / "models" / "default"):
        if (candidate / "manifest.json").is_file():
            return candidate
    raise ModelError("the bundled default model is missing; run `make default-model` to build it.", "E201")


def _as_dataset(data, strict: bool) -> Dataset:
    if isinstance(data, Dataset):
        return data
    if isinstance(data, str | Path):
        data = [data]
    if isinstance(data, Iterable):
        items = list(data)
        if items and all(isinstance(item, Example) for item in items):
            return Dataset(examples=items)
        if items and all(isinstance(item, str | Path) for item in items):
            from .dataset import load_many

            return load_many(items, strict=strict)
    raise DataError(
        "training data must be a path, a list of paths, a Dataset or a list of Example objects.", code="E109"
    )


class Classifier:
    """Understands a customer message in the light of the conversation so far.

    A model has any of: an intent classifier, a sentiment classifier, a cue
    detector. Each is trained from the examples that carry its label, so intents
    and sentiment may come from different files.
    """

    def __init__(
        self,
        featurizer: SparseFeaturizer,
        intent_classifier: LinearIntentClassifier | None,
        sentiment_classifier: SentimentClassifier | None,
        cue_detector: CueDetector | None,
        config: dict,
        manifest: dict,
    ) -> None:
        self.featurizer = featurizer
        self.intent_classifier = intent_classifier
        self.sentiment_classifier = sentiment_classifier
        self.cue_detector = cue_detector
        self.config = config
        self.manifest = manifest

    # -- training and persistence ---------------------------------------------------------------
    @classmethod
    def train(
        cls,
        data,
        config: dict | str | Path | None = None,
        *,
        strict: bool = False,
        progress: Progress | None = None,
    ) -> Classifier:
        """Train on ``data`` (paths, a ``Dataset`` or ``Example``s) with ``config`` over the defaults."""
        say = progress or (lambda message: None)
        config = load_config(config) if isinstance(config, str | Path) else make_config(config)
        dataset = _as_dataset(data, strict)
        intent_examples, sentiment_examples = training_examples(dataset)
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
        featurizer = SparseFeaturizer(**config["features"]).fit(unique_docs)
        intent_classifier = sentiment_classifier = None
        if intent_examples:
            say(f"intent: training on {len(intent_examples)} examples")
            intent_classifier = LinearIntentClassifier(**config["intent"]).fit(
                featurizer.transform(intent_docs), [ex.intent for ex in intent_examples], progress=say
            )
            metrics["intent_cross_validation"] = intent_classifier.cv_metrics_
        if sentiment_examples:
            say(f"sentiment: training on {len(sentiment_examples)} examples")
            sentiment_classifier = SentimentClassifier(**config["sentiment"]).fit(
                featurizer.transform(sentiment_docs),
                sentiment_docs,
                [ex.sentiment for ex in sentiment_examples],
                progress=say,
            )
            metrics["sentiment_cross_validation"] = sentiment_classifier.cv_metrics_
        cue_detector = None
        if config["cues"]["enabled"]:
            cue_detector = CueDetector(config["cues"]["patterns"] or None)
            cue_detector.detect("")  # load the patterns now: a bad patterns file fails training, not serving
        metrics["train_seconds"] = round(time.perf_counter() - started, 3)
        manifest = {
            "library": "empathy-nlu",
            "library_version": __version__,
            "preprocessing_version": PREPROCESSING_VERSION,
            "labels": intent_classifier.labels_ if intent_classifier else [],
            "sentiment_labels": sentiment_classifier.labels_ if sentiment_classifier else [],
            "config": config,
            "training_data": {
                "sha256": data_fingerprint(intent_examples + sentiment_examples),
                "n_examples": len(intent_examples),
                "n_sentiment_examples": len(sentiment_examples),
                "sources": [str(s) for s in dataset.sources],
            },
            "metrics": metrics,
        }
        say(f"trained in {metrics['train_seconds']:.1f}s")
        return cls(featurizer, intent_classifier, sentiment_classifier, cue_detector, config, manifest)

    def _components(self) -> dict:
        parts = {
            "features": self.featurizer,
            "intent_classifier": self.intent_classifier,
            "sentiment": self.sentiment_classifier,
            "cues": self.cue_detector,
        }
        return {name: part for name, part in parts.items() if part is not None}

    def save(self, path: str | Path) -> Path:
        """Write the model directory atomically; returns its path."""
        components = {name: part.to_state() for name, part in self._components().items()}
        return save_model_dir(path, self.manifest, components)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Classifier:
        """Load a model directory (the bundled default when ``path`` is None); never unpickles."""
        manifest, components = load_model_dir(path if path is not None else default_model_path())
        if manifest.get("library") != "empathy-nlu":
            raise ModelError(f"{path} is not an empathy-nlu model.", "E202")
        if manifest.get("preprocessing_version") != PREPROCESSING_VERSION:
            raise ModelError(
                f"{path} was trained with preprocessing version {manifest.get('preprocessing_version')}, "
                f"this library uses {PREPROCESSING_VERSION}; retrain the model.",
                "E203",
            )
        if "features" not in components or not {"intent_classifier", "sentiment"} & set(components):
            raise ModelError(f"{path} lacks its featurizer or any model; it is incomplete.", "E205")
        try:
            config = make_config(manifest.get("config"))
        except Exception as exc:
            raise ModelError(f"{path} has an invalid config in its manifest: {exc}", "E202") from exc
        loaders = {
            "intent_classifier": LinearIntentClassifier,
            "sentiment": SentimentClassifier,
            "cues": CueDetector,
        }
        parts = {
            name: loader.from_state(*components[name]) if name in components else None
            for name, loader in loaders.items()
        }
        featurizer = SparseFeaturizer.from_state(*components["features"])
        for name in ("intent_classifier", "sentiment"):
            if parts[name] is not None:
                parts[name].check_features(featurizer.n_features_)
        return cls(
            featurizer, parts["intent_classifier"], parts["sentiment"], parts["cues"], config, manifest
        )

    @property
    def labels(self) -> list[str]:
        return list(self.intent_classifier.labels_) if self.intent_classifier else []

    # -- prediction -----------------------------------------------------------------------------
    def _check_utterance(self, utterance) -> str:
        if isinstance(utterance, bytes | bytearray):
            raise InputError(
                "utterance must be str, got bytes; decode it first, e.g. data.decode('utf-8').", "E301"
            )
        if not isinstance(utterance, str):
            raise InputError(f"utterance must be str, got {type(utterance).__name__}.", "E301")
        return utterance

    def _intent_fields(self, result: IntentResult | None) -> tuple:
        """(intent, ranking, out_of_scope, reason) for the Prediction."""
        if self.intent_classifier is None:
            return None, [], None, None
        if result is None:  # nothing to understand: empty or whitespace-only
            return IntentScore(OUT_OF_SCOPE, 1.0), [], True, "empty"
        ranking = [IntentScore(name, p) for name, p in result.ranking]
        if not result.out_of_scope:
            return ranking[0], ranking, False, None
        in_scope_top = next((p for name, p in result.ranking if name != OUT_OF_SCOPE), 0.0)
        oos_confidence = ranking[0].confidence if result.reason == "trained_class" else 1.0 - in_scope_top
        return IntentScore(OUT_OF_SCOPE, oos_confidence), ranking, True, result.reason

    def _prediction(self, text: str, result: IntentResult | None, sentiment: dict | None) -> Prediction:
        intent, ranking, out_of_scope, reason = self._intent_fields(result)
        cues = (
            self.cue_detector.detect(text[: self.config["predict"]["max_chars"]]) if self.cue_detector else {}
        )
        return Prediction(text, intent, ranking, out_of_scope, reason, sentiment, cues)

    def predict(self, utterance: str, history=None, *, reference_time=None) -> Prediction:
        """Understand ``utterance``; ``history`` is the earlier turns, oldest first.

        ``reference_time`` (datetime, ISO 8601 or epoch seconds; default now) resolves relative
        dates such as "tomorrow": pass the current turn's timestamp when there is one.
        """
        text = self._check_utterance(utterance)
        validate_history(history, self.config["predict"]["max_history_turns"])
        parse_reference_time(reference_time)
        doc = preprocess(text[: self.config["predict"]["max_chars"]])
        result = sentiment = None
        if doc.tokens:
            idx, vals = self.featurizer.transform_one(doc)
            if self.intent_classifier is not None:
                known = self.featurizer.knows_any_word(doc)
                result = self.intent_classifier.predict_one(idx, vals, known)
            if self.sentiment_classifier is not None:
                sentiment = self.sentiment_classifier.predict_one(idx, vals, doc)
        return self._prediction(text, result, sentiment)

    def predict_batch(self, utterances: Sequence[str], histories: Sequence | None = None) -> list[Prediction]:
        """Vectorized ``predict`` over many utterances (``histories`` aligned with them, or None)."""
        if isinstance(utterances, str | bytes) or not isinstance(utterances, Sequence):
            raise InputError("utterances must be a list of str.", "E302")
        if histories is not None and len(histories) != len(utterances):
            raise InputError(
                f"histories has {len(histories)} items for {len(utterances)} utterances; they must align.",
                "E302",
            )
        texts = [self._check_utterance(u) for u in utterances]
        max_turns = self.config["predict"]["max_history_turns"]
        for history in histories or ():
            validate_history(history, max_turns)
        with _cyclic_gc_paused():
            max_chars = self.config["predict"]["max_chars"]
            docs = [preprocess(t[:max_chars]) for t in texts]
            present = [i for i, d in enumerate(docs) if d.tokens]
            results: list = [None] * len(docs)
            sentiments: list = [None] * len(docs)
            present_docs = [docs[i] for i in present]
            X = self.featurizer.transform(present_docs)
            if self.intent_classifier is not None:
                known = [self.featurizer.knows_any_word(doc) for doc in present_docs]
                for i, result in zip(present, self.intent_classifier.predict(X, known), strict=True):
                    results[i] = result
            if self.sentiment_classifier is not None:
                for i, result in zip(
                    present, self.sentiment_classifier.predict(X, present_docs), strict=True
                ):
                    sentiments[i] = result
            return [self._prediction(t, r, s) for t, r, s in zip(texts, results, sentiments, strict=True)]
