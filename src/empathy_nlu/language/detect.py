"""The language of one message, with a confidence: the script first, then py3langid.

Why this order (figures in docs/language_id.md):

- English ASCII text is most of the traffic; one set lookup per word answers it when the text has an
  English function word, so an English ``predict`` pays a few microseconds, not the model's ~50.
- A script that belongs to one language decides alone: kana is Japanese, Hangul Korean, Thai script
  Thai, Han without kana Chinese. A statistical model is worse at this (fastText's lite model reads
  a quarter of short Chinese commands as Japanese).
- Everything else (Latin, Arabic, Cyrillic, ... scripts) goes to py3langid (BSD-3-Clause; its naive
  Bayes model ships in the wheel and is never downloaded), restricted to ``CANDIDATES``: fewer
  look-alike languages, fewer short messages read as a neighbour (Spanish as Galician).

The result is a function of the text alone, so the pipeline caches it with the text's other results.
py3langid is imported on the first message that needs it (about 1 s), never by ``import empathy_nlu``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from .scripts import script_of


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """An ISO 639-1 code (None: unknown) and how sure the guess is, in [0, 1]."""

    code: str | None
    confidence: float


UNKNOWN = LanguageGuess(None, 0.0)

# The languages py3langid chooses among. Portuguese (and Galician, Catalan) are left out by default:
# with them, 4 % of short Spanish commands read as Portuguese; Malay is left out for Indonesian
# (docs/language_id.md).
CANDIDATES = (
    "en", "es", "fr", "de", "it", "nl", "da", "sv", "no", "fi", "pl", "cs", "ro", "hu", "hr", "sr",
    "lt", "tr", "id", "vi", "ru", "uk", "kk", "el", "he", "ar", "fa", "ur", "hi",
)  # fmt: skip
# Frequent English words that are not words of another candidate written in ASCII (checked on the
# dev splits: "i", "is", "me", "was", "for", "will", "want", "find", "give" and "time" are Danish,
# Dutch, Spanish or German words too, and are not here).
ENGLISH_WORDS = frozenset(
    """about account add after again and any are aren't arrived be because been before book but can
    can't card change charged could day did didn't does doesn't don't from get go going got has have
    hello hey his how how's i'd i'll i'm i've if into isn't it it's just know let's like make many
    might money more movie movies much must my need new not old our out over paid pay payment play
    please rate received refund remind reminder search send sent she should some song songs still
    take tell than thank thanks that that's the their them then there there's these they this those
    today tomorrow tonight up wasn't way weather were what what's when where which who why with
    won't would wrong yet you you're your""".split()  # noqa: SIM905
)
# ... and at least one word in ENGLISH_SHARE of them is one: an English name inside an Italian
# sentence ("metti the beatles nella playlist") does not make it English.
ENGLISH_SHARE = 0.25
# How often the ASCII fast path was right on English and non-English dev messages (docs/language_id.md).
FAST_PATH_CONFIDENCE = 0.99
# From this confidence a message's own language is its language; below it (very short, mixed or
# unsure) it takes the conversation's (chosen on the dev splits, docs/language_id.md).
MIN_CONFIDENCE = 0.5
ENGLISH = LanguageGuess("en", FAST_PATH_CONFIDENCE)
MAX_CHARS = 1000  # a language shows in its first thousand characters; longer texts cost no more
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_WEIGHT = {"han": 3, "kana": 2, "hangul": 2}
_ONE_LANGUAGE_SCRIPTS = {"kana": "ja", "hangul": "ko", "thai": "th", "han": "zh"}

_model = None
_lock = threading.Lock()


def detect(text: str) -> LanguageGuess:
    """The language of ``text`` alone (``UNKNOWN`` when it has no letters)."""
    text = text[:MAX_CHARS]
    if text.isascii():
        fast = ascii_fast_path(text)
        return fast if fast is not None else _by_model(text, 1.0)
    counts = _letters_by_script(text)
    if not counts:
        return UNKNOWN
    total = sum(counts.values())
    script = _main_script(counts)
    share = (counts[script] + (counts.get("han", 0) if script == "kana" else 0)) / total
    if script in _ONE_LANGUAGE_SCRIPTS:
        return LanguageGuess(_ONE_LANGUAGE_SCRIPTS[script], round(share, 4))
    return _by_model(text, share)


def ascii_fast_path(text: str) -> LanguageGuess | None:
    """English or unknown for an ASCII text that answers without the model (a few microseconds);
    None when the model must read it."""
    words = _WORD.findall(text[:MAX_CHARS].lower())
    if not words:
        return UNKNOWN
    if sum(word in ENGLISH_WORDS for word in words) >= ENGLISH_SHARE * len(words):
        return ENGLISH
    return None


def _letters_by_script(text: str) -> dict[str, int]:
    """Letters per script, a Han character counting as 3 and a kana or Hangul one as 2: one of them
    says as much as a short Latin word, so a Chinese sentence with an English title stays Chinese."""
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            script = script_of(ch) or "other"
            counts[script] = counts.get(script, 0) + _WEIGHT.get(script, 1)
    return counts


def _main_script(counts: dict[str, int]) -> str:
    """The script that names the language: any kana makes Han text Japanese; otherwise the most used."""
    if counts.get("kana"):
        return "kana"
    return max(counts, key=counts.__getitem__)


def _by_model(text: str, share: float) -> LanguageGuess:
    code, probability = _identifier().classify(text)
    return LanguageGuess(code, round(float(probability) * share, 4))


def _identifier():
    """py3langid's identifier over ``CANDIDATES``, loaded once (thread-safe) on first use."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages([code for code in CANDIDATES if code in identifier.labels])
                _model = identifier
    return _model


# ISO 639-1: every two-letter language code.
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da
    de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia
    id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt
    lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt
    qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to
    tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()  # noqa: SIM905
)


def language_code(value: object) -> str | None:
    """``value`` as a lower-case ISO 639-1 code (``"JA"`` -> ``"ja"``), or None when it is not one."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower()
    return code if code in ISO_639_1 else None
