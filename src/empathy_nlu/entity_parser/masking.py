"""``mask_personal_data`` and ``mask_card_numbers``: thin wrappers over ``empathy_nlu.privacy``.

Kept so existing callers work; the detection (cards with any separators, IBANs, SSNs, e-mails,
phones) and the two masking forms live in the privacy layer (docs/privacy.md). The regexes the
builtin extractors propose candidates with (``CARD_RE``, ``EMAIL_RE``, ``PHONE_RE``) stay here.
"""

from __future__ import annotations

import re

from ..errors import InputError
from ..privacy import luhn_valid, mask_financial, plausible_phone, redact_text
from ..privacy.detect import _EMAIL as EMAIL_RE
from ..privacy.detect import _PHONE as PHONE_RE

__all__ = [
    "CARD_RE",
    "EMAIL_MASK",
    "EMAIL_RE",
    "PHONE_MASK",
    "PHONE_RE",
    "luhn_valid",
    "mask_card",
    "mask_card_numbers",
    "mask_personal_data",
    "plausible_phone",
]

EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"

# 13-19 digits, in groups separated by single spaces, dashes or dots, not glued to other digits:
# the candidates of the ``card_number`` entity (which must also pass the Luhn check).
CARD_RE = re.compile(r"(?<![\d.,])\d(?:[ .\-]?\d){12,18}(?![\d])")


def mask_card(digits: str) -> str:
    """``"**** **** **** 1234"``: the last four digits kept, every other digit hidden."""
    return "**** **** **** " + digits[-4:]


def _check(text) -> None:
    if not isinstance(text, str):
        raise InputError(f"text must be a str, got {type(text).__name__}.", "E320")


def mask_card_numbers(text: str) -> str:
    """``text`` with card numbers (all but the last four digits), IBANs and SSNs as ``*``, length
    unchanged, so offsets into it stay true. E-mails and phones stay (see ``mask_personal_data``)."""
    _check(text)
    return mask_financial(text)


def mask_personal_data(text: str) -> str:
    """``text`` for storage or a hand-over: card numbers as ``**** **** **** 1234``, IBANs ``[iban]``,
    SSNs ``[ssn]``, e-mails ``[email]``, phones ``[phone]``; dates, amounts and times left alone."""
    _check(text)
    return redact_text(text)
