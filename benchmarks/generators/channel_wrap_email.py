"""A clean utterance wrapped as the e-mail a customer's mail client would send (RFC 822 bytes).

Greeting, the utterance (sometimes after a courtesy line), sign-off and signature, sometimes a
phone signature line or a legal footer, and usually the quoted earlier thread: the agent's
last answer quoting the customer's earlier message (another utterance, so the quote carries a
different intent). Gmail, Outlook, Apple Mail and Thunderbird layouts; plain, plain + HTML or
HTML only; 7bit, quoted-printable or base64. Built with the standard library's ``email``.
"""

from __future__ import annotations

import html
import random
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

_FIRST = ["Anna", "Tom", "Priya", "James", "Maria", "Chen", "Olu", "Sofia", "Lukas", "Fatima", "Sam", "Kate"]
_LAST = ["Smith", "Novak", "Garcia", "Okafor", "Müller", "Patel", "Jones", "Kowalski", "Rossi", "Brown"]
_GREETINGS = ["Hi,", "Hello,", "Hi team,", "Dear Sir/Madam,", "Good morning,", "Hello there,", "Hi Acme,",
              "Dear Customer Support,", "Hey,", "Dear Acme team,", "Hi there,"]  # fmt: skip
_COURTESY = ["I hope you're well.", "Sorry to bother you again.", "I hope someone can help me with this.",
             "Following up on my previous email.", "I have a question."]  # fmt: skip
_CLOSINGS = ["Thanks,\n{first}", "Kind regards,\n{full}", "Best regards,\n{full}\n{phone}", "Cheers\n{first}",
             "Many thanks\n{full}\n{title} | Northwind Ltd", "Regards,\n{full}", "Best,\n{first}",
             "-- \n{full}\n{phone}", "{first}", "Thank you!\n{full}", "Thanks in advance,\n{full}",
             "Yours faithfully,\n{full}",
             "Thanks\n\n{full}\n{title}\nNorthwind Ltd\nTel: {phone}"]  # fmt: skip
_MOBILE = [
    "Sent from my iPhone",
    "Sent from my Galaxy",
    "Get Outlook for Android",
    "Sent from Yahoo Mail for iPhone",
]
_FOOTERS = [
    "This email and any attachments are confidential and intended solely for the addressee. If you have "
    "received this email in error please notify the sender and delete it.",
    "CONFIDENTIALITY NOTICE: The information in this message is privileged and confidential. Any views or "
    "opinions presented are solely those of the author.",
    "Please consider the environment before printing this email.",
]
_AGENT = [
    "Thank you for contacting Acme Support. We are sorry to hear about this. Could you please confirm the "
    "last four digits of your card so we can look into it?",
    "Thanks for getting in touch. I have passed your question to our payments team, who will reply within "
    "two working days.",
    "Thank you for your message. For your security, please do not share your full card number by email. "
    "Is there anything else we can help with?",
    "We have looked into your account and everything seems to be in order now. Let us know if the problem "
    "comes back.",
]
_SUBJECTS = ["Question", "Help please", "Urgent", "My account", "Problem with my account", "Card issue",
             "Payment problem", "Enquiry", "(no subject)", "Quick question", "Support request"]  # fmt: skip
_SUPPORT = "Acme Support <support@acme-bank.example>"


def _subject_from(text: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        words = text.rstrip("?.!").split()
        return " ".join(words[: rng.randint(3, 6)])
    return rng.choice(_SUBJECTS) if roll < 0.9 else ""


def _quote_plain(lines: str, depth: int = 1) -> str:
    prefix = ">" * depth + " "
    return "\n".join(prefix.rstrip() if not line else prefix + line for line in lines.split("\n"))


def _thread(style: str, customer: str, earlier: str, when: datetime, earlier_subject: str, rng) -> str:
    """The earlier thread as plain text: the agent's answer quoting the customer's earlier message."""
    agent = rng.choice(_AGENT)
    before = when - timedelta(days=1, hours=rng.randint(1, 20))
    if style in ("gmail", "apple", "thunderbird"):
        if style == "gmail":
            head = f"On {when:%a, %b} {when.day}, {when:%Y at %I:%M %p} {_SUPPORT} wrote:"
            inner = f"On {before:%a, %b} {before.day}, {before:%Y at %I:%M %p} {customer} wrote:"
        elif style == "apple":
            head = f"On {when.day} {when:%b %Y, at %H:%M}, {_SUPPORT} wrote:"
            inner = f"On {before.day} {before:%b %Y, at %H:%M}, {customer} wrote:"
        else:
            head = f"On {when:%m/%d/%y %I:%M %p}, Acme Support wrote:"
            inner = f"On {before:%m/%d/%y %I:%M %p}, {customer} wrote:"
        quoted = f"{agent}\n\nKind regards,\nAcme Support\n\n{inner}\n{_quote_plain(earlier)}"
        return f"{head}\n{_quote_plain(quoted)}"
    sep = "-----Original Message-----" if rng.random() < 0.5 else "_" * 32
    return (
        f"{sep}\nFrom: {_SUPPORT}\nSent: {when:%A, %B} {when.day}, {when:%Y %I:%M %p}\nTo: {customer}\n"
        f"Subject: RE: {earlier_subject}\n\n{agent}\n\nKind regards,\nAcme Support\n\n"
        f"{sep}\nFrom: {customer}\nSent: {before:%A, %B} {before.day}, {before:%Y %I:%M %p}\n"
        f"To: {_SUPPORT}\nSubject: {earlier_subject}\n\n{earlier}"
    )


def _forward(customer: str, earlier: str, when: datetime) -> str:
    return (
        f"---------- Forwarded message ---------\nFrom: {customer}\nDate: {when:%a, %b} {when.day}, "
        f"{when:%Y at %I:%M %p}\nSubject: my question\nTo: {_SUPPORT}\n\n{earlier}"
    )


def _html_paragraphs(text: str, style: str) -> str:
    blocks = [html.escape(block).replace("\n", "<br>") for block in text.split("\n\n")]
    if style == "outlook":
        return "".join(f'<p class="MsoNormal">{b}<o:p></o:p></p>' for b in blocks)
    return "".join(f"<div>{b}</div><div><br></div>" for b in blocks)


def _html(style: str, new: str, quoted: str | None, header: str) -> str:
    body = _html_paragraphs(new, style)
    if quoted is None:
        return f'<html><body><div dir="ltr">{body}</div></body></html>'
    q = _html_paragraphs(quoted, style)
    if style == "gmail":
        return (
            f'<div dir="ltr">{body}</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
            f'{html.escape(header)}<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;'
            f'border-left:1px solid rgb(204,204,204);padding-left:1ex">{q}</blockquote></div>'
        )
    if style in ("apple", "thunderbird"):
        return (
            f'<html><body style="word-wrap: break-word;">{body}<div><br><blockquote type="cite">'
            f"<div>{html.escape(header)}</div><br>{q}</blockquote></div></body></html>"
        )
    head = "<br>".join(f"<b>{k}:</b> {html.escape(v)}" for k, v in header)
    return (
        '<html><head><style>p.MsoNormal{margin:0cm;font-size:11pt}</style></head><body lang="EN-GB">'
        f'<div class="WordSection1">{body}<div style="border:none;border-top:solid #E1E1E1 1.0pt;'
        f'padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal">{head}</p></div>{q}</div></body></html>'
    )


def wrap_email(text: str, rng: random.Random, earlier: str) -> bytes:
    """``text`` as the raw bytes of a customer's e-mail (see the module docstring)."""
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    full = f"{first} {last}"
    address = f"{first.lower()}.{last.lower()}@example.com".replace("ü", "ue")
    customer = f"{full} <{address}>"
    phone = f"+44 7{rng.randint(100, 999)} {rng.randint(100000, 999999)}"
    when = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(500_000))
    style = rng.choice(["gmail", "gmail", "outlook", "outlook", "apple", "thunderbird"])
    parts = []
    if rng.random() < 0.8:
        parts.append(rng.choice(_GREETINGS))
    parts.append((rng.choice(_COURTESY) + " " if rng.random() < 0.15 else "") + text)
    closing = rng.choice(_CLOSINGS).format(first=first, full=full, phone=phone, title="Operations Manager")
    if rng.random() < 0.3:
        closing += "\n\n" + rng.choice(_MOBILE)
    parts.append(closing)
    if rng.random() < 0.15:
        parts.append(rng.choice(_FOOTERS))
    new = "\n\n".join(parts)
    earlier_subject = " ".join(earlier.rstrip("?.!").split()[:5])
    roll = rng.random()
    kind = "reply" if roll < 0.8 else "forward" if roll < 0.88 else "bottom" if roll < 0.93 else "new"
    if kind == "bottom":  # bottom-posting is a habit of ">"-quoting clients, never of Outlook's header blocks
        style = rng.choice(["gmail", "thunderbird", "apple"])
    quoted = header = None
    if kind in ("reply", "bottom"):
        quoted_text = _thread(style, customer, earlier, when, earlier_subject, rng)
        plain = f"{new}\n\n{quoted_text}" if kind == "reply" else f"{quoted_text}\n\n{new}"
        subject = ("RE: " if style == "outlook" else "Re: ") + earlier_subject
        quoted = f"{rng.choice(_AGENT)}\n\nOn an earlier day, you wrote:\n{earlier}"
        if style == "outlook":
            header = [("From", _SUPPORT), ("Sent", f"{when:%A, %B %d, %Y}"), ("To", customer),
                      ("Subject", f"RE: {earlier_subject}")]  # fmt: skip
        else:
            header = f"On {when:%a, %b %d, %Y}, {_SUPPORT} wrote:"
    elif kind == "forward":
        plain = f"{new}\n\n{_forward(customer, earlier, when)}"
        subject = "Fwd: my question"
    else:
        plain, subject = new, _subject_from(text, rng)
    message = EmailMessage()
    message["From"], message["To"] = customer, _SUPPORT
    message["Subject"] = subject
    message["Date"] = format_datetime(when)
    message["Message-ID"] = f"<{rng.getrandbits(64):x}@mail.example.com>"
    layout = rng.random()
    cte = rng.choice(["7bit", "quoted-printable", "base64", "quoted-printable"])
    if not plain.isascii() and cte == "7bit":
        cte = "8bit"
    if kind == "bottom" or layout < 0.45:
        message.set_content(plain, cte=cte)
    elif layout < 0.8:
        message.set_content(plain, cte=cte)
        message.add_alternative(_html(style, new, quoted, header), subtype="html", cte="quoted-printable")
    else:  # HTML only (some webmail and Outlook settings)
        message.set_content(_html(style, new, quoted, header), subtype="html", cte=cte)
    return bytes(message)
