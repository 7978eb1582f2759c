"""Builtin entity extractors: values, offsets, card masking, overlaps, configuration errors."""

from __future__ import annotations

import importlib.util
import json
import random
import re
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from conftest import ROOT, shared
from empathy_nlu.config import make_config
from empathy_nlu.entity_parser import DIMENSIONS, BuiltinEntityParser, resolve_overlaps
from empathy_nlu.errors import ConfigError, InputError, ModelError

# Tuesday 15 March 2022, 09:00 (the NLU++ reference); then a Friday New Year's Eve and a month end.
REF = datetime(2022, 3, 15, 9, 0, tzinfo=UTC)
NEW_YEARS_EVE = datetime(2021, 12, 31, 22, 0, tzinfo=UTC)
MARCH_FIRST = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)
JAN_31 = datetime(2022, 1, 31, 12, 0, tzinfo=UTC)

PARSER = BuiltinEntityParser()


def parse(text: str, ref: datetime = REF, parser: BuiltinEntityParser = PARSER) -> list[dict]:
    return parser.parse(text, ref)


def only(text: str, entity: str, ref: datetime = REF) -> dict:
    found = [e for e in parse(text, ref) if e["entity"] == entity]
    assert len(found) == 1, (text, parse(text, ref))
    return found[0]


@pytest.mark.parametrize(
    ("text", "said", "amount", "currency"),
    [
        ("I paid 40€ yesterday", "40€", 40.0, "EUR"),
        ("I paid €40 yesterday", "€40", 40.0, "EUR"),
        ("send 40 euros to Ann", "40 euros", 40.0, "EUR"),
        ("it was 73 pounds", "73 pounds", 73.0, "GBP"),
        ("he owes me forty dollars", "forty dollars", 40.0, "USD"),
        ("charged forty two dollars for nothing", "forty two dollars", 42.0, "USD"),
        ("a new phone for $1,299.99", "$1,299.99", 1299.99, "USD"),
        ("a new phone for 1.299,99 € ok", "1.299,99 €", 1299.99, "EUR"),
        ("un loyer de 1 500 € par mois", "1 500 €", 1500.0, "EUR"),
        ("can I borrow 1.5k dollars", "1.5k dollars", 1500.0, "USD"),
        ("top up £5 please", "£5", 5.0, "GBP"),
        ("wire USD 250 today", "USD 250", 250.0, "USD"),
        ("wire 250 CHF today", "250 CHF", 250.0, "CHF"),
        ("it was 5 pounds 50", "5 pounds 50", 5.5, "GBP"),
        ("forty two dollars and fifty cents", "forty two dollars and fifty cents", 42.5, "USD"),
        ("it cost 50p", "50p", 0.5, "GBP"),
        ("a hundred pounds went missing", "a hundred pounds", 100.0, "GBP"),
        ("how much over 3 thousand dollars", "3 thousand dollars", 3000.0, "USD"),
        ("did I spend more than 400 in groceries", "400", 400.0, None),
        ("I need a 1.5k loan", "1.5k", 1500.0, None),
    ],
)
def test_amount_of_money(text, said, amount, currency):
    ent = only(text, "amount_of_money")
    assert ent["text"] == said == text[ent["start"] : ent["end"]]
    assert ent["value"] == {"amount": amount, "currency": currency}
    assert ent["extractor"] == "builtin" and 0 < ent["confidence"] <= 1


@pytest.mark.parametrize(
    "text",
    [
        "can I have more than 1 pin with each card",
        "try 40",
        "I am 30 years old",
        "room 101 is cold",
        "at 4 pm",
    ],
)
def test_numbers_that_are_not_money(text):
    assert not [e for e in parse(text) if e["entity"] == "amount_of_money"]


@pytest.mark.parametrize(
    ("text", "ref", "said", "value"),
    [
        ("it arrives tomorrow", REF, "tomorrow", "2022-03-16"),
        ("it was refused yesterday", REF, "yesterday", "2022-03-14"),
        ("I ordered it 8 weeks ago", REF, "8 weeks ago", "2022-01-18"),
        ("by the 22nd of Apr", REF, "22nd of Apr", "2022-04-22"),
        ("I'm leaving on Wednesday", REF, "Wednesday", "2022-03-16"),
        ("this Tuesday at the branch", REF, "this Tuesday", "2022-03-22"),  # today is Tuesday: the next one
        ("until next Wednesday", REF, "next Wednesday", "2022-03-23"),  # Wednesday of next week
        ("since last Monday", REF, "last Monday", "2022-03-14"),
        ("on Saturday last week", REF, "Saturday last week", "2022-03-12"),
        ("in 10 days", REF, "in 10 days", "2022-03-25"),
        ("the 5th will do", REF, "5th", "2022-04-05"),  # the 5th of this month is over
        ("before the 14 Jan", REF, "14 Jan", "2023-01-14"),  # January is over: next year
        ("on 12/03/2022", REF, "12/03/2022", "2022-03-12"),  # day first
        ("on 03/25/2022", REF, "03/25/2022", "2022-03-25"),  # month first when the day cannot be a month
        ("on 2022-03-16", REF, "2022-03-16", "2022-03-16"),
        (
            "Friday, October the 16th",
            REF,
            "Friday, October the 16th",
            "2026-10-16",
        ),  # the year it is a Friday
        ("the day after tomorrow", REF, "day after tomorrow", "2022-03-17"),
        # across a year end
        ("see you tomorrow", NEW_YEARS_EVE, "tomorrow", "2022-01-01"),
        ("in 2 days", NEW_YEARS_EVE, "in 2 days", "2022-01-02"),
        ("on Monday", NEW_YEARS_EVE, "Monday", "2022-01-03"),
        ("by the 2nd", NEW_YEARS_EVE, "2nd", "2022-01-02"),
        ("on 5 Jan", NEW_YEARS_EVE, "5 Jan", "2022-01-05"),
        ("3 weeks ago", datetime(2022, 1, 10, tzinfo=UTC), "3 weeks ago", "2021-12-20"),
        # across a month end
        ("yesterday", MARCH_FIRST, "yesterday", "2022-02-28"),
        ("a month ago", MARCH_FIRST, "a month ago", "2022-02-01"),
        ("1 month from now", JAN_31, "1 month from now", "2022-02-28"),  # no 31 February
        ("last Friday", MARCH_FIRST, "last Friday", "2022-02-25"),
    ],
)
def test_dates(text, ref, said, value):
    ent = only(text, "date", ref)
    assert ent["text"] == said == text[ent["start"] : ent["end"]]
    assert ent["value"] == value


@pytest.mark.parametrize(
    ("text", "ref", "start", "end"),
    [
        ("any day next week", REF, "2022-03-21", "2022-03-27"),
        ("spent last month", REF, "2022-02-01", "2022-02-28"),
        ("in the last 3 days", REF, "2022-03-12", "2022-03-15"),
        ("next week", NEW_YEARS_EVE, "2022-01-03", "2022-01-09"),
        ("next month", NEW_YEARS_EVE, "2022-01-01", "2022-01-31"),
        ("last week", MARCH_FIRST, "2022-02-21", "2022-02-27"),
        ("during 2019", REF, "2019-01-01", "2019-12-31"),
    ],
)
def test_date_periods(text, ref, start, end):
    assert only(text, "date_period", ref)["value"] == {"from": start, "to": end}


@pytest.mark.parametrize(
    ("text", "said", "value"),
    [
        ("any time before 25 to 7 p.m.", "25 to 7 p.m.", "18:35:00"),
        ("not before 10 past 9 at night", "10 past 9 at night", "21:10:00"),
        ("not before ten past nine at night", "ten past nine at night", "21:10:00"),  # a voice transcript
        ("at 6:35pm", "6:35pm", "18:35:00"),
        ("at 6.35 p.m.", "6.35 p.m.", "18:35:00"),
        ("at 18:35", "18:35", "18:35:00"),
        ("12 a.m. works", "12 a.m.", "00:00:00"),
        ("12pm works", "12pm", "12:00:00"),
        ("half past 17", "half past 17", "17:30:00"),
        ("at 11 45 in the morning", "11 45 in the morning", "11:45:00"),
        ("from 5ish in the afternoon", "5ish in the afternoon", "17:00:00"),
        ("quarter to 6 morning", "quarter to 6 morning", "05:45:00"),
        ("ok at 4", "4", "04:00:00"),  # said without am/pm: taken as said
        ("at noon", "noon", "12:00:00"),
        ("in 2 hours", "in 2 hours", "11:00:00"),
        ("15 minutes ago", "15 minutes ago", "08:45:00"),
        ("3:35 night", "3:35 night", "03:35:00"),
        ("9:20 night", "9:20 night", "21:20:00"),
    ],
)
def test_times(text, said, value):
    ent = only(text, "time")
    assert ent["text"] == said == text[ent["start"] : ent["end"]]
    assert ent["value"] == value


@pytest.mark.parametrize("text", ["at 4 branches", "13.50 pounds", "from 10 to 12", "after 5 days"])
def test_numbers_that_are_not_times(text):
    assert not [e for e in parse(text) if e["entity"] == "time"]


def test_time_periods_keep_the_reference_time_zone():
    ref = datetime(2022, 3, 15, 9, 0, tzinfo=timezone(timedelta(hours=2)))
    ent = only("I lost my card last night", "time_period", ref)
    assert ent["value"] == {"from": "2022-03-14T18:00:00+02:00", "to": "2022-03-15T06:00:00+02:00"}
    span = only("in the last 5 hours", "time_period", ref)["value"]
    assert span == {"from": "2022-03-15T04:00:00+02:00", "to": "2022-03-15T09:00:00+02:00"}


def test_date_and_time_said_together_stay_two_entities():
    found = parse("send 40 euros tomorrow at 5pm please")
    assert [(e["entity"], e["text"], e["value"]) for e in found] == [
        ("amount_of_money", "40 euros", {"amount": 40.0, "currency": "EUR"}),
        ("date", "tomorrow", "2022-03-16"),
        ("time", "5pm", "17:00:00"),
    ]


def test_contact_details_and_references():
    text = (
        "I'm Jo.Doe@Example.com, call +44 20 7946 0958, see www.example.com/help; card ending in 4821, "
        "order number is AB-12345 and transaction id: TX99887766"
    )
    by_entity = {e["entity"]: e for e in parse(text)}
    assert by_entity["email"]["value"] == "jo.doe@example.com"
    assert by_entity["phone_number"]["value"] == "+442079460958"
    assert by_entity["url"]["text"] == "www.example.com/help"
    assert by_entity["card_last4"]["value"] == "4821"
    assert by_entity["order_id"]["value"] == "AB-12345"
    assert by_entity["transaction_id"]["value"] == "TX99887766"
    for ent in by_entity.values():
        assert text[ent["start"] : ent["end"]] == ent["text"]
    assert only("the last four digits are 1234", "card_last4")["text"] == "1234"


@pytest.mark.parametrize(
    "raw", ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "378282246310005"]
)
def test_card_numbers_are_masked_everywhere(raw):
    text = f"my card {raw} was charged 40 euros"
    result = parse(text)
    dumped = json.dumps(result)
    digits = re.sub(r"\D", "", raw)
    assert raw not in dumped and digits not in dumped and digits[:6] not in dumped
    card = only(text, "card_number")
    assert card["value"] == {"last4": digits[-4:]}
    assert card["text"].endswith(digits[-4:]) and "*" in card["text"]
    assert (card["start"], card["end"]) == (8, 8 + len(raw))
    # even with the card dimension off, nothing echoes the number (a phone, a bare amount, an id)
    narrow = BuiltinEntityParser(enabled=["phone_number", "amount_of_money", "order_id"])
    assert digits[:6] not in json.dumps(narrow.parse(text, REF))


def test_a_number_failing_the_luhn_check_is_not_a_card():
    assert not [e for e in parse("ref 1234 5678 9012 3456") if e["entity"] == "card_number"]


def test_builtin_entities_never_overlap_and_point_into_the_text():
    data = shared("nlupp/banking/fold0.json")
    texts = [row["text"] for row in json.loads(data.read_text("utf-8"))]
    assert texts
    for text in texts:
        found = parse(text)
        for a, b in zip(found, found[1:], strict=False):
            assert a["end"] <= b["start"], (text, found)
        for ent in found:
            assert set(ent) == {"entity", "text", "start", "end", "value", "confidence", "extractor"}
            assert ent["entity"] in DIMENSIONS
            if ent["entity"] != "card_number":
                assert text[ent["start"] : ent["end"]] == ent["text"]
            json.dumps(ent)


def test_longest_reading_wins_within_builtins():
    assert [e["entity"] for e in parse("Saturday last week")] == ["date"]
    assert [e["text"] for e in parse("25 to 7 p.m.")] == ["25 to 7 p.m."]


def _ent(entity, start, end, confidence=0.9, extractor="builtin", value=None):
    return {
        "entity": entity,
        "text": "x" * (end - start),
        "start": start,
        "end": end,
        "value": value,
        "confidence": confidence,
        "extractor": extractor,
    }


def test_resolve_overlaps_rules():
    builtin = [_ent("date", 10, 18, value="2022-03-16"), _ent("amount_of_money", 0, 8), _ent("time", 30, 33)]
    trained = [
        _ent("product", 10, 18, 0.5, "trained"),  # same span as the builtin date: trained wins
        _ent("person", 2, 6, 0.99, "trained"),  # inside a longer builtin: the longer span wins
        _ent("time", 30, 33, 0.99, "trained"),  # same span and same name as a builtin: the builtin's value
        _ent("city", 40, 45, 0.7, "trained"),
    ]
    out = resolve_overlaps(builtin, trained)
    assert [(e["entity"], e["start"], e["extractor"]) for e in out] == [
        ("amount_of_money", 0, "builtin"),
        ("product", 10, "trained"),
        ("time", 30, "builtin"),
        ("city", 40, "trained"),
    ]
    same = [_ent("date", 30, 33, 0.2)]
    assert resolve_overlaps(same, [_ent("date", 30, 33, 0.99, "trained")])[0]["extractor"] == "builtin"


def test_resolve_overlaps_card_number_beats_a_longer_trained_span_and_order_does_not_matter():
    card = _ent("card_number", 5, 24)
    trained = [_ent("account", 0, 30, 0.99, "trained"), _ent("name", 40, 44, 0.8, "trained")]
    out = resolve_overlaps([card], trained)
    assert [e["entity"] for e in out] == ["card_number", "name"]
    builtin = [_ent("date", 0, 5), _ent("time", 6, 9), _ent("date_period", 3, 12)]
    expected = resolve_overlaps(builtin, trained)
    for seed in range(5):
        random.Random(seed).shuffle(builtin)
        assert resolve_overlaps(list(builtin), list(reversed(trained))) == expected


def test_resolve_overlaps_rejects_malformed_entities():
    with pytest.raises(InputError) as info:
        resolve_overlaps([{"entity": "date", "start": 5, "end": 2}], [])
    assert info.value.code == "E323"
    assert resolve_overlaps([], []) == []


def test_deployment_patterns_replace_defaults_and_add_entities():
    parser = BuiltinEntityParser(
        patterns=[
            {"entity": "order_id", "pattern": r"\b(ORD\d{6})\b"},
            {"entity": "ticket_id", "pattern": r"(?i)ticket\s+(?P<value>TCK-\d+)"},
        ]
    )
    found = {e["entity"]: e for e in parser.parse("ORD123456 and ticket TCK-77, order number AB-12345", REF)}
    assert found["order_id"]["text"] == "ORD123456"  # the default pattern (order number AB-...) is replaced
    assert found["ticket_id"]["value"] == "TCK-77"
    assert [e for e in parser.parse("order number AB-12345", REF) if e["entity"] == "order_id"] == []


@pytest.mark.parametrize(
    ("patterns", "code"),
    [
        ([{"entity": "order_id"}], "E431"),
        ([{"entity": "order_id", "pattern": "x", "flags": "i"}], "E431"),
        ([{"entity": "order_id", "pattern": "(unclosed"}], "E432"),
        ([{"entity": "order_id", "pattern": ""}], "E432"),
        ([{"entity": "order_id", "pattern": r"\d*"}], "E434"),
        ([{"entity": "Order ID", "pattern": "x"}], "E435"),
        ([{"entity": "date", "pattern": "x"}], "E435"),
        ([{"entity": "order_id", "pattern": r"(a)(b)"}], "E436"),
    ],
)
def test_bad_patterns_are_config_errors_with_codes(patterns, code):
    parser = BuiltinEntityParser(patterns=patterns)
    with pytest.raises(ConfigError) as info:
        parser.parse("order 1234", REF)
    assert info.value.code == code
    with pytest.raises(ConfigError) as info:
        make_config({"entities": {"patterns": patterns}})
    assert info.value.code == code and "entities.patterns" in info.value.message


def test_bad_regex_message_names_the_pattern():
    with pytest.raises(ConfigError) as info:
        BuiltinEntityParser(patterns=[{"entity": "order_id", "pattern": "ORD(abc"}]).to_state()
    assert "ORD(abc" in info.value.message and "order_id" in info.value.message
    with pytest.raises(ConfigError) as info:
        BuiltinEntityParser(patterns="order_id").parse("order 1234", REF)  # type: ignore[arg-type]
    assert info.value.code == "E430"


def test_two_times_in_one_sentence():
    found = [e for e in parse("between 9 05 in the morning and 25 to 7 p.m.") if e["entity"] == "time"]
    assert [(e["text"], e["value"]) for e in found] == [
        ("9 05 in the morning", "09:05:00"),
        ("25 to 7 p.m.", "18:35:00"),
    ]


def test_unknown_dimension_is_a_config_error():
    with pytest.raises(ConfigError) as info:
        BuiltinEntityParser(enabled=["dates"]).parse("tomorrow", REF)
    assert info.value.code == "E433" and "date_period" in info.value.message
    with pytest.raises(ConfigError):
        make_config({"entities": {"dimensions": ["money"]}})


def test_enabled_dimensions_limit_the_output():
    parser = BuiltinEntityParser(enabled=["email", "time"])
    found = parser.parse("mail a@b.com tomorrow at 5pm about 40 euros", REF)
    assert [e["entity"] for e in found] == ["email", "time"]


def test_state_round_trip_is_json_and_keeps_the_configuration():
    parser = BuiltinEntityParser(
        enabled=["order_id", "date"], patterns=[{"entity": "order_id", "pattern": r"#(\d{5})"}]
    )
    state, arrays = parser.to_state()
    assert arrays == {}
    loaded = BuiltinEntityParser.from_state(json.loads(json.dumps(state)), {})
    text = "order #12345 arrives tomorrow, 40 euros"
    assert loaded.parse(text, REF) == parser.parse(text, REF)
    assert [e["entity"] for e in loaded.parse(text, REF)] == ["order_id", "date"]
    with pytest.raises(ModelError) as info:
        BuiltinEntityParser.from_state({"format": "other"}, {})
    assert info.value.code == "E221"
    with pytest.raises(ModelError):
        BuiltinEntityParser.from_state({**state, "patterns": [{"entity": "x", "pattern": "("}]}, {})


def test_input_errors():
    with pytest.raises(InputError) as info:
        PARSER.parse(42)  # type: ignore[arg-type]
    assert info.value.code == "E320"
    with pytest.raises(InputError) as info:
        PARSER.parse("tomorrow", "2022-03-15")  # type: ignore[arg-type]
    assert info.value.code == "E321"


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "🙂🙂🙂",
        "٣ أيام",
        "$$$ €€ ££",
        "99999999999999999999999",
        "at 99:99",
        "the 45th",
        "31/02/2022",
        "0" * 5000,
        "tomorrow " * 500,
        "Ω≈ç√∫˜µ≤≥÷",
        "1.2.3.4.5",
        "Feb 30",
        "in 99999999 years",
    ],
)
def test_odd_text_never_raises(text):
    assert isinstance(PARSER.parse(text, REF), list)


def test_naive_and_missing_reference_times_are_accepted():
    assert only("tomorrow", "date", datetime(2022, 3, 15, 9, 0))["value"] == "2022-03-16"
    today = datetime.now().astimezone().date()
    assert PARSER.parse("tomorrow")[0]["value"] in {
        (today + timedelta(days=d)).isoformat() for d in (0, 1, 2)
    }


def test_nlupp_banking_values_reach_the_target():
    data = shared("nlupp/banking")
    spec = importlib.util.spec_from_file_location("entities_bench", ROOT / "benchmarks" / "entities.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.evaluate(data)
    assert result["amount_date_time"]["gold"] > 400
    assert result["amount_date_time"]["accuracy"] >= 0.85
    assert result["amount_date_time"]["accuracy_strict"] >= 0.85


# -- linear time (docs/input_rules.md) ----------------------------------------------------------------
def test_amounts_next_to_long_digit_runs_and_groups_read_as_before():
    values = lambda text: [(e["text"], e["value"]) for e in parse(text)]  # noqa: E731
    assert values("I paid 1 500 € yesterday")[0] == ("1 500 €", {"amount": 1500.0, "currency": "EUR"})
    assert values("between 10 20 dollars")[-1][0] == "20 dollars"
    assert values("a 1000 € fee and 100 €") == [
        ("1000 €", {"amount": 1000.0, "currency": "EUR"}),
        ("100 €", {"amount": 100.0, "currency": "EUR"}),
    ]
    assert values("nine hundred and ninety nine thousand dollars")[0][1] == {
        "amount": 999000.0,
        "currency": "USD",
    }
    assert values("see example.co.uk or a.b.example.com")[0][0] == "example.co.uk"


@pytest.mark.parametrize(
    "unit",
    ["4", "1.", "1,", "100 ", "100'", "$1 ", "one two ", "twenty-", "a-", "a.", "1-", "1:", "1/", "paid 4"],
    ids=repr,
)
def test_parse_is_linear_in_runs(unit):
    """Reproduced: "4" * 5000 cost 2.5 s in extract_money, "100 " * 1250 7.7 s; number-word runs,
    label runs ("1.1.1...", "a-a-a-...") and many candidates (the overlap settling) grew squared too."""
    parse("warm up " + unit * 5)

    def seconds(text: str) -> float:
        started = time.process_time()
        parse(text)
        return time.process_time() - started

    small, big = unit * (8192 // len(unit)), unit * (65536 // len(unit))
    for tail in ("", "x", " dollars"):
        assert seconds(big + tail) < 24 * max(seconds(small + tail), 0.005), tail
