"""What every benchmark shares: data and results paths, reading splits, timing, the machine, results files.

Everything here is system-agnostic: a system is measured through plain callables, so empathy-nlu
and its peers are timed by exactly the same code. Each benchmark writes one JSON file under
``benchmarks/results/`` through ``write_results``, which adds the command, the date, the machine
and the library state that ``report.py`` prints above every section of ``RESULTS.md``.
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
DATA = ROOT.parent / "shared" / "data"  # the benchmark sets; never copied into this repository
RESULTS = BENCHMARKS / "results"
DEFAULT_DATA = [
    ROOT / "data" / name
    for name in (
        "support.yaml",
        *(f"support_{lang}.yaml" for lang in ("zh", "ja", "ko", "es", "ar")),
        "sentiment.jsonl",
        "dialogues.jsonl",
    )
]

OUT_OF_SCOPE = "out_of_scope"
LATENCY_TEXTS = 500
LATENCY_WARMUP = 20
THROUGHPUT_REPEATS = 3
LOAD_REPEATS = 3


def log(message: str) -> None:
    """Progress goes to stderr so stdout carries only the results."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- data ------------------------------------------------------------------------------------------
def read_jsonl(path: Path) -> list[dict]:
    """The rows of a JSON Lines file (blank lines skipped)."""
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_split(path: Path, label: str = "intent") -> tuple[list[str], list[str]]:
    """Texts and labels (``intent``, or e.g. ``sentiment``) of a JSONL split; other keys are ignored."""
    rows = read_jsonl(path)
    return [row["text"] for row in rows], [row[label] for row in rows]


def sample_indices(total: int, n: int = LATENCY_TEXTS) -> list[int]:
    """``n`` indices spread evenly over a split (the split files are grouped by label)."""
    if total <= n:
        return list(range(total))
    return [int(i * total / n) for i in range(n)]


def spread(items: Sequence, limit: int | None) -> list:
    """``items``, or ``limit`` of them spread evenly (for quick runs: every label keeps a share)."""
    items = list(items)
    return items if not limit else [items[i] for i in sample_indices(len(items), limit)]


# -- accuracy --------------------------------------------------------------------------------------
def label_metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    """Accuracy and macro-F1 (over the gold labels), plus in-scope accuracy / OOS recall if OOS exists.

    A prediction counts as out-of-scope when its label is ``out_of_scope``; each system maps its
    own output to that label before calling this, so every system is scored by the same code.
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


def call_ms(call: Callable[[object], object], items: Sequence) -> list[float]:
    """Wall time in ms of ``call(item)`` for each item, one after the other (no warm-up)."""
    timings = []
    for item in items:
        started = time.perf_counter_ns()
        call(item)
        timings.append((time.perf_counter_ns() - started) / 1e6)
    return timings


def percentiles(timings: Sequence[float], qs: Sequence[int] = (50, 99)) -> dict:
    """``{"p50": ..., "p99": ...}`` of ``timings`` (numpy's linear interpolation)."""
    return {f"p{q}": float(np.percentile(timings, q)) for q in qs}


def single_latency(predict_one: Callable[[str], object], texts: Sequence[str]) -> dict:
    """p50 / p99 / mean in ms of one call per text, after ``LATENCY_WARMUP`` untimed calls."""
    for text in texts[:LATENCY_WARMUP]:
        predict_one(text)
    timings = call_ms(predict_one, texts)
    return {"n": len(timings), **percentiles(timings), "mean": float(np.mean(timings))}


def interleaved_latency(
    systems: dict[str, Callable[[str], object]], texts: Sequence[str], rounds: int = 3
) -> dict:
    """p50 / p99 / mean in ms of one call per text for each system, the systems taking turns on every
    text (the order rotating from text to text), after ``LATENCY_WARMUP`` untimed calls each.

    Why: on a shared machine the speed of the CPU drifts by tens of percent within minutes, so
    latencies measured one system after the other compare moments as much as systems; taking turns
    text by text gives every system the same moments.
    """
    names = list(systems)
    for name in names:
        for text in texts[:LATENCY_WARMUP]:
            systems[name](text)
    timings: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        for i, text in enumerate(texts):
            shift = (i + round_) % len(names)
            for name in names[shift:] + names[:shift]:
                started = time.perf_counter_ns()
                systems[name](text)
                timings[name].append((time.perf_counter_ns() - started) / 1e6)
    return {
        name: {"n": len(values), **percentiles(values), "mean": float(np.mean(values))}
        for name, values in timings.items()
    }


def batch_throughput(
    predict_many: Callable[[list[str]], object], texts: Sequence[str], repeats: int = THROUGHPUT_REPEATS
) -> tuple[dict, object]:
    """Utterances/s of one call over all ``texts``: median of ``repeats`` timed passes.

    Returns the figures and the output of the last pass (used for the accuracy figures).
    """
    texts = list(texts)
    predict_many(texts[:256])  # warm-up
    seconds, output = [], None
    for _ in range(repeats):
        output, elapsed = timed(predict_many, texts)
        seconds.append(elapsed)
    median = statistics.median(seconds)
    return {"n": len(texts), "seconds": seconds, "utterances_per_s": len(texts) / median}, output


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


def now() -> str:
    """The current time, ISO 8601 in UTC to the second (a run's start)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def machine_info() -> dict:
    """Cores, CPU, RAM, OS, Python and the versions of the libraries that matter for the figures."""
    versions = {}
    for package in ("empathy-nlu", "numpy", "scipy", "scikit-learn", "spacy", "thinc", "joblib", "torch"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "date": now(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "ram_gib": _ram_gib(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "versions": versions,
    }


def library_state(root: Path = ROOT) -> dict:
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


# -- models ----------------------------------------------------------------------------------------
def reloaded(model, folder: Path):
    """``model`` saved under ``folder`` and loaded again: the same model with nothing remembered."""
    from empathy_nlu import Classifier

    return Classifier.load(model.save(Path(folder) / "model"))


# -- results files ---------------------------------------------------------------------------------
def result_path(name: str) -> Path:
    """``benchmarks/results/<name>.json``: where ``report.py`` looks for a capability's figures."""
    return RESULTS / f"{name}.json"


def add_output_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    """``--out`` and ``--note`` (prose kept with the figures); see ``output_path`` for the default."""
    parser.add_argument(
        "--out",
        type=Path,
        help=f"results file (default results/{name}.json; quick or development runs: results/quick/)",
    )
    parser.add_argument(
        "--note",
        action="append",
        default=[],
        help="a remark about this run (machine load, a re-run, ...); RESULTS.md prints it (repeatable)",
    )


def output_path(out: Path | None, name: str, quick: bool = False) -> Path:
    """``out`` if given, else ``results/<name>.json``; a quick or development run (``--limit``,
    ``--dev``, ...) goes to ``results/quick/<name>.json``, which ``report.py`` does not read, so it
    never replaces the figures of a full run by accident."""
    if out is not None:
        return Path(out)
    return RESULTS / "quick" / f"{name}.json" if quick else result_path(name)


def command_line(script: str, argv: Sequence[str] | None) -> str:
    """The command as typed from the repository root, relative to the venv (``python benchmarks/...``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    return " ".join(["python", f"benchmarks/{script}", *args])


def envelope(
    script: str, argv: Sequence[str] | None, notes: Sequence[str] = (), limit: int | None = None
) -> dict:
    """The header of a results file, filled at the start of a run (its date is the start).

    ``limit``: the run measured only part of the data (``--limit``), which ``RESULTS.md`` says.
    """
    machine = machine_info()
    header = {
        "command": command_line(script, argv),
        "date": machine["date"],
        "machine": machine,
        "library_state": library_state(),
        "notes": list(notes),
    }
    return {**header, "limit": limit} if limit else header


def write_results(path: Path, report: dict, *, update: bool = False) -> Path:
    """Write ``report`` as JSON. ``update``: a partial run (e.g. only the store figures) replaces its
    own keys in the existing file, keeps the others, and is listed under ``updated_by``."""
    path = Path(path)
    if update and path.is_file():
        existing = json.loads(path.read_text("utf-8"))
        header = {
            key: report[key]
            for key in ("command", "date", "machine", "library_state", "limit")
            if key in report
        }
        measured = [key for key in report if key not in header and key != "notes"]
        existing.setdefault("updated_by", []).append({**header, "keys": measured})
        existing["notes"] = [*existing.get("notes", []), *report.get("notes", [])]
        existing.update({key: report[key] for key in measured})
        report = existing
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
