"""empathy-nlu: one NLU for every support channel.

>>> from empathy_nlu import Classifier
>>> clf = Classifier.load()              # the bundled default model
>>> clf.predict("my card never arrived", history=["hi"]).to_dict()
"""

__version__ = "0.1.0"

from .classifier import Classifier, default_model_path  # noqa: E402
from .errors import ConfigError, DataError, EmpathyError, InputError, ModelError  # noqa: E402
from .prediction import IntentScore, Prediction  # noqa: E402
from .schema import Dataset, EntitySpan, Example, Turn  # noqa: E402

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
