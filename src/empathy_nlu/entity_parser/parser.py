"""``BuiltinEntityParser``: every builtin dimension in one call, with char offsets and normalized values.

Why a gate first: most support messages carry no entity at all, and ``predict`` costs about
0.1 ms, so one precompiled regex decides in a few microseconds whether any extractor runs;
each extractor then has its own gate. Overlapping candidates are settled here (longest span
first), so the result never has two builtin entities over the same characters; a Luhn-valid
card number removes everything it overlaps, so the raw digits never leave the parser.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime

from ..errors import ConfigError, InputError, ModelError
from ..privacy.fold import SEPARATOR, fold, isolate
from . import dates, dates_intl, money, money_intl, times
from .lexicon import scan
from .references import (
    DEFAULT_PATTERN_WORDS,
    LAST4_WORDS,
    compile_patterns,
    extract_card_last4,
    extract_cards,
    extract_emails,
    extract_patterns,
    extract_phones,
    extract_urls,
)
from .region import region_of

STATE_FORMAT = "empathy_nlu.entity_parser/1"
DIMENSIONS = (
    "amount_of_money",
    "date",
    "time",
    "date_period",
    "time_period",
    "email",
    "phone_number",
    "url",
    "card_number",
    "card_last4",
    "order_id",
    "transaction_id",
)
PATTERN_DIMENSIONS = ("order_id", "transaction_id")
# Equal spans: the more specific reading wins (a card over a phone, a date over a bare amount).
_PRIORITY = {
    "card_number": 0,
    "email": 1,
    "url": 2,
    "card_last4": 3,
    "date": 5,
    "time": 6,
    "date_period": 7,
    "time_period": 8,
    "amount_of_money": 9,
    "phone_number": 10,
}
_CUSTOM_PRIORITY = 4
_URL_HINT = re.compile(r"\.[A-Za-z]|://")

__all__ = ["DIMENSIONS", "BuiltinEntityParser", "check_entities_config"]


class BuiltinEntityParser:
    """Extracts the builtin dimensions (``DIMENSIONS``) and a deployment's regex entities.

    ``enabled``: the dimensions to extract (``None``: all). ``patterns``: ``[{"entity", "pattern"}]``;
    patterns for ``order_id`` / ``transaction_id`` replace the defaults, other names add regex
    entities (always on). A pattern's ``(?P<value>...)`` group, or its only group, is the entity.
    Nothing is learned: ``to_state`` stores this configuration in the model directory.
    """

    def __init__(self, enabled: list[str] | None = None, patterns: list[dict] | None = None) -> None:
        self.enabled = enabled
        self.patterns = patterns
        self._compiled: tuple[frozenset, dict, tuple, tuple] | None = None
        self._lock = threading.Lock()

    def _setup(self) -> tuple[frozenset, dict, tuple, tuple]:
        if self._compiled is None:
            with self._lock:
                if self._compiled is None:
                    enabled = _check_enabled(self.enabled)
                    reserved = set(DIMENSIONS) - set(PATTERN_DIMENSIONS)
                    compiled = compile_patterns(self.patterns, reserved)
                    regex_entities = tuple(e for e in compiled if e in enabled or e not in DIMENSIONS)
                    # the default patterns all need a digit; a deployment's own may not
                    user = {p["entity"] for p in self.patterns or ()}
                    self._compiled = (
                        enabled,
                        compiled,
                        regex_entities,
                        tuple(e for e in regex_entities if e in user),
                    )
        return self._compiled

    def parse(self, text: str, reference_time: datetime | None = None, language=None) -> list[dict]:
        """``[{"entity", "text", "start", "end", "value", "confidence", "extractor": "builtin"}]`` by start.

        ``reference_time`` (default: now, local time zone) resolves relative dates and times; a
        naive datetime is taken as local time. ``language`` (a ``LanguageGuess``, a code such as
        ``"es"`` or ``"zh-TW"``, or None: the script decides) chooses the region of local phone
        numbers and of "元" or "¥" (``region.py``).
        """
        if not isinstance(text, str):
            raise InputError(f"text must be a str, got {type(text).__name__}.", "E320")
        if reference_time is not None and not isinstance(reference_time, datetime):
            raise InputError(
                f"reference_time must be a datetime or None, got {type(reference_time).__name__}.", "E321"
            )
        enabled, compiled, regex_entities, user_entities = self._setup()
        original, ascii_text = text, text.isascii()
        if ascii_text:
            view, sc = text, scan(text)
        else:  # same-length views: other scripts' digits as ASCII, their letters apart (privacy/fold.py)
            view = fold(text)
            text = isolate(view)
            sc = scan(text.replace(SEPARATOR, " "))
        run_money = "amount_of_money" in enabled and money.gate(text, sc)
        run_dates = bool(enabled & {"date", "date_period"}) and dates.gate(sc)
        run_times = bool(enabled & {"time", "time_period"}) and times.gate(sc)
        run_money_intl = not ascii_text and "amount_of_money" in enabled and money_intl.gate(view)
        run_dates_intl = bool(enabled & {"date", "date_period"}) and dates_intl.gate(view, sc.words)
        has_at, has_url = "@" in text, _URL_HINT.search(text) is not None
        if not (
            run_money or run_dates or run_times or has_at or has_url or sc.digit or user_entities
        ) and not (run_money_intl or run_dates_intl):
            return []  # the common case: a few microseconds
        local = not ascii_text or language is not None  # a region to look for (else English rules)
        region = region_of(original, language) if local else None
        candidates = []
        if has_at and "email" in enabled:
            candidates += extract_emails(text)
        if sc.digits >= 13:
            candidates += extract_cards(text)  # even when disabled: nothing may echo a card number
        if sc.digits >= 4 and "card_last4" in enabled and not sc.words.isdisjoint(LAST4_WORDS):
            candidates += extract_card_last4(text)
        if sc.digits >= 7 and "phone_number" in enabled:
            candidates += extract_phones(text, region)
        if has_url and "url" in enabled:
            candidates += extract_urls(text)
        if regex_entities:
            run = [
                e
                for e in regex_entities
                if e in user_entities or (sc.digit and not sc.words.isdisjoint(DEFAULT_PATTERN_WORDS[e]))
            ]
            candidates += extract_patterns(text, compiled, run)
        if run_money:
            candidates += money.extract_money(text, sc)
            if region == "CN":
                candidates = money_intl.regional_yen(candidates, view)
        if run_money_intl:
            candidates += money_intl.extract_money(view, region)
        now = _reference(reference_time) if run_dates or run_times or run_dates_intl else None
        if run_dates:
            candidates += dates.extract_dates(text, now.date(), sc)
        if run_dates_intl:
            candidates += dates_intl.extract_dates(view, now.date(), sc.words)
        if run_times:
            candidates += times.extract_times(text, now, sc)
        if not candidates:
            return []
        return [_entity(original, c) for c in _settle(candidates, enabled)]

    def to_state(self) -> tuple[dict, dict]:
        """JSON state: the enabled dimensions and the deployment's patterns (checked first)."""
        self._setup()
        state = {
            "format": STATE_FORMAT,
            "enabled": None if self.enabled is None else list(self.enabled),
            "patterns": None if self.patterns is None else [dict(p) for p in self.patterns],
        }
        return state, {}

    @classmethod
    def from_state(cls, state: dict, arrays: dict) -> BuiltinEntityParser:
        """The parser ``to_state`` described (``arrays`` is unused)."""
        if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
            found = state.get("format") if isinstance(state, dict) else type(state).__name__
            raise ModelError(f"entity parser state must have format {STATE_FORMAT!r}, got {found!r}.", "E221")
        parser = cls(state.get("enabled"), state.get("patterns"))
        try:
            parser._setup()
        except ConfigError as exc:
            raise ModelError(
                f"entity parser state is not valid ({exc.message}); re-save the model.", "E221"
            ) from exc
        return parser

    def __getstate__(self) -> dict:
        return {"enabled": self.enabled, "patterns": self.patterns}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["enabled"], state["patterns"])

    def __repr__(self) -> str:
        return f"BuiltinEntityParser(enabled={self.enabled!r}, patterns={self.patterns!r})"


def _check_enabled(enabled) -> frozenset:
    if enabled is None:
        return frozenset(DIMENSIONS)
    if not isinstance(enabled, list | tuple) or not all(isinstance(d, str) for d in enabled):
        raise ConfigError(f"enabled must be a list of dimension names or None, got {enabled!r}.", "E433")
    unknown = sorted(set(enabled) - set(DIMENSIONS))
    if unknown:
        raise ConfigError(
            f"unknown builtin entity dimension(s) {unknown}; known: {', '.join(DIMENSIONS)}.", "E433"
        )
    return frozenset(enabled)


def _reference(reference_time: datetime | None) -> datetime:
    if reference_time is None:
        return datetime.now().astimezone()
    return reference_time if reference_time.tzinfo is not None else reference_time.astimezone()


def _settle(candidates: list, enabled: frozenset) -> list:
    """Non-overlapping candidates: cards first, then the longest span, then ``_PRIORITY``."""
    cards = [c for c in candidates if c[2] == "card_number"]
    taken: list = []
    ordered = sorted(
        (c for c in candidates if c[2] != "card_number"),
        key=lambda c: (c[0] - c[1], _PRIORITY.get(c[2], _CUSTOM_PRIORITY), -c[4], c[0], c[2]),
    )
    covered = bytearray(max(c[1] for c in candidates) + 1)  # 1: a character some taken span covers
    for cand in cards + ordered:
        if cand[2] in _PRIORITY and cand[2] not in enabled and cand[2] != "card_number":
            continue
        start, end = cand[0], cand[1]
        if end <= start:  # an empty span (a deployment's odd pattern): the plain test
            free = all(end <= t[0] or start >= t[1] for t in taken)
        else:  # linear in the spans, not in spans times taken spans
            free = covered.find(1, start, end) < 0
        if free:
            taken.append(cand)
            covered[start:end] = b"\x01" * (end - start)
    taken.sort(key=lambda c: (c[0], c[1]))
    return [c for c in taken if c[2] != "card_number" or "card_number" in enabled]


def _entity(text: str, cand: tuple) -> dict:
    start, end, entity, value, confidence = cand
    surface = value["masked"] if entity == "card_number" else text[start:end]
    if entity == "card_number":
        value = {"last4": value["last4"]}
    return {
        "entity": entity,
        "text": surface,
        "start": start,
        "end": end,
        "value": value,
        "confidence": confidence,
        "extractor": "builtin",
    }


def check_entities_config(section: dict) -> None:
    """Check the ``entities`` config section (dimension names, pattern regexes) with codes E430-E436."""
    dimensions = section.get("dimensions")
    if dimensions:
        try:
            _check_enabled(dimensions)
        except ConfigError as exc:
            raise ConfigError(f"entities.dimensions: {exc.message}", exc.code) from exc
    compile_patterns(section.get("patterns"), set(DIMENSIONS) - set(PATTERN_DIMENSIONS), "entities.patterns")
