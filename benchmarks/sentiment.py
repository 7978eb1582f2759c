"""Sentiment and empathy-cue benchmark: airline sentiment accuracy, and what sentiment + cues cost per call.

    .venv/bin/python benchmarks/sentiment.py [--data DIR] [--limit N] [--out FILE] [--note TEXT]

- airline_sentiment: empathy-nlu trained on its train split vs the plain scikit-learn
  TfidfVectorizer + LinearSVC pipeline on the same split; both scored on test.
- the shipped default model (trained on the project's own data/, never on airline data) on airline test.
- ``predict`` p50 with intent + sentiment + cues against intent only: two models trained on the
  project's default data (``data/``) with entities and context off, one of them without the
  sentiment examples and the cue detector; 500 airline test texts, three interleaved rounds.
Nothing is tuned here: every other setting is the library default.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

import common
from common import log
from empathy_nlu import Classifier, Example
from empathy_nlu.dataset import load_many
from empathy_nlu.evaluation import sentiment_report

# both models: no builtin entities, no history context (the layers this ratio does not measure)
LAYERS_OFF = {"entities": {"builtin": False}, "context": {"enabled": False}}
INTENT_ONLY = {**LAYERS_OFF, "cues": {"enabled": False}}


def _labels(predictions) -> list[str]:
    return [p.sentiment["label"] if p.sentiment else "neutral" for p in predictions]


def airline(data: Path, limit: int | None) -> dict:
    folder = data / "airline_sentiment"
    train_texts, train_gold = (
        common.spread(part, limit) for part in common.read_split(folder / "train.jsonl", "sentiment")
    )
    test_texts, test_gold = (
        common.spread(part, limit) for part in common.read_split(folder / "test.jsonl", "sentiment")
    )
    result: dict = {"data": {"train": len(train_texts), "test": len(test_texts)}}

    log("airline: empathy-nlu (sentiment only, default settings)")
    examples = [Example(text=t, sentiment=s) for t, s in zip(train_texts, train_gold, strict=True)]
    model, seconds = common.timed(Classifier.train, examples)
    predictions = model.predict_batch(test_texts)
    result["empathy"] = {
        "train_seconds": seconds,
        **sentiment_report(test_gold, _labels(predictions)),
        "cross_validation": model.manifest["metrics"].get("sentiment_cross_validation"),
    }

    log("airline: plain scikit-learn TfidfVectorizer + LinearSVC")
    pipeline = make_pipeline(TfidfVectorizer(), LinearSVC())
    _, seconds = common.timed(pipeline.fit, train_texts, train_gold)
    result["sklearn"] = {
        "train_seconds": seconds,
        **sentiment_report(test_gold, list(pipeline.predict(test_texts))),
    }

    log("airline: the shipped default model (never saw airline data)")
    default = Classifier.load()
    result["default_model"] = sentiment_report(test_gold, _labels(default.predict_batch(test_texts)))
    return result


def layer_models() -> tuple[Classifier, Classifier]:
    """(intent only, intent + sentiment + cues), trained on the default data without entity annotations.

    Both learn intents from the same examples (utterances and labelled dialogue turns); the second
    also learns sentiment and runs the cue detector. Its featurizer is also fitted on the sentiment
    texts, so its vocabulary is larger. (The ratio used to be measured on one model with its
    sentiment model and cue detector removed, which the public API does not offer.)
    """
    data = load_many(common.DEFAULT_DATA)
    with_intent = [replace(ex, entities=()) for ex in data.intent_examples()]
    sentiment_only = [
        replace(ex, entities=()) for ex in data.examples if ex.intent is None and ex.sentiment is not None
    ]
    log(f"latency: training intent only on {len(with_intent)} examples of the default data")
    intent_only = Classifier.train([replace(ex, sentiment=None) for ex in with_intent], config=INTENT_ONLY)
    log(f"latency: training intent + sentiment + cues (+{len(sentiment_only)} sentiment examples)")
    full = Classifier.train(with_intent + sentiment_only, config=LAYERS_OFF)
    return intent_only, full


def latency_ratio(texts: list[str]) -> dict:
    """p50 of intent + sentiment + cues against intent only, same texts, interleaved rounds."""
    intent_only, full = layer_models()
    rounds = []
    for _ in range(3):  # interleaved rounds: drift on the machine hits both alike
        a = common.single_latency(intent_only.predict, texts)
        b = common.single_latency(full.predict, texts)
        rounds.append({"intent_only_p50": a["p50"], "full_p50": b["p50"], "ratio": b["p50"] / a["p50"]})
    ratios = sorted(r["ratio"] for r in rounds)
    return {
        "rounds": rounds,
        "median_ratio": ratios[1],
        "n_texts": len(texts),
        "models": "trained on data/, entities and context off",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=common.DATA, help="folder holding airline_sentiment/")
    parser.add_argument(
        "--limit", type=int, help="quick run: N train and N test texts spread over each split"
    )
    common.add_output_arguments(parser, "sentiment")
    args = parser.parse_args(argv)
    args.out = common.output_path(args.out, "sentiment", bool(args.limit))
    report = common.envelope("sentiment.py", argv, args.note, args.limit)
    started = time.perf_counter()
    report["airline_sentiment"] = airline(args.data, args.limit)
    test_texts, _ = common.read_split(args.data / "airline_sentiment" / "test.jsonl", "sentiment")
    test_texts = common.spread(test_texts, args.limit)
    sample = [test_texts[i] for i in common.sample_indices(len(test_texts))]
    report["latency"] = latency_ratio(sample)
    report["seconds"] = time.perf_counter() - started
    common.write_results(args.out, report)
    a = report["airline_sentiment"]
    for name in ("empathy", "sklearn", "default_model"):
        print(f"airline {name:<14} accuracy {a[name]['accuracy']:.4f}  macro-F1 {a[name]['macro_f1']:.4f}")
    lat = report["latency"]
    print(f"predict p50 intent+sentiment+cues / intent-only: {lat['median_ratio']:.2f}x  {lat['rounds']}")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
