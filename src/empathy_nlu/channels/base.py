"""What every channel adapter shares: raw input checks, the ``handle`` flow, the channel context.

Why one ``handle_message``: an adapter's only job is to turn its raw input into a ``Turn``
(normalization); reading the history, predicting and storing are the same for every channel,
so one model and one store serve them all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..errors import ChannelError, InputError
from ..history import parse_timestamp as parse_time
from ..history import replace_surrogates, shown
from ..schema import Turn

if TYPE_CHECKING:  # only for type hints: adapters take any classifier and store with these methods
    from ..prediction import Prediction
    from ..store import ConversationStore

MAX_RAW_CHARS = 10_000_000  # a raw input larger than this (10 MB) is refused, not parsed
# The text of one message is read up to this many characters (20 times ``predict.max_chars``): its
# normalization, the turn stored and the prediction cost no more for a longer one (docs/input_rules.md).
MAX_TEXT_CHARS = 100_000
_INVISIBLE = re.compile("[\u200b\u200c\u2060\ufeff\u00ad]")  # zero-width characters, BOM, soft hyphen
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def word_set(words: str) -> frozenset[str]:
    """A frozen set of the space-separated ``words`` (keeps word lists readable)."""
    return frozenset(words.split())


_QUESTION_START = word_set(
    "how what what's whats why when where who which whose can could would will do does did is are am "
    "should shall may might have has was were isn't aren't don't doesn't didn't can't won't"
)
_FIRST_WORD = re.compile(r"[\w']+")


@dataclass(frozen=True)
class ChannelMessage:
    """An adapter's reading of one raw input: the ``Turn`` for the model, and channel metadata
    (e.g. ``{"public": True, "hashtags": [...]}``) that is stored with the turn."""

    turn: Turn
    meta: dict[str, Any] = field(default_factory=dict)


def check_raw(raw, channel: str) -> None:
    if not isinstance(raw, str | bytes | bytearray):
        raise ChannelError(
            f"{channel} input must be str or bytes, got {type(raw).__name__}.",
            "E330",
        )
    if len(raw) > MAX_RAW_CHARS:
        raise ChannelError(
            f"{channel} input is {len(raw)} characters long; at most {MAX_RAW_CHARS} are read. "
            "Strip attachments before handing it over.",
            "E330",
        )


def decode_raw(raw: str | bytes, channel: str) -> str:
    """``raw`` as text: bytes must be UTF-8 (a byte-order mark is dropped); a lone surrogate in a str
    (half of a UTF-16 pair, e.g. from a JSON ``"\\ud800"``) becomes U+FFFD (docs/input_rules.md)."""
    check_raw(raw, channel)
    if isinstance(raw, str):
        return replace_surrogates(raw)
    try:
        return bytes(raw).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ChannelError(
            f"{channel} input is not valid UTF-8 (byte {exc.start}: {exc.reason}); decode it with its "
            "real encoding and pass a str.",
            "E331",
        ) from exc


def clean_text(text: str) -> str:
    """NFC, no control or zero-width characters, whitespace runs collapsed to one space, no lone
    surrogates (U+FFFD instead)."""
    text = unicodedata.normalize("NFC", replace_surrogates(text[:MAX_TEXT_CHARS]))
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", text))
    return " ".join(text.split())


def end_question(text: str) -> str:
    """``text`` ending in "?" when it opens like a question ("how do i ...") and has no final punctuation.

    Why: transcripts and text messages drop the question mark that typed training sentences have.
    """
    first = _FIRST_WORD.match(text.lstrip().lower())
    stripped = text.rstrip()
    if first and first.group(0) in _QUESTION_START and stripped and stripped[-1].isalnum():
        return stripped + "?"
    return text


def parse_timestamp(value, channel: str) -> datetime | None:
    """A payload's timestamp: ISO 8601, epoch seconds, or None; anything else is ``E334``, and a time
    outside the years 1900 to 2199 (the rule of ``predict``, docs/input_rules.md) is ``E340``."""
    try:
        return parse_time(value, f"{channel} timestamp")
    except InputError as exc:
        if exc.code == "E315":
            raise ChannelError(
                f"{channel} timestamp {shown(value)} is outside the years 1900 to 2199 (or not a finite "
                "number); send the real time of the message, e.g. 2024-06-03T09:15:00Z.",
                "E340",
            ) from None
    raise ChannelError(
        f"{channel} timestamp must be ISO 8601 (e.g. 2024-06-03T09:15:00Z) or epoch seconds, "
        f"got {shown(value)}.",
        "E334",
    )


# -- the channel in the prediction ----------------------------------------------------------------
def channel_context(channel: str, meta: dict[str, Any]) -> dict[str, Any]:
    """What the prediction says about the channel: its name and whether the message is public
    (a public social post: the reply should move to a private channel)."""
    public = bool(meta.get("public", False))
    return {"name": channel, "public": public, "reply_privately": public}


def with_channel_context(prediction: Prediction, channel: str, meta: dict[str, Any]) -> Prediction:
    """``prediction`` with ``context["channel"]`` set; the other context keys are kept as they are."""
    context = {**prediction.context, "channel": channel_context(channel, meta)}
    return replace(prediction, context=context)


def channel_of(prediction: Prediction) -> dict[str, Any] | None:
    """``prediction.context["channel"]`` as set by ``handle`` (None when it did not go through one)."""
    return prediction.context.get("channel")


# -- the shared flow --------------------------------------------------------------------------------
def history_window(classifier) -> int:
    """How many earlier turns to read: the classifier's ``predict.max_history_turns`` (default 50)."""
    config = getattr(classifier, "config", None) or {}
    return int(config.get("predict", {}).get("max_history_turns", 50))


def handle_message(
    message: ChannelMessage,
    customer_id: str,
    classifier,
    store: ConversationStore,
) -> Prediction:
    """History from ``store`` -> ``classifier.predict`` -> the turn and its prediction appended.

    The turn is stamped now when the channel gave no time. The append is one transaction:
    when this returns, the turn is stored; when ``predict`` fails, nothing is stored. The HTTP
    service runs the same three steps, with the store's two in threads.
    """
    from ..store.base import check_customer_id

    check_customer_id(customer_id)
    turn = stamped(message.turn)
    history = [stored.turn for stored in store.history(customer_id, limit=history_window(classifier))]
    prediction = predict_message(message, turn, history, classifier)
    store.append(customer_id, turn, prediction=prediction.to_dict(), meta=message.meta)
    return prediction


def stamped(turn: Turn) -> Turn:
    """``turn`` with a timestamp: its own, or now (UTC) when the channel gave none."""
    return turn if turn.timestamp is not None else replace(turn, timestamp=datetime.now(UTC))


def predict_message(message: ChannelMessage, turn: Turn, history: list[Turn], classifier) -> Prediction:
    """The prediction for a stamped ``turn`` after ``history``, with the channel in its context."""
    prediction = classifier.predict(
        turn.text, history=history, reference_time=turn.timestamp, channel=turn.channel
    )
    return with_channel_context(prediction, turn.channel or "unknown", message.meta)
