"""What each layer costs: single-utterance ``predict`` p50 with layers switched on one by one.

    .venv/bin/python benchmarks/latency.py [--sets snips banking77] [--n 700] [--limit N] [--out FILE]

Per set, four models are trained on ``train`` (SNIPS with its slot annotations, so the CRF tagger
is part of every configuration with entities), each with the configuration that switches its
layers on, then all four are timed in one run on the same utterances of ``test`` (interleaved,
and the first to see each text rotates, so neither drift of the machine nor cold caches favour
one configuration):

- ``intent_only``: intent model only (annotations removed; no builtin entities, cues or context),
- ``intent_entities``: + builtin entity extractors and the trained tagger,
- ``intent_entities_context``: + context (repeat contact, hand-over summary) with no history,
- ``full``: + the cue detector (the library default for a model with intents and entities).

The intent model is the same in all four (same examples, same settings, fixed seed), and so is
the tagger in the last three.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

import common
from common import log
from empathy_nlu import Classifier
from empathy_nlu.dataset import load_data

# configuration name -> (train on the entity annotations?, config over the defaults)
LAYERS = {
    "intent_only": (
        False,
        {"entities": {"builtin": False}, "cues": {"enabled": False}, "context": {"enabled": False}},
    ),
    "intent_entities": (True, {"cues": {"enabled": False}, "context": {"enabled": False}}),
    "intent_entities_context": (True, {"cues": {"enabled": False}}),
    "full": (True, {}),
}


def train_variants(dataset) -> dict[str, Classifier]:
    """The four configurations, trained on ``dataset`` (a ``Dataset``: its entity resources too)."""
    plain = replace(dataset, examples=[replace(ex, entities=()) for ex in dataset.examples])
    variants = {}
    for name, (annotated, config) in LAYERS.items():
        log(f"  training {name}")
        variants[name] = Classifier.train(dataset if annotated else plain, config=config)
    return variants


def measure(variants: dict[str, Classifier], texts: list[str], rounds: int = 3) -> dict:
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
        "rounds": rounds,
        "p50_ms": p50,
        "p90_ms": {name: float(np.percentile(t, 90)) for name, t in timings.items()},
        "ratio_to_intent_only": {name: p50[name] / p50["intent_only"] for name in p50},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=["snips", "banking77"])
    parser.add_argument("--n", type=int, default=700, help="test utterances timed per set")
    parser.add_argument("--limit", type=int, help="quick run: train on N examples spread over train")
    parser.add_argument("--data", type=Path, default=common.DATA, help="folder holding the benchmark sets")
    common.add_output_arguments(parser, "latency")
    args = parser.parse_args(argv)
    args.out = common.output_path(args.out, "latency", bool(args.limit))
    results: dict = {**common.envelope("latency.py", argv, args.note, args.limit), "sets": {}}
    for name in args.sets:
        train = load_data(args.data / name / "train.jsonl")
        train = replace(train, examples=common.spread(train.examples, args.limit))
        test = load_data(args.data / name / "test.jsonl").examples[: args.n]
        log(f"{name}: {len(train.examples)} train, timing {len(test)} test utterances")
        variants = train_variants(train)
        results["sets"][name] = measure(variants, [ex.text for ex in test])
        metrics = variants["full"].manifest["metrics"]
        results["sets"][name]["tagger_entity_types"] = metrics.get("slot_filler_entity_types", [])
        log(f"{name}: {json.dumps(results['sets'][name]['ratio_to_intent_only'])}")
    common.write_results(args.out, results)
    print(json.dumps(results["sets"], indent=2))
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
