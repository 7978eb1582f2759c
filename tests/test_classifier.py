import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from conftest import DEFAULT_MODEL_DATA, read_jsonl, shared
from empathy_nlu import Classifier, InputError, Prediction, Turn, default_model_path
from empathy_nlu.config import make_config
from empathy_nlu.dataset import load_many
from empathy_nlu.training import data_fingerprint, training_examples

MESSAGES = [
    "I lost my card somewhere in town",
    "why was I charged twice for one purchase",
    "I want to speak to a human",
    "hello!",
    "what's the capital of peru",
]


def test_prediction_shape_is_json(support_model):
    prediction = support_model.predict("somebody stole my card", history=["hi"])
    assert isinstance(prediction, Prediction)
    data = json.loads(json.dumps(prediction.to_dict()))
    assert set(data) >= {
        "text",
        "intent",
        "intent_ranking",
        "out_of_scope",
        "sentiment",
        "cues",
        "entities",
        "context",
    }
    assert data["sentiment"]["label"] in {"negative", "neutral", "positive"}
    assert set(data["cues"]) == {"frustration", "urgency", "churn_risk", "gratitude", "request_human"}
    assert data["entities"] == []  # nothing to extract in this utterance
    assert data["context"]["turns_considered"] == 1 and data["context"]["handoff"]["recommended"] is False
    assert data["intent"]["name"] == "lost_or_stolen_card"
    ranking = [r["confidence"] for r in data["intent_ranking"]]
    assert ranking == sorted(ranking, reverse=True) and 0 < sum(ranking) <= 1.0001


def test_out_of_scope_examples_are_recognized(support_model):
    prediction = support_model.predict("what's the capital of peru")
    assert prediction.out_of_scope and prediction.intent.name == "out_of_scope"


def test_save_load_round_trip_gives_identical_predictions(support_model, saved_support_model):
    loaded = Classifier.load(saved_support_model)
    for text in MESSAGES:
        assert loaded.predict(text).to_dict() == support_model.predict(text).to_dict()
    assert loaded.labels == support_model.labels


def test_predict_batch_matches_predict(support_model):
    batch = support_model.predict_batch(MESSAGES + [""])
    for text, prediction in zip(MESSAGES + [""], batch, strict=True):
        single = support_model.predict(text).to_dict()
        assert prediction.intent.name == single["intent"]["name"]
        assert prediction.intent.confidence == pytest.approx(single["intent"]["confidence"], abs=1e-5)


@pytest.mark.parametrize("bad", [None, 42, ["a list"], b"bytes are not text"])
def test_non_text_input_is_a_clear_error(support_model, bad):
    with pytest.raises(InputError, match="utterance must be str") as info:
        support_model.predict(bad)
    assert info.value.code == "E301"


@pytest.mark.parametrize("odd", ["", "   \n\t ", "\x00\x01\x02", "今天天气怎么样？", "🙂🙂🙂", "????"])
def test_odd_text_gets_a_graceful_out_of_scope_answer(support_model, odd):
    prediction = support_model.predict(odd)
    assert prediction.out_of_scope
    assert prediction.intent.name == "out_of_scope"


def test_control_characters_inside_text(support_model):
    assert support_model.predict("i lost\x00 my\x1b card").intent.name == "lost_or_stolen_card"


def test_one_megabyte_string_is_bounded(support_model):
    huge = "my card is lost " * 65_536
    prediction = support_model.predict(huge)
    assert prediction.intent.name == "lost_or_stolen_card" and prediction.truncated
    max_chars = support_model.config["predict"]["max_chars"]
    assert prediction.text == huge[:max_chars]  # the part read is echoed, not the megabyte
    assert support_model.predict("my card is lost").truncated is False


def test_history_forms_are_accepted(support_model):
    when = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    history = [
        "hi",
        {
            "text": "hello, how can I help?",
            "speaker": "agent",
            "channel": "chat",
            "timestamp": "2026-11-20T09:30Z",
        },
        Turn(text="my card", speaker="customer", channel="email", timestamp=when),
        {"text": "ok", "timestamp": 1763631000},
    ]
    assert support_model.predict("it's lost", history).intent.name == "lost_or_stolen_card"


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ("a bare string", "list of turns"),
        ([{"speaker": "agent"}], r"history\[0\].text"),
        ([{"text": "x", "speaker": "robot"}], "speaker must be one of"),
        ([{"text": "x", "txt": "typo"}], "unknown keys"),
        ([{"text": "x", "timestamp": "yesterday-ish"}], "timestamp"),
        (["ok", 3.5], r"history\[1\]"),
    ],
)
def test_malformed_history_is_a_clear_error(support_model, history, message):
    with pytest.raises(InputError, match=message):
        support_model.predict("hello", history)


def test_concurrent_predicts_from_threads(support_model):
    expected = {text: support_model.predict(text).to_dict() for text in MESSAGES}
    jobs = MESSAGES * 200
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda t: (t, support_model.predict(t).to_dict()), jobs))
    assert len(results) == len(jobs)
    assert all(result == expected[text] for text, result in results)


def test_bundled_default_model_matches_current_data():
    """Fails when data/ changes without `make default-model`: the shipped model must be trained on it."""
    model = Classifier.load(default_model_path())
    dataset = load_many(DEFAULT_MODEL_DATA)
    intent_examples, sentiment_examples = training_examples(dataset)
    fingerprint = data_fingerprint(intent_examples + sentiment_examples, dataset)
    assert model.manifest["training_data"]["sha256"] == fingerprint
    assert model.manifest["config"] == make_config()
    assert {"context_intent", "slot_filler"} <= set(model.components)  # dialogues, custom entities


def test_banking77_subset_accuracy():
    train = read_jsonl(shared("banking77/train.jsonl"), limit_per_intent=40)
    test = read_jsonl(shared("banking77/test.jsonl"), limit_per_intent=10)
    model = Classifier.train(train)
    predictions = model.predict_batch([ex.text for ex in test])
    accuracy = sum(p.intent.name == ex.intent for p, ex in zip(predictions, test, strict=True)) / len(test)
    assert accuracy >= 0.80, accuracy


def test_batch_restores_the_garbage_collector(support_model):
    import gc

    assert gc.isenabled()
    support_model.predict_batch(MESSAGES)
    assert gc.isenabled()
    with pytest.raises(InputError):
        support_model.predict_batch(["fine", None])
    assert gc.isenabled()
    gc.disable()  # a caller's own choice is left alone
    try:
        support_model.predict_batch(MESSAGES)
        assert not gc.isenabled()
    finally:
        gc.enable()
