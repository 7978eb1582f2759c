"""The language of one message, with a confidence (filled in by the language-ID work)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """An ISO 639-1 code (None: unknown) and how sure the guess is, in [0, 1]."""

    code: str | None
    confidence: float
