"""Benchmark empathy-nlu against a plain scikit-learn pipeline and spaCy's bag-of-words textcat.

    .venv/bin/python benchmarks/run.py [--sets banking77 clinc150 snips] [--systems empathy sklearn spacy]
                                       [--spacy-epochs 10] [--out benchmarks/results.json]

Every system trains on the same ``train`` split and is scored on ``test``; nothing is tuned on
``test``. Progress goes to stderr, a table to stdout, everything to the JSON file.

spaCy dominates the run time: thinc's Adam updates the whole dense BOW weight table
(262,144 x n_labels) on every minibatch of 32, ~40 s per epoch on BANKING77 and ~110 s on
CLINC150, so the default 10 epochs make a full run ~27 min on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import measure
from measure import log, sample_indices
from peers import SPACY_BATCH_SIZE, SPACY_DROPOUT, SYSTEMS, SpacySystem

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SETS = ("banking77", "clinc150", "snips")


def run_system(system, train: tuple[list, list], test: tuple[list, list], workdir: Path) -> dict:
    texts, gold = test
    result: dict = {"title": system.title, "loadavg_1min": {"start": os.getloadavg()[0]}}
    result["train_seconds"] = system.fit(*train)
    result["loadavg_1min"]["after_training"] = os.getloadavg()[0]
    log(f"  {system.name}: training wall time {result['train_seconds']:.2f}s")

    result["throughput"], output = measure.batch_throughput(system.predict_many, texts)
    predicted = system.labels(output)
    result["metrics"] = measure.label_metrics(gold, predicted)
    result["metrics"]["n_predicted_out_of_scope"] = predicted.count(measure.OUT_OF_SCOPE)
    indices = sample_indices(len(texts))
    sample = [texts[i] for i in indices]
    result["latency_ms"] = measure.single_latency(system.predict_one, sample)

    if system.name == "empathy":
        from empathy_nlu import Example
        from empathy_nlu.evaluation import evaluate

        report = evaluate(system.model, [Example(text=t, intent=y) for t, y in zip(texts, gold, strict=True)])
        result["test_ece"] = report["intent"]["ece"]
        result["evaluate_accuracy"] = report["intent"]["accuracy"]
        result["manifest_metrics"] = system.model.manifest["metrics"]
        result["argmax_metrics"] = measure.label_metrics(gold, system.argmax_labels(output))
    if system.name == "spacy":
        result["epochs"] = system.epoch_log

    path = system.save(workdir)
    result["size_mb"] = measure.size_mb(path)
    result["load"], loaded = measure.load_time(lambda: type(system).load(path))
    reference = [predicted[i] for i in indices]
    result["reload_agrees"] = loaded.labels(loaded.predict_many(sample)) == reference
    result["loadavg_1min"]["end"] = os.getloadavg()[0]
    m = result["metrics"]
    log(
        f"  {system.name}: acc {m['accuracy']:.4f} p50 {result['latency_ms']['p50']:.3f}ms "
        f"{result['throughput']['utterances_per_s']:.0f} utt/s {result['size_mb']:.2f}MB "
        f"load {result['load']['median_s']:.3f}s reload_agrees={result['reload_agrees']} "
        f"loadavg {result['loadavg_1min']}"
    )
    return result


def _fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(results: dict) -> str:
    header = (
        f"{'set':<10} {'system':<8} {'acc':>7} {'in-scope':>8} {'oos-rec':>7} {'macroF1':>7} {'train s':>8} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'utt/s':>8} {'MB':>7} {'load s':>7}"
    )
    lines = [header, "-" * len(header)]
    for set_name, systems in results.items():
        for name, r in systems.items():
            m = r["metrics"]
            lines.append(
                f"{set_name:<10} {name:<8} {_fmt(m['accuracy'], '.4f'):>7} "
                f"{_fmt(m['in_scope_accuracy'], '.4f'):>8} {_fmt(m['oos_recall'], '.4f'):>7} "
                f"{_fmt(m['macro_f1'], '.4f'):>7} {r['train_seconds']:>8.2f} {r['latency_ms']['p50']:>7.3f} "
                f"{r['latency_ms']['p99']:>7.3f} {r['throughput']['utterances_per_s']:>8.0f} "
                f"{r['size_mb']:>7.2f} {r['load']['median_s']:>7.3f}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS))
    parser.add_argument("--systems", nargs="+", choices=list(SYSTEMS), default=list(SYSTEMS))
    parser.add_argument("--spacy-epochs", type=int, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.json")
    parser.add_argument("--data", type=Path, default=DATA, help="folder holding the benchmark sets")
    parser.add_argument(
        "--intent-only", action="store_true", help="empathy-nlu without the cue detector (intent tier alone)"
    )
    args = parser.parse_args(argv)

    report = {
        "command": " ".join(["python", "benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": measure.machine_info(),
        "library_state": measure.library_state(ROOT),
        "settings": {
            "spacy_epochs": args.spacy_epochs,
            "spacy_batch_size": SPACY_BATCH_SIZE,
            "spacy_dropout": SPACY_DROPOUT,
            "latency_texts": measure.LATENCY_TEXTS,
            "latency_warmup_calls": measure.LATENCY_WARMUP,
            "throughput_repeats": measure.THROUGHPUT_REPEATS,
            "load_repeats": measure.LOAD_REPEATS,
        },
        "data": {},
        "results": {},
    }
    for set_name in args.sets:
        train = measure.read_split(args.data / set_name / "train.jsonl")
        test = measure.read_split(args.data / set_name / "test.jsonl")
        report["data"][set_name] = {"train": len(train[0]), "test": len(test[0])}
        report["results"][set_name] = {}
        log(f"{set_name}: {len(train[0])} train / {len(test[0])} test")
        for name in args.systems:
            if name == "spacy":
                system = SpacySystem(epochs=args.spacy_epochs)
            elif name == "empathy" and args.intent_only:
                system = SYSTEMS[name](config={"cues": {"enabled": False}})
            else:
                system = SYSTEMS[name]()
            with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as workdir:
                report["results"][set_name][name] = run_system(system, train, test, Path(workdir))
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(table(report["results"]))
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
