"""The learned-entity component: custom entities tagged by the CRF, merged with the builtin ones."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..entity_parser.resolve import resolve_overlaps
from ..pipeline.component import Component, indices, register, weights
from ..pipeline.params import Params, require
from .crf import CRFSlotFiller, entity_training_examples


@dataclass(frozen=True)
class SlotFillerParams(Params):
    c1: float = 0.05  # L1 penalty (sparser, smaller model)
    c2: float = 0.01  # L2 penalty
    max_iterations: int = 100  # L-BFGS iterations
    prune_probability: float = 1e-4  # labels less likely than this (marginal) are not searched

    def check(self) -> None:
        require(
            [
                ("slot_filler.c1", self.c1 >= 0),
                ("slot_filler.c2", self.c2 >= 0),
                ("slot_filler.max_iterations", self.max_iterations >= 1),
                ("slot_filler.prune_probability", 0 <= self.prune_probability < 1),
            ]
        )


def custom_entity_examples(examples, builtin: frozenset) -> list:
    """What the tagger learns from: annotated examples, without the types the builtin rules extract.

    Why drop builtin types: the rules already give them with normalized values; annotating them
    is still useful, for ``evaluate``.
    """
    out = []
    for example in entity_training_examples(examples):
        kept = tuple(span for span in example.entities if span.entity not in builtin)
        out.append(example if len(kept) == len(example.entities) else replace(example, entities=kept))
    return out


@register
class SlotFillerComponent(Component):
    """Entities annotated in the training data (``[checking](account)``), found by a CRF."""

    name = "slot_filler"
    Params = SlotFillerParams

    @classmethod
    def supports(cls, data, config) -> bool:
        examples = custom_entity_examples(data.dataset.examples, config["entities"].extracted)
        return any(ex.entities for ex in examples)

    def fit(self, data, fitted, say):
        examples = custom_entity_examples(data.dataset.examples, data.config["entities"].extracted)
        self.tagger_ = CRFSlotFiller(**self.params.to_dict()).fit(examples, data.dataset.resources, say)
        self.metrics_ = {"slot_filler_entity_types": self.tagger_.entity_types_}
        return self

    def process(self, batch) -> None:
        for doc in batch.docs:
            if doc.entities_pending:
                learned = self.tagger_.predict_one(doc.text)
                if learned:
                    doc.entities = resolve_overlaps(doc.entities, learned)

    def to_state(self):
        return self.tagger_.to_state()

    @classmethod
    def array_spec(cls, state):
        """The nonzero state weights as three equal-length vectors (``from_state`` checks the lengths
        agree): ``state_rows`` (an attribute), ``state_labels`` (a label) and ``state_weights``; and
        ``transitions``, label to label."""
        n_attributes, n_labels = len(state["attributes"]), len(state["labels"])
        return {
            "state_rows": indices(None, n_attributes),
            "state_labels": indices(None, n_labels),
            "state_weights": weights(None),
            "transitions": weights(n_labels, n_labels),
        }

    @classmethod
    def from_state(cls, params, state, arrays):
        component = cls(params)
        component.tagger_ = CRFSlotFiller.from_state(state, arrays)
        return component
