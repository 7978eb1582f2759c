"""The one public entry point: ``Classifier.train / load / save / predict / predict_batch``.

It owns the flow preprocessing -> features -> models -> ``Prediction`` and
nothing else; each step lives in its own module. Sentiment, entities and
history context plug in here as further components of the same model directory.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from . import __version__
from .config import load_config, make_config
from .errors import DataError, InputError, ModelError
from .history import validate_history
from .intent_classifier import IntentResult, LinearIntentClassifier
from .persistence import load_model_dir, save_model_dir
from .prediction import IntentScore, Prediction
from .preprocessing import PREPROCESSING_VERSION, preprocess
from .schema import OUT_OF_SCOPE, Dataset, Example

Progress = Callable[[str], None]


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
    """Understands a customer message in the light of the conversation so far."""

    def __init__(self, intent_classifier: LinearIntentClassifier, config: dict, manifest: dict) -> None:
        self.intent_classifier = intent_classifier
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
        examples = dataset.intent_examples()
        if not examples:
            raise DataError("the training data has no examples with an intent.", code="E110")
        started = time.perf_counter()
        say(f"preprocessing {len(examples)} examples")
        docs = [preprocess(ex.text) for ex in examples]
        intent_classifier = LinearIntentClassifier(**config["intent"]).fit(
            docs, [ex.intent for ex in examples], progress=say
        )
        manifest = {
            "library": "empathy-nlu",
            "library_version": __version__,
            "preprocessing_version": PREPROCESSING_VERSION,
            "labels": intent_classifier.labels_,
            "config": config,
            "training_data": {
                "sha256": data_fingerprint(examples),
                "n_examples": len(examples),
                "sources": [str(s) for s in dataset.sources],
            },
            "metrics": {
                "intent_cross_validation": intent_classifier.cv_metrics_,
                "train_seconds": round(time.perf_counter() - started, 3),
            },
        }
        say(f"trained in {manifest['metrics']['train_seconds']:.1f}s")
        return cls(intent_classifier, config, manifest)

    def save(self, path: str | Path) -> Path:
        """Write the model directory atomically; returns its path."""
        components = {"intent_classifier": self.intent_classifier.to_state()}
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
        if "intent_classifier" not in components:
            raise ModelError(f"{path} has no intent classifier; the model is incomplete.", "E205")
        try:
            config = make_config(manifest.get("config"))
        except Exception as exc:
            raise ModelError(f"{path} has an invalid config in its manifest: {exc}", "E202") from exc
        intent_classifier = LinearIntentClassifier.from_state(*components["intent_classifier"])
        return cls(intent_classifier, config, manifest)

    @property
    def labels(self) -> list[str]:
        return list(self.intent_classifier.labels_)

    # -- prediction -----------------------------------------------------------------------------
    def _check_utterance(self, utterance) -> str:
        if isinstance(utterance, bytes | bytearray):
            raise InputError(
                "utterance must be str, got bytes; decode it first, e.g. data.decode('utf-8').", "E301"
            )
        if not isinstance(utterance, str):
            raise InputError(f"utterance must be str, got {type(utterance).__name__}.", "E301")
        return utterance

    def _prediction(self, text: str, result: IntentResult | None) -> Prediction:
        if result is None:  # nothing to understand: empty or whitespace-only
            return Prediction(text, IntentScore(OUT_OF_SCOPE, 1.0), [], True, "empty")
        ranking = [IntentScore(name, p) for name, p in result.ranking]
        if result.out_of_scope:
            in_scope_top = next((p for name, p in result.ranking if name != OUT_OF_SCOPE), 0.0)
            oos_confidence = ranking[0].confidence if result.reason == "trained_class" else 1.0 - in_scope_top
            intent = IntentScore(OUT_OF_SCOPE, oos_confidence)
        else:
            intent = ranking[0]
        return Prediction(text, intent, ranking, result.out_of_scope, result.reason)

    def predict(self, utterance: str, history=None) -> Prediction:
        """Understand ``utterance``; ``history`` is the earlier turns, oldest first."""
        text = self._check_utterance(utterance)
        validate_history(history, self.config["predict"]["max_history_turns"])
        doc = preprocess(text[: self.config["predict"]["max_chars"]])
        result = self.intent_classifier.predict_one(doc) if doc.tokens else None
        return self._prediction(text, result)

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
        max_chars = self.config["predict"]["max_chars"]
        docs = [preprocess(t[:max_chars]) for t in texts]
        present = [i for i, d in enumerate(docs) if d.tokens]
        results: list[IntentResult | None] = [None] * len(docs)
        for i, result in zip(
            present, self.intent_classifier.predict([docs[i] for i in present]), strict=True
        ):
            results[i] = result
        return [self._prediction(t, r) for t, r in zip(texts, results, strict=True)]
