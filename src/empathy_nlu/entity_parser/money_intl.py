"""``amount_of_money`` in Chinese, Japanese, Korean and Arabic: "3万円", "1.5万元", "五千日元", "3만 원",
"٣٥٠ ريال", "ر.س 350", "5 آلاف ريال"; and "¥" read as renminbi in Chinese text.

Why apart from ``money.py``: these forms put the unit against the number with no space, scale by
ten thousands (万, 만) and use words of other scripts; they run only on non-ASCII text, so English
pays nothing. The text is the ``fold``-ed view (``privacy/fold.py``): full-width and Arabic-Indic
digits are ASCII here, and offsets are those of the text as given.
"""

from __future__ import annotations

import re

from .lexicon import alternation, parse_digits

Candidate = tuple[int, int, str, object, float]

__all__ = ["extract_money", "gate", "regional_yen"]

# Units after the number; None: the currency depends on the region (``_REGIONAL``).
CJK_UNITS: dict[str, str | None] = {
    "円": "JPY",
    "日元": "JPY",
    "日圆": "JPY",
    "日圓": "JPY",
    "日币": "JPY",
    "日幣": "JPY",
    "元": None,
    "圆": None,
    "圓": None,
    "块": None,
    "塊": None,
    "块钱": None,
    "塊錢": None,
    "人民币": "CNY",
    "人民幣": "CNY",
    "人民元": "CNY",
    "美元": "USD",
    "美金": "USD",
    "欧元": "EUR",
    "歐元": "EUR",
    "英镑": "GBP",
    "英鎊": "GBP",
    "港币": "HKD",
    "港幣": "HKD",
    "港元": "HKD",
    "台币": "TWD",
    "台幣": "TWD",
    "新台币": "TWD",
    "新台幣": "TWD",
    "韩元": "KRW",
    "韓元": "KRW",
    "ドル": "USD",
    "米ドル": "USD",
    "ユーロ": "EUR",
    "ポンド": "GBP",
    "ウォン": "KRW",
    "원": "KRW",
    "달러": "USD",
    "유로": "EUR",
    "엔": "JPY",
    "위안": "CNY",
    "파운드": "GBP",
}
ARABIC_UNITS: dict[str, str | None] = {
    "ريال": "SAR",
    "ريالات": "SAR",
    "ريالا": "SAR",
    "ريالاً": "SAR",
    "ر.س": "SAR",
    "ر. س": "SAR",
    "درهم": "AED",
    "دراهم": "AED",
    "د.إ": "AED",
    "جنيه": "EGP",
    "جنيهات": "EGP",
    "ج.م": "EGP",
    "دينار": None,
    "دنانير": None,
    "دولار": "USD",
    "دولارات": "USD",
    "يورو": "EUR",
}
# A unit whose currency is the region's: 元 is a renminbi in Beijing, a Taiwan dollar in Taipei.
_REGIONAL = {
    "元": {"TW": "TWD", "HK": "HKD", "MO": "MOP"},
    "ريال": {"QA": "QAR", "OM": "OMR", "YE": "YER", "IR": "IRR"},
    "درهم": {"MA": "MAD"},
    "دينار": {"KW": "KWD", "JO": "JOD", "BH": "BHD", "IQ": "IQD", "LY": "LYD", "TN": "TND", "DZ": "DZD"},
    "جنيه": {"SD": "SDG"},
}
_DEFAULT = {"元": "CNY", "ريال": "SAR", "درهم": "AED", "دينار": None, "جنيه": "EGP"}
_SAME_AS = {unit: "元" for unit in ("圆", "圓", "块", "塊", "块钱", "塊錢")}
_SAME_AS |= {unit: "ريال" for unit in ("ريالات", "ريالا", "ريالاً", "ر.س", "ر. س")}
_SAME_AS |= {"دراهم": "درهم", "د.إ": "درهم", "دنانير": "دينار", "جنيهات": "جنيه", "ج.م": "جنيه"}

SCALES = {
    "万": 1e4,
    "萬": 1e4,
    "千": 1e3,
    "百": 1e2,
    "亿": 1e8,
    "億": 1e8,
    "만": 1e4,
    "천": 1e3,
    "백": 1e2,
    "억": 1e8,
}
ARABIC_SCALES = {"ألف": 1e3, "الف": 1e3, "آلاف": 1e3, "الاف": 1e3, "مليون": 1e6, "ملايين": 1e6, "مليار": 1e9}
HAN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
}
HAN_DIGITS.update({"八": 8, "九": 9})
_HAN_SMALL = {"十": 10, "百": 100, "千": 1000}
_HAN_BIG = {"万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8}

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_S = "[" + "".join(SCALES) + "]"
# "3万5千", "1億2000万", "3만 5천": at most five scaled parts. The number starts a run (no digit,
# separator or scale character before it), so each digit run is read once: linear time.
_START = rf"(?<![\d.,{''.join(SCALES)}])(?<!{_S}\s)"
CJK_RE = re.compile(
    rf"{_START}(?P<num>(?:{_NUM}\s?{_S}\s?){{0,5}}{_NUM}|(?:{_NUM}\s?{_S}\s?){{1,5}})\s?(?P<cur>{alternation(CJK_UNITS)})"
)
_HAN = "[" + "".join(HAN_DIGITS) + "".join(_HAN_SMALL) + "".join(_HAN_BIG) + "]"
# Han numerals need a scale ("三百元", "五千日元") or 钱 ("五块钱"): "一块" is also "together".
_HAN_UNITS = alternation(u for u in CJK_UNITS if u not in ("块", "塊") and not ("\uac00" <= u[0] <= "\ud7af"))
HAN_RE = re.compile(rf"(?<![\d.,])(?<!{_HAN})(?P<han>{_HAN}{{1,12}})(?P<cur>{_HAN_UNITS})")
_AR_SCALE = alternation(ARABIC_SCALES)
ARABIC_RE = re.compile(
    rf"(?<![\d.,])(?P<num>{_NUM})\s?(?:(?P<scale>{_AR_SCALE})\s?)?(?P<cur>{alternation(ARABIC_UNITS)})"
)
ARABIC_PREFIX_RE = re.compile(rf"(?P<cur>ر\.\s?س\.?|ريال)\s?(?P<num>{_NUM})(?![\d])")
_SIGNS = re.compile(r"[円元圆圓块塊币幣镑鎊金ドユポウ원달유엔위파]|[\u0600-\u06ff]")
_CJK_SIGN = re.compile(r"[円元圆圓块塊币幣镑鎊金ドユポウ원달유엔위파]")
_HAN_SIGN = re.compile(r"[円元圆圓块塊钱錢币幣镑鎊金ド]")
_ARABIC_SIGN = re.compile(r"[\u0600-\u06ff]")


def gate(view: str) -> bool:
    """Whether ``extract_money`` can find anything: non-ASCII text with a unit of these scripts."""
    return not view.isascii() and _SIGNS.search(view) is not None


def _currency(unit: str, region: str | None) -> str | None:
    unit = re.sub(r"\s+", " ", unit)
    table = CJK_UNITS if unit in CJK_UNITS else ARABIC_UNITS
    fixed = table.get(unit)
    base = _SAME_AS.get(unit, unit)
    if base in _REGIONAL:
        return _REGIONAL[base].get(region or "", _DEFAULT[base])
    return fixed


def read_compound(raw: str) -> float | None:
    """ "3万5千" -> 35000, "1.5万" -> 15000, "1億2000万" -> 120000000, "3만 5천" -> 35000."""
    total, number = 0.0, None
    for token in re.findall(rf"{_NUM}|{_S}", raw):
        if token in SCALES:
            total += (number if number is not None else 1.0) * SCALES[token]
            number = None
        else:
            number = parse_digits(token)
            if number is None:
                return None
    return total + (number or 0.0)


def read_han(raw: str) -> float | None:
    """ "三百" -> 300, "两千五百" -> 2500, "一亿二千万" -> 120000000; None without a digit or a scale."""
    total, section, number = 0.0, 0.0, None
    for ch in raw:
        if ch in HAN_DIGITS:
            if number is not None:
                return None  # "一二" is two digits said one by one, not an amount
            number = HAN_DIGITS[ch]
        elif ch in _HAN_SMALL:
            section += (number if number is not None else 1) * _HAN_SMALL[ch]
            number = None
        elif ch in ("万", "萬"):
            total += (section + (number or 0)) * 1e4
            section, number = 0.0, None
        else:  # 亿
            total = (total + section + (number or 0)) * 1e8
            section, number = 0.0, None
    return total + section + (number or 0)


def extract_money(view: str, region: str | None = None) -> list[Candidate]:
    """Every amount of these scripts in ``view`` (a ``fold``-ed text) as candidates."""
    found: list[Candidate] = []
    digit = any(ch.isdigit() for ch in view)
    if digit and _CJK_SIGN.search(view):
        for m in CJK_RE.finditer(view):
            amount = read_compound(m.group("num"))
            if amount is not None:
                unit = m.group("cur")
                confidence = 0.85 if unit in ("块", "塊") else 0.95
                found.append(_candidate(m, amount, _currency(unit, region), confidence))
    if _HAN_SIGN.search(view):
        for m in HAN_RE.finditer(view):
            han = m.group("han")
            scaled = any(ch in _HAN_SMALL or ch in _HAN_BIG for ch in han)
            if not (scaled or m.group("cur") in ("块钱", "塊錢")):
                continue
            amount = read_han(han)
            if amount:
                found.append(_candidate(m, amount, _currency(m.group("cur"), region), 0.9))
    if digit and _ARABIC_SIGN.search(view):
        for m in ARABIC_RE.finditer(view):
            amount = parse_digits(m.group("num"))
            if amount is not None:
                if m.group("scale"):
                    amount *= ARABIC_SCALES[m.group("scale")]
                found.append(_candidate(m, amount, _currency(m.group("cur"), region), 0.95))
        for m in ARABIC_PREFIX_RE.finditer(view):
            amount = parse_digits(m.group("num"))
            if amount is not None:
                found.append(_candidate(m, amount, _currency(m.group("cur"), region), 0.9))
    return found


def _candidate(m: re.Match, amount: float, currency: str | None, confidence: float) -> Candidate:
    return (
        m.start(),
        m.end(),
        "amount_of_money",
        {"amount": round(amount, 6), "currency": currency},
        confidence,
    )


def regional_yen(candidates: list, view: str) -> list:
    """In mainland Chinese text "¥" (and "￥") is the renminbi sign: the English extractors read it as JPY."""
    out = []
    for cand in candidates:
        start, end, entity, value, confidence = cand
        if entity == "amount_of_money" and value.get("currency") == "JPY" and "¥" in view[start:end]:
            cand = (start, end, entity, {**value, "currency": "CNY"}, confidence)
        out.append(cand)
    return out
