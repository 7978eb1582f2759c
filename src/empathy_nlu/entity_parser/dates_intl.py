"""``date`` and ``date_period`` in Chinese, Japanese, Korean, Spanish and Arabic, with the English rules.

"2026年3月15日", "3月15日", "2026년 3월 15일", "2026/3/15", "15 de marzo", "15 مارس" are dates; "2026年3月",
"3月", "marzo de 2026" months; "明日", "明天", "내일", "mañana", "غدا" (and today, yesterday, the day
after and before) relative days; "下周一", "来週の月曜日", "다음 주 월요일", "el lunes" weekdays. They
resolve as ``dates.py`` does (``calendar_rules``: a day and month without a year is this year
unless the month is over; a bare weekday is the next one after today).

Why apart: these forms need no space around a number and words of other scripts; they run only on
non-ASCII text or a text with a Spanish date word (one set lookup), so English pays nothing. The
text is the ``fold``-ed view (``privacy/fold.py``): full-width and Arabic-Indic digits are ASCII.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, timedelta

from .calendar_rules import month_end, resolve_month_day, resolve_weekday
from .lexicon import alternation

Candidate = tuple[int, int, str, object, float]

__all__ = ["SPANISH_WORDS", "extract_dates", "gate"]

SPANISH_MONTHS = {
    name: n
    for n, names in enumerate(
        (
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre setiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ),
        1,
    )
    for name in names.split()
}
ARABIC_MONTHS = {
    name: n
    for n, names in enumerate(
        (
            "يناير|كانون الثاني",
            "فبراير|شباط",
            "مارس|آذار|اذار",
            "أبريل|ابريل|نيسان",
            "مايو|أيار|ايار",
            "يونيو|يونيه|حزيران",
            "يوليو|يوليه|تموز",
            "أغسطس|اغسطس|آب",
            "سبتمبر|أيلول|ايلول",
            "أكتوبر|اكتوبر|تشرين الأول|تشرين الاول",
            "نوفمبر|تشرين الثاني",
            "ديسمبر|كانون الأول|كانون الاول",
        ),
        1,
    )
    for name in names.split("|")
}
# Days from today. Longest first in the regexes: "一昨日" before "昨日", "明後日" before "明日".
RELATIVE_DAYS = {
    **{"今日": 0, "本日": 0, "今天": 0, "きょう": 0, "明日": 1, "明天": 1, "あした": 1, "あす": 1},
    **{"昨日": -1, "昨天": -1, "きのう": -1, "明後日": 2, "あさって": 2, "后天": 2, "後天": 2},
    **{"一昨日": -2, "おととい": -2, "前天": -2},
}
KOREAN_DAYS = {"오늘": 0, "내일": 1, "어제": -1, "어저께": -1, "모레": 2, "그제": -2, "그저께": -2}
SPANISH_DAYS = {"hoy": 0, "mañana": 1, "manana": 1, "ayer": -1, "pasado mañana": 2, "pasado manana": 2}
SPANISH_DAYS |= {"anteayer": -2, "antier": -2, "antes de ayer": -2}
ARABIC_DAYS = {"اليوم": 0, "غدا": 1, "غداً": 1, "غدًا": 1, "بكرة": 1, "بكره": 1, "بعد غد": 2}
ARABIC_DAYS |= {"أمس": -1, "امس": -1, "الأمس": -1, "البارحة": -1, "أول أمس": -2, "اول امس": -2}
CJK_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
JA_WEEKDAYS = {"月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6}
KO_WEEKDAYS = {"월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6}
ES_WEEKDAYS = {"lunes": 0, "martes": 1, "miércoles": 2, "miercoles": 2, "jueves": 3, "viernes": 4}
ES_WEEKDAYS |= {"sábado": 5, "sabado": 5, "domingo": 6}
# Which week a weekday word is in: "下周一" is Monday of next calendar week, as "next Monday" is.
WEEK_WORDS = {"下": "next", "上": "last", "这": "this", "這": "this", "本": "this", "来": "next"}
WEEK_WORDS |= {"先": "last", "今": "this", "다음": "next", "지난": "last", "이번": "this", "저번": "last"}

SPANISH_WORDS = frozenset(SPANISH_MONTHS) | {"hoy", "ayer", "manana", "anteayer", "antier"}
SPANISH_WORDS |= frozenset(ES_WEEKDAYS)

_CJK_DATE = re.compile(
    r"(?<!\d)(?:(?P<y>(?:19|20)\d{2})\s?[年년]\s?)?(?P<m>[01]?\d)\s?[月월]\s?(?P<d>[0-3]?\d)\s?[日号號일]"
)
_CJK_MONTH = re.compile(
    r"(?<!\d)(?:(?P<y>(?:19|20)\d{2})\s?[年년]\s?)?(?P<m>[01]?\d)\s?[月월](?:份)?(?!\s?\d)"
)
_YMD = re.compile(
    r"(?<![\d/.])(?P<y>(?:19|20)\d{2})(?P<sep>[/.])\s?(?P<m>[01]?\d)(?P=sep)\s?(?P<d>[0-3]?\d)(?![\d/])"
)
_ES_MONTH = alternation(SPANISH_MONTHS)
_ES_DATE = re.compile(
    rf"\b(?P<d>[0-3]?\d)\s+de\s+(?P<mon>{_ES_MONTH})\b(?:\s+(?:de|del)\s+(?P<y>(?:19|20)\d{{2}})\b)?",
    re.IGNORECASE,
)
_ES_MONTH_ALONE = re.compile(
    rf"\b(?:en|desde|hasta|durante|para|de)\s+(?P<mon>{_ES_MONTH})\b(?:\s+(?:de|del)\s+(?P<y>(?:19|20)\d{{2}})\b)?"
    r"(?!\s+de\s+\d)",
    re.IGNORECASE,
)
_ES_MONTH_YEAR = re.compile(
    rf"\b(?P<mon>{_ES_MONTH})\s+(?:de|del)\s+(?P<y>(?:19|20)\d{{2}})\b", re.IGNORECASE
)
_AR_LETTER = "\u0621-\u064a"
_AR_DATE = re.compile(
    rf"(?<![\d])(?P<d>[0-3]?\d)\s?(?:من\s)?(?P<mon>{alternation(ARABIC_MONTHS)})(?![{_AR_LETTER}])"
    r"(?:\s?(?P<y>(?:19|20)\d{2})(?!\d))?"
)
_CJK_RELATIVE = re.compile(alternation(RELATIVE_DAYS))
_KO_RELATIVE = re.compile(rf"(?<![가-힣]){alternation(KOREAN_DAYS)}")
_ES_RELATIVE = re.compile(rf"\b(?P<w>{alternation(SPANISH_DAYS)})\b", re.IGNORECASE)
_ES_MORNING = re.compile(r"\b(?:la|esta|una|cada|las|por|en)\s+$", re.IGNORECASE)  # "esta mañana": a morning
_AR_RELATIVE = re.compile(
    rf"(?<![{_AR_LETTER}])(?:[وفب])?(?P<w>{alternation(ARABIC_DAYS)})(?![{_AR_LETTER}])"
)
_ZH_WEEKDAY = re.compile(
    r"(?:(?P<week>[下上这這本])(?:个|個)?)?(?:星期|礼拜|禮拜|周|週)(?P<wd>[一二三四五六日天])"
)
_JA_WEEKDAY = re.compile(r"(?:(?P<week>[来先今])週の?)?(?P<wd>[月火水木金土日])曜日?")
_KO_WEEKDAY = re.compile(r"(?:(?P<week>다음|지난|이번|저번)\s?주\s?)?(?P<wd>[월화수목금토일])요일")
_ES_WEEKDAY = re.compile(rf"\b(?P<wd>{alternation(ES_WEEKDAYS)})\b(?P<last>\s+pasado)?", re.IGNORECASE)
_SCRIPT_CHARS = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")
_ARABIC = re.compile(rf"[{_AR_LETTER}]")


def gate(view: str, words: frozenset) -> bool:
    """Non-ASCII text, or a text with a Spanish date word."""
    return not view.isascii() or not words.isdisjoint(SPANISH_WORDS)


def extract_dates(view: str, today: date, words: frozenset = frozenset()) -> list[Candidate]:
    """Every date and date period of these languages in ``view`` (a ``fold``-ed text; ``words``: its
    lower-case words, for the Spanish gate)."""
    found: list[Candidate] = []
    add = found.append
    digit = any(ch.isdigit() for ch in view)
    cjk = not view.isascii() and _SCRIPT_CHARS.search(view) is not None
    arabic = not view.isascii() and _ARABIC.search(view) is not None
    spanish = not words.isdisjoint(SPANISH_WORDS) or "mañana" in view.lower()
    if digit and cjk:
        _cjk_dates(view, today, add)
    if digit and not view.isascii():
        for m in _YMD.finditer(view):
            _add_ymd(add, m, int(m.group("y")), int(m.group("m")), int(m.group("d")), 0.9)
    if cjk:
        _relative(view, today, add, _CJK_RELATIVE, RELATIVE_DAYS, 0)
        _relative(view, today, add, _KO_RELATIVE, KOREAN_DAYS, 0)
        _weekdays(view, today, add)
    if spanish:
        _spanish(view, today, add, digit)
    if arabic:
        if digit:
            for m in _AR_DATE.finditer(view):
                month = ARABIC_MONTHS[re.sub(r"\s+", " ", m.group("mon"))]
                _add_day(add, m, today, month, int(m.group("d")), m.group("y"), 0.9)
        _relative(view, today, add, _AR_RELATIVE, ARABIC_DAYS, "w", 0.85)
    return found


def _cjk_dates(view: str, today: date, add) -> None:
    for m in _CJK_DATE.finditer(view):
        _add_day(add, m, today, int(m.group("m")), int(m.group("d")), m.group("y"), 0.95)
    for m in _CJK_MONTH.finditer(view):
        month = int(m.group("m"))
        if not 1 <= month <= 12:
            continue
        year = int(m.group("y")) if m.group("y") else resolve_month_day(today, month, 1).year
        period = {"from": date(year, month, 1).isoformat(), "to": month_end(year, month).isoformat()}
        add((m.start(), m.end(), "date_period", period, 0.9 if m.group("y") else 0.8))


def _add_day(add, m: re.Match, today: date, month: int, day: int, year: str | None, confidence: float):
    if not 1 <= month <= 12:
        return
    with contextlib.suppress(ValueError):
        found = resolve_month_day(today, month, day, int(year) if year else None)
        if found is not None:
            add((m.start(), m.end(), "date", found.isoformat(), confidence))


def _add_ymd(add, m: re.Match, year: int, month: int, day: int, confidence: float) -> None:
    with contextlib.suppress(ValueError):  # 2026/2/31 is not a date
        add((m.start(), m.end(), "date", date(year, month, day).isoformat(), confidence))


def _relative(view, today, add, regex, table, group, confidence=0.95) -> None:
    for m in regex.finditer(view):
        word = re.sub(r"\s+", " ", m.group(group).lower())
        if table is SPANISH_DAYS and word in ("mañana", "manana") and _ES_MORNING.search(view, 0, m.start()):
            continue  # "esta mañana", "por la mañana": a morning, not tomorrow
        day = today + timedelta(days=table[word])
        add((m.start(group), m.end(group), "date", day.isoformat(), confidence))


def _spanish(view: str, today: date, add, digit: bool) -> None:
    if digit and "de" in view.lower():
        for m in _ES_DATE.finditer(view):
            month = SPANISH_MONTHS[m.group("mon").lower()]
            _add_day(add, m, today, month, int(m.group("d")), m.group("y"), 0.95)
    for regex in (_ES_MONTH_ALONE, _ES_MONTH_YEAR):
        for m in regex.finditer(view):
            month = SPANISH_MONTHS[m.group("mon").lower()]
            year = int(m.group("y")) if m.group("y") else resolve_month_day(today, month, 1).year
            period = {"from": date(year, month, 1).isoformat(), "to": month_end(year, month).isoformat()}
            add((m.start("mon"), m.end(), "date_period", period, 0.85 if m.group("y") else 0.8))
    _relative(view, today, add, _ES_RELATIVE, SPANISH_DAYS, "w", 0.9)
    for m in _ES_WEEKDAY.finditer(view):
        weekday = ES_WEEKDAYS[m.group("wd").lower()]
        rel = "last" if m.group("last") else None
        add((m.start(), m.end(), "date", resolve_weekday(today, weekday, rel, None).isoformat(), 0.85))


def _weekdays(view: str, today: date, add) -> None:
    for regex, table in ((_ZH_WEEKDAY, CJK_WEEKDAYS), (_JA_WEEKDAY, JA_WEEKDAYS), (_KO_WEEKDAY, KO_WEEKDAYS)):
        for m in regex.finditer(view):
            week = WEEK_WORDS.get(m.group("week") or "")
            day = resolve_weekday(today, table[m.group("wd")], None, week)
            add((m.start(), m.end(), "date", day.isoformat(), 0.9))
