"""Checks on the bundled default training data (data/support.yaml).

Standalone on purpose: uses only PyYAML, ``re`` and the stdlib, and does not import
empathy_nlu, so it can run before (and independently of) the dataset reader.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_FILE = REPO_ROOT / "data" / "support.yaml"
SHARED_DATA = (REPO_ROOT / ".." / "shared" / "data").resolve()

OUT_OF_SCOPE = "out_of_scope"
ENTITY_TYPES = {
    "amount_of_money",
    "date",
    "date_period",  # builtin conventions (docs/entities.md): periods are not dates
    "time",
    "time_period",
    "card_last4",
    "order_id",
    "transaction_id",
    "email",
    "phone_number",
    "merchant",
    "account_type",
}
SENTIMENTS = {"negative", "neutral", "positive"}
CHANNELS = {"chat", "email", "sms", "voice", "social"}

# [surface](entity_type)  or  [surface]{"entity": "x", "value": "y"}
ANNOTATION = re.compile(r"\[([^\[\]]*)\](?:\(([^()]*)\)|(\{[^{}]*\}))")
_PUNCT = re.compile(rf"[{re.escape(string.punctuation)}“”‘’«»…–—]")


def _entity_type(match: re.Match[str]) -> str:
    if match.group(2) is not None:
        return match.group(2)
    payload = json.loads(match.group(3))
    return payload.get("entity", "")


def strip_annotations(text: str) -> str:
    return ANNOTATION.sub(lambda m: m.group(1), text)


def norm_dup(text: str) -> str:
    return " ".join(strip_annotations(text).lower().split())


def norm_orig(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", strip_annotations(text).lower()).split())


@pytest.fixture(scope="module")
def data() -> dict:
    with DATA_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def examples(data: dict) -> list[tuple[str, str]]:
    """(intent, text) for every example in the file."""
    out = []
    for block in data["intents"]:
        for ex in block["examples"]:
            text = ex["text"] if isinstance(ex, dict) else ex
            out.append((block["intent"], text))
    return out


def test_file_parses_and_sizes(data: dict) -> None:
    assert data["version"] == 1
    assert data["language"] == "en"
    names = [b["intent"] for b in data["intents"]]
    assert len(names) == len(set(names)), "intent listed twice"
    for name in names:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name
    assert OUT_OF_SCOPE in names
    assert len([n for n in names if n != OUT_OF_SCOPE]) >= 30
    for block in data["intents"]:
        n = len(block["examples"])
        minimum = 40 if block["intent"] == OUT_OF_SCOPE else 20
        assert n >= minimum, f"{block['intent']} has only {n} examples"


def test_example_shape(data: dict) -> None:
    for block in data["intents"]:
        for ex in block["examples"]:
            if isinstance(ex, str):
                assert ex.strip()
                continue
            assert isinstance(ex, dict), ex
            assert set(ex) <= {"text", "sentiment", "channel"}, ex
            assert isinstance(ex["text"], str) and ex["text"].strip(), ex
            if "sentiment" in ex:
                assert ex["sentiment"] in SENTIMENTS, ex
            if "channel" in ex:
                assert ex["channel"] in CHANNELS, ex


def test_annotations_well_formed(examples: list[tuple[str, str]]) -> None:
    spans = 0
    types: Counter[str] = Counter()
    for intent, text in examples:
        for match in ANNOTATION.finditer(text):
            surface = match.group(1)
            assert surface.strip(), f"empty surface in {text!r} ({intent})"
            assert surface == surface.strip(), f"padded surface in {text!r}"
            etype = _entity_type(match)
            assert etype in ENTITY_TYPES, f"unknown entity type {etype!r} in {text!r}"
            spans += 1
            types[etype] += 1
        rest = ANNOTATION.sub("", text)
        assert not re.search(r"[\[\]]", rest), f"unbalanced or nested brackets in {text!r} ({intent})"
    assert spans >= 150, f"only {spans} annotated spans"
    assert len(types) >= 8, f"too few entity types used: {dict(types)}"


def test_no_duplicates(examples: list[tuple[str, str]]) -> None:
    seen: dict[str, str] = {}
    problems = []
    for intent, text in examples:
        key = norm_dup(text)
        if key in seen:
            problems.append(f"{text!r}: {seen[key]} / {intent}")
        else:
            seen[key] = intent
    assert not problems, "duplicate texts:\n" + "\n".join(problems)


def _benchmark_texts() -> set[str]:
    files = [SHARED_DATA / "banking77" / f"{s}.jsonl" for s in ("train", "test")]
    files += [SHARED_DATA / "clinc150" / f"{s}.jsonl" for s in ("train", "val", "test")]
    texts: set[str] = set()
    for path in files:
        assert path.is_file(), f"missing benchmark file {path}"
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    texts.add(norm_orig(json.loads(line)["text"]))
    return texts


def test_originality_against_benchmarks(examples: list[tuple[str, str]]) -> None:
    if not SHARED_DATA.is_dir():
        pytest.skip("shared benchmark data not present")
    bench = _benchmark_texts()
    assert bench
    clashes = sorted({f"{intent}: {text!r}" for intent, text in examples if norm_orig(text) in bench})
    assert not clashes, "texts identical to public benchmark sentences:\n" + "\n".join(clashes)


# --- The same intents in other languages: data/support_<lang>.yaml (issue 15) ---

LANGUAGES = ("zh", "ja", "ko", "es", "ar")
MIN_EXAMPLES_PER_LANGUAGE = 8
# A character each language's text must show in most examples: a mislabelled file fails here.
SCRIPT_OF_LANGUAGE = {
    "zh": re.compile(r"[\u4e00-\u9fff]"),
    "ja": re.compile(r"[\u3040-\u30ff]"),  # kana: Chinese has none
    "ko": re.compile(r"[\uac00-\ud7af]"),
    "es": re.compile(r"[a-záéíóúñü]", re.IGNORECASE),
    "ar": re.compile(r"[\u0600-\u06ff]"),
}
TRADITIONAL_ONLY = re.compile(r"[們這為麼還帳號轉過買賣錢請問經處戶餘額應該說與關開幫]")
# The multilingual benchmark sets: none of their sentences may appear in data/.
ML_BENCHMARKS = {
    "cais_zh": ["train.jsonl", "valid.jsonl", "test.jsonl"],
    "fb_mtod_es": ["train.jsonl", "valid.jsonl", "test.jsonl"],
    "arbanking77": ["train.jsonl", "valid.jsonl", "test_msa.jsonl", "test_saudi.jsonl", "test_pal.jsonl"],
    "xsid_valid": ["valid.ja.jsonl", "valid.zh.jsonl", "valid.ar.jsonl"],
}
_WIDE_PUNCT = re.compile(r"[、。！？，：；（）「」～…・؟،]")
_UNSPACED = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def norm_ml(text: str) -> str:
    return norm_orig(_WIDE_PUNCT.sub(" ", strip_annotations(text)))


def is_stock_phrase(text: str) -> bool:
    """'hola', 'gracias', 'thanks': too short to carry copied content (CJK counted in characters)."""
    if _UNSPACED.search(text):
        return len(text.replace(" ", "")) < 5
    return len(text.split()) < 3


def load_language(lang: str) -> dict:
    with (REPO_ROOT / "data" / f"support_{lang}.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def texts_of(data: dict) -> list[tuple[str, str]]:
    return [
        (b["intent"], ex["text"] if isinstance(ex, dict) else ex)
        for b in data["intents"]
        for ex in b["examples"]
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_file_has_every_intent(lang: str, data: dict) -> None:
    other = load_language(lang)
    assert other["version"] == 1 and other["language"] == lang
    names = [b["intent"] for b in other["intents"]]
    assert len(names) == len(set(names)), "intent listed twice"
    assert set(names) == {b["intent"] for b in data["intents"]}, "not the intents of support.yaml"
    sentiments: Counter[str] = Counter()
    for block in other["intents"]:
        n = len(block["examples"])
        assert n >= MIN_EXAMPLES_PER_LANGUAGE, f"{lang} {block['intent']} has only {n} examples"
        for ex in block["examples"]:
            assert set(ex) <= {"text", "sentiment", "channel"} and ex["sentiment"] in SENTIMENTS, ex
            assert ex.get("channel", "chat") in CHANNELS, ex
            sentiments[ex["sentiment"]] += 1
    assert all(sentiments[s] >= 10 for s in SENTIMENTS), f"{lang}: {dict(sentiments)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_file_is_in_its_language(lang: str) -> None:
    texts = [text for _, text in texts_of(load_language(lang))]
    native = sum(1 for text in texts if SCRIPT_OF_LANGUAGE[lang].search(text))
    assert native >= 0.95 * len(texts), f"{lang}: only {native}/{len(texts)} examples in its script"
    if lang == "zh":
        traditional = sum(1 for text in texts if TRADITIONAL_ONLY.search(text))
        assert traditional >= 10, f"only {traditional} examples in Traditional Chinese"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_annotations_well_formed(lang: str) -> None:
    types: Counter[str] = Counter()
    for intent, text in texts_of(load_language(lang)):
        for match in ANNOTATION.finditer(text):
            assert match.group(1).strip() == match.group(1) != "", f"bad surface in {text!r}"
            assert _entity_type(match) in ENTITY_TYPES, f"unknown entity type in {text!r}"
            types[_entity_type(match)] += 1
        assert not re.search(r"[\[\]]", ANNOTATION.sub("", text)), f"stray bracket in {text!r} ({intent})"
    assert types["amount_of_money"] >= 10 and types["date"] >= 3, f"{lang}: {dict(types)}"


def test_no_duplicates_across_languages(examples: list[tuple[str, str]]) -> None:
    seen = {norm_dup(text): ("en", intent) for intent, text in examples}
    problems = []
    for lang in LANGUAGES:
        for intent, text in texts_of(load_language(lang)):
            key = norm_dup(text)
            if key in seen:
                problems.append(f"{lang} {intent} {text!r} = {seen[key]}")
            seen[key] = (lang, intent)
    assert not problems, "duplicate texts:\n" + "\n".join(problems)


def test_languages_original_against_multilingual_benchmarks() -> None:
    if not SHARED_DATA.is_dir():
        pytest.skip("shared benchmark data not present")
    bench: set[str] = set()
    for name, files in ML_BENCHMARKS.items():
        for file in files:
            with (SHARED_DATA / name / file).open(encoding="utf-8") as fh:
                bench |= {norm_ml(json.loads(line)["text"]) for line in fh if line.strip()}
    assert len(bench) > 10_000
    clashes = [
        f"{lang} {intent}: {text!r}"
        for lang in LANGUAGES
        for intent, text in texts_of(load_language(lang))
        if not is_stock_phrase(text) and norm_ml(text) in bench
    ]
    assert not clashes, "texts identical to benchmark sentences:\n" + "\n".join(clashes)
