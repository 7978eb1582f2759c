"""What the history means: history-aware intent, carried-over details, repeat contact, feeling, hand-over."""

from .contextual_intent import ContextSamples, ContextualIntentClassifier, samples_from_dialogues

__all__ = ["ContextSamples", "ContextualIntentClassifier", "samples_from_dialogues"]
