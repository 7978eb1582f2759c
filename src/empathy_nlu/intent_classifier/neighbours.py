"""Nearest-neighbour evidence for texts in scripts the training texts never used (multilingual tier).

Why: a linear model over a multilingual embedding learns directions that hold in the training
language and only partly in others (English -> Arabic: about 0.49 on ArBanking77 valid), while the
similarity to the nearest training example keeps the encoder's cross-lingual alignment (0.69).
So the intent model keeps its training examples' unit embeddings and, for a text whose letters are
in unseen scripts, multiplies its own probabilities by a softmax over each intent's best cosine
raised to that share (a product of experts, renormalized). Training-language text never takes
this path (no extra cost).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import ModelError

# Chosen on ArBanking77 valid, English BANKING77 train only (docs/multilingual_tier.md).
NEIGHBOUR_TEMPERATURE = 0.005  # softmax over per-intent best cosines: cosines differ by hundredths
NEIGHBOUR_WEIGHT = 1.0  # exponent of the neighbour expert for a text wholly in unseen scripts


class NeighbourEvidence:
    """The training examples' unit embeddings, sorted by intent, and how much their evidence counts."""

    def __init__(self, temperature: float = NEIGHBOUR_TEMPERATURE, weight: float = NEIGHBOUR_WEIGHT) -> None:
        self.temperature = temperature
        self.weight = weight

    def fit(self, embeddings: np.ndarray, y: np.ndarray, n_labels: int) -> NeighbourEvidence:
        """Keep ``embeddings`` (any positive scale per row) of examples with label indices ``y``."""
        order = np.argsort(y, kind="stable")
        vectors = np.asarray(embeddings, dtype=np.float32)[order]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        self._set(np.clip(vectors / norms, -1.0, 1.0).astype(np.float16), y[order].astype(np.int32), n_labels)
        return self

    def _set(self, vectors: np.ndarray, labels: np.ndarray, n_labels: int) -> None:
        self.labels_, self.n_labels_ = labels, n_labels
        self.matrix_ = vectors.astype(np.float32)  # float16 on disk, float32 (exact) for the product
        self.starts_ = np.searchsorted(labels, np.arange(n_labels))

    @property
    def vectors_(self) -> np.ndarray:
        """The saved float16 rows (float16 -> float32 -> float16 is exact: not kept twice in memory)."""
        return self.matrix_.astype(np.float16)

    @property
    def dimension(self) -> int:
        return int(self.matrix_.shape[1])

    def log_evidence(self, embedding: np.ndarray) -> np.ndarray:
        """Each intent's best cosine with ``embedding`` (any scale) over the temperature, max at 0."""
        norm = float(np.linalg.norm(embedding))
        query = np.asarray(embedding, dtype=np.float32) / (norm or 1.0)
        best = np.maximum.reduceat(self.matrix_ @ query, self.starts_).astype(np.float64)
        return (best - best.max()) / self.temperature

    def mix(self, probabilities: np.ndarray, embedding: np.ndarray, share: float) -> np.ndarray:
        """A product of experts: ``probabilities`` x softmax(evidence) ** (``weight`` x unseen
        ``share``), renormalized (in log space: a confident model cannot underflow to zero)."""
        if share <= 0.0:
            return probabilities
        logits = np.log(np.maximum(probabilities.astype(np.float64), 1e-300))
        logits += self.weight * min(share, 1.0) * self.log_evidence(embedding)
        exp = np.exp(logits - logits.max())
        return (exp / exp.sum()).astype(probabilities.dtype)

    # -- persistence ----------------------------------------------------------------------------
    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        state = {
            "temperature": self.temperature,
            "weight": self.weight,
            "count": int(len(self.labels_)),
            "dimension": self.dimension,
        }
        return state, {"neighbours": self.vectors_, "neighbour_labels": self.labels_}

    @classmethod
    def from_state(cls, state: dict, arrays: dict[str, np.ndarray], n_labels: int) -> NeighbourEvidence:
        """Rebuild from arrays already checked against ``array_spec`` (dtype, shape, range)."""
        evidence = cls(float(state["temperature"]), float(state["weight"]))
        if not (0.0 < evidence.temperature <= 10.0 and 0.0 <= evidence.weight <= 10.0):
            raise ModelError(
                f"neighbour temperature {evidence.temperature} or weight {evidence.weight} is out of "
                "range; retrain.",
                "E240",
            )
        labels = np.asarray(arrays["neighbour_labels"], dtype=np.int32)
        present = np.unique(labels)
        if len(present) != n_labels or np.any(np.diff(labels) < 0):
            raise ModelError(
                "neighbour labels must be sorted and cover every intent; retrain or restore the model.",
                "E240",
            )
        evidence._set(np.asarray(arrays["neighbours"], dtype=np.float16), labels, n_labels)
        return evidence


def neighbour_specs(state: dict, n_labels: int) -> dict:
    """The two arrays of saved neighbour evidence: float16 unit rows and their int32 label indices."""
    from ..pipeline.component import ArraySpec, indices

    count, dimension = int(state["count"]), int(state["dimension"])
    return {
        "neighbours": ArraySpec("float16", (count, dimension), -1.001, 1.001),
        "neighbour_labels": indices(count, n_labels),
    }


def embedding_block(rows: Sequence, dimension: int) -> list[np.ndarray]:
    """The last ``dimension`` values of each row: the hybrid featurizer appends the embedding last."""
    return [np.asarray(vals[-dimension:]) for _, vals in rows]
