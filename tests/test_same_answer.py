"""Same input, same answer: a prediction is a function of (model, utterance, history, reference time,
channel) only. Single vs batch, replayed vs cold, threads and processes must agree bit for bit."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from conftest import ROOT, read_jsonl, shared
from empathy_nlu import Classifier, Example
from empathy_nlu.config import with_tier
from empathy_nlu.dataset import load_data

REFERENCE = "2026-11-23T10:00:00+00:00"


def as_json(prediction) -> str:
    return json.dumps(prediction.to_dict(), sort_keys=True, default=str)


@pytest.fixture(scope="module")
def sgd_model(tmp_path_factory):
    """A history-aware model trained on 300 SGD train dialogues (a few seconds)."""
    train = load_data(shared("sgd_dialogues/train.jsonl"))
    model = Classifier.train(replace(train, dialogues=train.dialogues[:300]), {"cues": {"enabled": True}})
    return model, model.save(tmp_path_factory.mktemp("models") / "sgd")


@pytest.fixture(scope="module")
def sgd_dev():
    return load_data(shared("sgd_dialogues/dev.jsonl")).dialogues


def last_customer_cases(dialogues, n: int) -> list[dict]:
    """The last customer turn of each dialogue with the raw turns before it (no intents)."""
    cases = []
    for dialogue in dialogues[:n]:
        turns = list(dialogue.turns)
        last = max(i for i, t in enumerate(turns) if t.speaker == "customer")
        history = [{"text": t.text, "speaker": t.speaker, "channel": t.channel} for t in turns[:last]]
        cases.append({"text": turns[last].text, "history": history})
    return cases


def test_predict_is_predict_batch_of_one_on_the_default_model():
    model = Classifier.load()
    texts = [ex.text for ex in read_jsonl(shared("banking77/test.jsonl"))][::10][:300]
    texts += ["", "   ", "🙂", "my card 4111 1111 1111 1111 was stolen!!", "x" * 6000]
    batch = model.predict_batch(texts, reference_times=[REFERENCE] * len(texts))
    single = [model.predict(t, reference_time=REFERENCE) for t in texts]
    assert [as_json(p) for p in batch] == [as_json(p) for p in single]


def test_history_batch_matches_single_calls(sgd_model, sgd_dev):
    model, _ = sgd_model
    cases = last_customer_cases(sgd_dev, 60)
    channels = [random.Random(i).choice([None, "chat", "email"]) for i in range(len(cases))]
    batch = model.predict_batch(
        [c["text"] for c in cases],
        [c["history"] for c in cases],
        reference_times=[REFERENCE] * len(cases),
        channels=channels,
    )
    single = [
        model.predict(c["text"], c["history"], reference_time=REFERENCE, channel=ch)
        for c, ch in zip(cases, channels, strict=True)
    ]
    assert [as_json(p) for p in batch] == [as_json(p) for p in single]
    assert any(p.context["intent_source"] == "history" for p in single)  # the history mattered


def replayed(model: Classifier, dialogues) -> list[str]:
    """Each dialogue served turn by turn; the prediction of its last customer turn."""
    out = []
    for dialogue in dialogues:
        turns = list(dialogue.turns)
        last = max(i for i, t in enumerate(turns) if t.speaker == "customer")
        history = [{"text": t.text, "speaker": t.speaker, "channel": t.channel} for t in turns]
        for i, turn in enumerate(turns[: last + 1]):
            if turn.speaker == "customer":
                prediction = model.predict(turn.text, history[:i], reference_time=REFERENCE)
        out.append(as_json(prediction))
    return out


COLD = """
import json, random, sys
from empathy_nlu import Classifier
model = Classifier.load(sys.argv[1])
cases = json.loads(sys.stdin.read())
order = list(range(len(cases)))
random.Random(int(sys.argv[2])).shuffle(order)
out = [None] * len(cases)
for i in order:
    p = model.predict(cases[i]["text"], cases[i]["history"], reference_time=sys.argv[3])
    out[i] = json.dumps(p.to_dict(), sort_keys=True, default=str)
print(json.dumps(out))
"""


def cold_in_a_new_process(model_dir, cases, seed: int) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-c", COLD, str(model_dir), str(seed), REFERENCE],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(run.stdout)


@pytest.mark.slow
def test_replayed_turn_by_turn_equals_cold_in_other_processes(sgd_model, sgd_dev):
    model, model_dir = sgd_model
    dialogues = sgd_dev[:40]
    served = replayed(model, dialogues)
    cases = last_customer_cases(dialogues, len(dialogues))
    first = cold_in_a_new_process(model_dir, cases, seed=1)
    second = cold_in_a_new_process(model_dir, cases, seed=2)
    assert served == first == second


def test_eight_threads_give_the_answers_of_one(sgd_model, sgd_dev):
    model, model_dir = sgd_model
    cases = last_customer_cases(sgd_dev[40:], 40)
    fresh = Classifier.load(model_dir)
    alone = [as_json(fresh.predict(c["text"], c["history"], reference_time=REFERENCE)) for c in cases]

    def worker(seed: int) -> list[str]:
        order = list(range(len(cases)))
        random.Random(seed).shuffle(order)
        out = [None] * len(cases)
        for i in order:
            out[i] = as_json(model.predict(cases[i]["text"], cases[i]["history"], reference_time=REFERENCE))
        return out

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(worker, range(8)))
    assert all(result == alone for result in results)


def test_multi_intent_single_equals_batch():
    from test_multi_intent import toy_examples

    model = Classifier.train(toy_examples())
    texts = ["cancel it and send a new card", "hello", "", "new card please", "zzz"]
    assert [as_json(p) for p in model.predict_batch(texts, reference_times=[REFERENCE] * 5)] == [
        as_json(model.predict(t, reference_time=REFERENCE)) for t in texts
    ]


@pytest.mark.slow
def test_accurate_tier_single_equals_batch():
    pytest.importorskip("sentence_transformers")
    examples = [ex for ex in read_jsonl(shared("banking77/train.jsonl"), limit_per_intent=3)][:60]
    model = Classifier.train(examples, with_tier(None, "accurate"))
    texts = [ex.text for ex in read_jsonl(shared("banking77/test.jsonl"))][:40:2]
    assert [as_json(p) for p in model.predict_batch(texts, reference_times=[REFERENCE] * len(texts))] == [
        as_json(model.predict(t, reference_time=REFERENCE)) for t in texts
    ]


def test_results_do_not_depend_on_earlier_calls():
    model = Classifier.train([Example("my card is lost", "lost_card"), Example("hello", "greeting")] * 3)
    history = ["my card is lost", {"speaker": "agent", "text": "which card?"}]
    before = as_json(model.predict("the blue one", history, reference_time=REFERENCE))
    for text in ["hello", "my card is lost", "the blue one"] * 5:
        model.predict(text, history, reference_time=REFERENCE)
    assert as_json(model.predict("the blue one", history, reference_time=REFERENCE)) == before


def test_changing_a_returned_prediction_never_changes_a_later_answer(support_model, tmp_path):
    history = [{"text": "I paid $40 on 2026-11-20 and it never arrived", "timestamp": REFERENCE}]
    first = support_model.predict("still nothing, I paid $40", history, reference_time=REFERENCE)
    before = as_json(first)
    first.entities[0]["value"]["amount"] = -1  # a caller editing what it got back
    first.sentiment["score"] = 99.0
    first.context["entities"].clear()
    assert (
        as_json(support_model.predict("still nothing, I paid $40", history, reference_time=REFERENCE))
        == before
    )
    # the edited turn is now history: the answer equals a fresh model's, which never saw the edit
    longer = [*history, {"text": "still nothing, I paid $40", "timestamp": REFERENCE}]
    fresh = Classifier.load(support_model.save(tmp_path / "fresh"))
    assert as_json(support_model.predict("any news?", longer, reference_time=REFERENCE)) == as_json(
        fresh.predict("any news?", longer, reference_time=REFERENCE)
    )
