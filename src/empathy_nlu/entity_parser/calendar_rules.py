"""Calendar arithmetic shared by dates and times: weekdays, weeks, months, day parts.

Why explicit rules: a support bot must answer "next Wednesday" the same way every time, and
the rules follow the NLU++ conventions (docs/entities.md): weeks start on Monday, a bare or
"this" weekday is the next one strictly after today, "next <weekday>" is that day of next
calendar week, "last <weekday>" the latest one strictly before today, and a day and month
without a year is this year unless the month is already over (then next year).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

__all__ = [
    "DAY_PARTS",
    "add_units",
    "at",
    "day_part_hour",
    "month_end",
    "resolve_day_of_month",
    "resolve_month_day",
    "resolve_weekday",
    "week_start",
]

# Day parts as [from, to) hours; night runs past midnight into the next day.
DAY_PARTS: dict[str, tuple[int, int]] = {
    "morning": (6, 12),
    "afternoon": (12, 18),
    "evening": (18, 24),
    "night": (18, 30),
}


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_units(day: date | datetime, n: float, unit: str):
    """``day`` moved by ``n`` days / weeks / fortnights / months / years / hours / minutes (signed).

    None when that is outside the calendar (year 1 to 9999): "4111 years ago" is not a date.
    """
    unit = unit.rstrip("s")
    whole = int(n)
    try:
        if unit == "day":
            return day + timedelta(days=n)
        if unit == "week":
            return day + timedelta(weeks=n)
        if unit == "fortnight":
            return day + timedelta(weeks=2 * n)
        if unit == "month":
            return day + relativedelta(months=whole)
        if unit == "year":
            return day + relativedelta(years=whole)
        if unit in ("hour", "hr"):
            return day + timedelta(hours=n)
        return day + timedelta(minutes=n)
    except (OverflowError, ValueError):
        return None


def resolve_weekday(
    today: date, weekday: int, rel: str | None, week: str | None, weeks_ahead: int = 0
) -> date:
    """The date of ``weekday`` (0 = Monday) said with ``rel`` ("last", "next", "this"...) and ``week``."""
    if week in ("last", "next", "this"):
        shift = {"last": -7, "next": 7, "this": 0}[week]
        return week_start(today) + timedelta(days=shift + weekday)
    if rel in ("last", "past", "previous"):
        return today - timedelta(days=(today.weekday() - weekday) % 7 or 7)
    if rel == "next":
        return week_start(today) + timedelta(days=7 + weekday)
    ahead = (weekday - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead + 7 * weeks_ahead)


def resolve_month_day(
    today: date, month: int, day: int | None, year: int | None = None, weekday: int | None = None
) -> date | None:
    """Day ``day`` (None: the 1st) of ``month``; without a year this year unless the month is over.

    A weekday said with it ("Friday, October the 16th") picks the first such year from then on.
    """
    if year is not None and year < 100:
        year += 2000
    first_year = year if year is not None else (today.year if month >= today.month else today.year + 1)
    candidates = [first_year] if year is not None or weekday is None else range(first_year, first_year + 11)
    for y in candidates:
        try:
            found = date(y, month, day or 1)
        except ValueError:
            return None
        if weekday is None or year is not None or found.weekday() == weekday:
            return found
    return None


def resolve_day_of_month(today: date, day: int, rel: str | None) -> date | None:
    """ "the 5th" (the next 5th, today included), "last 13th" (before today), "next 30th"."""
    if not 1 <= day <= 31:
        return None
    year, month = today.year, today.month
    step = -1 if rel == "last" else 1
    for _ in range(13):
        if day <= calendar.monthrange(year, month)[1]:
            found = date(year, month, day)
            if (rel == "last" and found < today) or (rel != "last" and found >= today):
                return found
        month += step
        if month == 0:
            year, month = year - 1, 12
        elif month == 13:
            year, month = year + 1, 1
    return None


def day_part_hour(hour: int, part: str | None) -> int | None:
    """A clock hour said with a day part or am/pm, on the 24-hour clock (None if impossible)."""
    if part is None:
        return hour if 0 <= hour <= 24 else None
    part = part.lower().replace(".", "").replace(" ", "")
    if hour > 12:
        return hour if hour <= 23 and part not in ("am", "morning") else None
    if part in ("am", "morning"):
        return 0 if hour == 12 else hour
    if part == "night":
        return 0 if hour == 12 else (hour + 12 if hour >= 5 else hour)
    return hour if hour == 12 else hour + 12  # pm, afternoon, evening, tonight


def at(day: date, hour: float) -> datetime:
    """``day`` at ``hour`` (may be >= 24: the next day)."""
    return datetime.combine(day, time()) + timedelta(hours=hour)
