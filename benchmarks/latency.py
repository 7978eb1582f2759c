"""What each layer costs: single-utterance ``predict`` p50 with layers switched on one by one.

    python benchmarks/latency.py [--sets snips banking77] [--out benchmarks/results_latency.json]

One model per set, trained on ``train`` (SNIPS with its slot annotations, so the CRF tagger is
part of it), then the same components served in four configurations, all timed in one run on
the same utterances of ``test`` (interleaved, and the first to see each text rotates, so neither
drift of the machine nor cold caches favour one configuration):

- ``intent_only``: intent model only (no sentiment, cues, entities or context),
- ``intent_entities``: + builtin entity extractors and the trained tagger,
- ``intent_entities_context``: + context (repeat contact, hand-over summary) with no history,
- ``full``: + the cue detector (the library default for a model with intents and entities).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
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

DATA = ROOT.parent / "shared" / "data"
LAYERS = {
    "intent_only": ({"entities", "slot_filler", "cues", "sentiment"}, False),
    "intent_entities": ({"cues", "sentiment"}, False),
    "intent_entities_context": ({"cues", "sentiment"}, True),
    "full": ({"sentiment"}, True),
}


def variant(model: Classifier, dropped: set[str], context: bool) -> Classifier:
    config = copy.deepcopy(model.config)
    config["context"]["enabled"] = context
    components = {name: part for name, part in model.components.items() if name not in dropped}
    return Classifier(components, config, model.manifest)


def measure(model: Classifier, texts: list[str], rounds: int = 3) -> dict:
    variants = {name: variant(model, *spec) for name, spec in LAYERS.items()}
    timings: dict[str, list[float]] = {name: [] for name in variants}
    for clf in variants.values():  # warm-up
        for text in texts[:50]:
            clf.predict(text)
    order = list(variants.items())
    for _ in range(rounds):
        for i, text in enumerate(texts):
            # rotate who goes first: the first to see a text pays for cold caches (spaCy's lexeme cache)
            for name, clf in order[i % len(order) :] + order[: i % len(order)]:
                started = time.perf_counter()
                clf.predict(text)
                timings[name].append((time.perf_counter() - started) * 1000)
    p50 = {name: float(np.percentile(t, 50)) for name, t in timings.items()}
    return {
        "n": len(texts),
        "p50_ms": p50,
        "p90_ms": {name: float(np.percentile(t, 90)) for name, t in timings.items()},
        "ratio_to_intent_only": {name: p50[name] / p50["intent_only"] for name in p50},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=["snips", "banking77"])
    parser.add_argument("--n", type=int, default=700, help="test utterances timed per set")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results_latency.json"))
    args = parser.parse_args()
    machine = f"{platform.machine()}, {os.cpu_count()} cores"
    results: dict = {"date": date.today().isoformat(), "machine": machine, "sets": {}}
    for name in args.sets:
        train = load_data(DATA / name / "train.jsonl")
        test = load_data(DATA / name / "test.jsonl").examples[: args.n]
        model = Classifier.train(train)
        results["sets"][name] = measure(model, [ex.text for ex in test])
        print(name, json.dumps(results["sets"][name]["ratio_to_intent_only"]), file=sys.stderr)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
