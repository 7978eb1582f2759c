"""What the detectors read: same-length views of a text in which every script's numbers look alike.

Why same length: every finding and entity is an offset into the text as given, so a view may
only replace one character by one character. Two views:

- ``fold``: full-width forms ("４１１１", "ＩＢＡＮ", the ideographic space) and the digits of other
  scripts (Arabic-Indic "٣٥٠", Thai, Devanagari, ...) as their ASCII counterparts, so a card typed
  on a Japanese keyboard passes the same Luhn check as one typed in English.
- ``isolate``: ``fold``, then every letter of a script that writes numbers against its words (Han,
  kana, Hangul, Thai, Arabic, ...) as ``SEPARATOR``. Python's ``\\w`` counts those letters as word
  characters, so "卡号是4111111111111111" has no ``\\b`` before its digits and "電話は090-1234-5678"
  no phone for a ``(?<!\\w)`` lookbehind; in this view the English regexes find them unchanged.
  ``SEPARATOR`` is no word, space or separator character, so "2026年3月15日" does not become one
  digit run "2026 3 15".

An ASCII text is its own view (one ``isascii`` check): English costs nothing and reads the same.
"""

from __future__ import annotations

import re

__all__ = ["NUMBERS_AGAINST_WORDS", "SEPARATOR", "fold", "isolate", "numbers_against_words"]

SEPARATOR = "\x00"
# Scripts whose letters touch a number without a space ("3万円", "010-1234-5678로", "بـ500").
NUMBERS_AGAINST_WORDS = (
    "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"  # kana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f\u3005\u3007"  # Han
    "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"  # Hangul
    "\u0e00-\u0e7f\u0e80-\u0eff\u1780-\u17ff\u1000-\u109f"  # Thai, Lao, Khmer, Myanmar
    "\u0600-\u065f\u066e-\u06ef\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"  # Arabic
)
_AGAINST = re.compile(f"[{NUMBERS_AGAINST_WORDS}]")
_DIGIT_ZEROS = (0x0660, 0x06F0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0E50, 0x0ED0, 0x1040, 0x17E0, 0xFF10)
_TABLE: dict[int, str] = {zero + n: str(n) for zero in _DIGIT_ZEROS for n in range(10)}
_TABLE.update({cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)})  # full-width ASCII
_TABLE.update(
    {
        0x3000: " ",  # ideographic space
        0x066B: ".",  # Arabic decimal separator
        0x066C: ",",  # Arabic thousands separator
        0xFFE0: "¢",
        0xFFE1: "£",
        0xFFE5: "¥",
        0xFFE6: "₩",
    }
)


def fold(text: str) -> str:
    """``text`` with full-width forms and other scripts' digits as ASCII, length kept."""
    return text if text.isascii() else text.translate(_TABLE)


def numbers_against_words(text: str) -> bool:
    """Whether ``text`` has a letter of a script that writes numbers against its words."""
    return not text.isascii() and _AGAINST.search(text) is not None


def isolate(folded: str) -> str:
    """A ``fold``-ed text with the letters of ``NUMBERS_AGAINST_WORDS`` as ``SEPARATOR``, length kept."""
    if folded.isascii():
        return folded
    return _AGAINST.sub(SEPARATOR, folded)
