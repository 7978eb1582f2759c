"""``date`` ("2022-03-16") and ``date_period`` ({"from", "to"}, both days included) resolved against today.

Why hand-written: the general parsers measured (dateparser, parsedatetime, ctparse) take
0.3-250 ms per call and still miss forms customers use ("Saturday last week", "the 22nd of
Apr", "last 13th"); a dozen precompiled regexes resolve them in microseconds with the
NLU++ conventions of ``calendar_rules``. See docs/entities.md.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, timedelta

from .calendar_rules import (
    add_units,
    month_end,
    resolve_day_of_month,
    resolve_month_day,
    resolve_weekday,
    week_start,
)
from .lexicon import MONTHS, NUMBER_WORDS, WEEKDAYS, Scan, alternation, parse_number, scan

Candidate = tuple[int, int, str, object, float]

_MON = alternation(MONTHS) + r"\b\.?"
_WD = alternation(w for w in WEEKDAYS if len(w) > 3)  # "sat", "sun", "wed" are words
_AMBIGUOUS_MONTHS = {"may", "mar", "march"}  # a verb or modal unless capitalized or with a day
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d{2})\b)?"
_DAY = r"(?P<day>[0-3]?\d)(?P<suf>st|nd|rd|th)?(?![\d:.,]\d)"
_WD_PREFIX = rf"(?:(?P<wd>{_WD}),?\s+(?:the\s+)?)?"
_COUNT = rf"(?P<n>\d+|{NUMBER_WORDS}|an?|a\s+couple\s+of|couple\s+of|a\s+few|few)"
_FLAGS = re.IGNORECASE

DAY_MONTH_RE = re.compile(rf"\b{_WD_PREFIX}{_DAY}\b(?:\s+of)?\s+(?P<mon>{_MON}){_YEAR}", _FLAGS)
MONTH_DAY_RE = re.compile(rf"\b{_WD_PREFIX}(?P<mon>{_MON})\s+(?:the\s+)?{_DAY}\b{_YEAR}", _FLAGS)
MONTH_YEAR_RE = re.compile(rf"\b(?P<mon>{_MON})\s+(?P<year>(?:19|20)\d{{2}})\b", _FLAGS)
ISO_RE = re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)\b")
NUMERIC_RE = re.compile(
    r"(?<![\d/.])(?P<a>[0-3]?\d)(?P<sep>[/.])(?P<b>[0-3]?\d)(?P=sep)(?P<y>\d{4}|\d{2})(?![\d/.])"
)
ORDINAL_RE = re.compile(
    r"\b(?:(?P<rel>last|next|this)\s+)?(?:the\s+)?(?P<day>[0-3]?\d)(?P<suf>st|nd|rd|th)\b"
    r"(?:\s+(?:of\s+)?(?P<tm>this|next|last)\s+month\b)?",
    _FLAGS,
)
_AFTER_ORDINAL_OK = re.compile(
    r"\s*(?:$|[.,!?;:)]|(?:of|to|until|till|and|or|at|in|on|for|is|will|would|works|then|please|instead"
    r"|through|thru|from|ok|okay|if|maybe|i|we|so|but|would|should|via|by)\b)",
    _FLAGS,
)
_BEFORE_ORDINAL_OK = re.compile(r"\b(?:from|to|until|till|on|by|since|after|before)\s+(?:the\s+)?$", _FLAGS)
RELATIVE_DAY_RE = re.compile(
    r"\b(?P<word>today|tomorrow|tmrw|yesterday|day\s+after\s+tomorrow|day\s+before\s+yesterday)\b", _FLAGS
)
AGO_RE = re.compile(
    rf"\b{_COUNT}\s+(?P<unit>days?|weeks?|months?|years?|fortnights?)\s+"
    r"(?P<dir>ago|before|earlier|back|from\s+now|from\s+today|later|(?:away\s+)?from\s+now|away)\b",
    _FLAGS,
)
IN_RE = re.compile(
    rf"\bin\s+{_COUNT}\s+(?P<unit>days?|weeks?|months?|years?|fortnights?)(?:'?s?\s+time)?\b", _FLAGS
)
WEEKDAY_RE = re.compile(
    rf"\b(?:(?P<rel>this\s+coming|coming|this|next|last|past|previous)\s+)?(?P<wd>{_WD})\b"
    rf"(?:\s+(?:of\s+)?(?P<week>next|last|this)\s+week\b|\s+(?P<after>after\s+next)\b"
    rf"|\s+in\s+(?P<n>\d+|{NUMBER_WORDS}|an?)\s+weeks?\b)?",
    _FLAGS,
)
WEEK_WEEKDAY_RE = re.compile(rf"\b(?P<week>next|last|this)\s+week'?s?\s+(?:on\s+)?(?P<wd>{_WD})\b", _FLAGS)
# A leading "the" is not part of any span ("the last 3 months" -> "last 3 months"), as in NLU++.
PERIOD_RE = re.compile(
    r"\b(?P<rel>this|next|last|past|previous|coming|current)\s+(?P<unit>week|month|year|weekend"
    r"|quarter|fortnight)\b",
    _FLAGS,
)
SPAN_RE = re.compile(
    rf"\b(?P<rel>last|past|previous|next|coming)\s+{_COUNT}\s+(?P<unit>days|weeks|months|years)\b",
    _FLAGS,
)
EDGE_RE = re.compile(
    r"\b(?P<edge>end|beginning|start)\s+of\s+(?:the\s+)?(?:(?P<rel>this|next|last|current)\s+)?"
    rf"(?P<unit>week|month|year|{_MON})",
    _FLAGS,
)
WEEKEND_RE = re.compile(r"\bthe\s+(?P<unit>weekend)\b", _FLAGS)  # the span is "weekend"
MONTH_ALONE_RE = re.compile(
    r"\b(?P<prep>in|during|since|until|till|from|starting|for|by|before|after|through|to|last|next|this|early"
    r"|late|mid)"
    rf"(?:\s+of)?\s+(?P<mon>{_MON})(?!\s*(?:\d|the\s+\d))",
    _FLAGS,
)
YEAR_ALONE_RE = re.compile(r"(?P<year>(?:19|20)\d{2})\b(?!\s*(?:[$€£%]|dollars|euros|pounds))", _FLAGS)
_YEAR_PREP = re.compile(
    r"\b(?:in|during|since|until|till|from|by|before|after|through|to|between|and|of)\s+$", _FLAGS
)
_MONTH_WORDS = frozenset(MONTHS)
_WEEKDAY_WORDS = frozenset(w for w in WEEKDAYS if len(w) > 3)
_DAY_WORDS = frozenset({"today", "tomorrow", "tmrw", "yesterday", "day"})
_UNIT_WORDS = frozenset(
    {"day", "days", "week", "weeks", "month", "months", "year", "years", "fortnight", "fortnights"}
)
_PERIOD_WORDS = frozenset({"week", "month", "year", "weekend", "quarter", "fortnight"})
_PERIOD_OR_UNIT = _PERIOD_WORDS | _UNIT_WORDS
DATE_WORDS = _MONTH_WORDS | _WEEKDAY_WORDS | _DAY_WORDS | _UNIT_WORDS | _PERIOD_WORDS


def gate(sc: Scan) -> bool:
    """Whether ``extract_dates`` can find anything: a digit or a date word."""
    return sc.digit or not sc.words.isdisjoint(DATE_WORDS)


def _count(raw: str) -> float | None:
    """How many units "a", "a couple of", "3", "three" are; None beyond 10,000 (no calendar goes there)."""
    raw = raw.lower()
    if raw in ("a", "an"):
        return 1.0
    if "couple" in raw:
        return 2.0
    if "few" in raw:
        return 3.0
    value = parse_number(raw)
    return value if value is not None and value <= 10_000 else None


def _month(raw: str, has_day_word: bool) -> int | None:
    key = raw.lower().rstrip(".")
    if key in _AMBIGUOUS_MONTHS and not raw[0].isupper() and not has_day_word:
        return None
    return MONTHS.get(key)


def _wd(raw: str | None) -> int | None:
    return None if raw is None else WEEKDAYS[raw.lower()]


def _period(start: date, end: date) -> dict:
    return {"from": start.isoformat(), "to": end.isoformat()}


def extract_dates(text: str, today: date, sc: Scan | None = None) -> list[Candidate]:
    """Every date and date period in ``text`` as ``(start, end, entity, value, confidence)``."""
    sc = sc or scan(text)
    if not gate(sc):
        return []
    found: list[Candidate] = []
    add = found.append
    words, digit = sc.words, sc.digit
    months = not words.isdisjoint(_MONTH_WORDS)
    if digit:
        if months:
            _month_dates(text, today, add)
        _numeric_dates(text, today, add)
    if not words.isdisjoint(_DAY_WORDS):
        for m in RELATIVE_DAY_RE.finditer(text):
            word = re.sub(r"\s+", " ", m.group("word").lower())
            shift = {"today": 0, "tomorrow": 1, "tmrw": 1, "yesterday": -1, "day after tomorrow": 2}.get(
                word, -2
            )
            add((m.start(), m.end(), "date", (today + timedelta(days=shift)).isoformat(), 0.95))
    if not words.isdisjoint(_UNIT_WORDS):
        _relative(text, today, add)
    if not words.isdisjoint(_WEEKDAY_WORDS):
        _weekdays(text, today, add)
    if months or not words.isdisjoint(_PERIOD_OR_UNIT):
        _periods(text, today, add)
    if months:
        _months(text, today, add)
    if digit:
        for m in YEAR_ALONE_RE.finditer(text):
            if not _YEAR_PREP.search(text, max(0, m.start() - 10), m.start()):
                continue
            year = int(m.group("year"))
            add((m.start("year"), m.end(), "date_period", _period(date(year, 1, 1), date(year, 12, 31)), 0.7))
    return found


def _month_dates(text: str, today: date, add) -> None:
    for regex in (DAY_MONTH_RE, MONTH_DAY_RE):
        for m in regex.finditer(text):
            month = _month(m.group("mon"), bool(m.group("suf")) or regex is DAY_MONTH_RE)
            year = int(m.group("year")) if m.group("year") else None
            if month is None:
                continue
            day = resolve_month_day(today, month, int(m.group("day")), year, _wd(m.group("wd")))
            if day is not None:
                add((m.start(), m.end(), "date", day.isoformat(), 0.95))
    for m in MONTH_YEAR_RE.finditer(text):
        month = _month(m.group("mon"), True)
        if month is not None:
            year = int(m.group("year"))
            add(
                (
                    m.start(),
                    m.end(),
                    "date_period",
                    _period(date(year, month, 1), month_end(year, month)),
                    0.9,
                )
            )


def _numeric_dates(text: str, today: date, add) -> None:
    for m in ISO_RE.finditer(text):
        _add_ymd(add, m, int(m.group("y")), int(m.group("m")), int(m.group("d")), 0.95)
    for m in NUMERIC_RE.finditer(text):
        a, b, y = int(m.group("a")), int(m.group("b")), int(m.group("y"))
        day, month = (b, a) if b > 12 >= a else (a, b)  # day first unless impossible
        _add_ymd(add, m, y + 2000 if y < 100 else y, month, day, 0.85)
    for m in ORDINAL_RE.finditer(text):
        if (
            not m.group("tm")
            and not _AFTER_ORDINAL_OK.match(text, m.end())
            and not _BEFORE_ORDINAL_OK.search(text, 0, m.start())
        ):
            continue  # "the 2nd time", "my 3rd card"
        rel = (m.group("rel") or "").lower() or None
        if m.group("tm"):
            base = add_units(
                today.replace(day=1), {"this": 0, "next": 1, "last": -1}[m.group("tm").lower()], "month"
            )
            day = resolve_month_day(base, base.month, int(m.group("day")), base.year)
        else:
            day = resolve_day_of_month(today, int(m.group("day")), rel)
        if day is not None:
            add((m.start("day") if rel is None else m.start(), m.end(), "date", day.isoformat(), 0.75))


def _add_ymd(add, m: re.Match, year: int, month: int, day: int, confidence: float) -> None:
    with contextlib.suppress(ValueError):  # 31/02/2022 is not a date
        add((m.start(), m.end(), "date", date(year, month, day).isoformat(), confidence))


def _relative(text: str, today: date, add) -> None:
    for regex in (AGO_RE, IN_RE):
        for m in regex.finditer(text):
            n = _count(m.group("n"))
            if n is None:
                continue
            back = regex is AGO_RE and m.group("dir").lower() in ("ago", "before", "earlier", "back")
            day = add_units(today, -n if back else n, m.group("unit").lower())
            if day is not None:
                add((m.start(), m.end(), "date", day.isoformat(), 0.9))


def _weekdays(text: str, today: date, add) -> None:
    for m in WEEKDAY_RE.finditer(text):
        rel = re.sub(r"\s+", " ", (m.group("rel") or "").lower()) or None
        ahead = 1 if m.group("after") else int(_count(m.group("n")) or 0) if m.group("n") else 0
        week = m.group("week").lower() if m.group("week") else None
        if rel in ("this", "coming", "this coming") and week is None:
            rel = None
        day = resolve_weekday(today, _wd(m.group("wd")), rel, week, ahead)
        add((m.start(), m.end(), "date", day.isoformat(), 0.9))
    for m in WEEK_WEEKDAY_RE.finditer(text):
        day = resolve_weekday(today, _wd(m.group("wd")), None, m.group("week").lower())
        add((m.start(), m.end(), "date", day.isoformat(), 0.9))


def _periods(text: str, today: date, add) -> None:
    for m in PERIOD_RE.finditer(text):
        rel, unit = m.group("rel").lower(), m.group("unit").lower()
        shift = {"next": 1, "coming": 1, "last": -1, "past": -1, "previous": -1}.get(rel, 0)
        add((m.start(), m.end(), "date_period", _unit_period(today, unit, shift), 0.9))
    for m in WEEKEND_RE.finditer(text):
        add((m.start("unit"), m.end(), "date_period", _unit_period(today, "weekend", 0), 0.85))
    for m in SPAN_RE.finditer(text):
        n = _count(m.group("n"))
        if n is not None:
            future = m.group("rel").lower() in ("next", "coming")
            other = add_units(today, n if future else -n, m.group("unit").lower())
            if other is not None:
                add((m.start(), m.end(), "date_period", _period(*sorted((today, other))), 0.9))
    for m in EDGE_RE.finditer(text):
        unit = m.group("unit").lower().rstrip(".")
        if unit in ("week", "month", "year"):
            shift = {"next": 1, "last": -1}.get((m.group("rel") or "").lower(), 0)
            period = _unit_period(today, unit, shift)
        else:
            month = _month(m.group("unit"), True)
            start = resolve_month_day(today, month, 1)
            period = _period(start, month_end(start.year, month))
        edge = period["to"] if m.group("edge").lower() == "end" else period["from"]
        add((m.start(), m.end(), "date", edge, 0.85))


def _months(text: str, today: date, add) -> None:
    for m in MONTH_ALONE_RE.finditer(text):
        month = _month(m.group("mon"), False)
        if month is None:
            continue
        prep = m.group("prep").lower()
        start = resolve_month_day(today, month, 1)
        if prep == "last" or (prep == "since" and start > today):
            start = start.replace(year=start.year - 1)
        elif prep == "next" and start.month == today.month and start.year == today.year:
            start = start.replace(year=start.year + 1)
        begin = m.start() if prep in ("last", "next", "this") else m.start("mon")
        add((begin, m.end(), "date_period", _period(start, month_end(start.year, month)), 0.8))


def _unit_period(today: date, unit: str, shift: int) -> dict:
    if unit in ("week", "fortnight"):
        start = week_start(today) + timedelta(weeks=shift)
        return _period(start, start + timedelta(days=6 if unit == "week" else 13))
    if unit == "weekend":
        saturday = week_start(today) + timedelta(days=5 + 7 * shift)
        return _period(saturday, saturday + timedelta(days=1))
    if unit == "month":
        start = add_units(today.replace(day=1), shift, "month")
        return _period(start, month_end(start.year, start.month))
    if unit == "quarter":
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        start = add_units(first, 3 * shift, "month")
        end = add_units(start, 3, "month") - timedelta(days=1)
        return _period(start, end)
    year = today.year + shift
    return _period(date(year, 1, 1), date(year, 12, 31))
