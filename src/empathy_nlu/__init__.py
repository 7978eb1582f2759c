"""empathy-nlu: one NLU for every support channel.

>>> from empathy_nlu import Classifier
>>> clf = Classifier.load()              # the bundled default model
>>> clf.predict("my card never arrived", history=["hi"]).to_dict()

Importing the package is cheap: the public names below are imported on first use
(PEP 562 module ``__getattr__``), so ``empathy_nlu.__version__`` and ``empathy-nlu
--version`` load neither numpy, scipy nor spaCy, and ``import empathy_nlu`` alone
loads none of them either.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> submodule that defines it
_LAZY = {
    "Classifier": ".classifier",
    "default_model_path": ".classifier",
    "ConfigError": ".errors",
    "DataError": ".errors",
    "EmpathyError": ".errors",
    "InputError": ".errors",
    "ModelError": ".errors",
    "IntentScore": ".prediction",
    "Prediction": ".prediction",
    "Dataset": ".schema",
    "EntitySpan": ".schema",
    "Example": ".schema",
    "Turn": ".schema",
}

if TYPE_CHECKING:  # what type checkers and IDEs see; nothing is imported at run time
    from .classifier import Classifier, default_model_path
    from .errors import ConfigError, DataError, EmpathyError, InputError, ModelError
    from .prediction import IntentScore, Prediction
    from .schema import Dataset, EntitySpan, Example, Turn


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Classifier",
    "ConfigError",
    "DataError",
    "Dataset",
    "EmpathyError",
    "EntitySpan",
    "Example",
    "InputError",
    "IntentScore",
    "ModelError",
    "Prediction",
    "Turn",
    "__version__",
    "default_model_path",
]
