"""Entity benchmarks: SNIPS custom-entity slots (the CRF tagger vs spaCy ``ner``) and builtin values on NLU++.

    .venv/bin/python benchmarks/entities.py                       # both parts, CRF tagger
    .venv/bin/python benchmarks/entities.py --only slots --tagger spacy --epochs 5
    .venv/bin/python benchmarks/entities.py --only values --speed --show-errors 20

Slots (``results/entities_slots.json``; spaCy: ``results/entities_slots_spacy.json``): trains on
SNIPS ``train.jsonl``, scores exact span + type F1 on ``val.jsonl`` and ``test.jsonl`` (settings
are chosen on val only: ``--skip-test`` while tuning), and times one ``predict`` call per
validation utterance. For the CRF it also checks the pruned Viterbi against an exact full-lattice
Viterbi over the same weights (``exact_decoding_agreement``).

Values (``results/entities_nlupp.json``): the builtin parser, untrained, on every NLU++ banking
fold. For each gold slot of type amount_of_money, date or time (and, reported apart, date_from /
date_to / time_from / time_to) the builtin entity found is the one of a matching type whose span
overlaps the gold span most; it is right when its normalized value equals the gold value:
- amount_of_money: amount (to 1e-6) and currency; gold currency "ambiguous" equals our None.
- date: our ``date`` value; a ``date_period`` or ``time_period`` counts when its first day
  (its last day for date_to) is the gold day, because NLU++ annotates "this morning", "last
  night" and "last month" as a date: their first day. ``strict`` counts only ``date`` entities.
- time: our ``time`` value (HH:MM:00) equals gold hour and minute.
Gold values that are not resolvable ("ambiguous", e.g. "some days ago") are left out and
counted. Reference time: 2022-03-15 09:00 (the NLU++ README). ``--speed`` adds ``parse``
p50/p90 in microseconds over SNIPS val and BANKING77 train texts.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import timeit
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # common.py, also when a test imports this file
import common  # noqa: E402
from common import log  # noqa: E402
from empathy_nlu.entity_parser import BuiltinEntityParser  # noqa: E402

SEED = 0
REFERENCE = datetime(2022, 3, 15, 9, 0, tzinfo=UTC)
MAIN = {"amount_of_money": "amount_of_money", "date": "date", "time": "time"}
EXTRA = {"date_from": "date", "date_to": "date", "time_from": "time", "time_to": "time"}
COMPATIBLE = {
    "amount_of_money": {"amount_of_money"},
    "date": {"date", "date_period", "time_period"},
    "time": {"time"},
}


# -- SNIPS slots -----------------------------------------------------------------------------------
def latency_us(predict_one, texts: list[str]) -> dict:
    """p50/p90/p99 in µs of one call per text, after a warm-up pass over all of them."""
    for text in texts:
        predict_one(text)
    timings = common.call_ms(predict_one, texts)
    return {key: round(value * 1e3, 1) for key, value in common.percentiles(timings, (50, 90, 99)).items()}


def exact_viterbi(model, text: str) -> list[int]:
    """Full-lattice Viterbi without pruning or BIO constraints: what crfsuite would decode."""
    from empathy_nlu.slot_filler.tokens import tokenize

    words, starts, ends = tokenize(text)
    extra = model.resources_.features(text, words, starts, ends) if model.resources_ else None
    flat, offsets = model.index_.token_rows(words, extra)
    scores = np.add.reduceat(model.weights_[flat], offsets, axis=0).astype(np.float64) + model.bias_
    transitions = model.transitions_.astype(np.float64)
    best, pointers = scores[0], []
    for t in range(1, len(scores)):
        candidates = best[:, None] + transitions
        pointers.append(candidates.argmax(axis=0))
        best = candidates.max(axis=0) + scores[t]
    path = [int(best.argmax())]
    for back in reversed(pointers):
        path.append(int(back[path[-1]]))
    return path[::-1]


def crf_run(args, train, splits) -> dict:
    from empathy_nlu.config import make_config
    from empathy_nlu.persistence import save_model_dir
    from empathy_nlu.slot_filler import CRFSlotFiller, entity_scores
    from empathy_nlu.slot_filler.tokens import tokenize

    params = make_config()["slot_filler"]
    for key in ("c1", "c2", "max_iterations"):
        if getattr(args, key) is not None:
            params[key] = getattr(args, key)
    model = CRFSlotFiller(**params)
    _, seconds = common.timed(model.fit, train, None, log)
    result: dict = {"tagger": "crf", "params": params, "train_seconds": round(seconds, 1)}
    for name, examples in splits.items():
        predicted = [model.predict_one(ex.text) for ex in examples]
        result[name] = entity_scores([ex.entities for ex in examples], predicted)
    val_texts = [ex.text for ex in splits["val"]]
    result["latency_us_val"] = latency_us(model.predict_one, val_texts)
    agree = 0
    for text in val_texts:
        labels = [model.labels_[j] for j in exact_viterbi(model, text)]
        ours = ["O"] * len(labels)
        for entity in model.predict_one(text):
            _, starts, ends = tokenize(text)
            inside = [
                i
                for i, (s, e) in enumerate(zip(starts, ends, strict=True))
                if entity["start"] <= s < entity["end"]
            ]
            ours[inside[0]] = "B-" + entity["entity"]
            for i in inside[1:]:
                ours[i] = "I-" + entity["entity"]
        agree += ours == labels
    result["exact_decoding_agreement"] = f"{agree}/{len(val_texts)}"
    with tempfile.TemporaryDirectory() as tmp:
        path = save_model_dir(
            Path(tmp) / "model", {"library": "benchmark"}, {"slot_filler": model.to_state()}
        )
        result["model_mb"] = round(common.size_mb(path), 2)
    result["n_features"] = len(model.attributes_)
    result["n_labels"] = len(model.labels_)
    return result


def spacy_run(args, train, splits) -> dict:
    import spacy
    from spacy.training import Example as SpacyExample
    from spacy.util import fix_random_seed, minibatch

    from empathy_nlu.slot_filler import entity_scores

    fix_random_seed(SEED)
    rng = random.Random(SEED)
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in sorted({span.entity for ex in train for span in ex.entities}):
        ner.add_label(label)
    examples = []
    for ex in train:
        doc = nlp.make_doc(ex.text)
        ents = [(s.start, s.end, s.entity) for s in ex.entities]
        examples.append(SpacyExample.from_dict(doc, {"entities": ents}))
    started = time.perf_counter()
    optimizer = nlp.initialize(lambda: examples)
    for epoch in range(1, args.epochs + 1):
        rng.shuffle(examples)
        losses: dict = {}
        for batch in minibatch(examples, size=64):
            nlp.update(batch, sgd=optimizer, drop=0.2, losses=losses)
        log(f"spacy: epoch {epoch}/{args.epochs} loss {losses.get('ner', 0.0):.1f}")
    seconds = time.perf_counter() - started

    def predict_one(text: str) -> list[dict]:
        return [{"entity": e.label_, "start": e.start_char, "end": e.end_char} for e in nlp(text).ents]

    result: dict = {"tagger": "spacy", "epochs": args.epochs, "train_seconds": round(seconds, 1)}
    for name, split in splits.items():
        result[name] = entity_scores([ex.entities for ex in split], [predict_one(ex.text) for ex in split])
    result["latency_us_val"] = latency_us(predict_one, [ex.text for ex in splits["val"]])
    with tempfile.TemporaryDirectory() as tmp:
        nlp.to_disk(Path(tmp) / "spacy")
        result["model_mb"] = round(common.size_mb(Path(tmp) / "spacy"), 2)
    return result


def slots(args) -> dict:
    from empathy_nlu.dataset import load_data

    train = common.spread(load_data(args.snips / "train.jsonl").examples, args.limit)
    splits = {"val": load_data(args.snips / "val.jsonl").examples}
    if not args.skip_test:
        splits["test"] = load_data(args.snips / "test.jsonl").examples
    log(f"{args.tagger}: training on {len(train)} SNIPS examples")
    run = crf_run if args.tagger == "crf" else spacy_run
    return {"benchmark": "slots_snips", "n_train": len(train), **run(args, train, splits)}


# -- NLU++ builtin values --------------------------------------------------------------------------
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


def nlupp_values(data: Path, show_errors: int = 0) -> dict:
    """Builtin values against the NLU++ gold of every fold in ``data`` (the NLU++ banking folder)."""
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


evaluate = nlupp_values  # the name tests/test_entity_parser.py calls


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


def speed(parser: BuiltinEntityParser, data: Path) -> dict:
    """``parse`` p50 / p90 in microseconds per text (best of 5 repeats per text)."""
    corpora = {
        "snips_val": data / "snips" / "val.jsonl",
        "banking77_train": data / "banking77" / "train.jsonl",
    }
    out = {}
    for name, path in corpora.items():
        texts = [row["text"] for row in common.read_jsonl(path)]
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
    """p50 / p90 as the element at that rank (not interpolated), as the parse figures always were."""
    values = sorted(values)
    if not values:
        return {}
    return {
        f"{prefix}p50_us": round(values[len(values) // 2], 2),
        f"{prefix}p90_us": round(values[int(len(values) * 0.9)], 2),
    }


def values(args) -> dict:
    result = {"nlupp_banking": nlupp_values(args.nlupp, args.show_errors)}
    if args.speed:
        result["parse_speed"] = speed(BuiltinEntityParser(), args.data)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("slots", "values"), help="run one part (default: both)")
    parser.add_argument("--data", type=Path, default=common.DATA, help="folder holding the benchmark sets")
    parser.add_argument("--out-slots", type=Path, help="slots results (default results/entities_slots.json)")
    parser.add_argument(
        "--out-values", type=Path, help="values results (default results/entities_nlupp.json)"
    )
    parser.add_argument("--note", action="append", default=[], help="a remark kept with the figures")
    slot_args = parser.add_argument_group("slots (SNIPS)")
    slot_args.add_argument("--tagger", choices=("crf", "spacy"), default="crf")
    slot_args.add_argument("--limit", type=int, help="quick run: train on N examples spread over train")
    slot_args.add_argument(
        "--skip-test", action="store_true", help="score val only (while choosing settings)"
    )
    slot_args.add_argument("--c1", type=float)
    slot_args.add_argument("--c2", type=float)
    slot_args.add_argument("--max-iterations", dest="max_iterations", type=int)
    slot_args.add_argument("--epochs", type=int, default=5, help="spaCy training epochs")
    value_args = parser.add_argument_group("values (NLU++ banking)")
    value_args.add_argument(
        "--speed", action="store_true", help="add parse p50/p90 (us) on SNIPS and BANKING77"
    )
    value_args.add_argument("--show-errors", type=int, default=0, metavar="N", help="print up to N misses")
    args = parser.parse_args(argv)
    args.snips, args.nlupp = args.data / "snips", args.data / "nlupp" / "banking"

    if args.only in (None, "slots"):
        name = "entities_slots" if args.tagger == "crf" else "entities_slots_spacy"
        tuning = (
            args.limit
            or args.skip_test
            or any(getattr(args, k) is not None for k in ("c1", "c2", "max_iterations"))
        )
        out = common.output_path(args.out_slots, name, bool(tuning))
        report = {**common.envelope("entities.py", argv, args.note, args.limit), **slots(args)}
        common.write_results(out, report)
        print(json.dumps({k: v for k, v in report.items() if k not in ("machine", "val", "test")}, indent=2))
        log(f"wrote {out}")
    if args.only in (None, "values"):
        out = common.output_path(args.out_values, "entities_nlupp")
        report = {**common.envelope("entities.py", argv, args.note), **values(args)}
        common.write_results(out, report)
        print(json.dumps(report["nlupp_banking"]["amount_date_time"], indent=2))
        log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
