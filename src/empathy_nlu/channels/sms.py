"""SMS: the text of one short message, often in text-speak ("pls", "ur", "cant", "2day") and emoji.

Normalization expands text-speak (see ``shorthand.py``), fixes swapped letters (``typos.py``)
and leaves emoji in place: the shared
preprocessing splits them off words, and sentiment reads them. An emoji-only message is valid:
it becomes a turn the model answers as out-of-scope.
"""

from __future__ import annotations

from ..prediction import Prediction
from ..schema import Turn
from .base import ChannelMessage, clean_text, decode_raw, end_question, handle_message
from .shorthand import expand_shorthand
from .typos import fix_swapped_letters

CHANNEL = "sms"


def normalize_sms(text: str) -> str:
    """The message with text-speak spelled out, swapped letters fixed ("payemnt"), whitespace
    collapsed, a dropped "?" restored."""
    return end_question(fix_swapped_letters(expand_shorthand(clean_text(text))))


def read(raw: str | bytes) -> ChannelMessage:
    """The message as a ``Turn`` (SMS has no metadata)."""
    return ChannelMessage(Turn(text=normalize_sms(decode_raw(raw, CHANNEL)), channel=CHANNEL), {})


def parse(raw: str | bytes) -> Turn:
    """The ``Turn`` for an SMS text."""
    return read(raw).turn


def handle(raw: str | bytes, customer_id: str, classifier, store) -> Prediction:
    """Parse, predict with the customer's history from ``store``, store the turn; the ``Prediction``."""
    return handle_message(read(raw), customer_id, classifier, store)
