"""The one public entry point: ``Classifier.train / load / save / predict / predict_batch``.

``predict`` is ``predict_batch`` of one: both validate their arguments into
``Request``s and hand them to the one ``Pipeline`` (``pipeline/pipeline.py``),
which understands every turn in one batch, reads the history with pure functions
and decides the intent in one place.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from . import __version__
from .errors import DataError, InputError, ModelError
from .history import parse_reference_time, replace_surrogates, validate_history
from .pipeline.pipeline import Pipeline, Request
from .prediction import Prediction
from .preprocessing import PREPROCESSING_VERSION
from .schema import Dataset, Example

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


def _check_utterance(utterance) -> str:
    """The utterance as a plain str; lone surrogates become U+FFFD (docs/input_rules.md)."""
    if isinstance(utterance, bytes | bytearray):
        raise InputError(
            "utterance must be str, got bytes; decode it first, e.g. data.decode('utf-8').", "E301"
        )
    if not isinstance(utterance, str):
        raise InputError(f"utterance must be str, got {type(utterance).__name__}.", "E301")
    if type(utterance) is not str:  # a str subclass: its plain text, not its overridden methods
        utterance = str.__str__(utterance)
    return replace_surrogates(utterance)


def _aligned(values, n: int, name: str) -> list:
    """A per-utterance argument of ``predict_batch``: None (all None) or a list of ``n`` items."""
    if values is None:
        return [None] * n
    if isinstance(values, str | bytes | bytearray) or not isinstance(values, Sequence):
        raise InputError(f"{name} must be a list aligned with utterances, or None.", "E302")
    if len(values) != n:
        raise InputError(f"{name} has {len(values)} items for {n} utterances; they must align.", "E302")
    return list(values)


class Classifier:
    """Understands a customer message in the light of the conversation so far.

    A model is a set of components (``pipeline/registry.py``), each trained from the
    examples that carry its label: the shared featurizer, an intent (or multi-intent)
    classifier, sentiment, cues, builtin and learned entities, a history-aware intent model.
    """

    def __init__(self, components: dict, config: dict, manifest: dict) -> None:
        from .config import make_params

        self.manifest = manifest
        self.config = config
        self.pipeline = Pipeline(components, make_params(config))

    @property
    def components(self) -> dict:
        return self.pipeline.components

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
        from .config import load_config, make_config, make_params
        from .training import train_components

        say = progress or (lambda message: None)
        config = load_config(config) if isinstance(config, str | Path) else make_config(config)
        dataset = _as_dataset(data, strict)
        components, metrics = train_components(dataset, make_params(config), say)
        intent = components.get("intent") or components.get("multi_intent")
        sentiment = components.get("sentiment")
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
        from .persistence import save_model_dir

        return save_model_dir(path, self.manifest, {n: c.to_state() for n, c in self.components.items()})

    @classmethod
    def load(cls, path: str | Path | None = None) -> Classifier:
        """Load a model directory (the bundled default when ``path`` is None); never unpickles."""
        from .persistence import load_components

        path = path if path is not None else default_model_path()
        manifest, config, components = load_components(path)
        return cls(components, config, manifest)

    @property
    def labels(self) -> list[str]:
        intent = self.components.get("intent") or self.components.get("multi_intent")
        return intent.labels_ if intent else []

    # -- prediction -----------------------------------------------------------------------------
    def predict(
        self, utterance: str, history=None, *, reference_time=None, channel: str | None = None
    ) -> Prediction:
        """Understand ``utterance`` in the light of ``history`` (the earlier turns, oldest first).

        ``reference_time`` (datetime, ISO 8601 or epoch seconds; default now) resolves relative
        dates such as "tomorrow": pass the current turn's timestamp when there is one.
        ``channel`` names where the utterance came from (chat, email, voice, ...).
        Exactly ``predict_batch([utterance], [history], ...)[0]``.
        """
        return self.predict_batch(
            [utterance], [history], reference_times=[reference_time], channels=[channel]
        )[0]

    def predict_batch(
        self,
        utterances: Sequence[str],
        histories: Sequence | None = None,
        *,
        reference_times: Sequence | None = None,
        channels: Sequence[str | None] | None = None,
    ) -> list[Prediction]:
        """``predict`` over many utterances; each argument is None or a list aligned with ``utterances``."""
        if isinstance(utterances, str | bytes) or not isinstance(utterances, Sequence):
            raise InputError("utterances must be a list of str.", "E302")
        n = len(utterances)
        requests = [
            self._request(text, history, reference, channel)
            for text, history, reference, channel in zip(
                utterances,
                _aligned(histories, n, "histories"),
                _aligned(reference_times, n, "reference_times"),
                _aligned(channels, n, "channels"),
                strict=True,
            )
        ]
        with _cyclic_gc_paused():
            return self.pipeline.run(requests)

    def _request(self, utterance, history, reference_time, channel) -> Request:
        """One call's arguments checked by the rules of docs/input_rules.md."""
        text = _check_utterance(utterance)
        if channel is not None and not isinstance(channel, str):
            raise InputError(f"channel must be a str or None, got {type(channel).__name__}.", "E314")
        reference = parse_reference_time(reference_time) or datetime.now().astimezone()
        # naive history timestamps are read in the reference time's zone: one clock for the call
        turns = validate_history(history, self.pipeline.config["predict"].max_history_turns, reference.tzinfo)
        return Request(text, turns, reference, channel if channel is None else replace_surrogates(channel))
