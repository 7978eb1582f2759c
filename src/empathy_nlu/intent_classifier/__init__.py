"""Intent classification: the fast tier (sparse n-grams into a calibrated linear model)."""

from .linear import IntentResult, LinearIntentClassifier

__all__ = ["IntentResult", "LinearIntentClassifier"]
