"""Personal data in support messages, as raw input of every channel: the privacy benchmark's corpus.

Used by ``benchmarks/privacy.py``. Every value is generated, never real: card numbers of nine
brand layouts with a valid Luhn digit (``stdnum.luhn``), IBANs of fourteen countries with valid
check digits and, where the country has one, a valid national check (drawn until
``stdnum.iban`` accepts them), US SSNs with issuable area/group/serial, e-mail addresses and phone
numbers of five countries in their usual layouts. Each is written the ways customers write it
(spaces, dashes, dots, none; on voice, digits read out one by one, "oh" for zero, groups split by
commas) inside a support message, and the message is wrapped as raw input of its channel: a chat
JSON payload (timestamp with microseconds), an SMS, a voice transcript (lower case, fillers), a
social post (``@AcmeBank``, hashtags, sometimes a DM payload) or an RFC 822 e-mail
(``channel_wrap_email.wrap_email``: greeting, signature, quoted thread, plain/HTML, encodings).

Messages come in conversations of three to five turns per customer on mixed channels, so details
given earlier are carried into ``context.entities`` and the hand-over summary of later turns.
Everything is drawn from one seeded ``random.Random``: the corpus is the same on every run.
"""

from __future__ import annotations

import json
import random
import re
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.us import ssn as std_ssn

from .channel_wrap_email import wrap_email

CHANNELS = ["chat", "sms", "voice", "social", "email"]
_DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@dataclass
class Value:
    """One piece of personal data as written in a message, and the forms that count as it raw."""

    kind: str  # card, iban, ssn, email, phone
    written: str
    layout: str  # brand/country and separator, e.g. "visa16 dots", "GB spaced", "us (555) 123-4567"
    raw_forms: list[str] = field(default_factory=list)


@dataclass
class Message:
    customer: str
    channel: str
    raw: str | bytes
    text: str  # the message before wrapping
    values: list[Value]


# -- values -------------------------------------------------------------------------------------------
# brand: (prefixes, length, grouping)
CARD_BRANDS = {
    "visa16": (["4"], 16, (4, 4, 4, 4)),
    "visa13": (["4"], 13, (4, 3, 3, 3)),
    "visa19": (["4"], 19, (4, 4, 4, 4, 3)),
    "mastercard": (["51", "52", "53", "54", "55"], 16, (4, 4, 4, 4)),
    "mastercard2": (["2221", "2500", "2720"], 16, (4, 4, 4, 4)),
    "amex": (["34", "37"], 15, (4, 6, 5)),
    "discover": (["6011", "65"], 16, (4, 4, 4, 4)),
    "diners": (["36"], 14, (4, 6, 4)),
    "jcb": (["35"], 16, (4, 4, 4, 4)),
}
IBAN_COUNTRIES = ["DE", "GB", "FR", "ES", "IT", "NL", "BE", "CH", "AT", "IE", "PL", "SE", "NO", "PT"]
_BBAN_PART = re.compile(r"(\d+)!([nac])")


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", text)


def make_card(rng: random.Random) -> tuple[str, str, tuple[int, ...]]:
    brand = rng.choice(list(CARD_BRANDS))
    prefixes, length, grouping = CARD_BRANDS[brand]
    body = rng.choice(prefixes) + "".join(rng.choice(string.digits) for _ in range(length - 1))
    body = body[: length - 1]
    return brand, body + luhn.calc_check_digit(body), grouping


def group(digits: str, grouping: tuple[int, ...], sep: str) -> str:
    out, pos = [], 0
    for size in grouping:
        out.append(digits[pos : pos + size])
        pos += size
    return sep.join(out)


def make_iban(rng: random.Random) -> tuple[str, str]:
    from stdnum import numdb

    country = rng.choice(IBAN_COUNTRIES)
    structure = numdb.get("iban").info(country)[0][1]["bban"]
    pools = {"n": string.digits, "a": string.ascii_uppercase, "c": string.digits + string.ascii_uppercase}
    for _ in range(20_000):  # until the country's own check (if any) holds too
        bban = "".join(
            "".join(rng.choice(pools[kind]) for _ in range(int(size)))
            for size, kind in _BBAN_PART.findall(structure)
        )
        number = country + std_iban.calc_check_digits(country + "00" + bban) + bban
        if std_iban.is_valid(number):
            return country, number
    raise RuntimeError(f"no valid {country} IBAN drawn")


def make_ssn(rng: random.Random) -> str:
    while True:
        number = f"{rng.randint(1, 899):03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"
        if std_ssn.is_valid(number):
            return number


_FIRST = ["ana", "tom", "priya", "james", "maria", "chen", "olu", "sofia", "lukas", "fatima", "sam", "kate"]
_LAST = ["smith", "novak", "garcia", "okafor", "mueller", "patel", "jones", "kowalski", "rossi", "brown"]
_DOMAINS = ["example.com", "mail.example.org", "example.co.uk", "post.example.de", "inbox.example.io"]


def make_email(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    domain = rng.choice(_DOMAINS)
    style = rng.choice(["first.last", "first+tag", "first_last99", "FirstLast", "unicode"])
    local = {
        "first.last": f"{first}.{last}",
        "first+tag": f"{first}+bank",
        "first_last99": f"{first}_{last}{rng.randint(10, 99)}",
        "FirstLast": f"{first.title()}{last.title()}",
        "unicode": f"{first}.{last}".replace("a", "á", 1) if "a" in first + last else f"{first}é",
    }[style]
    return style, f"{local}@{domain}"


def _d(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def make_phone(rng: random.Random) -> tuple[str, str]:
    """A phone number in one of eleven layouts (US, UK, DE, FR, IN)."""
    area, exchange = f"{rng.randint(2, 9)}{_d(rng, 2)}", f"{rng.randint(2, 9)}{_d(rng, 2)}"
    line = _d(rng, 4)
    mobile = f"7{_d(rng, 3)} {_d(rng, 6)}"
    layouts = {
        "us (555) 123-4567": f"({area}) {exchange}-{line}",
        "us 555-123-4567": f"{area}-{exchange}-{line}",
        "us 555.123.4567": f"{area}.{exchange}.{line}",
        "us +1 415 555 2671": f"+1 {area} {exchange} {line}",
        "uk +44 20 7946 0958": f"+44 20 {_d(rng, 4)} {_d(rng, 4)}",
        "uk 07700 900123": f"07{_d(rng, 3)} {_d(rng, 6)}",
        "uk 0044 7700 900123": f"0044 {mobile}",
        "uk +44 7700 900123": f"+44 {mobile}",
        "de +49 30 12345678": f"+49 30 {_d(rng, 8)}",
        "fr +33 1 23 45 67 89": f"+33 {rng.randint(1, 9)} " + " ".join(_d(rng, 2) for _ in range(4)),
        "in +91 98765 43210": f"+91 9{_d(rng, 4)} {_d(rng, 5)}",
    }
    layout = rng.choice(list(layouts))
    return layout, layouts[layout]


def spelled(digits: str, rng: random.Random, groups: tuple[int, ...] | None = None) -> str:
    """Digits read out one by one as a recognizer writes them: "oh" for some zeros, a comma between
    groups now and then."""
    words = [("oh" if d == "0" and rng.random() < 0.3 else _DIGIT_WORDS[int(d)]) for d in digits]
    if groups and rng.random() < 0.5:
        out, pos = [], 0
        for size in groups:
            out.append(" ".join(words[pos : pos + size]))
            pos += size
        return ", ".join(part for part in out if part)
    return " ".join(words)


def national_digits(written: str) -> list[str]:
    """The digits of a phone number without its country code (as a store might keep them)."""
    import phonenumbers

    try:
        number = phonenumbers.parse(written, "US" if not written.startswith(("+", "00")) else None)
    except phonenumbers.NumberParseException:
        return []
    return [
        str(number.national_number),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
    ]


def make_value(kind: str, rng: random.Random, voice: bool) -> Value:
    """A value of ``kind`` as written in a message on voice (``voice``) or another channel."""
    if kind == "card":
        brand, number, grouping = make_card(rng)
        sep = rng.choice(
            ["space", "dash", "dot", "none", "spelled"] if voice else ["space", "dash", "dot", "none"]
        )
        if sep == "spelled":
            written = spelled(number, rng, grouping)
        else:
            written = group(number, grouping, {"space": " ", "dash": "-", "dot": ".", "none": ""}[sep])
        return Value("card", written, f"{brand} {sep}", [written, number])
    if kind == "iban":
        country, number = make_iban(rng)
        spaced = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
        style = rng.choice(["spaced", "compact"])
        written = spaced if style == "spaced" else number
        if voice:
            written = written.lower()
        forms = [written, number, number.lower(), spaced, spaced.lower(), number[4:]]
        return Value("iban", written, f"{country} {style}", forms)
    if kind == "ssn":
        number = make_ssn(rng)
        dashed = f"{number[:3]}-{number[3:5]}-{number[5:]}"
        style = rng.choice(["dashes", "bare", "spaces", "spelled"] if voice else ["dashes", "bare", "spaces"])
        written = {
            "dashes": dashed,
            "bare": number,
            "spaces": dashed.replace("-", " "),
            "spelled": spelled(number, rng, (3, 2, 4)),
        }[style]
        return Value("ssn", written, f"ssn {style}", [written, number, dashed])
    if kind == "email":
        style, address = make_email(rng)
        written = address.lower() if voice else address
        return Value("email", written, f"email {style}", [written, address, address.lower()])
    layout, number = make_phone(rng)
    written = number
    if voice and rng.random() < 0.5:
        plus = "plus " if number.startswith("+") else ""
        written = plus + spelled(digits_only(number), rng)
        layout += " spelled"
    forms = [written, number, digits_only(number), *national_digits(number)]
    return Value("phone", written, layout, [f for f in forms if len(digits_only(f)) >= 7 or "@" in f])


# -- messages -----------------------------------------------------------------------------------------
TEMPLATES = {
    "card": [
        "my card {v} was charged twice",
        "someone used my card {v} without permission",
        "please block card number {v}",
        "the payment with {v} was declined at the shop",
        "I want to cancel my card {v} asap",
        "is my card {v} still active?",
    ],
    "iban": [
        "please send the refund to {v}",
        "my new account is {v}",
        "transfer the money to IBAN {v} please",
        "the transfer to {v} never arrived",
        "can you update my iban to {v}",
    ],
    "ssn": [
        "my social security number is {v}",
        "for verification my ssn is {v}",
        "ssn: {v}",
        "you asked for my SSN, it is {v}",
    ],
    "email": [
        "you can reach me at {v}",
        "please send the statement to {v}",
        "my email changed to {v}",
        "contact me on {v} not by phone",
    ],
    "phone": [
        "call me back on {v}",
        "my phone number is {v}",
        "text me at {v} please",
        "my new number is {v} since last week",
    ],
}
PAIRS = [
    ("card", "phone", "my card {a} was stolen, call me on {b}"),
    ("card", "email", "card {a} blocked for no reason, write to {b}"),
    ("iban", "email", "refund to {a} and confirm to {b}"),
    ("ssn", "phone", "my ssn is {a} and my phone {b}"),
    ("card", "iban", "move the balance of card {a} to {b}"),
    ("email", "phone", "my contact details changed: {a}, {b}"),
]
KIND_WEIGHTS = {"card": 4, "iban": 2, "ssn": 2, "email": 2, "phone": 3}


def _wrap(channel: str, text: str, rng: random.Random, when: datetime, turn: int) -> str | bytes:
    if channel == "chat":
        stamp = when.isoformat()  # with microseconds: masking a serialized JSON used to corrupt these
        return json.dumps({"text": text, "timestamp": stamp, "id": turn})
    if channel == "sms":
        return text.lower().replace("please", rng.choice(["pls", "plz", "please"])).replace("you", "u")
    if channel == "voice":
        transcript = re.sub(r"[^\w\s'@.+()\-,]", " ", text.lower())
        opener = rng.choice(["", "um ", "uh ", "yeah hi ", "okay so "])
        return opener + transcript
    if channel == "social":
        if rng.random() < 0.3:
            return json.dumps({"text": text, "type": "dm"})
        tags = rng.choice(["", " #help", " #fail #bank", " @AcmeSupport"])
        return f"@AcmeBank {text}{tags}"
    earlier = rng.choice(
        ["my card has not arrived yet", "how do I top up my account?", "I was charged a fee"]
    )
    return wrap_email(text[:1].upper() + text[1:] + ".", rng, earlier)


def generate(n_messages: int = 900, seed: int = 0) -> list[Message]:
    """``n_messages`` messages (about 1.3 values each) in conversations of 3-5 turns on mixed channels."""
    rng = random.Random(seed)
    kinds = [k for k, w in KIND_WEIGHTS.items() for _ in range(w)]
    out: list[Message] = []
    start = datetime(2026, 11, 30, 20, 31, 5, 123456, tzinfo=UTC)
    customer, left = 0, 0
    when = start
    for i in range(n_messages):
        if left == 0:
            customer, left = customer + 1, rng.randint(3, 5)
            when = start + timedelta(days=rng.randint(0, 20), microseconds=rng.randint(1, 999_999))
        left -= 1
        when += timedelta(minutes=rng.choice([2, 5, 30, 90, 60 * 24]), microseconds=rng.randint(1, 999_999))
        channel = CHANNELS[i % len(CHANNELS)] if rng.random() < 0.6 else rng.choice(CHANNELS)
        voice = channel == "voice"
        if rng.random() < 0.3:
            a, b, template = rng.choice(PAIRS)
            va, vb = make_value(a, rng, voice), make_value(b, rng, voice)
            text, values = template.format(a=va.written, b=vb.written), [va, vb]
        else:
            kind = rng.choice(kinds)
            value = make_value(kind, rng, voice)
            text, values = rng.choice(TEMPLATES[kind]).format(v=value.written), [value]
        raw = _wrap(channel, text, rng, when, i)
        out.append(Message(f"customer-{customer:04d}", channel, raw, text, values))
    return out


# -- numbers that are not personal data ----------------------------------------------------------------
NEGATIVE_TEMPLATES = [
    "I paid ${amount} on {iso_date} at {time} and it is still pending",
    "the transfer of {euro_amount} € on {dmy_date} has not arrived",
    "my limit is {spaced_amount} euros, can I raise it?",
    "I was charged {amount} dollars twice on {dmy_date}",
    "order number {order9} has not arrived",
    "my order ORD-{order8} is late",
    "tracking number 1Z{tracking} shows no update",
    "transaction TX{tx} was declined",
    "invoice INV-{year}-{small5} is wrong",
    "ticket #{small6} is still open",
    "reference {year}-{small6} please",
    "my card ending in {last4} was declined",
    "the last four digits are {last4}",
    "my balance shows {decimal} since {time}",
    "flight BA {small4} at {time} was cancelled, refund please",
    "my postcode is SW1A 1AA and zip {zip}",
    "the app is on version {version}",
    "I withdrew {amount} at {time} on {iso_date} from ATM {small4}",
    "between {dmy_date} and {iso_date} I paid {amount} {times} times",
    "my pin was blocked after {small1} tries at {time}",
    "exchange rate {rate} on {iso_date}?",
    "account 20905432 shows {amount}",
]


def hard_negatives(n: int = 600, seed: int = 1) -> list[str]:
    """Support messages full of numbers that are not personal data: amounts, dates, times, order,
    tracking, transaction and ticket references, card endings, versions, rates."""
    rng = random.Random(seed)

    def fill() -> dict:
        return {
            "amount": f"{rng.randint(1, 9)},{rng.randint(100, 999)}.{rng.randint(10, 99)}"
            if rng.random() < 0.4
            else str(rng.randint(1, 999)),
            "euro_amount": f"{rng.randint(1, 9)}.{rng.randint(100, 999)},{rng.randint(10, 99)}",
            "spaced_amount": f"{rng.randint(1, 9)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            "iso_date": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "dmy_date": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2026",
            "time": f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
            "order9": _d(rng, 9),
            "order8": _d(rng, 8),
            "tracking": f"{rng.randint(100, 999)}AA{_d(rng, 10)}",
            "tx": _d(rng, 8),
            "year": str(rng.randint(2019, 2026)),
            "small1": str(rng.randint(2, 5)),
            "small4": _d(rng, 4),
            "small5": _d(rng, 5),
            "small6": _d(rng, 6),
            "last4": _d(rng, 4),
            "decimal": f"{rng.randint(0, 99999)}.{rng.randint(10, 99)}",
            "zip": _d(rng, 5),
            "version": f"{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 200)}",
            "times": str(rng.randint(2, 9)),
            "rate": f"{rng.randint(0, 2)}.{_d(rng, 4)}",
        }

    return [rng.choice(NEGATIVE_TEMPLATES).format(**fill()) for _ in range(n)]
