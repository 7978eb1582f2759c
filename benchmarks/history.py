"""History benchmark: SGD dialogues (train -> dev), BANKING77 with empty history, latency with history.

    .venv/bin/python benchmarks/history.py [--skip-banking] [--model DIR] [--utterance-model DIR]
                                           [--latency-only] [--limit N] [--out FILE]

1. Train on SGD train dialogues; predict every customer turn of SGD dev from the raw preceding
   turns (gold intents removed): turn accuracy, first turns, follow-ups. The utterance-only
   figure comes from a model trained on the same data with the same settings and context off
   (``context.enabled: false``): its featurizer and intent model are those of the history-aware
   model, which it lacks only the history-aware intent model of.
2. BANKING77 test through a history-aware model (trained on BANKING77 train plus SGD train
   dialogues) with empty history, against the utterance-only model trained on BANKING77 alone.
3. ``predict`` p50 with a 20-turn history against no history, same model: "cold" (a freshly
   loaded model given histories it never saw) and "replayed" (another freshly loaded model that
   predicts each conversation turn by turn, as a deployment sees it; only the 21st turn is timed).
Nothing is tuned here; dev is the reported split for SGD, test for BANKING77.
``--latency-only`` re-measures part 3 alone and updates that part of the results file.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

import common
from common import log
from empathy_nlu import Classifier
from empathy_nlu.dataset import load_data
from empathy_nlu.evaluation import evaluate, evaluate_dialogues

UTTERANCE_ONLY = {"context": {"enabled": False}}
NO_CUES = {"cues": {"enabled": False}}


def latency(model: Classifier, dialogues, n: int = 300) -> dict:
    """p50 with a 20-turn history vs none, on the customer turn that follows 20 turns."""
    cases = []
    for dialogue in dialogues:
        turns = list(dialogue.turns)
        for i in range(20, len(turns)):
            if turns[i].speaker == "customer":
                cases.append(([t.__class__(t.text, t.speaker) for t in turns[i - 20 : i]], turns[i].text))
                break
    cases = cases[:n]
    for _history, text in cases[:20]:  # warm-up
        model.predict(text)
    none = float(np.percentile(common.call_ms(lambda c: model.predict(c[1]), cases), 50))
    with tempfile.TemporaryDirectory(prefix="bench-history-") as folder:
        saved = model.save(Path(folder) / "model")
        fresh = Classifier.load(saved)  # has understood nothing yet: cold
        cold = float(np.percentile(common.call_ms(lambda c: fresh.predict(c[1], c[0]), cases), 50))
        replay = Classifier.load(saved)  # the same conversations predicted turn by turn
    timings = []
    for history, text in cases:
        for j, turn in enumerate(history):
            if turn.speaker == "customer":
                replay.predict(turn.text, history[:j])
        started = time.perf_counter()
        replay.predict(text, history)
        timings.append((time.perf_counter() - started) * 1000)
    replayed = float(np.percentile(timings, 50))
    return {
        "n": len(cases),
        "p50_ms_no_history": none,
        "p50_ms_20_turns_cold": cold,
        "p50_ms_20_turns_replayed": replayed,
        "ratio_cold": cold / none,
        "ratio_replayed": replayed / none,
    }


def trained(folder: str | None, data, config: dict | None, results: dict, key: str) -> Classifier:
    """The model saved in ``folder`` if there is one, else trained on ``data`` (and saved there)."""
    if folder and Path(folder, "manifest.json").is_file():
        log(f"{key}: loading {folder}")
        return Classifier.load(folder)
    model, seconds = common.timed(Classifier.train, data, config=config, progress=log)
    results[f"{key}_train_seconds"] = round(seconds, 1)
    if folder:
        model.save(folder)
    return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=common.DATA, help="folder holding the benchmark sets")
    parser.add_argument("--skip-banking", action="store_true", help="skip part 2")
    parser.add_argument(
        "--model",
        help="history-aware SGD model directory: loaded when it exists, else trained and saved there",
    )
    parser.add_argument("--utterance-model", help="the same for the utterance-only SGD model")
    parser.add_argument("--latency-only", action="store_true", help="only part 3; updates the results file")
    parser.add_argument("--banking-dialogues", type=int, default=3000, help="SGD dialogues mixed in (2.)")
    parser.add_argument(
        "--limit", type=int, help="quick run: N dialogues (and N BANKING77 utterances) per split"
    )
    common.add_output_arguments(parser, "history")
    args = parser.parse_args(argv)
    args.out = common.output_path(args.out, "history", bool(args.limit))
    results: dict = common.envelope("history.py", argv, args.note, args.limit)

    sgd_train = load_data(args.data / "sgd_dialogues" / "train.jsonl")
    sgd_dev = load_data(args.data / "sgd_dialogues" / "dev.jsonl")
    if args.limit:
        sgd_train = replace(sgd_train, dialogues=common.spread(sgd_train.dialogues, args.limit))
        sgd_dev = replace(sgd_dev, dialogues=common.spread(sgd_dev.dialogues, args.limit))
    results["data"] = {
        "sgd_train_dialogues": len(sgd_train.dialogues),
        "sgd_dev_dialogues": len(sgd_dev.dialogues),
    }
    model = trained(args.model, sgd_train, None, results, "sgd")
    if args.latency_only:
        results["latency"] = latency(model, sgd_dev.dialogues)
        common.write_results(args.out, results, update=True)
        print(json.dumps(results["latency"], indent=2))
        return 0
    log("SGD dev: history-aware")
    report = evaluate_dialogues(model, sgd_dev.dialogues, progress=log)
    log("SGD dev: utterance only (same data and settings, context off)")
    plain_model = trained(args.utterance_model, sgd_train, UTTERANCE_ONLY, results, "sgd_utterance_only")
    plain = evaluate_dialogues(plain_model, sgd_dev.dialogues)
    keys = ("accuracy", "accuracy_first_turn", "accuracy_follow_up", "macro_f1", "ece")
    cross_fit = model.manifest["metrics"].get("context_intent_cross_validation", {})
    results["sgd_dev"] = {
        "n_turns": report["n"],
        "n_follow_up": report["intent"]["n_follow_up"],
        "history_aware": {k: report["intent"][k] for k in keys},
        "utterance_only": {k: plain["intent"][k] for k in keys},
        "previous_intent_accuracy_train_oof": cross_fit.get("previous_intent_accuracy"),
    }
    log(json.dumps(results["sgd_dev"], indent=1))
    log("latency")
    results["latency"] = latency(model, sgd_dev.dialogues)
    log(json.dumps(results["latency"], indent=1))

    if not args.skip_banking:
        banking_train = load_data(args.data / "banking77" / "train.jsonl")
        banking_train = replace(banking_train, examples=common.spread(banking_train.examples, args.limit))
        banking_test = common.spread(load_data(args.data / "banking77" / "test.jsonl").examples, args.limit)
        log("BANKING77: utterance-only model")
        plain_model = Classifier.train(banking_train, config=NO_CUES, progress=log)
        mixed = replace(banking_train, dialogues=sgd_train.dialogues[: args.banking_dialogues])
        log("BANKING77: history-aware model (BANKING77 + SGD dialogues)")
        aware = Classifier.train(mixed, config=NO_CUES, progress=log)
        a = evaluate(plain_model, banking_test, latency_sample=0)["intent"]["accuracy"]
        # predict (not predict_batch) so every utterance goes through the history-aware model
        predictions = [aware.predict(ex.text, []) for ex in banking_test]
        hits = [p.intent.name == ex.intent for p, ex in zip(predictions, banking_test, strict=True)]
        b = float(np.mean(hits))
        results["banking77_empty_history"] = {
            "utterance_only_accuracy": a,
            "history_aware_accuracy": b,
            "difference_points": round((b - a) * 100, 2),
            "sgd_dialogues_mixed_in": args.banking_dialogues,
        }
        log(json.dumps(results["banking77_empty_history"], indent=1))

    common.write_results(args.out, results)
    print(json.dumps({k: v for k, v in results.items() if k != "machine"}, indent=2))
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
