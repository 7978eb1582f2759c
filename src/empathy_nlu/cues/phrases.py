"""Phrase matching for languages spaCy's English tokens do not fit: one trie regex per language.

Why not spaCy's ``Matcher``: Chinese and Japanese have no spaces, so a sentence is one
"token", and Korean and Arabic glue particles and articles to words. A phrase list
compiled into one regular expression shaped like a trie (common prefixes shared, the
longest phrase preferred at each position) scans a text once: at most the longest
phrase's length of work per character, so linear in the text. Folding (case, Spanish
accents, Arabic letter variants) maps one character to one character, so offsets found
in the folded text are offsets in the raw text.

Which languages a text can hold is decided by its script first (a precompiled character
class), so an English message costs one ``isascii`` and, when no language was detected,
one search for Spanish marker words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..language.normalize import fold_chinese
from ..language.scripts import ARABIC, HANGUL

LANGUAGES = ("zh", "ja", "ko", "es", "ar")
BOUNDED = frozenset({"es"})  # languages whose phrases must start and end at word boundaries
MIN_CONFIDENCE = 0.5  # below this, a detected Latin-script language is not trusted over the markers

_KANA = re.compile("[\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# Spanish function and support words that English text almost never has; one set test on the
# lower-cased words costs about 2 us, a regex with word boundaries 7-18 us.
_MARKER_WORDS = (
    "de la el los las del es en por para con que qué se lo le mi mis una muy pero porque ya está "
    "esta estoy tengo quiero necesito puedo gracias hola tarjeta cuenta dinero ayuda banco nadie "
    "todavía todavia"
)
_SPANISH_MARKERS = frozenset(_MARKER_WORDS.split())
_SPANISH_LETTERS = re.compile("[ñÑ¿¡]")
_FOLD = {
    "es": str.maketrans("áéíóúüñÁÉÍÓÚÜÑ", "aeiouunaeiouun"),
    "ar": str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"}),
}


def fold(text: str, code: str) -> str:
    """Lower case and the language's letter folds (Chinese: Traditional as Simplified), one character
    for one (offsets are kept)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # "İ" lowers to two characters: keep such characters as they are
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    table = _FOLD.get(code)
    folded = lowered.translate(table) if table else lowered
    if code == "zh":  # Traditional as Simplified, where it keeps one character for one
        simplified = fold_chinese(folded)
        return simplified if len(simplified) == len(folded) else folded
    return folded


def languages_for(text: str, language=None) -> tuple[str, ...]:
    """The languages of ``LANGUAGES`` whose phrases ``text`` can contain.

    ``language``: a ``LanguageGuess`` (or None). Scripts decide Chinese, Japanese, Korean and
    Arabic; Spanish, written in Latin letters like English, needs the guess ``es`` or, when
    there is no confident guess, a Spanish marker word.
    """
    code = getattr(language, "code", None)
    out: list[str] = []
    if not text.isascii():
        if _KANA.search(text):
            out.append("ja")
        elif _HAN.search(text):
            out.append("ja" if code == "ja" else "zh")
        if HANGUL.search(text):
            out.append("ko")
        if ARABIC.search(text):
            out.append("ar")
        if out:
            return tuple(out)
    confident = code is not None and getattr(language, "confidence", 0.0) >= MIN_CONFIDENCE
    if code == "es" or (not confident and _looks_spanish(text)):
        return ("es",)
    return ()


def _looks_spanish(text: str) -> bool:
    if not _SPANISH_MARKERS.isdisjoint(text.lower().split()):
        return True
    return not text.isascii() and _SPANISH_LETTERS.search(text) is not None


def _trie(phrases: Iterable[str]) -> dict:
    root: dict = {}
    for phrase in phrases:
        node = root
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = True  # a phrase ends here
    return root


def _trie_regex(node: dict) -> str:
    """The regex of a trie node: its branches, optional when a phrase also ends here (greedy)."""
    branches = [re.escape(ch) + _trie_regex(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return "(?:" + body + ")?"
    return body


class PhraseIndex:
    """Folded phrases of one language compiled into one regex; ``find`` gives what each match means.

    ``values``: one value per phrase (a pattern index, a valence, ...); several phrases may fold
    to the same text, and each match reports every value of its text.
    """

    def __init__(self, code: str, phrases: list[str], values: list) -> None:
        self.code = code
        self.phrases = list(zip(phrases, values, strict=True))
        self.bounded = code in BOUNDED
        self._built = False  # folded and compiled on the first text of the language (below)

    def _build(self) -> None:
        """Fold the phrases and compile their regex: on first use, so a model loads without it (folding
        Chinese loads OpenCC) and an English-only process never pays for it. Idempotent: two threads
        building at once build the same thing."""
        values: dict[str, list] = {}
        for phrase, value in self.phrases:
            values.setdefault(fold(phrase, self.code), []).append(value)
        body = _trie_regex(_trie(values))
        if self.bounded:  # the left boundary is checked after the match, so the regex keeps its
            body = f"(?:{body})(?!\\w)"  # first-character scan (a lookbehind would disable it)
        self.values, self.regex = values, re.compile(body) if values else None
        self._built = True

    def find(self, text: str) -> list[tuple[int, int, list]]:
        """``(start, end, values)`` of every match, left to right, never overlapping."""
        if not self._built:
            self._build()
        if self.regex is None:
            return []
        folded = fold(text, self.code)
        out = []
        for match in self.regex.finditer(folded):
            start, end = match.span()
            if self.bounded and start and (folded[start - 1].isalnum() or folded[start - 1] == "_"):
                continue
            out.append((start, end, self.values[folded[start:end]]))
        return out
