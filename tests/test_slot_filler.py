"""The CRF custom-entity tagger, its data resources (synonyms, lookups, regexes) and entity scores."""

from __future__ import annotations

import json
import textwrap
import time

import numpy as np
import pycrfsuite
import pytest

from empathy_nlu.config import make_config
from empathy_nlu.dataset import load_data, load_many, parse_annotated
from empathy_nlu.errors import ConfigError, DataError, ModelError, NotFittedError
from empathy_nlu.persistence import load_model_dir, save_model_dir
from empathy_nlu.schema import EntityResources, EntitySpan, Example, LookupTable, RegexFeature
from empathy_nlu.slot_filler import CRFSlotFiller, entity_scores, entity_training_examples
from empathy_nlu.slot_filler.features import sequence_features
from empathy_nlu.slot_filler.tokens import bio_labels, tokenize

FAST = {"max_iterations": 50}

ACCOUNTS_YAML = """\
version: 1
intents:
  - intent: check_balance
    examples:
      - what is in my [checking](account)
      - how much is left in [savings](account)
      - balance of my [current account](account) please
      - show me the [savings](account) balance
  - intent: transfer
    examples:
      - move 50 from [checking](account) to [savings](account)
      - transfer money from my [current account](account)
      - put it in [savings](account)
      - send 20 to [checking](account)
  - intent: greet
    examples:
      - hello there
      - good morning
synonyms:
  - value: checking_account
    synonyms: [checking, current account]
  - value: savings_account
    synonyms:
      - savings
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def examples(raws: list[str]) -> list[Example]:
    return [Example(text=text, entities=spans) for text, spans in map(parse_annotated, raws)]


@pytest.fixture(scope="module")
def accounts(tmp_path_factory):
    path = write(tmp_path_factory.mktemp("data"), "accounts.yaml", ACCOUNTS_YAML)
    data = load_data(path)
    return data, CRFSlotFiller(**FAST).fit(data.examples, data.resources)


# --- training and prediction ----------------------------------------------------------------------


def test_custom_entity_is_tagged_with_offsets_and_synonym_value(accounts):
    _, model = accounts
    assert model.entity_types_ == ["account"]
    text = "how much is in my Current Account today"
    found = model.predict_one(text)
    assert [(e["entity"], e["text"], e["value"], e["extractor"]) for e in found] == [
        ("account", "Current Account", "checking_account", "crf")
    ]
    assert text[found[0]["start"] : found[0]["end"]] == "Current Account"
    assert 0.5 < found[0]["confidence"] <= 1.0


def test_two_entities_and_values_normalized_case_insensitively(accounts):
    _, model = accounts
    found = model.predict_one("move 10 from SAVINGS to checking")
    assert [(e["text"], e["value"]) for e in found] == [
        ("SAVINGS", "savings_account"),
        ("checking", "checking_account"),
    ]


def test_text_without_entities_and_odd_text_give_nothing(accounts):
    _, model = accounts
    assert model.predict_one("hello there") == []
    for odd in ["", "   ", "!!!", "🙂🙂", "x" * 3000, "日本語のテキスト"]:
        assert isinstance(model.predict_one(odd), list)


def test_annotated_values_become_synonyms_unless_declared_otherwise():
    train = examples(
        [
            'I want my [debit]{"entity": "card", "value": "DEBIT_CARD"} card',
            'block the [debit]{"entity": "card", "value": "DEBIT_CARD"} card now',
            "block my [credit](card) card",
            "hello",
        ]
    )
    model = CRFSlotFiller(**FAST).fit(train)
    assert [(e["text"], e["value"]) for e in model.predict_one("block the debit card")] == [
        ("debit", "DEBIT_CARD")
    ]


def test_no_annotated_entities_gives_an_empty_tagger_that_round_trips():
    model = CRFSlotFiller(**FAST).fit(examples(["hello there", "good morning"]))
    assert model.entity_types_ == []
    assert model.predict_one("hello there") == []
    again = CRFSlotFiller.from_state(*model.to_state())
    assert again.entity_types_ == [] and again.predict_one("good morning") == []


def test_only_files_that_annotate_entities_train_the_tagger():
    train = [
        Example("my checking", entities=(EntitySpan("account", 3, 11),), source="a.yaml:3"),
        Example("hello", source="a.yaml:4"),
        Example("I paid with my checking account", source="banking.csv:7"),
        Example("hi", source="hi.jsonl:1"),
    ]
    assert [ex.source for ex in entity_training_examples(train)] == ["a.yaml:3", "a.yaml:4"]
    assert entity_training_examples(train[2:]) == []


def test_untrained_tagger_raises_not_fitted():
    model = CRFSlotFiller()
    with pytest.raises(NotFittedError):
        model.predict_one("my checking account")
    with pytest.raises(NotFittedError):
        model.to_state()


def test_constructed_from_the_config_section_and_ranges_are_checked():
    model = CRFSlotFiller(**make_config()["slot_filler"])
    assert model.get_params() == make_config()["slot_filler"]
    with pytest.raises(ConfigError) as info:
        make_config({"slot_filler": {"c1": -1.0}})
    assert info.value.code == "E403"
    with pytest.raises(ConfigError):
        make_config({"slot_filler": {"prune_probability": 1.0}})


# --- lookups and regexes are features -------------------------------------------------------------

CITIES = ["Paris", "Berlin", "Madrid", "Rome", "Vienna", "Oslo"]
PEOPLE = ["Anna", "Mark", "Julia", "Peter", "Sofia", "Tom"]


def _city_examples() -> list[Example]:
    raws = []
    for city, person in zip(CITIES, PEOPLE, strict=True):
        raws += [
            f"send the parcel to [{city}](city)",
            f"send the parcel to {person}",
            f"I am flying to [{city}](city) tomorrow",
            f"I am talking to {person} tomorrow",
        ]
    return examples(raws)


def test_lookup_table_changes_the_prediction_for_an_unseen_name():
    train = _city_examples()
    lookups = EntityResources(lookups=[LookupTable("city", tuple(CITIES + ["Lyon", "Porto"]))])
    with_lookup = CRFSlotFiller(**FAST).fit(train, lookups)
    without = CRFSlotFiller(**FAST).fit(train)
    text = "send the parcel to Lyon"
    assert [(e["entity"], e["text"]) for e in with_lookup.predict_one(text)] == [("city", "Lyon")]
    assert without.predict_one(text) == []
    assert with_lookup.predict_one("send the parcel to Maria") == []  # a feature, not a rule


def test_regex_changes_the_prediction_for_an_unseen_number():
    raws = []
    for number, small in zip(
        ["12345678", "87651234", "11223344", "99887766"], ["12", "345", "7", "2024"], strict=True
    ):
        raws += [
            f"my account is [{number}](account_number)",
            f"number [{number}](account_number)",
            f"number {small}",
            f"transfer {small} euros please",
        ]
    train = examples(raws)
    regexes = EntityResources(regexes=[RegexFeature("account_number", r"\b\d{8}\b")])
    with_regex = CRFSlotFiller(**FAST).fit(train, regexes)
    without = CRFSlotFiller(**FAST).fit(train)
    assert [e["text"] for e in with_regex.predict_one("number 44556677")] == ["44556677"]
    assert without.predict_one("number 44556677") == []
    assert with_regex.predict_one("number 445") == []


# --- persistence and exactness ----------------------------------------------------------------------


def test_state_round_trip_through_a_model_directory_predicts_identically(accounts, tmp_path):
    data, model = accounts
    texts = ["move 10 from SAVINGS to checking", "what is in my current account", "hello", "put 5 in savings"]
    path = save_model_dir(tmp_path / "m", {"library": "test"}, {"slot_filler": model.to_state()})
    _, components = load_model_dir(path)
    state, arrays = components["slot_filler"]
    again = CRFSlotFiller.from_state(json.loads(json.dumps(state)), arrays)
    assert [again.predict_one(t) for t in texts] == [model.predict_one(t) for t in texts]
    assert again.get_params() == model.get_params()
    assert again.synonyms_ == model.synonyms_


def test_lookup_and_regex_features_survive_the_round_trip():
    train = _city_examples()
    resources = EntityResources(
        lookups=[LookupTable("city", tuple(CITIES + ["Lyon"]))], regexes=[RegexFeature("zip", r"\d{5}")]
    )
    model = CRFSlotFiller(**FAST).fit(train, resources)
    again = CRFSlotFiller.from_state(*model.to_state())
    assert again.predict_one("send the parcel to Lyon") == model.predict_one("send the parcel to Lyon") != []


def test_corrupt_state_is_a_model_error(accounts):
    _, model = accounts
    state, arrays = model.to_state()
    broken = dict(arrays, transitions=arrays["transitions"][:1])
    with pytest.raises(ModelError) as info:
        CRFSlotFiller.from_state(state, broken)
    assert info.value.code == "E207"
    with pytest.raises(ModelError):
        CRFSlotFiller.from_state({k: v for k, v in state.items() if k != "labels"}, arrays)


def test_decoding_matches_crfsuite_tags_and_marginals(accounts, tmp_path):
    """Same data, same settings: our numpy/Python decoder agrees with crfsuite's own tagger."""
    data, model = accounts
    trainer = pycrfsuite.Trainer(verbose=False)
    for ex in data.examples:
        words, starts, ends = tokenize(ex.text)
        trainer.append(
            sequence_features(words),
            bio_labels([(s.entity, s.start, s.end) for s in ex.entities], starts, ends),
        )
    trainer.set_params(
        {
            "c1": model.c1,
            "c2": model.c2,
            "max_iterations": model.max_iterations,
            "feature.possible_transitions": True,
        }
    )
    texts = [
        "move 10 from savings to my current account",
        "show me checking",
        "hello there",
        "current account savings",
    ]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        trainer.train("reference.crfsuite")
        tagger = pycrfsuite.Tagger()
        tagger.open("reference.crfsuite")
        for text in texts:
            words, starts, ends = tokenize(text)
            expected = tagger.tag(sequence_features(words))
            found = model.predict_one(text)
            ours = bio_labels([(e["entity"], e["start"], e["end"]) for e in found], starts, ends)
            assert ours == expected, text
            scores = model.token_scores(text)[0]
            alpha, beta, _, _ = model.decoder_.forward_backward(scores)
            marginals = alpha * beta / (alpha * beta).sum(axis=1, keepdims=True)
            for t, label in enumerate(expected):
                assert marginals[t, model.labels_.index(label)] == pytest.approx(
                    tagger.marginal(label, t), abs=1e-4
                )


# --- declarations in the data files -----------------------------------------------------------------


def test_empathy_yaml_sections_are_read(tmp_path):
    path = write(
        tmp_path,
        "data.yaml",
        """\
        intents:
          - intent: a
            examples: [hi, hello]
        synonyms:
          - value: checking_account
            synonyms: [checking, current account]
        lookups:
          - lookup: city
            examples: |
              - Paris
              - New York
        regexes:
          - regex: account_number
            pattern: '\\d{8}'
        """,
    )
    resources = load_data(path).resources
    assert resources.synonym_map() == {
        "checking_account": "checking_account",
        "checking": "checking_account",
        "current account": "checking_account",
    }
    assert [(t.name, t.elements, t.source) for t in resources.lookups] == [
        ("city", ("Paris", "New York"), f"{path}:8")
    ]
    assert [(r.name, r.pattern, r.source) for r in resources.regexes] == [
        ("account_number", r"\d{8}", f"{path}:14")
    ]


def test_rasa_synonym_lookup_and_regex_items_are_read(tmp_path):
    path = write(
        tmp_path,
        "nlu.yml",
        """\
        nlu:
        - intent: greet
          examples: |
            - hi
            - hello
        - synonym: savings_account
          examples: |
            - rainy day fund
        - lookup: city
          examples: |
            - Lisbon
            - Porto
        - regex: account_number
          examples: |
            - \\d{8,12}
            - ACC-\\d+
        """,
    )
    resources = load_data(path).resources
    assert resources.synonym_map()["rainy day fund"] == "savings_account"
    assert resources.lookups[0].elements == ("Lisbon", "Porto")
    assert [(r.pattern, r.source) for r in resources.regexes] == [
        (r"\d{8,12}", f"{path}:15"),
        (r"ACC-\d+", f"{path}:16"),
    ]


@pytest.mark.parametrize(
    ("body", "code", "line"),
    [
        ("synonyms:\n  - value: x\n", "E114", 5),  # no 'synonyms' key
        ("synonyms:\n  - value: x\n    synonyms: [a]\n    typo: 1\n", "E114", 7),  # unknown key
        ("lookups:\n  - lookup: city\n    examples: []\n", "E117", 6),  # no elements
        ("lookups: {city: [a]}\n", "E114", 4),  # not a list
        ("regexes:\n  - regex: r\n    pattern: '[0-9'\n", "E116", 6),  # invalid regex
        ("regexes:\n  - regex: ''\n    pattern: 'a'\n", "E117", 5),  # empty name
        ("synonyms:\n  - value: a\n    synonyms: [x]\n  - value: b\n    synonyms: [X, y]\n", "E115", 7),
    ],
)
def test_bad_empathy_declarations_name_file_line_and_code(tmp_path, body, code, line):
    path = tmp_path / "bad.yaml"
    path.write_text("intents:\n  - intent: a\n    examples: [hi, hello]\n" + body, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_data(path)
    assert info.value.code == code
    assert info.value.source == f"{path}:{line}"


@pytest.mark.parametrize(
    ("item", "code", "line"),
    [
        ("- lookup: city\n", "E114", 5),  # no examples
        ("- regex: r\n  examples: |\n    - ok\n    - '(unclosed'\n", "E116", 8),
        ("- lookup: city\n  examples: |\n    - Paris\n    Lyon\n", "E114", 8),  # missing '- '
        ("- synonym: a\n  lookup: b\n  examples: |\n    - x\n", "E114", 5),  # two kinds
    ],
)
def test_bad_rasa_declarations_name_file_line_and_code(tmp_path, item, code, line):
    path = tmp_path / "nlu.yml"
    path.write_text("nlu:\n- intent: greet\n  examples: |\n    - hi\n" + item, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_data(path)
    assert (info.value.code, info.value.source) == (code, f"{path}:{line}")


def test_synonym_conflict_across_files_fails_at_training_with_both_places(tmp_path):
    first = write(
        tmp_path,
        "a.yaml",
        "intents:\n  - intent: a\n    examples: [hi, hello]\nsynonyms:\n  - value: one\n    synonyms: [x]\n",
    )
    second = write(
        tmp_path,
        "b.yaml",
        "intents:\n  - intent: b\n    examples: [yo, hey]\nsynonyms:\n  - value: two\n    synonyms: [x]\n",
    )
    data = load_many([first, second])
    assert len(data.resources.synonyms) == 2
    with pytest.raises(DataError) as info:
        CRFSlotFiller(**FAST).fit(examples(["my [x](thing)", "hi"]), data.resources)
    assert info.value.code == "E115"
    assert info.value.source == f"{second}:5" and f"{first}:5" in info.value.message


def test_bad_annotations_still_name_file_and_line(tmp_path):
    yaml_path = write(
        tmp_path,
        "a.yaml",
        "intents:\n  - intent: a\n    examples:\n      - ok\n      - my [checking(account)\n",
    )
    with pytest.raises(DataError) as info:
        load_data(yaml_path)
    assert (info.value.code, info.value.source) == ("E108", f"{yaml_path}:5")
    rasa_path = write(
        tmp_path, "nlu.yml", 'nlu:\n- intent: a\n  examples: |\n    - ok\n    - [x]{"entity": 3}\n'
    )
    with pytest.raises(DataError) as info:
        load_data(rasa_path)
    assert (info.value.code, info.value.source) == ("E108", f"{rasa_path}:5")
    rows = [
        {"text": "ok", "intent": "a"},
        {"text": "my card", "intent": "a", "entities": [{"entity": "c", "start": 3, "end": 40}]},
    ]
    jsonl_path = tmp_path / "a.jsonl"
    jsonl_path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_data(jsonl_path)
    assert info.value.code == "E104" and f"{jsonl_path}:2" in info.value.message
    rows[1]["entities"] = [{"entity": "c", "start": "3", "end": 7}]
    jsonl_path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_data(jsonl_path)
    assert (info.value.code, info.value.source) == ("E111", f"{jsonl_path}:2")


# --- tokens and scores ----------------------------------------------------------------------------


def test_a_span_inside_a_token_takes_the_whole_token():
    words, starts, ends = tokenize("two cards's fees")
    assert words == ["two", "cards", "'", "s", "fees"]
    assert bio_labels([("thing", 4, 8)], starts, ends) == ["O", "B-thing", "O", "O", "O"]


def test_entity_scores_exact_span_and_type():
    gold = [[EntitySpan("city", 0, 5), EntitySpan("date", 9, 15)], [{"entity": "city", "start": 3, "end": 8}]]
    predicted = [
        [
            {"entity": "city", "start": 0, "end": 5},
            {"entity": "time", "start": 9, "end": 15},
        ],  # 1 right, 1 wrong type
        [{"entity": "city", "start": 3, "end": 7}],  # span one character short: wrong
    ]
    scores = entity_scores(gold, predicted)
    assert (scores["precision"], scores["recall"]) == (
        pytest.approx(1 / 3, abs=1e-4),
        pytest.approx(1 / 3, abs=1e-4),
    )
    assert scores["per_entity"]["city"]["f1"] == 0.5
    assert scores["per_entity"]["date"] == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "support": 1,
        "predicted": 0,
    }
    assert entity_scores([[]], [[]])["f1"] == 0.0
    with pytest.raises(DataError) as info:
        entity_scores([[]], [])
    assert info.value.code == "E119"


def test_prediction_latency_is_tens_of_microseconds(accounts):
    """A loose guard (the benchmark measures for real): far below the ~0.1 ms of an intent predict."""
    _, model = accounts
    texts = ["move 10 from savings to checking", "what is in my current account", "hello there"] * 50
    for text in texts:
        model.predict_one(text)
    timings = []
    for text in texts:
        started = time.perf_counter()
        model.predict_one(text)
        timings.append(time.perf_counter() - started)
    assert float(np.median(timings)) < 1e-3
