"""``time`` ("18:35:00", the wall-clock time said) and ``time_period`` ({"from", "to"}, ISO datetimes).

Why these forms: customers and voice transcripts say "25 to 7 p.m.", "10 past 9 at night",
"half past 17", "11 45 in the morning", "5ish in the afternoon", "at 4". A bare number is a
time only after a time word ("at", "before", "until", ...) and before a word that can end
a time ("at 4 please", not "at 4 branches"). Without am/pm a time is taken as said ("at 4"
is 04:00:00), as NLU++ annotates it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from .calendar_rules import DAY_PARTS, at, day_part_hour, resolve_weekday
from .lexicon import NUMBER_WORDS, UNITS, WEEKDAYS, Scan, alternation, clean_start, parse_number, scan

Candidate = tuple[int, int, str, object, float]

_FLAGS = re.IGNORECASE
_HOUR_WORD = alternation(UNITS[1:13])  # one .. twelve
_PART = (
    r"(?P<part>a\.?\s?m\.?(?!\w)|p\.?\s?m\.?(?!\w)|(?:in\s+the\s+|at\s+|this\s+)?(?:morning|afternoon|evening|night)\b"
    r"|tonight\b)"
)
_BAD_BEFORE = ":.,$€£/"
_END = r"(?![\d:.,%$€£]\d|[\d%$€£])"

COLON_RE = re.compile(
    rf"(?P<h>\d{{1,2}})(?P<sep>[:.h])(?P<mm>[0-5]\d)(?::[0-5]\d)?(?![\d:])(?:\s?{_PART})?", _FLAGS
)
SPACED_RE = re.compile(rf"(?P<h>\d{{1,2}})\s(?P<mm>[0-5]\d)(?![\d:]|[.,]\d)(?:\s?{_PART})?", _FLAGS)
_SPACED_PREP = re.compile(r"\b(?:at|after|before|by|until|till|from|to|and)\s+$", _FLAGS)
_SUFFIX = rf"(?:\s?{_PART}|\s?(?P<oc>o'?clock)\b)"
HOUR_PART_RE = re.compile(rf"(?P<h>\d{{1,2}})(?P<ish>ish)?{_SUFFIX}", _FLAGS)
HOUR_WORD_PART_RE = re.compile(rf"\b(?P<h>{_HOUR_WORD})(?P<ish>ish)?{_SUFFIX}", _FLAGS)
SPOKEN_RE = re.compile(rf"\b(?P<h>{_HOUR_WORD})\s+(?P<mm>(?:oh\s+)?{NUMBER_WORDS}){_SUFFIX}", _FLAGS)
BARE_HOUR_RE = re.compile(rf"(?P<h>\d{{1,2}})(?P<ish>ish)?\b{_END}", _FLAGS)
BARE_HOUR_WORD_RE = re.compile(rf"\b(?P<h>{_HOUR_WORD})(?P<ish>ish)?\b{_END}", _FLAGS)
_PREP_BEFORE = re.compile(
    r"\b(?P<prep>at|after|before|by|until|till|til|between|around|about|earlier\s+than|later\s+than|and)\s+"
    r"(?:around\s+|about\s+)?$",
    _FLAGS,
)
_AFTER_BARE_OK = re.compile(
    r"\s*(?:$|[.,!?;)]|(?:today|tomorrow|tonight|yesterday|on|and|or|then|please|ok|okay|if|is|would|works"
    r"|sharp|instead|latest|at|so|but|this|next|in|for\s+the|maybe|then|the\s+latest|pm|am)\b)",
    _FLAGS,
)
_PAST_TO = (
    r"(?P<mins>\s+(?:minutes?|mins?))?\s+(?P<dir>past|after|to|before|till|til)\s+"
    rf"(?P<h>[01]?\d|2[0-4]|{_HOUR_WORD})\b(?:\s?{_PART}|\s?(?P<oc>o'?clock)\b)?{_END}"
)
PAST_TO_DIGIT_RE = re.compile(rf"(?P<n>\d{{1,2}}){_PAST_TO}", _FLAGS)
PAST_TO_WORD_RE = re.compile(rf"\b(?P<n>{NUMBER_WORDS}|half|(?:a\s+)?quarter){_PAST_TO}", _FLAGS)
NAMED_RE = re.compile(r"\b(?P<w>noon|midday|midnight)\b", _FLAGS)
RELATIVE_RE = re.compile(
    rf"\b(?:in\s+(?P<n1>\d+|{NUMBER_WORDS}|an?|half\s+an)\s+(?P<u1>hours?|hrs?|minutes?|mins?)"
    rf"|(?P<n2>\d+|{NUMBER_WORDS}|an?|half\s+an)\s+(?P<u2>hours?|hrs?|minutes?|mins?)\s+(?P<dir>ago|from\s+now))\b",
    _FLAGS,
)
_WD = alternation(w for w in WEEKDAYS if len(w) > 3)
DAY_PART_RE = re.compile(
    rf"\b(?:(?P<day>this|yesterday|tomorrow|today|last|{_WD})\s+(?P<part>morning|afternoon|evening|night)"
    r"|(?P<tonight>tonight))\b",
    _FLAGS,
)
SPAN_RE = re.compile(
    rf"\b(?P<rel>last|past|next|coming)\s+(?:(?P<n>\d+|{NUMBER_WORDS}|few|couple\s+of)\s+)?"
    r"(?P<unit>hours?|minutes?|mins?)\b",
    _FLAGS,
)
_HOUR_WORDS = frozenset(UNITS[1:13])
_SPELLED_CONTEXT = frozenset(
    {
        "am",
        "pm",
        "a",
        "p",
        "o",
        "clock",
        "oclock",
        "past",
        "to",
        "at",
        "after",
        "before",
        "until",
        "till",
        "around",
        "by",
        "half",
        "quarter",
    }
)
_PAST_TO_WORDS = frozenset({"past", "after", "to", "before", "till", "til"})
_FRACTIONS = frozenset({"half", "quarter"})
_NAMED_WORDS = frozenset({"noon", "midday", "midnight"})
_DURATION_WORDS = frozenset({"hour", "hours", "hr", "hrs", "minute", "minutes", "min", "mins"})
_PART_WORDS = frozenset({"morning", "afternoon", "evening", "night", "tonight"})
TIME_WORDS = _NAMED_WORDS | _DURATION_WORDS | _PART_WORDS


def gate(sc: Scan) -> bool:
    """Whether ``extract_times`` can find anything: a digit, a time word, or a spelled hour in context."""
    words = sc.words
    return (
        sc.digit
        or not words.isdisjoint(TIME_WORDS)
        or (not words.isdisjoint(_HOUR_WORDS) and not words.isdisjoint(_SPELLED_CONTEXT))
    )


def _part(m: re.Match) -> str | None:
    part = m.group("part")
    if not part:
        return None
    part = part.lower()
    if part.startswith("a") and "m" in part and len(part.replace(".", "").replace(" ", "")) == 2:
        return "am"
    if part.startswith("p"):
        return "pm"
    return "evening" if part == "tonight" else part.split()[-1]


def _hour(raw: str) -> int | None:
    value = parse_number(raw)
    return None if value is None else int(value)


def _clock(minutes: int) -> str:
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def extract_times(text: str, now: datetime, sc: Scan | None = None) -> list[Candidate]:
    """Every time and time period in ``text`` as ``(start, end, entity, value, confidence)``."""
    sc = sc or scan(text)
    if not gate(sc):
        return []
    found: list[Candidate] = []
    add = found.append
    words = sc.words
    spelled = not words.isdisjoint(_HOUR_WORDS)
    if sc.digit:
        _digit_times(text, add)
    if sc.digit or spelled:
        _hour_times(text, add, sc.digit, spelled)
    if not words.isdisjoint(_PAST_TO_WORDS) and (sc.digit or spelled or not words.isdisjoint(_FRACTIONS)):
        _past_to(text, add, sc.digit, spelled or not words.isdisjoint(_FRACTIONS))
    if not words.isdisjoint(_NAMED_WORDS):
        for m in NAMED_RE.finditer(text):
            add(
                (
                    m.start(),
                    m.end(),
                    "time",
                    "00:00:00" if m.group("w").lower() == "midnight" else "12:00:00",
                    0.95,
                )
            )
    if not words.isdisjoint(_DURATION_WORDS):
        _relative(text, now, add)
    if not words.isdisjoint(_PART_WORDS):
        _day_parts(text, now, add)
    return found


def _digit_times(text: str, add) -> None:
    for m in COLON_RE.finditer(text):
        part = _part(m)
        if (m.group("sep") != ":" and part is None) or not clean_start(text, m.start(), _BAD_BEFORE):
            continue  # "13.50" is a number, "6.30pm" a time
        hour = day_part_hour(int(m.group("h")), part)
        if hour is not None and hour < 24:
            add((m.start(), m.end(), "time", _clock(hour * 60 + int(m.group("mm"))), 0.95))
    for m in SPACED_RE.finditer(text):
        part = _part(m)
        if not clean_start(text, m.start(), _BAD_BEFORE) or (
            part is None and not _SPACED_PREP.search(text, max(0, m.start() - 10), m.start())
        ):
            continue
        hour = day_part_hour(int(m.group("h")), part)
        if hour is not None and hour < 24:
            add((m.start(), m.end(), "time", _clock(hour * 60 + int(m.group("mm"))), 0.8))


def _hour_times(text: str, add, digit: bool, spelled: bool) -> None:
    regexes = ([HOUR_PART_RE] if digit else []) + ([HOUR_WORD_PART_RE, SPOKEN_RE] if spelled else [])
    for regex in regexes:
        for m in regex.finditer(text):
            if not clean_start(text, m.start(), _BAD_BEFORE):
                continue
            hour = _hour(m.group("h"))
            minute = 0
            if regex is SPOKEN_RE:
                minute = _hour(re.sub(r"^oh\s+", "", m.group("mm"), flags=_FLAGS)) or -1
            hour = None if hour is None else day_part_hour(hour, _part(m))
            if hour is not None and hour < 24 and 0 <= minute < 60:
                add((m.start(), m.end(), "time", _clock(hour * 60 + minute), 0.9))
    regexes = ([BARE_HOUR_RE] if digit else []) + ([BARE_HOUR_WORD_RE] if spelled else [])
    for regex in regexes:
        for m in regex.finditer(text):
            if not clean_start(text, m.start(), _BAD_BEFORE) or not _AFTER_BARE_OK.match(text, m.end()):
                continue
            prep = _PREP_BEFORE.search(text, max(0, m.start() - 20), m.start())
            hour = _hour(m.group("h"))
            if prep is None or hour is None or hour > 24:
                continue
            if prep.group("prep").lower() != "and" or "between" in text.lower():
                add((m.start(), m.end(), "time", _clock(hour * 60), 0.65))


def _past_to(text: str, add, digit: bool, spelled: bool) -> None:
    regexes = ([PAST_TO_DIGIT_RE] if digit else []) + ([PAST_TO_WORD_RE] if spelled else [])
    for m in (m for regex in regexes for m in regex.finditer(text)):
        if not clean_start(text, m.start(), _BAD_BEFORE):
            continue
        raw, direction, part = m.group("n").lower(), m.group("dir").lower(), _part(m)
        minutes = 30 if raw == "half" else 15 if "quarter" in raw else _hour(raw)
        hour = _hour(m.group("h"))
        if minutes is None or hour is None or not 0 < minutes < 60:
            continue
        if raw == "half" and direction not in ("past", "after"):
            continue
        numeric = raw[:1].isdigit()
        if direction in ("after", "before") and numeric and not m.group("mins"):
            continue  # "2 after 5" is not a time
        bare_to = direction in ("to", "till", "til", "before") and numeric and not (m.group("mins") or part)
        if bare_to and (minutes % 5 or re.search(r"\b(?:from|between)\s+$", text[: m.start()], _FLAGS)):
            continue  # "from 10 to 12" is a range
        hour = day_part_hour(hour, part)
        if hour is None:
            continue
        total = hour * 60 + (minutes if direction in ("past", "after") else -minutes)
        add((m.start(), m.end(), "time", _clock(total), 0.85))


def _count(raw: str | None) -> float | None:
    if raw is None:
        return None
    raw = re.sub(r"\s+", " ", raw.lower())
    if raw == "half an":
        return 0.5
    if raw in ("a", "an"):
        return 1.0
    value = 3.0 if raw == "few" else 2.0 if raw.startswith("couple") else parse_number(raw)
    return value if value is not None and value <= 100_000 else None  # beyond: no clock goes there


def _relative(text: str, now: datetime, add) -> None:
    for m in RELATIVE_RE.finditer(text):
        n = _count(m.group("n1") or m.group("n2"))
        unit = (m.group("u1") or m.group("u2")).lower()
        if n is None:
            continue
        minutes = n * (60 if unit.startswith("h") else 1)
        if m.group("dir") and m.group("dir").lower() == "ago":
            minutes = -minutes
        moment = now + timedelta(minutes=minutes)
        add((m.start(), m.end(), "time", _clock(moment.hour * 60 + moment.minute), 0.9))
    for m in SPAN_RE.finditer(text):
        n = _count(m.group("n")) if m.group("n") else 1.0
        if n is None:
            continue
        delta = timedelta(minutes=n * (60 if m.group("unit").lower().startswith("h") else 1))
        start, end = (
            (now, now + delta) if m.group("rel").lower() in ("next", "coming") else (now - delta, now)
        )
        add((m.start(), m.end(), "time_period", {"from": _iso(start), "to": _iso(end)}, 0.85))


def _day_parts(text: str, now: datetime, add) -> None:
    today = now.date()
    for m in DAY_PART_RE.finditer(text):
        if m.group("tonight"):
            day, part = today, "night"
        else:
            word, part = m.group("day").lower(), m.group("part").lower()
            if word in WEEKDAYS:
                day = resolve_weekday(today, WEEKDAYS[word], None, None)
            else:
                day = today + timedelta(days={"yesterday": -1, "tomorrow": 1}.get(word, 0))
                if word == "last":
                    day = today - timedelta(days=1)
        add((m.start(), m.end(), "time_period", _day_part(day, part, now), 0.9))


def _day_part(day: date, part: str, now: datetime) -> dict:
    start, end = DAY_PARTS[part]
    return {"from": _iso(at(day, start), now), "to": _iso(at(day, end), now)}


def _iso(moment: datetime, now: datetime | None = None) -> str:
    if now is not None:
        moment = moment.replace(tzinfo=now.tzinfo)
    return moment.replace(microsecond=0).isoformat()
