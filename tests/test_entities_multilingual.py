"""Entities and personal data in other scripts (issue 15, item 4; docs/entities.md, "Other languages").

Amounts, dates and phones of Chinese, Japanese, Korean, Spanish and Arabic text, with their
normalized values; card numbers, IBANs, SSNs, e-mails and phones masked whatever the script around
them (a Han letter and a digit have no ``\\b`` between them in Python's ``re``); English untouched;
every new rule linear in the length of the text.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conftest import cpu_seconds
from empathy_nlu.entity_parser import BuiltinEntityParser
from empathy_nlu.entity_parser.region import region_of
from empathy_nlu.language.detect import LanguageGuess
from empathy_nlu.privacy import find, mask_text, redact_text
from empathy_nlu.privacy.fold import SEPARATOR, fold, isolate

REF = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # a Tuesday
PARSER = BuiltinEntityParser()


def entities(text: str, language=None, kind: str | None = None) -> list[tuple]:
    found = PARSER.parse(text, REF, language)
    for e in found:  # offsets point into the text as given
        assert e["entity"] == "card_number" or text[e["start"] : e["end"]] == e["text"], e
    return [(e["text"], e["value"]) for e in found if kind is None or e["entity"] == kind]


# -- amounts --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "said", "amount", "currency"),
    [
        ("3万円を振り込みました", "3万円", 30000.0, "JPY"),
        ("１２００円の返金", "１２００円", 1200.0, "JPY"),
        ("5千円", "5千円", 5000.0, "JPY"),
        ("1億2000万円", "1億2000万円", 120_000_000.0, "JPY"),
        ("合計1,200円です", "1,200円", 1200.0, "JPY"),
        ("我转了1.5万元", "1.5万元", 15000.0, "CNY"),
        ("退款100块", "100块", 100.0, "CNY"),
        ("一共三百元", "三百元", 300.0, "CNY"),
        ("五块钱", "五块钱", 5.0, "CNY"),
        ("两千五百日元", "两千五百日元", 2500.0, "JPY"),
        ("200美元", "200美元", 200.0, "USD"),
        ("3만원 보냈어요", "3만원", 30000.0, "KRW"),
        ("3만 5천 원", "3만 5천 원", 35000.0, "KRW"),
        ("50000원", "50000원", 50000.0, "KRW"),
        ("₩50000", "₩50000", 50000.0, "KRW"),
        ("100달러", "100달러", 100.0, "USD"),
        ("دفعت ٣٥٠ ريال", "٣٥٠ ريال", 350.0, "SAR"),
        ("المبلغ 350 ر.س", "350 ر.س", 350.0, "SAR"),
        ("ر.س 350", "ر.س 350", 350.0, "SAR"),
        ("5 آلاف ريال", "5 آلاف ريال", 5000.0, "SAR"),
        ("٣٥٠٫٥٠ درهم", "٣٥٠٫٥٠ درهم", 350.5, "AED"),
        ("cuesta 1,5 €", "1,5 €", 1.5, "EUR"),
        ("me cobraron 1.234,56 €", "1.234,56 €", 1234.56, "EUR"),
        ("我付了100€", "100€", 100.0, "EUR"),
    ],
)
def test_amounts_in_other_scripts(text, said, amount, currency):
    assert entities(text, kind="amount_of_money") == [(said, {"amount": amount, "currency": currency})]


def test_yen_sign_and_yuan_follow_the_region():
    assert entities("我付了¥200", kind="amount_of_money") == [("¥200", {"amount": 200.0, "currency": "CNY"})]
    assert entities("¥200を払った", kind="amount_of_money") == [
        ("¥200", {"amount": 200.0, "currency": "JPY"})
    ]
    assert entities("¥200", kind="amount_of_money") == [("¥200", {"amount": 200.0, "currency": "JPY"})]
    taipei = entities("100元", "zh-TW", kind="amount_of_money")
    assert taipei == [("100元", {"amount": 100.0, "currency": "TWD"})]
    assert entities("100元", kind="amount_of_money") == [("100元", {"amount": 100.0, "currency": "CNY"})]


def test_han_numerals_need_a_scale_or_qian():
    assert entities("我们一块去吧") == []  # "together", not one yuan
    assert entities("一二元") == []


# -- dates ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "said", "value"),
    [
        ("2026年3月15日に払いました", "2026年3月15日", "2026-03-15"),
        ("3月15日", "3月15日", "2026-03-15"),
        ("２０２６年３月１５日", "２０２６年３月１５日", "2026-03-15"),
        ("1月5号还款", "1月5号", "2027-01-05"),  # January is over: next year's
        ("3월 15일에 결제했어요", "3월 15일", "2026-03-15"),
        ("2026/3/15に", "2026/3/15", "2026-03-15"),
        ("el 15/03/2026", "15/03/2026", "2026-03-15"),
        ("el 15 de marzo", "15 de marzo", "2026-03-15"),
        ("el 1 de enero de 2027", "1 de enero de 2027", "2027-01-01"),
        ("15 مارس 2026", "15 مارس 2026", "2026-03-15"),
        ("دفعت في 20 آذار", "20 آذار", "2026-03-20"),
        ("下周一还款", "下周一", "2026-03-16"),
        ("来週の月曜日に", "来週の月曜日", "2026-03-16"),
        ("다음 주 월요일", "다음 주 월요일", "2026-03-16"),
        ("el lunes pasado", "lunes pasado", "2026-03-09"),
        ("上周五", "上周五", "2026-03-06"),
        ("先週の金曜日に", "先週の金曜日", "2026-03-06"),
        ("지난주 금요일", "지난주 금요일", "2026-03-06"),
    ],
)
def test_dates_in_other_languages(text, said, value):
    assert entities(text, kind="date") == [(said, value)]


@pytest.mark.parametrize(
    ("words", "shift"),
    [
        (("今日", "今天", "오늘", "hoy", "اليوم"), 0),
        (("明日", "明天", "내일", "mañana", "غدا"), 1),
        (("昨日", "昨天", "어제", "ayer", "أمس"), -1),
        (("明後日", "后天", "모레", "pasado mañana"), 2),
        (("一昨日", "前天", "anteayer"), -2),
    ],
)
def test_relative_days(words, shift):
    for word in words:
        assert entities(word, kind="date") == [(word, f"2026-03-{10 + shift:02d}")], word


def test_manana_as_a_morning_is_not_tomorrow():
    assert entities("esta mañana pagué", kind="date") == []
    assert entities("mañana por la mañana", kind="date") == [("mañana", "2026-03-11")]


def test_months_as_periods():
    march = {"from": "2026-03-01", "to": "2026-03-31"}
    assert entities("3月に払った", kind="date_period") == [("3月", march)]
    assert entities("2026年3月", kind="date_period") == [("2026年3月", march)]
    assert entities("marzo de 2026", kind="date_period") == [("marzo de 2026", march)]
    assert entities("3个月", kind="date_period") == []  # a duration, not March


# -- phones ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "language", "said", "e164"),
    [
        ("電話は090-1234-5678です", None, "090-1234-5678", "+819012345678"),
        ("전화번호 010-1234-5678로 연락주세요", None, "010-1234-5678", "+821012345678"),
        ("我的手机138 0013 8000", None, "138 0013 8000", "+8613800138000"),
        ("我的电话是13800138000", None, "13800138000", "+8613800138000"),
        ("رقمي +966 50 123 4567", None, "+966 50 123 4567", "+966501234567"),
        ("رقمي 050 123 4567", None, "050 123 4567", "+966501234567"),
        ("mi teléfono es 612 34 56 78", "es", "612 34 56 78", "+34612345678"),
        ("mi teléfono es 612 34 56 78", LanguageGuess("es", 0.9), "612 34 56 78", "+34612345678"),
    ],
)
def test_phones_by_region(text, language, said, e164):
    assert entities(text, language, kind="phone_number") == [(said, e164)]


def test_without_a_region_english_rules_apply():
    assert region_of("call 07700 900123") is None
    assert entities("call (555) 123-4567", kind="phone_number") == [("(555) 123-4567", "+15551234567")]
    assert region_of("mi teléfono") is None  # Latin script says no country: pass a language
    assert [region_of(t) for t in ("こんにちは", "안녕", "你好", "สวัสดี", "مرحبا")] == [
        "JP",
        "KR",
        "CN",
        "TH",
        "SA",
    ]
    assert region_of("hola", "es-MX") == "MX" and region_of("你好", "zh-Hant") == "TW"


# -- personal data in any script ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("我的卡号是4111111111111111", "我的卡号是**** **** **** 1111"),
        ("カード番号４１１１ １１１１ １１１１ １１１１", "カード番号**** **** **** 1111"),
        ("カード番号４１１１　１１１１　１１１１　１１１１です", "カード番号**** **** **** 1111です"),
        ("رقم بطاقتي 4111111111111111 من فضلك", "رقم بطاقتي **** **** **** 1111 من فضلك"),
        ("رقم البطاقة ٤١١١١١١١١١١١١١١١", "رقم البطاقة **** **** **** 1111"),
        ("카드번호4111-1111-1111-1111입니다", "카드번호**** **** **** 1111입니다"),
        ("IBAN: ES91 2100 0418 4502 0005 1332, gracias", "IBAN: [iban], gracias"),
        ("口座はDE89370400440532013000です", "口座は[iban]です"),
        ("ＩＢＡＮ：ＥＳ９１２１０００４１８４５０２０００５１３３２", "ＩＢＡＮ：[iban]"),
        ("社会保障号码078-05-1120", "社会保障号码[ssn]"),
        ("我的邮箱是ana@example.org谢谢", "我的邮箱是[email]谢谢"),
        ("メールはｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐです", "メールは[email]です"),
        ("電話は090-1234-5678です", "電話は[phone]です"),
        ("我的手机138 0013 8000", "我的手机[phone]"),
    ],
)
def test_personal_data_is_found_whatever_the_script_around_it(text, redacted):
    assert redact_text(text) == redacted
    masked = mask_text(text)
    assert len(masked) == len(text) and masked != text


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("身份证号11010519491231002X", "身份证号[national_id]"),
        ("주민등록번호 900101-1234567", "주민등록번호 [national_id]"),
        ("マイナンバー1234 5678 9018です", "マイナンバー[national_id]です"),
        ("mi DNI es 12345678Z y mi NIE X1234567L", "mi DNI es [national_id] y mi NIE [national_id]"),
        ("رقم الهوية 1234567897", "رقم الهوية [national_id]"),
    ],
)
def test_national_ids_are_masked_everywhere(text, redacted):
    assert redact_text(text) == redacted
    assert "national_id" in {f.kind for f in find(text)}
    assert mask_text(text, contacts=False) != text  # financial-like: shown masked in Prediction.text


def test_national_id_shapes_in_english_text_read_as_before():
    assert "national_id" not in {f.kind for f in find("order 900101-1234567 and my number 123456789018")}
    assert [f.kind for f in find("iban de89 3704 0044 0532 0130 00")] == ["iban"]  # no id inside an IBAN


@pytest.mark.parametrize("text", ["2026年3月15日に", "総額1 500 000円です", "合計 1,500,000円", "3万5千円"])
def test_dates_and_amounts_are_not_phones(text):
    assert find(text) == []


def test_the_card_in_cjk_text_removes_what_it_overlaps():
    found = PARSER.parse("カード番号４１１１ １１１１ １１１１ １１１１", REF)
    assert [(e["entity"], e["text"], e["value"]) for e in found] == [
        ("card_number", "**** **** **** 1111", {"last4": "1111"})
    ]


# -- views and English ----------------------------------------------------------------------------
def test_views_keep_length_and_leave_ascii_alone():
    english = "my card 4111 1111 1111 1111, call +44 20 7946 0958"
    assert fold(english) is english and isolate(english) is english
    text = "卡号４１１１，电话٠٥٠"
    assert fold(text) == "卡号4111,电话050"
    assert isolate(fold(text)) == SEPARATOR * 2 + "4111," + SEPARATOR * 2 + "050"
    assert len(isolate(fold("𠀀4"))) == len("𠀀4")  # an astral Han letter is one character too


def test_prediction_masks_a_card_in_chinese_and_keeps_offsets(support_model):
    prediction = support_model.predict("我的卡号是4111111111111111，昨天被扣了3万元", reference_time=REF)
    assert "4111111111111111" not in prediction.text
    assert prediction.text.startswith("我的卡号是************1111")
    for e in prediction.entities:
        assert prediction.text[e["start"] : e["end"]] == e["text"]
    found = {(e["entity"], str(e["value"])) for e in prediction.entities}
    assert ("date", "2026-03-09") in found
    assert ("amount_of_money", str({"amount": 30000.0, "currency": "CNY"})) in found


# -- linear time ----------------------------------------------------------------------------------
_UNITS = ["3万", "3万 ", "一", "１", "٣", "1,", "2026年", "3月", "円1", "卡4", "a@b谢", "만 3", "de marzo "]


@pytest.mark.parametrize("unit", _UNITS)
def test_new_rules_are_linear(unit):
    """64 KB of a repeated unit must cost about 8 times 8 KB (squared would be 64 times)."""

    def seconds(text: str) -> float:
        return cpu_seconds(lambda: (PARSER.parse(text, REF), find(text)))

    seconds(unit * 10)  # warm-up
    small, big = unit * (8192 // len(unit)), unit * (65536 // len(unit))
    assert seconds(big) < 24 * max(seconds(small), 0.005), unit
