"""Insights over scored contact logs: what drives contacts, what is emerging, who comes back, how
customers feel and when they are handed over, and what the model could not place.

``build_insights(sources, options)`` reads the Parquet logs written by ``empathy-nlu score`` and
returns the ``insights.json`` dict (docs/insights.md); ``write_outputs`` writes it with a
self-contained ``report.html``. The heavy libraries (pandas, pyarrow, scikit-learn, pyspark,
matplotlib) are imported inside the functions that need them, so importing this package is cheap.
"""

from __future__ import annotations

from .options import PERIODS, UNPLACED, ColumnNames, InsightOptions


def build_insights(sources, options: InsightOptions | None = None, *, model=None, say=None) -> dict:
    """The insights of the scored logs ``sources`` (files or folders of Parquet); see ``build.py``."""
    from .build import build_insights as build

    return build(sources, options or InsightOptions(), model=model, say=say)


def write_outputs(insights: dict, out_dir) -> dict:
    """Write ``insights.json`` and ``report.html`` under ``out_dir``; returns their paths."""
    from .build import write_outputs as write

    return write(insights, out_dir)


__all__ = ["PERIODS", "UNPLACED", "ColumnNames", "InsightOptions", "build_insights", "write_outputs"]
