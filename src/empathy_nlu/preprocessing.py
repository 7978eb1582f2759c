"""One text normalizer used identically at training and at prediction time.

Why one module: a model is only as good as the match between the text it was
trained on and the text it sees. Every model calls ``preprocess`` and nothing
else, so a change here changes training and prediction together (the manifest
records ``PREPROCESSING_VERSION`` so an old model is not fed new normalization).
"""

from __future__ import annotations

import re
import sys
import threading
import unicodedata
from dataclasses import dataclass
from types import ModuleType

from .language.normalize import LOCAL_MONEY, fold_chinese, fold_scripts, space_arabic_punctuation
from .language.segment import split_unspaced

# 2: per-script folding (Traditional Chinese as Simplified), local money, unspaced scripts per character
PREPROCESSING_VERSION = 2

URL_TOKEN = "xxurl"
EMAIL_TOKEN = "xxemail"
MONEY_TOKEN = "xxmoney"
NUMBER_TOKEN = "xxnum"
EMOJI_TOKEN = "xxemoji"

# Linear time (docs/input_rules.md): a pattern that may start at every character of a run (a
# digit run, "a-a-a-...") must not read to the end of the run from each of them, or a long run
# costs its length squared. So the part before "@" of an e-mail is at most 64 characters (the
# limit of an address), a domain label before its ending at most 63 (the limit of DNS), and a
# number before a currency word at most 32 digits a group and 16 groups: every e-mail, domain and
# amount within those limits reads as before, character for character.
_URL = re.compile(
    r"\b(?:https?://|www\.)\S+|\b[a-z0-9-]{1,63}\.(?:com|org|net|io|co|uk|de|fr|es)(?:/\S*)?\b", re.I
)
_EMAIL = re.compile(r"\b[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+\b")
_CURRENCY_WORDS = (
    r"(?:euros?|eur|dollars?|usd|bucks|pounds?|gbp|quid|yen|jpy|francs?|chf|rupees?|inr|"
    r"pesos?|reais|real|brl|kr|sek|nok|dkk|zloty|pln|cents?|pence|p)"
)
_NUM = r"\d+(?:[.,]\d+)*(?:\s?[km])?"
_SHORT_NUM = r"\d{1,32}(?:[.,]\d{1,32}){0,16}(?:\s?[km])?"
# "12.50 $" starts where its digits start: a match can never start after a digit, or after a digit
# and a "." or "," (the match would have started before them), so those starts are not tried.
_MONEY = re.compile(
    rf"[$€£¥₹]\s?{_NUM}|(?<!\d)(?<!\d[.,]){_NUM}\s?[$€£¥₹]|\b{_SHORT_NUM}\s?{_CURRENCY_WORDS}\b"
    rf"|\b(?:usd|eur|gbp)\s?{_NUM}",
    re.I,
)
_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
_ELONGATION = re.compile(r"(\w)\1{2,}")
_REPEATED_PUNCT = re.compile(r"([!?.])\1{2,}")
_MAYBE_URL = re.compile(r"http|www\.|\.(?:com|org|net|io|co|uk|de|fr|es)\b", re.I)
_HAS_DIGIT = re.compile(r"\d")  # every money and number pattern needs a digit
# Pictographs, dingbats, symbols and flags: enough to split emoji off words.
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class ProcessedText:
    """The raw text, its normalized form, and the tokens of the normalized form."""

    raw: str
    normalized: str
    tokens: tuple[str, ...]


_local = threading.local()
_ORTH: int = -1  # spacy.attrs.ORTH, read when the first tokenizer is built


class _NoTorchInThisThread:
    """A ``sys.meta_path`` finder that fails ``import torch`` (and its submodules) in one thread."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()

    def find_spec(self, name, path=None, target=None):
        if threading.get_ident() == self.thread and name.partition(".")[0] == "torch":
            raise ModuleNotFoundError("torch is not imported for spaCy's tokenizer", name=name)
        return None  # any other module, or torch in any other thread: the normal finders


def import_spacy() -> ModuleType:
    """``spacy``, imported without thinc importing torch when nothing in the process has done so.

    Why: ``import spacy`` imports thinc, whose ``thinc/compat.py`` runs ``import torch`` at
    import time (in ``try: ... except ImportError``) just to see whether torch is there. With
    the ``embeddings`` extra installed that is 1.3 s of a 2 s ``import spacy``, for a blank
    tokenizer and matchers that never touch torch. thinc has no switch for it (no environment
    variable or setting), and every ``spacy.*`` import runs ``spacy/__init__`` and so thinc.

    How: while this thread imports spaCy, a finder put first on ``sys.meta_path`` raises
    ``ModuleNotFoundError`` for ``torch``; the import system documents that an exception
    raised by a meta path finder propagates to the ``import`` statement, and thinc's own
    ``except ImportError`` takes the path it takes when torch is not installed. Nothing is
    left behind: the finder is removed at once, nothing negative is cached in ``sys.modules``,
    and other threads (a sentence encoder loading torch at the same moment) are not affected.

    When not: if torch is already imported, spaCy is imported as usual and thinc sees torch.
    The accurate tier imports torch and sentence-transformers itself and never through
    thinc. What is lost is only thinc's torch bridge (``PyTorchWrapper``, spacy-transformers)
    in a process whose spaCy was first imported here: such a process imports torch (or
    spaCy) before the first prediction. Called by every module of the package that needs
    spaCy, before any ``spacy.*`` import.
    """
    if "spacy" in sys.modules or "torch" in sys.modules:
        # Imported already (or under way in another thread: this waits for it), or torch is
        # there for thinc to use, and then none of its submodules may fail either.
        import spacy

        return spacy
    blocker = _NoTorchInThisThread()
    sys.meta_path.insert(0, blocker)
    try:
        import spacy
    finally:
        sys.meta_path.remove(blocker)
    return spacy


# spaCy's string store keeps every new word it tokenizes and never shrinks: a service reading order
# numbers, names and typos for weeks would grow without bound. Past this many strings the thread
# builds a fresh pipeline (~0.15 s, once per this many new words); tokens and cue matches depend only
# on the text, never on what the store has seen, so no answer changes (tests/test_preprocessing.py).
MAX_STRINGS = 20_000


def blank_english():
    """spaCy's blank English pipeline of this thread (spaCy objects are not shared across threads).

    One per thread for the tokenizer here and the cue matchers (building one costs ~0.15 s), renewed
    when its string store passes ``MAX_STRINGS``; holders compare ``nlp.vocab`` to notice.
    """
    nlp = getattr(_local, "nlp", None)
    if nlp is None or len(nlp.vocab.strings) > MAX_STRINGS:
        nlp = _local.nlp = import_spacy().blank("en")
    return nlp


def _tokenizer():
    """spaCy's blank English tokenizer and its string store: this thread's current pipeline's."""
    global _ORTH
    nlp = blank_english()
    tok = getattr(_local, "tokenizer", None)
    if tok is None or tok.vocab is not nlp.vocab:
        from spacy.attrs import ORTH

        tok = nlp.tokenizer
        _local.tokenizer = tok
        _local.strings = tok.vocab.strings
        _ORTH = ORTH
    return tok


def normalize(text: str) -> str:
    """NFKC, placeholders for URLs/emails/money/numbers, emoji split off, elongation and case folded."""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text)
    ascii_text = text.isascii()
    if not ascii_text:  # Arabic letter variants, diacritics and digits; Traditional Chinese as Simplified
        text = fold_chinese(fold_scripts(text))
    # Each pattern runs only when a cheap test says it can match: most messages have no digit,
    # no "@", no URL and no emoji, and this halves the cost of normalization.
    if "@" in text:
        text = _EMAIL.sub(f" {EMAIL_TOKEN} ", text)  # before URLs: an address contains a domain
    if _MAYBE_URL.search(text):
        text = _URL.sub(f" {URL_TOKEN} ", text)
    if _HAS_DIGIT.search(text):
        text = _MONEY.sub(f" {MONEY_TOKEN} ", text)
        if not ascii_text:  # 3万円, 100元, 5,000원, 50 ر.س
            text = LOCAL_MONEY.sub(f" {MONEY_TOKEN} ", text)
        text = _NUMBER.sub(f" {NUMBER_TOKEN} ", text)
    if not ascii_text:
        text = _EMOJI.sub(lambda m: f" {m.group(0)} ", text)
        text = space_arabic_punctuation(text)
    text = _ELONGATION.sub(r"\1\1", text)
    text = _REPEATED_PUNCT.sub(r"\1\1", text)
    return " ".join(text.casefold().split())


# spaCy's tokenizer peels prefixes and suffixes off a chunk (the characters between two spaces) one
# at a time and searches the rest of the chunk again after each: "$$$$...", "((((..." or "!?!?..."
# costs the chunk's length squared (5000 characters: about 10 s). So a chunk of more than MAX_CHUNK
# characters with at least MAX_AFFIXES characters that are not letters, digits or marks is read in
# pieces: each run of letters, digits and marks, and every other character on its own. Ordinary text
# never has such a chunk (URLs, e-mails and numbers are placeholders by then): its tokens are
# spaCy's, unchanged. A long chunk with fewer such characters (a long word, a Thai sentence) costs
# spaCy at most MAX_AFFIXES passes over it, and is read whole as before.
MAX_CHUNK = 64
MAX_AFFIXES = 16
_LONG_CHUNK = re.compile(rf"(?<!\S)\S{{{MAX_CHUNK + 1},}}")
_NOT_WORD = re.compile(r"\W")


def _word_like(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or unicodedata.category(ch)[0] == "M"


def pieces(chunk: str) -> list[str] | None:
    """The pieces a long chunk is read in, or None when spaCy may read it whole (see MAX_AFFIXES)."""
    if len(chunk) <= MAX_CHUNK or len(_NOT_WORD.findall(chunk)) < MAX_AFFIXES:
        return None
    out: list[str] = []
    start = 0  # start of the current run of word-like characters
    for i, ch in enumerate(chunk):
        if not _word_like(ch):
            if start < i:
                out.append(chunk[start:i])
            out.append(ch)
            start = i + 1
    if start < len(chunk):
        out.append(chunk[start:])
    return out if len(out) - sum(1 for piece in out if _word_like(piece[0])) >= MAX_AFFIXES else None


def long_chunks(text: str) -> list[tuple[re.Match, list[str]]]:
    """The chunks of ``text`` that are read in pieces, with their pieces (usually none)."""
    if len(text) <= MAX_CHUNK:
        return []
    found = []
    for match in _LONG_CHUNK.finditer(text):
        parts = pieces(match.group(0))
        if parts is not None:
            found.append((match, parts))
    return found


def read_doc(tokenizer, text: str):
    """``tokenizer(text)`` in linear time: the same ``Doc`` unless ``text`` has a chunk longer than
    ``MAX_CHUNK``, which is then read in ``pieces``; ``doc.text == text`` always (offsets hold)."""
    chunks = long_chunks(text)
    if not chunks:
        return tokenizer(text)
    from spacy.tokens import Doc

    words: list[str] = []
    spaces: list[bool] = []
    position = 0
    for match, parts in chunks:
        if match.start() > position:
            for token in tokenizer(text[position : match.start()]):
                words.append(token.text)
                spaces.append(bool(token.whitespace_))
        words.extend(parts)
        spaces.extend([False] * len(parts))
        position = match.end()
        if text.startswith(" ", position):  # a single space after the chunk belongs to its last piece
            spaces[-1] = True
            position += 1
    if position < len(text):
        for token in tokenizer(text[position:]):
            words.append(token.text)
            spaces.append(bool(token.whitespace_))
    return Doc(tokenizer.vocab, words=words, spaces=spaces)


# Tokens of each chunk (the text between two spaces) seen lately. Why a cache: spaCy's tokenizer reads
# every chunk on its own (none of its rules spans a space, tests/test_preprocessing.py), so a text's
# tokens are its chunks' tokens in order, and a word read once need not go through spaCy again: a
# third of the time of ``preprocess``. Thread-safe by construction: a chunk's tokens are a function of
# the chunk alone, so a racing fill writes the same value; past ``MAX_CHUNKS`` the cache starts over.
MAX_CHUNKS = 50_000
_chunk_tokens: dict[str, tuple[str, ...]] = {}


def _spacy_tokens(chunk: str) -> tuple[str, ...]:
    doc = _tokenizer()(chunk)
    # Reading ORTH ids as an array and mapping them to strings is ~4x faster than iterating Tokens.
    return tuple(map(_local.strings.__getitem__, doc.to_array(_ORTH).tolist()))


def _read_chunk(chunk: str) -> tuple[str, ...]:
    """spaCy's tokens of one chunk (no whitespace in it); a long chunk is read in ``pieces``."""
    parts = pieces(chunk)
    if parts is None:
        return _spacy_tokens(chunk)
    return tuple(token for part in parts for token in _spacy_tokens(part))


def tokenize(normalized: str) -> tuple[str, ...]:
    """Tokens of already-normalized text (single spaces between chunks, none at the ends)."""
    cache = _chunk_tokens
    tokens: list[str] = []
    for chunk in normalized.split(" "):
        found = cache.get(chunk)
        if found is None:
            found = _read_chunk(chunk)
            if len(cache) >= MAX_CHUNKS:
                cache.clear()
            cache[chunk] = found
        tokens += found
    # Chinese, Japanese and Thai: one token per character, not one per sentence (language/segment.py).
    return tuple(tokens) if normalized.isascii() else split_unspaced(tuple(tokens))


def preprocess(text: str) -> ProcessedText:
    """Normalize and tokenize ``text``; the single entry point every model uses."""
    normalized = normalize(text)
    return ProcessedText(raw=text, normalized=normalized, tokens=tokenize(normalized))
