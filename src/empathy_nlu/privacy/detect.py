"""Finding personal data in free text: payment cards, IBANs, US SSNs, e-mails, phones, deployment patterns.

Why regexes that only *propose* and ``python-stdnum`` that decides: a support message is full of
numbers (amounts, dates, order ids), and the difference between a card number and an order number
is a checksum (Luhn), between an IBAN and a product code a mod-97 checksum and a country format,
between an SSN and a reference the issued area/group/serial ranges. Those rules come from a
maintained validator, not from code of ours. What we detect follows Microsoft Presidio's
recognizers (``CreditCardRecognizer``, ``IbanRecognizer``, ``UsSsnRecognizer``, ``EmailRecognizer``,
``PhoneRecognizer``), with wider separators (dots, spelled-out digits) and no context scoring: a
masker must decide, not score.

Why linear time: this runs on every ``predict`` and on every stored turn, on text a customer
controls. Every regex here has mandatory separators between digit groups (no two quantifiers can
share a character), a lookbehind that anchors it at the start of a run, or both, so no input makes
it backtrack more than a bounded amount per character; candidates are validated in Python in
bounded windows (a card is at most 19 digits, an IBAN at most 34 characters).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from stdnum import iban as _iban
from stdnum import luhn as _luhn
from stdnum import numdb as _numdb
from stdnum.us import ssn as _ssn

from .fold import fold, isolate
from .national import gate as _national_gate
from .national import national_ids

__all__ = [
    "CONTACT",
    "FINANCIAL",
    "KINDS",
    "Detector",
    "Finding",
    "luhn_valid",
    "plausible_phone",
    "ssn_valid",
]

FINANCIAL = frozenset({"card", "iban", "ssn", "national_id"})
CONTACT = frozenset({"email", "phone"})
KINDS = ("card", "iban", "ssn", "national_id", "email", "phone")


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data: ``text[start:end]``, its kind, and what masking may show of it.

    ``keep``: absolute ``(start, end)`` spans a length-keeping mask leaves visible (a card's last
    four digits, an IBAN's country code and last four). ``last4``: a card's last four digits.
    """

    start: int
    end: int
    kind: str
    keep: tuple[tuple[int, int], ...] = ()
    last4: str = ""


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum of every payment card number (``python-stdnum``)."""
    return _luhn.is_valid(digits)


# stdnum refuses the three SSNs that were published as examples (078-05-1120 was printed on a
# wallet insert and used by thousands of people). They are still SSNs a customer may type: masked.
_PUBLISHED_SSNS = frozenset({"078051120", "219099999", "457555462"})


def ssn_valid(digits: str) -> bool:
    """A US social security number that can be issued: area not 000, 666 or 9xx, group not 00,
    serial not 0000 (``python-stdnum``), or one of the published example numbers."""
    return digits in _PUBLISHED_SSNS or _ssn.is_valid(digits)


# -- candidates -------------------------------------------------------------------------------------
# Digit groups joined by a space, a dot or a dash (with a space either side or not): "4111 1111 1111
# 1111", "4111.1111.1111.1111", "078-05-1120", "4111 - 1111 - ...". The separator between groups is
# mandatory, so a run is matched in one pass.
_RUN = re.compile(r"\d+(?:(?: ?[.\-] ?| )\d+)*")
_GROUP = re.compile(r"\d+")
_EMAIL = re.compile(
    r"(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}",
)
# An optional "+" or "00", an optional "(area)", then digit groups with single separators.
_PHONE = re.compile(
    r"(?<![\w.,/-])(?<!\d:)(?:\+|00)?"
    r"(?:\(\d{1,5}\)[ .\-]?|\d{1,4}[ .\-]?\(\d{1,5}\)[ .\-]?)?"
    r"\d+(?:[ .\-]\d+)*",
)
_PHONE_NOT_AFTER = re.compile(r"[:/,.]\d|\s?[%°]")  # "20:31", "1/2", "1,000", "15%": a time, a ratio, ...
# Signs and words of other scripts are read in the folded view (``fold.py``); none is ASCII, so an
# English text reads exactly as before.
_CURRENCY_BEFORE = re.compile(r"[$€£¥₩]\s?$|\b(?:usd|eur|gbp|chf)\s?$|ر\.\s?س\.?\s?$", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(
    r"\s?(?:[$€£¥₩円元圆块塊원万萬千亿億만천억]|(?:usd|eur|gbp|chf|dollars?|euros?|pounds?|bucks|quid|cents?|pence)\b"
    r"|ريال|ر\.\s?س|درهم|دينار|جنيه|دولار|يورو|ألف|آلاف)",
    re.IGNORECASE,
)
# Calendar dates and thousands-grouped amounts look like phone numbers to the pattern above.
_NOT_PHONE = re.compile(
    r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}|\d{1,3}(?:,\d{3})+|\d{1,3}(?:\.\d{3}){2,}"
)
_DECIMAL = re.compile(r"\d+\.\d+")  # "3.14159265358979", "1234.5678"
_DATE_INSIDE = re.compile(r"(?<!\d)(?:\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})(?!\d)")
_IBAN_START = re.compile(r"(?<![^\W_])[A-Za-z]{2}\d{2}")
_IBAN_CHUNK = re.compile(r"[A-Za-z0-9]+")
_SPELLED_WORDS = "zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple"
# Seven or more digit words in a row ("four one one one, one one one one ..."), as typed or transcribed.
_SPELLED = re.compile(rf"\b(?:{_SPELLED_WORDS})\b(?:[\s,.\-]+(?:{_SPELLED_WORDS})\b){{6,}}", re.IGNORECASE)
_SPELLED_WORD = re.compile(rf"\b(?:{_SPELLED_WORDS})\b", re.IGNORECASE)
DIGIT_OF = {  # a digit said as a word (voice reads them too)
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_GATE = re.compile(r"[\d@]")
_ID_SCRIPTS = (
    ("cjk", re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")),
    ("hangul", re.compile("[\uac00-\ud7af]")),
    ("arabic", re.compile("[\u0621-\u064a]")),
)
_GATE_WORDS = tuple(_SPELLED_WORDS.split("|"))
# A bare nine-digit number right after one of these words is a reference, not an SSN ...
_ID_WORDS = frozenset(
    {"order", "tracking", "ticket", "invoice", "ref", "reference", "case", "confirmation", "transaction"}
    | {"txn", "booking", "parcel", "shipment", "receipt"}
)
# ... unless the customer says it is one.
_SSN_WORDS = frozenset({"ssn", "ssns", "social", "security", "ss"})
_PHONE_WORDS = frozenset(
    {"phone", "call", "mobile", "cell", "tel", "telephone", "text", "whatsapp", "reach", "contact", "fax"}
)
_WORDS_BEFORE = re.compile(r"[a-z]+", re.IGNORECASE)


def plausible_phone(text: str) -> bool:
    """A phone-like string that is not a date, an amount or a bare short number."""
    if _NOT_PHONE.fullmatch(text) or _DATE_INSIDE.search(text) or _DECIMAL.fullmatch(text):
        return False
    n_digits = sum(c.isdigit() for c in text)
    if n_digits < 7 or n_digits > 15:
        return False
    # a bare run of 7-9 digits is more often an order or reference number
    return text.startswith(("+", "00", "(")) or bool(re.search(r"[ .\-()]", text)) or n_digits >= 10


class Detector:
    """Finds every piece of personal data in a text; ``patterns`` are a deployment's own
    ``[(name, compiled regex)]`` (their ``value`` group, or only group, or whole match)."""

    def __init__(self, patterns: tuple[tuple[str, re.Pattern], ...] = ()) -> None:
        self.patterns = patterns
        # One text is looked at several times per prediction (its echo, the summary's quote, the
        # store): remember the last few thousand answers. ``find`` is a pure function of the text.
        self.find = functools.lru_cache(maxsize=4096)(self._find)

    def _find(self, text: str) -> tuple[Finding, ...]:
        """Every finding, sorted by start; findings of different kinds may overlap (masking joins them)."""
        found: list[Finding] = []
        view = fold(text)  # same length: "４１１１" and "٤١١١" read as "4111"
        if _GATE.search(view):
            bounded = isolate(view)  # "卡号是4111...": the digits start a word here
            if "@" in view:
                found += [Finding(m.start(), m.end(), "email") for m in _EMAIL.finditer(bounded)]
            found += _runs(bounded)
            found += _ibans(bounded)
            found += _phones(bounded, view)
            scripts = _id_scripts(text) if not text.isascii() else frozenset()
            if _national_gate(bounded, scripts):
                found += [Finding(s, e, "national_id") for s, e in national_ids(bounded, scripts)]
        found += _spelled(text)
        for name, regex in self.patterns:
            for m in regex.finditer(text):
                group = _group_of(m)
                start, end = m.span(group)
                if end > start:
                    found.append(Finding(start, end, name))
        found.sort(key=lambda f: (f.start, f.end))
        return tuple(found)


def _id_scripts(text: str) -> frozenset:
    return frozenset(name for name, regex in _ID_SCRIPTS if regex.search(text))


def _group_of(match: re.Match) -> int | str:
    if "value" in match.re.groupindex:
        return "value"
    return 1 if match.re.groups == 1 else 0


# -- cards and SSNs: runs of digit groups -----------------------------------------------------------
def _runs(text: str) -> list[Finding]:
    out: list[Finding] = []
    for run in _RUN.finditer(text):
        groups = [g.span() for g in _GROUP.finditer(text, run.start(), run.end())]
        total = sum(e - s for s, e in groups)
        if total >= 13:
            out += _cards(text, groups)
        if total >= 9:
            out += _ssns(text, groups)
    return out


def _card_finding(text: str, groups: list[tuple[int, int]]) -> Finding:
    digits = "".join(text[s:e] for s, e in groups)
    keep, need = [], 4
    for s, e in reversed(groups):  # the spans of the last four digits
        take = min(need, e - s)
        keep.append((e - take, e))
        need -= take
        if not need:
            break
    return Finding(groups[0][0], groups[-1][1], "card", tuple(reversed(keep)), digits[-4:])


def _international(text: str, start: int) -> bool:
    return text.startswith("00", start) or (start > 0 and text[start - 1] == "+")


def _cards(text: str, groups: list[tuple[int, int]]) -> list[Finding]:
    """Luhn-valid stretches of whole groups shaped like a card, leftmost-longest: one group of 13-19
    digits, or a first group of four and groups of 3-6 digits after it (the last may be shorter):
    4-4-4-4, 4-6-5, 4-4-4-4-3. The whole run may be grouped any way ("41 11 11 ..."). Failing that,
    a run shaped like a card is a mistyped card number, unless it starts like an international
    phone number ("+", "00")."""
    out: list[Finding] = []
    n, i = len(groups), 0
    sizes = [e - s for s, e in groups]
    total_run = sum(sizes)
    if 13 <= total_run <= 19 and n > 1 and not _decimal(text, groups) and luhn_valid(_digits(text, groups)):
        return [_card_finding(text, groups)]
    while i < n:
        best = None
        if 13 <= sizes[i] <= 19:
            best = i if luhn_valid(text[slice(*groups[i])]) else None
        elif sizes[i] == 4:
            total = 4
            for j in range(i + 1, n):
                total += sizes[j]
                if sizes[j] > 6 or total > 19:
                    break
                stretch = groups[i : j + 1]
                if total >= 13 and not _decimal(text, stretch) and luhn_valid(_digits(text, stretch)):
                    best = j
                if sizes[j] < 3:  # a short group ends a card
                    break
        if best is None:
            i += 1
            continue
        out.append(_card_finding(text, groups[i : best + 1]))
        i = best + 1
    if out:
        return out
    shaped = n == 1 or (3 <= n <= 5 and all(3 <= size <= 6 for size in sizes))
    if 13 <= total_run <= 19 and shaped and not _international(text, groups[0][0]):
        return [_card_finding(text, groups)]
    return []


def _digits(text: str, groups: list[tuple[int, int]]) -> str:
    return "".join(text[s:e] for s, e in groups)


def _decimal(text: str, groups: list[tuple[int, int]]) -> bool:
    """Two groups joined by a dot are a decimal number ("3.14159265358979"), not a card."""
    return len(groups) == 2 and text[groups[0][1]] == "."


def _ssns(text: str, groups: list[tuple[int, int]]) -> list[Finding]:
    """``AAA-GG-SSSS`` (one separator kind, not part of a longer number of that separator) or a bare
    nine-digit group, with an area, group and serial that can be issued."""
    out: list[Finding] = []
    n = len(groups)
    sizes = [e - s for s, e in groups]

    def sep(k: int) -> str:  # the separator after group k ("" after the last)
        return text[groups[k][1]] if 0 <= k < n - 1 else ""

    for i, (start, end) in enumerate(groups):
        if sizes[i : i + 3] == [3, 2, 4]:
            mark, last = sep(i), groups[i + 2][1]
            if sep(i + 1) == mark and sep(i - 1) != mark and sep(i + 2) != mark and _alone(text, start, last):
                digits = "".join(text[s:e] for s, e in groups[i : i + 3])
                if ssn_valid(digits):
                    out.append(Finding(start, last, "ssn"))
                    continue
        bare = sizes[i] == 9 and sep(i - 1) in ("", " ") and sep(i) in ("", " ")
        if bare and _alone(text, start, end) and ssn_valid(text[start:end]) and not _reference(text, start):
            out.append(Finding(start, end, "ssn"))
    return out


def _alone(text: str, start: int, end: int) -> bool:
    """Not glued to a letter or an underscore on either side ("ORD123456789" is an id)."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before == "_" or after.isalnum() or after == "_")


def _reference(text: str, start: int, own_words: frozenset = _SSN_WORDS, reach: int = 3) -> bool:
    """A number right after "order", "ticket", "ref", "invoice", ... (within ``reach`` words, and no
    word of its own kind, ``own_words``, in the five before it): a reference, not an SSN or phone."""
    words = [w.lower() for w in _WORDS_BEFORE.findall(text, max(0, start - 60), start)]
    if own_words.intersection(words[-5:]):
        return False
    return bool(_ID_WORDS.intersection(words[-reach:]))


# -- IBANs ------------------------------------------------------------------------------------------
_IBAN_DB = _numdb.get("iban")  # python-stdnum's IBAN registry: each country's BBAN structure
_IBAN_LENGTHS: dict[str, int | None] = {}


def _iban_length(country: str) -> int | None:
    """The length of an IBAN of ``country`` (upper case), None if it has none (registry lookup, cached)."""
    if country not in _IBAN_LENGTHS:
        bban = _IBAN_DB.info(country)[0][1].get("bban")
        _IBAN_LENGTHS[country] = 4 + sum(map(int, re.findall(r"(\d+)!", bban))) if bban else None
    return _IBAN_LENGTHS[country]


def _ibans(text: str) -> list[Finding]:
    """Two letters, two check digits, then letters and digits in chunks joined by single spaces or
    dashes, up to the country's IBAN length, validated by ``stdnum.iban`` (mod 97 and the country's
    format), so a word after it is not swallowed. Any case: transcripts are lower case."""
    out: list[Finding] = []
    last_end = 0
    for m in _IBAN_START.finditer(text):
        if m.start() < last_end:
            continue
        length = _iban_length(m.group()[:2].upper())
        if length is None:
            continue
        compact, pos = "", m.start()
        while len(compact) < length:
            chunk = _IBAN_CHUNK.match(text, pos)
            if chunk is None:
                break
            compact += chunk.group()
            pos = chunk.end()
            if len(compact) >= length or not (pos + 1 < len(text) and text[pos] in " -"):
                break
            pos += 1
        if len(compact) == length and _iban.is_valid(compact.upper()):
            keep = ((m.start(), m.start() + 2), *_last_alnum(text, m.start(), pos, 4))
            out.append(Finding(m.start(), pos, "iban", keep))
            last_end = pos
    return out


def _last_alnum(text: str, start: int, end: int, count: int) -> tuple[tuple[int, int], ...]:
    spans = []
    i = end
    while i > start and count:
        i -= 1
        if text[i].isalnum():
            spans.append((i, i + 1))
            count -= 1
    return tuple(reversed(spans))


# -- phones -----------------------------------------------------------------------------------------
def _phones(text: str, view: str) -> list[Finding]:
    """Phones in ``text`` (an ``isolate``-d view); ``view`` (``fold``-ed) still has the currency words."""
    out: list[Finding] = []
    for m in _PHONE.finditer(text):
        raw = m.group()
        if _PHONE_NOT_AFTER.match(text, m.end()) or not plausible_phone(raw):
            continue
        if _CURRENCY_BEFORE.search(view, max(0, m.start() - 5), m.start()) or _CURRENCY_AFTER.match(
            view, m.end()
        ):
            continue  # "$1 500 000", "1 500 000 euros", "1 500 000円": an amount
        if _reference(text, m.start(), _PHONE_WORDS, reach=2):
            continue  # "reference 2019-376884", "order 123-4567-89"
        out.append(Finding(m.start(), m.end(), "phone"))
    return out


# -- digits said as words ---------------------------------------------------------------------------
def _spelled(text: str) -> list[Finding]:
    """Seven or more digit words in a row: a card (13+ digits), an SSN (nine, valid) or a phone."""
    if len(text) < 20 or _digit_words_at_most(text) < 7:  # a cheap count first: most texts have none
        return []
    out: list[Finding] = []
    for m in _SPELLED.finditer(text):
        digits, repeat = "", 1
        for word in _SPELLED_WORD.findall(m.group()):
            word = word.lower()
            if word == "double":
                repeat = 2
            elif word == "triple":
                repeat = 3
            else:
                digits += DIGIT_OF[word] * repeat
                repeat = 1
        if len(digits) < 7:
            continue
        if len(digits) >= 13:
            kind = "card"
        elif len(digits) == 9 and ssn_valid(digits):
            kind = "ssn"
        else:
            kind = "phone"
        out.append(Finding(m.start(), m.end(), kind, (), digits[-4:] if kind == "card" else ""))
    return out


def _digit_words_at_most(text: str) -> int:
    """An upper bound of the digit words in ``text`` (substring counts: "one" in "phone" counts too)."""
    lower = text.lower()
    return sum(lower.count(word) for word in _GATE_WORDS)
