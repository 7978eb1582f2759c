"""A synthetic contact log with planted answers, for the scoring and insights benchmarks.

    .venv/bin/python benchmarks/generators/contact_log.py --rows N --seed S --out DIR [--weeks W]

writes ``DIR/log.parquet`` (one row per customer message: ``id`` int64, ``customer_id`` str,
``timestamp`` UTC timestamp, ``channel`` str, ``text`` str; rows in time order) and
``DIR/planted.json``, the answers an analysis of the scored log should find:

- ``emerging_issue``: one intent (BANKING77 ``card_arrival``, which the default model calls
  ``card_not_arrived``) whose share of messages rises sharply in the last two weeks;
- ``repeat_contacts``: customers who come back about the same need within days (their ids, the
  need and the days between contacts); other customers' messages are each about a need of its own;
- ``unknown_need``: messages about one topic outside the model's intents (CLINC150
  ``credit_score`` + ``improve_credit_score``, from the last three weeks), apart from the general
  out-of-scope noise (CLINC150 ``out_of_scope``) spread over the whole period.

Texts come from the ``train`` splits of BANKING77 and CLINC150 (never ``test``); in-scope needs are
BANKING77 intents mapped to the default model's labels (``NEEDS``). Customers write 1-20 messages
(most write a few) on chat, email, sms, voice or social. Everything is drawn from one seeded
``random.Random``: the same arguments give the same files. ``generate()`` is the same from Python.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
END = datetime(2024, 6, 30, 18, tzinfo=UTC)  # the log's last day; fixed, so runs are comparable
CHANNELS = ["chat", "email", "sms", "voice", "social"]
CHANNEL_WEIGHTS = [0.4, 0.25, 0.1, 0.15, 0.1]
# BANKING77 intent -> the default model's label for it (what the scored log should say)
NEEDS = {
    "card_arrival": "card_not_arrived",
    "lost_or_stolen_card": "lost_or_stolen_card",
    "change_pin": "change_pin",
    "exchange_rate": "exchange_rate",
    "cancel_transfer": "cancel_transfer",
    "top_up_failed": "top_up_failed",
    "request_refund": "request_refund",
    "activate_my_card": "activate_card",
    "declined_card_payment": "card_payment_declined",
    "transfer_not_received_by_recipient": "transfer_not_received",
    "pending_card_payment": "payment_pending",
    "Refund_not_showing_up": "refund_not_received",
    "transaction_charged_twice": "duplicate_charge",
    "terminate_account": "close_account",
    "card_swallowed": "atm_issue",
    "passcode_forgotten": "forgot_password",
    "edit_personal_details": "update_personal_details",
    "extra_charge_on_statement": "unexpected_fee",
}
EMERGING = "card_arrival"
UNKNOWN = ("credit_score", "improve_credit_score")
SMALL_TALK = ("greeting", "thank_you", "goodbye")  # CLINC150: how follow-ups often start or end
RATES = {"emerging_base": 0.02, "emerging_recent": 0.22, "unknown": 0.03, "noise": 0.02, "small_talk": 0.08}
REPEAT_SHARE = 0.08  # customers with at least two messages who come back about the same need


def _read(path: Path, labels) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row.get("intent") in labels:
                texts.setdefault(row["intent"], []).append(row["text"])
    missing = sorted(set(labels) - set(texts))
    if missing:
        raise SystemExit(f"{path}: no texts for {missing}")
    return texts


def load_texts(data: Path = DATA) -> dict[str, list[str]]:
    """Texts by source intent: BANKING77 needs, CLINC150 unknown topic, small talk and noise."""
    texts = _read(data / "banking77" / "train.jsonl", set(NEEDS))
    texts.update(_read(data / "clinc150" / "train.jsonl", {*UNKNOWN, *SMALL_TALK, "out_of_scope"}))
    return texts


def _message_count(rng: random.Random) -> int:
    """1-20, most customers writing a few (a geometric tail)."""
    n = 1
    while n < 20 and rng.random() < 0.7:
        n += 1
    return n


class _Log:
    """The rows being drawn, and the planted answers."""

    def __init__(self, rng: random.Random, texts: dict, weeks: int) -> None:
        self.rng, self.texts = rng, texts
        self.start = END - timedelta(weeks=weeks)
        self.recent = END - timedelta(days=14)
        self.unknown_from = END - timedelta(days=21)
        self.rows: list[tuple] = []  # (timestamp, customer, channel, text, source)
        self.repeats: list[dict] = []
        self.needs = sorted(NEEDS)

    def source(self, when: datetime) -> str:
        """The source intent of a first message at ``when`` (the planted shares)."""
        r = self.rng.random()
        emerging = RATES["emerging_recent"] if when >= self.recent else RATES["emerging_base"]
        if r < emerging:
            return EMERGING
        r -= emerging
        if when >= self.unknown_from and r < RATES["unknown"]:
            return self.rng.choice(UNKNOWN)
        if self.rng.random() < RATES["noise"]:
            return "out_of_scope"
        return self.rng.choice([need for need in self.needs if need != EMERGING])

    def add(self, when: datetime, customer: str, channel: str, source: str) -> None:
        self.rows.append((when, customer, channel, self.rng.choice(self.texts[source]), source))

    def customer(self, number: int) -> int:
        """Draw one customer's messages; returns how many."""
        rng, customer = self.rng, f"cust-{number:07d}"
        n = _message_count(rng)
        span = (END - self.start).total_seconds()
        when = self.start + timedelta(seconds=rng.random() * span * 0.97)
        channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        need = self.source(when)
        repeat = n >= 2 and need in NEEDS and rng.random() < REPEAT_SHARE
        gaps = []
        for k in range(n):
            if k:
                gap = timedelta(days=rng.uniform(1, 4)) if repeat else timedelta(hours=rng.uniform(6, 24 * 6))
                gaps.append(round(gap.total_seconds() / 86400, 2))
                when = min(when + gap, END)
                channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0] if rng.random() < 0.3 else channel
                need = need if repeat else self.source(when)
            small = not repeat and k and rng.random() < RATES["small_talk"]
            self.add(when, customer, channel, rng.choice(SMALL_TALK) if small else need)
        if repeat:
            self.repeats.append(
                {"customer_id": customer, "need": need, "label": NEEDS[need], "contacts": n, "gap_days": gaps}
            )
        return n


def _shares(rows: list[tuple], since: datetime, until: datetime) -> float:
    window = [row for row in rows if since <= row[0] < until]
    return round(sum(row[4] == EMERGING for row in window) / max(len(window), 1), 4)


def _planted(log: _Log, rows: list[tuple], ids: list[int], seed: int) -> dict:
    by_source = Counter(row[4] for row in rows)
    unknown_ids = [i for i, row in zip(ids, rows, strict=True) if row[4] in UNKNOWN]
    return {
        "seed": seed,
        "rows": len(rows),
        "customers": len({row[1] for row in rows}),
        "period": {"start": log.start.isoformat(), "end": END.isoformat()},
        "needs": NEEDS,
        "emerging_issue": {
            "source_intent": EMERGING,
            "label": NEEDS[EMERGING],
            "window_start": log.recent.isoformat(),
            "share_before": _shares(rows, log.start, log.recent),
            "share_in_window": _shares(rows, log.recent, END + timedelta(seconds=1)),
        },
        "repeat_contacts": {
            "customers": len(log.repeats),
            "max_gap_days": 4,
            "planted": log.repeats,
        },
        "unknown_need": {
            "source_intents": list(UNKNOWN),
            "topic": "credit score",
            "from": log.unknown_from.isoformat(),
            "rows": len(unknown_ids),
            "ids": unknown_ids,
        },
        "out_of_scope_noise_rows": by_source["out_of_scope"],
        "rows_by_source": dict(sorted(by_source.items())),
    }


def generate(rows: int, seed: int, out: str | Path, *, weeks: int = 8, data: Path = DATA) -> dict:
    """Write ``out/log.parquet`` and ``out/planted.json`` with about ``rows`` rows (exactly ``rows``:
    the last customer's messages are cut); returns the planted answers."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(seed)
    log = _Log(rng, load_texts(data), weeks)
    number = 0
    while len(log.rows) < rows:
        number += 1
        log.customer(number)
    drawn = sorted(log.rows[:rows], key=lambda row: row[0])
    ids = list(range(1, len(drawn) + 1))
    kept = {row[1] for row in drawn}
    log.repeats = [r for r in log.repeats if r["customer_id"] in kept]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table = pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "customer_id": [row[1] for row in drawn],
            "timestamp": pa.array([row[0] for row in drawn], pa.timestamp("us", tz="UTC")),
            "channel": [row[2] for row in drawn],
            "text": [row[3] for row in drawn],
        }
    )
    pq.write_table(table, out / "log.parquet", row_group_size=100_000)
    planted = _planted(log, drawn, ids, seed)
    (out / "planted.json").write_text(json.dumps(planted, indent=1) + "\n", encoding="utf-8")
    return planted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True, help="rows (messages) in the log")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="folder for log.parquet and planted.json")
    parser.add_argument("--weeks", type=int, default=8, help="weeks the log spans (at least 4)")
    parser.add_argument("--data", type=Path, default=DATA, help="the shared benchmark data folder")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.weeks < 4:
        parser.error("--rows must be at least 1 and --weeks at least 4")
    planted = generate(args.rows, args.seed, args.out, weeks=args.weeks, data=args.data)
    summary = {k: planted[k] for k in ("rows", "customers")}
    summary["repeat_customers"] = planted["repeat_contacts"]["customers"]
    summary["unknown_need_rows"] = planted["unknown_need"]["rows"]
    print(json.dumps({"out": str(args.out), **summary}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
