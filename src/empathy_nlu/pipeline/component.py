"""The one contract every component implements, and the registry that names them.

A component (featurizer, intent, multi-intent, sentiment, cues, builtin entities,
learned entities, history-aware intent) is registered once under its name, which
is also its config section and its file name in a model directory. It declares:

- ``Params``: a frozen dataclass of its settings, defaults and range checks;
- ``supports(data, params)``: whether the training data (and config) give it anything to learn;
- ``fit(data, fitted, say)``: learn from ``TrainingData`` and the components fitted before it;
- ``process(batch)``: fill the fields it owns on the docs of a ``Batch`` (batch-first);
- ``to_state()`` / ``from_state(params, state, arrays)``: plain JSON and numpy arrays, never pickle;
- ``check(components)``: refuse a loaded state that does not fit the other components.

Training is a loop over the registered components in order; prediction is the same loop
over ``process``. A new component is a class with this contract plus one ``@register``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from ..errors import ModelError
from .doc import Batch
from .params import Params

Progress = Callable[[str], None]

REGISTRY: dict[str, type[Component]] = {}


class Component:
    """Base class: subclasses set ``name`` and ``Params`` and override what they need."""

    name: ClassVar[str] = ""
    Params: ClassVar[type[Params]] = Params

    def __init__(self, params: Params | None = None) -> None:
        self.params = params if params is not None else self.Params()
        self.metrics_: dict[str, Any] = {}

    @classmethod
    def supports(cls, data, params: Params) -> bool:
        """Whether ``data`` (``TrainingData``) and ``params`` call for this component."""
        return True

    def fit(self, data, fitted: dict[str, Component], say: Progress) -> Component:
        return self

    def process(self, batch: Batch) -> None:
        """Fill this component's fields on the docs (or conversations) of ``batch``."""

    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        return {}, {}

    @classmethod
    def from_state(cls, params: Params, state: dict, arrays: dict[str, np.ndarray]) -> Component:
        return cls(params)

    def check(self, components: dict[str, Component]) -> None:
        """Refuse a loaded state that does not fit the components it is loaded with."""


def register(cls: type[Component]) -> type[Component]:
    """Class decorator: make ``cls`` known under ``cls.name`` (once)."""
    if not cls.name or cls.name in REGISTRY:
        raise ValueError(f"component name {cls.name!r} is empty or registered twice")
    REGISTRY[cls.name] = cls
    return cls


def state_error(name: str, exc: Exception) -> ModelError:
    """The error for a component state that cannot be read back."""
    return ModelError(f"the {name!r} component's state is incomplete ({exc!r}); retrain the model.", "E204")
