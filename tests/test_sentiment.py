"""Sentiment: negation, emoji, shouting, mixed feelings, odd text, separate sources, save/load."""

import json

import numpy as np
import pytest

from conftest import DEFAULT_DATA, SENTIMENT_DATA
from empathy_nlu import Classifier, DataError
from empathy_nlu.features import SparseFeaturizer
from empathy_nlu.preprocessing import preprocess
from empathy_nlu.sentiment import AFFECT_FEATURES, SentimentClassifier, affect_features, mark_negation


@pytest.fixture(scope="module")
def model():
    """Intents from support.yaml, sentiment from support.yaml and sentiment.jsonl."""
    return Classifier.train([DEFAULT_DATA, SENTIMENT_DATA])


def label(model, text):
    return model.predict(text).sentiment["label"]


def test_negation_marking():
    assert mark_negation(("i", "am", "not", "happy", "at", "all", ".", "ok")) == (
        "i",
        "am",
        "not",
        "not_happy",
        "not_at",
        "not_all",
        ".",
        "ok",
    )
    assert mark_negation(("no", "complaints", "but", "slow")) == ("no", "not_complaints", "but", "slow")


def test_affect_features_see_negation_shouting_and_sarcasm():
    from empathy_nlu.sentiment import load_vader_lexicon

    lexicon = load_vader_lexicon()
    names = list(AFFECT_FEATURES)

    def features(text):
        return dict(zip(names, affect_features(preprocess(text), lexicon).tolist(), strict=True))

    assert features("I am happy")["lexicon_positive"] > 0
    negated = features("I am not happy")
    assert negated["lexicon_positive"] == 0 and negated["lexicon_negative"] > 0
    assert features("THIS IS RIDICULOUS fix it")["shouting"] > 0.5
    assert features("This is ridiculous fix it")["shouting"] == 0
    assert features("Great, another fee")["positive_opener_then_complaint"] == 1.0
    assert features("Great, thanks a lot")["positive_opener_then_complaint"] == 0.0


def test_prediction_fields(model):
    sentiment = model.predict("thank you so much, you were brilliant").sentiment
    assert sentiment["label"] == "positive"
    assert -1 <= sentiment["score"] <= 1 and sentiment["score"] > 0.3
    assert 0 < sentiment["confidence"] <= 1
    assert sum(sentiment["probabilities"].values()) == pytest.approx(1, abs=1e-5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I am not happy with this service at all", "negative"),
        ("no complaints, everything worked perfectly", "positive"),
        ("not bad at all, quick and easy", "positive"),
        ("this wasn't helpful", "negative"),
    ],
)
def test_negation(model, text, expected):
    assert label(model, text) == expected


def test_emoji_and_emoticons(model):
    assert label(model, "my transfer went through 😊👍") == "positive"
    assert label(model, "still waiting for my refund 😡😡") == "negative"
    assert model.predict("app keeps crashing :(").sentiment["score"] < 0


def test_shouting_makes_it_more_negative(model):
    calm = model.predict("where is my refund, it has been a week").sentiment["score"]
    shouted = model.predict("WHERE IS MY REFUND, IT HAS BEEN A WEEK!!!").sentiment["score"]
    assert shouted < calm
    assert label(model, "WHERE IS MY REFUND, IT HAS BEEN A WEEK!!!") == "negative"


def test_mixed_sentiment_follows_the_overall_tone(model):
    assert label(model, "the app looks nice but support is useless and rude") == "negative"
    assert label(model, "the wait was long but the agent was wonderful and fixed everything") == "positive"


def test_sarcasm_marker(model):
    assert label(model, "great, another fee. just what I needed") == "negative"


def test_neutral_questions(model):
    assert label(model, "how do I change the address on my account?") == "neutral"


@pytest.mark.parametrize("odd", ["", "   ", "今天天气怎么样", "🤷"])
def test_empty_and_non_english_do_not_crash(model, odd):
    sentiment = model.predict(odd).sentiment
    if sentiment is not None:  # empty text has no sentiment; other odd text is answered
        assert sentiment["label"] in {"negative", "neutral", "positive"}
    assert model.predict("").sentiment is None


def test_intent_and_sentiment_from_different_files(tmp_path):
    intents = tmp_path / "intents.jsonl"
    feelings = tmp_path / "feelings.jsonl"
    intents.write_text(
        "".join(
            json.dumps({"text": t, "intent": i}) + "\n"
            for t, i in [
                ("i lost my card", "lost_card"),
                ("my card is gone", "lost_card"),
                ("card missing", "lost_card"),
                ("refund please", "refund"),
                ("i want my money back", "refund"),
                ("refund my order", "refund"),
            ]
        )
    )
    feelings.write_text(
        "".join(
            json.dumps({"text": t, "sentiment": s}) + "\n"
            for t, s in [
                ("love it", "positive"),
                ("wonderful people", "positive"),
                ("so helpful thanks", "positive"),
                ("terrible", "negative"),
                ("awful service", "negative"),
                ("i hate this", "negative"),
                ("what time is it", "neutral"),
                ("where is the branch", "neutral"),
                ("my name is sam", "neutral"),
            ]
        )
    )
    model = Classifier.train([intents, feelings])
    assert model.labels == ["lost_card", "refund"]
    assert model.manifest["sentiment_labels"] == ["negative", "neutral", "positive"]
    prediction = model.predict("i lost my card, awful")
    assert prediction.intent.name == "lost_card" and prediction.sentiment["label"] == "negative"
    sentiment_only = Classifier.train([feelings])
    assert sentiment_only.predict("awful").intent is None
    assert sentiment_only.predict("awful").to_dict()["intent"] is None


def test_save_load_round_trip(model, tmp_path):
    loaded = Classifier.load(model.save(tmp_path / "m"))
    for text in ["not happy at all", "THANK YOU!!! 🙏", "where is my card"]:
        assert loaded.predict(text).to_dict() == model.predict(text).to_dict()


def test_batch_matches_single(model):
    texts = ["not happy at all", "love this app", "what is my balance"]
    for text, batch in zip(texts, model.predict_batch(texts), strict=True):
        single = model.predict(text).sentiment
        assert batch.sentiment["label"] == single["label"]
        assert batch.sentiment["score"] == pytest.approx(single["score"], abs=1e-4)


def test_bad_sentiment_labels():
    docs = [preprocess(t) for t in ["a b", "b c", "c d", "d e"]]
    X = SparseFeaturizer().fit(docs).transform(docs)
    with pytest.raises(DataError, match="unknown sentiment labels"):
        SentimentClassifier().fit(X, docs, ["negative", "angry", "neutral", "neutral"])
    with pytest.raises(DataError, match="at least 2 labels"):
        SentimentClassifier().fit(X, docs, ["neutral"] * 4)


def test_cross_validated_metrics_in_manifest(model):
    cv = model.manifest["metrics"]["sentiment_cross_validation"]
    assert cv["folds"] == 3 and 0.5 < cv["accuracy"] <= 1 and 0 <= cv["ece"] < 0.2
    assert np.isfinite(cv["ece"])


def test_evaluate_reports_sentiment_and_cues(model, tmp_path, capsys):
    from empathy_nlu.cli import main

    data = tmp_path / "eval.jsonl"
    rows = [
        {"text": "thank you so much, brilliant help", "sentiment": "positive", "cues": ["gratitude"]},
        {"text": "THIRD time asking, still broken!!", "sentiment": "negative", "cues": ["frustration"]},
        {"text": "what are your opening hours", "sentiment": "neutral", "cues": []},
        {"text": "let me talk to a real person", "sentiment": "neutral", "cues": ["request_human"]},
    ]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    model_dir = model.save(tmp_path / "m")
    assert main(["-q", "evaluate", "--model", str(model_dir), str(data)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 4 and report["intent"] is None
    assert set(report["sentiment"]) == {"accuracy", "macro_f1", "per_label"}
    assert report["sentiment"]["accuracy"] >= 0.75
    assert set(report["cues"]["per_cue"]) == {
        "frustration",
        "urgency",
        "churn_risk",
        "gratitude",
        "request_human",
    }
    assert report["cues"]["per_cue"]["gratitude"]["recall"] == 1.0
