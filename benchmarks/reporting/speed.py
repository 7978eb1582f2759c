"""Speed sections: the accurate tier, latency per layer, start-up of whole processes.

- "Accurate tier and multi-intent": ``results/accurate.json`` (``accurate.py``);
- "Latency": ``results/latency.json`` (``latency.py``);
- "Startup": ``results/startup.json`` (``startup.py``).
"""

from __future__ import annotations

from .format import Results, Targets, missing, notes, num, provenance, set_title, table


# -- accurate tier and multi-intent ----------------------------------------------------------------
def _folds(folds: list[int]) -> str:
    return f"{folds[0]}–{folds[-1]}"


def accurate_section(results: Results, summary: list) -> list[str]:
    report = results("accurate")
    if report is None:
        return missing("accurate", "accurate.py")
    targets = Targets("Accurate tier and multi-intent", summary)
    res = report["results"]
    features = next((t["config_features"] for s in res.values() for t in s.values() if "embeddings" in
                     t["config_features"]["kinds"]), None)  # fmt: skip
    lines = provenance(report, "accurate.json") + [
        "Method: both tiers train with `Classifier.train` on `train` (NLU++ banking: folds "
        f"{_folds(report['nlupp_split']['train_folds'])}) and are scored on `test` (NLU++: folds "
        f"{_folds(report['nlupp_split']['test_folds'])});",
        "nothing is tuned on the test data. The accurate tier is the same linear models over n-grams plus",
        (
            f"sentence embeddings (`{features['embedding_model']}`, weight {features['embedding_weight']}, "
            "chosen by 3-fold cross-validation on BANKING77 train)."
            if features
            else "sentence embeddings."
        ),
        'p50: one `predict` per text after `save` + `load`, with the real encoder. "argmax" ignores',
        "the out-of-scope threshold, for reference only. The multi-intent threshold is tuned by",
        "cross-validation within the training folds.",
        "",
    ]
    rows = []
    for set_name, tiers in res.items():
        if set_name == "nlupp":
            continue
        fast = tiers.get("fast")
        for tier, r in tiers.items():
            m = r["metrics"]
            versus = ""
            if tier == "accurate" and fast:
                versus = (
                    f"{m['accuracy'] - fast['metrics']['accuracy']:+.4f} acc., "
                    f"{r['latency_ms']['p50'] / fast['latency_ms']['p50']:.1f}× p50"
                )
            rows.append(
                [
                    set_title(set_name),
                    tier,
                    f"{m['accuracy']:.4f}",
                    num(m.get("in_scope_accuracy"), ".4f"),
                    num(m.get("oos_recall"), ".4f"),
                    num(m.get("argmax_accuracy"), ".4f"),
                    num(m.get("macro_f1"), ".4f"),
                    f"{r['latency_ms']['p50']:.2f}",
                    num(r.get("encoder_latency_ms", {}).get("p50"), ".2f"),
                    f"{r['train_seconds']:.1f}",
                    f"{r['size_mb']:.2f}",
                    versus,
                ]
            )
    header = ["set", "tier", "accuracy", "in-scope", "OOS recall", "argmax", "macro-F1", "p50 (ms)"]
    header += ["encoder p50 (ms)", "train (s)", "size (MB)", "accurate vs fast (same run)"]
    lines += [*table(header, rows), ""]
    acc = {name: tiers["accurate"] for name, tiers in res.items() if "accurate" in tiers}
    if "banking77" in acc:
        targets.at_least(
            "accurate tier: BANKING77 accuracy ≥ 0.940", acc["banking77"]["metrics"]["accuracy"], 0.94, ".4f"
        )
    if "clinc150" in acc:
        m = acc["clinc150"]["metrics"]
        targets.at_least(
            "accurate tier: CLINC150 in-scope accuracy ≥ 0.965", m["in_scope_accuracy"], 0.965, ".4f"
        )
        targets.at_least("accurate tier: CLINC150 out-of-scope recall ≥ 0.70", m["oos_recall"], 0.70, ".4f")
    if "airline" in acc:
        targets.at_least(
            "accurate tier: airline accuracy ≥ 0.855", acc["airline"]["metrics"]["accuracy"], 0.855, ".4f"
        )
    if acc:
        p50s = [r["latency_ms"]["p50"] for r in acc.values()]
        targets.at_most(
            "accurate tier: single `predict` p50 ≤ 10 ms (slowest set)",
            max(p50s),
            10.0,
            ".2f",
            " ms",
            shown=f"{min(p50s):.2f}–{max(p50s):.2f} ms",
        )
    if "nlupp" in res:
        rows = []
        folds = report["nlupp_split"]
        label = (
            f"NLU++ {folds['domain']} (folds {folds['train_folds'][0]}–{folds['train_folds'][-1]} → "
            f"{folds['test_folds'][0]}–{folds['test_folds'][-1]})"
        )
        for tier, r in res["nlupp"].items():
            m = r["metrics"]
            rows.append(
                [
                    label,
                    tier,
                    f"{m['multi_label_f1']:.4f}",
                    f"{m['multi_label_precision']:.4f}",
                    f"{m['multi_label_recall']:.4f}",
                    f"{m['exact_match']:.4f}",
                    f"{r['latency_ms']['p50']:.2f}",
                ]
            )
            targets.at_least(
                f"{tier} tier: NLU++ multi-intent micro-F1 ≥ 0.87", m["multi_label_f1"], 0.87, ".4f"
            )
        header = ["NLU++ multi-intent", "tier", "micro-F1", "precision", "recall", "exact match", "p50 (ms)"]
        lines += [*table(header, rows), ""]
    return lines + targets.lines() + notes(report)


# -- latency per layer -----------------------------------------------------------------------------
LAYER_TITLES = {
    "intent_only": "intent only",
    "intent_entities": "+ entities (builtin + tagger)",
    "intent_entities_context": "+ context, no history",
    "full": "+ cues (library default)",
}


def latency_section(results: Results, summary: list) -> list[str]:
    report = results("latency")
    if report is None:
        return missing("latency", "latency.py")
    targets = Targets("Latency", summary)
    sets = report["sets"]
    first = next(iter(sets.values()), {})
    lines = provenance(report, "latency.json") + [
        "Method: single-utterance `predict` p50 per configuration, layers switched on one by one (the",
        "intent model and the tagger are the same in every configuration that has them). "
        f"{first.get('n', '?')} `test` utterances x {first.get('rounds', 3)} rounds, configurations",
        "interleaved and the first to see each text rotated, so neither drift of the machine nor cold",
        "caches favour one configuration. Other single-call latencies are in their capability's section.",
        "",
    ]
    rows = []
    for set_name, r in sets.items():
        p50, ratio = r["p50_ms"], r["ratio_to_intent_only"]
        types = r.get("tagger_entity_types")
        tagger = "" if types is None else f" (tagger: {len(types)} entity types)" if types else " (no tagger)"
        rows.append(
            [
                set_title(set_name) + tagger,
                *(f"{p50[name]:.3f}" for name in LAYER_TITLES),
                f"**{ratio['intent_entities']:.2f}x**",
                f"{ratio['full']:.2f}x",
            ]
        )
        targets.at_most(
            f"{set_title(set_name)}: p50 with entities ≤ 2.5× intent only",
            ratio["intent_entities"],
            2.5,
            ".2f",
            "x",
        )
    header = ["set", *LAYER_TITLES.values(), "entities / intent only", "full / intent only"]
    lines += ["p50 (ms):", "", *table(header, rows), ""]
    return lines + targets.lines() + notes(report)


# -- startup ---------------------------------------------------------------------------------------
def startup_section(results: Results, summary: list) -> list[str]:
    report = results("startup")
    if report is None:
        return missing("startup", "startup.py")
    targets = Targets("Startup", summary)
    runs = report.get("runs", "?")
    extra = report.get("embeddings_extra_installed")
    lines = provenance(report, "startup.json") + [
        "Method: whole processes timed from outside, as a user or a shell script meets them:",
        '`python -c "import empathy_nlu"`, `empathy-nlu --version`, and `empathy-nlu predict` of one',
        f"message on the bundled default model. Each command ran {runs} times after one uncounted",
        "warm-up, the commands taking turns. Wall seconds come from a monotonic clock around each",
        "child process. CPU seconds are user + system time of the finished child. Targets apply to",
        "the median wall time"
        + (
            ""
            if extra is None
            else f", measured with the `embeddings` extra {'' if extra else 'not '}installed"
        )
        + ".",
        "",
    ]
    rows = []
    for name, r in report["results"].items():
        wall, cpu = r["wall_s"], r["cpu_s"]
        rows.append(
            [
                name,
                f"`{r['command']}`",
                f"{wall['min']:.3f}",
                f"**{wall['median']:.3f}**",
                f"{wall['max']:.3f}",
                f"{cpu['median']:.3f}",
            ]
        )
        targets.at_most(
            f"`{name}`: median wall time ≤ {r['target_median_wall_s']} s",
            wall["median"],
            r["target_median_wall_s"],
            ".3f",
            " s",
        )
    header = ["", "command", "wall min (s)", "wall median (s)", "wall max (s)", "CPU median (s)"]
    lines += [*table(header, rows), ""]
    return lines + targets.lines() + notes(report)
