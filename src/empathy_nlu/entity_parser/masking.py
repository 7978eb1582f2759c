"""``mask_personal_data``: card numbers, e-mail addresses and phone numbers masked in free text.

Why here and dependency-free: the conversation store and the hand-over summary must never
keep a raw card number, and they run on every turn, so masking is a few precompiled regexes
with a cheap digit / ``@`` gate. It is deliberately *more* eager than the ``card_number``
entity: any 13-19 digit run (spaces or dashes allowed) is masked as a card even when its
Luhn check fails, because a mistyped card number is still a card number.
"""

from __future__ import annotations

import re

from ..errors import InputError

__all__ = ["EMAIL_MASK", "PHONE_MASK", "luhn_valid", "mask_card", "mask_personal_data", "plausible_phone"]

EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"

# 13-19 digits, in groups separated by single spaces or dashes, not glued to other digits.
CARD_RE = re.compile(r"(?<![\d.,])\d(?:[ -]?\d){12,18}(?![\d])")
EMAIL_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}", re.ASCII)
# 7-15 digits with an optional +country code, (area) and space/dot/dash separators.
PHONE_RE = re.compile(
    r"(?<![\w.,])(?:\+|00)?\(?\d{1,4}\)?(?:[ .\-]?\(?\d{1,4}\)?){2,6}(?![\w])",
)
_DIGIT_OR_AT = re.compile(r"[\d@]")
# Calendar dates and thousands-grouped amounts look like phone numbers to the pattern above.
_NOT_PHONE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}|\d{1,3}(?:,\d{3})+")


def mask_card(digits: str) -> str:
    """``"**** **** **** 1234"``: the last four digits kept, every other digit hidden."""
    return "**** **** **** " + digits[-4:]


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _mask_card_match(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group())
    international = match.group().startswith("00") or match.string[max(0, match.start() - 1)] == "+"
    if international and not luhn_valid(digits):
        return match.group()  # "+44 7700 900123 45", "0044 ...": a phone number, masked as one below
    return mask_card(digits)


def plausible_phone(text: str) -> bool:
    """A phone-like match that is not a date, an amount or a bare short number."""
    if _NOT_PHONE.fullmatch(text):
        return False
    n_digits = sum(c.isdigit() for c in text)
    if n_digits < 7 or n_digits > 15:
        return False
    # a bare run of 7-9 digits is more often an order or reference number
    return text.startswith(("+", "00", "(")) or bool(re.search(r"[ .\-()]", text)) or n_digits >= 10


def _mask_phone_match(match: re.Match) -> str:
    return PHONE_MASK if plausible_phone(match.group()) else match.group()


_FOUR_DIGITS = re.compile(r"\d{4}")


def _star_all_but_last_four(match: re.Match) -> str:
    number = match.group()
    keep_from = [i for i, ch in enumerate(number) if ch.isdigit()][-4]
    return "".join("*" if ch.isdigit() and i < keep_from else ch for i, ch in enumerate(number))


def mask_card_numbers(text: str) -> str:
    """``text`` with every card-number digit but the last four replaced by ``*``, length unchanged.

    Why length-preserving: ``Prediction.text`` echoes the utterance and entity offsets point into
    it, so the raw number must go without moving anything. Other personal data (an e-mail the
    customer gives) stays: it is a detail the customer wants used.
    """
    if not _FOUR_DIGITS.search(text):
        return text
    return CARD_RE.sub(_star_all_but_last_four, text)


def mask_personal_data(text: str) -> str:
    """``text`` with card numbers (last four kept), e-mail addresses and phone numbers masked.

    Text with no digit and no ``@`` is returned as is (the common case costs one regex search).
    """
    if not isinstance(text, str):
        raise InputError(f"text must be a str, got {type(text).__name__}.", "E320")
    if not _DIGIT_OR_AT.search(text):
        return text
    if "@" in text:
        text = EMAIL_RE.sub(EMAIL_MASK, text)
    text = CARD_RE.sub(_mask_card_match, text)
    return PHONE_RE.sub(_mask_phone_match, text)
