"""Polarity lexicons of other languages, feeding the affect features the English model already weighs.

Why: the sentiment model learns from English examples; its n-grams say nothing about
"太差了" or "muchas gracias". Its affect features (how much positive and negative valence,
negation, "but ...") are language-independent numbers, so a small lexicon per language
(``lang/<code>.tsv``, written for this project) that fills those same numbers lets the
English-trained weights read feeling in Chinese, Japanese, Korean, Spanish and Arabic
without labelled data in them. The lexicons are read at training time and saved inside
the model, like VADER's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..cues.phrases import LANGUAGES, PhraseIndex, languages_for
from ..errors import ConfigError

LEXICON_DIR = Path(__file__).with_name("lang")
MAX_VALENCE = 4.0
NEGATOR, CONTRAST = "negator", "contrast"
# Characters after a negator within which a valence is flipped ("不满意" needs no entry of its own).
NEGATION_REACH = {"zh": 2, "ja": 0, "ko": 3, "es": 16, "ar": 12}
WORD_NEGATORS = frozenset({"ar"})  # negators that must stand as words ("لا", not the "لا" in "السلام")
NEGATION_FLIP = -0.74  # as in affect.py (VADER's damping)


@dataclass(frozen=True)
class LanguageAffect:
    """What one text's language lexicons found: valences in order, a negator seen, valence after "but"."""

    valences: tuple[float, ...]
    negated: bool
    after_contrast: float | None  # None: no contrast word


def lexicon_path(code: str) -> Path:
    if code not in LANGUAGES:
        raise ConfigError(f"no sentiment lexicon for language {code!r}; known: {list(LANGUAGES)}.", "E460")
    return LEXICON_DIR / f"{code}.tsv"


def parse_lexicon(lines: list[str], origin: str) -> dict[str, float | str]:
    """``{phrase: valence | "negator" | "contrast"}`` from TSV lines (``#`` comments, blanks skipped)."""
    out: dict[str, float | str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        phrase, tab, value = line.partition("\t")
        value = value.strip()
        if not tab or not phrase.strip():
            raise ConfigError(f"{origin}:{number}: expected phrase<TAB>valence, got {line!r}.", "E461")
        if value in (NEGATOR, CONTRAST):
            out[phrase] = value
            continue
        try:
            valence = float(value)
        except ValueError:
            valence = float("nan")
        if not -MAX_VALENCE <= valence <= MAX_VALENCE:
            raise ConfigError(
                f"{origin}:{number}: the valence of {phrase!r} must be a number in [-4, 4], "
                f"{NEGATOR!r} or {CONTRAST!r}; got {value!r}.",
                "E461",
            )
        out[phrase] = valence
    return out


def read_lexicon(code: str, path: str | Path | None = None) -> dict[str, float | str]:
    path = Path(path) if path is not None else lexicon_path(code)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read sentiment lexicon {path}: {exc}", "E460") from exc
    return parse_lexicon(text.splitlines(), str(path))


def read_all_lexicons() -> dict[str, dict[str, float | str]]:
    return {code: read_lexicon(code) for code in LANGUAGES}


def check_lexicons(lexicons: object) -> dict[str, dict[str, float | str]]:
    """Saved lexicons, checked: ``{code: {phrase: valence | "negator" | "contrast"}}``."""
    if not isinstance(lexicons, dict):
        raise ConfigError("language lexicons must be a mapping of language to lexicon.", "E461")
    out = {}
    for code, lexicon in lexicons.items():
        lexicon_path(code)
        if not isinstance(lexicon, dict):
            raise ConfigError(f"the lexicon of {code!r} is not a mapping.", "E461")
        lines = [f"{phrase}\t{value}" for phrase, value in lexicon.items()]
        out[code] = parse_lexicon(lines, f"saved lexicon {code}")
    return out


class LanguageLexicons:
    """Every language's lexicon compiled once; ``affect`` reads one text."""

    def __init__(self, lexicons: dict[str, dict[str, float | str]]) -> None:
        self.lexicons = lexicons
        self.indexes = {
            code: PhraseIndex(code, list(lexicon), list(lexicon.values()))
            for code, lexicon in lexicons.items()
        }

    def affect(self, text: str, language=None) -> LanguageAffect | None:
        """The valences the lexicons of the languages ``text`` can be in find (None: no such language)."""
        codes = languages_for(text, language)
        if not codes:
            return None
        valences: list[float] = []
        negated, contrast_at = False, None
        for code in codes:
            index = self.indexes.get(code)
            if index is None:
                continue
            negator_end = -1
            for start, end, values in index.find(text):
                value = values[0]
                if value == NEGATOR:
                    if code in WORD_NEGATORS and start and text[start - 1].isalpha():
                        continue
                    negated, negator_end = True, end
                elif value == CONTRAST:
                    contrast_at = len(valences) if contrast_at is None else contrast_at
                else:
                    flip = 0 <= start - negator_end <= NEGATION_REACH[code] and negator_end >= 0
                    valences.append(float(value) * (NEGATION_FLIP if flip else 1.0))
        after = None if contrast_at is None else sum(valences[contrast_at:])
        return LanguageAffect(tuple(valences), negated, after)
