"""``Prediction.language``: the message's own language, or the conversation's when the message is unsure.

Why fall back to the conversation: "ok", "yes", "12345" or a Chinese sentence around an English
film title say little about the customer's language, but the turns before do; the most recent
customer turn whose language is known (given by the channel or the store, or detected with
confidence) is the best guess. Pure: the guess of the message, the window and a detector in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..language.detect import MIN_CONFIDENCE, LanguageGuess
from ..schema import Turn

# A turn's language given by its channel or its store is taken as certain.
GIVEN_CONFIDENCE = 1.0


def is_confident(guess: LanguageGuess | None) -> bool:
    return guess is not None and guess.code is not None and guess.confidence >= MIN_CONFIDENCE


def conversation_language(
    window: Sequence[Turn], language_of: Callable[[str], LanguageGuess]
) -> LanguageGuess | None:
    """The language of the most recent customer turn of ``window`` whose language is known, or None."""
    for turn in reversed(window):
        if turn.speaker != "customer":
            continue
        if turn.language is not None:
            return LanguageGuess(turn.language, GIVEN_CONFIDENCE)
        guess = language_of(turn.text)
        if is_confident(guess):
            return guess
    return None


def describe_language(
    message: LanguageGuess | None, window: Sequence[Turn], language_of: Callable[[str], LanguageGuess]
) -> dict:
    """``{"code", "confidence", "source"}`` of docs/language_id.md: the message's language when it is
    confident, else the conversation's (``source: conversation``), else ``code: None``."""
    if is_confident(message):
        return {"code": message.code, "confidence": message.confidence, "source": "message"}
    earlier = conversation_language(window, language_of)
    if earlier is not None:
        return {"code": earlier.code, "confidence": earlier.confidence, "source": "conversation"}
    return {"code": None, "confidence": 0.0, "source": "message"}
