"""``drivers``: what customers contact us about, overall, per period and per channel."""

from __future__ import annotations


def _shares(grouped, total: int) -> list[dict]:
    """``[{intent, contacts, share}]`` most contacts first (ties by name: the order is stable)."""
    rows = sorted(((str(intent), int(n)) for intent, n in grouped.items()), key=lambda r: (-r[1], r[0]))
    return [{"intent": intent, "contacts": n, "share": n / total if total else 0.0} for intent, n in rows]


def drivers(counts) -> dict:
    """Contacts per intent with their share, and the same split by period and by channel.

    ``counts``: contacts per period x channel x intent (``tables.COUNTS``).
    """
    total = int(counts["contacts"].sum())
    by_intent = counts.groupby("intent")["contacts"].sum()
    return {
        "total_contacts": total,
        "by_intent": _shares(by_intent, total),
        "by_period": _split(counts, "period", order_by_name=True),
        "by_channel": _split(counts, "channel", order_by_name=False),
    }


def _split(counts, key: str, order_by_name: bool) -> list[dict]:
    groups = []
    for value, part in counts.groupby(key):
        n = int(part["contacts"].sum())
        groups.append(
            {key: str(value), "contacts": n, "intents": _shares(part.groupby("intent")["contacts"].sum(), n)}
        )
    if order_by_name:
        return sorted(groups, key=lambda g: g[key])
    return sorted(groups, key=lambda g: (-g["contacts"], g[key]))


def intent_period_table(counts) -> tuple[list[str], dict[str, dict[str, int]]]:
    """Periods in order and, per intent, its contacts per period (for the emerging test and charts)."""
    periods = sorted(str(p) for p in counts["period"].unique())
    table: dict[str, dict[str, int]] = {}
    for (intent, period), n in counts.groupby(["intent", "period"])["contacts"].sum().items():
        table.setdefault(str(intent), {})[str(period)] = int(n)
    return periods, table
