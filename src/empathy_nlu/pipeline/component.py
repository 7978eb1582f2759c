"""The one contract every component implements, and the registry that names them.

A component (featurizer, intent, multi-intent, sentiment, cues, builtin entities,
learned entities, history-aware intent) is registered once under its name, which
is also its config section and its file name in a model directory. It declares:

- ``Params``: a frozen dataclass of its settings, defaults and range checks;
- ``supports(data, params)``: whether the training data (and config) give it anything to learn;
- ``fit(data, fitted, say)``: learn from ``TrainingData`` and the components fitted before it;
- ``process(batch)``: fill the fields it owns on the docs of a ``Batch`` (batch-first);
- ``to_state()`` / ``from_state(params, state, arrays)``: plain JSON and numpy arrays, never pickle;
- ``array_spec(state)``: the dtype, shape and value range of every array it saves (``ArraySpec``),
  checked by ``check_arrays`` before ``from_state`` sees the arrays;
- ``check(components)``: refuse a loaded state that does not fit the other components.

Training is a loop over the registered components in order; prediction is the same loop
over ``process``. A new component is a class with this contract plus one ``@register``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import ModelError
from .doc import Batch
from .params import Params

Progress = Callable[[str], None]

REGISTRY: dict[str, type[Component]] = {}

# -- what a saved array may hold (docs/model_files.md) --------------------------------------------------
# Trained weights are below 10 in magnitude; the bound only refuses absurd values (1e308, 3e38) whose
# products overflow to inf and NaN. float16 arrays cannot exceed 65504, so it never binds them.
WEIGHT_LIMIT = 1e6
# idf = 1 + log((1 + n_docs) / (1 + df)) with df <= n_docs: at least 1; 50 would need e^49 texts.
IDF_RANGE = (1.0, 50.0)


@dataclass(frozen=True)
class ArraySpec:
    """What one saved array must be: its dtype, its shape and the range of its values.

    ``shape`` gives each dimension's length, or None where it depends on another component (the
    number of shared features): ``check(components)`` checks that one once every component is loaded.
    """

    dtype: str
    shape: tuple[int | None, ...]
    low: float = -WEIGHT_LIMIT
    high: float = WEIGHT_LIMIT


def weights(*shape: int | None, dtype: str = "float32") -> ArraySpec:
    """Linear weights, intercepts, calibration and CRF weights: finite, |value| <= ``WEIGHT_LIMIT``."""
    return ArraySpec(dtype, shape)


def idf(length: int) -> ArraySpec:
    """Inverse document frequencies of a vocabulary of ``length`` n-grams (float32, ``IDF_RANGE``)."""
    return ArraySpec("float32", (length,), *IDF_RANGE)


def indices(length: int | None, size: int) -> ArraySpec:
    """int32 positions into a list of ``size`` items: 0 <= value < size."""
    return ArraySpec("int32", (length,), 0, size - 1)


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
    def array_spec(cls, state: dict) -> dict[str, ArraySpec]:
        """Every array ``to_state`` saves, by name, as ``state`` (the JSON part, already read) implies."""
        return {}

    @classmethod
    def from_state(cls, params: Params, state: dict, arrays: dict[str, np.ndarray]) -> Component:
        return cls(params)

    def check(self, components: dict[str, Component]) -> None:
        """Refuse a loaded state that does not fit the components it is loaded with."""


class ModelComponent(Component):
    """A component whose state is one fitted model ``model_`` over the shared feature rows (intent,
    multi-intent, sentiment, history-aware intent): its state is the model's, and its weights must
    fit the featurizer it is loaded with."""

    Model: ClassVar[type]  # its class: ``from_state(state, arrays)``, ``to_state()``, ``check_features``

    @property
    def labels_(self) -> list[str]:
        return list(self.model_.labels_)

    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        return self.model_.to_state()

    @classmethod
    def from_state(cls, params: Params, state: dict, arrays: dict[str, np.ndarray]) -> Component:
        component = cls(params)
        try:
            component.model_ = cls.Model.from_state(state, arrays)
        except (KeyError, TypeError) as exc:
            raise state_error(cls.name, exc) from exc
        return component

    def check(self, components: dict[str, Component]) -> None:
        self.model_.check_features(components["features"].n_features_)


def register(cls: type[Component]) -> type[Component]:
    """Class decorator: make ``cls`` known under ``cls.name`` (once)."""
    if not cls.name or cls.name in REGISTRY:
        raise ValueError(f"component name {cls.name!r} is empty or registered twice")
    REGISTRY[cls.name] = cls
    return cls


def state_error(name: str, exc: Exception) -> ModelError:
    """The error for a component state that cannot be read back."""
    return ModelError(f"the {name!r} component's state is incomplete ({exc!r}); retrain the model.", "E204")


# An IEEE float is NaN or infinite exactly when its exponent bits are all ones: a bit test is six times
# faster than np.isfinite on float16 weights (0.7 ms for the bundled model's largest array).
_EXPONENT_BITS = {
    np.dtype(np.float16): (np.uint16, 0x7C00),
    np.dtype(np.float32): (np.uint32, 0x7F800000),
    np.dtype(np.float64): (np.uint64, 0x7FF0000000000000),
}


def all_finite(array: np.ndarray) -> bool:
    """Whether no value of the float ``array`` is NaN or infinite."""
    bits = _EXPONENT_BITS.get(array.dtype)
    if bits is None:  # another byte order or width
        return bool(np.isfinite(array).all())
    unsigned, mask = bits
    return not ((array.view(unsigned) & unsigned(mask)) == mask).any()


def check_arrays(cls: type[Component], state: dict, arrays: dict[str, np.ndarray]) -> None:
    """Refuse arrays that are not exactly what ``cls.array_spec(state)`` declares, before ``from_state``.

    A checksum only says a file is the one the manifest lists; this says it is what the component
    can use: the declared names (E239), dtype (E235, either byte order), shape (E236), no NaN or
    infinity (E237) and values within the declared range (E238). Without it an int64, bool, string
    or complex array is cast silently and a NaN weight makes every answer NaN.
    """
    name = cls.name
    try:
        specs = cls.array_spec(state)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise state_error(name, exc) from exc
    missing, extra = sorted(set(specs) - set(arrays)), sorted(set(arrays) - set(specs))
    if missing or extra:
        raise ModelError(
            f"the {name!r} component has arrays {sorted(arrays)}, it saves {sorted(specs)} "
            f"(missing {missing}, not its own {extra}); retrain or restore the model.",
            "E239",
        )
    for key, spec in specs.items():
        array, where = arrays[key], f"array {key!r} of the {name!r} component"
        if array.dtype.newbyteorder("=") != np.dtype(spec.dtype):
            raise ModelError(f"{where} is {array.dtype}, it must be {spec.dtype}; retrain the model.", "E235")
        if array.ndim != len(spec.shape) or any(
            want is not None and have != want for have, want in zip(array.shape, spec.shape, strict=True)
        ):
            expected = tuple("any" if n is None else n for n in spec.shape)
            raise ModelError(f"{where} has shape {array.shape}, expected {expected}; retrain.", "E236")
        if array.size == 0:
            continue
        if array.dtype.kind == "f" and not all_finite(array):
            raise ModelError(f"{where} holds NaN or infinite values; retrain or restore the model.", "E237")
        info = np.finfo(array.dtype) if array.dtype.kind == "f" else np.iinfo(array.dtype)
        if spec.low > float(info.min) or spec.high < float(info.max):  # float16: its dtype bounds it
            low, high = array.min(), array.max()
            if low < spec.low or high > spec.high:
                raise ModelError(
                    f"{where} has values in [{low}, {high}], outside [{spec.low}, {spec.high}]; "
                    "retrain or restore the model.",
                    "E238",
                )
