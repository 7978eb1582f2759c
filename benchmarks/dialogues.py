"""History benchmark: SGD dialogues (train -> dev), BANKING77 with empty history, latency with history.

    python benchmarks/dialogues.py [--out benchmarks/results_dialogues.json] [--skip-banking]

1. Train on SGD train dialogues; predict every customer turn of SGD dev from the raw preceding
   turns (gold intents removed): turn accuracy, first turns, follow-ups; and the same model
   with history switched off (utterance-only).
2. BANKING77 test through a history-aware model (trained on BANKING77 train plus SGD train
   dialogues) with empty history, against the utterance-only model trained on BANKING77 alone.
3. ``predict`` p50 with a 20-turn history against no history, same model: "cold" (a history never
   seen before, everything understood afresh) and "replayed" (a conversation predicted turn by
   turn, as a deployment sees it).
Nothing is tuned here; dev is the reported split for SGD, test for BANKING77.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from empathy_nlu import Classifier  # noqa: E402
from empathy_nlu.dataset import load_data  # noqa: E402
from empathy_nlu.evaluation import evaluate, evaluate_dialogues  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def p50_ms(call, items) -> float:
    timings = []
    for item in items:
        started = time.perf_counter()
        call(item)
        timings.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(timings, 50))


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
    none = p50_ms(lambda c: model.predict(c[1]), cases)
    fresh = Classifier(model.components, model.config, model.manifest)  # empty caches: cold
    cold = p50_ms(lambda c: fresh.predict(c[1], c[0]), cases)
    # replayed: the same conversations predicted turn by turn; time only the 21st turn
    replay = Classifier(model.components, model.config, model.manifest)
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results_dialogues.json"))
    parser.add_argument("--skip-banking", action="store_true")
    parser.add_argument(
        "--model", help="SGD model directory: loaded when it exists, else trained and saved there"
    )
    parser.add_argument("--latency-only", action="store_true", help="only the latency part (3.)")
    parser.add_argument("--banking-dialogues", type=int, default=3000, help="SGD dialogues mixed in (2.)")
    args = parser.parse_args()
    results: dict = {"date": date.today().isoformat(), "machine": f"{platform.machine()}, {_cores()} cores"}

    sgd_train = load_data(DATA / "sgd_dialogues" / "train.jsonl")
    sgd_dev = load_data(DATA / "sgd_dialogues" / "dev.jsonl")
    if args.model and Path(args.model, "manifest.json").is_file():
        model = Classifier.load(args.model)
    else:
        started = time.perf_counter()
        model = Classifier.train(sgd_train, progress=say)
        results["sgd_train_seconds"] = round(time.perf_counter() - started, 1)
        if args.model:
            model.save(args.model)
    if args.latency_only:
        results["latency"] = latency(model, sgd_dev.dialogues)
        print(json.dumps(results, indent=2))
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
        return 0
    say("SGD dev: history-aware")
    report = evaluate_dialogues(model, sgd_dev.dialogues, progress=say)
    model.config["context"]["enabled"] = False
    say("SGD dev: utterance only")
    plain = evaluate_dialogues(model, sgd_dev.dialogues)
    model.config["context"]["enabled"] = True
    keys = ("accuracy", "accuracy_first_turn", "accuracy_follow_up", "macro_f1", "ece")
    results["sgd_dev"] = {
        "n_turns": report["n"],
        "n_follow_up": report["intent"]["n_follow_up"],
        "history_aware": {k: report["intent"][k] for k in keys},
        "utterance_only": {k: plain["intent"][k] for k in keys},
        "previous_intent_accuracy_train_oof": model.manifest["metrics"]["context_intent_cross_validation"][
            "previous_intent_accuracy"
        ],
    }
    say(json.dumps(results["sgd_dev"], indent=1))
    say("latency")
    results["latency"] = latency(model, sgd_dev.dialogues)
    say(json.dumps(results["latency"], indent=1))

    if not args.skip_banking:
        banking_train = load_data(DATA / "banking77" / "train.jsonl")
        banking_test = load_data(DATA / "banking77" / "test.jsonl").examples
        say("BANKING77: utterance-only model")
        plain_model = Classifier.train(banking_train, {"cues": {"enabled": False}}, progress=say)
        mixed = load_data(DATA / "banking77" / "train.jsonl")
        mixed.dialogues = sgd_train.dialogues[: args.banking_dialogues]
        say("BANKING77: history-aware model (BANKING77 + SGD dialogues)")
        aware = Classifier.train(mixed, {"cues": {"enabled": False}}, progress=say)
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
        say(json.dumps(results["banking77_empty_history"], indent=1))

    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


def _cores() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    raise SystemExit(main())
