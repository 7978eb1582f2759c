"""Sparse feature rows and the one product every linear model scores them with.

A row is ``(indices, values)`` of one text. Why not one scipy product over the
batch: ``X @ W`` and a one-row gather-and-sum add the same terms in different
orders, so a text scored alone and in a batch got different confidences (96 of
300 texts differed). Here every row, alone or in a batch of ten thousand, is
scored by the same call on arrays of the same shape, so the same input gives the
same bits; a batch is a loop over rows (~10 us each).
"""

from __future__ import annotations

import numpy as np

Row = tuple[np.ndarray, np.ndarray]


def row_scores(row: Row, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """``values @ weights[indices] + bias`` of one row, float32, shape ``(n_outputs,)``."""
    idx, vals = row
    gathered = np.take(weights, idx, axis=0)
    return np.asarray(vals, dtype=np.float32) @ gathered + bias
