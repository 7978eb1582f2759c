"""National id numbers of the markets the project serves beyond the US SSN: kind ``national_id``.

- China resident id (居民身份证): 17 digits and a digit or X; ``stdnum.cn.ric`` (birth date, check).
- Korea resident registration number (주민등록번호): ``YYMMDD-NNNNNNN`` with a birth date and a 1-8
  sex digit (numbers issued since 2020 have no check digit); without the dash ``stdnum.kr.rrn``.
- Japan individual number (マイナンバー): 12 digits, or 4-4-4; ``stdnum.jp.in_`` (check digit).
- Spain DNI / NIE: 8 digits and a letter, or X/Y/Z, 7 digits and a letter; ``stdnum.es`` (check letter).
- Saudi national id / iqama: 10 digits starting 1 or 2, in Arabic text; Luhn.

Why validators again (``detect.py``): a support message is full of numbers, and only a check digit
or a birth date tells an id from an order number. The text is the ``isolate``-d view
(``fold.py``), so "身份证号110105..." has no letter glued to the number; every regex has a fixed
length after a lookbehind that anchors it, so the cost is linear in the text.
"""

from __future__ import annotations

import re
from datetime import date

from stdnum.cn import ric as _ric
from stdnum.es import dni as _dni
from stdnum.es import nie as _nie
from stdnum.jp import in_ as _jp_in
from stdnum.kr import rrn as _rrn
from stdnum.luhn import is_valid as _luhn_valid

__all__ = ["gate", "national_ids"]

# Every id has seven digits in a row, or 4-4-4 (spelled out: a leading digit class lets ``re`` skip ahead).
_SEVEN = re.compile(r"\d\d\d\d\d\d\d")
GATE = re.compile(r"\d\d\d\d(?:\d\d\d|[ -]\d\d\d\d)")

# Not part of a longer number or word: "3704 0044 0532" inside an IBAN or a card is no id. The start is
# checked in Python (``_starts_alone``): a regex that starts with a digit class lets ``re`` skip ahead.
_END = r"(?![0-9A-Za-z_])(?![ .\-]\d)"
_GLUED = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_+")
_CN = re.compile(rf"\d{{17}}[\dXx]{_END}")
_KR = re.compile(rf"(?P<birth>\d{{6}})(?P<dash>[ -]?)(?P<rest>[1-8]\d{{6}}){_END}")
_JP = re.compile(rf"\d{{4}}(?P<sep>[ -]?)\d{{4}}(?P=sep)\d{{4}}{_END}")
_ES = re.compile(rf"(?:\d{{8}}|[XYZxyz]-?\d{{7}})-?[A-Za-z]{_END}")
_SA = re.compile(rf"[12]\d{{9}}{_END}")


def gate(text: str, scripts: frozenset) -> bool:
    """Whether ``national_ids`` can find anything: seven digits in a row (4-4-4 in Han or kana text)."""
    return _SEVEN.search(text) is not None or ("cjk" in scripts and GATE.search(text) is not None)


def national_ids(text: str, scripts: frozenset = frozenset()) -> list:
    """``[(start, end)]`` of the national ids in ``text`` (an ``isolate``-d view). ``scripts``: which
    of "cjk", "hangul", "arabic" the text has; the Korean, Japanese and Saudi ids, whose shapes are
    common numbers elsewhere, are looked for only in text of their script (English reads as before)."""
    out = []
    for m in _CN.finditer(text):
        if _starts_alone(text, m.start()) and _ric.is_valid(m.group().upper()):
            out.append(m.span())
    for m in _KR.finditer(text) if "hangul" in scripts else ():
        if not _starts_alone(text, m.start()):
            continue
        if (m.group("dash") == "-" and _birth_date(m.group("birth"))) or _rrn.is_valid(
            m.group("birth") + m.group("rest")
        ):
            out.append(m.span())
    for m in _JP.finditer(text) if "cjk" in scripts else ():
        if _starts_alone(text, m.start()) and _jp_in.is_valid(re.sub(r"\D", "", m.group())):
            out.append(m.span())
    for m in _ES.finditer(text):
        raw = m.group().replace("-", "").upper()
        if _starts_alone(text, m.start()) and _dni.is_valid(raw) or _nie.is_valid(raw):
            out.append(m.span())
    if "arabic" in scripts:
        out += [
            m.span() for m in _SA.finditer(text) if _starts_alone(text, m.start()) and _luhn_valid(m.group())
        ]
    return out


def _starts_alone(text: str, start: int) -> bool:
    """No letter, digit, "_" or "+" right before ``start``, nor a digit and one separator."""
    if start and text[start - 1] in _GLUED:
        return False
    return not (start > 1 and text[start - 1] in " .-" and text[start - 2].isdigit())


def _birth_date(yymmdd: str) -> bool:
    """A YYMMDD that is a day of some year (1900s or 2000s)."""
    year, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    try:
        date(2000 + year, month, day)
    except ValueError:
        try:
            date(1900 + year, month, day)
        except ValueError:
            return False
    return True
