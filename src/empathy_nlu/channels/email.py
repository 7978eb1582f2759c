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
from email.message import EmailMessage

from ..errors import ChannelError
from ..prediction import Prediction
from ..schema import Turn
from .base import ChannelMessage, check_raw, clean_text, handle_message
from .email_body import html_to_text, latest_text

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


def _message(raw: str | bytes) -> EmailMessage:
    check_raw(raw, CHANNEL)
    if isinstance(raw, str):
        message = email.message_from_string(raw, policy=policy.default)
    else:
        message = email.message_from_bytes(bytes(raw), policy=policy.default)
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
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")


def _body(message: EmailMessage) -> tuple[str, dict]:
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        text, found = latest_text(_content(plain))
        if text:
            return text, {**found, "content_type": "text/plain"}
    html = message.get_body(preferencelist=("html",))
    if html is not None:
        text, found = html_to_text(_content(html))
        text, more = latest_text(text)
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


def read(raw: str | bytes) -> ChannelMessage:
    """The message as a ``Turn``; metadata: ``subject``, ``quoted``, ``forwarded``, ``content_type``."""
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
    date = _header(message, "date")
    timestamp = getattr(date, "datetime", None)
    turn = Turn(text=text.strip(), channel=CHANNEL, timestamp=timestamp)
    return ChannelMessage(turn, {"subject": subject, **found})


def parse(raw: str | bytes) -> Turn:
    """The ``Turn`` for an e-mail message."""
    return read(raw).turn


def handle(raw: str | bytes, customer_id: str, classifier, store) -> Prediction:
    """Parse, predict with the customer's history from ``store``, store the turn; the ``Prediction``."""
    return handle_message(read(raw), customer_id, classifier, store)
