"""The new text of an e-mail body: quoted replies, forwarded headers, signatures and footers removed.

Why: a reply carries the whole thread below it, and the model must read what the customer
wrote *now*, not the agent's last answer or their own earlier question. Two well-kept
libraries do the structural work: ``quotequail`` (Close) finds quoted and forwarded blocks in
plain text and HTML ("On ... wrote:", "-----Original Message-----", Outlook "From: / Sent:"
blocks, "Begin forwarded message", ``<blockquote>``), and ``mail-parser-reply`` cuts
signatures ("-- ", "Sent from my iPhone", "Best regards, ...") and disclaimers. What remains
here are the leftovers both miss: stray ">" lines, greeting lines, short sign-offs ("Cheers"),
legal footers without a label.
"""

from __future__ import annotations

import re

import quotequail
from inscriptis import get_text
from mailparser_reply.parser import EmailMessage as ReplyParser

from .base import clean_text

_QUOTED_LINE = re.compile(r"^\s*>")
_MARKER_LINE = re.compile(
    r"^\s*(?:-{2,}\s*(?:forwarded message|original message)\s*-{2,}|begin forwarded message:?"
    r"|_{10,}|-{10,}|on .{4,200} wrote:)\s*$",
    re.IGNORECASE,
)
_GREETING_LINE = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|dear|good (?:morning|afternoon|evening|day)|greetings|to whom it may concern)"
    r"(?: [\w.'/-]+){0,3}\s*[,!:.]?\s*$",
    re.IGNORECASE,
)
_GREETING_PREFIX = re.compile(r"^\s*(?:hi|hello|hey|dear)(?: [\w.'-]+){0,3}\s*[,!]\s+(?=\S)", re.IGNORECASE)
_SIGN_OFF = re.compile(
    r"^\s*(?:thanks|thank you|many thanks|thanks in advance|thanks again|thx|ty|cheers|best|regards|"
    r"kind regards|best regards|warm regards|warmest regards|best wishes|sincerely|yours sincerely|"
    r"yours faithfully|yours truly|all the best|take care|br|rgds|respectfully|with thanks)"
    r"(?: [\w.]+){0,2}\s*[,.!]*\s*$",
    re.IGNORECASE,
)
_MOBILE_SIGNATURE = re.compile(
    r"^\s*(?:sent from (?:my|yahoo|mail|outlook|samsung|gmail)|get outlook for|sent via)\b.*$", re.IGNORECASE
)
_FOOTER_START = re.compile(
    r"^\s*(?:this (?:e-?mail|message|communication)\b.{0,80}\b(?:confidential|intended|privileged)"
    r"|the information (?:contained )?in this (?:e-?mail|message)|confidential(?:ity)? notice"
    r"|disclaimer\b|if you (?:have )?received this (?:e-?mail|message)|please consider the environment"
    r"|any views or opinions|(?:important|legal) notice)",
    re.IGNORECASE,
)
_PLEASANTRY = re.compile(
    r"^\s*(?:i )?hope (?:you(?:'re| are)(?: doing| keeping)? well|this (?:e-?mail|message) finds you well)"
    r"[.!,]?\s*|^\s*(?:i'm )?sorry to (?:bother|trouble) you(?: again)?[.!,]?\s*",
    re.IGNORECASE,
)
_NAME_LINE = re.compile(
    r"^\s*(?:[A-Z][\w'.-]{0,40}\s*){1,3}$"
)  # "Anna", "Tom Novak": a signature without sign-off (a name part is at most 41 characters)
_MAX_SIGNATURE_LINES = 5  # lines after a sign-off that are taken as name, title, phone

# Bounds (docs/input_rules.md): quotequail costs about 70 us a line and mail-parser-reply's patterns
# grow with the square of a run of blank lines, of spaces, or of a line that starts with "On"; so
# the text of a body is read up to MAX_BODY_CHARS characters and MAX_BODY_LINES lines (the new text
# of a message comes first), and the reply parser gets runs of blank lines and of spaces shortened
# and long "On ..." lines (never a "wrote:" header) marked so that they are not taken for one.
MAX_BODY_CHARS = 20_000
MAX_BODY_LINES = 1_000
_MAX_HEADER_LINE = 200  # an "On <date>, <name> wrote:" line is shorter (as _MARKER_LINE has it)
_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n){8,}")
_SPACE_RUN = re.compile(r"[^\S\n]{64,}")
_LONG_ON_LINE = re.compile(rf"^(?=(?:> ?)*on\s).{{{_MAX_HEADER_LINE},}}$", re.IGNORECASE | re.MULTILINE)
_NOT_A_HEADER = "\u2060"  # a word joiner before such a line; clean_text removes it


def _has_words(text: str | None) -> bool:
    return bool(text) and any(ch.isalnum() for ch in text)


def _unquote(text: str) -> tuple[str, dict]:
    """The part of ``text`` that is not quoted or forwarded, with what was found."""
    found = {"quoted": False, "forwarded": False}
    unwrapped = quotequail.unwrap(text)
    if not unwrapped:
        return text, found
    found["quoted"] = True
    for part in ("text_top", "text_bottom"):
        if _has_words(unwrapped.get(part)):
            return unwrapped[part], found
    if unwrapped.get("type") == "forward":  # a bare forward: what was forwarded is the message
        found["forwarded"] = True
        return unwrapped.get("text", ""), found
    return "", found


def bounded_body(text: str) -> str:
    """The part of a body's text that is read: at most ``MAX_BODY_CHARS`` and ``MAX_BODY_LINES``."""
    text = text[:MAX_BODY_CHARS]
    position = -1
    for _ in range(MAX_BODY_LINES):
        position = text.find("\n", position + 1)
        if position < 0:
            return text
    return text[:position]


def _for_reply_parser(text: str) -> str:
    """``text`` with what makes mail-parser-reply slow taken out (see ``MAX_BODY_CHARS``)."""
    text = _BLANK_LINES.sub("\n" * 8, text)
    text = _SPACE_RUN.sub(" ", text)
    return _LONG_ON_LINE.sub(lambda m: _NOT_A_HEADER + m.group(0), text)


def _reply_body(text: str) -> str:
    """``mail-parser-reply``'s latest reply without signature and disclaimers ("" if none)."""
    message = ReplyParser(_for_reply_parser(text), languages=["en"], keep_hyphen_lists=True).read()
    for reply in message.replies:
        if _has_words(reply.body):
            return reply.body.replace(_NOT_A_HEADER, "")
    return ""


def _drop_edges(lines: list[str]) -> list[str]:
    """Stray quotes and markers anywhere; greeting at the top; sign-off, signature, footer at the end."""
    lines = [ln for ln in lines if not _QUOTED_LINE.match(ln) and not _MARKER_LINE.match(ln)]
    lines = [ln for ln in lines if not _MOBILE_SIGNATURE.match(ln)]
    for i, line in enumerate(lines):
        if i and _FOOTER_START.match(line):
            lines = lines[:i]
            break
    content = [i for i, ln in enumerate(lines) if ln.strip()]
    if len(content) > 1 and _GREETING_LINE.match(lines[content[0]]):
        lines = lines[content[0] + 1 :]
    elif content:
        lines[content[0]] = _GREETING_PREFIX.sub("", lines[content[0]])
    content = [i for i, ln in enumerate(lines) if ln.strip()]
    if content:
        lines[content[0]] = _PLEASANTRY.sub("", lines[content[0]])
    content = [i for i, ln in enumerate(lines) if ln.strip()]
    if len(content) > 1 and _NAME_LINE.match(lines[content[-1]]) and not lines[content[-1] - 1].strip():
        lines = lines[: content[-1]]  # a lone name after a blank line
        content = content[:-1]
    # the last sign-off line that is followed by a short signature at most
    for after, i in enumerate(reversed(content[1:])):  # ``after``: content lines after line i
        if after > _MAX_SIGNATURE_LINES:
            break
        if _SIGN_OFF.match(lines[i]):
            return lines[:i]
    return lines


def latest_text(body: str) -> tuple[str, dict]:
    """The customer's new words in a plain-text body, on one line, and ``{"quoted", "forwarded"}``."""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    text, found = _unquote(text)
    reply = _reply_body(text)
    if _has_words(reply):  # a body that is only a signature keeps its text rather than none
        text = reply
    cleaned = clean_text("\n".join(_drop_edges(text.split("\n"))))
    return (cleaned if _has_words(cleaned) else clean_text(text)), found


def html_to_text(html: str) -> tuple[str, dict]:
    """The new part of an HTML body as plain text: quotes cut on the HTML structure, then converted
    by ``inscriptis`` (which lays out blocks, lists and tables as a reader sees them)."""
    found = {"quoted": False, "forwarded": False}
    try:
        unwrapped = quotequail.unwrap_html(html)
    except (ValueError, TypeError, LookupError):  # lxml refuses some broken documents: convert them whole
        unwrapped = None
    if unwrapped:
        found["quoted"] = True
        for part in ("html_top", "html_bottom"):
            if unwrapped.get(part) and _has_words(get_text(unwrapped[part])):
                html = unwrapped[part]
                break
        else:
            found["forwarded"] = unwrapped.get("type") == "forward"
            html = unwrapped.get("html", "") if found["forwarded"] else ""
    return (get_text(html) if html.strip() else ""), found
