"""E-mail: an RFC 822 / MIME message (bytes, or its text) as the customer's mail client sent it.

The standard library's ``email`` package (``policy.default``) reads headers and decodes
quoted-printable, base64 and charsets; the plain-text part is preferred, the HTML part is
used when there is no plain text (see ``email_body.py`` for how quotes, signatures and
footers are cut). The subject of a new message is put before the body when it says something the
body does not ("Card not arrived"); generic subjects ("Question", "Help please") and the subject
of a reply or forward (it names the thread, not the new message) are left out.
The ``Date`` header is the turn's timestamp.
"""

from __future__ import annotations

import email
import re
from email import policy
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage

from ..errors import ChannelError, InputError
from ..history import parse_timestamp, replace_surrogates
from ..prediction import Prediction
from ..schema import Turn
from .base import ChannelMessage, check_raw, clean_text, handle_message
from .email_body import bounded_body, html_to_text, latest_text

CHANNEL = "email"
_HEADERS = ("from", "to", "subject", "date", "message-id", "content-type", "mime-version", "reply-to")
_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|wg|sv|tr|rv|antw)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_TICKET = re.compile(
    r"[\[(]?\s*(?:#|(?:ticket|case|ref|reference|request|incident)\s*(?:no\.?|number)?\s*[#:]?)\s*"
    r"[A-Z0-9-]*\d[A-Z0-9-]*\s*[\])]?",
    re.IGNORECASE,
)
# fmt: off
GENERIC_SUBJECTS = frozenset(
    {
        "", "no subject", "help", "help please", "please help", "help needed", "question", "a question",
        "quick question", "query", "enquiry", "inquiry", "request", "support", "support request",
        "your support request", "your request", "your enquiry", "your inquiry", "customer support",
        "customer service", "contact", "contact form", "contact us", "hello", "hi", "urgent", "important",
        "issue", "problem", "my account", "account", "complaint", "feedback", "follow up", "following up",
        "message", "new message", "info", "information", "update", "assistance",
    }
)
# fmt: on


# Bounds on the work one message costs (docs/input_rules.md): the standard library parses MIME
# parts and structured headers in time that grows faster than their size, so a message is read
# up to its MAX_PARTS-th line starting with "--" (a part boundary), a header up to MAX_HEADER_CHARS
# characters, a Content-Type that is not plain "type/subtype; name=value; ..." as its type and its
# charset and boundary only, and an HTML body up to MAX_HTML_CHARS characters (the text body: see
# email_body.MAX_BODY_CHARS). A message within those bounds reads as before.
MAX_PARTS = 200
MAX_HEADER_CHARS = 2000
MAX_HTML_CHARS = 100_000
_TOKEN = r"[A-Za-z0-9!#$&+.^_`|~*'%-]"
_PLAIN_PARAMETERS = re.compile(
    rf"\s*{_TOKEN}{{1,64}}(?:/{_TOKEN}{{1,64}})?"
    rf"(?:\s*;\s*{_TOKEN}{{1,64}}\s*=\s*(?:\"[^\"\\\r\n]{{0,256}}\"|[^\s;\"()<>@,\\]{{0,256}}))*\s*;?\s*"
)
_MEDIA_TYPE = re.compile(rf"\s*({_TOKEN}{{1,64}}(?:/{_TOKEN}{{1,64}})?)")
_KEY_PARAMETER = re.compile(
    r";\s*(charset|boundary)\s*=\s*(\"[^\"\\\r\n]{0,256}\"|[^\s;\"()<>@,\\]{1,256})", re.IGNORECASE
)
_PARAMETERIZED = frozenset({"content-type", "content-disposition"})


def _bounded_header(name: str, value: str) -> str:
    value = value[:MAX_HEADER_CHARS]
    if name.lower() in _PARAMETERIZED and not _PLAIN_PARAMETERS.fullmatch(value):
        kind = _MEDIA_TYPE.match(value)
        kept = [kind.group(1)] if kind else []
        kept += [f"{m.group(1)}={m.group(2)}" for m in _KEY_PARAMETER.finditer(value)]
        value = "; ".join(kept)
    return value


class _BoundedHeaders(HeaderRegistry):
    """The standard header classes, given at most a bounded, plain form of each value."""

    def __call__(self, name, value):
        return super().__call__(name, _bounded_header(name, value))


_POLICY = policy.default.clone(header_factory=_BoundedHeaders())


def _first_parts(raw: str | bytes) -> str | bytes:
    """``raw`` up to its ``MAX_PARTS``-th line that starts with "--" (the rest is not read)."""
    marker = "\n--" if isinstance(raw, str) else b"\n--"
    position = -1
    for _ in range(MAX_PARTS):
        position = raw.find(marker, position + 1)
        if position < 0:
            return raw
    return raw[:position]


def _message(raw: str | bytes) -> EmailMessage:
    check_raw(raw, CHANNEL)
    # a str message with lone surrogates (not UTF-8 text): U+FFFD, as everywhere (docs/input_rules.md)
    raw = _first_parts(replace_surrogates(raw) if isinstance(raw, str) else bytes(raw))
    if isinstance(raw, str):
        message = email.message_from_string(raw, policy=_POLICY)
    else:
        message = email.message_from_bytes(raw, policy=_POLICY)
    if not any(name in message for name in _HEADERS):
        raise ChannelError(
            "email input is not an RFC 822 message: it has no From/To/Subject/Date/Content-Type header. "
            "Pass the full message (headers, a blank line, the body), or the chat/sms channel for bare text.",
            "E335",
        )
    return message


def _header(message: EmailMessage, name: str):
    """A header, or None when it is absent or too broken to read (odd headers are not an error)."""
    try:
        return message[name]
    except (ValueError, TypeError, IndexError, LookupError):
        return None


def _content(part) -> str:
    """A text part decoded; an unknown or wrong charset falls back to UTF-8 with replacement."""
    try:
        content = part.get_content()
        return content if isinstance(content, str) else content.decode("utf-8", "replace")
    except (LookupError, UnicodeError, ValueError, AssertionError):
        try:
            payload = part.get_payload(decode=True) or b""
        except (LookupError, UnicodeError, ValueError, AssertionError):
            return ""
        return payload.decode("utf-8", "replace")


def _body(message: EmailMessage) -> tuple[str, dict]:
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        text, found = latest_text(bounded_body(_content(plain)))
        if text:
            return text, {**found, "content_type": "text/plain"}
    html = message.get_body(preferencelist=("html",))
    if html is not None:
        text, found = html_to_text(_content(html)[:MAX_HTML_CHARS])
        text, more = latest_text(bounded_body(text))
        found = {key: found[key] or more[key] for key in found}
        return text, {**found, "content_type": "text/html"}
    return "", {"quoted": False, "forwarded": False, "content_type": None}


def clean_subject(subject: str) -> str:
    """The subject without reply/forward prefixes and ticket references."""
    subject = _PREFIX.sub("", clean_text(subject))
    return clean_text(_TICKET.sub(" ", subject)).strip(" -:|")


def informative(subject: str, body: str) -> bool:
    """Whether the subject says something the body does not (and is not a generic one)."""
    words = re.findall(r"\w+", subject.casefold())
    if " ".join(words) in GENERIC_SUBJECTS:
        return False
    body_words = set(re.findall(r"\w+", body.casefold()))
    return not all(word in body_words for word in words)


def _timestamp(message: EmailMessage):
    """The ``Date`` header as a datetime; None when absent, unreadable or outside the years 1900 to
    2199 (``predict``'s range): a message with an odd date is still read, stamped when handled."""
    moment = getattr(_header(message, "date"), "datetime", None)
    try:
        return parse_timestamp(moment, "email Date")
    except InputError:
        return None


def read(raw: str | bytes) -> ChannelMessage:
    """The message as a ``Turn``; metadata: ``subject``, ``quoted``, ``forwarded``, ``content_type``."""
    try:
        return _read(raw)
    except RecursionError:
        raise ChannelError(
            "email input nests MIME parts or header comments too deeply to be read; "
            "pass the message as the mail client sent it, or its text through the chat channel.",
            "E341",
        ) from None


def _read(raw: str | bytes) -> ChannelMessage:
    message = _message(raw)
    subject_header = _header(message, "subject")
    raw_subject = str(subject_header) if subject_header is not None else ""
    subject = clean_subject(raw_subject)
    body, found = _body(message)
    text = body
    # In a reply or a forward the subject names the thread, not what the customer writes now.
    in_thread = bool(_PREFIX.match(raw_subject)) or found["quoted"] or found["forwarded"]
    if subject and not in_thread and informative(subject, body):
        text = f"{subject}{'' if subject[-1] in '.?!' else '.'} {body}" if body else subject
    turn = Turn(text=text.strip(), channel=CHANNEL, timestamp=_timestamp(message))
    return ChannelMessage(turn, {"subject": subject, **found})


def parse(raw: str | bytes) -> Turn:
    """The ``Turn`` for an e-mail message."""
    return read(raw).turn


def handle(raw: str | bytes, customer_id: str, classifier, store) -> Prediction:
    """Parse, predict with the customer's history from ``store``, store the turn; the ``Prediction``."""
    return handle_message(read(raw), customer_id, classifier, store)
