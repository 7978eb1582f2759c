"""Errors with stable codes and messages that say what to do.

Every error raised on purpose by empathy-nlu is an ``EmpathyError`` carrying a
stable ``code`` (``E1xx`` data, ``E2xx`` model files, ``E3xx`` input, ``E4xx``
configuration) so programs can branch on it and users can search for it.
"""

from __future__ import annotations

import warnings


class EmpathyError(Exception):
    """Base class of every error empathy-nlu raises on purpose."""

    code = "E000"

    def __init__(self, message: str, code: str | None = None) -> None:
        if code is not None:
            self.code = code
        self.message = message
        super().__init__(f"[{self.code}] {message}")

    def to_dict(self) -> dict:
        return {"error": type(self).__name__, "code": self.code, "message": self.message}


class DataError(EmpathyError, ValueError):
    """Training or evaluation data that cannot be used, with where it is."""

    code = "E100"

    def __init__(self, message: str, source: str = "", code: str | None = None) -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message, code)


class ModelError(EmpathyError):
    """A model directory that is missing, tampered with, truncated or of another version."""

    code = "E200"


class InputError(EmpathyError, ValueError):
    """An argument to ``predict`` (utterance or history) that is not usable."""

    code = "E300"


class ConfigError(EmpathyError, ValueError):
    """A configuration value or file that is not valid."""

    code = "E400"


class NotFittedError(EmpathyError):
    """A component used before ``fit`` (or ``from_path``)."""

    code = "E500"


class ChannelError(InputError):
    """Raw channel input (email, chat payload, transcript, ...) that an adapter cannot read (E330-E349)."""

    code = "E330"


class StoreError(EmpathyError):
    """The conversation store cannot be opened, read or written (E600-E619)."""

    code = "E600"


class DataWarning(UserWarning):
    """Data that is usable but suspicious (e.g. the same text under two labels)."""


def warn_data(message: str) -> None:
    warnings.warn(message, DataWarning, stacklevel=3)
