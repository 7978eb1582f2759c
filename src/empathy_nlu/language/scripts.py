"""Writing systems by character range: the cheap facts every stage can ask about a text.

Why here and not in a library: the questions are "is there any Thai or Chinese in this text?"
and "which script is this character?", asked on the hot path of every prediction; one compiled
character class answers the first in microseconds, and ``unicodedata`` has no script property.
"""

from __future__ import annotations

import re

# Scripts written without spaces between words: a run of them is many words, not one.
_UNSPACED_RANGES = (
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"  # Katakana (and half-width)
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # Han (CJK ideographs)
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u1780-\u17ff"  # Khmer
    "\u1000-\u109f"  # Myanmar
)
UNSPACED = re.compile(f"[{_UNSPACED_RANGES}]")
UNSPACED_RUN = re.compile(f"[{_UNSPACED_RANGES}]+")

_SCRIPTS = (
    ("han", "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f\u3005\u3007"),
    ("kana", "\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"),
    ("hangul", "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"),
    ("thai", "\u0e00-\u0e7f"),
    ("arabic", "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"),
    ("hebrew", "\u0590-\u05ff"),
    ("cyrillic", "\u0400-\u04ff\u0500-\u052f"),
    ("greek", "\u0370-\u03ff"),
    ("devanagari", "\u0900-\u097f"),
    ("latin", "A-Za-z\u00c0-\u024f\u1e00-\u1eff"),
)
_SCRIPT_OF = [(name, re.compile(f"[{chars}]")) for name, chars in _SCRIPTS]
HAN = _SCRIPT_OF[0][1]
KANA = _SCRIPT_OF[1][1]
ARABIC = _SCRIPT_OF[4][1]
HANGUL = _SCRIPT_OF[2][1]


def script_of(ch: str) -> str | None:
    """The script of one character (``han``, ``kana``, ``hangul``, ``thai``, ``arabic``, ``latin``,
    ...), or None for digits, punctuation, symbols and scripts not listed here."""
    for name, pattern in _SCRIPT_OF:
        if pattern.match(ch):
            return name
    return None


def scripts_in(text: str) -> set[str]:
    """Every listed script that has at least one character in ``text`` (ASCII text: at most latin)."""
    if text.isascii():
        return {"latin"} if any(ch.isalpha() for ch in text) else set()
    return {name for name, pattern in _SCRIPT_OF if pattern.search(text)}


def has_unspaced(text: str) -> bool:
    """Whether ``text`` has any character of a script written without spaces (Chinese, Japanese,
    Thai, Lao, Khmer, Myanmar)."""
    return not text.isascii() and UNSPACED.search(text) is not None
