"""Cue phrases in other languages: one phrase file per language, scored like the English patterns.

Why phrases and not token patterns: see ``phrases.py``. Each file (``lang/<code>.jsonl``)
has the lines of an English patterns file restricted to ``phrase``: a weight, ``negates``
(a negating phrase cancels this cue's phrases it covers, or that start within ``scope``
characters after it) and ``boost`` (counts only with another phrase of the cue). The
scores are noisy-or like the English ones, and a text's English and language scores
combine by noisy-or, so English words inside a Spanish message still count.
"""

from __future__ import annotations

import math
from pathlib import Path

from ..errors import ConfigError
from .patterns import CUES, CuePattern, parse_lines, parse_record
from .phrases import LANGUAGES, PhraseIndex

LANGUAGE_DIR = Path(__file__).with_name("lang")


def language_path(code: str) -> Path:
    if code not in LANGUAGES:
        raise ConfigError(f"no cue phrases for language {code!r}; known: {list(LANGUAGES)}.", "E437")
    return LANGUAGE_DIR / f"{code}.jsonl"


def _phrases_only(patterns: list[CuePattern]) -> list[CuePattern]:
    for pattern in patterns:
        if pattern.phrase is None:
            raise ConfigError(
                f'{pattern.source}: language cue files take "phrase" lines only (no spaCy "pattern"): '
                "spaCy's English tokens do not split these scripts.",
                "E438",
            )
    return patterns


def read_language_patterns(code: str, path: str | Path | None = None) -> list[CuePattern]:
    """The checked phrases of one language (``path`` None: the file shipped for ``code``)."""
    path = Path(path) if path is not None else language_path(code)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read cue phrases file {path}: {exc}", "E437") from exc
    return _phrases_only(parse_lines(text.splitlines(), str(path)))


def read_all_languages() -> dict[str, list[CuePattern]]:
    return {code: read_language_patterns(code) for code in LANGUAGES}


def parse_language_records(languages: dict, origin: str) -> dict[str, list[CuePattern]]:
    """Saved records (``{code: [record, ...]}``) back into patterns; raises ``ConfigError``."""
    out = {}
    for code, records in languages.items():
        language_path(code)
        if not isinstance(records, list):
            raise ConfigError(f"{origin}: the phrases of {code!r} are not a list.", "E439")
        patterns = [parse_record(row, f"{origin}:{code}:{n}") for n, row in enumerate(records, 1)]
        if not any(not p.negates for p in patterns):
            raise ConfigError(f"{origin}: language {code!r} has no (non-negating) phrases.", "E439")
        out[code] = _phrases_only(patterns)
    return out


class LanguageCues:
    """The compiled phrases of every language; ``detect`` scores one text in the given languages."""

    def __init__(self, languages: dict[str, list[CuePattern]]) -> None:
        self.patterns = languages
        self.indexes = {
            code: PhraseIndex(code, [p.phrase or "" for p in patterns], list(range(len(patterns))))
            for code, patterns in languages.items()
        }

    def detect(self, text: str, codes: tuple[str, ...]) -> dict[str, dict]:
        """``{cue: {"score", "evidence"}}`` for the cues the phrases of ``codes`` found (others absent)."""
        result: dict[str, dict] = {}
        for code in codes:
            index = self.indexes.get(code)
            if index is not None:
                found = _score(text, index.find(text), self.patterns[code])
                result = merge(result, found, text) if result else found
        return result


def _unnegated(
    matches: list[tuple[int, int, list]], patterns: list[CuePattern]
) -> list[tuple[int, int, int]]:
    """(pattern, start, end) of the positive matches no negating phrase of their cue cancels.

    Matches never overlap (one regex scan), so a negator cancels by covering a phrase (the
    longer phrase wins the scan) or by ending at most ``scope`` characters before one.
    """
    reach: dict[str, int] = {}  # cue -> the offset before which a negator's scope still runs
    out = []
    for start, end, indices in matches:
        for i in indices:
            pattern = patterns[i]
            if pattern.negates:
                reach[pattern.cue] = end + pattern.scope
            elif start >= reach.get(pattern.cue, 0):
                out.append((i, start, end))
    return out


def _score(text: str, matches: list[tuple[int, int, list]], patterns: list[CuePattern]) -> dict[str, dict]:
    positives = _unnegated(matches, patterns)
    result: dict[str, dict] = {}
    for cue in CUES:
        found = [(i, s, e) for i, s, e in positives if patterns[i].cue == cue]
        weights = {i: patterns[i].weight for i, _, _ in found if not patterns[i].boost}
        if not weights:
            continue
        weights.update({i: patterns[i].weight for i, _, _ in found if patterns[i].boost})
        score = 1.0 - math.prod(1.0 - w for w in weights.values())
        spans = [(s, e, patterns[i].name) for i, s, e in found]
        result[cue] = {"score": round(score, 4), "evidence": merge_spans(text, spans)}
    return result


def merge_spans(text: str, spans: list[tuple[int, int, str]]) -> list[dict]:
    """Character spans as evidence, overlapping ones merged, sorted by start."""
    merged: list[list] = []
    for start, end, name in sorted(spans):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            last[2].extend(n for n in name.split(" + ") if n not in last[2])
        else:
            merged.append([start, end, name.split(" + ")])
    return [{"text": text[s:e], "start": s, "end": e, "pattern": " + ".join(names)} for s, e, names in merged]


def merge(first: dict[str, dict], second: dict[str, dict], text: str) -> dict[str, dict]:
    """Two results for ``text`` combined per cue: noisy-or of the scores, the union of the evidence."""
    out = dict(first)
    for cue, found in second.items():
        if cue not in out or not out[cue]["evidence"]:
            out[cue] = found
            continue
        score = 1.0 - (1.0 - out[cue]["score"]) * (1.0 - found["score"])
        spans = [(e["start"], e["end"], e["pattern"]) for e in out[cue]["evidence"] + found["evidence"]]
        out[cue] = {"score": round(score, 4), "evidence": merge_spans(text, spans)}
    return out
