"""Intent sections: every system with the library defaults, and the intent tier alone.

- "All systems, library defaults": ``results/intent.json`` (``intent.py``);
- "Intent tier alone (cue detector off)": ``results/intent_only.json`` (``intent.py --intent-only``).
"""

from __future__ import annotations

from .format import Results, Targets, missing, notes, num, provenance, set_title, table


def intent_method(settings: dict) -> str:
    return " ".join(
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
            "empathy-nlu's accuracy counts every prediction it marks out-of-scope as an error on sets",
            "with no out-of-scope test examples (BANKING77, SNIPS); its threshold is chosen on train",
            "by cross-validation (`intent.max_in_scope_loss`), never on test. The 'threshold ignored'",
            "accuracy is a diagnostic, not a tuned figure.",
        ]
    )


def intent_set_table(systems: dict) -> list[str]:
    rows = []
    for r in systems.values():
        m = r["metrics"]
        rows.append(
            [
                r["title"],
                num(m["accuracy"], ".4f"),
                num(m["in_scope_accuracy"], ".4f"),
                num(m["oos_recall"], ".4f"),
                num(m["macro_f1"], ".4f"),
                f"{r['train_seconds']:.2f}",
                f"{r['latency_ms']['p50']:.3f}",
                f"{r['latency_ms']['p99']:.3f}",
                f"{r['throughput']['utterances_per_s']:,.0f}",
                f"{r['size_mb']:.2f}",
                f"{r['load']['median_s']:.3f}",
            ]
        )
    header = ["system", "accuracy", "in-scope acc.", "OOS recall", "macro-F1", "train (s)", "p50 (ms)"]
    return table([*header, "p99 (ms)", "batch (utt/s)", "size (MB)", "load (s)"], rows)


def intent_details(systems: dict) -> list[str]:
    lines = []
    if "empathy" in systems and "manifest_metrics" in systems["empathy"]:
        e = systems["empathy"]
        cv = e["manifest_metrics"]["intent_cross_validation"]
        lines += [
            f"empathy-nlu calibration: test ECE {e['test_ece']:.4f}; on train ({cv['folds']}-fold "
            f"cross-validation, from `clf.manifest['metrics']`): accuracy {num(cv['accuracy'], '.4f')}, "
            f"ECE {num(cv['ece'], '.4f')}, temperature {cv['temperature']:.4f}, "
            f"out-of-scope threshold {cv['threshold']:.4f}.",
            "",
        ]
    diagnostics = [
        "Predictions labelled `out_of_scope`: "
        + ", ".join(f"{n} {r['metrics']['n_predicted_out_of_scope']}" for n, r in systems.items())
        + "."
    ]
    if "argmax_metrics" in systems.get("empathy", {}):
        diagnostics.append(
            "empathy-nlu accuracy if its out-of-scope threshold is ignored (top of `intent_ranking`; "
            f"a diagnostic only): {systems['empathy']['argmax_metrics']['accuracy']:.4f}."
        )
    if systems.get("spacy", {}).get("epochs"):
        epochs = systems["spacy"]["epochs"]
        seconds = [e["seconds"] for e in epochs]
        losses = ", ".join(f"{e['loss']:.4f}" for e in epochs)
        diagnostics.append(
            f"spaCy training loss per epoch: {losses} ({min(seconds):.1f}–{max(seconds):.1f} s per epoch)."
        )
    lines += [" ".join(diagnostics), ""]
    loads = [
        f"{name} " + "/".join(f"{v:.2f}" for v in r["loadavg_1min"].values())
        for name, r in systems.items()
        if "loadavg_1min" in r
    ]
    if loads:
        lines += ["1-min load average (start / after training / end): " + "; ".join(loads) + ".", ""]
    return lines


def intent_targets(results: dict, targets: Targets, label: str = "") -> None:
    e = {name: systems["empathy"] for name, systems in results.items() if "empathy" in systems}
    if "banking77" in e:
        acc = e["banking77"]["metrics"]["accuracy"]
        targets.at_least(f"{label}BANKING77 accuracy ≥ 0.925", acc, 0.925, ".4f")
    if "clinc150" in e:
        m = e["clinc150"]["metrics"]
        targets.at_least(f"{label}CLINC150 in-scope accuracy ≥ 0.945", m["in_scope_accuracy"], 0.945, ".4f")
        targets.at_least(f"{label}CLINC150 out-of-scope recall ≥ 0.60", m["oos_recall"], 0.60, ".4f")
    if "snips" in e:
        acc = e["snips"]["metrics"]["accuracy"]
        targets.at_least(f"{label}SNIPS intent accuracy ≥ 0.985", acc, 0.985, ".4f")
    if "banking77" in e:
        targets.at_most(
            f"{label}training on BANKING77 ≤ 20 s", e["banking77"]["train_seconds"], 20.0, ".2f", " s"
        )
    for set_name, systems in results.items():
        if "empathy" not in systems:
            continue
        title, p50 = set_title(set_name), systems["empathy"]["latency_ms"]["p50"]
        if "spacy" in systems:
            peer = systems["spacy"]["latency_ms"]["p50"]
            targets.at_most(
                f"{label}{title}: p50 ≤ 1.5× spaCy's p50 ({peer:.3f} ms, same run)",
                p50 / peer,
                1.5,
                ".2f",
                "×",
                shown=f"{p50:.3f} ms = {p50 / peer:.2f}×",
            )
        if "sklearn" in systems:
            peer = systems["sklearn"]["latency_ms"]["p50"]
            targets.at_least(
                f"{label}{title}: p50 ≥ 8× faster than sklearn's p50 ({peer:.3f} ms, same run)",
                peer / p50,
                8.0,
                ".2f",
                "×",
                shown=f"{p50:.3f} ms, {peer / p50:.2f}× faster",
            )
    for set_name, systems in results.items():
        if "empathy" not in systems:
            continue
        r, title = systems["empathy"], set_title(set_name)
        ups = r["throughput"]["utterances_per_s"]
        targets.at_least(f"{label}{title}: batch throughput ≥ 20,000 utt/s", ups, 20000, ",.0f", " utt/s")
        targets.at_most(f"{label}{title}: model directory ≤ 25 MB", r["size_mb"], 25.0, ".2f", " MB")
        targets.at_most(f"{label}{title}: load time ≤ 0.5 s", r["load"]["median_s"], 0.5, ".3f", " s")


def intent_full(report: dict, summary: list) -> list[str]:
    lines = ["### All systems, library defaults", "", *provenance(report, "intent.json")]
    lines += [intent_method(report["settings"]), ""]
    for set_name, systems in report["results"].items():
        data = report["data"][set_name]
        lines += [f"**{set_title(set_name)}** ({data['train']:,} train / {data['test']:,} test)", ""]
        lines += [*intent_set_table(systems), "", *intent_details(systems)]
    targets = Targets("Intent", summary)
    intent_targets(report["results"], targets)
    return lines + targets.lines() + notes(report)


def intent_only(report: dict, summary: list) -> list[str]:
    lines = ["### Intent tier alone (cue detector off)", "", *provenance(report, "intent_only.json")]
    lines += [
        "The run above uses the library defaults, which include the empathy-cue detector on every",
        "`predict`. The intent tier's targets are defined on the intent tier alone (`--intent-only`:",
        "`cues.enabled: false`), so they are checked here, against the peers measured in this same run.",
        "Method as above.",
        "",
    ]
    rows = []
    for set_name, systems in report["results"].items():
        for name, r in systems.items():
            m = r["metrics"]
            ratio = ""
            if name == "empathy":
                ratio = "; ".join(
                    f"{peer}: {r['latency_ms']['p50'] / other['latency_ms']['p50']:.2f}×"
                    for peer, other in systems.items()
                    if peer != name
                )
            rows.append(
                [
                    set_title(set_name),
                    r["title"],
                    num(m["accuracy"], ".4f"),
                    num(m["in_scope_accuracy"], ".4f"),
                    num(m["oos_recall"], ".4f"),
                    f"{r['train_seconds']:.2f}",
                    f"{r['latency_ms']['p50']:.3f}",
                    f"{r['latency_ms']['p99']:.3f}",
                    f"{r['throughput']['utterances_per_s']:,.0f}",
                    f"{r['size_mb']:.2f}",
                    f"{r['load']['median_s']:.3f}",
                    ratio,
                ]
            )
    header = ["set", "system", "accuracy", "in-scope", "OOS recall", "train (s)", "p50 (ms)", "p99 (ms)"]
    header += ["batch (utt/s)", "size (MB)", "load (s)", "p50 ÷ peer's p50 (same run)"]
    lines += [*table(header, rows), ""]
    targets = Targets("Intent (tier alone)", summary)
    intent_targets(report["results"], targets)
    return lines + targets.lines() + notes(report)


def intent_section(results: Results, summary: list) -> list[str]:
    lines = []
    for name, render, script in (
        ("intent", intent_full, "intent.py"),
        ("intent_only", intent_only, "intent.py --intent-only"),
    ):
        report = results(name)
        lines += render(report, summary) if report else missing(name, script)
    return lines
