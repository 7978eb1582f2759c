"""``CueDetector``: how the customer feels, as five scored cues with evidence in the raw text.

Why rules and not a model: a support agent must be able to see *why* a message
was read as frustrated ("third time", "fed up"), a deployment must be able to
add its own phrases without retraining, and the check must cost tens of
microseconds per message. Offsets point into the text as the caller gave it:
the only change before tokenizing is curly to straight apostrophes, one
character for one, so ``text[start:end]`` is always the evidence.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from ..errors import ConfigError, InputError, ModelError
from ..preprocessing import blank_english, read_doc
from .compiled import CompiledPatterns
from .languages import LanguageCues, merge, parse_language_records, read_all_languages
from .patterns import CUES, CuePattern, parse_record, read_patterns
from .phrases import languages_for
from .scoring import score, shouting_runs

STATE_FORMAT = "empathy_nlu.cues/1"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_CURLY = re.compile("[\u2019\u2018\u02bc]")
_TWO_CAPITALS = re.compile(r"[A-Z]{2}")  # cheap test before looking for shouting

__all__ = ["CUES", "CueDetector"]


class CueDetector:
    """Scores frustration, urgency, churn risk, gratitude and requests for a human in one message.

    ``patterns_path``: a JSONL patterns file (see docs/cues.md); ``None`` uses the patterns
    shipped with the package. The file is read and checked on first use; each thread
    builds its own spaCy tokenizer and matchers, so ``detect`` may be called concurrently.
    The phrases of other languages (``lang/<code>.jsonl``) run only on text that can hold
    them (``phrases.languages_for``).
    """

    def __init__(self, patterns_path: str | Path | None = None) -> None:
        self.patterns_path = patterns_path
        self._patterns: list[CuePattern] | None = None
        self._language_patterns: dict[str, list[CuePattern]] | None = None
        self._languages: LanguageCues | None = None
        self._lock = threading.Lock()
        self._local = threading.local()

    def _get_patterns(self) -> list[CuePattern]:
        if self._patterns is None:
            with self._lock:
                if self._patterns is None:
                    self._patterns = read_patterns(self.patterns_path)
        return self._patterns

    def _get_languages(self) -> LanguageCues:
        if self._languages is None:
            with self._lock:
                if self._languages is None:
                    if self._language_patterns is None:
                        self._language_patterns = read_all_languages()
                    self._languages = LanguageCues(self._language_patterns)  # compiled regexes: thread-safe
        return self._languages

    def load(self) -> CueDetector:
        """Read, check and compile every pattern and phrase now (a bad file fails here, not later)."""
        self.detect("")
        self._get_languages()
        return self

    def _compiled(self) -> CompiledPatterns:
        compiled = getattr(self._local, "compiled", None)
        if compiled is None or compiled.nlp is not blank_english():  # the thread's pipeline was renewed
            compiled = CompiledPatterns(self._get_patterns())
            self._local.compiled = compiled
        return compiled

    def detect(self, text: str, language=None) -> dict[str, dict]:
        """``{cue: {"score": float in [0, 1], "evidence": [{"text", "start", "end", "pattern"}]}}``.

        All five cues are always present; a cue with no evidence scores 0.0. ``language``: the
        text's ``LanguageGuess`` if known (decides Spanish; scripts decide the others).
        """
        result = self._detect_english(text)
        codes = languages_for(text, language)
        if codes:
            found = self._get_languages().detect(text, codes)
            if found:
                result = merge(result, found, text)
        return result

    def _detect_english(self, text: str) -> dict[str, dict]:
        if not isinstance(text, str):
            raise InputError(f"text must be a str, got {type(text).__name__}.", "E300")
        compiled = self._compiled()
        # read_doc: spaCy's tokens, in time linear in the text even for "((((..." (preprocessing.py)
        doc = read_doc(compiled.tokenizer, text.translate(_APOSTROPHES) if _CURLY.search(text) else text)
        matches = compiled.matches(doc, text)
        shouting = shouting_runs(doc) if _TWO_CAPITALS.search(text) else []
        if not matches and not shouting:
            return {cue: {"score": 0.0, "evidence": []} for cue in CUES}
        return score(text, doc, matches, shouting, self._get_patterns())

    def to_state(self) -> tuple[dict, dict]:
        """JSON-able state carrying the patterns themselves, so a saved model needs no pattern file."""
        patterns = self._get_patterns()
        self._compiled()  # a state is only written for patterns that compile
        state = {
            "format": STATE_FORMAT,
            "cues": list(CUES),
            "patterns_path": None if self.patterns_path is None else str(self.patterns_path),
            "patterns": [p.record for p in patterns],
            "languages": {
                code: [p.record for p in ps] for code, ps in self._get_languages().patterns.items()
            },
        }
        return state, {}

    @classmethod
    def from_state(cls, state: dict, arrays: dict) -> CueDetector:
        """The detector ``to_state`` described (``arrays`` is unused: cue detection has none)."""
        if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
            found = state.get("format") if isinstance(state, dict) else type(state).__name__
            raise ModelError(f"cue detector state must have format {STATE_FORMAT!r}, got {found!r}.", "E220")
        if state.get("cues") != list(CUES) or not isinstance(state.get("patterns"), list):
            raise ModelError("cue detector state has other cues or no pattern list; re-save it.", "E220")
        try:
            patterns = [
                parse_record(row, f"saved cue patterns:record {n}")
                for n, row in enumerate(state["patterns"], 1)
            ]
        except ConfigError as exc:
            raise ModelError(f"cue detector state has an invalid pattern: {exc.message}", "E220") from exc
        if all(p.negates for p in patterns):
            raise ModelError("cue detector state has no (non-negating) patterns.", "E220")
        detector = cls(state.get("patterns_path"))
        detector._patterns = patterns
        if "languages" in state:  # states saved before the languages had phrases use the shipped ones
            if not isinstance(state["languages"], dict):
                raise ModelError(
                    "cue detector state has languages that are not a mapping; re-save it.", "E220"
                )
            try:
                detector._language_patterns = parse_language_records(state["languages"], "saved cue phrases")
            except ConfigError as exc:
                raise ModelError(f"cue detector state has an invalid phrase: {exc.message}", "E220") from exc
        return detector

    def __getstate__(self) -> dict:
        """Pickle parameters and patterns only; spaCy objects are rebuilt per thread."""
        return {
            "patterns_path": self.patterns_path,
            "_patterns": self._patterns,
            "_language_patterns": self._language_patterns,
        }

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["patterns_path"])
        self._patterns = state["_patterns"]
        self._language_patterns = state.get("_language_patterns")

    def __repr__(self) -> str:
        return f"CueDetector(patterns_path={self.patterns_path!r})"
