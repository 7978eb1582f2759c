"""Render ``benchmarks/RESULTS.md`` from a ``results.json`` written by ``run.py``.

    .venv/bin/python benchmarks/report.py [--results benchmarks/results.json] [--out benchmarks/RESULTS.md]
                                          [--note "text" ...]

Every figure is read from the JSON (never typed by hand), with the precision ``run.py`` prints.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SET_TITLES = {"banking77": "BANKING77", "clinc150": "CLINC150 (full)", "snips": "SNIPS"}


def _f(value, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def set_table(systems: dict) -> list[str]:
    lines = [
        "| system | accuracy | in-scope acc. | OOS recall | macro-F1 | train (s) | p50 (ms) | p99 (ms) "
        "| batch (utt/s) | size (MB) | load (s) |",
        "|" + " --- |" * 11,
    ]
    for r in systems.values():
        m = r["metrics"]
        lines.append(
            f"| {r['title']} | {_f(m['accuracy'], '.4f')} | {_f(m['in_scope_accuracy'], '.4f')} "
            f"| {_f(m['oos_recall'], '.4f')} | {_f(m['macro_f1'], '.4f')} | {r['train_seconds']:.2f} "
            f"| {r['latency_ms']['p50']:.3f} | {r['latency_ms']['p99']:.3f} "
            f"| {r['throughput']['utterances_per_s']:,.0f} | {r['size_mb']:.2f} "
            f"| {r['load']['median_s']:.3f} |"
        )
    return lines


def diagnostic_lines(systems: dict) -> list[str]:
    lines = []
    counts = ", ".join(f"{n} {r['metrics']['n_predicted_out_of_scope']}" for n, r in systems.items())
    lines.append(f"Predictions labelled `out_of_scope`: {counts}.")
    if "argmax_metrics" in systems.get("empathy", {}):
        lines[-1] += (
            " empathy-nlu accuracy if its out-of-scope threshold is ignored (top of `intent_ranking`; "
            f"a diagnostic only): {systems['empathy']['argmax_metrics']['accuracy']:.4f}."
        )
    if systems.get("spacy", {}).get("epochs"):
        epochs = systems["spacy"]["epochs"]
        seconds = [e["seconds"] for e in epochs]
        losses = ", ".join(f"{e['loss']:.4f}" for e in epochs)
        lines.append(
            f"spaCy training loss per epoch: {losses} ({min(seconds):.1f}–{max(seconds):.1f} s per epoch)."
        )
    return lines


def calibration_lines(empathy: dict) -> list[str]:
    cv = empathy["manifest_metrics"]["intent_cross_validation"]
    return [
        f"empathy-nlu calibration: test ECE {empathy['test_ece']:.4f}; on train ({cv['folds']}-fold "
        f"cross-validation, from `clf.manifest['metrics']`): accuracy {_f(cv['accuracy'], '.4f')}, "
        f"ECE {_f(cv['ece'], '.4f')}, temperature {cv['temperature']:.4f}, "
        f"out-of-scope threshold {cv['threshold']:.4f}.",
    ]


def _at_least(value: float, target: float, spec: str, unit: str = "") -> tuple[str, str]:
    if value >= target:
        return "met", f"{value - target:{spec}}{unit} over"
    return "**missed**", f"by {target - value:{spec}}{unit}"


def _at_most(value: float, limit: float, spec: str, unit: str = "") -> tuple[str, str]:
    if value <= limit:
        return "met", f"{limit - value:{spec}}{unit} under"
    return "**missed**", f"by {value - limit:{spec}}{unit}"


def targets(results: dict) -> list[str]:
    rows = []

    def add(target: str, measured: str, verdict: tuple[str, str]) -> None:
        rows.append(f"| {target} | {measured} | {verdict[0]} | {verdict[1]} |")

    e = {name: systems["empathy"] for name, systems in results.items() if "empathy" in systems}
    if "banking77" in e:
        acc = e["banking77"]["metrics"]["accuracy"]
        add("BANKING77 accuracy ≥ 0.925", f"{acc:.4f}", _at_least(acc, 0.925, ".4f"))
    if "clinc150" in e:
        m = e["clinc150"]["metrics"]
        ins, oos = m["in_scope_accuracy"], m["oos_recall"]
        add("CLINC150 in-scope accuracy ≥ 0.945", f"{ins:.4f}", _at_least(ins, 0.945, ".4f"))
        add("CLINC150 out-of-scope recall ≥ 0.60", f"{oos:.4f}", _at_least(oos, 0.60, ".4f"))
    if "snips" in e:
        acc = e["snips"]["metrics"]["accuracy"]
        add("SNIPS intent accuracy ≥ 0.985", f"{acc:.4f}", _at_least(acc, 0.985, ".4f"))
    if "banking77" in e:
        t = e["banking77"]["train_seconds"]
        add("training on BANKING77 ≤ 20 s", f"{t:.2f} s", _at_most(t, 20.0, ".2f", " s"))
    for set_name, systems in results.items():
        if "empathy" not in systems:
            continue
        title, p50 = SET_TITLES[set_name], systems["empathy"]["latency_ms"]["p50"]
        if "spacy" in systems:
            peer = systems["spacy"]["latency_ms"]["p50"]
            ratio = p50 / peer
            add(
                f"{title}: p50 ≤ 1.5× spaCy's p50 ({peer:.3f} ms)",
                f"{p50:.3f} ms = {ratio:.2f}×",
                _at_most(ratio, 1.5, ".2f", "×"),
            )
        if "sklearn" in systems:
            peer = systems["sklearn"]["latency_ms"]["p50"]
            speedup = peer / p50
            add(
                f"{title}: p50 ≥ 8× faster than sklearn's p50 ({peer:.3f} ms)",
                f"{speedup:.2f}× faster",
                _at_least(speedup, 8.0, ".2f", "×"),
            )
    for set_name, systems in results.items():
        if "empathy" not in systems:
            continue
        r, title = systems["empathy"], SET_TITLES[set_name]
        ups = r["throughput"]["utterances_per_s"]
        add(
            f"{title}: batch throughput ≥ 20,000 utt/s",
            f"{ups:,.0f}",
            _at_least(ups, 20000, ",.0f", " utt/s"),
        )
        size = r["size_mb"]
        add(f"{title}: model directory ≤ 25 MB", f"{size:.2f} MB", _at_most(size, 25.0, ".2f", " MB"))
        load = r["load"]["median_s"]
        add(f"{title}: load time ≤ 0.5 s", f"{load:.3f} s", _at_most(load, 0.5, ".3f", " s"))
    return ["| target | empathy-nlu | verdict | margin |", "| --- | --- | --- | --- |", *rows]


def render(report: dict, notes: list[str]) -> str:
    machine, settings = report["machine"], report["settings"]
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
    state = report.get("library_state", {})
    lines = [
        "# Benchmark results",
        "",
        f"Date: {machine['date'][:10]} (run started {machine['date']}).",
        "",
        f"Machine: {machine['cpu_count']} cores, {machine['cpu_model']}, {machine['ram_gib']} GiB RAM, "
        f"{machine['platform']}; Python {machine['python']}; {versions}.",
        "",
        f"Library state measured: git HEAD `{state.get('git_head')}`"
        + (
            f", with uncommitted changes under `src/` (diff sha256 `{state.get('src_diff_sha256')}`)"
            if state.get("src_uncommitted_changes")
            else ""
        )
        + ".",
        "",
        f"Command (from the repository root): `.venv/bin/{report['command']}`",
        "",
        " ".join(
            [
                "Method: each system trains on the set's `train` split and is scored on `test`",
                "(nothing is tuned on `test`). Accuracy, macro-F1, in-scope accuracy and OOS recall",
                "come from one scoring function for all systems; a prediction is out-of-scope when",
                "its label is `out_of_scope` (empathy-nlu: `p.out_of_scope`). Latency: one call per",
                "utterance (`clf.predict(t)`, `pipe.predict([t])`, `nlp(t)`) over",
                f"{settings['latency_texts']} test texts spread evenly over the split, after",
                f"{settings['latency_warmup_calls']} warm-up calls. Batch throughput: the whole test",
                "set in one call (`predict_batch`, `pipe.predict(list)`,",
                f"`nlp.pipe(texts, batch_size=256)`), median of {settings['throughput_repeats']} passes.",
                "Size: bytes on disk of `clf.save(dir)` / `joblib.dump` / `nlp.to_disk`. Load: median",
                f"of {settings['load_repeats']} loads. Training time: wall time of the training call",
                "(`Classifier.train`, `pipe.fit`; for spaCy: tokenizing the examples, `nlp.initialize`",
                f"and {settings['spacy_epochs']} epoch(s) of shuffled minibatches of",
                f"{settings['spacy_batch_size']} with dropout {settings['spacy_dropout']}, seed 0).",
            ]
        ),
        "",
    ]
    for set_name, systems in report["results"].items():
        data = report["data"][set_name]
        lines += [f"## {SET_TITLES[set_name]} ({data['train']:,} train / {data['test']:,} test)", ""]
        lines += set_table(systems) + [""]
        if "empathy" in systems:
            lines += calibration_lines(systems["empathy"]) + [""]
        lines += [" ".join(diagnostic_lines(systems)), ""]
        loads = [
            f"{name} " + "/".join(f"{v:.2f}" for v in r["loadavg_1min"].values())
            for name, r in systems.items()
            if "loadavg_1min" in r
        ]
        if loads:
            lines += [
                "1-min load average (start / after training / end), 2 cores: " + "; ".join(loads) + ".",
                "",
            ]
    lines += ["## Targets (empathy-nlu)", "", *targets(report["results"]), ""]
    if notes:
        lines += ["## Notes", "", *(f"- {note}" for note in notes), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=HERE / "results.json")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--note", action="append", default=[])
    args = parser.parse_args(argv)
    report = json.loads(args.results.read_text(encoding="utf-8"))
    args.out.write_text(render(report, args.note), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
