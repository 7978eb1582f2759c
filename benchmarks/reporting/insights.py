"""The "Insights" section: ``results/insights.json`` (``insights.py``): wall time of both engines on
a planted log, the planted emerging intent and unknown need found or not, and the clustering choice."""

from __future__ import annotations

from .format import Results, Targets, missing, notes, num, provenance, table


def insights_section(results: Results, summary: list) -> list[str]:
    report = results("insights")
    if report is None:
        return missing("insights", "insights.py")
    targets = Targets("Insights", summary)
    lines = provenance(report, "insights.json")
    planted = report.get("planted")
    if planted:
        lines += _planted(planted, targets)
    lines += _choice(report["clustering_choice"])
    return lines + targets.lines() + notes(report)


def _planted(planted: dict, targets: Targets) -> list[str]:
    checks = planted["checks"]
    rows = [
        [engine, f"{s['aggregate']:.2f}", f"{s['statistics_and_clustering']:.2f}", f"{s['total']:.2f}"]
        for engine, s in planted["insights_seconds"].items()
    ]
    best = checks["best_candidate"]
    targets.holds(
        "planted emerging intent in the top 3 of `emerging`",
        ", ".join(checks["emerging_top3"]) or "–",
        checks["emerging_in_top3"],
    )
    targets.holds(
        "a candidate with purity ≥ 0.7 covering ≥ 40% of the planted unknown need",
        f"purity {num(best.get('purity'), '.2f')}, coverage {num(best.get('coverage'), '.2f')}",
        checks["candidate_ok"],
    )
    targets.holds(
        "local and Spark engines give the same insights.json",
        str(planted["engines_agree"]),
        planted["engines_agree"],
    )
    return [
        f"Method: `generators/contact_log.py --rows {planted['rows']} --seed {planted['seed']}` (a seed no "
        "parameter was chosen on), scored with `score_log` on the bundled model "
        f"({planted['score_seconds']:.1f} s), then `build_insights` per engine (week periods, defaults).",
        "",
        *table(["engine", "aggregate (s)", "statistics + clustering (s)", "total (s)"], rows),
        "",
    ]


def _choice(choice: dict) -> list[str]:
    lines = [
        f"Clustering choice: {choice['n_intents']} CLINC150 intents the bundled banking model never saw "
        f"({choice['per_intent']} messages each) plus {choice['noise_messages']} CLINC150 out-of-scope "
        "messages as noise, as the model's own TF-IDF rows (SVD 50, L2). Purity: majority share of "
        "clustered messages; coverage: messages in the best cluster of their intent; noise clustered: "
        "out-of-scope messages put in a cluster. KMeans and Ward get the true number of groups. "
        "`min_samples` was chosen on `val`; `test` uses other intents.",
        "",
    ]
    rows = []
    for split in ("val", "test"):
        for name, m in choice[split]["methods"].items():
            rows.append(
                [
                    split,
                    name,
                    m["clusters"],
                    f"{m['purity']:.3f}",
                    f"{m['coverage']:.3f}",
                    f"{m['intents_found']}/{m['n_intents']}",
                    num(m.get("noise_clustered"), ".2f"),
                ]
            )
    header = ["split", "method", "clusters", "purity", "coverage", "intents found (≥40%)", "noise clustered"]
    return [*lines, *table(header, rows), ""]
