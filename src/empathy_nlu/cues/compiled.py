"""Patterns compiled into spaCy matchers: one ``CompiledPatterns`` per thread.

Why two matchers: spaCy's ``Matcher`` costs about a microsecond per pattern per
20-token message, its ``PhraseMatcher`` next to nothing. So every token pattern
that is only a sequence of ``LOWER`` literals (with ``IN`` alternatives and
``"OP": "?"``) is expanded into phrases, and the few patterns left (``REGEX``,
``LIKE_NUM``, ``IS_UPPER``, ...) go to a ``Matcher`` that runs only when the
message contains one of their anchor words. Why per thread: spaCy's tokenizer
and vocabulary add strings and cache entries as they read, which is not safe
to share between threads.
"""

from __future__ import annotations

import itertools
import re

from ..errors import ConfigError
from ..preprocessing import blank_english, import_spacy
from .patterns import CuePattern

# Before any spacy.* import here or in .scoring (imported after this module): see import_spacy.
spacy = import_spacy()
from spacy.lang.en.stop_words import STOP_WORDS  # noqa: E402
from spacy.matcher import Matcher, PhraseMatcher  # noqa: E402
from spacy.tokens import Doc  # noqa: E402

MAX_EXPANSION = 2000  # phrases one token pattern may expand into before it goes to the Matcher
_CLITIC_HOSTS = ("i", "do", "it", "you")
_REQUIRED_OPS = (None, "+")  # a token with one of these OPs is in every match
_TWO_CAPITALS = re.compile(r"[A-Z]{2}")
_ASCII_WORD = re.compile(r"[a-z]{2,}")


def _literal_options(token: dict) -> list[tuple[str, ...]] | None:
    """The strings a token may be (``()`` = absent when optional), or None if not a plain literal."""
    if set(token) - {"LOWER", "OP"} or token.get("OP") not in (None, "?"):
        return None
    lower = token.get("LOWER")
    if isinstance(lower, str):
        values = [lower]
    elif isinstance(lower, dict) and set(lower) == {"IN"} and all(isinstance(v, str) for v in lower["IN"]):
        values = list(lower["IN"])
    else:
        return None
    options = [(v,) for v in values]
    return options + [()] if token.get("OP") == "?" else options


def expand_literal(tokens: tuple[dict, ...]) -> list[tuple[str, ...]] | None:
    """All word sequences a literal token pattern matches, or None (not literal, or too many)."""
    choices = [_literal_options(token) for token in tokens]
    if any(c is None for c in choices):
        return None
    total = 1
    for c in choices:
        total *= len(c)
    if total > MAX_EXPANSION:
        return None
    seqs = {tuple(itertools.chain.from_iterable(combo)) for combo in itertools.product(*choices)}
    return sorted(s for s in seqs if s)


def _anchors(tokens: tuple[dict, ...]) -> set[str] | None:
    """Words of which a message must contain one for the pattern to match (None: no such set).

    Of the required literal tokens, the one with the fewest stop words (then fewest values)
    wins: "weeks|months" opens the Matcher far less often than "for".
    """
    best: tuple[int, int] | None = None
    chosen: set[str] | None = None
    for token in tokens:
        lower = token.get("LOWER")
        if token.get("OP") not in _REQUIRED_OPS:
            continue
        if isinstance(lower, str):
            values = {lower}
        elif isinstance(lower, dict) and isinstance(lower.get("IN"), list) and len(lower) == 1:
            values = set(lower["IN"])
        else:
            continue
        rank = (len(values & STOP_WORDS), len(values))
        if best is None or rank < best:
            best, chosen = rank, values
    return chosen


def _needs_capitals(tokens: tuple[dict, ...]) -> bool:
    """True when every match has two capitals A-Z in a row, so texts without them can skip the Matcher.

    That holds for a required ``IS_UPPER`` token whose ``LOWER`` values are all ASCII words of
    two letters or more ("AGAIN"); a bare ``IS_UPPER`` could match "I" or "É".
    """
    for token in tokens:
        lower = token.get("LOWER")
        values = [lower] if isinstance(lower, str) else lower.get("IN") if isinstance(lower, dict) else None
        if (
            token.get("IS_UPPER") is True
            and token.get("OP") in _REQUIRED_OPS
            and isinstance(values, list)
            and values
            and all(isinstance(v, str) and _ASCII_WORD.fullmatch(v) for v in values)
        ):
            return True
    return False


class CompiledPatterns:
    """A tokenizer, a PhraseMatcher and gated Matchers for one list of patterns (one thread's copy).

    Each non-literal pattern gets its own ``Matcher``; its anchor words are added to the
    PhraseMatcher under an anchor key, so the one PhraseMatcher pass also says which
    Matchers can possibly match. Patterns without anchors run on every message.
    """

    def __init__(self, patterns: list[CuePattern]) -> None:
        self.nlp = blank_english()  # shared with the tokenizer of preprocessing, in this thread
        self.tokenizer = self.nlp.tokenizer
        vocab = self.nlp.vocab
        self.phrases = PhraseMatcher(vocab, attr="LOWER")
        self.key_to_index: dict[int, int] = {}
        self.anchor_to_matcher: dict[int, int] = {}
        self.matchers: list[tuple[Matcher, bool]] = []  # (matcher, needs capitals)
        self.always: set[int] = set()
        for index, pattern in enumerate(patterns):
            key = f"cue_pattern_{index}"
            self.key_to_index[vocab.strings.add(key)] = index
            if pattern.phrase is not None:
                self.phrases.add(key, [self.nlp.make_doc(pattern.phrase.replace("\u2019", "'"))])
                continue
            tokens = pattern.tokens or ()
            for value in pattern.literal_strings():
                self._check_one_token(value, pattern.source)
            seqs = expand_literal(tokens)
            if seqs is not None:
                self.phrases.add(key, [Doc(vocab, words=list(seq)) for seq in seqs])
                continue
            matcher = Matcher(vocab, validate=True)
            try:
                matcher.add(key, [list(tokens)])
            except Exception as exc:  # spaCy raises ValueError/MatchPatternError/KeyError subclasses
                raise ConfigError(
                    f"{pattern.source}: spaCy rejects the token pattern: {exc}", "E425"
                ) from exc
            slot = len(self.matchers)
            self.matchers.append((matcher, _needs_capitals(tokens)))
            anchors = _anchors(tokens)
            if anchors is None:
                self.always.add(slot)
            else:
                anchor_key = f"cue_anchor_{slot}"
                self.anchor_to_matcher[vocab.strings.add(anchor_key)] = slot
                self.phrases.add(anchor_key, [Doc(vocab, words=[a]) for a in sorted(anchors)])

    def _check_one_token(self, value: str, source: str) -> None:
        """A literal that spaCy splits ("can't" -> "ca", "n't") would silently never match."""
        words = [t.text for t in self.tokenizer(value)]
        if len(words) == 1 or any(  # clitics ("'ve", "'m") are one token only after a word
            [t.text for t in self.tokenizer(host + value)] == [host, value] for host in _CLITIC_HOSTS
        ):
            return
        raise ConfigError(
            f"{source}: {value!r} is {len(words)} spaCy tokens {words}, so a token pattern never "
            "matches it; use one token object per token, or a phrase.",
            "E425",
        )

    def matches(self, doc: Doc, text: str) -> list[tuple[int, int, int]]:
        """(pattern index, start token, end token) of every match in ``doc`` (the tokens of ``text``)."""
        k2i = self.key_to_index
        out = []
        run = set(self.always)
        for key, start, end in self.phrases(doc):
            index = k2i.get(key)
            if index is None:
                run.add(self.anchor_to_matcher[key])
            else:
                out.append((index, start, end))
        for slot in run:
            matcher, needs_capitals = self.matchers[slot]
            if not needs_capitals or _TWO_CAPITALS.search(text):
                out.extend((k2i[key], start, end) for key, start, end in matcher(doc))
        return out
