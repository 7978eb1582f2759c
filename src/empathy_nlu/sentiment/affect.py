"""Cheap signals of feeling that n-grams miss: negation scope, a valence lexicon, shouting, emoji.

Why: customer-service text says "not happy", "no complaints", "GREAT, another
fee!!!" and "😡". Word n-grams learn some of it from data; these few dense
features carry it to text the training data never showed. Everything works on
the shared ``ProcessedText`` (tokens for words, ``raw`` for casing and "!!!").

The lexicon is VADER's (MIT licence, from the ``vaderSentiment`` package),
read at training time and stored inside the model, so a model never changes
behaviour when the package changes.
"""

from __future__ import annotations

import math
import re
from importlib import resources

import numpy as np

from ..errors import ConfigError
from ..preprocessing import ProcessedText

NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "n't",
        "nt",
        "nobody",
        "nothing",
        "none",
        "nowhere",
        "neither",
        "nor",
        "cannot",
        "without",
        "hardly",
        "barely",
        "dont",
        "cant",
        "wont",
        "isnt",
        "wasnt",
        "arent",
        "werent",
        "didnt",
        "doesnt",
        "couldnt",
        "shouldnt",
        "wouldnt",
        "havent",
        "hasnt",
        "aint",
    ]
)
BOOSTERS = frozenset(
    [
        "very",
        "so",
        "really",
        "extremely",
        "super",
        "absolutely",
        "totally",
        "completely",
        "incredibly",
        "utterly",
        "truly",
        "seriously",
        "ridiculously",
        "insanely",
        "highly",
        "most",
    ]
)
SCOPE_ENDS = frozenset([".", ",", "!", "?", ";", ":", "but", "however"])
NEGATION_SCOPE = 3
NEGATION_FLIP = -0.74  # VADER's damping when a negator flips a word's valence
AFFECT_FEATURES = (
    "lexicon_positive",
    "lexicon_negative",
    "negated",
    "shouting",
    "exclamation",
    "question",
    "elongation",
    "contrast_after_but",
    "positive_opener_then_complaint",
)

_SHOUTED_WORD = re.compile(r"\b[A-Z]{2,}\b")
_WORD = re.compile(r"\b[A-Za-z]{2,}\b")
_ELONGATED = re.compile(r"([A-Za-z])\1{2,}")
_COMPLAINT_AFTER_OPENER = frozenset(
    [
        "another",
        "again",
        "more",
        "still",
        "yet",
        "fee",
        "fees",
        "charge",
        "charged",
        "wait",
        "waiting",
        "hold",
    ]
)


def load_vader_lexicon() -> dict[str, float]:
    """VADER's word valences (-4..4) plus emoji valences derived from their descriptions."""
    try:
        package = resources.files("vaderSentiment")
        words_text = (package / "vader_lexicon.txt").read_text("utf-8")
        emoji_text = (package / "emoji_utf8_lexicon.txt").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ConfigError(
            "the sentiment lexicon needs the vaderSentiment package: pip install vaderSentiment", "E410"
        ) from exc
    lexicon: dict[str, float] = {}
    for line in words_text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            lexicon[parts[0].casefold()] = float(parts[1])
    for line in emoji_text.splitlines():
        emoji, _, description = line.partition("\t")
        valence = sum(lexicon.get(word, 0.0) for word in description.split())
        if valence:
            lexicon[emoji] = max(-4.0, min(4.0, valence))
    return lexicon


def mark_negation(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Prefix ``not_`` to up to three tokens after a negator, stopping at punctuation or "but"."""
    marked, remaining = [], 0
    for token in tokens:
        if token in SCOPE_ENDS:
            remaining = 0
            marked.append(token)
        elif token in NEGATORS:
            remaining = NEGATION_SCOPE
            marked.append(token)
        elif remaining:
            remaining -= 1
            marked.append("not_" + token)
        else:
            marked.append(token)
    return tuple(marked)


def _valences(tokens: tuple[str, ...], lexicon: dict[str, float]) -> list[float]:
    """Per-token valence with negation flips and booster emphasis."""
    out, negated_for, boost = [], 0, 1.0
    for token in tokens:
        if token in SCOPE_ENDS:
            negated_for, boost = 0, 1.0
            out.append(0.0)
            continue
        if token in NEGATORS:
            negated_for = NEGATION_SCOPE
            out.append(0.0)
            continue
        if token in BOOSTERS:
            boost = 1.3
            out.append(0.0)
            continue
        valence = lexicon.get(token, 0.0) * boost
        if negated_for:
            negated_for -= 1
            valence *= NEGATION_FLIP
        if valence:
            boost = 1.0
        out.append(valence)
    return out


def affect_features(doc: ProcessedText, lexicon: dict[str, float], language=None) -> np.ndarray:
    """The ``AFFECT_FEATURES`` of one document, each roughly in [-1, 1].

    ``language``: what another language's lexicon found in it (``languages.LanguageAffect``),
    added to the same features, so a model that learnt their weights in English reads it too.
    """
    tokens = doc.tokens
    valences = _valences(tokens, lexicon)
    found = language.valences if language is not None else ()
    positive = sum(v for v in valences if v > 0) + sum(v for v in found if v > 0)
    negative = -sum(v for v in valences if v < 0) - sum(v for v in found if v < 0)
    raw = doc.raw
    shouted = _SHOUTED_WORD.findall(raw)
    shouting = 0.0
    if len(shouted) >= 2:  # count words only when there is something to compare with
        shouting = len(shouted) / max(len(_WORD.findall(raw)), 1)
    after_but = 0.0
    if "but" in tokens:
        after_but = math.tanh(sum(valences[tokens.index("but") + 1 :]) / 4)
    elif language is not None and language.after_contrast is not None:
        after_but = math.tanh(language.after_contrast / 4)
    exclamations, questions = raw.count("!"), raw.count("?")
    if not raw.isascii():  # full-width and Arabic marks
        exclamations += raw.count("\uff01")
        questions += raw.count("\uff1f") + raw.count("\u061f")
    opener = 0.0
    if len(tokens) > 2 and valences[0] > 1.0 and tokens[1] in {",", ".", "!", "..."}:
        rest = set(tokens[2:])
        if rest & _COMPLAINT_AFTER_OPENER or any(v < 0 for v in valences[2:]):
            opener = 1.0
    return np.array(
        [
            math.tanh(positive / 4),
            math.tanh(negative / 4),
            1.0 if NEGATORS.intersection(tokens) or (language is not None and language.negated) else 0.0,
            shouting,
            min(exclamations, 3) / 3,
            min(questions, 3) / 3,
            1.0 if _ELONGATED.search(raw) else 0.0,
            after_but,
            opener,
        ],
        dtype=np.float32,
    )


class NegationFeatures:
    """Binary ``not_<word>`` features for words inside a negation's scope ("not happy" -> ``not_happy``).

    The shared n-gram features see "happy" either way; this small block lets the
    sentiment model learn that a negated "happy" is not a happy customer.
    """

    def fit(self, docs: list[ProcessedText]) -> NegationFeatures:
        seen = sorted({t for doc in docs for t in mark_negation(doc.tokens) if t.startswith("not_")})
        self.vocabulary_ = {token: i for i, token in enumerate(seen)}
        return self

    @property
    def n_features_(self) -> int:
        return len(self.vocabulary_)

    def columns(self, doc: ProcessedText) -> list[int]:
        vocabulary = self.vocabulary_
        return sorted({vocabulary[t] for t in mark_negation(doc.tokens) if t in vocabulary})
