"""The report's charts: matplotlib figures rendered to SVG and embedded as ``data:`` URIs.

Why SVG in ``<img>``: vector, small, and text drawn as paths (no font to fetch); inside an ``<img>``
each chart keeps its own element ids, so several charts never clash in one page. No pyplot: the
``Figure`` API needs no GUI backend.
"""

from __future__ import annotations

import base64
import io

TOP = 15


def _figure(height: float = 3.6):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, height), layout="constrained")
    return figure, figure.subplots()


def data_uri(figure) -> str:
    """The figure as an SVG ``data:`` URI (no date in its metadata: the same data gives the same bytes)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "empathy-nlu"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue().encode()).decode()


def bars(labels: list[str], values: list[float], title: str, xlabel: str) -> str:
    """A horizontal bar chart, largest first from the top."""
    figure, axes = _figure(max(2.4, 0.28 * len(labels) + 1.2))
    axes.barh(labels[::-1], values[::-1], color="#3b6ea8")
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    axes.tick_params(axis="y", labelsize=8)
    return data_uri(figure)


def paired_bars(
    labels: list[str], first: list[float], second: list[float], names: tuple[str, str], title: str
) -> str:
    """Two rates side by side per label (e.g. negative share and hand-over rate)."""
    import numpy as np

    figure, axes = _figure(max(2.4, 0.34 * len(labels) + 1.2))
    y = np.arange(len(labels))[::-1]
    axes.barh(y + 0.2, first, height=0.4, label=names[0], color="#c0504d")
    axes.barh(y - 0.2, second, height=0.4, label=names[1], color="#4f81bd")
    axes.set_yticks(y, labels, fontsize=8)
    axes.set_xlim(0, 1)
    axes.set_title(title)
    axes.legend(loc="lower right", fontsize=8)
    return data_uri(figure)


def share_lines(periods: list[str], series: dict[str, list[float]], title: str) -> str:
    """The share of contacts per period of a few intents."""
    figure, axes = _figure()
    for name, values in series.items():
        axes.plot(periods, values, marker="o", label=name)
    axes.set_title(title)
    axes.set_ylabel("share of contacts")
    axes.tick_params(axis="x", labelrotation=45, labelsize=7)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return data_uri(figure)


def effects(rows: list[dict], title: str) -> str:
    """Log odds ratios with their 95% intervals, risers red, fallers blue."""
    figure, axes = _figure(max(2.4, 0.3 * len(rows) + 1.2))
    labels = [row["intent"] for row in rows][::-1]
    values = [row["log_odds_ratio"] for row in rows][::-1]
    low = [v - row["log_odds_ratio_ci95"][0] for v, row in zip(values, rows[::-1], strict=True)]
    high = [row["log_odds_ratio_ci95"][1] - v for v, row in zip(values, rows[::-1], strict=True)]
    colours = ["#c0504d" if v > 0 else "#4f81bd" for v in values]
    axes.barh(labels, values, xerr=[low, high], color=colours, capsize=3)
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_title(title)
    axes.set_xlabel("log odds ratio, recent vs baseline (95% CI)")
    axes.tick_params(axis="y", labelsize=8)
    return data_uri(figure)
