"""Sentiment in Chinese, Japanese, Korean, Spanish and Arabic from an English-trained model plus lexicons."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import DEFAULT_DATA, SENTIMENT_DATA
from empathy_nlu import Classifier
from empathy_nlu.cues.phrases import LANGUAGES
from empathy_nlu.errors import ConfigError, ModelError
from empathy_nlu.language.detect import LanguageGuess
from empathy_nlu.preprocessing import preprocess
from empathy_nlu.sentiment import AFFECT_FEATURES, SentimentClassifier, affect_features
from empathy_nlu.sentiment.languages import LanguageLexicons, parse_lexicon, read_all_lexicons, read_lexicon

DATA = Path(__file__).parent / "data"
DEV_FLOOR = 0.8  # sentiment accuracy on each language's dev split


def feelings(code: str, split: str) -> list[dict]:
    rows = [json.loads(line) for line in (DATA / f"feelings_{code}.jsonl").read_text("utf-8").splitlines()]
    return [r for r in rows if r["split"] == split]


@pytest.fixture(scope="module")
def model() -> Classifier:
    """Trained on English data only (support.yaml and sentiment.jsonl)."""
    return Classifier.train([DEFAULT_DATA, SENTIMENT_DATA])


@pytest.fixture(scope="module")
def lexicons() -> LanguageLexicons:
    return LanguageLexicons(read_all_lexicons())


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("非常感谢，问题解决了", "positive"),
        ("服务太差了，我很失望", "negative"),
        ("丁寧に対応していただき、ありがとうございました", "positive"),
        ("最悪です。本当にがっかりしました", "negative"),
        ("친절하게 도와주셔서 감사합니다", "positive"),
        ("정말 최악이에요. 너무 실망했어요", "negative"),
        ("Muchas gracias, todo perfecto", "positive"),
        ("Es una vergüenza, estoy harto", "negative"),
        ("شكرا جزيلا، خدمة ممتازة", "positive"),
        ("خدمة سيئة جدا، أنا غاضب", "negative"),
    ],
)
def test_an_english_trained_model_reads_clear_feelings_in_other_languages(model, text, label):
    assert model.predict(text).sentiment["label"] == label


@pytest.mark.parametrize("code", LANGUAGES)
def test_dev_split_reaches_the_floor(model, code):
    rows = feelings(code, "dev")
    predictions = model.predict_batch([r["text"] for r in rows])
    correct = sum(p.sentiment["label"] == r["sentiment"] for p, r in zip(predictions, rows, strict=True))
    assert correct / len(rows) >= DEV_FLOOR


def test_lexicons_find_valences_negation_and_contrast(lexicons):
    assert lexicons.affect("我很满意").valences == (2.0,)
    assert lexicons.affect("我不满意").valences == (-2.5,)  # its own entry, not "满意" flipped
    flipped = lexicons.affect("不好")  # an entry too; "不" + "方便" is flipped by the negator
    assert flipped.valences[0] < 0
    assert lexicons.affect("真不方便") is not None
    spanish = lexicons.affect("No estoy contento", LanguageGuess("es", 0.9))
    assert spanish.negated and spanish.valences[0] < 0
    contrast = lexicons.affect("La app es genial pero el servicio es pésimo")
    assert contrast.after_contrast is not None and contrast.after_contrast < 0
    assert lexicons.affect("السلام عليكم، شكرا").negated is False  # "لا" inside a word is no negator
    assert lexicons.affect("the app is great") is None
    assert lexicons.affect("Gracias", LanguageGuess("en", 0.99)) is None


def test_language_valences_fill_the_english_affect_features(lexicons):
    names = list(AFFECT_FEATURES)
    text = "谢谢！服务很好"
    values = dict(
        zip(names, affect_features(preprocess(text), {}, lexicons.affect(text)).tolist(), strict=True)
    )
    assert values["lexicon_positive"] > 0.5 and values["lexicon_negative"] == 0.0
    assert values["exclamation"] > 0  # the full-width mark counts
    english = preprocess("thanks, great service")
    assert np.array_equal(
        affect_features(english, {"great": 3.1}), affect_features(english, {"great": 3.1}, None)
    )


def test_a_text_with_no_known_word_is_not_read_from_its_punctuation(model):
    """Only ". " was known in "감사합니다. 문제가 해결됐어요": English data made it lean negative."""
    assert model.predict("도와주셔서 감사합니다. 문제가 해결됐어요").sentiment["label"] == "positive"


def test_state_carries_the_lexicons_and_old_states_get_the_shipped_ones(model):
    sentiment = model.components["sentiment"].model_
    state, arrays = sentiment.to_state()
    assert set(state["language_lexicons"]) == set(LANGUAGES)
    saved = json.loads(json.dumps(state))
    saved["language_lexicons"] = {"zh": {"好评": 3.0}}
    restored = SentimentClassifier.from_state(saved, arrays)
    assert restored.languages_.affect("给你们好评").valences == (3.0,)
    assert restored.languages_.affect("谢谢").valences == ()
    del saved["language_lexicons"]
    assert SentimentClassifier.from_state(saved, arrays).languages_.affect("谢谢").valences == (2.0,)
    saved["language_lexicons"] = {"zh": {"好": "very"}}
    with pytest.raises(ModelError) as info:
        SentimentClassifier.from_state(saved, arrays)
    assert info.value.code == "E204"


def test_lexicon_file_errors(tmp_path):
    with pytest.raises(ConfigError) as info:
        read_lexicon("xx")
    assert info.value.code == "E460"
    with pytest.raises(ConfigError) as info:
        read_lexicon("zh", tmp_path / "missing.tsv")
    assert info.value.code == "E460"
    for line in ("好 2", "好\t9", "好\tnan", "\t2", "好\tvery"):
        with pytest.raises(ConfigError) as info:
            parse_lexicon([line], "test")
        assert info.value.code == "E461", line
    assert parse_lexicon(["# comment", "", "好\t1.5", "不\tnegator", "但是\tcontrast"], "test") == {
        "好": 1.5,
        "不": "negator",
        "但是": "contrast",
    }


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_shipped_lexicon_has_both_polarities_and_a_negator(code):
    lexicon = read_lexicon(code)
    values = [v for v in lexicon.values() if isinstance(v, float)]
    assert min(values) < -1 and max(values) > 1
    # Japanese negates after the word ("良くない"): its negated forms are entries of their own.
    assert ("negator" in lexicon.values()) == (code != "ja")
