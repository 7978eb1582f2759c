"""``emerging`` and ``declining``: intents whose share of contacts in the latest periods differs from
the earlier baseline by more than chance explains.

The test: per intent, Fisher's exact test (two-sided) on the 2x2 table (this intent / every other
contact) x (recent window / baseline); exact at any count, where a z-test is not for rare intents.
Many intents are tested at once, so p-values are adjusted with Benjamini-Hochberg (false discovery
rate ``alpha``). Effect sizes: the log odds ratio (Haldane-Anscombe +0.5, with a 95% interval) and
the share ratio.
"""

from __future__ import annotations

import math

from .drivers import intent_period_table

TEST = "Fisher's exact test, two-sided, per intent: recent window vs baseline (2x2: intent / other contacts)"
CORRECTION = "benjamini-hochberg"


def emerging(counts, recent_periods: int, alpha: float) -> dict:
    """``{"emerging": [...], "declining": [...], "emerging_method": {...}}`` from the period counts."""
    periods, table = intent_period_table(counts)
    method = {
        "test": TEST,
        "correction": CORRECTION,
        "alpha": alpha,
        "effect_size": "log odds ratio (+0.5 on every cell) with 95% CI; share ratio recent/baseline",
        "order": "adjusted p-value, then raw p-value, then larger |log odds ratio|",
        "recent_periods": periods[-recent_periods:] if len(periods) > recent_periods else [],
        "baseline_periods": periods[:-recent_periods] if len(periods) > recent_periods else [],
        "intents_tested": 0,
    }
    if len(periods) <= recent_periods:
        method["note"] = f"needs more than {recent_periods} period(s); the log has {len(periods)}"
        return {"emerging": [], "declining": [], "emerging_method": method}
    recent = set(method["recent_periods"])
    tests = [_test(intent, by_period, recent, _totals(table, recent)) for intent, by_period in table.items()]
    for test, adjusted in zip(tests, adjust_bh([t["p_value"] for t in tests]), strict=True):
        test["p_adjusted"] = adjusted
    method["intents_tested"] = len(tests)
    significant = sorted(
        (t for t in tests if t["p_adjusted"] < alpha),
        key=lambda t: (t["p_adjusted"], t["p_value"], -abs(t["log_odds_ratio"]), t["intent"]),
    )
    return {
        "emerging": [t for t in significant if t["log_odds_ratio"] > 0],
        "declining": [t for t in significant if t["log_odds_ratio"] < 0],
        "emerging_method": method,
    }


def _totals(table: dict, recent: set[str]) -> tuple[int, int]:
    recent_total = sum(n for by_period in table.values() for p, n in by_period.items() if p in recent)
    all_total = sum(n for by_period in table.values() for n in by_period.values())
    return recent_total, all_total - recent_total


def _test(intent: str, by_period: dict[str, int], recent: set[str], totals: tuple[int, int]) -> dict:
    from scipy.stats import fisher_exact

    recent_total, baseline_total = totals
    a = sum(n for p, n in by_period.items() if p in recent)
    b = sum(n for p, n in by_period.items() if p not in recent)
    p_value = float(fisher_exact([[a, recent_total - a], [b, baseline_total - b]]).pvalue)
    cells = (a + 0.5, recent_total - a + 0.5, b + 0.5, baseline_total - b + 0.5)
    log_or = math.log(cells[0] * cells[3] / (cells[1] * cells[2]))
    se = math.sqrt(sum(1 / c for c in cells))
    share_recent = a / recent_total if recent_total else 0.0
    share_baseline = b / baseline_total if baseline_total else 0.0
    return {
        "intent": intent,
        "recent_contacts": a,
        "baseline_contacts": b,
        "recent_share": share_recent,
        "baseline_share": share_baseline,
        "share_ratio": share_recent / share_baseline if share_baseline else None,
        "log_odds_ratio": log_or,
        "log_odds_ratio_ci95": [log_or - 1.96 * se, log_or + 1.96 * se],
        "p_value": p_value,
    }


def adjust_bh(p_values: list[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (step-up, monotone, capped at 1), in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        index = order[rank - 1]
        running = min(running, p_values[index] * m / rank)
        adjusted[index] = running
    return adjusted
