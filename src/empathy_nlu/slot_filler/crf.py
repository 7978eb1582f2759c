"""The trainable custom-entity tagger: a linear-chain CRF over BIO labels.

Trained with crfsuite (L-BFGS, elastic net) from ``Example.entities``; the learned state and
transition weights are then copied into numpy arrays, and prediction is our own feature
look-up and Viterbi (``decoding.py``). So a saved model is JSON + ``.npy`` like every other
component, and nothing written by C code is read back at prediction time.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..errors import DataError, ModelError, NotFittedError
from ..schema import EntityResources, Example
from .decoding import CRFDecoder
from .features import FeatureIndex, sequence_features
from .resources import ResourceFeatures, normalize_surface, synonym_map
from .tokens import OUTSIDE, bio_labels, tokenize

EXTRACTOR = "crf"


def _trainer(progress: Callable[[str], None], every: int):
    import pycrfsuite  # training only: prediction never loads crfsuite

    class _Trainer(pycrfsuite.Trainer):
        """Routes crfsuite's iteration log to ``progress`` instead of stdout."""

        def message(self, message: str) -> None:
            event = self.logparser.feed(message)
            if event == "iteration":
                log = self.logparser.last_iteration or {}
                number = log.get("num", 0)
                if number % every == 0:
                    progress(f"entities: iteration {number}, loss {log.get('loss', 0.0):.1f}")

    return _Trainer(verbose=False)


def entity_training_examples(examples: Sequence[Example]) -> list[Example]:
    """The examples to train the tagger on: those from files that annotate at least one entity.

    Why: an example teaches the tagger "no entity here" for every token it leaves unannotated,
    so a file that annotates nothing (an intent-only CSV, BANKING77) would teach that the card
    numbers and cities in it are not entities. Examples without a ``file:line`` source count as
    one file.
    """

    def file_of(example: Example) -> str:
        return example.source.rsplit(":", 1)[0] if ":" in example.source else example.source

    annotated = {file_of(ex) for ex in examples if ex.entities}
    return [ex for ex in examples if file_of(ex) in annotated]


class CRFSlotFiller:
    """Custom entities (``[checking](account)`` in the training data) tagged by a CRF."""

    def __init__(
        self, c1: float = 0.05, c2: float = 0.01, max_iterations: int = 100, prune_probability: float = 1e-4
    ) -> None:
        self.c1 = c1
        self.c2 = c2
        self.max_iterations = max_iterations
        self.prune_probability = prune_probability

    # -- training -------------------------------------------------------------------------------
    def fit(
        self,
        examples: Sequence[Example],
        resources: EntityResources | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> CRFSlotFiller:
        """Learn the entity types annotated in ``examples``; none annotated gives an empty tagger."""
        say = progress or (lambda message: None)
        features = ResourceFeatures.from_resources(resources)
        annotated = [
            (ex.text[span.start : span.end], span.value)
            for ex in examples
            for span in ex.entities
            if span.value is not None
        ]
        synonyms = synonym_map(resources, annotated)
        entity_types = sorted({span.entity for ex in examples for span in ex.entities})
        if not entity_types:
            self._set_weights([OUTSIDE], [], np.zeros((0, 1), np.float32), np.zeros((1, 1), np.float32))
            self.resources_, self.synonyms_, self.entity_types_, self.n_examples_ = (
                features,
                synonyms,
                [],
                len(examples),
            )
            return self
        say(f"entities: training a CRF for {len(entity_types)} types on {len(examples)} examples")
        trainer = _trainer(say, every=max(1, self.max_iterations // 5))
        for ex in examples:
            words, starts, ends = tokenize(ex.text)
            if not words:
                continue
            extra = features.features(ex.text, words, starts, ends) if features else None
            spans = [(span.entity, span.start, span.end) for span in ex.entities]
            trainer.append(sequence_features(words, extra), bio_labels(spans, starts, ends))
        trainer.set_params(
            {
                "c1": self.c1,
                "c2": self.c2,
                "max_iterations": self.max_iterations,
                "feature.possible_transitions": True,
            }
        )
        with tempfile.TemporaryDirectory(prefix="empathy-crf-") as tmp:
            model_file = str(Path(tmp) / "model.crfsuite")
            try:
                trainer.train(model_file)
            except Exception as exc:  # crfsuite reports bad input only as a generic error
                raise DataError(f"the entity tagger could not be trained: {exc}", code="E118") from exc
            self._import_crfsuite(model_file)
        self.resources_, self.synonyms_, self.entity_types_ = features, synonyms, entity_types
        self.n_examples_ = len(examples)
        say(f"entities: {len(self.attributes_)} features kept")
        return self

    def _import_crfsuite(self, model_file: str) -> None:
        """Copy crfsuite's learned weights into arrays (the model file is deleted afterwards)."""
        import pycrfsuite

        tagger = pycrfsuite.Tagger()
        tagger.open(model_file)
        info = tagger.info()
        tagger.close()
        labels = sorted(info.labels, key=info.labels.get)
        if OUTSIDE not in labels:  # every token of every example inside an entity
            labels.append(OUTSIDE)
        label_index = {label: i for i, label in enumerate(labels)}
        attributes = sorted({attribute for attribute, _ in info.state_features})
        attribute_index = {attribute: i for i, attribute in enumerate(attributes)}
        weights = np.zeros((len(attributes), len(labels)), np.float32)
        for (attribute, label), weight in info.state_features.items():
            weights[attribute_index[attribute], label_index[label]] = weight
        transitions = np.zeros((len(labels), len(labels)), np.float32)
        for (before, after), weight in info.transitions.items():
            transitions[label_index[before], label_index[after]] = weight
        self._set_weights(labels, attributes, weights, transitions)

    def _set_weights(
        self, labels: list[str], attributes: list[str], weights: np.ndarray, transitions: np.ndarray
    ) -> None:
        """Install weights; row -1 of ``weights_`` is all zeros so an unknown feature adds nothing."""
        self.labels_ = labels
        self.attributes_ = attributes
        self.weights_ = np.vstack([weights, np.zeros((1, len(labels)), np.float32)])
        self.transitions_ = transitions
        self.index_ = FeatureIndex(attributes)
        bias = self.index_.bias_row
        self.bias_ = self.weights_[bias] if bias is not None else np.zeros(len(labels), np.float32)
        self.decoder_ = CRFDecoder(labels, transitions, self.prune_probability)
        self._label_type = [label[2:] if label != OUTSIDE else None for label in labels]

    # -- prediction -----------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "decoder_"):
            raise NotFittedError("CRFSlotFiller is not fitted: call fit() or load a model.")

    def token_scores(self, text: str) -> tuple[np.ndarray, list[int], list[int]]:
        """State scores ``(n_tokens, n_labels)`` of ``text`` and its token offsets."""
        words, starts, ends = tokenize(text)
        if not words:
            return np.zeros((0, len(self.labels_)), np.float32), starts, ends
        extra = self.resources_.features(text, words, starts, ends) if self.resources_ else None
        flat, offsets = self.index_.token_rows(words, extra)
        scores = np.add.reduceat(self.weights_[flat], offsets, axis=0)
        scores += self.bias_
        return scores, starts, ends

    def predict_one(self, text: str) -> list[dict]:
        """Entities in ``text``: dicts with entity, text, start, end, value, confidence, extractor."""
        self._check_fitted()
        if not self.entity_types_:
            return []
        scores, starts, ends = self.token_scores(text)
        if not starts:
            return []
        path, spans, confidences = self.decoder_.decode(scores)
        out = []
        for (first, stop), confidence in zip(spans, confidences, strict=True):
            start, end = starts[first], ends[stop - 1]
            surface = text[start:end]
            out.append(
                {
                    "entity": self._label_type[path[first]],
                    "text": surface,
                    "start": start,
                    "end": end,
                    "value": self.synonyms_.get(normalize_surface(surface), surface),
                    "confidence": round(confidence, 4),
                    "extractor": EXTRACTOR,
                }
            )
        return out

    def predict(self, texts: Sequence[str]) -> list[list[dict]]:
        return [self.predict_one(text) for text in texts]

    # -- persistence ----------------------------------------------------------------------------
    def get_params(self) -> dict:
        return {
            "c1": self.c1,
            "c2": self.c2,
            "max_iterations": self.max_iterations,
            "prune_probability": self.prune_probability,
        }

    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        self._check_fitted()
        weights = self.weights_[:-1]
        rows, cols = np.nonzero(weights)
        state = {
            "params": self.get_params(),
            "entity_types": self.entity_types_,
            "labels": self.labels_,
            "attributes": self.attributes_,
            "synonyms": self.synonyms_,
            "resources": self.resources_.to_state(),
            "n_examples": self.n_examples_,
        }
        arrays = {
            "state_rows": rows.astype(np.int32),
            "state_labels": cols.astype(np.int32),
            "state_weights": weights[rows, cols].astype(np.float32),
            "transitions": self.transitions_.astype(np.float32),
        }
        return state, arrays

    @classmethod
    def from_state(cls, state: dict, arrays: dict[str, np.ndarray]) -> CRFSlotFiller:
        try:
            model = cls(**state["params"])
            labels = [str(label) for label in state["labels"]]
            attributes = [str(attribute) for attribute in state["attributes"]]
            rows, cols = arrays["state_rows"], arrays["state_labels"]
            values, transitions = arrays["state_weights"], arrays["transitions"]
            if not (rows.shape == cols.shape == values.shape and rows.ndim == 1):
                raise ValueError("state feature arrays differ in shape")
            if transitions.shape != (len(labels), len(labels)) or OUTSIDE not in labels:
                raise ValueError("transitions do not match the labels")
            if rows.size and not (rows.min() >= 0 and rows.max() < len(attributes)):
                raise ValueError("state feature row out of range")
            if cols.size and not (cols.min() >= 0 and cols.max() < len(labels)):
                raise ValueError("state feature label out of range")
            weights = np.zeros((len(attributes), len(labels)), np.float32)
            weights[rows, cols] = values
            model.entity_types_ = [str(t) for t in state["entity_types"]]
            model.synonyms_ = {str(k): str(v) for k, v in state["synonyms"].items()}
            model.resources_ = ResourceFeatures.from_state(state["resources"])
            model.n_examples_ = int(state["n_examples"])
            model._set_weights(labels, attributes, weights, transitions.astype(np.float32))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise ModelError(
                f"entity tagger state is incomplete or inconsistent ({exc!r}); retrain.", "E207"
            ) from exc
        except re.error as exc:
            raise ModelError(f"entity tagger state has an invalid regex ({exc}); retrain.", "E208") from exc
        return model
