"""``report.html``: the insights as one self-contained page (inline CSS, charts as ``data:`` URIs, no
script, no font, no link outside the file), so it opens offline and can be mailed as is."""

from __future__ import annotations

from html import escape

from . import charts

STYLE = """body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;
max-width:60em;color:#222;padding:0 1em}h1{font-size:1.6em}
h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em}th,td{border:1px solid #ddd;padding:.25em .6em;
text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3}
img.chart{max-width:100%;display:block;margin:.8em 0}pre{background:#f6f8fa;padding:.8em;overflow:auto;
font-size:.85em}.note{color:#555;font-size:.9em}details{margin:.6em 0}"""


def _cell(value) -> str:
    if isinstance(value, float):
        return (
            f'<td class="n">{value:.3g}</td>'
            if abs(value) < 1e-3 and value
            else f'<td class="n">{value:.3f}</td>'
        )
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="n">{value}</td>'
    return f"<td>{escape('–' if value is None else str(value))}</td>"


def table(header: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _chart(uri: str, alt: str) -> str:
    return f'<img class="chart" alt="{escape(alt)}" src="{uri}">'


def _drivers(insights: dict) -> list[str]:
    d = insights["drivers"]
    top = d["by_intent"][: charts.TOP]
    parts = [
        "<h2>Drivers: what customers contact us about</h2>",
        f'<p class="note">{d["total_contacts"]} contacts, {insights["log"]["customers"]} customers, '
        f"{escape(insights['log']['first_contact'])} to {escape(insights['log']['last_contact'])}.</p>",
        _chart(
            charts.bars(
                [r["intent"] for r in top], [r["contacts"] for r in top], "Contacts per intent", "contacts"
            ),
            "contacts per intent",
        ),
    ]
    periods = [p["period"] for p in d["by_period"]]
    if len(periods) > 1:
        names = [r["intent"] for r in d["by_intent"][:6]]
        series = {n: [_share_of(p, n) for p in d["by_period"]] for n in names}
        parts.append(
            _chart(
                charts.share_lines(periods, series, f"Share per {insights['settings']['period']}"),
                "share of the top intents per period",
            )
        )
    parts.append(
        table(["intent", "contacts", "share"], [[r["intent"], r["contacts"], r["share"]] for r in top])
    )
    channels = [[c["channel"], c["contacts"], c["intents"][0]["intent"]] for c in d["by_channel"]]
    parts.append(table(["channel", "contacts", "top intent"], channels))
    return parts


def _share_of(period: dict, intent: str) -> float:
    return next((r["share"] for r in period["intents"] if r["intent"] == intent), 0.0)


def _emerging(insights: dict) -> list[str]:
    method = insights["emerging_method"]
    rows = insights["emerging"] + insights["declining"]
    parts = [
        "<h2>Emerging and declining intents</h2>",
        f'<p class="note">{escape(method["test"])}; p-values adjusted with {escape(method["correction"])} '
        f"(FDR {method['alpha']}). Recent: {escape(', '.join(method['recent_periods']) or '–')}; baseline: "
        f"{len(method['baseline_periods'])} period(s). {escape(method.get('note', ''))}</p>",
    ]
    if not rows:
        return [*parts, "<p>No intent's share changed significantly.</p>"]
    parts.append(
        _chart(charts.effects(rows[: charts.TOP], "Significant changes in share"), "emerging intents")
    )
    header = [
        "intent",
        "direction",
        "recent share",
        "baseline share",
        "share ratio",
        "log OR",
        "p",
        "adjusted p",
    ]
    body = [
        [
            r["intent"],
            "rising" if r["log_odds_ratio"] > 0 else "falling",
            r["recent_share"],
            r["baseline_share"],
            r["share_ratio"],
            r["log_odds_ratio"],
            r["p_value"],
            r["p_adjusted"],
        ]
        for r in rows
    ]
    return [*parts, table(header, body)]


def _repeat(insights: dict) -> list[str]:
    block = insights["repeat_contact"]
    rows = [r for r in block["by_intent"] if r["customers"]][: charts.TOP]
    parts = [
        "<h2>Repeat contact</h2>",
        f'<p class="note">Customers who came back for the same need ({escape(block["need"])}) within '
        f"{block['window_days']} days.</p>",
    ]
    if any(r["repeat_customers"] for r in rows):
        parts.append(
            _chart(
                charts.bars(
                    [r["intent"] for r in rows],
                    [r["repeat_rate"] or 0 for r in rows],
                    "Repeat rate per intent",
                    "share of customers",
                ),
                "repeat rate",
            )
        )
    header = ["intent", "customers", "repeat customers", "repeat rate", "median hours to next contact"]
    body = [
        [
            r["intent"],
            r["customers"],
            r["repeat_customers"],
            r["repeat_rate"],
            r["median_hours_to_next_contact"],
        ]
        for r in rows
    ]
    return [*parts, table(header, body)]


def _experience(insights: dict) -> list[str]:
    sentiment = {r["intent"]: r for r in insights["sentiment"]}
    rows = insights["handoff"][: charts.TOP]
    labels = [r["intent"] for r in rows]
    negative = [sentiment[n]["negative_share"] or 0 for n in labels]
    uri = charts.paired_bars(
        labels,
        negative,
        [r["handoff_rate"] or 0 for r in rows],
        ("negative share", "hand-over rate"),
        "Sentiment and hand-over per intent",
    )
    header = ["intent", "contacts", "negative share", "mean escalation risk", "hand-over rate"]
    body = [
        [
            r["intent"],
            r["contacts"],
            sentiment[r["intent"]]["negative_share"],
            r["mean_escalation_risk"],
            r["handoff_rate"],
        ]
        for r in rows
    ]
    return ["<h2>Sentiment and hand-over</h2>", _chart(uri, "sentiment and hand-over"), table(header, body)]


def _candidates(insights: dict) -> list[str]:
    found, method = insights["candidate_intents"], insights["candidate_method"]
    parts = [
        "<h2>Candidate new intents</h2>",
        f'<p class="note">{method["unplaced"]} unplaced messages ({escape(method["unplaced_rule"])}), '
        f"clustered with {escape(method['clustering'])} (min cluster size {method['min_cluster_size']}). "
        f"{escape(method.get('note', ''))}</p>",
    ]
    if not found:
        return [*parts, "<p>No group of unplaced messages was large and coherent enough.</p>"]
    top = found[: charts.TOP]
    uri = charts.bars([c["name"] for c in top], [c["size"] for c in top], "Candidate intents", "messages")
    parts.append(_chart(uri, "candidate intents"))
    for c in found:
        examples = "".join(f"<li>{escape(text)}</li>" for text in c["examples"])
        parts.append(
            f"<h3>{escape(c['name'])} ({c['size']} messages)</h3>"
            f"<p>Top terms: {escape(', '.join(c['top_terms']))}</p>"
            f"<ul>{examples}</ul><details><summary>YAML stub to name and add to the training data</summary>"
            f"<pre>{escape(c['yaml'])}</pre></details>"
        )
    return parts


def render_report(insights: dict) -> str:
    """The whole page; ``<meta name="empathy-nlu-charts">`` says how many charts it holds."""
    body = [
        *_drivers(insights),
        *_emerging(insights),
        *_repeat(insights),
        *_experience(insights),
        *_candidates(insights),
    ]
    text = "\n".join(body)
    n_charts = text.count('<img class="chart"')
    title = (
        f"Contact insights: {insights['log']['first_contact'][:10]} to {insights['log']['last_contact'][:10]}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="empathy-nlu-charts" content="{n_charts}"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>\n"
        f'<p class="note">{escape(insights["generated_by"])}; per {escape(insights["settings"]["period"])}; '
        f"sources: {escape(', '.join(insights['sources']))}.</p>\n{text}\n</body></html>\n"
    )
