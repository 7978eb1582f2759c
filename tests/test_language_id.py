"""Language identification: short messages in several scripts, the confidence, the ASCII fast path,
and the ``lang`` field of training data (docs/languages.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT
from empathy_nlu.dataset import load_data
from empathy_nlu.errors import DataError, InputError
from empathy_nlu.history import to_turn
from empathy_nlu.language.detect import MIN_CONFIDENCE, UNKNOWN, detect

# Original short support messages, one per language (written for this test).
SHORT = [
    ("カードが届きません", "ja"),
    ("我的卡还没到", "zh"),
    ("카드가 아직 안 왔어요", "ko"),
    ("บัตรของฉันยังไม่มา", "th"),
    ("لم تصل بطاقتي بعد", "ar"),
    ("mi tarjeta todavía no ha llegado", "es"),
    ("ma carte n'est toujours pas arrivée", "fr"),
    ("meine Karte ist noch nicht angekommen", "de"),
    ("моя карта ещё не пришла", "ru"),
    ("kartım hâlâ gelmedi", "tr"),
    ("my card still hasn't arrived", "en"),
    ("where is my refund", "en"),
]


@pytest.mark.parametrize(("text", "code"), SHORT)
def test_short_messages_get_their_language_with_confidence(text, code):
    guess = detect(text)
    assert guess.code == code
    assert MIN_CONFIDENCE <= guess.confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "12345", "?!", "👍"])
def test_text_without_letters_is_unknown(text):
    assert detect(text) == UNKNOWN


@pytest.mark.parametrize("text", ["ok", "no", "hola", "yes"])
def test_a_word_or_two_is_not_confident(text):
    assert detect(text).confidence < MIN_CONFIDENCE


def test_mixed_scripts_lower_the_confidence():
    pure, mixed = detect("我的卡还没到"), detect("my card 还没到 yet")
    assert pure.confidence == 1.0
    assert mixed.confidence < MIN_CONFIDENCE


def test_kana_makes_han_text_japanese_and_han_alone_is_chinese():
    assert detect("日本語の文章です").code == "ja"
    assert detect("中文句子").code == "zh"


def test_an_english_name_inside_an_italian_sentence_is_not_english():
    assert detect("metti the beatles nella mia playlist preferita").code == "it"


def test_english_ascii_needs_no_model():
    """The fast path answers English text without importing py3langid (a fresh interpreter)."""
    code = (
        "import sys; from empathy_nlu.language.detect import detect; "
        "g = detect('how do I reset my password'); "
        "print(g.code, 'py3langid' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["en", "False"]


def test_import_empathy_nlu_does_not_import_the_detector():
    code = "import sys, empathy_nlu; print('py3langid' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


# -- the lang field ---------------------------------------------------------------------------------
def test_a_mixed_language_jsonl_file_loads_with_lang_kept(tmp_path):
    path = tmp_path / "mixed.jsonl"
    rows = [
        {"text": "my card has not arrived", "intent": "card_arrival"},
        {"text": "カードが届きません", "intent": "card_arrival", "lang": "ja"},
        {"text": "mi tarjeta no ha llegado", "intent": "card_arrival", "lang": "ES"},
        {"text": "لم تصل بطاقتي", "intent": "card_arrival", "lang": "ar"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    examples = load_data(path).examples
    assert [e.language for e in examples] == [None, "ja", "es", "ar"]


@pytest.mark.parametrize("bad", ["japanese", "xx", 7, "jpn"])
def test_a_lang_that_is_not_iso_639_1_is_refused_with_its_line(tmp_path, bad):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"text": "hi", "intent": "greet", "lang": bad}) + "\n", "utf-8")
    with pytest.raises(DataError) as err:
        load_data(path)
    assert "lang" in str(err.value) and "bad.jsonl:1" in str(err.value)


def test_yaml_language_per_file_and_per_example(tmp_path):
    path = tmp_path / "mixed.yaml"
    path.write_text(
        "version: 1\nlanguage: ja\nintents:\n  - intent: card_arrival\n    examples:\n"
        "      - カードが届きません\n      - text: my card has not arrived\n        language: en\n",
        "utf-8",
    )
    examples = load_data(path).examples
    assert [(e.text, e.language) for e in examples] == [
        ("カードが届きません", "ja"),
        ("my card has not arrived", "en"),
    ]


def test_yaml_bad_language_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nlanguage: klingon\nintents:\n  - intent: a\n    examples: [hi]\n", "utf-8")
    with pytest.raises(DataError):
        load_data(path)


def test_a_history_turn_may_carry_its_language():
    assert to_turn({"text": "はい", "language": "JA"}).language == "ja"
    with pytest.raises(InputError) as err:
        to_turn({"text": "hi", "language": "english"}, 3)
    assert err.value.code == "E350" and "history[3].language" in str(err.value)


def test_a_dialogue_turn_keeps_its_lang(tmp_path):
    path = tmp_path / "dialogues.jsonl"
    turns = [
        {"speaker": "customer", "text": "カードが届きません", "intent": "card_arrival", "lang": "ja"},
        {"speaker": "agent", "text": "Let me check."},
    ]
    path.write_text(json.dumps({"id": "d1", "turns": turns}, ensure_ascii=False) + "\n", "utf-8")
    dialogue = load_data(path, validate=False).dialogues[0]
    assert [t.language for t in dialogue.turns] == ["ja", None]
