"""The cue component: fills ``doc.cues`` of the current utterance (earlier turns need no cues)."""

from __future__ import annotations

from dataclasses import dataclass

from ..pipeline.component import Component, register
from ..pipeline.doc import FULL
from ..pipeline.params import Params
from .detector import CueDetector


@dataclass(frozen=True)
class CuesParams(Params):
    enabled: bool = True
    patterns: str = ""  # a JSONL patterns file (docs/cues.md); "" = the patterns shipped with the package


@register
class CuesComponent(Component):
    """Frustration, urgency, churn risk, gratitude and requests for a human, from patterns."""

    name = "cues"
    Params = CuesParams

    @classmethod
    def supports(cls, data, config) -> bool:
        return config["cues"].enabled

    def fit(self, data, fitted, say):
        self.detector_ = CueDetector(self.params.patterns or None)
        self.detector_.load()  # load the patterns now: a bad patterns file fails training, not serving
        return self

    def process(self, batch) -> None:
        for doc in batch.docs:
            if doc.depth == FULL:
                doc.cues = self.detector_.detect(doc.text, doc.language)

    def to_state(self):
        return self.detector_.to_state()

    @classmethod
    def from_state(cls, params, state, arrays):
        component = cls(params)
        component.detector_ = CueDetector.from_state(state, arrays)
        return component
