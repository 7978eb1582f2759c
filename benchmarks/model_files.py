"""Model files: how many tampered copies of the bundled model still load, and what they answer.

    .venv/bin/python benchmarks/model_files.py [--model models/default] [--out FILE] [--note TEXT]

Every case copies the model, changes one thing and then recomputes the SHA-256 of every file in
the manifest, as someone who edits a model on purpose would: the checksums alone catch none of
them. The cases:

- ``dtype``: each array saved as int64, bool, str, complex128 and float16 (float32 for an array
  that is float16 already);
- ``value``: NaN and inf written into each float array (its own dtype), and 1e308 (which needs
  float64); an index outside its list into each int array (-1 and 10**6). About a thousand
  elements spread over the array are changed (every element of a small one), so texts meet them;
- ``shape``: each weight matrix transposed, each intercept one longer;
- ``arrays``: an undeclared array added, a declared one removed;
- ``json``: a manifest nested 100,000 levels deep, a 50 MB manifest, NaN, Infinity and 1e999 in the
  manifest or a state, a state nested 100,000 levels deep, a 70 MB state, a temperature of 0, a
  threshold of 5 and a ranking size of 0;
- ``files``: a file replaced by a symbolic link to a copy outside the directory, the manifest
  replaced by such a link, a file name with a path (``../outside.npy``), a directory in place of a
  file.

A case that loads is then asked to predict 40 texts of the project's data: its outcome is
``nan_output`` (some JSON output would need ``NaN``), ``different_answers`` (another intent or
confidence than the untampered model) or ``same_answers``. The target is that no case loads.

Also measured: the load time of the untampered model (median of 5), leftovers of killed saves
still present after the next save (target 0), and how long a 200 MB training file takes to be
refused. The script runs against whichever ``empathy_nlu`` is importable, so
``PYTHONPATH=/path/to/old/src`` measures an older version with the same cases.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

import common

NAME = "model_files"
DEEP = 100_000
SPREAD = 1000  # elements changed per array in the value cases
TEXTS = 40


# -- building the cases ------------------------------------------------------------------------------
def rehash(model: Path) -> None:
    """Recompute the checksum of every file the manifest lists (what a deliberate edit does).

    On the text, so a manifest too deep for ``json`` gets its checksums too; through a linked manifest.
    """
    manifest_file = (model / "manifest.json").resolve()

    def checksum(match: re.Match) -> str:
        path = model / match[1]
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else match[2]
        return f'"{match[1]}": "{digest}"'

    text = manifest_file.read_text("utf-8")
    manifest_file.write_text(re.sub(r'"([\w./]+\.(?:json|npy))": "([0-9a-f]{64}|)"', checksum, text), "utf-8")


def edit_json(model: Path, file_name: str, change: Callable[[dict], None]) -> None:
    path = model / file_name
    data = json.loads(path.read_text("utf-8"))
    change(data)
    path.write_text(json.dumps(data), "utf-8")  # json.dumps writes NaN and Infinity as such


def replace_text(model: Path, file_name: str, old: str, new: str) -> None:
    path = model / file_name
    text = path.read_text("utf-8")
    assert old in text, (file_name, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def saving(file_name: str, array: np.ndarray) -> Callable[[Path], None]:
    """The change that saves ``array`` as ``file_name`` of the copy."""
    return lambda copy: np.save(copy / file_name, array, allow_pickle=False)


def spread_values(array: np.ndarray, value, dtype: str | None = None) -> np.ndarray:
    """``array`` (as ``dtype``) with ``value`` in about ``SPREAD`` elements spread over it."""
    out = array.astype(dtype or array.dtype)
    flat = out.reshape(-1)
    flat[:: max(1, flat.size // SPREAD)] = value
    return out


def cases(model: Path) -> list[tuple[str, str, Callable[[Path], None]]]:
    """``(kind, name, change)`` for every tampering; ``change`` edits a copy in place."""
    out: list[tuple[str, str, Callable[[Path], None]]] = []
    for path in sorted(model.glob("*.npy")):
        name, array = path.name, np.load(path)
        own = "float32" if array.dtype == np.float16 else "float16"
        for dtype in ("int64", "bool", "str", "complex128", own):
            out.append(("dtype", f"{name} as {dtype}", saving(name, array.astype(dtype))))
        if array.dtype.kind == "f":
            for label, value, dtype in (
                ("NaN", np.nan, None),
                ("inf", np.inf, None),
                ("1e308", 1e308, "float64"),
            ):
                out.append(("value", f"{label} in {name}", saving(name, spread_values(array, value, dtype))))
        else:
            for value in (-1, 10**6):
                out.append(("value", f"{value} in {name}", saving(name, spread_values(array, value))))
        if array.ndim == 2 and array.shape[0] != array.shape[1]:
            out.append(("shape", f"{name} transposed", saving(name, array.T.copy())))
        elif "intercept" in name:
            out.append(("shape", f"{name} one longer", saving(name, np.append(array, array[:1]))))

    def add_array(m: Path) -> None:
        np.save(m / "intent.extra.npy", np.zeros(3, np.float32))
        edit_json(m, "manifest.json", lambda d: d["files"].__setitem__("intent.extra.npy", ""))

    def remove_array(m: Path) -> None:
        (m / "intent.intercept.npy").unlink()
        edit_json(m, "manifest.json", lambda d: d["files"].pop("intent.intercept.npy"))

    out += [
        ("arrays", "undeclared array added", add_array),
        ("arrays", "declared array removed", remove_array),
    ]

    def temperature(value) -> Callable[[Path], None]:
        """The intent model's temperature set to ``value`` (a str: written as is, e.g. 1e999)."""

        def change(m: Path) -> None:
            edit_json(m, "intent.json", lambda d: d["linear_model"].__setitem__("temperature", 123.456))
            replace_text(m, "intent.json", "123.456", value if isinstance(value, str) else json.dumps(value))

        return change

    def manifest_metrics(value: str) -> Callable[[Path], None]:
        return lambda m: replace_text(m, "manifest.json", '"metrics": {', f'"metrics": {{"x": {value}, ')

    out += [
        ("json", "manifest nested 100,000 deep", manifest_metrics(deep(DEEP))),
        ("json", "manifest of 50 MB", manifest_metrics(json.dumps("x" * 50_000_000))),
        (
            "json",
            "NaN in the manifest config",
            lambda m: replace_text(m, "manifest.json", '"C": 1.0', '"C": NaN'),
        ),
        (
            "json",
            "Infinity in a state (temperature)",
            temperature(math.inf),
        ),
        (
            "json",
            "1e999 in a state (temperature)",
            temperature("1e999"),
        ),
        (
            "json",
            "NaN in the sentiment lexicon",
            lambda m: edit_json(m, "sentiment.json", lambda d: d["lexicon"].__setitem__("good", math.nan)),
        ),
        (
            "json",
            "state nested 100,000 deep",
            lambda m: replace_text(m, "features.json", '"config": {', f'"deep": {deep(DEEP)}, "config": {{'),
        ),
        (
            "json",
            "state of 70 MB",
            lambda m: replace_text(
                m, "features.json", '"config": {', f'"pad": "{"x" * 70_000_000}", "config": {{'
            ),
        ),
        (
            "json",
            "temperature 0",
            temperature(0.0),
        ),
        (
            "json",
            "threshold 5",
            lambda m: edit_json(m, "intent.json", lambda d: d.__setitem__("threshold", 5.0)),
        ),
        (
            "json",
            "ranking size 0",
            lambda m: edit_json(m, "intent.json", lambda d: d["params"].__setitem__("ranking_size", 0)),
        ),
    ]

    def link_out(file_name: str) -> Callable[[Path], None]:
        def change(m: Path) -> None:
            outside = m.parent / f"outside-{file_name}"
            shutil.copyfile(m / file_name, outside)
            (m / file_name).unlink()
            (m / file_name).symlink_to(outside)

        return change

    def path_name(m: Path) -> None:
        shutil.copyfile(m / "intent.intercept.npy", m.parent / "outside.npy")
        (m / "intent.intercept.npy").unlink()
        replace_text(m, "manifest.json", '"intent.intercept.npy"', '"../outside.npy"')

    def directory(m: Path) -> None:
        (m / "entities.json").unlink()
        (m / "entities.json").mkdir()

    out += [
        ("files", "array linked to a copy outside", link_out("intent.weights.npy")),
        ("files", "state linked to a copy outside", link_out("intent.json")),
        ("files", "manifest linked to a copy outside", link_out("manifest.json")),
        ("files", "file name with a path (../outside.npy)", path_name),
        ("files", "directory in place of a file", directory),
    ]
    return out


# -- running them ------------------------------------------------------------------------------------
def answers(classifier, texts: list[str]) -> list[tuple]:
    out = []
    for prediction in classifier.predict_batch(texts):
        data = prediction.to_dict()
        intent = data["intent"] or {}
        sentiment = data["sentiment"] or {}
        out.append(
            (intent.get("name"), intent.get("confidence"), sentiment.get("label"), sentiment.get("score"))
        )
    return out


def needs_nan(classifier, texts: list[str]) -> bool:
    for prediction in classifier.predict_batch(texts):
        try:
            json.dumps(prediction.to_dict(), allow_nan=False)
        except ValueError:
            return True
    return False


def run_case(model: Path, work: Path, change: Callable[[Path], None], texts, baseline) -> dict:
    from empathy_nlu import Classifier, EmpathyError

    case_dir = work / "case"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copytree(model, case_dir, symlinks=True)
    change(case_dir)
    rehash(case_dir)
    started = time.perf_counter()
    try:
        classifier = Classifier.load(case_dir)
    except EmpathyError as exc:
        return {"loaded": False, "code": exc.code, "seconds": round(time.perf_counter() - started, 3)}
    except Exception as exc:  # not a clean refusal: counted, with its type
        return {
            "loaded": False,
            "code": type(exc).__name__,
            "seconds": round(time.perf_counter() - started, 3),
        }
    seconds = round(time.perf_counter() - started, 3)
    try:
        if needs_nan(classifier, texts):
            outcome = "nan_output"
        else:
            outcome = "same_answers" if answers(classifier, texts) == baseline else "different_answers"
    except Exception as exc:
        outcome = f"predict raised {type(exc).__name__}"
    return {"loaded": True, "code": None, "seconds": seconds, "outcome": outcome}


def stale_leftovers(model: Path, work: Path) -> dict:
    """Leftovers of three killed saves (one a live process, two gone) and what the next save leaves."""
    from empathy_nlu import Classifier

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    target = work / "model"
    classifier = Classifier.load(model)
    classifier.save(target)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(gone.stdout)
    leftovers = [
        work / f".model.tmp-{dead_pid}-abc123",
        work / f".model.old-{dead_pid}-0a1b",
        work / ".model.tmp-x1y2z3",
    ]
    for path in leftovers:
        path.mkdir()
        (path / "features.idf.npy").write_bytes(b"partial")
    hour_ago = time.time() - 2 * 3600
    os.utime(leftovers[2], (hour_ago, hour_ago))  # an old-style name without a pid, two hours old
    live = work / f".model.tmp-{os.getpid()}-live"  # a save still running in this process: kept
    live.mkdir()
    classifier.save(target)
    left = sorted(p.name for p in leftovers if p.exists())
    return {
        "killed_saves": len(leftovers),
        "left_after_next_save": len(left),
        "left": left,
        "live_save_kept": live.exists(),
    }


def data_limit(work: Path) -> dict:
    """A 200 MB JSONL file (sparse: no disk written) handed to load_data: refused, and how fast."""
    import inspect

    from empathy_nlu import EmpathyError
    from empathy_nlu.dataset import load_data

    if "max_bytes" not in inspect.signature(load_data).parameters:
        return {"available": False}  # an older version: it would read the file
    work.mkdir(parents=True, exist_ok=True)
    big = work / "big.jsonl"
    with big.open("wb") as handle:
        handle.truncate(200 * 10**6)
    started = time.perf_counter()
    try:
        load_data(big)
        refused, code = False, None
    except EmpathyError as exc:
        refused, code = True, exc.code
    return {
        "file_mb": 200,
        "refused": refused,
        "code": code,
        "seconds": round(time.perf_counter() - started, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=common.ROOT / "models" / "default")
    common.add_output_arguments(parser, NAME)
    args = parser.parse_args(argv)
    report = common.envelope("model_files.py", argv, args.note)
    import empathy_nlu
    from empathy_nlu import Classifier

    report["empathy_nlu_path"] = str(Path(empathy_nlu.__file__).parent)
    model = args.model.resolve()
    texts = [ex["text"] for ex in common.read_jsonl(common.ROOT / "data" / "sentiment.jsonl")][::50][:TEXTS]
    load, original = common.load_time(lambda: Classifier.load(model), repeats=5)
    baseline = answers(original, texts)
    results = []
    with tempfile.TemporaryDirectory(prefix="empathy-model-files-") as tmp:
        for kind, name, change in cases(model):
            result = run_case(model, Path(tmp) / "work", change, texts, baseline)
            common.log(
                f"{kind:6} {name}: {'LOADED ' + result['outcome'] if result['loaded'] else result['code']}"
            )
            results.append({"kind": kind, "name": name, **result})
        stale = stale_leftovers(model, Path(tmp) / "stale")
        limit = data_limit(Path(tmp) / "data")
    loaded = [r for r in results if r["loaded"]]
    kinds = Counter(r["kind"] for r in results)
    report.update(
        {
            "model": str(args.model),
            "n_cases": len(results),
            "loaded": len(loaded),
            "refused": len(results) - len(loaded),
            "loaded_outcomes": dict(Counter(r["outcome"] for r in loaded)),
            "by_kind": {
                kind: {"cases": n, "loaded": sum(r["loaded"] for r in results if r["kind"] == kind)}
                for kind, n in kinds.items()
            },
            "codes": dict(sorted(Counter(r["code"] for r in results if not r["loaded"]).items())),
            "load_seconds_untampered": load,
            "stale_leftovers": stale,
            "data_limit": limit,
            "cases": results,
        }
    )
    out = common.output_path(args.out, NAME)
    common.write_results(out, report)
    summary = {k: report[k] for k in ("n_cases", "loaded", "refused", "loaded_outcomes", "by_kind", "codes")}
    print(json.dumps({**summary, "stale_leftovers": stale, "data_limit": limit}, indent=2))
    common.log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
