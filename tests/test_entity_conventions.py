"""Builtin entity conventions: card endings and ids said plainly, span edges, and agreement with data/.

Why a file of its own: ``data/support.yaml`` annotates the builtin types by hand, and the builtin
parser and the data drifting apart (a "date" there, a ``date_period`` here) is a regression that no
single-example test catches.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conftest import DEFAULT_DATA
from empathy_nlu.dataset import load_data
from empathy_nlu.entity_parser import DIMENSIONS, BuiltinEntityParser, resolve_overlaps
from empathy_nlu.slot_filler import entity_scores

REF = datetime(2024, 3, 15, 9, 0, tzinfo=UTC)  # a Friday
PARSER = BuiltinEntityParser()


def found(text: str, entity: str) -> list[str]:
    return [e["text"] for e in PARSER.parse(text, REF) if e["entity"] == entity]


@pytest.mark.parametrize(
    ("text", "last4"),
    [
        ("card 8061 arrived, activation please", "8061"),
        ("new PIN for card 6021 please", "6021"),
        ("whats my balance on card 4410", "4410"),
        ("new PIN for card no. 8061", "8061"),
        ("my visa 8061 was declined", "8061"),
        ("credit card: 8061 is blocked", "8061"),
        ("Mastercard number 8061 please", "8061"),
        ("card #8061", "8061"),
        ("I sat on card 1947 and cracked it", "1947"),  # right after "card": an ending, not a year
        ("card ending in 4821", "4821"),
    ],
)
def test_four_digits_after_a_card_word_are_its_ending(text, last4):
    assert found(text, "card_last4") == [last4]


@pytest.mark.parametrize(
    ("text", "other"),
    [
        ("I've had this card from 2023", "date_period"),  # a word between: a year
        ("my card expired in 2023", "date_period"),
        ("top up card 1000 euros", "amount_of_money"),
        ("card 0161 496 0000", "phone_number"),
        ("card 4111 1111 1111 1112", None),  # not Luhn-valid, and not an ending either
        ("card 12345", None),
        ("card 1230pm", None),
    ],
)
def test_other_numbers_after_a_card_word_are_not_an_ending(text, other):
    assert found(text, "card_last4") == []
    if other is not None:
        assert len(found(text, other)) == 1


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("transaction TX40021988 is still pending", "transaction_id", "TX40021988"),
        ("request refund for transaction TX7781223", "transaction_id", "TX7781223"),
        ("transfer TXN-123456 not credited", "transaction_id", "TXN-123456"),
        ("payment ref TX77812", "transaction_id", "TX77812"),
        ("transaction id: 99887766", "transaction_id", "99887766"),
        ("i need a refund for order ORD-55812", "order_id", "ORD-55812"),
        ("order no. ORD-55812 never came", "order_id", "ORD-55812"),
        ("order #A-20391", "order_id", "A-20391"),
    ],
)
def test_transaction_and_order_ids(text, entity, value):
    assert found(text, entity) == [value]


@pytest.mark.parametrize(
    "text", ["transfer 500000 to mum", "transaction abc12345", "transfer EUR500000", "payment of 1234567"]
)
def test_amounts_and_short_codes_are_not_transaction_ids(text):
    assert found(text, "transaction_id") == []


@pytest.mark.parametrize(
    ("text", "entity", "said"),
    [
        ("declined on the 1st", "date", "1st"),  # a leading "the" is never part of the span
        ("close it by the end of the month", "date", "end of the month"),
        ("statement for the last 3 months", "date_period", "last 3 months"),
        ("the next 4 months", "date_period", "next 4 months"),
        ("frozen since the weekend", "date_period", "weekend"),
        ("pending over the weekend", "date_period", "weekend"),
        ("spent in the current year", "date_period", "current year"),
        ("in the last 5 hours", "time_period", "last 5 hours"),
        ("the day after tomorrow", "date", "day after tomorrow"),
        # periods are periods, not dates
        ("it was due last week", "date_period", "last week"),
        ("can I get my statement for March", "date_period", "March"),
        ("a student account, starting September", "date_period", "September"),
        ("I need statements from 2023", "date_period", "2023"),
        ("stolen this morning", "time_period", "this morning"),
        ("declined at Uber on Friday night", "time_period", "Friday night"),
    ],
)
def test_span_and_type_conventions(text, entity, said):
    assert found(text, entity) == [said]


def test_builtin_parser_agrees_with_the_project_data():
    """Exact span and type F1 of the untrained parser on support.yaml's builtin-type annotations.

    The data's other entities (merchant, account_type) stand in for a perfect trained tagger and
    are merged by ``resolve_overlaps``, as ``Classifier`` does ("Booking.com" is a merchant there).
    """
    examples = load_data(DEFAULT_DATA).examples
    gold, predicted = [], []
    for ex in examples:
        custom = [
            {"entity": s.entity, "start": s.start, "end": s.end, "confidence": 1.0, "extractor": "trained"}
            for s in ex.entities
            if s.entity not in DIMENSIONS
        ]
        merged = resolve_overlaps(PARSER.parse(ex.text, REF), custom)
        gold.append([s for s in ex.entities if s.entity in DIMENSIONS])
        predicted.append([e for e in merged if e["extractor"] == "builtin"])
    scores = entity_scores(gold, predicted)
    assert scores["support"] >= 150, scores
    disagreements = [
        (ex.source, ex.text, sorted((s.entity, ex.text[s.start : s.end]) for s in g), [e["text"] for e in p])
        for ex, g, p in zip(examples, gold, predicted, strict=True)
        if {(s.entity, s.start, s.end) for s in g} != {(e["entity"], e["start"], e["end"]) for e in p}
    ]
    assert scores["f1"] >= 0.95, (scores, disagreements)
    for entity in ("card_last4", "transaction_id", "date", "date_period", "time_period"):
        per_entity = scores["per_entity"][entity]
        assert per_entity["f1"] >= 0.9, (entity, per_entity, disagreements)
