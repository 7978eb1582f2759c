"""The accurate tier's features: the sparse n-grams plus a sentence-embedding block after them.

Why one wide row instead of a second model: every model downstream (intent, multi-intent,
sentiment) already learns a linear function of the shared row, so appending the scaled
embedding columns gives each of them dense and sparse evidence at once, with one weight
vector, one calibration and the same gather-and-sum at prediction. Measured against
averaging the probabilities of a sparse and a dense model: see docs/accurate_tier.md.

With a multilingual encoder (the multilingual tier), a text in a script the training texts never
used has no n-gram the models know, so its row is the embedding alone: it counts as known, and its
letters' share of unseen scripts moves weight from the n-gram blocks to the embedding
(docs/multilingual_tier.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from ..errors import ModelError, NotFittedError
from ..features import SparseFeaturizer
from ..language.scripts import script_of, scripts_in
from ..preprocessing import ProcessedText
from .encoder import (
    DEFAULT_EMBEDDING_MODEL,
    INSTALL_HINT,
    embeddings_available,
    fine_tunable,
    get_encoder,
    release_encoder,
)
from .finetune import FineTuning, fine_tune_encoder, tensor_arrays, tensors_of
from .multilingual import NUMPY_MODELS

# Encoded at training time and stored; at load the encoder must reproduce it, so a model never
# runs silently on other weights that happen to carry the same name or path.
PROBE_TEXT = "I lost my card and want to block it, can you help?"
PROBE_MIN_COSINE = 0.999
# Multilingual encoders: the embedding of a text wholly in unseen scripts is scaled by this much more
# (its n-gram blocks are empty), so its scores reach the confidence of a training-language text.
# Chosen on ArBanking77 valid with English-only training (docs/multilingual_tier.md).
UNSEEN_SCRIPT_BOOST = 2.0
# Multilingual encoders: the n-gram blocks at half weight, so every model leans more on the embedding,
# the evidence that carries across languages (valid: +1.9 points zero-shot, English CV +0.3).
MULTILINGUAL_SPARSE_SCALE = 0.5


def unseen_share(text: str, seen: frozenset[str]) -> float:
    """The share of ``text``'s letters in scripts no training text used (0.0 at once for ASCII
    text when Latin was seen: the English path costs one ``isascii``)."""
    if text.isascii() and "latin" in seen:
        return 0.0
    if scripts_in(text) <= seen:
        return 0.0
    letters = [ch for ch in text if ch.isalpha()]
    unseen = sum(script_of(ch) not in seen for ch in letters)
    return unseen / len(letters) if letters else 0.0


class HybridFeaturizer:
    """``SparseFeaturizer`` columns, then ``embedding_weight`` x the L2-normalized sentence embedding."""

    def __init__(
        self,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        min_df: int = 1,
        char_weight: float = 1.0,
        embedding_model: str = DEFAULT_EMBEDDING_MODEL,
        embedding_weight: float = 1.0,
        fine_tuning: FineTuning | None = None,
        embedding_precision: str = "float32",
    ) -> None:
        self.word_ngram_range = tuple(word_ngram_range)
        self.char_ngram_range = tuple(char_ngram_range)
        self.min_df = min_df
        self.char_weight = char_weight
        self.embedding_model = embedding_model
        self.embedding_weight = embedding_weight
        self.fine_tuning = fine_tuning  # None or 0 epochs: the frozen encoder
        self.embedding_precision = embedding_precision  # float32, or int8 (8-bit weights, onnx_runtime.py)

    def _sparse_params(self) -> dict:
        return {
            "word_ngram_range": self.word_ngram_range,
            "char_ngram_range": self.char_ngram_range,
            "min_df": self.min_df,
            "char_weight": self.char_weight,
        }

    def fit(
        self,
        docs: Sequence[ProcessedText],
        labelled: tuple[list[str], list[list[str]]] | None = None,
        say=None,
        held: tuple[list[str], list[list[str]]] | None = None,
    ) -> HybridFeaturizer:
        """Fit the n-gram vocabulary; the encoder is pretrained, and fine-tuned on ``labelled`` (texts,
        intent sets) when ``fine_tuning`` asks for epochs and the encoder is a torch one. With ``held``
        (the texts kept out of fine-tuning), the tuned encoder is kept only when it classifies them
        better than the frozen one (``keep_tuned.py``)."""
        say = say or (lambda _message: None)
        self.sparse_ = SparseFeaturizer(**self._sparse_params()).fit(docs)
        self.tensors_, self.fine_tune_metrics_ = None, {}
        tuning = self.fine_tuning
        intents = {x for row in labelled[1] for x in row} if labelled else set()
        if tuning and tuning.epochs and len(intents) > 1 and fine_tunable(self.embedding_model):
            self.tensors_, self.fine_tune_metrics_ = fine_tune_encoder(
                self.embedding_model, *labelled, tuning, say
            )
            if tuning.keep == "if_better" and held and held[0]:
                self._keep_tuned_if_better(docs, labelled, held, say)
        # Training only (never saved): the texts the encoder was tuned on, whose cross-validated
        # scores are over-confident; the intent models calibrate on the others (finetune.held_out).
        self.tuned_texts_ = frozenset(labelled[0]) if self.tensors_ is not None else None
        self.encoder_ = get_encoder(self.embedding_model, self.tensors_, self.embedding_precision)
        self.dimension_ = int(self.encoder_.dimension)
        self.probe_ = self.encoder_.encode([PROBE_TEXT])[0]
        multilingual = bool(getattr(self.encoder_, "multilingual", False))
        self.scripts_ = _seen_scripts(docs) if multilingual else None
        self.sparse_scale_ = MULTILINGUAL_SPARSE_SCALE if multilingual else 1.0
        self.unseen_boost_ = UNSEEN_SCRIPT_BOOST
        return self

    def _keep_tuned_if_better(self, docs, labelled, held, say) -> None:
        """Drop the fine-tuned tensors unless they score higher on the held-out texts than the frozen
        encoder (both read beside the same n-grams); the scores go into the training metrics."""
        from .keep_tuned import compare_encoders

        say(f"features: comparing the fine-tuned and the frozen encoder on {len(held[0])} held-out texts")
        doc_of = {doc.raw: doc for doc in docs}
        encoders = {
            "frozen": get_encoder(self.embedding_model, None, self.embedding_precision).encode,
            "fine_tuned": get_encoder(self.embedding_model, self.tensors_, self.embedding_precision).encode,
        }
        scores = compare_encoders(
            lambda texts: self.sparse_.transform([doc_of[t] for t in texts]),
            encoders,
            self.embedding_weight,
            labelled,
            held,
        )
        kept = scores["fine_tuned"] > scores["frozen"]
        self.fine_tune_metrics_.update(
            {
                "fine_tune_held_out_score": scores,
                "fine_tune_kept": kept,
                "fine_tune_held_out_texts": len(held[0]),
            }
        )
        say(
            f"features: held-out score fine-tuned {scores['fine_tuned']:.4f}, frozen {scores['frozen']:.4f}: "
            f"{'keeping the fine-tuned encoder' if kept else 'keeping the frozen encoder'}"
        )
        if not kept:
            release_encoder(self.embedding_model, self.tensors_, self.embedding_precision)
            self.tensors_ = None

    def _shares(self, docs: Sequence[ProcessedText]) -> np.ndarray | None:
        """Per document, its letters' share in scripts unseen in training (None: not multilingual)."""
        if self.scripts_ is None:
            return None
        return np.array([unseen_share(doc.raw, self.scripts_) for doc in docs], dtype=np.float32)

    def unseen_share_of(self, doc: ProcessedText) -> float:
        """The share of ``doc``'s letters in scripts unseen in training (0.0: not multilingual)."""
        return 0.0 if self.scripts_ is None else unseen_share(doc.raw, self.scripts_)

    def _check_fitted(self) -> None:
        if not hasattr(self, "sparse_"):
            raise NotFittedError("HybridFeaturizer is not fitted: call fit() or load a model first.")

    @property
    def n_features_(self) -> int:
        self._check_fitted()
        return self.sparse_.n_features_ + self.dimension_

    def knows_any_word(self, doc: ProcessedText) -> bool:
        """The sparse vocabulary decides, except that a multilingual encoder reads the letters of
        scripts no training text used (an embedding is never empty, so it cannot tell alone)."""
        if self.sparse_.knows_any_word(doc):
            return True
        return self.scripts_ is not None and unseen_share(doc.raw, self.scripts_) > 0.0

    def embed(self, docs: Sequence[ProcessedText], shares: np.ndarray | None = None) -> np.ndarray:
        """Weighted embeddings of the documents' raw text (the encoder has its own tokenizer)."""
        self._check_fitted()
        vectors = self.encoder_.encode([doc.raw for doc in docs]) * np.float32(self.embedding_weight)
        if shares is not None and shares.any():
            vectors *= (1.0 + shares * np.float32(self.unseen_boost_ - 1.0))[:, None]
        return vectors

    def transform_one(self, doc: ProcessedText) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and values of one document: sparse ones, then every embedding column."""
        idx, vals = self.sparse_.transform_one(doc)
        shares = self._shares([doc])
        dense = self.embed([doc], shares)[0]
        if shares is not None:
            vals = vals * np.float32(self.sparse_scale_ * (1.0 - shares[0]))
        offset = self.sparse_.n_features_
        dense_idx = np.arange(offset, offset + self.dimension_, dtype=np.int32)
        return np.concatenate([idx, dense_idx]), np.concatenate([vals, dense.astype(np.float32)])

    def transform(self, docs: Sequence[ProcessedText]) -> sparse.csr_matrix:
        """Vectorized batch transform; equal to stacking ``transform_one`` rows."""
        self._check_fitted()
        if not len(docs):
            return sparse.csr_matrix((0, self.n_features_), dtype=np.float32)
        shares = self._shares(docs)
        rows = self.sparse_.transform(docs)
        if shares is not None:
            rows = sparse.diags((self.sparse_scale_ * (1.0 - shares)).astype(np.float32)) @ rows
        dense = self.embed(docs, shares)
        return sparse.hstack([rows, sparse.csr_matrix(dense)], format="csr").astype(np.float32)

    # -- persistence ----------------------------------------------------------------------------
    def get_config(self) -> dict:
        return {
            **self.sparse_.get_config(),
            "embedding_model": self.embedding_model,
            "embedding_weight": self.embedding_weight,
        }

    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        self._check_fitted()
        sparse_state, sparse_arrays = self.sparse_.to_state()
        state = {
            "kind": "hybrid",
            "embedding_model": self.embedding_model,
            "embedding_weight": self.embedding_weight,
            "embedding_precision": self.embedding_precision,
            "dimension": self.dimension_,
            "sparse": sparse_state,
        }
        if self.scripts_ is not None:  # multilingual: the scripts whose n-grams the models learned
            state["scripts"] = sorted(self.scripts_)
            state["sparse_scale"] = self.sparse_scale_
            state["unseen_script_boost"] = self.unseen_boost_
        arrays = {**sparse_arrays, "probe": self.probe_.astype(np.float32)}
        if getattr(self, "tensors_", None) is not None:  # fine-tuned: the tensors, as one safetensors file
            shapes = {name: list(array.shape) for name, array in self.tensors_.items()}
            state["fine_tuned"] = {"tensors": shapes, **self.fine_tune_metrics_}
            arrays.update(tensor_arrays(self.tensors_))
        return state, arrays

    @classmethod
    def from_state(cls, state: dict, arrays: dict[str, np.ndarray]) -> HybridFeaturizer:
        """Rebuild; refuses clearly when the extra or the very same encoder weights are missing."""
        try:
            model, dimension = str(state["embedding_model"]), int(state["dimension"])
            precision = str(state.get("embedding_precision", "float32"))  # models before int8: float32
            sparse_featurizer = SparseFeaturizer.from_state(state["sparse"], {"idf": arrays["idf"]})
            probe = np.asarray(arrays["probe"], dtype=np.float32)
            tensors = tensors_of(arrays) if "fine_tuned" in state else None
            scripts = frozenset(map(str, state["scripts"])) if "scripts" in state else None
            sparse_scale = float(state.get("sparse_scale", 1.0))
            boost = float(state.get("unseen_script_boost", UNSEEN_SCRIPT_BOOST))
            if not (0.0 < sparse_scale <= 1.0 and 1.0 <= boost <= 100.0):
                raise ValueError(f"sparse_scale {sparse_scale} or unseen_script_boost {boost} out of range")
            featurizer = cls(
                **{k: tuple(v) if isinstance(v, list) else v for k, v in state["sparse"]["config"].items()},
                embedding_model=model,
                embedding_weight=float(state["embedding_weight"]),
                embedding_precision=precision,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"featurizer state is incomplete ({exc!r}); retrain the model.", "E204") from exc
        if model not in NUMPY_MODELS and not embeddings_available():  # numpy encoders: E211 at load
            raise ModelError(
                f"this model was trained with sentence embeddings ({model!r}), which are not installed "
                f"here; install them with {INSTALL_HINT}, or retrain the model without them.",
                "E210",
            )
        # fine-tuned: E217 unless the tensors fit the base model; int8 where it cannot run: E219
        encoder = get_encoder(model, tensors, precision)
        if int(encoder.dimension) != dimension:
            raise ModelError(
                f"the embedding model {model!r} gives {encoder.dimension} dimensions, the model was trained "
                f"with {dimension}; install the model it was trained with or retrain.",
                "E213",
            )
        cosine = float(encoder.encode([PROBE_TEXT])[0] @ probe)
        if cosine < PROBE_MIN_COSINE:
            raise ModelError(
                f"the embedding model {model!r} installed here is not the one the model was trained with "
                f"(probe similarity {cosine:.4f}); install the same weights or retrain.",
                "E214",
            )
        featurizer.sparse_, featurizer.encoder_ = sparse_featurizer, encoder
        featurizer.dimension_, featurizer.probe_, featurizer.scripts_ = dimension, probe, scripts
        featurizer.sparse_scale_, featurizer.unseen_boost_ = sparse_scale, boost
        featurizer.tensors_, featurizer.fine_tune_metrics_ = tensors, dict(state.get("fine_tuned", {}))
        featurizer.fine_tune_metrics_.pop("tensors", None)
        return featurizer


def _seen_scripts(docs: Sequence[ProcessedText]) -> frozenset[str]:
    """Every script of the training texts (Latin for English), computed once per distinct text."""
    seen: set[str] = set()
    for text in {doc.raw for doc in docs}:
        seen |= scripts_in(text)
    return frozenset(seen)
