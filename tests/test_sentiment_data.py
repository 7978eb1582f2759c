"""Checks on the bundled sentiment training data (data/sentiment.jsonl).

Standalone on purpose: uses only PyYAML, pytest and the stdlib, and does not import
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
DATA_FILE = REPO_ROOT / "data" / "sentiment.jsonl"
SUPPORT_FILE = REPO_ROOT / "data" / "support.yaml"
SHARED_DATA = REPO_ROOT / ".." / "shared" / "data"
BENCHMARK_FILES = [
    SHARED_DATA / "airline_sentiment" / "train.jsonl",
    SHARED_DATA / "airline_sentiment" / "test.jsonl",
    SHARED_DATA / "banking77" / "train.jsonl",
    SHARED_DATA / "banking77" / "test.jsonl",
]

KEYS = {"text", "sentiment", "channel"}
SENTIMENTS = {"negative", "neutral", "positive"}
CHANNELS = {"chat", "email", "sms", "social", "voice"}
MIN_LINES = 1500
MIN_SHARE, MAX_SHARE = 0.20, 0.50

# [surface](entity_type)  or  [surface]{"entity": "x", "value": "y"}
ANNOTATION = re.compile(r"\[([^\[\]]*)\](?:\(([^()]*)\)|(\{[^{}]*\}))")
_PUNCT = re.compile(rf"[{re.escape(string.punctuation)}“”‘’«»…–—]")


def strip_annotations(text: str) -> str:
    return ANNOTATION.sub(lambda m: m.group(1), text)


def norm_dup(text: str) -> str:
    """Lowercase and collapse whitespace (used for the duplicate check)."""
    return " ".join(text.lower().split())


def norm_orig(text: str) -> str:
    """Lowercase, remove punctuation and collapse whitespace (used for originality checks)."""
    return " ".join(_PUNCT.sub(" ", strip_annotations(text).lower()).split())


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    out = []
    with DATA_FILE.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            assert line.strip(), f"line {number} is empty"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:  # pragma: no cover - reported as a failure
                pytest.fail(f"line {number} is not valid JSON: {exc}")
            assert isinstance(row, dict), f"line {number} is not a JSON object"
            out.append(row)
    return out


def test_rows_have_exactly_the_allowed_keys_and_values(rows: list[dict]) -> None:
    for number, row in enumerate(rows, start=1):
        assert set(row) == KEYS, f"line {number}: keys {sorted(row)}"
        assert isinstance(row["text"], str), f"line {number}: text is not a string"
        assert row["text"].strip(), f"line {number}: empty text"
        assert row["text"] == row["text"].strip(), f"line {number}: padded text"
        assert "\n" not in row["text"], f"line {number}: text spans several lines"
        assert row["sentiment"] in SENTIMENTS, f"line {number}: sentiment {row['sentiment']!r}"
        assert row["channel"] in CHANNELS, f"line {number}: channel {row['channel']!r}"


def test_size(rows: list[dict]) -> None:
    assert len(rows) >= MIN_LINES, f"only {len(rows)} lines"


def test_label_balance(rows: list[dict]) -> None:
    counts = Counter(row["sentiment"] for row in rows)
    assert set(counts) == SENTIMENTS
    for label in SENTIMENTS:
        share = counts[label] / len(rows)
        assert MIN_SHARE <= share <= MAX_SHARE, f"{label}: {share:.1%} of the lines"


def test_every_channel_used(rows: list[dict]) -> None:
    counts = Counter(row["channel"] for row in rows)
    assert set(counts) == CHANNELS, f"channels used: {sorted(counts)}"


def test_no_duplicates(rows: list[dict]) -> None:
    seen: dict[str, int] = {}
    dupes = []
    for number, row in enumerate(rows, start=1):
        key = norm_dup(row["text"])
        if key in seen:
            dupes.append((seen[key], number, row["text"]))
        else:
            seen[key] = number
    assert not dupes, f"{len(dupes)} duplicate texts, e.g. {dupes[:5]}"


def _support_texts() -> set[str]:
    with SUPPORT_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    texts = set()
    for block in data["intents"]:
        for example in block["examples"]:
            text = example["text"] if isinstance(example, dict) else example
            texts.add(norm_orig(text))
    return texts


def test_no_overlap_with_support_yaml(rows: list[dict]) -> None:
    support = _support_texts()
    assert support, "support.yaml has no examples"
    clashes = [row["text"] for row in rows if norm_orig(row["text"]) in support]
    assert not clashes, f"{len(clashes)} lines repeat support.yaml examples: {clashes[:10]}"


def test_original_not_copied_from_benchmarks(rows: list[dict]) -> None:
    if not SHARED_DATA.is_dir():
        pytest.skip("shared benchmark data not present")
    ours = {norm_orig(row["text"]): row["text"] for row in rows}
    clashes: list[tuple[str, str]] = []
    for path in BENCHMARK_FILES:
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                key = norm_orig(json.loads(line).get("text", ""))
                if key in ours:
                    clashes.append((path.parent.name, ours[key]))
    assert not clashes, f"{len(clashes)} lines equal benchmark sentences: {clashes[:10]}"
