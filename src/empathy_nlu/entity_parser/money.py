"""``amount_of_money``: "40€", "€40", "$1,299.99", "1.299,99 €", "1.5k", "forty two dollars", "73 pounds".

Why regexes around ``parse_digits`` / ``text2num``: the forms are few and fixed, and a
regex costs microseconds where a general parser costs milliseconds. A number with no
currency is money only in a money context ("spent more than 400 in groceries", "a 800
transfer"): then ``currency`` is ``None`` and the confidence is lower.
"""

from __future__ import annotations

import re

from .lexicon import (
    CURRENCY_CODES,
    CURRENCY_SYMBOLS,
    CURRENCY_WORDS,
    MINOR_UNITS,
    NUMBER_WORDS,
    SCALE_SUFFIXES,
    Scan,
    alternation,
    clean_start,
    parse_digits,
    parse_number,
    scan,
)

Candidate = tuple[int, int, str, object, float]

NUM = r"(?:\d{1,3}(?:[,.'\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)(?![\d])"
# With a currency next to it, a space may group thousands too ("1 500 €", "£1 500").
NUM_SPACED = r"(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?(?![\d])|" + NUM + ")"
_SYM = alternation(CURRENCY_SYMBOLS)
_CODES = "(?-i:" + "|".join(sorted(CURRENCY_CODES)) + ")"
_WORDS = alternation(CURRENCY_WORDS)
_SCALE = r"(?:(?P<sk>k|m|mn|bn)\b|\s+(?P<sw>thousand|million|billion|grand)\b)?"
_MINOR = (
    rf"(?:\s+(?:and\s+)?(?P<minor>\d{{1,2}}|{NUMBER_WORDS})"
    r"(?:\s+(?P<mu>cents?|pence|p)\b|(?=\s*(?:$|[.,!?;)]))))?"
)

# Linear time (docs/input_rules.md): a number is read from where it starts. A match that starts after
# a letter, a digit or one of ``_BAD_BEFORE`` is dropped anyway (``clean_start``), and a group of
# exactly three digits after a digit and a separator ("1 000 000", "1'000") is the rest of the number
# before it, so neither is tried: otherwise every digit of a long digit run would read the run to
# its end again (its length squared).
_NOT_INSIDE = r"(?!(?<=\d[,.'\u00a0\u202f ])\d{3}(?!\d))"
_CLEAN_DIGIT = r"(?<![\w.,$€£¥])" + _NOT_INSIDE

PREFIX_RE = re.compile(
    rf"(?<![\w$€£¥])(?P<cur>{_SYM}|{_CODES}\b)\s?(?P<num>{NUM_SPACED}){_SCALE}", re.IGNORECASE
)
_SUFFIX = rf"{_SCALE}\s?(?P<cur>{_SYM}|{_CODES}\b|{_WORDS}\b){_MINOR}"
SUFFIX_DIGIT_RE = re.compile(rf"{_CLEAN_DIGIT}(?P<num>{NUM_SPACED}){_SUFFIX}", re.IGNORECASE)
SUFFIX_WORD_RE = re.compile(rf"\b(?P<num>{NUMBER_WORDS}){_SUFFIX}", re.IGNORECASE)
MINOR_DIGIT_RE = re.compile(r"(?P<num>\d{1,3})(?:\s+(?P<mu>cents?|pence)\b|(?P<p>p)\b)", re.IGNORECASE)
MINOR_WORD_RE = re.compile(rf"\b(?P<num>{NUMBER_WORDS})\s+(?P<mu>cents?|pence)\b", re.IGNORECASE)
_BAD_BEFORE = ".,$€£¥"

# A bare number is money after a money verb ("spent 158.16 at", "not more than 800") or before
# a money noun ("a 800 transfer", "the 718 standing order").
_BARE_RE = re.compile(
    rf"(?<![\w.,$€£¥:/#-]){_NOT_INSIDE}(?P<num>{NUM})(?P<sk>k|m|bn)?(?![\w:/%$€£¥]|[.,]\d)", re.IGNORECASE
)
_MONEY_VERB = (
    r"(?:spen[dt]|spending|pa(?:y|id|ying)|transfer(?:red|ring)?|sen[dt]|sending|withdr[ae]wn?|withdraw"
    r"|charged?|charging|costs?|refund(?:ed)?|deposit(?:ed)?|top(?:ped)?\s+up|amount\s+of|payment\s+of"
    r"|balance\s+of|fee\s+of|more\s+than|less\s+than|lower\s+than|higher\s+than|loan\s+of|owe[ds]?|earn(?:ed)?"
    r"|receive[ds]?|borrow(?:ed)?|lend|lent)"
)
_FILLER = (
    r"(?:me|us|him|her|them|you|a|an|the|about|around|approximately|roughly|like|only|just|exactly"
    r"|almost|nearly|over|under|another|extra|additional|at\s+least|up\s+to)"
)
_BEFORE_RE = re.compile(rf"\b{_MONEY_VERB}(?:\s+{_FILLER})*\s+$", re.IGNORECASE)
_AFTER_BOUNDARY_RE = re.compile(
    r"\s*(?:$|[.,!?;)]|(?:at|in|on|to|from|for|during|into|then|please|and|or|via|with|by|this|last"
    r"|yesterday|today|back|already|now|instead|total|each|every|per|a\s+month|a\s+week)\b)",
    re.IGNORECASE,
)
_MONEY_NOUN_RE = re.compile(
    r"\s+(?:transfers?|payments?|standing\s+orders?|direct\s+debits?|deposits?|withdrawals?|refunds?|fees?"
    r"|charges?|loans?|transactions?|cheques?|checks?|bills?|top[\s-]?ups?|overdraft)\b",
    re.IGNORECASE,
)
_ARTICLE_RE = re.compile(r"\b(?:a|an|the|that|this|my|your|his|her|our|their)\s+$", re.IGNORECASE)
_CONTEXT_WORDS = frozenset(
    [
        "spend",
        "spent",
        "spending",
        "pay",
        "paid",
        "paying",
        "transfer",
        "transferred",
        "transferring",
        "transfers",
        "send",
        "sent",
        "sending",
        "withdraw",
        "withdrew",
        "withdrawn",
        "charge",
        "charged",
        "charging",
        "charges",
        "cost",
        "costs",
        "refund",
        "refunded",
        "refunds",
        "deposit",
        "deposited",
        "deposits",
        "top",
        "topped",
        "amount",
        "payment",
        "payments",
        "balance",
        "fee",
        "fees",
        "more",
        "less",
        "lower",
        "higher",
        "loan",
        "loans",
        "owe",
        "owed",
        "owes",
        "earn",
        "earned",
        "receive",
        "received",
        "receives",
        "borrow",
        "borrowed",
        "lend",
        "lent",
        "standing",
        "direct",
        "withdrawal",
        "withdrawals",
        "transaction",
        "transactions",
        "cheque",
        "cheques",
        "check",
        "checks",
        "bill",
        "bills",
        "overdraft",
        "topup",
    ]
)
SYMBOL_RE = re.compile(r"[$€£¥₹₩₽₺₪]|zł")
MONEY_WORDS = frozenset(key.split()[-1] for key in CURRENCY_WORDS) | frozenset(MINOR_UNITS)
_CODE_WORDS = frozenset(code.lower() for code in CURRENCY_CODES)


def gate(text: str, sc: Scan) -> bool:
    """Whether ``extract_money`` can find anything: a digit, a currency symbol or a currency word."""
    return sc.digit or not sc.words.isdisjoint(MONEY_WORDS) or SYMBOL_RE.search(text) is not None


def _currency(raw: str) -> str | None:
    key = re.sub(r"\s+", " ", raw.lower())
    if key in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[key]
    if key.upper() in CURRENCY_CODES:
        return key.upper()
    return CURRENCY_WORDS.get(key)


def _amount(match: re.Match) -> float | None:
    number = parse_number(match.group("num"))
    if number is None:
        return None
    scale = match.group("sk") or match.group("sw")
    if scale:
        number *= SCALE_SUFFIXES[scale.lower()]
    return number


def _minor(match: re.Match) -> tuple[float, bool]:
    """Hundredths said after the main unit ("5 pounds 50", "42 dollars and 50 cents")."""
    if "minor" not in match.re.groupindex or match.group("minor") is None:
        return 0.0, False
    value = parse_number(match.group("minor"))
    if value is None or not 0 <= value < 100:
        return 0.0, False
    return value / 100, True


def extract_money(text: str, sc: Scan | None = None) -> list[Candidate]:
    """Every money expression in ``text`` as ``(start, end, "amount_of_money", value, confidence)``."""
    sc = sc or scan(text)
    if not gate(text, sc):
        return []
    found: list[Candidate] = []
    words = sc.words
    symbol = SYMBOL_RE.search(text) is not None
    currency_word = not words.isdisjoint(MONEY_WORDS)
    regexes = []
    if symbol or not words.isdisjoint(_CODE_WORDS):
        regexes.append(PREFIX_RE)
    if sc.digit:
        regexes.append(SUFFIX_DIGIT_RE)
    if currency_word and sc.spelled:
        regexes.append(SUFFIX_WORD_RE)
    for regex in regexes:
        for match in regex.finditer(text):
            if regex is SUFFIX_DIGIT_RE and not clean_start(text, match.start(), _BAD_BEFORE):
                continue
            amount = _amount(match)
            if amount is None:
                continue
            currency = _currency(match.group("cur"))
            minor, has_minor = _minor(match)
            end = match.end() if has_minor or regex is PREFIX_RE else match.end("cur")
            spelled = not match.group("num")[:1].isdigit()
            value = {"amount": round(amount + minor, 6), "currency": currency}
            found.append((match.start(), end, "amount_of_money", value, 0.9 if spelled else 0.95))
    minor_regexes = [MINOR_DIGIT_RE] if sc.digit else []
    if sc.spelled and not words.isdisjoint(MINOR_UNITS):
        minor_regexes.append(MINOR_WORD_RE)
    for regex in minor_regexes:
        for match in regex.finditer(text):
            number = parse_number(match.group("num"))
            if number is not None and clean_start(text, match.start(), _BAD_BEFORE):
                currency = MINOR_UNITS[(match.group("mu") or "p").lower()]
                value = {"amount": round(number / 100, 6), "currency": currency}
                found.append((match.start(), match.end(), "amount_of_money", value, 0.85))
    if sc.digit and not words.isdisjoint(_CONTEXT_WORDS):
        found.extend(_bare_amounts(text))
    return found


def _bare_amounts(text: str) -> list[Candidate]:
    found: list[Candidate] = []
    for match in _BARE_RE.finditer(text):
        start, end = match.span()
        if not clean_start(text, start, _BAD_BEFORE + ":/#-"):
            continue
        before, after = text[max(0, start - 40) : start], text[end : end + 30]
        if re.search(r"\b(?:at|after|before|by|until|till)\s+$", before, re.IGNORECASE):
            continue  # "pay at 4" is a time
        verb = _BEFORE_RE.search(before) and _AFTER_BOUNDARY_RE.match(after)
        noun = _ARTICLE_RE.search(before) and _MONEY_NOUN_RE.match(after)
        if verb or noun:
            amount = parse_digits(match.group("num"))
            if amount is not None and match.group("sk"):
                amount *= SCALE_SUFFIXES[match.group("sk").lower()]
            if amount is not None:
                found.append((start, end, "amount_of_money", {"amount": amount, "currency": None}, 0.6))
    return found
