"""Private by default: card numbers, IBANs, SSNs, e-mails and phones never reach storage, logs or
summaries unmasked (docs/privacy.md).

Each bullet of the hardening issue has a test here that failed on the code before the privacy layer:
dotted and voice card numbers on every channel, IBANs, SSNs, raw e-mails and phones in
``context.entities``, timestamps corrupted by masking serialized JSON, a store file readable by all.
"""

from __future__ import annotations

import json
import re
import stat
import time
from datetime import UTC, datetime

import pytest

from empathy_nlu import Classifier
from empathy_nlu.channels import chat, email, sms, social, voice
from empathy_nlu.config import make_config
from empathy_nlu.errors import ConfigError
from empathy_nlu.privacy import (
    PrivacyParams,
    find,
    mask_financial,
    mask_for_storage,
    mask_text,
    redact_text,
)
from empathy_nlu.store import SQLiteStore

REFERENCE = datetime(2026, 11, 30, 20, 31, 5, 123456, tzinfo=UTC)

# Raw values and how they may be written; every one must be gone from what is kept or shown.
CARDS = {
    "4111111111111111": [
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111.1111.1111.1111",
        "4111111111111111",
    ],
    "5500000000000004": ["5500 0000 0000 0004", "5500.0000.0000.0004"],
    "378282246310005": ["3782 822463 10005", "378282246310005"],
    "6011000990139424": ["6011-0009-9013-9424"],
}
IBANS = {
    "DE89370400440532013000": ["DE89370400440532013000", "DE89 3704 0044 0532 0130 00"],
    "GB82WEST12345698765432": ["GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432"],
    "FR1420041010050500013M02606": ["FR14 2004 1010 0505 0001 3M02 606"],
    "NL91ABNA0417164300": ["NL91ABNA0417164300"],
}
SSNS = {"219099999": ["219099999"], "078051120": ["078-05-1120", "078 05 1120"], "536904491": ["536-90-4491"]}
EMAILS = ["ana.lopez@example.org", "jo+bank@mail.co.uk"]
PHONES = {
    "+442079460958": ["+44 20 7946 0958"],
    "+15551234567": ["(555) 123-4567"],
    "07700900123": ["07700 900123"],
}


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in find(text)]


# -- detection --------------------------------------------------------------------------------------
@pytest.mark.parametrize("written", [w for ws in CARDS.values() for w in ws])
def test_card_numbers_with_any_separator_are_cards(written):
    text = f"my card {written} was charged twice"
    assert ("card", written) in kinds(text)
    masked = mask_financial(text)
    assert (
        len(masked) == len(text) and masked.startswith("my card ") and masked.endswith(" was charged twice")
    )
    assert re.sub(r"\D", "", written)[:-4] not in re.sub(r"\D", "", masked)
    assert masked[8 : 8 + len(written)].endswith(written[-4:])  # the last four stay


@pytest.mark.parametrize(
    "text, card",
    [
        ("card 4111 - 1111 - 1111 - 1111 please", "4111 - 1111 - 1111 - 1111"),
        ("card 4111- 1111- 1111- 1111", "4111- 1111- 1111- 1111"),  # what the voice adapter used to make
        ("card 4111 1111 1111 1111 25 euros", "4111 1111 1111 1111"),  # the amount after it is not taken
        ("card 4111 1111 1111 1112 please", "4111 1111 1111 1112"),  # mistyped (Luhn fails): still a card
    ],
)
def test_cards_in_odd_layouts(text, card):
    assert ("card", card) in kinds(text)


def test_digits_said_as_words_are_a_card_on_any_channel():
    text = "my card is four one one one one one one one one one one one one one one one ok"
    found = kinds(text)
    assert found and found[0][0] == "card"
    assert "four one one" not in redact_text(text) and "1111" in redact_text(text)


@pytest.mark.parametrize("raw, written", [(raw, w) for raw, ws in IBANS.items() for w in ws])
def test_ibans_with_and_without_spaces(raw, written):
    text = f"please send it to {written} by friday"
    assert ("iban", written) in kinds(text)
    assert redact_text(text) == "please send it to [iban] by friday"
    masked = mask_financial(text)
    assert written not in masked and len(masked) == len(text)
    assert re.sub(r"\W", "", masked[18 : 18 + len(written)]).startswith(raw[:2])  # the country stays
    assert "WEST" not in masked and "1234 5698" not in masked


def test_iban_in_lower_case_and_with_a_word_glued_after_a_space():
    assert kinds("my iban is de89 3704 0044 0532 0130 00") == [("iban", "de89 3704 0044 0532 0130 00")]
    assert kinds("DE89370400440532013000 2 days ago")[0] == ("iban", "DE89370400440532013000")
    assert not [k for k, _ in kinds("DE89370400440532013001") if k == "iban"]  # checksum fails


@pytest.mark.parametrize("raw, written", [(raw, w) for raw, ws in SSNS.items() for w in ws])
def test_us_social_security_numbers(raw, written):
    text = f"my ssn is {written} thanks"
    assert ("ssn", written) in kinds(text)
    assert redact_text(text) == "my ssn is [ssn] thanks"
    assert mask_financial(text) == "my ssn is " + re.sub(r"\d", "*", written) + " thanks"


@pytest.mark.parametrize(
    "text",
    [
        "ssn 000-12-3456",  # area 000
        "ssn 666-12-3456",  # area 666
        "ssn 912-34-5678",  # 9xx areas are not issued
        "ssn 123-00-4567",  # group 00
        "order 219099999 has not arrived",  # a reference after "order"
        "ticket ORD219099999",  # glued to letters: an id
    ],
)
def test_numbers_that_are_not_ssns(text):
    assert not [k for k, _ in kinds(text) if k == "ssn"]


def test_emails_and_phones():
    text = "write to ana.lopez@example.org or josé@exämple.de, call (555) 123-4567 or +44 20 7946 0958"
    assert [k for k, _ in kinds(text)] == ["email", "email", "phone", "phone"]
    assert redact_text(text) == "write to [email] or [email], call [phone] or [phone]"
    assert mask_financial(text) == text  # contacts are not financial
    assert (
        mask_text(text)
        == "write to ***.*****@*******.*** or ****@*******.**, call (***) ***-**** or +** ** **** ****"
    )


@pytest.mark.parametrize(
    "text",
    [
        "I paid $1,299.99 on 2022-03-16 at 10:30",
        "transfer 1.299,99 € on 12/03/2022",
        "I want to move $1 500 000 to savings",
        "1 500 000 euros is the limit",
        "order 1234567 costs 40.50",
        "card ending in 4821 was declined",
        "what is pi to 15 places, 3.14159265358979",
        "the transaction TX40021988 from 20:31:05",
        "add my wife to checking account 20905432",
        "invoice INV-2024-88741 is wrong",
        "reference 2019-376884 please",
        "order number 066907439 has not arrived",
        "find the square root of 1243435",
        "my card hasn't arrived",
        "",
    ],
)
def test_dates_amounts_times_and_references_are_left_alone(text):
    assert find(text) == [] and redact_text(text) == text


def test_a_timestamp_is_not_a_phone_number():
    assert find("first_at 2026-11-30T20:31:05.123456+00:00") == []


@pytest.mark.parametrize(
    "adversarial",
    [
        lambda n: "1 " * (n // 2),
        lambda n: "4111 " * (n // 5),
        lambda n: "1." * (n // 2),
        lambda n: "a" * n + " @",
        lambda n: "a@" + "b." * (n // 2),
        lambda n: "DE89 " * (n // 5),
        lambda n: "one " * (n // 4),
        lambda n: "+1 (2) " * (n // 7),
        lambda n: "078-05-1120 " * (n // 12),
    ],
)
def test_detection_takes_linear_time(adversarial):
    """Four times the text costs about four times as long (a quadratic pattern would cost 16x)."""

    def cost(n: int) -> float:
        text = adversarial(n)
        best = float("inf")
        for _ in range(2):
            started = time.perf_counter()
            redact_text(text)
            best = min(best, time.perf_counter() - started)
        return best

    small, large = cost(10_000), cost(40_000)
    assert large < max(8 * small, 0.05), f"{small:.4f}s -> {large:.4f}s"


# -- configuration ----------------------------------------------------------------------------------
def test_privacy_is_a_config_section_with_defaults():
    assert make_config()["privacy"] == {"mask_contacts_in_text": False, "patterns": []}


@pytest.mark.parametrize(
    "section, code",
    [
        ({"patterns": [{"name": "x"}]}, "E450"),
        ({"patterns": [{"name": "x", "pattern": "a", "flags": "i"}]}, "E450"),
        ({"patterns": [{"name": "x", "pattern": "("}]}, "E451"),
        ({"patterns": [{"name": "x", "pattern": " "}]}, "E451"),
        ({"patterns": [{"name": "x", "pattern": "a*"}]}, "E452"),
        ({"patterns": [{"name": "card", "pattern": "a"}]}, "E453"),
        ({"patterns": [{"name": "Bad Name", "pattern": "a"}]}, "E453"),
        ({"patterns": [{"name": "x", "pattern": "a"}, {"name": "x", "pattern": "b"}]}, "E453"),
        ({"patterns": [{"name": "x", "pattern": r"(\w+\s?)+$"}]}, "E454"),
        ({"patterns": [{"name": "x", "pattern": "(a+)+b"}]}, "E454"),
        ({"patterns": [{"name": "x", "pattern": "(a)(b)"}]}, "E455"),
        ({"patterns": ["x"]}, "E402"),
        ({"mask_contacts_in_text": "yes"}, "E402"),
        ({"unknown": 1}, "E401"),
    ],
)
def test_bad_privacy_config_is_a_clear_error(section, code):
    with pytest.raises(ConfigError) as info:
        make_config({"privacy": section})
    assert info.value.code == code


def test_linear_patterns_are_accepted():
    ok = [r"\bP-\d{8}\b", r"(?:\d{3}-){2}\d{4}", r"(?i)policy\s+(?P<value>P-\d++)", r"(?>\w+\s?)+x"]
    make_config({"privacy": {"patterns": [{"name": f"p{i}", "pattern": p} for i, p in enumerate(ok)]}})


# -- the prediction ---------------------------------------------------------------------------------
def with_privacy(model: Classifier, **section) -> Classifier:
    return Classifier(model.components, {**model.config, "privacy": section}, model.manifest)


def offsets_hold(prediction) -> None:
    for entity in prediction.entities:
        assert prediction.text[entity["start"] : entity["end"]] == entity["text"], entity
    for cue in prediction.cues.values():
        for item in cue.get("evidence", []):
            assert prediction.text[item["start"] : item["end"]] == item["text"], item


@pytest.mark.parametrize(
    "raw", ["4111.1111.1111.1111", "DE89 3704 0044 0532 0130 00", "078-05-1120", "219099999"]
)
def test_financial_data_is_masked_in_the_prediction_text_and_entities(support_model, raw):
    prediction = support_model.predict(
        f"this is ridiculous, {raw} was used without me", reference_time=REFERENCE
    )
    dumped = json.dumps(prediction.to_dict())
    assert raw not in dumped and re.sub(r"\W", "", raw) not in re.sub(r"\W", "", dumped.replace("*", "#"))
    assert len(prediction.text) == len(f"this is ridiculous, {raw} was used without me")
    offsets_hold(prediction)


def test_contacts_stay_in_the_prediction_text_by_default_and_can_be_masked(support_model):
    text = "mail me at ana.lopez@example.org or call (555) 123-4567"
    default = support_model.predict(text, reference_time=REFERENCE)
    assert default.text == text and {e["entity"] for e in default.entities} >= {"email", "phone_number"}
    masked = with_privacy(support_model, mask_contacts_in_text=True).predict(text, reference_time=REFERENCE)
    assert masked.text == "mail me at ***.*****@*******.*** or call (***) ***-****"
    dumped = json.dumps(masked.to_dict())
    assert "ana.lopez" not in dumped and "123-4567" not in dumped and "5551234567" not in dumped
    offsets_hold(default)
    offsets_hold(masked)


def test_emails_and_phones_are_not_raw_in_context_entities_or_the_summary(support_model):
    history = [
        {"text": "my email is ana.lopez@example.org and my number is (555) 123-4567", "channel": "chat"},
        {"text": "my iban is GB82 WEST 1234 5698 7654 32", "channel": "email"},
    ]
    prediction = support_model.predict("any news about my card?", history, reference_time=REFERENCE)
    carried = {e["entity"]: e for e in prediction.context["entities"]}
    assert {"email", "phone_number"} <= set(carried)
    assert carried["email"]["value"] == carried["email"]["text"] == "[email]"
    assert carried["phone_number"]["value"] == carried["phone_number"]["text"] == "[phone]"
    context = json.dumps(prediction.context)
    for secret in ("ana.lopez", "123-4567", "5551234567", "WEST 1234", "GB82"):
        assert secret not in context


def test_a_card_straddling_the_summary_cut_is_not_half_shown(support_model):
    text = "x " * 70 + "I want a human, my card 4111 1111 1111 1111 was stolen"
    summary = support_model.predict(text, reference_time=REFERENCE).context["handoff"]["summary"]
    assert "4111" not in summary and "411" not in summary.replace("1111", "")


def test_a_deployment_pattern_is_masked_everywhere(support_model, tmp_path):
    section = {"patterns": [{"name": "policy", "pattern": r"(?i)policy\s+(?P<value>P-\d{8})"}]}
    model = with_privacy(support_model, **section)
    text = "my policy P-12345678 was cancelled"
    prediction = model.predict(text, reference_time=REFERENCE)
    assert prediction.text == "my policy *-******** was cancelled"
    assert "P-12345678" not in json.dumps(prediction.to_dict())
    with SQLiteStore(tmp_path / "s.sqlite3", privacy=section) as store:
        chat.handle({"text": text}, "c1", model, store)
        [stored] = store.history("c1")
        assert stored.turn.text == "my policy [policy] was cancelled"
    assert b"P-12345678" not in db_bytes(tmp_path / "s.sqlite3")


# -- end to end: every channel, the store's bytes ------------------------------------------------
def db_bytes(path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def raw_email(body: str, subject: str = "Help") -> bytes:
    return (
        f"From: Ana <ana@sender.example>\r\nTo: help@bank.example\r\nSubject: {subject}\r\n"
        f"Date: Mon, 30 Nov 2026 20:31:05 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


MESSAGES = [
    (
        chat,
        json.dumps(
            {
                "text": "card 4111.1111.1111.1111 charged, iban DE89370400440532013000",
                "timestamp": "2026-11-30T20:31:05.123456+00:00",
            }
        ),
    ),
    (sms, "pls block card 5500.0000.0000.0004 my ssn is 219099999 call +44 20 7946 0958"),
    (
        voice,
        "um my card is four one one one one one one one one one one one one one one one "
        "and my email is ana.lopez@example.org",
    ),
    (voice, "card 6011-0009-9013-9424 and social 078-05-1120 and iban gb82 west 1234 5698 7654 32"),
    (social, "@AcmeBank my card 3782 822463 10005 was stolen, mail jo+bank@mail.co.uk"),
    (
        email,
        raw_email(
            "Hi,\r\n\r\nmy card 4111 1111 1111 1111 and IBAN GB82 WEST 1234 5698 7654 32 "
            "were used. SSN 536-90-4491, call (555) 123-4567.\r\n",
            subject="Card 6011000990139424 stolen",
        ),
    ),
]
FINANCIAL_SECRETS = [
    *[w for ws in CARDS.values() for w in ws],
    *CARDS,
    *IBANS,
    "DE89 3704",
    "GB82 WEST",
    "gb82 west",
    "WEST12345698765432",
    "219099999",
    "078-05-1120",
    "536-90-4491",
    "536904491",
    "four one one one",
]
SECRETS = [
    *FINANCIAL_SECRETS,
    *EMAILS,
    "+44 20 7946 0958",
    "7946 0958",
    "(555) 123-4567",
    "123-4567",
    *PHONES,
]


@pytest.fixture(scope="module")
def handled(support_model, tmp_path_factory):
    path = tmp_path_factory.mktemp("privacy") / "conversations.sqlite3"
    store = SQLiteStore(path)
    predictions = [module.handle(raw, "c1", support_model, store) for module, raw in MESSAGES]
    yield path, store, predictions
    store.close()


def test_no_raw_value_in_the_store_file_wal_or_shm(handled):
    path, store, _ = handled
    assert path.with_name(path.name + "-wal").exists()  # still in the WAL: checked too
    data = db_bytes(path)
    leaks = [secret for secret in SECRETS if secret.encode() in data]
    assert not leaks, leaks
    store.close()  # the WAL checkpointed into the file
    data = db_bytes(path)
    assert not [secret for secret in SECRETS if secret.encode() in data]


def test_store_files_are_private(handled):
    path, _, _ = handled
    with SQLiteStore(path) as store:
        assert store.count("c1") == len(MESSAGES)
        files = list(path.parent.glob(path.name + "*"))
        assert {file.name for file in files} == {path.name, path.name + "-wal", path.name + "-shm"}
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


def test_stored_timestamps_are_intact(handled):
    path, _, _ = handled
    with SQLiteStore(path) as store:
        turns = store.history("c1")
    chat_turn = next(stored for stored in turns if stored.turn.channel == "chat")
    assert chat_turn.turn.timestamp.isoformat() == "2026-11-30T20:31:05.123456+00:00"
    for stored in turns:
        first_at = stored.prediction["context"]["repeat_contact"]["first_at"]
        assert first_at is None or datetime.fromisoformat(first_at)
        for entity in stored.prediction["context"]["entities"]:
            assert entity["timestamp"] is None or datetime.fromisoformat(entity["timestamp"])
        assert "[phone]" not in json.dumps(stored.prediction["context"]["repeat_contact"])


def test_every_channel_keeps_offsets_and_no_raw_contact_in_context(handled):
    _, _, predictions = handled
    for prediction in predictions:
        offsets_hold(prediction)
        context = json.dumps(prediction.context)
        for secret in SECRETS:
            assert secret not in context, (secret, prediction.context["channel"])
        for secret in FINANCIAL_SECRETS:
            assert secret not in prediction.text  # financial data: never in the text


def test_the_stored_prediction_keeps_its_offsets(handled):
    path, _, _ = handled
    with SQLiteStore(path) as store:
        for stored in store.history("c1"):
            prediction = stored.prediction
            for entity in prediction["entities"]:
                assert prediction["text"][entity["start"] : entity["end"]] == entity["text"]


def test_mask_for_storage_masks_text_fields_only():
    prediction = {
        "text": "call 0770 090 0123",
        "entities": [
            {
                "entity": "phone_number",
                "text": "0770 090 0123",
                "start": 5,
                "end": 18,
                "value": "+447700900123",
                "extractor": "builtin",
            }
        ],
        "context": {
            "repeat_contact": {"first_at": "2026-11-30T20:31:05.123456+00:00"},
            "entities": [
                {
                    "entity": "date",
                    "value": "2026-11-29",
                    "text": "yesterday",
                    "timestamp": "2026-11-30T20:31:05.123456+00:00",
                }
            ],
            "handoff": {"summary": 'Last message (sms): "call 0770 090 0123"'},
        },
    }
    stored = mask_for_storage(prediction)
    assert stored["text"] == "call **** *** ****"
    assert stored["entities"][0]["text"] == "**** *** ****" and "447700" not in stored["entities"][0]["value"]
    assert stored["context"]["repeat_contact"]["first_at"] == "2026-11-30T20:31:05.123456+00:00"
    assert stored["context"]["entities"][0] == prediction["context"]["entities"][0]
    assert stored["context"]["handoff"]["summary"] == 'Last message (sms): "call [phone]"'


def test_privacy_params_are_a_frozen_dataclass():
    params = PrivacyParams()
    assert params.mask_contacts_in_text is False and params.patterns == ()
    with pytest.raises(AttributeError):
        params.mask_contacts_in_text = True  # type: ignore[misc]
