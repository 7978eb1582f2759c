"""``PrivacyParams``: the ``privacy`` config section (what ``Prediction.text`` shows, deployment patterns).

Why patterns are checked hard here: they run on every ``predict`` and every stored turn, on text a
customer controls, so a pattern that can take exponential time (a repeat inside a repeat, the
classic ``(a+)+``) is refused when the config is read, not found in production.
"""

from __future__ import annotations

import re
import re._constants as _sre
import re._parser as _sre_parse
from dataclasses import dataclass
from functools import lru_cache

from ..errors import ConfigError
from ..pipeline.params import Params
from .detect import KINDS, Detector

_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_UNBOUNDED = _sre.MAXREPEAT
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT)


@dataclass(frozen=True)
class PrivacyParams(Params):
    """``mask_contacts_in_text``: e-mails and phones masked in ``Prediction.text`` and its entities
    too (they always are in storage, summaries and ``context.entities``). ``patterns``: a
    deployment's own personal data, ``[{"name", "pattern"}]``, masked everywhere."""

    mask_contacts_in_text: bool = False
    patterns: tuple[dict, ...] = ()

    def check(self) -> None:
        compile_patterns(self.patterns)


def compile_patterns(patterns) -> tuple[tuple[str, re.Pattern], ...]:
    """``[(name, regex)]`` of ``privacy.patterns``, each checked (E450-E455)."""
    if not isinstance(patterns, list | tuple):
        raise ConfigError(f"privacy.patterns must be a list of {{name, pattern}}, got {patterns!r}.", "E450")
    out, seen = [], set()
    for i, item in enumerate(patterns):
        where = f"privacy.patterns[{i}]"
        if not isinstance(item, dict) or set(item) != {"name", "pattern"}:
            raise ConfigError(
                f"{where} must be a mapping with exactly name and pattern, got {item!r}.", "E450"
            )
        name, pattern = item["name"], item["pattern"]
        if not isinstance(name, str) or not _NAME.fullmatch(name) or name in KINDS or name in seen:
            raise ConfigError(
                f"{where} name {name!r} must be lower-case a-z, 0-9, _ (starting with a letter), "
                f"not a builtin kind ({', '.join(KINDS)}) and not used twice.",
                "E453",
            )
        seen.add(name)
        if not isinstance(pattern, str) or not pattern.strip():
            raise ConfigError(f"{where} pattern must be a non-empty str, got {pattern!r}.", "E451")
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{where} pattern {pattern!r} is not a valid regex: {exc}.", "E451") from exc
        if regex.search("") is not None:
            raise ConfigError(f"{where} pattern {pattern!r} matches the empty string.", "E452")
        if nested_repeat(pattern):
            raise ConfigError(
                f"{where} pattern {pattern!r} repeats a group that itself repeats without bound, which "
                "can take exponential time on some texts; use a bounded repeat ({1,20}), a possessive "
                "one (\\d++) or an atomic group (?>...).",
                "E454",
            )
        if regex.groups > 1 and "value" not in regex.groupindex:
            raise ConfigError(
                f"{where} pattern {pattern!r} has {regex.groups} groups and none named value; use one "
                "group or name the masked one (?P<value>...).",
                "E455",
            )
        out.append((name, regex))
    return tuple(out)


def nested_repeat(pattern: str) -> bool:
    """Does ``pattern`` repeat (at most more than once) something that contains an unbounded
    backtracking repeat? ``(a+)+``, ``(\\w+\\s?)*``, ``(x*y){2,}``. Possessive repeats and atomic
    groups do not backtrack and are allowed."""

    def children(op, arg) -> list:
        """The sub-patterns a node contains (none inside what never backtracks)."""
        if op == _sre.SUBPATTERN:
            return [arg[-1]]
        if op == _sre.BRANCH:
            return list(arg[1])
        if op in (_sre.ASSERT, _sre.ASSERT_NOT):
            return [arg[1]]
        return []  # literals, classes, and POSSESSIVE_REPEAT / ATOMIC_GROUP, which do not backtrack

    def walk(items, inside_repeat: bool) -> bool:
        for op, arg in items:
            if op in _REPEATS:
                _low, high, body = arg
                if (inside_repeat and high == _UNBOUNDED) or walk(body, inside_repeat or high > 1):
                    return True
            elif any(walk(child, inside_repeat) for child in children(op, arg)):
                return True
        return False

    return walk(_sre_parse.parse(pattern), False)


@lru_cache(maxsize=64)
def _detector(patterns: tuple[tuple[str, str], ...]) -> Detector:
    return Detector(compile_patterns([{"name": n, "pattern": p} for n, p in patterns]))


def detector_of(params: PrivacyParams | None) -> Detector:
    """The (cached) ``Detector`` of ``params``; None: the builtin kinds only."""
    if params is None or not params.patterns:
        return _detector(())
    return _detector(tuple((p["name"], p["pattern"]) for p in params.patterns))
