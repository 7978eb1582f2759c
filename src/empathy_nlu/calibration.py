"""Turning raw linear scores into honest probabilities, and measuring how honest they are.

Temperature scaling (Guo et al. 2017) fits one number on out-of-fold scores:
cheap, monotone (the ranking never changes) and good enough for linear models.
Prediction needs only ``softmax`` (numpy); scipy's optimizer is imported by the fit.
"""

from __future__ import annotations

import numpy as np


def softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``scores / temperature`` (stable for any magnitude)."""
    if scores.ndim == 1:  # the single-utterance hot path: fewer temporaries
        z = scores.astype(np.float64) * (1.0 / temperature)
        z = np.exp(z - z.max())
        return z / z.sum()
    z = np.asarray(scores, dtype=np.float64) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)
    return z


def fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """Temperature minimizing the negative log-likelihood of the true class ``y`` (indices)."""
    from scipy.optimize import minimize_scalar  # training only: 60 ms that prediction never pays

    rows = np.arange(len(y))

    def nll(log_t: float) -> float:
        p = softmax(scores, float(np.exp(log_t)))
        return float(-np.log(np.clip(p[rows, y], 1e-12, None)).mean())

    result = minimize_scalar(nll, bounds=(np.log(1e-3), np.log(1e2)), method="bounded")
    return float(np.exp(result.x))


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, n_bins: int = 15) -> float:
    """ECE: mean |accuracy - confidence| over equal-width confidence bins, weighted by bin size."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if len(confidence) == 0:
        return 0.0
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    ece = 0.0
    for b in range(n_bins):
        mask = bins == b
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - confidence[mask].mean())
    return float(ece)


def reliability_table(confidence: np.ndarray, correct: np.ndarray, n_bins: int = 10) -> list[dict]:
    """Per-bin confidence, accuracy and count: the data behind a reliability plot."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    table = []
    for b in range(n_bins):
        mask = bins == b
        table.append(
            {
                "bin": [b / n_bins, (b + 1) / n_bins],
                "count": int(mask.sum()),
                "confidence": float(confidence[mask].mean()) if mask.any() else None,
                "accuracy": float(correct[mask].mean()) if mask.any() else None,
            }
        )
    return table
