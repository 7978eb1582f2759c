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
