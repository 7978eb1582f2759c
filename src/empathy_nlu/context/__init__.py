"""What the history means: history-aware intent, carried-over details, repeat contact, feeling, hand-over.

``component.py`` is the history-aware intent (a pipeline component); the rest are pure
functions over understood turns and ``ContextParams``: they never call a model.
"""

from .contextual_intent import ContextSamples, ContextualIntentClassifier, samples_from_dialogues

__all__ = ["ContextSamples", "ContextualIntentClassifier", "samples_from_dialogues"]
