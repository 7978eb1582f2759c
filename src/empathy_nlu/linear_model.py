"""A LinearSVC whose scores become honest probabilities: shared by the intent and sentiment models.

Why one class: both models need the same recipe (K-fold out-of-fold scores on
the training data, a temperature fitted on them, a final fit on everything,
weights laid out for a fast gather-and-sum at prediction), and the recipe must
not drift between them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .calibration import expected_calibration_error, fit_temperature, softmax
from .errors import ModelError, NotFittedError
from .rows import Row, row_scores


class CalibratedLinearSVC:
    """One-vs-rest LinearSVC plus temperature scaling fitted on out-of-fold scores."""

    def __init__(self, C: float = 1.0, cv_folds: int = 3, random_state: int = 0) -> None:
        self.C = C
        self.cv_folds = cv_folds
        self.random_state = random_state

    def _fit_svm(self, X, y: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
        """Weights as (n_features, n_classes) and intercepts, also for the binary case."""
        from sklearn.svm import LinearSVC  # training only: prediction never imports scikit-learn

        svm = LinearSVC(C=self.C, random_state=self.random_state).fit(X, y)
        coef, intercept = svm.coef_, svm.intercept_
        if n_classes == 2:  # sklearn keeps one row for two classes; spread it symmetrically
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        # Weights are kept at float16 precision (halves the model on disk, no measurable accuracy
        # change) and computed in float32, so a saved and reloaded model predicts identically.
        weights = np.ascontiguousarray(coef.T, dtype=np.float16).astype(np.float32)
        return weights, intercept.astype(np.float32)

    def fit(
        self,
        X,
        y: np.ndarray,
        n_classes: int,
        progress: Callable[[str], None] | None = None,
        calibrate_on: np.ndarray | None = None,
    ) -> CalibratedLinearSVC:
        """Fit on ``X`` (rows) and class indices ``y``; ``oof_scores_`` keeps the out-of-fold scores.
        ``calibrate_on``: the rows whose out-of-fold scores are honest (the others fed a fine-tuned
        encoder): the temperature and ``cv_metrics`` read only them."""
        from sklearn.model_selection import StratifiedKFold  # training only

        say = progress or (lambda message: None)
        self.calibration_rows_ = calibration_rows(calibrate_on, len(y))
        folds = min(self.cv_folds, int(np.bincount(y, minlength=n_classes).min()))
        self.folds_used_ = folds if folds >= 2 else 0
        self.oof_scores_ = None
        self.temperature_ = 1.0
        if self.folds_used_:
            oof = np.zeros((len(y), n_classes), dtype=np.float64)
            splitter = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
            for k, (train, held_out) in enumerate(splitter.split(np.zeros(len(y)), y), 1):
                say(f"cross-validation: fold {k}/{folds}")
                weights, bias = self._fit_svm(X[train], y[train], n_classes)
                oof[held_out] = X[held_out] @ weights + bias
            self.oof_scores_ = oof
            rows = self.calibration_rows_
            self.temperature_ = fit_temperature(oof[rows], y[rows])
        say("final model: fitting on all examples")
        self.weights_, self.intercept_ = self._fit_svm(X, y, n_classes)
        return self

    def oof_probabilities(self) -> np.ndarray | None:
        """Calibrated out-of-fold probabilities of the training rows (None without cross-validation)."""
        return None if self.oof_scores_ is None else softmax(self.oof_scores_, self.temperature_)

    def cv_metrics(self, y: np.ndarray) -> dict:
        """Out-of-fold accuracy and calibration error: what the model is worth before it ships."""
        probabilities = self.oof_probabilities()
        if probabilities is None:
            return {"folds": 0, "accuracy": None, "ece": None, "temperature": self.temperature_}
        probabilities, y = probabilities[self.calibration_rows_], y[self.calibration_rows_]
        predicted = probabilities.argmax(1)
        return {
            "folds": self.folds_used_,
            "rows": len(y),
            "accuracy": float((predicted == y).mean()),
            "ece": expected_calibration_error(probabilities.max(1), predicted == y),
            "temperature": self.temperature_,
        }

    def _check_fitted(self) -> None:
        if not hasattr(self, "weights_"):
            raise NotFittedError("the linear model is not fitted: call fit() or load a model.")

    def probabilities_rows(self, rows: Sequence[Row]) -> list[np.ndarray]:
        """Calibrated probabilities of sparse rows ``(indices, values)``; each row on its own."""
        self._check_fitted()
        return [softmax(row_scores(row, self.weights_, self.intercept_), self.temperature_) for row in rows]

    def probabilities(self, X) -> np.ndarray:
        """Calibrated probabilities of the rows of a (sparse) matrix (training: out-of-fold scores)."""
        self._check_fitted()
        return softmax(np.asarray(X @ self.weights_) + self.intercept_, self.temperature_)

    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        self._check_fitted()
        state = {
            "params": {"C": self.C, "cv_folds": self.cv_folds, "random_state": self.random_state},
            "temperature": self.temperature_,
        }
        return state, {"weights": self.weights_.astype(np.float16), "intercept": self.intercept_}

    @classmethod
    def from_state(cls, state: dict, arrays: dict[str, np.ndarray]) -> CalibratedLinearSVC:
        try:
            model = cls(**state["params"])
            model.temperature_ = float(state["temperature"])
            model.weights_ = np.ascontiguousarray(arrays["weights"], dtype=np.float32)
            model.intercept_ = np.asarray(arrays["intercept"], dtype=np.float32)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"linear model state is incomplete ({exc!r}); retrain.", "E204") from exc
        # fit_temperature searches [1e-3, 1e2]; far outside it, scores / temperature overflow (or divide by 0)
        if not 1e-4 <= model.temperature_ <= 1e3:
            raise ModelError(
                f"linear model temperature {model.temperature_} is outside [1e-4, 1e3]; retrain.", "E240"
            )
        return model

    def check_shape(self, n_features: int, n_classes: int) -> None:
        """Refuse weights that do not fit the featurizer and labels they are loaded with."""
        if self.weights_.shape != (n_features, n_classes) or self.intercept_.shape != (n_classes,):
            raise ModelError(
                f"weights have shape {self.weights_.shape}, expected {(n_features, n_classes)}; "
                "the model is damaged.",
                "E204",
            )


MIN_CALIBRATION_ROWS = 50  # fewer honest rows than this: calibrate on all (a tiny data set)


def calibration_rows(calibrate_on: np.ndarray | None, n_rows: int) -> np.ndarray:
    """The rows to calibrate on: ``calibrate_on`` when it keeps enough of them, else every row."""
    if calibrate_on is not None and int(np.sum(calibrate_on)) >= MIN_CALIBRATION_ROWS:
        return np.asarray(calibrate_on, dtype=bool)
    return np.ones(n_rows, dtype=bool)
