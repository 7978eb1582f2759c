"""Measurement helpers shared by every system: data, metrics, timing, sizes, machine info.

Everything here is system-agnostic: a system is measured through plain callables,
so the three peers are timed by exactly the same code.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

OUT_OF_SCOPE = "out_of_scope"
LATENCY_TEXTS = 500
LATENCY_WARMUP = 20
THROUGHPUT_REPEATS = 3
LOAD_REPEATS = 3


def log(message: str) -> None:
    """Progress goes to stderr so stdout carries only the results table."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- data ------------------------------------------------------------------------------------------
def read_split(path: Path) -> tuple[list[str], list[str]]:
    """Texts and intents of an utterance JSONL file (other keys, e.g. entities, are ignored)."""
    texts, intents = [], []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                texts.append(row["text"])
                intents.append(row["intent"])
    return texts, intents


# -- accuracy --------------------------------------------------------------------------------------
def label_metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    """Accuracy and macro-F1 (over the gold labels), plus in-scope accuracy / OOS recall if OOS exists.

    A prediction counts as out-of-scope when its label is ``out_of_scope``; each system maps its
    own output to that label before calling this, so all three are scored by the same code.
    """
    gold_a, pred_a = np.asarray(gold), np.asarray(predicted)
    correct = gold_a == pred_a
    oos = gold_a == OUT_OF_SCOPE
    labels = sorted(set(gold))
    result = {
        "n": len(gold_a),
        "accuracy": float(correct.mean()),
        "macro_f1": float(f1_score(gold_a, pred_a, labels=labels, average="macro", zero_division=0)),
        "in_scope_accuracy": None,
        "oos_recall": None,
    }
    if oos.any():
        result["in_scope_accuracy"] = float(correct[~oos].mean())
        result["oos_recall"] = float((pred_a[oos] == OUT_OF_SCOPE).mean())
    return result


# -- timing ----------------------------------------------------------------------------------------
def timed(fn: Callable, *args, **kwargs) -> tuple[object, float]:
    """``fn(*args, **kwargs)`` and its wall time in seconds."""
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def sample_indices(total: int, n: int = LATENCY_TEXTS) -> list[int]:
    """``n`` indices spread evenly over a split (test files are grouped by intent)."""
    if total <= n:
        return list(range(total))
    return [int(i * total / n) for i in range(n)]


def single_latency(predict_one: Callable[[str], object], texts: Sequence[str]) -> dict:
    """p50 / p99 / mean in ms of one call per text, after ``LATENCY_WARMUP`` untimed calls."""
    for text in texts[:LATENCY_WARMUP]:
        predict_one(text)
    timings = []
    for text in texts:
        started = time.perf_counter_ns()
        predict_one(text)
        timings.append((time.perf_counter_ns() - started) / 1e6)
    return {
        "n": len(timings),
        "p50": float(np.percentile(timings, 50)),
        "p99": float(np.percentile(timings, 99)),
        "mean": float(np.mean(timings)),
    }


def batch_throughput(
    predict_many: Callable[[list[str]], object], texts: Sequence[str]
) -> tuple[dict, object]:
    """Utterances/s of one call over all ``texts``: median of ``THROUGHPUT_REPEATS`` timed passes.

    Returns the figures and the output of the last pass (used for the accuracy figures).
    """
    texts = list(texts)
    predict_many(texts[:256])  # warm-up
    seconds, output = [], None
    for _ in range(THROUGHPUT_REPEATS):
        output, elapsed = timed(predict_many, texts)
        seconds.append(elapsed)
    median = statistics.median(seconds)
    return {
        "n": len(texts),
        "seconds": seconds,
        "utterances_per_s": len(texts) / median,
    }, output


def size_mb(path: Path) -> float:
    """Bytes on disk of a file or a directory tree, in MB (10^6 bytes)."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def load_time(load: Callable[[], object], repeats: int = LOAD_REPEATS) -> tuple[dict, object]:
    """Median wall time in seconds of ``repeats`` loads; returns the figures and the last model."""
    seconds, model = [], None
    for _ in range(repeats):
        model, elapsed = timed(load)
        seconds.append(elapsed)
    return {"median_s": statistics.median(seconds), "seconds": seconds}, model


# -- environment -----------------------------------------------------------------------------------
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def machine_info() -> dict:
    versions = {}
    for package in ("empathy-nlu", "numpy", "scipy", "scikit-learn", "spacy", "thinc", "joblib"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "ram_gib": _ram_gib(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "versions": versions,
    }


def library_state(root: Path) -> dict:
    """Which code was measured: git HEAD, and a hash of the uncommitted diff under ``src/`` if any."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return ""

    diff = git("diff", "HEAD", "--", "src") + git("ls-files", "--others", "--exclude-standard", "src")
    return {
        "git_head": git("rev-parse", "HEAD").strip() or None,
        "src_uncommitted_changes": bool(diff),
        "src_diff_sha256": hashlib.sha256(diff.encode()).hexdigest() if diff else None,
    }
