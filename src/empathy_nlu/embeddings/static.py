"""The fast tier's dense block: a word -> vector table shipped in the package, pooled per message.

Why a table and not an encoder: a sentence encoder costs milliseconds and torch; a lookup per
token and one sum cost microseconds and numpy. The table is distilled once, at build time, from
all-MiniLM-L6-v2 (``build_static.py``): each of the most frequent English words is encoded alone,
reduced by PCA and weighted by how rare it is (SIF), so the sum of a message's rows points where
its informative words point. The keys are the lower-cased tokens ``preprocessing.preprocess``
already produces, so nothing else runs at prediction (no tokenizer, no subwords).

Like the accurate tier's embedding, the block is appended to the n-gram row, L2-normalized and
scaled by ``features.static_weight``, so every linear model reads it with the same gather-and-sum.
A model records the table's name and SHA-256; loading refuses another table (E215).
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

from ..errors import ModelError, NotFittedError
from ..features import SparseFeaturizer
from ..preprocessing import ProcessedText

STATIC_DIR = Path(__file__).parent / "static"
DEFAULT_STATIC_TABLE = "minilm_words"


class StaticTable:
    """Word -> row of a float16 table (held as float32 in memory), read from ``static/<name>.*``."""

    def __init__(self, name: str, words: Sequence[str], vectors: np.ndarray) -> None:
        self.name = name
        self.words = list(words)
        self.index = {word: i for i, word in enumerate(self.words)}
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.dimension = int(self.vectors.shape[1])
        self.sha256 = table_digest(self.words, vectors)

    def rows_of(self, tokens: Sequence[str]) -> list[int]:
        """Rows of the tokens the table knows (a token may repeat: it counts each time)."""
        return [j for j in map(self.index.get, tokens) if j is not None]

    def pool(self, tokens: Sequence[str], scale: float = 1.0) -> np.ndarray | None:
        """``scale`` x the L2-normalized sum of the tokens' rows (None: no token is in the table)."""
        rows = self.rows_of(tokens)
        if not rows:
            return None
        vector = np.take(self.vectors, rows, axis=0).sum(axis=0) if len(rows) > 1 else self.vectors[rows[0]]
        norm = math.sqrt(float(vector @ vector))
        return vector * np.float32(scale / norm) if norm > 0.0 else None


def table_digest(words: Sequence[str], vectors: np.ndarray) -> str:
    """SHA-256 of the word list and the stored float16 values: what a model checks at load."""
    digest = hashlib.sha256("\n".join(words).encode("utf-8"))
    digest.update(np.ascontiguousarray(vectors, dtype="<f2").tobytes())
    return digest.hexdigest()


_lock = threading.Lock()
_tables: dict[str, StaticTable] = {}


def load_table(name: str = DEFAULT_STATIC_TABLE, folder: Path | None = None) -> StaticTable:
    """The table ``name`` shipped in ``static/`` (read once per process), or E216 naming what is wrong."""
    folder = STATIC_DIR if folder is None else Path(folder)
    key = str(folder / name)
    with _lock:
        table = _tables.get(key)
        if table is None:
            table = _tables[key] = _read_table(name, folder)
        return table


def _read_table(name: str, folder: Path) -> StaticTable:
    if not name.replace("_", "").isalnum():
        raise ModelError(f"static table name {name!r} is not a plain name; retrain the model.", "E216")
    try:
        meta = json.loads((folder / f"{name}.json").read_text("utf-8"))
        vectors = np.load(folder / f"{name}.npy", allow_pickle=False)
        words = [str(word) for word in meta["words"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(
            f"the static word-vector table {name!r} is missing or unreadable in {folder} ({exc}); "
            "reinstall empathy-nlu, or retrain the model with features.kinds [sparse].",
            "E216",
        ) from exc
    if vectors.dtype != np.float16 or vectors.ndim != 2 or vectors.shape[0] != len(words):
        raise ModelError(
            f"the static table {name!r} holds {vectors.dtype} {vectors.shape} for {len(words)} words, "
            "not one float16 row per word; reinstall empathy-nlu.",
            "E216",
        )
    if not np.isfinite(vectors).all():
        raise ModelError(f"the static table {name!r} holds NaN or infinite values; reinstall.", "E216")
    return StaticTable(name, words, vectors)


class StaticFeaturizer:
    """``SparseFeaturizer`` columns, then ``static_weight`` x the L2-normalized pooled word vectors."""

    def __init__(
        self,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        min_df: int = 1,
        char_weight: float = 1.0,
        static_weight: float = 0.5,
        static_table: str = DEFAULT_STATIC_TABLE,
    ) -> None:
        self.sparse_params = {
            "word_ngram_range": tuple(word_ngram_range),
            "char_ngram_range": tuple(char_ngram_range),
            "min_df": min_df,
            "char_weight": char_weight,
        }
        self.static_weight = static_weight
        self.static_table = static_table

    def fit(self, docs: Sequence[ProcessedText]) -> StaticFeaturizer:
        """Fit the n-gram vocabulary; the table is shipped (read, not fitted)."""
        self._attach(SparseFeaturizer(**self.sparse_params).fit(docs), load_table(self.static_table))
        return self

    def _attach(self, sparse_featurizer: SparseFeaturizer, table: StaticTable) -> None:
        self.sparse_, self.table_ = sparse_featurizer, table
        offset = sparse_featurizer.n_features_
        self.dense_columns_ = np.arange(offset, offset + table.dimension, dtype=np.int32)

    def _check_fitted(self) -> None:
        if not hasattr(self, "sparse_"):
            raise NotFittedError("StaticFeaturizer is not fitted: call fit() or load a model first.")

    @property
    def n_features_(self) -> int:
        self._check_fitted()
        return self.sparse_.n_features_ + self.table_.dimension

    def knows_any_word(self, doc: ProcessedText) -> bool:
        """The n-gram vocabulary decides: a word only the table knows is no evidence of an intent."""
        return self.sparse_.knows_any_word(doc)

    def dense(self, doc: ProcessedText) -> np.ndarray | None:
        """The block's values for one document (None: no token in the table)."""
        return self.table_.pool(doc.tokens, self.static_weight)

    def transform_one(self, doc: ProcessedText) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and values of one document: sparse ones, then the block's (if any)."""
        idx, vals = self.sparse_.transform_one(doc)
        vector = self.dense(doc)
        if vector is None:
            return idx, vals
        return np.concatenate([idx, self.dense_columns_]), np.concatenate([vals, vector])

    def transform(self, docs: Sequence[ProcessedText]) -> sparse.csr_matrix:
        """Vectorized batch transform; equal to stacking ``transform_one`` rows."""
        self._check_fitted()
        block = np.zeros((len(docs), self.table_.dimension), dtype=np.float32)
        for i, doc in enumerate(docs):
            vector = self.dense(doc)
            if vector is not None:
                block[i] = vector
        rows = self.sparse_.transform(docs)
        return sparse.hstack([rows, sparse.csr_matrix(block)], format="csr").astype(np.float32)

    # -- persistence ----------------------------------------------------------------------------
    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        self._check_fitted()
        sparse_state, sparse_arrays = self.sparse_.to_state()
        state = {
            "kind": "static",
            "static_table": self.table_.name,
            "static_sha256": self.table_.sha256,
            "dimension": self.table_.dimension,
            "static_weight": self.static_weight,
            "sparse": sparse_state,
        }
        return state, sparse_arrays

    @classmethod
    def from_state(cls, state: dict, arrays: dict[str, np.ndarray]) -> StaticFeaturizer:
        """Rebuild; refuses a table that is not byte for byte the one the model was trained with."""
        try:
            name, digest = str(state["static_table"]), str(state["static_sha256"])
            dimension, weight = int(state["dimension"]), float(state["static_weight"])
            if not 0.0 < weight <= 100.0:
                raise ValueError(f"static_weight {weight} out of range")
            sparse_featurizer = SparseFeaturizer.from_state(state["sparse"], {"idf": arrays["idf"]})
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"featurizer state is incomplete ({exc!r}); retrain the model.", "E204") from exc
        table = load_table(name)
        if table.sha256 != digest or table.dimension != dimension:
            raise ModelError(
                f"the static word-vector table {name!r} installed here ({table.dimension} dimensions, "
                f"sha256 {table.sha256[:12]}) is not the one the model was trained with ({dimension}, "
                f"{digest[:12]}); install the empathy-nlu version it was trained with, or retrain.",
                "E215",
            )
        featurizer = cls(**sparse_featurizer.get_config(), static_weight=weight, static_table=name)
        featurizer._attach(sparse_featurizer, table)
        return featurizer
