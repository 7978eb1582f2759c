"""Speed sections: latency per layer, start-up of whole processes (the tiers: ``tiers.py``).

- "Latency": ``results/latency.json`` (``latency.py``);
- "Startup": ``results/startup.json`` (``startup.py``).
"""

from __future__ import annotations

from .format import Results, Targets, missing, notes, provenance, set_title, table

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
