"""Choosing the out-of-scope confidence threshold from out-of-fold predictions (training data only).

Why a bounded loss: a threshold trades in-scope accuracy for out-of-scope
recall. We never give up more than ``max_in_scope_loss`` of in-scope accuracy;
within that budget we maximize in-scope accuracy + out-of-scope recall when the
data has ``out_of_scope`` examples, else take the highest threshold the budget allows
(the caller passes a smaller budget then: the benefit cannot be measured).
"""

from __future__ import annotations

import numpy as np


def choose_threshold(
    confidence: np.ndarray,
    predicted: np.ndarray,
    gold: np.ndarray,
    oos_index: int | None,
    max_in_scope_loss: float,
) -> float:
    """Threshold on the top calibrated probability below which an answer becomes out-of-scope."""
    confidence = np.asarray(confidence, dtype=np.float64)
    in_scope = gold != oos_index if oos_index is not None else np.ones(len(gold), bool)
    n_in = max(int(in_scope.sum()), 1)
    correct_in = in_scope & (predicted == gold)
    base_accuracy = correct_in.sum() / n_in
    is_oos = ~in_scope
    n_oos = int(is_oos.sum())
    oos_by_class = is_oos & (predicted == oos_index) if oos_index is not None else np.zeros(len(gold), bool)

    best_t, best_score = 0.0, -np.inf
    candidates = np.unique(np.quantile(confidence, np.linspace(0.0, 0.6, 241))) if len(confidence) else []
    for t in candidates:
        accepted = confidence >= t
        accuracy = (correct_in & accepted).sum() / n_in
        if base_accuracy - accuracy > max_in_scope_loss + 1e-12:
            break
        recall = (oos_by_class | (is_oos & ~accepted)).sum() / n_oos if n_oos else 0.0
        score = accuracy + recall if n_oos else t
        if score > best_score:
            best_t, best_score = float(t), score
    return best_t
