"""Empathy cue detector: evidence spans, negation, shouting, pattern files, state, threads, quality."""

from __future__ import annotations

import json
import pickle
import threading
from pathlib import Path

import pytest

from empathy_nlu.cues import CUES, CueDetector, evaluate_cues
from empathy_nlu.errors import ConfigError, ModelError
from empathy_nlu.schema import Example

DATA = Path(__file__).parent / "data" / "cues.jsonl"


def labelled(split: str | None = None) -> list[Example]:
    rows = [json.loads(line) for line in DATA.read_text("utf-8").splitlines() if line.strip()]
    return [
        Example(text=r["text"], cues=tuple(r["cues"]), channel=r["channel"])
        for r in rows
        if split is None or r["split"] == split
    ]


@pytest.fixture(scope="module")
def detector() -> CueDetector:
    return CueDetector()


def check_evidence(text: str, result: dict) -> None:
    """Every evidence span is a slice of the raw text; spans are sorted and do not overlap."""
    assert tuple(result) == CUES
    for cue in CUES:
        score, evidence = result[cue]["score"], result[cue]["evidence"]
        assert 0.0 <= score <= 1.0
        assert (score == 0.0) == (evidence == [])
        for item in evidence:
            assert set(item) == {"text", "start", "end", "pattern"}
            assert text[item["start"] : item["end"]] == item["text"]
            assert item["pattern"]
        ends = [(e["start"], e["end"]) for e in evidence]
        assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:], strict=False))


@pytest.mark.parametrize(
    ("cue", "text", "evidence"),
    [
        ("frustration", "This is the third time I've asked about this refund", "third time"),
        ("frustration", "I keep getting an error when I log in", "keep getting"),
        ("frustration", "Nobody has helped me so far", "Nobody has helped"),
        ("frustration", "I'm fed up with this app", "fed up"),
        ("frustration", "What a waste of time this chat is", "waste of time"),
        ("frustration", "I\u2019ve already told you my postcode", "already told"),
        ("frustration", "The transfer has been pending for weeks, it's ridiculous", "ridiculous"),
        ("frustration", "My card was declined again?!", "?!"),
        ("frustration", "Thanks for nothing.", "Thanks for nothing"),
        ("urgency", "My card has been stolen", "stolen"),
        ("urgency", "I'm locked out of my account", "locked out of my account"),
        ("urgency", "I can't access my money", "can't access my money"),
        ("urgency", "I need the payment to go through by tomorrow", "by tomorrow"),
        ("urgency", "I need it before Friday", "before Friday"),
        ("urgency", "Please sort this asap", "asap"),
        ("urgency", "This is an emergency", "emergency"),
        ("urgency", "There's a fraudulent payment on my statement", "fraudulent"),
        ("urgency", "Block my card immediately", "immediately"),
        ("churn_risk", "I want to close my account", "close my account"),
        ("churn_risk", "Please cancel my account", "cancel my account"),
        ("churn_risk", "I'm switching to another bank", "switching to another bank"),
        ("request_human", "Is there a real person I can chat with", "real person I can chat"),
        ("churn_risk", "I'm leaving your bank", "leaving your bank"),
        ("churn_risk", "Honestly I'm done with you", "done with you"),
        ("churn_risk", "I will never use you again", "never use you again"),
        ("churn_risk", "I'm moving my money elsewhere", "moving my money elsewhere"),
        ("gratitude", "Thank you so much!", "Thank you"),
        ("gratitude", "thanks, that worked", "thanks"),
        ("gratitude", "I really appreciate it", "appreciate"),
        ("gratitude", "You've been very helpful", "very helpful"),
        ("gratitude", "Great service, cheers", "cheers"),
        ("gratitude", "all sorted 🙏", "🙏"),
        ("request_human", "Can I talk to a human?", "talk to a human"),
        ("request_human", "I want to speak to someone", "speak to someone"),
        ("request_human", "Is there a real person available?", "real person"),
        ("request_human", "Can you call me on my mobile", "call me"),
        ("request_human", "Get me a representative", "representative"),
        ("request_human", "Stop sending me bots", "Stop sending me bots"),
        ("request_human", "Transfer me to an agent", "Transfer me"),
    ],
)
def test_cue_fires_with_evidence(detector, cue, text, evidence):
    result = detector.detect(text)
    check_evidence(text, result)
    assert result[cue]["score"] >= 0.5
    assert evidence in [e["text"] for e in result[cue]["evidence"]]


def test_evidence_offsets_and_merging(detector):
    text = "Hi. This is the THIRD time!!! Nobody has helped."
    result = detector.detect(text)
    check_evidence(text, result)
    spans = {e["text"]: e for e in result["frustration"]["evidence"]}
    assert spans["THIRD time"]["start"] == text.index("THIRD")
    assert spans["!!!"]["pattern"] == "!!"  # two overlapping "!!" matches, merged into one span
    weights = (0.6, 0.3, 0.55)  # "third time", "!!", "nobody has helped" in the shipped patterns
    assert result["frustration"]["score"] == pytest.approx(1 - (1 - 0.6) * (1 - 0.3) * (1 - 0.55), abs=1e-4)
    assert len(result["frustration"]["evidence"]) == len(weights)
    assert result["urgency"] == {"score": 0.0, "evidence": []}  # "!!" only boosts a cue already present


def test_every_labelled_message_gives_valid_evidence(detector):
    for example in labelled():
        check_evidence(example.text, detector.detect(example.text))


@pytest.mark.parametrize(
    ("cue", "text"),
    [
        ("urgency", "It's not urgent."),
        ("urgency", "No rush, whenever you get a chance."),
        ("urgency", "I'm not in a hurry."),
        ("urgency", "Is there a fee for urgent transfers?"),
        ("urgency", "What do I do in case of an emergency abroad?"),
        ("request_human", "No need to call me, email is fine."),
        ("request_human", "Please don't call me."),
        ("request_human", "What is the representative APR on the loan?"),
        ("request_human", "Can you call me Alex from now on?"),
        ("churn_risk", "I'm not switching banks."),
        ("churn_risk", "I don't want to close my account."),
        ("churn_risk", "How do I close a savings pot without closing my account?"),
        ("gratitude", "Thanks for nothing."),
        ("frustration", "I'm not frustrated at all, just curious."),
    ],
)
def test_negations_cancel_the_cue(detector, cue, text):
    assert detector.detect(text)[cue] == {"score": 0.0, "evidence": []}


@pytest.mark.parametrize(
    ("cue", "text"),
    [
        ("frustration", "I still have my old card, can I keep using it?"),
        ("frustration", "Please confirm the SWIFT BIC code for the UK."),
        ("frustration", "The app asks me to verify my ID again, is that normal?"),
        ("urgency", "Is today a bank holiday?"),
        ("urgency", "What's the deadline for this year's ISA allowance?"),
        ("churn_risk", "How do I cancel a direct debit?"),
        ("churn_risk", "I'm moving my money into my savings pot, is there a limit?"),
        ("gratitude", "What kind of card is this?"),
        ("request_human", "Do you have an agent network for cash deposits?"),
    ],
)
def test_hard_negatives_stay_below_threshold(detector, cue, text):
    assert detector.detect(text)[cue]["score"] < 0.5


def test_shouting_raises_frustration_and_urgency(detector):
    calm = detector.detect("why is my card not working")
    loud = detector.detect("WHY IS MY CARD NOT WORKING")
    assert calm["frustration"]["score"] < 0.5 <= loud["frustration"]["score"]
    assert "shouting" in loud["frustration"]["evidence"][0]["pattern"]
    assert loud["frustration"]["evidence"][0]["text"] == "WHY IS MY CARD NOT WORKING"
    stolen = detector.detect("my card was stolen")["urgency"]["score"]
    assert detector.detect("MY CARD WAS STOLEN")["urgency"]["score"] > stolen
    assert detector.detect("my card was stolen!!")["urgency"]["score"] > stolen
    assert detector.detect("I need a new PIN for my ATM card")["frustration"]["score"] == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t",
        "😀🎉🔥",
        "Mi tarjeta no funciona desde ayer",
        "Ich möchte ein Konto eröffnen",
        "我想开一个账户",  # "I'd like to open an account": no feeling in any language
    ],
)
def test_empty_emoji_and_foreign_text_give_zeros(detector, text):
    """No cue in empty text, emoji, or calm messages in languages the cue files cover or not."""
    assert detector.detect(text) == {cue: {"score": 0.0, "evidence": []} for cue in CUES}


def test_long_text(detector):
    text = ("I have been waiting for weeks and this is unacceptable. " * 100)[:5000]
    result = detector.detect(text)
    check_evidence(text, result)
    assert result["frustration"]["score"] >= 0.5


def write(tmp_path: Path, lines: list[str], name: str = "patterns.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_custom_patterns_file(tmp_path):
    path = write(
        tmp_path,
        [
            "# a deployment's own phrases",
            json.dumps({"cue": "churn_risk", "weight": 0.9, "phrase": "Acme Bank"}),
            json.dumps({"cue": "urgency", "weight": 0.8, "pattern": [{"LOWER": "code"}, {"LOWER": "red"}]}),
            json.dumps({"cue": "urgency", "negates": True, "phrase": "not a code red"}),
            json.dumps(
                {
                    "cue": "frustration",
                    "weight": 0.7,
                    "id": "ticket again",
                    "pattern": [{"LOWER": "ticket"}, {"TEXT": {"REGEX": r"^\d{3,}$"}}, {"LOWER": "again"}],
                }
            ),  # fmt: skip
        ],
    )
    custom = CueDetector(path)
    text = "Code red: moving to acme bank, thanks"
    result = custom.detect(text)
    check_evidence(text, result)
    start = text.index("acme")
    assert result["churn_risk"]["evidence"] == [
        {"text": "acme bank", "start": start, "end": start + 9, "pattern": "acme bank"}
    ]
    assert result["urgency"]["evidence"][0]["pattern"] == "code red"
    assert result["gratitude"]["score"] == 0.0  # the shipped patterns are not used
    assert custom.detect("It is not a code red")["urgency"]["score"] == 0.0
    ticket = custom.detect("ticket 12345 again")["frustration"]
    assert ticket["score"] == 0.7 and ticket["evidence"][0]["pattern"] == "ticket again"


def test_patterns_load_lazily(tmp_path):
    detector = CueDetector(tmp_path / "missing.jsonl")  # parameters only: nothing read yet
    with pytest.raises(ConfigError) as info:
        detector.detect("hello")
    assert info.value.code == "E420" and "missing.jsonl" in str(info.value)


GOOD = json.dumps({"cue": "urgency", "weight": 0.5, "phrase": "asap"})


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ("{not json", "E421"),
        ("[1, 2]", "E421"),
        (json.dumps({"cue": "anger", "weight": 0.5, "phrase": "grr"}), "E422"),
        (json.dumps({"weight": 0.5, "phrase": "grr"}), "E422"),
        (json.dumps({"cue": "urgency", "weight": 0, "phrase": "now"}), "E423"),
        (json.dumps({"cue": "urgency", "weight": 1.5, "phrase": "now"}), "E423"),
        (json.dumps({"cue": "urgency", "weight": "high", "phrase": "now"}), "E423"),
        (json.dumps({"cue": "urgency", "phrase": "now"}), "E423"),
        (json.dumps({"cue": "urgency", "weight": 0.5}), "E424"),
        (json.dumps({"cue": "urgency", "weight": 0.5, "phrase": "a", "pattern": [{"LOWER": "a"}]}), "E424"),
        (json.dumps({"cue": "urgency", "weight": 0.5, "pattern": [{"LEMMA": "steal"}]}), "E425"),
        (json.dumps({"cue": "urgency", "weight": 0.5, "pattern": [{"LOWR": "now"}]}), "E425"),
        (json.dumps({"cue": "urgency", "weight": 0.5, "pattern": []}), "E425"),
        (json.dumps({"cue": "urgency", "weight": 0.5, "pattern": [{"LOWER": "Now"}]}), "E425"),
        (json.dumps({"cue": "urgency", "weight": 0.5, "pattern": [{"LOWER": {"REGEX": "(("}}]}), "E425"),
        (json.dumps({"cue": "urgency", "weight": 0.5, "pattern": [{"LOWER": "can't"}]}), "E425"),
        (json.dumps({"cue": "urgency", "weight": 0.5, "pattern": [{"LOWER": {"NOPE": ["a"]}}]}), "E425"),
        (json.dumps({"cue": "urgency", "weight": 0.5, "pattern": [{"LOWER": "a", "OP": "%"}]}), "E425"),
        (json.dumps({"cue": "urgency", "weight": 0.5, "phrase": "now", "negate": True}), "E426"),
        (json.dumps({"cue": "urgency", "weight": 0.5, "phrase": "now", "scope": 2}), "E427"),
        (json.dumps({"cue": "urgency", "phrase": "now", "negates": True, "boost": True}), "E427"),
    ],
)
def test_bad_pattern_file_names_file_and_line(tmp_path, bad, code):
    path = write(tmp_path, ["# comment", GOOD, bad, GOOD])
    with pytest.raises(ConfigError) as info:
        CueDetector(path).detect("hello")
    assert info.value.code == code
    assert f"{path}:3" in str(info.value)


def test_pattern_file_without_patterns(tmp_path):
    path = write(
        tmp_path, ["# nothing here", "", json.dumps({"cue": "urgency", "negates": True, "phrase": "x"})]
    )
    with pytest.raises(ConfigError) as info:
        CueDetector(path).detect("hello")
    assert info.value.code == "E428" and str(path) in str(info.value)


def test_state_round_trip(tmp_path):
    path = write(tmp_path, [GOOD, json.dumps({"cue": "gratitude", "weight": 0.6, "phrase": "ta muchly"})])
    for original in (CueDetector(), CueDetector(path)):
        state, arrays = original.to_state()
        assert arrays == {}
        state = json.loads(json.dumps(state))  # JSON-able
        restored = CueDetector.from_state(state, arrays)
        for example in labelled() + [Example(text="ta muchly, asap")]:
            assert restored.detect(example.text) == original.detect(example.text)
    path.unlink()  # the state carries the patterns themselves
    assert restored.detect("ta muchly")["gratitude"]["score"] == 0.6


def test_pickle_round_trip(detector):
    copy = pickle.loads(pickle.dumps(detector))
    text = "Third time asking, I want to close my account!!"
    assert copy.detect(text) == detector.detect(text)


@pytest.mark.parametrize(
    "state",
    [
        {"format": "something/else", "cues": list(CUES), "patterns": []},
        {"format": "empathy_nlu.cues/1", "cues": ["frustration"], "patterns": []},
        {"format": "empathy_nlu.cues/1", "cues": list(CUES), "patterns": [{"cue": "nope", "phrase": "x"}]},
        {"format": "empathy_nlu.cues/1", "cues": list(CUES), "patterns": []},
        "not a dict",
    ],
)
def test_bad_state_is_model_error(state):
    with pytest.raises(ModelError) as info:
        CueDetector.from_state(state, {})
    assert info.value.code == "E220"


def test_concurrent_detect_from_8_threads():
    texts = [e.text for e in labelled()]
    single = CueDetector()
    expected = [single.detect(t) for t in texts]
    shared = CueDetector()  # fresh: the threads also race to load and compile
    barrier = threading.Barrier(8)
    results: dict[int, dict[int, list]] = {}
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            got: dict[int, list] = {}
            for _ in range(3):
                for i in list(range(n * 7, len(texts))) + list(range(n * 7)):  # each thread its own order
                    got.setdefault(i, []).append(shared.detect(texts[i]))
            results[n] = got
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 8
    for got in results.values():
        assert len(got) == len(texts)
        for i, outputs in got.items():
            assert outputs == [expected[i]] * 3, texts[i]


def test_labelled_set_shape():
    rows = [json.loads(line) for line in DATA.read_text("utf-8").splitlines()]
    assert len(rows) >= 200
    assert len({r["text"] for r in rows}) == len(rows)
    # dev: tuned on; test: held out while tuning; probe: written after the patterns were frozen.
    assert {r["split"] for r in rows} == {"dev", "test", "probe"}
    assert sum(r["split"] == "test" for r in rows) >= 100
    for r in rows:
        assert set(r["cues"]) <= set(CUES) and r["channel"] in {"chat", "email", "sms", "voice"}
    counts = [sum(cue in r["cues"] for r in rows) for cue in CUES]
    assert min(counts) >= 20
    assert sum(not r["cues"] for r in rows) >= 50 and sum(len(r["cues"]) >= 2 for r in rows) >= 20


def test_evaluate_cues_counts_and_skips_unlabelled(detector):
    examples = [
        Example(text="thank you!", cues=("gratitude",)),
        Example(text="close my account now", cues=("churn_risk",)),
        Example(text="hello", cues=("urgency",)),  # missed
        Example(text="asap please", cues=()),  # false alarm
        Example(text="thanks", cues=None),  # unlabelled: skipped
    ]
    report = evaluate_cues(detector, examples)
    assert report["n"] == 4 and report["threshold"] == 0.5
    assert report["per_cue"]["gratitude"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert report["per_cue"]["urgency"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert report["macro_f1"] == pytest.approx(sum(m["f1"] for m in report["per_cue"].values()) / 5)


# Measured on the test half with the shipped patterns: macro-F1 0.949, lowest cue F1 0.903
# (churn_risk; docs/cues.md). The floors sit a little below, so a regression fails.
MACRO_FLOOR = 0.90
CUE_FLOOR = 0.85


def test_quality_floor_on_test_half(detector):
    report = evaluate_cues(detector, labelled("test"))
    assert report["n"] >= 100
    assert report["macro_f1"] >= MACRO_FLOOR, report
    for cue, metrics in report["per_cue"].items():
        assert metrics["f1"] >= CUE_FLOOR, (cue, metrics)
