"""Checks on the bundled dialogue data (data/dialogues.jsonl) for the history-aware intent model.

The file is read with the project's own reader, so a format slip fails here before it fails
training. Originality is checked sentence by sentence against the shared benchmark sets.
"""

from __future__ import annotations

import json
import re
import string
import warnings
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from conftest import DEFAULT_DATA, ROOT, shared
from empathy_nlu.dataset import load_data

DIALOGUE_DATA = ROOT / "data" / "dialogues.jsonl"
CHANNELS = {"chat", "email", "sms", "voice", "social"}
MIN_DIALOGUES_PER_INTENT = 3
MIN_CUSTOMER_TURNS, MAX_CUSTOMER_TURNS = 3, 8
# Sentences shorter than this are stock phrases ("yes please", "thanks a lot", "bye for now") that
# every conversation corpus shares; they cannot carry copied content, so originality skips them.
MIN_WORDS_CHECKED = 4
SHORT_FOLLOW_UP_WORDS = 5

_PUNCT = re.compile(rf"[{re.escape(string.punctuation)}“”‘’«»…–—、。！？，：；（）「」～・؟،]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])|\n+")
_ANNOTATION = re.compile(r"\[([^\[\]]*)\](?:\([^()]*\)|\{[^{}]*\})")

# Benchmark sets and the files of each, relative to ../shared/data/.
BENCHMARKS = {
    "banking77": ["train.jsonl", "test.jsonl"],
    "clinc150": ["train.jsonl", "val.jsonl", "test.jsonl"],
    "snips": ["train.jsonl", "val.jsonl", "test.jsonl"],
    "airline_sentiment": ["train.jsonl", "test.jsonl"],
    "sgd_dialogues": ["train.jsonl", "dev.jsonl"],
    "cais_zh": ["train.jsonl", "valid.jsonl", "test.jsonl"],
    "fb_mtod_es": ["train.jsonl", "valid.jsonl", "test.jsonl"],
    "arbanking77": ["train.jsonl", "valid.jsonl", "test_msa.jsonl", "test_saudi.jsonl"],
    "xsid_valid": ["valid.ja.jsonl", "valid.zh.jsonl", "valid.ar.jsonl"],
}
# Dialogues in other languages (ids support_<lang>_NNNN); some switch to English mid-conversation.
OTHER_LANGUAGES = ("zh", "ja", "ko", "es", "ar")
MIN_DIALOGUES_PER_LANGUAGE = 3
_UNSPACED = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
MIN_UNSPACED_CHARS_CHECKED = 6


def norm(text: str) -> str:
    """Lowercase, punctuation removed, whitespace collapsed: formatting differences do not hide a copy."""
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def long_enough(sentence: str) -> bool:
    """Worth an originality check: four words, or six characters of Chinese or Japanese text."""
    if _UNSPACED.search(sentence):
        return len(sentence.replace(" ", "")) >= MIN_UNSPACED_CHARS_CHECKED
    return len(sentence.split()) >= MIN_WORDS_CHECKED


def sentences(text: str) -> set[str]:
    """The whole text and each of its sentences, normalised."""
    parts = [text, *_SENTENCE_END.split(text)]
    return {n for n in (norm(p) for p in parts) if n}


@pytest.fixture(scope="module")
def dataset():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a DataWarning (e.g. conflicting labels) is a failure here
        return load_data(DIALOGUE_DATA)


@pytest.fixture(scope="module")
def records() -> list[dict]:
    with DIALOGUE_DATA.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def support_intents() -> set[str]:
    with DEFAULT_DATA.open(encoding="utf-8") as fh:
        return {block["intent"] for block in yaml.safe_load(fh)["intents"]}


def customer_turns(dialogue):
    return [t for t in dialogue.turns if t.speaker == "customer"]


def test_file_loads_with_the_project_reader(dataset, records) -> None:
    assert len(dataset.dialogues) == len(records) >= 200
    assert not dataset.examples, "the file should hold dialogues only"
    ids = [d.id for d in dataset.dialogues]
    assert len(set(ids)) == len(ids), "dialogue ids repeat"


def test_turn_shape(dataset) -> None:
    for dialogue in dataset.dialogues:
        n = len(customer_turns(dialogue))
        assert MIN_CUSTOMER_TURNS <= n <= MAX_CUSTOMER_TURNS, f"{dialogue.source}: {n} customer turns"
        assert any(t.speaker == "agent" for t in dialogue.turns), dialogue.source
        for turn in dialogue.turns:
            assert turn.text.strip(), dialogue.source
            if turn.speaker == "customer":
                assert turn.intent, f"{dialogue.source}: customer turn without intent"
                assert turn.channel in CHANNELS, f"{dialogue.source}: channel {turn.channel!r}"
            else:
                assert turn.speaker == "agent" and turn.intent is None, dialogue.source


def test_intents_are_those_of_support_yaml(dataset, support_intents) -> None:
    used = {t.intent for d in dataset.dialogues for t in customer_turns(d)}
    unknown = used - support_intents
    assert not unknown, f"intents not in support.yaml: {sorted(unknown)}"


def test_every_intent_in_several_dialogues(dataset, support_intents) -> None:
    dialogues_with: Counter[str] = Counter()
    for dialogue in dataset.dialogues:
        dialogues_with.update({t.intent for t in customer_turns(dialogue)})
    rare = {i: dialogues_with[i] for i in support_intents if dialogues_with[i] < MIN_DIALOGUES_PER_INTENT}
    assert not rare, f"intents in fewer than {MIN_DIALOGUES_PER_INTENT} dialogues: {rare}"


def test_every_channel_used_and_voice_reads_like_a_transcript(dataset) -> None:
    turns = [t for d in dataset.dialogues for t in customer_turns(d)]
    counts = Counter(t.channel for t in turns)
    assert set(counts) == CHANNELS, f"channels used: {dict(counts)}"
    for turn in (t for t in turns if t.channel == "voice"):
        assert turn.text == turn.text.lower(), f"voice turn with capitals: {turn.text!r}"
        assert not re.search(r"[^\w\s']", turn.text), f"voice turn with punctuation: {turn.text!r}"


def test_short_follow_ups_keep_the_previous_intent(dataset) -> None:
    """The point of the file: short turns whose intent only the history gives away."""
    follow_ups = []
    for dialogue in dataset.dialogues:
        customers = customer_turns(dialogue)
        for previous, turn in zip(customers, customers[1:], strict=False):
            if turn.intent == previous.intent and len(turn.text.split()) <= SHORT_FOLLOW_UP_WORDS:
                follow_ups.append(turn)
    assert len(follow_ups) >= 150, f"only {len(follow_ups)} short follow-ups"
    intents_by_text: dict[str, set[str]] = defaultdict(set)
    for turn in follow_ups:
        intents_by_text[norm(turn.text)].add(turn.intent)
    ambiguous = [text for text, intents in intents_by_text.items() if len(intents) >= 3]
    assert len(ambiguous) >= 5, "short follow-ups should recur under several intents (e.g. 'yes please')"
    assert len({t.intent for t in follow_ups}) >= 25, "follow-ups should cover most intents"


def test_dialogues_in_other_languages(dataset) -> None:
    by_language: Counter[str] = Counter()
    switching = 0
    for dialogue in dataset.dialogues:
        lang = dialogue.id.split("_")[1]
        if lang not in OTHER_LANGUAGES:
            continue
        by_language[lang] += 1
        texts = [t.text for t in customer_turns(dialogue)]
        switching += any(text.isascii() for text in texts) and not all(text.isascii() for text in texts)
    thin = {
        lang: by_language[lang] for lang in OTHER_LANGUAGES if by_language[lang] < MIN_DIALOGUES_PER_LANGUAGE
    }
    assert not thin, f"languages with too few dialogues: {thin}"
    assert switching >= 3, f"only {switching} dialogues switch between a language and English"


def test_not_copied_from_support_yaml(dataset) -> None:
    with DEFAULT_DATA.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    support = set()
    for block in data["intents"]:
        for example in block["examples"]:
            text = example["text"] if isinstance(example, dict) else example
            support.add(norm(_ANNOTATION.sub(lambda m: m.group(1), text)))
    clashes = sorted(
        {
            s
            for d in dataset.dialogues
            for t in d.turns
            for s in sentences(t.text)
            if long_enough(s) and s in support
        }
    )
    assert not clashes, f"sentences repeating support.yaml examples: {clashes[:10]}"


def _benchmark_sentences(folder: Path, files: list[str]) -> set[str]:
    found: set[str] = set()
    for name in files:
        with (folder / name).open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                row = json.loads(line)
                texts = [t["text"] for t in row["turns"]] if "turns" in row else [row["text"]]
                for text in texts:
                    found |= sentences(text)
    return found


@pytest.mark.parametrize("name", sorted(BENCHMARKS))
def test_original_not_copied_from_benchmarks(name: str, dataset) -> None:
    folder = shared(name)
    bench = _benchmark_sentences(folder, BENCHMARKS[name])
    assert bench, f"no sentences read from {folder}"
    clashes = sorted(
        {
            (s, d.id)
            for d in dataset.dialogues
            for t in d.turns
            for s in sentences(t.text)
            if long_enough(s) and s in bench
        }
    )
    assert not clashes, f"{len(clashes)} sentences equal {name} sentences: {clashes[:10]}"
