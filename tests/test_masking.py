"""``mask_personal_data`` and ``mask_card_numbers``: the entity parser's wrappers over the privacy layer
(docs/privacy.md) keep card numbers, IBANs, SSNs, e-mails and phones out of the store and a hand-over."""

from __future__ import annotations

import re

import pytest

from empathy_nlu.entity_parser import mask_personal_data
from empathy_nlu.errors import InputError


@pytest.mark.parametrize(
    "raw",
    [
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111111111111111",
        "378282246310005",
        "6011 0009 9013 9424",
        "4111.1111.1111.1111",  # dots: passed unmasked before the privacy layer
        "5500.0000.0000.0004",
        "4111 - 1111 - 1111 - 1111",
    ],
)
def test_card_numbers_keep_only_the_last_four(raw):
    masked = mask_personal_data(f"my card {raw} was charged twice")
    digits = re.sub(r"\D", "", raw)
    assert digits not in re.sub(r"\D", "", masked)
    assert raw not in masked
    assert masked.startswith("my card ") and masked.endswith(" was charged twice")
    assert digits[-4:] in masked and "****" in masked


def test_a_mistyped_card_number_is_masked_too():
    # 16 digits that fail the Luhn check: still somebody's card number
    masked = mask_personal_data("card 4111 1111 1111 1112 please")
    assert "4111 1111" not in masked and "1112" in masked


@pytest.mark.parametrize("email", ["john.doe@example.com", "a+b@mail.co.uk", "X_Y@sub.domain.org"])
def test_emails_are_masked(email):
    masked = mask_personal_data(f"write to {email} today")
    assert email not in masked
    assert masked == "write to [email] today"


@pytest.mark.parametrize(
    "phone", ["+44 20 7946 0958", "(555) 123-4567", "555-123-4567", "07700 900123", "0044 7700 900123"]
)
def test_phone_numbers_are_masked(phone):
    masked = mask_personal_data(f"call me on {phone} after lunch")
    assert masked == "call me on [phone] after lunch"


@pytest.mark.parametrize(
    "text",
    [
        "I paid $1,299.99 on 2022-03-16 at 10:30",
        "order 1234567 costs 40.50",
        "transfer 1.299,99 € on 12/03/2022",
        "my card hasn't arrived",
        "",
        "🙂🙂",
    ],
)
def test_dates_amounts_times_and_plain_text_are_left_alone(text):
    assert mask_personal_data(text) == text


def test_everything_in_one_message():
    text = "card 4111 1111 1111 1111, mail jo@x.io, phone +1 415 555 2671, amount £40 on 16/03/2022"
    masked = mask_personal_data(text)
    assert "4111" not in masked and "jo@x.io" not in masked and "555 2671" not in masked
    assert "£40" in masked and "16/03/2022" in masked and "1111" in masked


@pytest.mark.parametrize(
    "raw, token",
    [
        ("DE89370400440532013000", "[iban]"),
        ("GB82 WEST 1234 5698 7654 32", "[iban]"),  # its first groups were kept before
        ("219099999", "[ssn]"),
        ("078-05-1120", "[ssn]"),
    ],
)
def test_ibans_and_social_security_numbers_are_masked(raw, token):
    masked = mask_personal_data(f"my number is {raw} thanks")
    assert masked == f"my number is {token} thanks"


def test_not_a_string_is_an_input_error():
    with pytest.raises(InputError) as info:
        mask_personal_data(None)  # type: ignore[arg-type]
    assert info.value.code == "E320"


def test_mask_card_numbers_keeps_length_and_last_four():
    from empathy_nlu.entity_parser import mask_card_numbers

    for raw in ("4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "4111.1111.1111.1111"):
        text = f"my card {raw} was stolen"
        masked = mask_card_numbers(text)
        assert len(masked) == len(text) and masked.endswith("1111 was stolen")
        assert "4111" not in masked and raw not in masked
    assert mask_card_numbers("order 1234 costs 40 euros") == "order 1234 costs 40 euros"
    # IBANs and SSNs are financial too; e-mails and phones are not this function's business
    assert mask_card_numbers("iban DE89370400440532013000") == "iban DE****************3000"
    assert mask_card_numbers("ssn 078-05-1120") == "ssn ***-**-****"
    assert mask_card_numbers("mail jo@x.io") == "mail jo@x.io"


def test_mask_card_numbers_of_a_non_string_is_an_input_error():
    from empathy_nlu.entity_parser import mask_card_numbers

    with pytest.raises(InputError) as info:
        mask_card_numbers(b"4111111111111111")  # type: ignore[arg-type]
    assert info.value.code == "E320"


def test_the_raw_card_number_is_nowhere_in_a_prediction(support_model):
    import json

    for raw in ("4111 1111 1111 1111", "4111111111111111", "4111.1111.1111.1111"):
        prediction = support_model.predict(f"someone used my card {raw} without asking")
        dumped = json.dumps(prediction.to_dict())
        assert raw not in dumped and "4111" not in dumped
        card = next(e for e in prediction.entities if e["entity"] == "card_number")
        assert prediction.text[card["start"] : card["end"]].endswith("1111")  # offsets still point at it
    batch = support_model.predict_batch(["card 4111 1111 1111 1111 declined"])
    assert "4111 1111 1111 1111" not in json.dumps(batch[0].to_dict())
