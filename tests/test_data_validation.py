"""Every data error: its stable code, and a message that names the file and the right line."""

from __future__ import annotations

import json
import textwrap
import warnings
from pathlib import Path

import pytest

from empathy_nlu.dataset import load_data, load_many, validate_dataset
from empathy_nlu.errors import DataError, DataWarning
from empathy_nlu.schema import Dataset, EntitySpan, Example


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return path


def jsonl(tmp_path: Path, name: str, *records: dict | str) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    return write(tmp_path, name, "\n".join(lines) + "\n")


def load_error(source, **kwargs) -> DataError:
    with pytest.raises(DataError) as err:
        load_data(source, **kwargs)
    return err.value


def assert_points_at(error: DataError, path: Path, line: int) -> None:
    assert f"{path}:{line}" in str(error), str(error)


# --- E101 empty text ------------------------------------------------------------------------------


def test_e101_empty_yaml_example_names_its_line(tmp_path):
    path = write(
        tmp_path,
        "empty.yaml",
        """
        intents:
          - intent: greet
            examples:
              - hello
              - "   "
              - hi there
        """,
    )
    error = load_error(path)
    assert error.code == "E101"
    assert_points_at(error, path, 5)


def test_e101_collects_up_to_five_problems(tmp_path):
    records = [{"text": "ok", "intent": "a"}, {"text": "fine", "intent": "a"}] + [
        {"text": " ", "intent": "a"}
    ] * 7
    path = jsonl(tmp_path, "blank.jsonl", *records)
    error = load_error(path)
    assert error.code == "E101"
    assert str(error).startswith(f"[E101] {path}:3: 7 example(s) with empty text")
    for line in (3, 4, 5, 6, 7):
        assert_points_at(error, path, line)
    assert f"{path}:8" not in str(error)
    assert "and 2 more" in str(error)


def test_e101_empty_customer_turn(tmp_path):
    dialogue = {"id": "d1", "turns": [{"speaker": "agent", "text": ""}, {"speaker": "customer", "text": ""}]}
    path = jsonl(tmp_path, "dialogues.jsonl", {"id": "d0", "turns": []}, dialogue)
    error = load_error(path)
    assert error.code == "E101"
    assert f"{path}:2 turn 1" in str(error)
    assert "turn 0" not in str(error)  # agent turns may be empty


# --- E102 unknown column --------------------------------------------------------------------------


def test_e102_unknown_csv_column_lists_existing_columns(tmp_path):
    path = write(tmp_path, "tickets.csv", "message,topic\nwhere is my refund,refund\nrefund please,refund\n")
    error = load_error(path, text_column="message", label_column="intent")
    assert error.code == "E102"
    assert_points_at(error, path, 1)
    assert "'message', 'topic'" in str(error)


def test_e102_label_column_missing_from_every_jsonl_record(tmp_path):
    path = jsonl(tmp_path, "data.jsonl", {"text": "a", "intent": "x"}, {"text": "b", "intent": "x"})
    error = load_error(path, label_column="category")
    assert error.code == "E102"
    assert_points_at(error, path, 1)
    assert "'intent', 'text'" in str(error)


# --- E103 / E104 spans ----------------------------------------------------------------------------


def test_e103_overlapping_spans(tmp_path):
    overlapping = [{"start": 0, "end": 8, "entity": "city"}, {"start": 4, "end": 12, "entity": "place"}]
    path = jsonl(
        tmp_path,
        "spans.jsonl",
        {"text": "New York City trip", "intent": "travel"},
        {"text": "New York City trip", "intent": "travel", "entities": overlapping},
    )
    error = load_error(path)
    assert error.code == "E103"
    assert_points_at(error, path, 2)
    assert "city [0:8] and place [4:12]" in str(error)


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (5, 99), (4, 4)])
def test_e104_span_out_of_range(tmp_path, start, end):
    path = jsonl(
        tmp_path,
        "spans.jsonl",
        {"text": "call me at noon", "intent": "callback"},
        {"text": "call me later", "intent": "callback"},
        {
            "text": "call me at six",
            "intent": "callback",
            "entities": [{"start": start, "end": end, "entity": "t"}],
        },
    )
    error = load_error(path)
    assert error.code == "E104"
    assert_points_at(error, path, 3)
    assert f"t [{start}:{end}]" in str(error)


# --- E105 too few examples ------------------------------------------------------------------------


def test_e105_names_the_intent_and_its_example(tmp_path):
    path = write(
        tmp_path,
        "few.yaml",
        """
        intents:
          - intent: greet
            examples:
              - hello
              - good morning
          - intent: close_account
            examples:
              - please close my account
        """,
    )
    error = load_error(path)
    assert error.code == "E105"
    assert "'close_account' has 1" in str(error)
    assert_points_at(error, path, 8)
    validate_dataset(load_data(path, validate=False), min_examples=1)  # fine with a lower bar


# --- E106 / DataWarning conflicting labels --------------------------------------------------------


def conflicting(tmp_path: Path, pairs: int) -> Path:
    records = []
    for i in range(pairs):
        records.append({"text": f"Card problem {i}", "intent": "card_issue"})
        records.append({"text": f"card   PROBLEM {i}", "intent": "card_declined"})
    records.append({"text": "my card is broken", "intent": "card_issue"})
    records.append({"text": "payment refused at the till", "intent": "card_declined"})
    return jsonl(tmp_path, "conflict.jsonl", *records)


def test_conflicting_labels_warn_with_texts_and_labels(tmp_path):
    path = conflicting(tmp_path, 1)
    with pytest.warns(DataWarning) as record:
        data = load_data(path)
    assert len(data.examples) == 4
    message = str(record[0].message)
    assert "'Card problem 0' as card_issue" in message
    assert f"card_declined ({path}:2)" in message


def test_conflict_warning_lists_first_ten_and_a_count(tmp_path):
    with pytest.warns(DataWarning) as record:
        load_data(conflicting(tmp_path, 12))
    message = str(record[0].message)
    assert message.startswith("12 text(s) appear under more than one intent")
    assert "Card problem 9" in message and "Card problem 10" not in message
    assert "and 2 more" in message


def test_e106_conflicting_labels_strict(tmp_path):
    path = conflicting(tmp_path, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)  # strict raises instead of warning
        error = load_error(path, strict=True)
    assert error.code == "E106"
    assert_points_at(error, path, 1)
    assert f"card_declined ({path}:2)" in str(error)


def test_examples_without_intent_are_fine(tmp_path):
    path = jsonl(tmp_path, "tweets.jsonl", {"text": "great crew today", "sentiment": "positive"})
    assert load_data(path).examples[0].sentiment == "positive"


# --- E107 malformed files -------------------------------------------------------------------------


def test_e107_invalid_json_names_line_three(tmp_path):
    path = jsonl(
        tmp_path,
        "broken.jsonl",
        {"text": "a", "intent": "x"},
        {"text": "b", "intent": "x"},
        '{"text": "c", "intent": "x"',
    )
    error = load_error(path)
    assert error.code == "E107"
    assert_points_at(error, path, 3)
    assert "invalid JSON" in str(error)


def test_e107_yaml_syntax_error(tmp_path):
    path = write(
        tmp_path,
        "broken.yaml",
        """
        intents:
          - intent: greet
            examples:
              - hello: there: friend
        """,
    )
    error = load_error(path)
    assert error.code == "E107"
    assert_points_at(error, path, 4)
    assert "YAML syntax error" in str(error)


def test_e107_unclosed_yaml_quote_points_at_the_opening_line(tmp_path):
    path = write(tmp_path, "quote.yaml", 'intents:\n  - intent: a\n    examples:\n      - "never closed\n')
    error = load_error(path)
    assert error.code == "E107"
    assert_points_at(error, path, 4)


def test_e107_invalid_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("text,intent\nhello,greet\ncaf\u00e9 please,order\n".encode("latin-1"))
    error = load_error(path)
    assert error.code == "E107"
    assert_points_at(error, path, 3)
    assert "UTF-8" in str(error)


def test_e107_csv_row_with_wrong_field_count(tmp_path):
    path = write(tmp_path, "rows.csv", "text,intent\nhi,greet\nhello, there,greet\n")
    error = load_error(path)
    assert error.code == "E107"
    assert_points_at(error, path, 3)


def test_e107_json_array_error_names_the_line(tmp_path):
    path = write(
        tmp_path, "records.json", '[\n  {"text": "a", "intents": ["x"]},\n  {"text": "b" "intents": []}\n]\n'
    )
    error = load_error(path)
    assert error.code == "E107"
    assert_points_at(error, path, 3)


def test_e107_rasa_example_line_without_dash(tmp_path):
    path = write(
        tmp_path,
        "nlu.yml",
        """
        nlu:
        - intent: greet
          examples: |
            - hello
            good day
        """,
    )
    error = load_error(path)
    assert error.code == "E107"
    assert_points_at(error, path, 5)


# --- E108 annotations -----------------------------------------------------------------------------


def test_e108_unbalanced_annotation_in_yaml(tmp_path):
    path = write(
        tmp_path,
        "annotated.yaml",
        """
        intents:
          - intent: order_status
            examples:
              - where is order [A-17](order_id)
              - where is order [B-22(order_id)
        """,
    )
    error = load_error(path)
    assert error.code == "E108"
    assert_points_at(error, path, 5)
    assert "unbalanced '['" in str(error)


@pytest.mark.parametrize(
    ("example", "problem"),
    [
        ("pay with [](card_type)", "empty surface"),
        ('pay with [visa]{"entity": card_type}', "invalid JSON"),
        ("pay with [visa](card_type:VISA)", "not supported"),
        ("pay with [visa] card", "must be followed by"),
        ("pay with visa] card", "unbalanced ']'"),
    ],
)
def test_e108_rasa_annotation_errors_name_the_block_line(tmp_path, example, problem):
    path = write(
        tmp_path,
        "nlu.yml",
        f"""
        nlu:
        - intent: pay
          examples: |
            - pay with [mastercard](card_type)
            - {example}
        """,
    )
    error = load_error(path)
    assert error.code == "E108"
    assert_points_at(error, path, 5)
    assert problem in str(error)


# --- E109 not found / unknown format --------------------------------------------------------------


def test_e109_file_not_found(tmp_path):
    error = load_error(tmp_path / "missing.jsonl")
    assert error.code == "E109"
    assert str(tmp_path / "missing.jsonl") in str(error)


def test_e109_unknown_extension_and_format(tmp_path):
    path = write(tmp_path, "notes.txt", "hello\n")
    assert load_error(path).code == "E109"
    assert load_error(path, format="xml").code == "E109"


def test_e109_yaml_that_is_neither_format(tmp_path):
    path = write(tmp_path, "other.yaml", "responses:\n  utter_greet:\n    - text: hi\n")
    error = load_error(path)
    assert error.code == "E109"
    assert "'intents'" in str(error) and "'nlu'" in str(error)


# --- E110 missing keys / unknown speaker ----------------------------------------------------------


def test_e110_missing_text_key(tmp_path):
    path = jsonl(tmp_path, "data.jsonl", {"text": "a", "intent": "x"}, {"utterance": "b", "intent": "x"})
    error = load_error(path)
    assert error.code == "E110"
    assert_points_at(error, path, 2)
    assert "'text'" in str(error)


def test_e110_yaml_intent_without_examples(tmp_path):
    path = write(tmp_path, "data.yaml", "intents:\n  - intent: a\n    examples: [x, y]\n  - intent: b\n")
    error = load_error(path)
    assert error.code == "E110"
    assert_points_at(error, path, 4)


def test_e110_unknown_speaker_names_file_and_line(tmp_path):
    ok = {"id": "ok", "turns": [{"speaker": "customer", "text": "hi", "intent": "greet"}]}
    bad = {
        "id": "bad",
        "turns": [
            {"speaker": "customer", "text": "hey", "intent": "greet"},
            {"speaker": "user", "text": "x"},
        ],
    }
    path = jsonl(tmp_path, "dialogues.jsonl", ok, bad)
    error = load_error(path)
    assert error.code == "E123"
    assert f"{path}:2 turn 1" in str(error)
    assert "'user'" in str(error)


# --- E111 bad values / E112 empty -----------------------------------------------------------------


def test_e111_bad_sentiment_and_timestamp(tmp_path):
    path = jsonl(tmp_path, "s.jsonl", {"text": "a", "sentiment": "angry"})
    error = load_error(path)
    assert (error.code, f"{path}:1" in str(error)) == ("E111", True)
    turn = {"speaker": "customer", "text": "hi", "timestamp": "yesterday"}
    path = jsonl(tmp_path, "d.jsonl", {"id": "d", "turns": [turn]})
    error = load_error(path)
    assert error.code == "E111"
    assert f"{path}:1 turn 0" in str(error)


def test_e111_unknown_yaml_key_catches_typos(tmp_path):
    path = write(
        tmp_path,
        "typo.yaml",
        "intents:\n  - intent: a\n    examples:\n      - text: hi\n        sentimnet: positive\n",
    )
    error = load_error(path)
    assert error.code == "E111"
    assert_points_at(error, path, 5)


def test_e112_empty_file(tmp_path):
    path = write(tmp_path, "empty.jsonl", "\n")
    assert load_error(path).code == "E112"


# --- general --------------------------------------------------------------------------------------


def test_validate_false_skips_content_checks(tmp_path):
    path = jsonl(tmp_path, "one.jsonl", {"text": "", "intent": "lonely"})
    assert load_data(path, validate=False).examples[0].text == ""


def test_validate_dataset_on_in_memory_examples():
    data = Dataset(
        examples=[
            Example("book a flight to Oslo", "book", entities=(EntitySpan("city", 17, 21),), source="mem:1"),
            Example("book a train", "book", entities=(EntitySpan("city", 10, 40),), source="mem:2"),
        ]
    )
    with pytest.raises(DataError, match=r"mem:2 \(city \[10:40\]") as err:
        validate_dataset(data)
    assert err.value.code == "E104"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.jsonl", "[1, 2]\n"),
        ("a.jsonl", '{"text": 5}\n'),
        ("a.jsonl", '{"text": "a", "entities": [{"start": "0", "end": 1, "entity": "e"}]}\n'),
        ("a.jsonl", '{"text": "a", "entities": [{"start": 0}]}\n'),
        ("a.jsonl", '{"turns": "nope"}\n'),
        ("a.jsonl", '{"turns": [{"text": "no speaker"}]}\n'),
        ("a.json", '{"text": "not an array"}'),
        ("a.json", '[{"text": "a", "slots": {"x": {"span": [0]}}}]'),
        ("a.yaml", "- just\n- a list\n"),
        ("a.yaml", "intents: 3\n"),
        ("a.yaml", "intents:\n  - intent: a\n    intent: b\n    examples: []\n"),
        ("a.yaml", "intents:\n  - intent: a\n    examples:\n      - [nested, list]\n"),
        ("a.yaml", "intents:\n  - examples: [a]\n"),
        ("a.yml", "nlu:\n  - text: orphan\n"),
        ("a.yml", "nlu:\n  - intent: a\n"),
        ("a.csv", ""),
        ("a.csv", 'text,intent\n"unclosed,x\n'),
    ],
)
def test_malformed_input_is_always_a_data_error(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    error = load_error(path)
    assert error.code.startswith("E1")
    assert str(path) in str(error)


def test_load_many_with_nothing_is_empty():
    with pytest.raises(DataError) as err:
        load_many([])
    assert err.value.code == "E112"
