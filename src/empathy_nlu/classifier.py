"""The one public entry point: ``Classifier.train / load / save / predict / predict_batch``.

It owns the flow preprocessing -> features -> models -> ``Prediction`` and
nothing else; each step lives in its own module. Sentiment, entities and
history context plug in here as further components of the same model directory.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from . import __version__
from .config import load_config, make_config
from .context import ContextualIntentClassifier
from .context.reader import HistoryReader, Understood, current_facts
from .cues import CueDetector
from .embeddings import FeaturizerLoader
from .entity_parser import BuiltinEntityParser, mask_card_numbers, resolve_overlaps
from .errors import DataError, InputError, ModelError
from .features import SparseFeaturizer
from .history import parse_reference_time, validate_history
from .intent_classifier import IntentResult, LinearIntentClassifier
from .intent_classifier.multi_label import IntentClassifierLoader, predicted_intents
from .persistence import load_model_dir, save_model_dir
from .prediction import IntentScore, Prediction
from .preprocessing import PREPROCESSING_VERSION, preprocess
from .schema import OUT_OF_SCOPE, Dataset, Example
from .sentiment import SentimentClassifier
from .slot_filler import CRFSlotFiller
from .training import data_fingerprint, train_components, training_examples  # noqa: F401 (public)

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

    A model is a set of components, each trained from the examples that carry
    its label (so intents and sentiment may come from different files): the
    shared featurizer, an intent classifier, a sentiment classifier, a cue
    detector, entity extractors and a history-aware intent model.
    """

    def __init__(self, components: dict, config: dict, manifest: dict) -> None:
        self.components = components
        self.config = config
        self.manifest = manifest
        self.featurizer: SparseFeaturizer = components["features"]
        self.intent_classifier: LinearIntentClassifier | None = components.get("intent_classifier")
        self.sentiment_classifier: SentimentClassifier | None = components.get("sentiment")
        self.cue_detector: CueDetector | None = components.get("cues")
        self.entity_parser: BuiltinEntityParser | None = components.get("entities")
        self.slot_filler: CRFSlotFiller | None = components.get("slot_filler")
        self.context_intent: ContextualIntentClassifier | None = components.get("context_intent")
        self.history_reader = HistoryReader(
            self._understand_earlier, self._entities, self.context_intent, config["context"]
        )

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
        components, metrics = train_components(dataset, config, say)
        intent, sentiment = components.get("intent_classifier"), components.get("sentiment")
        manifest = {
            "library": "empathy-nlu",
            "library_version": __version__,
            "preprocessing_version": PREPROCESSING_VERSION,
            "labels": intent.labels_ if intent else [],
            "sentiment_labels": sentiment.labels_ if sentiment else [],
            "config": config,
            "training_data": {
                "sha256": metrics.pop("fingerprint"),
                "n_examples": metrics.pop("n_intent_examples"),
                "n_sentiment_examples": metrics.pop("n_sentiment_examples"),
                "n_dialogues": len(dataset.dialogues),
                "sources": [str(s) for s in dataset.sources],
            },
            "metrics": metrics,
        }
        say(f"trained in {metrics['train_seconds']:.1f}s")
        return cls(components, config, manifest)

    def save(self, path: str | Path) -> Path:
        """Write the model directory atomically; returns its path."""
        return save_model_dir(path, self.manifest, {n: c.to_state() for n, c in self.components.items()})

    @classmethod
    def load(cls, path: str | Path | None = None) -> Classifier:
        """Load a model directory (the bundled default when ``path`` is None); never unpickles."""
        manifest, states = load_model_dir(path if path is not None else default_model_path())
        if manifest.get("library") != "empathy-nlu":
            raise ModelError(f"{path} is not an empathy-nlu model.", "E202")
        if manifest.get("preprocessing_version") != PREPROCESSING_VERSION:
            raise ModelError(
                f"{path} was trained with preprocessing version {manifest.get('preprocessing_version')}, "
                f"this library uses {PREPROCESSING_VERSION}; retrain the model.",
                "E203",
            )
        if "features" not in states or not {"intent_classifier", "sentiment"} & set(states):
            raise ModelError(f"{path} lacks its featurizer or any model; it is incomplete.", "E205")
        unknown = sorted(set(states) - set(LOADERS))
        if unknown:
            raise ModelError(f"{path} has components {unknown} this library version does not know.", "E205")
        try:
            config = make_config(manifest.get("config"))
        except Exception as exc:
            raise ModelError(f"{path} has an invalid config in its manifest: {exc}", "E202") from exc
        components = {name: LOADERS[name].from_state(*state) for name, state in states.items()}
        n_features = components["features"].n_features_
        for part in components.values():
            if hasattr(part, "check_features"):
                part.check_features(n_features)
        return cls(components, config, manifest)

    @property
    def labels(self) -> list[str]:
        return list(self.intent_classifier.labels_) if self.intent_classifier else []

    # -- understanding one utterance ------------------------------------------------------------
    def _check_utterance(self, utterance) -> str:
        if isinstance(utterance, bytes | bytearray):
            raise InputError(
                "utterance must be str, got bytes; decode it first, e.g. data.decode('utf-8').", "E301"
            )
        if not isinstance(utterance, str):
            raise InputError(f"utterance must be str, got {type(utterance).__name__}.", "E301")
        return utterance

    def _entities(self, text: str, reference: datetime | None) -> list[dict]:
        """Builtin and learned entities, overlaps resolved by the documented rules."""
        builtin = self.entity_parser.parse(text, reference) if self.entity_parser is not None else []
        learned = self.slot_filler.predict_one(text) if self.slot_filler is not None else []
        return resolve_overlaps(builtin, learned) if learned else builtin

    def _understand(self, text: str, reference: datetime | None, with_cues: bool = True) -> Understood:
        """Everything one utterance says on its own: intent, sentiment, cues, entities."""
        text = text[: self.config["predict"]["max_chars"]]
        doc = preprocess(text)
        features = intent = sentiment = None
        known = False
        if doc.tokens:
            features = self.featurizer.transform_one(doc)
            known = self.featurizer.knows_any_word(doc)
            if self.intent_classifier is not None:
                intent = self.intent_classifier.predict_one(*features, known)
            if self.sentiment_classifier is not None:
                sentiment = self.sentiment_classifier.predict_one(*features, doc)
        cues = self.cue_detector.detect(text) if self.cue_detector and with_cues else {}
        return Understood(doc, features, known, intent, sentiment, cues, self._entities(text, reference))

    def _understand_earlier(self, text: str, when: datetime | None) -> Understood:
        """An earlier turn: the context uses its intent, sentiment and entities, not its cues."""
        return self._understand(text, when, with_cues=False)

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

    def _prediction(
        self, text: str, understood: Understood, result: IntentResult | None, context: dict
    ) -> Prediction:
        intent, ranking, out_of_scope, reason = self._intent_fields(result)
        return Prediction(
            mask_card_numbers(text),  # the raw card number never leaves predict
            intent,
            ranking,
            out_of_scope,
            reason,
            understood.sentiment,
            understood.cues,
            understood.entities,
            context,
            [IntentScore(name, p) for name, p in predicted_intents(result)] if intent is not None else [],
        )

    # -- prediction -----------------------------------------------------------------------------
    def predict(
        self, utterance: str, history=None, *, reference_time=None, channel: str | None = None
    ) -> Prediction:
        """Understand ``utterance`` in the light of ``history`` (the earlier turns, oldest first).

        ``reference_time`` (datetime, ISO 8601 or epoch seconds; default now) resolves relative
        dates such as "tomorrow": pass the current turn's timestamp when there is one.
        ``channel`` names where the utterance came from (chat, email, voice, ...).
        """
        text = self._check_utterance(utterance)
        turns = validate_history(history, self.config["predict"]["max_history_turns"])
        if channel is not None and not isinstance(channel, str):
            raise InputError(f"channel must be a str or None, got {type(channel).__name__}.", "E314")
        reference = parse_reference_time(reference_time)
        understood = self._understand(text, reference)
        if not self.config["context"]["enabled"]:
            return self._prediction(text, understood, understood.intent, {})
        reader = self.history_reader
        reader.remember(text, reference, understood)
        window = reader.window(turns, reference)
        result, source = reader.intent(understood, text, window)
        when = reference or datetime.now().astimezone()
        facts = current_facts(understood, result if self.intent_classifier else None, text, channel, when)
        return self._prediction(text, understood, result, reader.describe(facts, window, source))

    def predict_batch(self, utterances: Sequence[str], histories: Sequence | None = None) -> list[Prediction]:
        """Vectorized ``predict`` over many utterances (``histories`` aligned with them, or None).

        Utterances with a non-empty history go through ``predict`` one by one.
        """
        if isinstance(utterances, str | bytes) or not isinstance(utterances, Sequence):
            raise InputError("utterances must be a list of str.", "E302")
        if histories is not None and len(histories) != len(utterances):
            raise InputError(
                f"histories has {len(histories)} items for {len(utterances)} utterances; they must align.",
                "E302",
            )
        texts = [self._check_utterance(u) for u in utterances]
        max_turns = self.config["predict"]["max_history_turns"]
        with_history = [bool(validate_history(h, max_turns)) for h in histories or ()] or [False] * len(texts)
        with _cyclic_gc_paused():
            out: list = [None] * len(texts)
            plain = [i for i, h in enumerate(with_history) if not h]
            for i in (i for i, h in enumerate(with_history) if h):
                out[i] = self.predict(texts[i], histories[i])
            for i, prediction in zip(plain, self._predict_plain([texts[i] for i in plain]), strict=True):
                out[i] = prediction
            return out

    def _predict_plain(self, texts: list[str]) -> list[Prediction]:
        """The batch path without history: one matrix product per model."""
        max_chars = self.config["predict"]["max_chars"]
        cut = [t[:max_chars] for t in texts]
        docs = [preprocess(t) for t in cut]
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
            for i, result in zip(present, self.sentiment_classifier.predict(X, present_docs), strict=True):
                sentiments[i] = result
        predictions = []
        now = datetime.now().astimezone()
        context_on = self.config["context"]["enabled"]
        for text, short, doc, result, sentiment in zip(texts, cut, docs, results, sentiments, strict=True):
            cues = self.cue_detector.detect(short) if self.cue_detector else {}
            understood = Understood(doc, None, False, result, sentiment, cues, self._entities(short, now))
            context = {}
            if context_on:
                facts = current_facts(understood, result if self.intent_classifier else None, text, None, now)
                context = self.history_reader.describe(facts, (), "utterance")
            predictions.append(self._prediction(text, understood, result, context))
        return predictions


LOADERS = {
    "features": FeaturizerLoader,  # sparse, or sparse + sentence embeddings (the accurate tier)
    "intent_classifier": IntentClassifierLoader,  # single-intent or multi-intent
    "sentiment": SentimentClassifier,
    "cues": CueDetector,
    "entities": BuiltinEntityParser,
    "slot_filler": CRFSlotFiller,
    "context_intent": ContextualIntentClassifier,
}
