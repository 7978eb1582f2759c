"""Chat (web widget, in-app messenger): a JSON object, or its string, with a ``text`` field.

Chat text is already what the customer typed, so normalization is light: HTML entities some
widgets leave in (``&amp;``), zero-width characters and whitespace. Other payload fields are
ignored except ``timestamp`` (ISO 8601 or epoch seconds).
"""

from __future__ import annotations

import html
import json

from ..errors import ChannelError
from ..prediction import Prediction
from ..schema import Turn
from .base import (
    MAX_TEXT_CHARS,
    ChannelMessage,
    check_raw,
    clean_text,
    decode_raw,
    handle_message,
    parse_timestamp,
)

CHANNEL = "chat"


def _payload(raw) -> dict:
    if isinstance(raw, dict):
        return raw
    text = decode_raw(raw, CHANNEL)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ChannelError(
            f"chat payload is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            'send an object such as {"text": "..."}.',
            "E332",
        ) from exc
    except (ValueError, RecursionError) as exc:  # an integer of 5,000 digits, arrays nested 10,000 deep
        raise ChannelError(
            f"chat payload cannot be read as JSON ({type(exc).__name__}); "
            'send an object such as {"text": "..."}.',
            "E332",
        ) from None
    if not isinstance(payload, dict):
        raise ChannelError(
            f'chat payload must be a JSON object such as {{"text": "..."}}, got {type(payload).__name__}.',
            "E332",
        )
    return payload


def read(raw: str | bytes | dict) -> ChannelMessage:
    """The chat message as a ``Turn`` (and no metadata)."""
    if not isinstance(raw, dict):
        check_raw(raw, CHANNEL)
    payload = _payload(raw)
    text = payload.get("text")
    if not isinstance(text, str):
        found = "missing" if "text" not in payload else f"of type {type(text).__name__}"
        raise ChannelError(f'chat payload needs a "text" field with a string; it is {found}.', "E333")
    text = text[:MAX_TEXT_CHARS]
    if "&" in text:
        text = html.unescape(text)
    turn = Turn(
        text=clean_text(text),
        channel=CHANNEL,
        timestamp=parse_timestamp(payload.get("timestamp"), CHANNEL),
    )
    return ChannelMessage(turn, {})


def parse(raw: str | bytes | dict) -> Turn:
    """The ``Turn`` for a chat payload."""
    return read(raw).turn


def handle(raw: str | bytes | dict, customer_id: str, classifier, store) -> Prediction:
    """Parse, predict with the customer's history from ``store``, store the turn; the ``Prediction``."""
    return handle_message(read(raw), customer_id, classifier, store)
