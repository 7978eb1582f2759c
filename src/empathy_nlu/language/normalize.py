"""Per-script normalization of non-ASCII text: one spelling per letter, ASCII digits, local money.

Why: writers of Arabic choose freely between letter variants (alef with or without hamza, alef
maqsura or yaa, taa marbuta or haa) and may add diacritics and tatweel; Arabic-Indic and Persian
digits stand for the same numbers as ASCII ones. A model that sees one spelling per word learns
from every example of it. All of it is one ``str.translate`` (linear, C speed), and ASCII text
never gets here (``preprocessing.normalize`` checks ``isascii`` first), so English is untouched.
"""

from __future__ import annotations

import re
import threading

from .scripts import ARABIC, HAN, KANA

_ARABIC_DIACRITICS = (
    "\u0610-\u061a"  # honorific and Quranic signs above letters
    "\u064b-\u065f"  # tanween, fatha, damma, kasra, shadda, sukun, ...
    "\u0670"  # superscript alef
    "\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed"  # Quranic annotation marks
)
# Tatweel (kashida) stretches a word and means nothing; zero-width spaces, marks of direction and the
# byte-order mark are invisible and would split or glue words at random.
_DELETE = "\u0640\u200b\u200e\u200f\ufeff\u202a-\u202e\u2066-\u2069"

# One letter for each group of variants. Neutral on ArBanking77 valid (0.928 with or without, fast
# tier), kept because customers type either form and one spelling makes their words one feature.
_ARABIC_LETTERS = {
    "\u0623": "\u0627",  # alef with hamza above -> alef
    "\u0625": "\u0627",  # alef with hamza below -> alef
    "\u0622": "\u0627",  # alef with madda -> alef
    "\u0671": "\u0627",  # alef wasla -> alef
    "\u0649": "\u064a",  # alef maqsura -> yaa
    "\u0629": "\u0647",  # taa marbuta -> haa
    "\u06cc": "\u064a",  # Farsi yeh -> Arabic yaa
    "\u06a9": "\u0643",  # keheh -> kaf
}
_ARABIC_PUNCTUATION = {"\u061f": "?", "\u060c": ",", "\u061b": ";", "\u066b": ".", "\u066c": ","}
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}


def _ranges(spec: str) -> list[int]:
    """The code points of a character-class body such as ``a-cx`` (ranges and single characters)."""
    points, i = [], 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            points.extend(range(ord(spec[i]), ord(spec[i + 2]) + 1))
            i += 3
        else:
            points.append(ord(spec[i]))
            i += 1
    return points


_TABLE = str.maketrans(
    {**_ARABIC_LETTERS, **_ARABIC_PUNCTUATION, **_DIGITS}
    | dict.fromkeys(_ranges(_ARABIC_DIACRITICS + _DELETE))
)
_NEEDS_TABLE = re.compile(f"[{ARABIC.pattern[1:-1]}{_DELETE}]")


def fold_scripts(text: str) -> str:
    """``text`` with Arabic letter variants, diacritics, tatweel and punctuation folded and
    Arabic-Indic / Persian digits made ASCII (other scripts pass through unchanged)."""
    if _NEEDS_TABLE.search(text) is None:
        return text
    return text.translate(_TABLE)


# Traditional and Simplified Chinese as one: a customer in Hong Kong or Taiwan writes 賬戶 and 錢 where
# the examples say 账户 and 钱. Measured on CAIS valid (trained on Simplified): the valid set written
# in Traditional (OpenCC s2t) 0.9235, folded back to Simplified 0.9598, the Simplified text unchanged
# (0.9598 either way). Japanese is not folded (kana in the text): its kanji are neither form.
_local = threading.local()


def _to_simplified():
    """OpenCC's Traditional -> Simplified converter of this thread (0.13 s to load, on first use)."""
    converter = getattr(_local, "t2s", None)
    if converter is None:
        import opencc  # OpenCC's own binding (Apache-2.0): phrase-aware, about 7 us a message

        converter = _local.t2s = opencc.OpenCC("t2s")
    return converter


def fold_chinese(text: str) -> str:
    """``text`` in Simplified Chinese when it has Han characters and no kana (else unchanged)."""
    if text.isascii() or HAN.search(text) is None or KANA.search(text) is not None:
        return text
    return _to_simplified().convert(text)


# English spaCy rules split "word." or "?word" only next to Latin letters: "الدفع.احدي" stays one token.
_ARABIC_LETTER = ARABIC.pattern[1:-1]
_GLUED_PUNCTUATION = re.compile(
    rf"(?<=[{_ARABIC_LETTER}])([.?!,;:/\"()])|([.?!,;:/\"()])(?=[{_ARABIC_LETTER}])"
)


def space_arabic_punctuation(text: str) -> str:
    """Spaces around punctuation that touches an Arabic letter, so words and marks are tokens."""
    if ARABIC.search(text) is None:
        return text
    return _GLUED_PUNCTUATION.sub(lambda m: f" {m.group(0)} ", text)


# Amounts written with a local currency sign or word after (or before) the number: 3万円, 100元,
# 5,000원, 50 ر.س, ₩5000. ASCII text never reaches this pattern (English keeps its own rules).
_LOCAL_AFTER = (
    r"(?:円|元|圆|圓|块|塊|원|만원|ر\.\s?س|ريال|ريالات|درهم|دراهم|دينار|دنانير|جنيه|دولار|دولارات|يورو|"
    r"ليرة|€|₩|₪|₺|₽|₫|฿|บาท|₱|₦|₴|₸)"
)
_MULTIPLIER = r"(?:\s?(?:万|萬|千|百|亿|億|만|천|억|ألف|آلاف|مليون))?"
_LOCAL_BEFORE = r"(?:₩|₪|₺|₽|₫|฿|₱|₦|₴|₸|ر\.\s?س|US\$|HK\$|NT\$|RMB|CNY|KRW|SAR|AED|THB)"
_NUM = r"\d{1,32}(?:[.,]\d{1,32}){0,16}"
LOCAL_MONEY = re.compile(
    rf"(?<!\d)(?<!\d[.,]){_NUM}{_MULTIPLIER}\s?{_LOCAL_AFTER}|{_LOCAL_BEFORE}\s?{_NUM}{_MULTIPLIER}"
)
