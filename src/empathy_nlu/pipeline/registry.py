"""Every component, in the order the pipeline runs them; and every config section with its params.

The order is the data flow: features first (every model reads them), then the models
of one utterance, then entities (builtin, then learned: they merge), then the
history-aware intent, which reads all of the above for the turns of a conversation.
"""

from __future__ import annotations

from dataclasses import dataclass

from .component import REGISTRY, Component
from .params import Params, require

ORDER = (
    "features",
    "intent",
    "multi_intent",
    "sentiment",
    "cues",
    "entities",
    "slot_filler",
    "context_intent",
)


@dataclass(frozen=True)
class PredictParams(Params):
    max_chars: int = 5000  # longer texts are read up to here (every turn, every component)
    max_history_turns: int = 50  # earlier turns accepted per call (the oldest are dropped)

    def check(self) -> None:
        require(
            [
                ("predict.max_chars", self.max_chars >= 1),
                ("predict.max_history_turns", self.max_history_turns >= 0),
            ]
        )


def components() -> dict[str, type[Component]]:
    """Name -> class of every registered component, in pipeline order."""
    from .. import features  # noqa: F401  (each import registers its components)
    from ..context import component as _context  # noqa: F401
    from ..cues import component as _cues  # noqa: F401
    from ..entity_parser import component as _entities  # noqa: F401
    from ..intent_classifier import component as _intent  # noqa: F401
    from ..sentiment import component as _sentiment  # noqa: F401
    from ..slot_filler import component as _slots  # noqa: F401

    return {name: REGISTRY[name] for name in ORDER}


def sections() -> dict[str, type[Params]]:
    """Config section -> its params class: one per component, plus ``context`` and ``predict``."""
    from ..context.window import ContextParams
    from ..privacy import PrivacyParams

    out = {name: cls.Params for name, cls in components().items()}
    out["context"] = ContextParams
    out["predict"] = PredictParams
    out["privacy"] = PrivacyParams
    return out
