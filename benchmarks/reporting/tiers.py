"""The "Accurate tier and multi-intent" section: both tiers, the frozen ablation and the peers of one
``accurate.py`` run, against issue 16's targets (``results/accurate.json``)."""

from __future__ import annotations

from .format import Results, Targets, missing, notes, num, provenance, set_title, table

SYSTEM_TITLES = {
    "fast": "empathy-nlu fast tier",
    "accurate": "empathy-nlu accurate tier",
    "accurate-frozen": "accurate tier, encoder frozen (ablation)",
    "sklearn": "scikit-learn TF-IDF + LinearSVC",
    "spacy": "spaCy textcat BOW",
}
# (set, metric, fast tier's target, accurate tier's target)
ACCURACY_TARGETS = [
    ("banking77", "accuracy", 0.925, 0.940),
    ("clinc150", "in_scope_accuracy", 0.945, 0.965),
    ("clinc150", "oos_recall", 0.60, 0.75),
    ("snips", "accuracy", 0.985, 0.988),
    ("airline", "accuracy", 0.845, 0.860),
    ("airline", "macro_f1", 0.79, 0.81),
]
NLUPP_TARGETS = {"fast": 0.88, "accurate": 0.91}
TRAIN_SECONDS = {"fast": 30.0, "accurate": 1800.0}  # BANKING77
SIZE_MB = {"fast": 30.0, "accurate": 150.0}
BATCH = {"fast": 20_000.0, "accurate": 300.0}


def _throughput(r: dict, n_test: int) -> float:
    if "throughput" in r:  # common.batch_throughput: after a warm-up, the median pass
        return r["throughput"]["utterances_per_s"]
    return n_test / r["batch_seconds"]  # runs before 2026-12-01 10:45: one cold pass


def _row(set_name: str, system: str, r: dict, n_test: int) -> list[str]:
    m = r["metrics"]
    return [
        set_title(set_name),
        SYSTEM_TITLES.get(system, system),
        f"{m['accuracy']:.4f}",
        num(m.get("in_scope_accuracy"), ".4f"),
        num(m.get("oos_recall"), ".4f"),
        num(m.get("oos_auroc"), ".4f"),
        num(m.get("argmax_accuracy"), ".4f"),
        num(m.get("macro_f1"), ".4f"),
        f"{r['train_seconds']:.1f}",
        f"{r['latency_ms']['p50']:.3f}",
        f"{_throughput(r, n_test):,.0f}",
        f"{r['size_mb']:.2f}",
    ]


def tiers_section(results: Results, summary: list) -> list[str]:
    report = results("accurate")
    if report is None:
        return missing("accurate", "accurate.py")
    targets = Targets("Accurate tier and multi-intent", summary)
    res, sizes = report["results"], report["data"]
    lines = provenance(report, "accurate.json") + [
        "Method: every system trains on `train` and is scored on `test` in this one run (NLU++ banking:",
        "folds 0–9 → 10–19, scored by `empathy-nlu evaluate` on the saved model); nothing is tuned on",
        "test. The accurate tier is `--tier accurate`: n-grams plus MiniLM embeddings, the encoder",
        "fine-tuned on the intents (3 epochs; temperature and threshold from the 20 % of each intent",
        "kept out of fine-tuning), and kept only where those held-out texts score higher with it than",
        "with the frozen encoder (table below). The frozen row is the same without fine-tuning. p50:",
        "one `predict` per text after `save` + `load` (peers: one `predict` call); batch:",
        "`predict_batch` over the test split after a warm-up batch of 256 texts, the median of three",
        "passes (the encoder tiers: one pass). Like the peers, every tier answers one question:",
        "cues, builtin entities and context off (none changes the intent or sentiment of a text",
        "without history); the fast tier's p50 with the library defaults is in its own table. The frozen",
        "row reads its training and test embeddings from a cache (`--cache`), so its batch figure and",
        "training time leave out the encoder; the fine-tuned row encodes everything itself. OOS AUROC:",
        "how well 1 − the top calibrated probability separates out-of-scope test texts, whatever the",
        "threshold (the decision itself uses the out-of-scope margin, docs/out_of_scope.md).",
        "",
    ]
    rows = []
    for set_name, systems in res.items():
        if set_name != "nlupp":
            rows += [_row(set_name, s, r, sizes[set_name]["test"]) for s, r in systems.items()]
    header = ["set", "system", "accuracy", "in-scope", "OOS recall", "OOS AUROC", "argmax", "macro-F1"]
    header += ["train (s)", "p50 (ms)", "batch (utt/s)", "size (MB)"]
    lines += [*table(header, rows), ""]
    lines += _fine_tuning_table(res) + _defaults_table(res)
    if "nlupp" in res:
        rows = []
        for tier, r in res["nlupp"].items():
            m = r["metrics"]
            rows.append(
                [SYSTEM_TITLES.get(tier, tier), f"{m['multi_label_f1']:.4f}"]
                + [f"{m[k]:.4f}" for k in ("multi_label_precision", "multi_label_recall", "exact_match")]
                + [f"{r['train_seconds']:.1f}"]
            )
        header = ["NLU++ banking, `empathy-nlu evaluate`", "micro-F1", "precision", "recall", "exact match"]
        lines += [*table([*header, "train (s)"], rows), ""]
    interleaved = report.get("interleaved_latency", {})
    lines += _interleaved_table(interleaved)
    _targets(targets, res, sizes)
    _latency_targets(targets, res, interleaved)
    return lines + targets.lines() + notes(report)


def _fine_tuning_table(res: dict) -> list[str]:
    """Per set: the held-out scores of the fine-tuned and the frozen encoder, and which was kept."""
    rows = []
    for set_name, systems in res.items():
        tuning = systems.get("accurate", {}).get("cross_validation", {})
        scores = tuning.get("fine_tune_held_out_score")
        if scores:
            kept = "fine-tuned" if tuning.get("fine_tune_kept") else "frozen"
            rows.append([set_title(set_name), f"{scores['fine_tuned']:.4f}", f"{scores['frozen']:.4f}", kept])
    if not rows:
        return []
    header = ["accurate tier: held-out texts", "fine-tuned encoder", "frozen encoder", "kept"]
    return [*table(header, rows), ""]


def _defaults_table(res: dict) -> list[str]:
    """The fast tier's p50 single-task and with the library defaults (cues, entities, context on)."""
    rows = []
    for set_name, systems in res.items():
        fast = systems.get("fast", {})
        if "library_defaults" in fast:
            full = fast["library_defaults"]
            rows.append([set_title(set_name), f"{fast['latency_ms']['p50']:.3f}",
                         f"{full['latency_ms']['p50']:.3f}", f"{full['agrees']:.3f}"])  # fmt: skip
    if not rows:
        return []
    header = ["fast tier p50 (ms)", "single-task", "library defaults", "same answers"]
    return [*table(header, rows), ""]


def _targets(targets: Targets, res: dict, sizes: dict) -> None:
    for set_name, metric, *limits in ACCURACY_TARGETS:
        for tier, limit in zip(("fast", "accurate"), limits, strict=True):
            if tier in res.get(set_name, {}):
                value = res[set_name][tier]["metrics"][metric]
                label = f"{tier} tier: {set_title(set_name)} {metric.replace('_', ' ')} ≥ {limit}"
                targets.at_least(label, value, limit, ".4f")
    for tier, limit in NLUPP_TARGETS.items():
        if tier in res.get("nlupp", {}):
            value = res["nlupp"][tier]["metrics"]["multi_label_f1"]
            targets.at_least(f"{tier} tier: NLU++ micro-F1 via evaluate ≥ {limit}", value, limit, ".4f")
    for tier in ("fast", "accurate"):
        if tier in res.get("banking77", {}):
            seconds = res["banking77"][tier]["train_seconds"]
            targets.at_most(f"{tier} tier: training BANKING77 ≤ {TRAIN_SECONDS[tier]:g} s", seconds,
                            TRAIN_SECONDS[tier], ".1f", " s")  # fmt: skip
        runs = {s: systems[tier] for s, systems in res.items() if tier in systems and s != "nlupp"}
        if not runs:
            continue
        largest = max(r["size_mb"] for r in runs.values())
        targets.at_most(f"{tier} tier: model directory ≤ {SIZE_MB[tier]:g} MB (largest set)", largest,
                        SIZE_MB[tier], ".2f", " MB")  # fmt: skip
        slowest = min(_throughput(r, sizes[s]["test"]) for s, r in runs.items())
        targets.at_least(f"{tier} tier: batch ≥ {BATCH[tier]:,.0f} utt/s (slowest set)", slowest,
                         BATCH[tier], ",.0f", " utt/s")  # fmt: skip


def _interleaved_table(interleaved: dict) -> list[str]:
    """p50 of the fast tier and the peers timed taking turns on every text, and the ratios."""
    rows = []
    for set_name, systems in interleaved.items():
        fast = systems["fast"]["p50"]
        row = [set_title(set_name), f"{fast:.3f}"]
        for peer in ("sklearn", "spacy"):
            p50 = systems.get(peer, {}).get("p50")
            row += [num(p50, ".3f"), num(p50 and p50 / fast, ".2f")]
        rows.append(row)
    if not rows:
        return []
    header = ["interleaved p50 (ms)", "fast tier", "sklearn", "sklearn / fast", "spaCy", "spaCy / fast"]
    intro = [
        "Latency taken in turns: after a set's systems are trained, the fast tier (single-task) and the",
        "peers answer the same texts one after the other, the order rotating, three rounds; the",
        "latency targets read these figures (the columns above were timed one system after the other).",
        "",
    ]
    return [*intro, *table(header, rows), ""]


def _latency_targets(targets: Targets, res: dict, interleaved: dict) -> None:
    accurate = [systems["accurate"]["latency_ms"]["p50"] for systems in res.values() if "accurate" in systems]
    if accurate:
        targets.at_most("accurate tier: single `predict` p50 ≤ 10 ms (slowest set)", max(accurate), 10.0,
                        ".2f", " ms")  # fmt: skip
    for set_name, systems in res.items():
        fast = systems.get("fast")
        if fast is None:
            continue
        if set_name in interleaved:  # the same moments for every system (see _interleaved_table)
            systems = {name: {"latency_ms": r} for name, r in interleaved[set_name].items()}
            fast = systems["fast"]
        p50 = fast["latency_ms"]["p50"]
        if "sklearn" in systems:
            peer = systems["sklearn"]["latency_ms"]["p50"]
            targets.at_least(f"fast tier (single-task): {set_title(set_name)} p50 ≥ 8× faster than "
                             f"sklearn ({peer:.3f} ms, same run)", peer / p50, 8.0, ".2f", "×")  # fmt: skip
        if "spacy" in systems:
            peer = systems["spacy"]["latency_ms"]["p50"]
            label = f"fast tier (single-task): {set_title(set_name)} p50 ≤ 1.5× spaCy's"
            targets.at_most(f"{label} ({peer:.3f} ms, same run)",
                            p50 / peer, 1.5, ".2f", "×")  # fmt: skip
