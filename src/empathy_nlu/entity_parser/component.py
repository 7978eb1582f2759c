"""The builtin-entity component: fills ``doc.entities`` with normalized values (docs/entities.md)."""

from __future__ import annotations

from dataclasses import dataclass

from ..pipeline.component import Component, register
from ..pipeline.params import Params
from .parser import DIMENSIONS, BuiltinEntityParser, check_entities_config


@dataclass(frozen=True)
class EntitiesParams(Params):
    builtin: bool = True
    dimensions: tuple[str, ...] = ()  # the builtin dimensions to extract; () = all of them
    patterns: tuple[dict, ...] = ()  # regex entities: [{"entity": "order_id", "pattern": "..."}]

    def check(self) -> None:
        check_entities_config({"dimensions": list(self.dimensions), "patterns": list(self.patterns)})

    @property
    def extracted(self) -> frozenset:
        """The entity types the rules give (so the learned tagger need not learn them)."""
        return frozenset(self.dimensions or DIMENSIONS) if self.builtin else frozenset()


@register
class EntitiesComponent(Component):
    """Amounts, dates, times, periods, e-mails, phones, URLs, card endings, order and transaction ids."""

    name = "entities"
    Params = EntitiesParams

    @classmethod
    def supports(cls, data, config) -> bool:
        return config["entities"].builtin

    def fit(self, data, fitted, say):
        params = self.params
        self.parser_ = BuiltinEntityParser(list(params.dimensions) or None, list(params.patterns) or None)
        self.parser_.to_state()  # compiles the patterns: a bad pattern fails training, not serving
        return self

    def process(self, batch) -> None:
        for doc in batch.docs:
            if doc.entities_pending:
                # doc.language is a function of the text alone, so the (text, reference) cache holds
                doc.entities = self.parser_.parse(doc.text, doc.reference, doc.language)

    def to_state(self):
        return self.parser_.to_state()

    @classmethod
    def from_state(cls, params, state, arrays):
        component = cls(params)
        component.parser_ = BuiltinEntityParser.from_state(state, arrays)
        return component
