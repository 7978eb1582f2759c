"""Channel adapters: every channel's raw input becomes a ``Turn`` for one model and one store.

Each adapter module has the same face::

    parse(raw) -> Turn
    handle(raw, customer_id, classifier, store) -> Prediction

``handle`` reads the customer's recent turns (from any channel) from the store, predicts,
and appends the turn with its prediction. Channel differences live only in each adapter's
normalization. See docs/channels.md.
"""

from __future__ import annotations

from types import ModuleType

from ..errors import ChannelError
from . import chat, email, sms, social, voice
from .base import ChannelMessage, channel_context, channel_of, handle_message, with_channel_context

CHANNELS: dict[str, ModuleType] = {
    "chat": chat,
    "email": email,
    "sms": sms,
    "voice": voice,
    "social": social,
}

__all__ = [
    "CHANNELS",
    "ChannelMessage",
    "adapter",
    "channel_context",
    "channel_of",
    "chat",
    "email",
    "handle_message",
    "sms",
    "social",
    "voice",
    "with_channel_context",
]


def adapter(name: str) -> ModuleType:
    """The adapter module for a channel name (``chat``, ``email``, ``sms``, ``voice``, ``social``)."""
    try:
        return CHANNELS[name]
    except (KeyError, TypeError):
        raise ChannelError(f"unknown channel {name!r}; use one of {sorted(CHANNELS)}.", "E338") from None
