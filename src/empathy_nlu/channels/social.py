"""Social media: public posts, comments and direct messages (@handles, #hashtags, URLs, emoji).

``raw`` is the post text, or a JSON object (or its string) ``{"text": ..., "public": bool,
"type": "post" | "comment" | "reply" | "mention" | "dm", "timestamp": ...}``. Bare text is
a public post: when unsure, the safe answer is to take the reply to a private channel.
The flag is in the stored metadata and in ``prediction.context["channel"]["public"]``.

Normalization drops the handles addressing the brand ("@AcmeBank my card..."), keeps inline
handles as names, drops the run of hashtags that closes a post (tags, not words: they stay in
the metadata), splits inline camel-case hashtags into words ("my #TopUp failed" -> "my top up
failed"), drops URLs and "RT" prefixes, expands text-speak, fixes swapped letters, and keeps emoji.
"""

from __future__ import annotations

import json
import re

from ..errors import ChannelError
from ..prediction import Prediction
from ..schema import Turn
from .base import ChannelMessage, check_raw, clean_text, decode_raw, handle_message, parse_timestamp
from .shorthand import expand_shorthand
from .typos import fix_swapped_letters

CHANNEL = "social"
PUBLIC_TYPES = frozenset({"post", "comment", "reply", "mention", "tweet", "status", "review"})
PRIVATE_TYPES = frozenset({"dm", "direct_message", "message", "private"})

_URL = re.compile(r"\b(?:https?://|www\.|pic\.twitter\.com/)\S+", re.IGNORECASE)
_MENTION = r"@\w{1,50}"
_RETWEET = re.compile(rf"^RT\s+{_MENTION}:?\s*", re.IGNORECASE)
_LEADING_MENTIONS = re.compile(rf"^(?:(?:hey|hi|hello|dear)\s+)?(?:{_MENTION}[\s,:;]*)+", re.IGNORECASE)
_INLINE_MENTION = re.compile(rf"(?<![\w@]){_MENTION}")
_HASHTAG = re.compile(r"(?<![\w&#])#(\w+)")
_EMOJI_OR_SPACE = "[\\s\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d]"
# The run of tags and handles that closes a post ("... #fail #NotHappy @AcmeBank 😡"), emoji among them.
_TAIL = re.compile(
    rf"(?:(?<=\s)|^)(?:(?:#\w+|{_MENTION}|cc:?)(?:{_EMOJI_OR_SPACE}|[,.;:])*)+$", re.IGNORECASE
)
_TAIL_WORD = re.compile(rf"#\w+|{_MENTION}|\bcc:?", re.IGNORECASE)
_CAMEL_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def split_hashtag(tag: str) -> str:
    """``"NotHappy"`` -> ``"not happy"``, ``"customer_service"`` -> ``"customer service"``;
    an all-lowercase tag stays one word."""
    words = []
    for chunk in tag.split("_"):
        words.extend([chunk] if chunk.isupper() else _CAMEL_PART.findall(chunk) or [chunk])
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)


MAX_CUE_TAGS = 20  # closing hashtags read for cues (a post with more is not written by a person)
_detector = None


def _cue_form(tag: str) -> str | None:
    """How a hashtag that is a cue stays in the text: as words ("#NotHappy" -> "not happy"), or as
    the tag itself, for patterns that are tags only ("#cancelling" is leaving; "cancelling" in a
    sentence may be a transfer). None: the tag is no cue."""
    global _detector
    if _detector is None:
        from ..cues.detector import CueDetector  # spaCy: only for a post with tags

        _detector = CueDetector()
    for form in (split_hashtag(tag), f"#{tag}"):
        if any(cue["score"] > 0 for cue in _detector.detect(form).values()):
            return form
    return None


def _cue_tags(tags: list[str]) -> list[str]:
    """The closing hashtags that are a cue ("#NotHappy", "#cancelling"), in order, as they stay.

    Why: the cue detector reads the turn's text, and a closing tag is often where a post says how
    the customer feels; the other tags (brand, topic) stay out of the sentence the intent reads.
    """
    forms = (_cue_form(tag) for tag in tags[:MAX_CUE_TAGS])
    return [form for form in forms if form is not None]


def _inline_tag(tag: str) -> str:
    """An inline hashtag as words, unless it is a tag-only cue, which stays a tag."""
    form = _cue_form(tag)
    return form if form is not None and form.startswith("#") else split_hashtag(tag)


def _drop_tail(text: str) -> str:
    """The hashtags and handles closing a post label and address it, they are not part of the
    sentence: drop them (emoji among them stay), but keep the words of the tags that are a cue
    (``_cue_tags``). A post made only of them keeps them, as words."""
    tail = _TAIL.search(text)
    if tail is None or not any(ch.isalnum() for ch in text[: tail.start()]):
        return text
    kept = _cue_tags(_HASHTAG.findall(tail.group(0)))
    return " ".join([text[: tail.start()], *kept, _TAIL_WORD.sub(" ", tail.group(0))])


def normalize_post(text: str) -> tuple[str, dict]:
    """The post as a sentence, and what was taken out of it (mentions, hashtags, URL count)."""
    text = clean_text(text)
    mentions = [m[1:] for m in re.findall(_MENTION, text)]
    hashtags = _HASHTAG.findall(text)
    urls = len(_URL.findall(text))
    text = _URL.sub(" ", text)
    text = _RETWEET.sub("", text)
    text = _LEADING_MENTIONS.sub("", text.strip())
    text = _drop_tail(text)
    text = _INLINE_MENTION.sub(lambda m: m.group(0)[1:], text)
    text = _HASHTAG.sub(lambda m: _inline_tag(m.group(1)), text)
    text = fix_swapped_letters(expand_shorthand(clean_text(text))).lstrip(",.:;- ")
    return text, {"mentions": mentions, "hashtags": hashtags, "urls": urls}


def _payload(raw) -> tuple[str, bool, object]:
    """(text, public, timestamp) from bare text or a JSON object."""
    if isinstance(raw, dict):
        payload = raw
    else:
        text = decode_raw(raw, CHANNEL)
        if not text.lstrip().startswith("{"):
            return text, True, None
        try:
            payload = json.loads(text)
        except (ValueError, RecursionError):  # invalid JSON, 5,000-digit integers, 10,000 nested arrays
            return text, True, None  # a post that starts with "{" is still a post
        if not isinstance(payload, dict):
            return text, True, None
    if not isinstance(payload.get("text"), str):
        raise ChannelError('a social payload object needs a "text" field with a string.', "E339")
    public = payload.get("public")
    kind = payload.get("type")
    if public is None and kind is not None:
        if not isinstance(kind, str) or kind.lower() not in PUBLIC_TYPES | PRIVATE_TYPES:
            known = sorted(PUBLIC_TYPES | PRIVATE_TYPES)
            raise ChannelError(f"social payload type must be one of {known}, got {kind!r}.", "E339")
        public = kind.lower() in PUBLIC_TYPES
    if public is not None and not isinstance(public, bool):
        raise ChannelError(f'social payload "public" must be true or false, got {public!r}.', "E339")
    return payload["text"], True if public is None else public, payload.get("timestamp")


def read(raw: str | bytes | dict) -> ChannelMessage:
    """The post as a ``Turn``; metadata: ``public``, ``mentions``, ``hashtags``, ``urls``."""
    if not isinstance(raw, dict):
        check_raw(raw, CHANNEL)
    text, public, timestamp = _payload(raw)
    text, found = normalize_post(text)
    turn = Turn(text=text, channel=CHANNEL, timestamp=parse_timestamp(timestamp, CHANNEL))
    return ChannelMessage(turn, {"public": public, **found})


def parse(raw: str | bytes | dict) -> Turn:
    """The ``Turn`` for a post or direct message."""
    return read(raw).turn


def is_public(raw: str | bytes | dict) -> bool:
    """Whether ``raw`` is a public post (its reply should move to a private channel)."""
    return read(raw).meta["public"]


def handle(raw: str | bytes | dict, customer_id: str, classifier, store) -> Prediction:
    """Parse, predict with the customer's history from ``store``, store the turn; the ``Prediction``."""
    return handle_message(read(raw), customer_id, classifier, store)
