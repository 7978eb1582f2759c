"""Words and numbers shared by the extractors: number words, digit groups, months, weekdays, currencies.

Why one module: money, dates and times all read "forty two", "1.299,99" and "Apr"
the same way, and every regex here is compiled once at import.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from text_to_num import text2num

__all__ = [
    "CURRENCY_CODES",
    "CURRENCY_SYMBOLS",
    "CURRENCY_WORDS",
    "MONTHS",
    "NUMBER_WORDS",
    "WEEKDAYS",
    "NUMBER_WORD_SET",
    "Scan",
    "clean_start",
    "alternation",
    "parse_digits",
    "parse_number",
    "parse_words",
    "scan",
]

UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
SCALES = ["hundred", "thousand", "million", "billion"]
_WORD = "(?:" + "|".join(sorted(UNITS + TENS + SCALES, key=len, reverse=True)) + ")"
# "forty two", "forty-two", "a hundred and fifty", "two thousand five hundred": starts with a number word
# or "a" before a scale word; "and" only between number words.
# At most 15 more words: a number said in words has fewer ("nine hundred and ninety nine thousand nine
# hundred and ninety nine" has 9), and the bound keeps each try short in a run of number words, which
# an unbounded repeat reads to its end from every word of it (the run's length squared).
NUMBER_WORDS = (
    rf"(?:(?:a|one)\s+(?:hundred|thousand|million)|{_WORD})"
    rf"(?:(?:\s+and\s+|[\s-]+){_WORD}\b){{0,15}}"
)

NUMBER_WORD_SET = frozenset(UNITS + TENS + SCALES)

MONTHS: dict[str, int] = {}
for _n, _names in enumerate(
    (
        "january jan",
        "february feb",
        "march mar",
        "april apr",
        "may",
        "june jun",
        "july jul",
        "august aug",
        "september sept sep",
        "october oct",
        "november nov",
        "december dec",
    ),
    1,
):
    for _name in _names.split():
        MONTHS[_name] = _n

WEEKDAYS: dict[str, int] = {}
for _n, _names in enumerate(
    (
        "monday mon",
        "tuesday tues tue",
        "wednesday weds wed",
        "thursday thurs thur thu",
        "friday fri",
        "saturday sat",
        "sunday sun",
    ),
):
    for _name in _names.split():
        WEEKDAYS[_name] = _n

CURRENCY_SYMBOLS: dict[str, str] = {
    "us$": "USD",
    "a$": "AUD",
    "au$": "AUD",
    "c$": "CAD",
    "ca$": "CAD",
    "nz$": "NZD",
    "hk$": "HKD",
    "s$": "SGD",
    "r$": "BRL",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₪": "ILS",
    "zł": "PLN",
}
# Upper-case ISO 4217 codes only ("try", "all" and "top" are English words); usd/eur/gbp in any case.
CURRENCY_CODES = frozenset(
    [
        "USD",
        "EUR",
        "GBP",
        "JPY",
        "CHF",
        "CAD",
        "AUD",
        "NZD",
        "SEK",
        "NOK",
        "DKK",
        "PLN",
        "CZK",
        "HUF",
        "INR",
        "CNY",
        "HKD",
        "SGD",
        "ZAR",
        "BRL",
        "MXN",
        "TRY",
        "RUB",
        "KRW",
        "AED",
        "SAR",
        "ILS",
        "THB",
        "RON",
        "BGN",
        "ISK",
    ]
)
CURRENCY_WORDS: dict[str, str | None] = {
    "us dollars": "USD",
    "us dollar": "USD",
    "american dollars": "USD",
    "canadian dollars": "CAD",
    "canadian dollar": "CAD",
    "australian dollars": "AUD",
    "australian dollar": "AUD",
    "new zealand dollars": "NZD",
    "hong kong dollars": "HKD",
    "singapore dollars": "SGD",
    "dollars": "USD",
    "dollar": "USD",
    "bucks": "USD",
    "buck": "USD",
    "euros": "EUR",
    "euro": "EUR",
    "pounds sterling": "GBP",
    "pounds": "GBP",
    "pound": "GBP",
    "quid": "GBP",
    "sterling": "GBP",
    "gbp": "GBP",
    "usd": "USD",
    "eur": "EUR",
    "yen": "JPY",
    "rupees": "INR",
    "rupee": "INR",
    "swiss francs": "CHF",
    "francs": "CHF",
    "franc": "CHF",
    "yuan": "CNY",
    "renminbi": "CNY",
    "zloty": "PLN",
    "zlotys": "PLN",
    "rand": "ZAR",
    "pesos": "MXN",
    "reais": "BRL",
    "rubles": "RUB",
    "roubles": "RUB",
    "lira": "TRY",
}
# Hundredths of a currency: "50 cents" (currency not said), "50 pence" / "50p" (GBP).
MINOR_UNITS: dict[str, str | None] = {"cents": None, "cent": None, "pence": "GBP", "penny": "GBP", "p": "GBP"}
SCALE_SUFFIXES = {
    "k": 1e3,
    "thousand": 1e3,
    "grand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "bn": 1e9,
    "billion": 1e9,
}


def alternation(words) -> str:
    """A regex alternation of ``words``, longest first so "dollars" is tried before "dollar"."""
    return (
        "(?:"
        + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
        + ")"
    )


def parse_digits(text: str) -> float | None:
    """``"1,299.99"``, ``"1.299,99"``, ``"1 299"``, ``"13.8"``, ``"0,5"`` as a float.

    A single separator followed by exactly three digits groups thousands ("1,000", "1.000");
    followed by one, two or four+ digits it is the decimal mark ("13.8", "1,50"). With both
    "," and ".", the last one is the decimal mark.
    """
    s = text.replace("'", "").replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        s = s.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    elif "," in s or "." in s:
        sep = "," if "," in s else "."
        parts = s.split(sep)
        if len(parts) > 2 or (len(parts[-1]) == 3 and parts[0] not in ("", "0")):
            s = "".join(parts)
        else:
            s = ".".join(parts)
    try:
        return float(s)
    except ValueError:
        return None


def parse_words(text: str) -> float | None:
    """``"forty two"``, ``"a hundred and fifty"``, ``"twenty-five"`` as a float (``text2num``)."""
    s = re.sub(r"[\s-]+", " ", text.strip().lower())
    if s.startswith("a "):
        s = "one " + s[2:]
    try:
        return float(text2num(s, "en"))
    except ValueError:
        return None


def parse_number(text: str) -> float | None:
    """Digits (with grouping) or number words."""
    return parse_digits(text) if text[:1].isdigit() else parse_words(text)


_SEPARATORS = str.maketrans({c: " " for c in ".,!?;:()[]{}\"'/\\-_\u2019\u2018*#+=&"})
_DIGIT = re.compile(r"\d")


class Scan(NamedTuple):
    """What the gates look at: the lower-case words of the text and whether it has a digit.

    Why: a set intersection costs nanoseconds, where a regex alternation of a hundred trigger
    words costs 20 us per message in Python's ``re``; the word split is done once per ``parse``.
    """

    words: frozenset
    digits: int  # how many ASCII digits: cards need 13, phones 7

    @property
    def digit(self) -> bool:
        return self.digits > 0

    @property
    def spelled(self) -> bool:
        return not self.words.isdisjoint(NUMBER_WORD_SET)


def scan(text: str) -> Scan:
    return Scan(frozenset(text.lower().translate(_SEPARATORS).split()), len(_DIGIT.findall(text)))


def clean_start(text: str, start: int, bad: str = "") -> bool:
    """Whether the match at ``start`` is not glued to a letter, digit or one of ``bad`` before it.

    Why not a lookbehind: a regex that starts with a character class (a digit) lets ``re`` skip
    ahead to candidates; a leading lookbehind makes it try every position (3-5x slower).
    """
    if start == 0:
        return True
    before = text[start - 1]
    return not (before.isalnum() or before == "_" or before in bad)
