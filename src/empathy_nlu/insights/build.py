"""One insights run: check the logs, aggregate with the chosen engine, compute every insight from
the small tables, and write ``insights.json`` and ``report.html``."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

from .. import __version__
from .options import InsightOptions
from .source import check_sources

FORMAT_VERSION = 1
DIGITS = 6  # floats are rounded so the engines' different summation orders give the same file


def build_insights(sources, options: InsightOptions, *, model=None, say=None, spark=None) -> dict:
    """The insights dict of docs/insights.md. ``model``: a ``Classifier``, a model directory or None
    (the bundled default) for the clustering features; ``spark``: a SparkSession to reuse."""
    say = say or (lambda message: None)
    options.check()
    started = time.perf_counter()
    checked = check_sources(sources, options.columns)
    say(f"{checked.rows} contacts in {len(checked.files)} file(s); aggregating ({options.engine} engine)")
    aggregates = _aggregate(checked, options, spark)
    aggregated = time.perf_counter()
    insights = _insights(aggregates, checked, options)
    say(f"statistics done; clustering {len(aggregates.unplaced)} unplaced messages")
    insights.update(_candidates(aggregates.unplaced, options, model))
    done = time.perf_counter()
    insights["run"] = {
        "engine": options.engine,
        "seconds": {
            "aggregate": aggregated - started,
            "statistics_and_clustering": done - aggregated,
            "total": done - started,
        },
    }
    return rounded(insights)


def _aggregate(checked, options: InsightOptions, spark):
    if options.engine == "spark":
        from .engine_spark import aggregate

        return aggregate(checked, options, spark)
    from .engine_local import aggregate

    return aggregate(checked, options)


def _insights(aggregates, checked, options: InsightOptions) -> dict:
    from .drivers import drivers
    from .emerging import emerging
    from .experience import handoff, repeat_contact, sentiment

    counts = aggregates.counts
    return {
        "format_version": FORMAT_VERSION,
        "generated_by": f"empathy-nlu {__version__} insights",
        "sources": list(checked.files),
        "settings": options.to_dict(),
        "log": {
            "contacts": int(counts["contacts"].sum()),
            "customers": aggregates.customers,
            "first_contact": aggregates.first,
            "last_contact": aggregates.last,
            "periods": sorted(str(p) for p in counts["period"].unique()),
            "optional_columns": list(checked.present_optional),
        },
        "drivers": drivers(counts),
        **emerging(counts, options.recent_periods, options.alpha),
        "repeat_contact": repeat_contact(
            aggregates.repeat, options.repeat_days, "need" in checked.present_optional
        ),
        "sentiment": sentiment(aggregates.experience),
        "handoff": handoff(aggregates.experience),
    }


def _candidates(unplaced, options: InsightOptions, model) -> dict:
    from .candidates import candidate_intents

    return candidate_intents(unplaced, options, _model(model) if len(unplaced) else None)


def _model(model):
    from ..classifier import Classifier

    if model is None or isinstance(model, str | Path):
        return Classifier.load(model)
    return model


def rounded(value):
    """Floats rounded to ``DIGITS`` significant digits; NaN and infinities as None (strict JSON)."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return float(f"{value:.{DIGITS}g}")
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(item) for item in value]
    return value


def comparable(insights: dict) -> dict:
    """The insights without what may differ between runs of the same log: the ``run`` block."""
    return {key: value for key, value in insights.items() if key != "run"}


def write_outputs(insights: dict, out_dir) -> dict:
    """``insights.json`` and ``report.html`` under ``out_dir`` (created), written atomically."""
    from ..persistence import write_text_atomic
    from .report_html import render_report

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "insights.json", out / "report.html"
    write_text_atomic(json_path, json.dumps(insights, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
    write_text_atomic(html_path, render_report(insights))
    return {"insights": str(json_path), "report": str(html_path)}
