"""Typing slips in text messages and posts ("declnied", "payemnt") fixed with ``pyspellchecker``.

Why so conservative: a spelling corrector that knows general English but not banking turns
"atm" into "at", "crypto" into "crypt" and "revolut" into "revolt". So only a word the
dictionary does not know, of at least five letters, is changed, and only into a common word
(seen at least ``MIN_COUNT`` times in its frequency list) that differs by two neighbouring letters
swapped: the slip a thumb makes most, and one that almost never turns a word into another.
Capitalized words (names), codes and shorthand are left as they are.
"""

from __future__ import annotations

import re
import threading

MIN_COUNT = 1000  # a correction must be a common word: "trans" is not a slip for "tarns" (seen 50 times)
# At most 30 letters: no common word is longer, and trying every swap of a 60,000-letter "word" costs
# its length squared.
_WORD = re.compile(r"(?<![\w@#/'-])[a-z]{5,30}(?![\w'/-])")
_lock = threading.Lock()
_checker = None


def _spellchecker():
    global _checker
    if _checker is None:
        with _lock:
            if _checker is None:
                from spellchecker import SpellChecker

                _checker = SpellChecker(distance=1)
    return _checker


def _swaps(word: str):
    for i in range(len(word) - 1):
        if word[i] != word[i + 1]:
            yield word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def fix_swapped_letters(text: str) -> str:
    """``text`` with each unknown lowercase word whose two swapped neighbours make a known word fixed
    (the most frequent such word wins); everything else untouched."""
    checker = _spellchecker()

    def fix(match: re.Match) -> str:
        word = match.group(0)
        if word in checker:
            return word
        known = [w for w in _swaps(word) if checker.word_frequency[w] >= MIN_COUNT]
        return max(known, key=checker.word_usage_frequency) if known else word

    return _WORD.sub(fix, text)
