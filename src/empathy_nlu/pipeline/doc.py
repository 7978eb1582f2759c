"""What flows through the pipeline: one ``TurnDoc`` per text, one ``Conversation`` per prediction.

Like spaCy's ``Doc``: components read and fill fields of the docs of a batch, in
order, and never call each other. A ``TurnDoc`` is one text understood on its own
(the current utterance or an earlier turn); a ``Conversation`` ties a current
utterance to the docs of its history window, for the history-aware intent and
``context/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from ..preprocessing import ProcessedText
from ..schema import Turn

# What a doc is understood for: everything, everything but cues (an earlier customer turn
# whose intent or feeling matters), only its entities, or only its text (an agent turn).
FULL, NO_CUES, ENTITIES, TEXT = "full", "no_cues", "entities", "text"


@dataclass(eq=False, slots=True)
class TurnDoc:
    """One text and what the components understood of it on its own (no history)."""

    text: str
    reference: datetime  # resolves relative dates in the text
    depth: str = FULL
    doc: ProcessedText | None = None
    features: tuple[np.ndarray, np.ndarray] | None = None  # None: nothing to featurize
    known: bool = False
    intent: Any = None  # IntentResult / MultiIntentResult (None: nothing to understand)
    sentiment: dict | None = None
    cues: dict = field(default_factory=dict)
    entities: list[dict] = field(default_factory=list)
    language: Any = None  # LanguageGuess of the text alone (language/detect.py); None: not detected
    unseen_script: float = 0.0  # share of its letters in scripts no training text used (multilingual)
    # What is still to compute: the models' fields (doc .. sentiment) and the entities. The pipeline
    # clears them when it fills a doc from its cache; components compute only what is pending.
    models_pending: bool = True
    entities_pending: bool = True

    def __post_init__(self) -> None:
        self.models_pending = self.depth in (FULL, NO_CUES)
        self.entities_pending = self.depth != TEXT


@dataclass(eq=False, slots=True)
class Conversation:
    """The current utterance and its history window, each turn with its doc (None: not needed)."""

    current: TurnDoc
    channel: str | None
    window: tuple[Turn, ...]
    window_docs: list[TurnDoc | None]
    # Filled by the history-aware intent component: the final intent, where it came from,
    # and the intent decided for each earlier customer turn it looked at (window index -> name).
    intent: Any = None
    intent_source: str = "utterance"
    earlier_intents: dict[int, str | None] = field(default_factory=dict)


@dataclass(eq=False, slots=True)
class Batch:
    """The unit of work: the distinct docs to understand and the conversations they serve."""

    docs: list[TurnDoc]
    conversations: list[Conversation]
