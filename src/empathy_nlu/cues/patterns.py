"""Cue patterns: read and check a JSONL patterns file into ``CuePattern`` records.

Why data, not code: the phrases that signal frustration or churn differ between
deployments and change more often than the code, so a support team edits a
JSONL file. Every mistake in it is a ``ConfigError`` (E420-E428) naming the file
and line, because a silently ignored pattern is a cue that never fires.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError

CUES = ("frustration", "urgency", "churn_risk", "gratitude", "request_human")
DEFAULT_PATTERNS = Path(__file__).with_name("patterns.jsonl")

_RECORD_KEYS = {"cue", "weight", "phrase", "pattern", "negates", "scope", "boost", "id", "comment"}
# Lexical token attributes only: spacy.blank("en") sets no POS, TAG, LEMMA, DEP or ENT_TYPE.
TOKEN_KEYS = {
    "ORTH", "TEXT", "LOWER", "NORM", "LENGTH", "SHAPE", "PREFIX", "SUFFIX", "OP",
    "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE",
    "IS_STOP", "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT", "IS_CURRENCY",
    "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL",
}  # fmt: skip
_STRING_KEYS = ("ORTH", "TEXT", "LOWER", "NORM")
MAX_SCOPE = 10


@dataclass(frozen=True)
class CuePattern:
    """One line of a patterns file: a phrase or a spaCy token pattern, and what it means."""

    cue: str
    name: str
    weight: float = 1.0
    phrase: str | None = None
    tokens: tuple[dict, ...] | None = None
    negates: bool = False  # cancels this cue's matches it overlaps or that start within ``scope`` tokens
    scope: int = 0
    boost: bool = False  # counts only when another (non-boost) pattern of the cue matched
    source: str = ""  # "file:line", for error messages
    record: dict | None = None  # the line as written, so a saved model carries it verbatim

    def literal_strings(self) -> list[str]:
        """Every string a token pattern compares tokens with (to check each is one token)."""
        out: list[str] = []
        for token in self.tokens or ():
            for key in _STRING_KEYS:
                value = token.get(key)
                if isinstance(value, str):
                    out.append(value)
                elif isinstance(value, dict):
                    out.extend(v for v in value.get("IN", ()) if isinstance(v, str))
        return out


def _fail(source: str, message: str, code: str) -> ConfigError:
    return ConfigError(f"{source}: {message}", code)


def _render(tokens: Iterable[dict]) -> str:
    """A short readable name for a token pattern ("third time", "for <LIKE_NUM> weeks|days|…")."""
    parts = []
    for token in tokens:
        lower = token.get("LOWER")
        if isinstance(lower, str):
            part = lower
        elif isinstance(lower, dict) and "IN" in lower:
            values = list(lower["IN"])
            part = "|".join(values[:3]) + ("|…" if len(values) > 3 else "")
        else:
            part = "<" + ",".join(k for k in token if k != "OP") + ">"
        parts.append(part + (token["OP"] if token.get("OP") in ("?", "*", "+") else ""))
    return " ".join(parts)


def _check_tokens(value: Any, source: str) -> tuple[dict, ...]:
    if not isinstance(value, list) or not value:
        raise _fail(source, '"pattern" must be a non-empty list of token objects.', "E425")
    tokens = []
    for i, token in enumerate(value):
        if not isinstance(token, dict) or not token:
            raise _fail(source, f"token {i} of the pattern must be a non-empty object.", "E425")
        upper = {str(k).upper(): v for k, v in token.items()}
        unknown = sorted(set(upper) - TOKEN_KEYS)
        if unknown:
            raise _fail(
                source,
                f"token {i} has unknown or unsupported key(s) {unknown}; spacy.blank('en') has only "
                f"lexical attributes: {sorted(TOKEN_KEYS)}.",
                "E425",
            )
        lower = upper.get("LOWER")
        if isinstance(lower, dict) and lower.get("IN") == []:
            raise _fail(source, f"token {i}: an empty IN list never matches.", "E425")
        values = [lower] if isinstance(lower, str) else lower.get("IN", []) if isinstance(lower, dict) else []
        for v in values:
            if isinstance(v, str) and v != v.lower():
                raise _fail(
                    source, f"token {i}: LOWER value {v!r} is not lowercase, so never matches.", "E425"
                )
        for key in ("REGEX",):
            pattern = lower.get(key) if isinstance(lower, dict) else None
            if isinstance(pattern, str):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise _fail(
                        source, f"token {i}: bad regular expression {pattern!r}: {exc}.", "E425"
                    ) from exc
        tokens.append(upper)
    return tuple(tokens)


def parse_record(row: Any, source: str) -> CuePattern:
    """Check one decoded line and turn it into a ``CuePattern``."""
    if not isinstance(row, dict):
        raise _fail(source, f"each line must be a JSON object, got {type(row).__name__}.", "E421")
    unknown = sorted(set(row) - _RECORD_KEYS)
    if unknown:
        raise _fail(source, f"unknown key(s) {unknown}; allowed: {sorted(_RECORD_KEYS)}.", "E426")
    cue = row.get("cue")
    if cue not in CUES:
        raise _fail(source, f"unknown cue {cue!r}; expected one of {list(CUES)}.", "E422")
    negates, boost, scope = row.get("negates", False), row.get("boost", False), row.get("scope", 0)
    if not isinstance(negates, bool) or not isinstance(boost, bool) or (negates and boost):
        raise _fail(source, '"negates" and "boost" must be true/false, and not both true.', "E427")
    if "scope" in row and (not negates or type(scope) is not int or not 0 <= scope <= MAX_SCOPE):
        raise _fail(source, f'"scope" must be an integer 0..{MAX_SCOPE}, on a "negates" pattern.', "E427")
    weight = row.get("weight", 1.0 if negates else None)
    if type(weight) not in (int, float) or not 0.0 < weight <= 1.0:
        raise _fail(source, f'"weight" must be a number in (0, 1], got {weight!r}.', "E423")
    if ("phrase" in row) == ("pattern" in row):
        raise _fail(source, 'give exactly one of "phrase" (text) or "pattern" (spaCy token list).', "E424")
    phrase, tokens = row.get("phrase"), None
    if "phrase" in row and (not isinstance(phrase, str) or not phrase.strip()):
        raise _fail(source, '"phrase" must be a non-empty string.', "E424")
    if "pattern" in row:
        tokens = _check_tokens(row["pattern"], source)
    name = row.get("id")
    if name is not None and (not isinstance(name, str) or not name):
        raise _fail(source, '"id" must be a non-empty string.', "E424")
    name = name or (phrase.strip().lower() if phrase is not None else _render(tokens or ()))
    return CuePattern(
        cue=cue, name=name, weight=float(weight), phrase=phrase, tokens=tokens, negates=negates,
        scope=scope, boost=boost, source=source, record=dict(row),
    )  # fmt: skip


def parse_lines(lines: Iterable[str], origin: str) -> list[CuePattern]:
    """Patterns from JSONL lines; blank lines and lines starting with ``#`` are skipped."""
    patterns = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        source = f"{origin}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _fail(source, f"invalid JSON: {exc.msg} (column {exc.colno}).", "E421") from exc
        patterns.append(parse_record(row, source))
    if not any(not p.negates for p in patterns):
        raise ConfigError(f"{origin}: no cue patterns (only blank, comment or negating lines).", "E428")
    return patterns


def read_patterns(path: str | Path | None = None) -> list[CuePattern]:
    """Read and check a patterns file (``None``: the patterns shipped with the package)."""
    path = Path(path) if path is not None else DEFAULT_PATTERNS
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read cue patterns file {path}: {exc}", "E420") from exc
    return parse_lines(text.splitlines(), str(path))
