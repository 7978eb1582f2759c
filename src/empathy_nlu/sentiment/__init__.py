"""Sentiment: how the customer feels (negative / neutral / positive, score in [-1, 1])."""

from .affect import AFFECT_FEATURES, affect_features, load_vader_lexicon, mark_negation
from .classifier import SENTIMENT_LABELS, SentimentClassifier

__all__ = [
    "AFFECT_FEATURES",
    "SENTIMENT_LABELS",
    "SentimentClassifier",
    "affect_features",
    "load_vader_lexicon",
    "mark_negation",
]
