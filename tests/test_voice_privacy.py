"""Voice: normalization keeps personal data recognizable, so it is masked like typed text.

Before the privacy layer the voice adapter split every word at "-", ".", "@" and "(" ("4111-
1111- 1111- 1111", "jo. doe@ example. com", "on( 555) 123- 4567"), which defeated the masker: every
card number that went through it reached the store raw, spelled-out digits too.
"""

from __future__ import annotations

import json

import pytest

from empathy_nlu.channels import voice
from empathy_nlu.entity_parser import BuiltinEntityParser
from empathy_nlu.privacy import find
from empathy_nlu.store import SQLiteStore


@pytest.mark.parametrize(
    "transcript, normalized",
    [
        ("my card is 4111-1111-1111-1111 thanks", "My card is 4111-1111-1111-1111 thanks"),
        ("card 4111.1111.1111.1111", "Card 4111.1111.1111.1111"),
        ("email jo.doe@example.com please", "Email jo.doe@example.com please"),
        ("call me on (555) 123-4567", "Call me on (555) 123-4567"),
        ("ssn 078-05-1120", "Ssn 078-05-1120"),
        ("it is 10:30 now", "It is 10:30 now"),
    ],
)
def test_punctuation_inside_a_word_is_kept(transcript, normalized):
    assert voice.parse(transcript).text == normalized


@pytest.mark.parametrize(
    "transcript, normalized",
    [
        (
            "my card number is four one one one one one one one one one one one one one one one",
            "My card number is 4111111111111111",
        ),
        (
            "four one one one, one one one one, one one one one, one one one one",
            "4111 1111 1111 1111",
        ),
        ("my number is oh seven seven zero zero nine zero zero one two three", "My number is 07700900123"),
        ("call plus four four seven seven double oh nine oh oh one two three", "Call +447700900123"),
        ("my social is two one nine zero nine nine nine nine nine", "My social is 219099999"),
        # what stays as it was
        ("my card ending one one two three was stolen", "My card ending 1123 was stolen"),
        ("it has been two weeks", "It has been two weeks"),
        ("oh no my card", "No my card"),
        ("i want to double check", "I want to double check"),
        ("twenty one two three", "21 2 3"),
    ],
)
def test_digits_read_out_one_by_one_become_digit_groups(transcript, normalized):
    assert voice.parse(transcript).text == normalized


@pytest.mark.parametrize(
    "transcript, amount",
    [
        ("forty two dollars fifty", 42.5),
        ("i was charged forty two dollars fifty yesterday", 42.5),
        ("i paid forty two dollars and fifty cents", 42.5),
        ("i paid forty two dollars and five cents", 42.05),
        ("five pounds fifty for a coffee", 5.5),
        ("i was charged forty two dollars twice", 42.0),
    ],
)
def test_cents_said_after_the_currency_are_kept(transcript, amount):
    text = voice.parse(transcript).text
    [money] = [e for e in BuiltinEntityParser().parse(text) if e["entity"] == "amount_of_money"]
    assert money["value"]["amount"] == pytest.approx(amount)


def test_counts_after_an_amount_are_not_cents():
    assert voice.parse("i paid twenty dollars fifteen times").text == "I paid 20 dollars 15 times"


@pytest.mark.parametrize(
    "transcript, kind",
    [
        ("my card is 4111-1111-1111-1111", "card"),
        ("card four one one one one one one one one one one one one one one one", "card"),
        ("uh my iban is DE89 3704 0044 0532 0130 00", "iban"),
        ("my social is two one nine zero nine nine nine nine nine", "ssn"),
        ("email jo.doe@example.com", "email"),
        ("call me on oh seven seven zero zero nine zero zero one two three", "phone"),
    ],
)
def test_personal_data_is_still_found_after_normalization(transcript, kind):
    assert kind in {f.kind for f in find(voice.parse(transcript).text)}


def test_voice_cards_reach_no_file_and_offsets_hold(support_model, tmp_path):
    path = tmp_path / "conversations.sqlite3"
    transcripts = [
        "um my card is 4111-1111-1111-1111 and it was stolen",
        "yeah my card number is four one one one one one one one one one one one one one one one",
        "the other card is five five zero zero, zero zero zero zero, zero zero zero zero, "
        "zero zero zero four",
        "my social is two one nine zero nine nine nine nine nine and email jo.doe@example.com",
    ]
    with SQLiteStore(path) as store:
        for transcript in transcripts:
            prediction = voice.handle(transcript, "c1", support_model, store)
            for entity in prediction.entities:
                assert prediction.text[entity["start"] : entity["end"]] == entity["text"]
            assert "4111" not in prediction.text and "5500" not in prediction.text
            assert "jo.doe" not in json.dumps(prediction.context)
        data = b"".join(p.read_bytes() for p in tmp_path.glob(path.name + "*"))
    for secret in ("4111-1111", "4111111111111111", "5500 0000", "5500000000000004", "219099999", "jo.doe"):
        assert secret.encode() not in data, secret
