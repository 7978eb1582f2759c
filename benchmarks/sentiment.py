"""Sentiment and empathy-cue benchmark (issue 3), run by ``run.py`` or alone.

    .venv/bin/python benchmarks/sentiment.py [--out benchmarks/results_sentiment.json]

- airline_sentiment: empathy-nlu trained on its train split vs the plain scikit-learn
  TfidfVectorizer + LinearSVC pipeline on the same split; both scored on test.
- the shipped default model (trained on the project's own data/, never on airline data) on airline test.
- ``predict`` p50 with intent + sentiment + cues against intent-only, same model, same texts, same run.
Nothing is tuned here: every setting is the library default.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

import measure
from empathy_nlu import Classifier, Example
from empathy_nlu.evaluation import sentiment_report
from measure import log

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def read_sentiment(path: Path) -> tuple[list[str], list[str]]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [r["text"] for r in rows], [r["sentiment"] for r in rows]


def _labels(predictions) -> list[str]:
    return [p.sentiment["label"] if p.sentiment else "neutral" for p in predictions]


def airline(data: Path) -> dict:
    train_texts, train_gold = read_sentiment(data / "airline_sentiment" / "train.jsonl")
    test_texts, test_gold = read_sentiment(data / "airline_sentiment" / "test.jsonl")
    result: dict = {"data": {"train": len(train_texts), "test": len(test_texts)}}

    log("airline: empathy-nlu (sentiment only, default settings)")
    examples = [Example(text=t, sentiment=s) for t, s in zip(train_texts, train_gold, strict=True)]
    model, seconds = measure.timed(Classifier.train, examples)
    predictions = model.predict_batch(test_texts)
    result["empathy"] = {
        "train_seconds": seconds,
        **sentiment_report(test_gold, _labels(predictions)),
        "cross_validation": model.manifest["metrics"]["sentiment_cross_validation"],
    }

    log("airline: plain scikit-learn TfidfVectorizer + LinearSVC")
    pipeline = make_pipeline(TfidfVectorizer(), LinearSVC())
    _, seconds = measure.timed(pipeline.fit, train_texts, train_gold)
    result["sklearn"] = {
        "train_seconds": seconds,
        **sentiment_report(test_gold, list(pipeline.predict(test_texts))),
    }

    log("airline: the shipped default model (never saw airline data)")
    default = Classifier.load()
    result["default_model"] = sentiment_report(test_gold, _labels(default.predict_batch(test_texts)))
    return result


def latency_ratio(texts: list[str]) -> dict:
    """p50 of the full default model against the same model with sentiment and cues removed."""
    full = Classifier.load()
    intent_only = Classifier(full.featurizer, full.intent_classifier, None, None, full.config, full.manifest)
    rounds = []
    for _ in range(3):  # interleaved rounds: drift on the machine hits both alike
        a = measure.single_latency(intent_only.predict, texts)
        b = measure.single_latency(full.predict, texts)
        rounds.append({"intent_only_p50": a["p50"], "full_p50": b["p50"], "ratio": b["p50"] / a["p50"]})
    ratios = sorted(r["ratio"] for r in rounds)
    return {"rounds": rounds, "median_ratio": ratios[1], "n_texts": len(texts)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results_sentiment.json")
    args = parser.parse_args(argv)
    started = time.time()
    report = {"machine": measure.machine_info(), "library_state": measure.library_state(ROOT)}
    report["airline_sentiment"] = airline(args.data)
    test_texts, _ = read_sentiment(args.data / "airline_sentiment" / "test.jsonl")
    sample = [test_texts[i] for i in measure.sample_indices(len(test_texts))]
    report["latency"] = latency_ratio(sample)
    report["seconds"] = time.time() - started
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    a = report["airline_sentiment"]
    for name in ("empathy", "sklearn", "default_model"):
        print(f"airline {name:<14} accuracy {a[name]['accuracy']:.4f}  macro-F1 {a[name]['macro_f1']:.4f}")
    lat = report["latency"]
    print(f"predict p50 intent+sentiment+cues / intent-only: {lat['median_ratio']:.2f}x  {lat['rounds']}")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
