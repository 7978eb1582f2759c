"""Builtin entity values against NLU++ banking gold (issue 4): the parser untrained, every fold.

    .venv/bin/python benchmarks/entities_nlupp.py [--out FILE] [--speed] [--show-errors N]

For each gold slot of type amount_of_money, date or time (and, reported apart, date_from /
date_to / time_from / time_to) the builtin entity found is the one of a matching type whose
span overlaps the gold span most; it is right when its normalized value equals the gold value:
- amount_of_money: amount (to 1e-6) and currency; gold currency "ambiguous" equals our None.
- date: our ``date`` value; a ``date_period`` or ``time_period`` counts when its first day
  (its last day for date_to) is the gold day, because NLU++ annotates "this morning", "last
  night" and "last month" as a date: their first day. ``strict`` counts only ``date`` entities.
- time: our ``time`` value (HH:MM:00) equals gold hour and minute.
Gold values that are not resolvable ("ambiguous", e.g. "some days ago") are left out and
counted. Reference time: 2022-03-15 09:00 (the NLU++ README). ``--speed`` adds ``parse``
p50/p90 in microseconds over SNIPS val and BANKING77 train texts (the lead re-runs timing).
"""

from __future__ import annotations

import argparse
import json
import sys
import timeit
from datetime import UTC, datetime
from pathlib import Path

from empathy_nlu.entity_parser import BuiltinEntityParser

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
REFERENCE = datetime(2022, 3, 15, 9, 0, tzinfo=UTC)
MAIN = {"amount_of_money": "amount_of_money", "date": "date", "time": "time"}
EXTRA = {"date_from": "date", "date_to": "date", "time_from": "time", "time_to": "time"}
COMPATIBLE = {
    "amount_of_money": {"amount_of_money"},
    "date": {"date", "date_period", "time_period"},
    "time": {"time"},
}


def gold_value(kind: str, value):
    if kind == "amount_of_money":
        currency = value["currency"]
        return float(value["amount"]), None if currency == "ambiguous" else currency
    if kind == "date":
        return f"{value['year']:04d}-{value['month']:02d}-{value['day']:02d}"
    return f"{value['hour']:02d}:{value['minute']:02d}:00"


def our_value(kind: str, slot: str, entity: dict):
    value = entity["value"]
    if kind == "amount_of_money":
        return value["amount"], value["currency"]
    if entity["entity"] in ("date_period", "time_period"):
        return value["to" if slot == "date_to" else "from"][:10]
    return value


def same(kind: str, ours, gold) -> bool:
    if kind == "amount_of_money":
        return abs(ours[0] - gold[0]) < 1e-6 and ours[1] == gold[1]
    return ours == gold


def evaluate(data: Path, show_errors: int = 0) -> dict:
    parser = BuiltinEntityParser()
    counts: dict[str, dict] = {}
    errors: list[str] = []
    for path in sorted(data.glob("fold*.json"), key=lambda p: int(p.stem[4:])):
        for example in json.loads(path.read_text("utf-8")):
            slots = example.get("slots", {})
            if not any(s in MAIN or s in EXTRA for s in slots):
                continue
            entities = parser.parse(example["text"], REFERENCE)
            for slot, gold in slots.items():
                kind = MAIN.get(slot) or EXTRA.get(slot)
                if kind is None:
                    continue
                row = counts.setdefault(
                    slot, {"gold": 0, "unresolvable": 0, "found": 0, "correct": 0, "correct_strict": 0}
                )
                row["gold"] += 1
                value = gold.get("value")
                if not isinstance(value, dict):
                    row["unresolvable"] += 1
                    continue
                start, end = gold["span"]
                overlapping = [
                    (min(end, e["end"]) - max(start, e["start"]), e)
                    for e in entities
                    if e["entity"] in COMPATIBLE[kind] and e["start"] < end and e["end"] > start
                ]
                if not overlapping:
                    if len(errors) < show_errors:
                        errors.append(f"MISSED {slot} {gold['text']!r} in {example['text']!r}")
                    continue
                row["found"] += 1
                best = max(overlapping, key=lambda pair: pair[0])[1]
                expected = gold_value(kind, value)
                if same(kind, our_value(kind, slot, best), expected):
                    row["correct"] += 1
                    row["correct_strict"] += best["entity"] not in ("date_period", "time_period")
                elif len(errors) < show_errors:
                    errors.append(
                        f"WRONG {slot} {gold['text']!r} gold={expected} ours={best['text']!r} "
                        f"{best['entity']}={best['value']} in {example['text']!r}"
                    )
    for line in errors:
        print(line, file=sys.stderr)
    return summarize(counts)


def summarize(counts: dict) -> dict:
    def total(slots) -> dict:
        rows = [counts[s] for s in slots if s in counts]
        n = sum(r["gold"] - r["unresolvable"] for r in rows)
        out = {
            key: sum(r[key] for r in rows)
            for key in ("gold", "unresolvable", "found", "correct", "correct_strict")
        }
        out["accuracy"] = round(out["correct"] / n, 4) if n else None
        out["accuracy_strict"] = round(out["correct_strict"] / n, 4) if n else None
        out["recall_span"] = round(out["found"] / n, 4) if n else None
        return out

    return {
        "reference_time": REFERENCE.isoformat(),
        "per_slot": {slot: total([slot]) for slot in sorted(counts)},
        "amount_date_time": total(MAIN),
        "from_to_slots": total(EXTRA),
        "all": total(list(MAIN) + list(EXTRA)),
    }


def speed(parser: BuiltinEntityParser) -> dict:
    """``parse`` p50 / p90 in microseconds per text (best of 5 repeats per text)."""
    corpora = {
        "snips_val": DATA / "snips" / "val.jsonl",
        "banking77_train": DATA / "banking77" / "train.jsonl",
    }
    out = {}
    for name, path in corpora.items():
        texts = [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines() if line.strip()]
        texts = texts[:: max(1, len(texts) // 2000)]
        for t in texts[:50]:
            parser.parse(t, REFERENCE)
        per_text = [
            min(timeit.repeat(lambda t=t: parser.parse(t, REFERENCE), number=20, repeat=5)) / 20 * 1e6
            for t in texts
        ]
        has_entity = [bool(parser.parse(t, REFERENCE)) for t in texts]
        entity_times = [us for us, has in zip(per_text, has_entity, strict=True) if has]
        out[name] = {
            "texts": len(texts),
            "with_entity": len(entity_times),
            **_percentiles(per_text, ""),
            **_percentiles(entity_times, "with_entity_"),
        }
    return out


def _percentiles(values: list[float], prefix: str) -> dict:
    values = sorted(values)
    if not values:
        return {}
    return {
        f"{prefix}p50_us": round(values[len(values) // 2], 2),
        f"{prefix}p90_us": round(values[int(len(values) * 0.9)], 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA / "nlupp" / "banking")
    ap.add_argument("--out", type=Path, help="also write the JSON result to this file")
    ap.add_argument(
        "--speed", action="store_true", help="add parse p50/p90 (us) on SNIPS and BANKING77 texts"
    )
    ap.add_argument("--show-errors", type=int, default=0, metavar="N", help="print up to N misses to stderr")
    args = ap.parse_args(argv)
    result = {"nlupp_banking": evaluate(args.data, args.show_errors)}
    if args.speed:
        result["parse_speed"] = speed(BuiltinEntityParser())
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
