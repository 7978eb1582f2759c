"""Custom entities learned from annotated examples: a CRF tagger, its resources and its scores.

``CRFSlotFiller`` tags the entity types annotated in the training data
(``[checking](account)``); lookup tables and regexes declared in the data are its features,
synonyms normalize the values it returns. ``entity_scores`` is exact span + type P/R/F1.
"""

from __future__ import annotations

from .crf import CRFSlotFiller, entity_training_examples
from .evaluation import entity_scores

__all__ = ["CRFSlotFiller", "entity_scores", "entity_training_examples"]
