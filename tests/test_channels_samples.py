"""The committed sample of the raw-channel BANKING77 sets (benchmarks/channel_samples.jsonl) reads
back, through each adapter, as the clean utterance it was built from, without the channel's noise."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from empathy_nlu.channels import adapter

SAMPLES = Path(__file__).resolve().parents[1] / "benchmarks" / "generators" / "channel_samples.jsonl"
ROWS = [json.loads(line) for line in SAMPLES.read_text("utf-8").splitlines()]
FILLERS = {"um", "uh", "er"}


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.casefold())


def test_every_channel_is_sampled():
    assert {row["channel"] for row in ROWS} == {"email", "voice", "sms", "social"}


@pytest.mark.parametrize("row", [r for r in ROWS if r["channel"] == "email"], ids=lambda r: r["clean"][:30])
def test_email_sample_reads_as_the_utterance_without_thread_or_signature(row):
    text = adapter("email").parse(row["raw"].encode("utf-8")).text
    assert set(words(row["clean"])) <= set(words(text))
    assert len(words(text)) <= len(words(row["clean"])) + 8  # at most a courtesy sentence is left
    for leftover in ("wrote", "original message", "acme support", "sent from", "regards", "confidential"):
        assert leftover not in text.casefold()


@pytest.mark.parametrize("row", [r for r in ROWS if r["channel"] == "voice"], ids=lambda r: r["clean"][:30])
def test_voice_sample_has_no_fillers_and_keeps_the_words(row):
    text = adapter("voice").parse(row["raw"]).text
    assert not FILLERS & set(words(text))
    clean = [w for w in words(row["clean"]) if not w.isdigit()]
    assert len(set(clean) & set(words(text))) >= 0.8 * len(set(clean))


@pytest.mark.parametrize(
    "row", [r for r in ROWS if r["channel"] in ("sms", "social")], ids=lambda r: r["raw"][:30]
)
def test_sms_and_social_samples_lose_handles_tags_and_links(row):
    text = adapter(row["channel"]).parse(row["raw"]).text
    assert "@" not in text and "http" not in text and not re.search(r"#\w", text)
    clean = set(words(row["clean"]))
    assert len(clean & set(words(text))) >= 0.7 * len(clean)
