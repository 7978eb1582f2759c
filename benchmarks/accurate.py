"""Fast and accurate tier side by side: BANKING77, CLINC150, SNIPS, airline sentiment, NLU++ multi-intent.

    .venv/bin/python benchmarks/accurate.py [--sets banking77 clinc150 snips airline nlupp]
        [--tiers fast accurate] [--latency-texts 300] [--limit N] [--out FILE] [--note TEXT]
        [--cache /tmp/empathy-nlu-embeddings]

Each tier trains with ``Classifier.train`` on the ``train`` split (NLU++ banking: folds 0-9) and is
scored on ``test`` (NLU++: folds 10-19); nothing is tuned on the test data. The accurate tier is the
default config with ``features.kinds: [sparse, embeddings]`` (``--tier accurate``).

Sentence embeddings of each split are cached as ``.npy`` under ``--cache`` (outside the repository)
so that reruns skip the encoder: during training and batch scoring the model's encoder is a lookup
into that cache, which holds the same model's output. Latency is timed after ``save`` + ``load``
with the real encoder: one ``predict`` per text. Prints the JSON report and writes ``--out``
(default ``results/accurate.json``). The accurate tier needs ``empathy-nlu[embeddings]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from pathlib import Path

import numpy as np

import common
from common import log

SETS = ("banking77", "clinc150", "snips", "airline", "nlupp")
NLUPP_TRAIN, NLUPP_TEST = range(0, 10), range(10, 20)


class CachedEncoder:
    """The real encoder behind a text -> vector table that is filled from, and saved to, ``.npy`` files."""

    def __init__(self, real, cache_dir: Path) -> None:
        self.real = real
        self.dimension = real.dimension
        self.cache_dir = cache_dir
        self.vectors: dict[str, np.ndarray] = {}

    def prefill(self, name: str, texts: list[str]) -> None:
        digest = hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()[:16]
        path = self.cache_dir / f"{name}-{digest}.npy"
        if path.is_file():
            matrix = np.load(path, allow_pickle=False)
        else:
            log(f"  encoding {len(texts)} texts of {name} (cached in {path})")
            started = time.perf_counter()
            matrix = self.real.encode(texts)
            log(f"  encoded in {time.perf_counter() - started:.1f}s")
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, matrix, allow_pickle=False)
        self.vectors.update(zip(texts, matrix, strict=True))

    def encode(self, texts) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            self.vectors.update(zip(missing, self.real.encode(missing), strict=True))
        if not len(texts):
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self.vectors[t] for t in texts]).astype(np.float32)


def read_set(name: str, data: Path, limit: int | None = None) -> tuple[list, list]:
    """(train examples, test examples) of a set (``limit``: that many of each, spread evenly)."""
    train, test = _read_set(name, data)
    return common.spread(train, limit), common.spread(test, limit)


def _read_set(name: str, data: Path) -> tuple[list, list]:
    from empathy_nlu import Example
    from empathy_nlu.dataset import load_many

    if name == "nlupp":
        folder = data / "nlupp" / "banking"
        train = load_many([folder / f"fold{i}.json" for i in NLUPP_TRAIN]).examples
        test = load_many([folder / f"fold{i}.json" for i in NLUPP_TEST]).examples
        return train, test
    folder = data / ("airline_sentiment" if name == "airline" else name)
    splits = []
    for split in ("train", "test"):
        rows = [
            json.loads(line) for line in (folder / f"{split}.jsonl").read_text("utf-8").splitlines() if line
        ]
        if name == "airline":
            splits.append([Example(text=r["text"], sentiment=r["sentiment"]) for r in rows])
        else:
            splits.append([Example(text=r["text"], intent=r["intent"]) for r in rows])
    return splits[0], splits[1]


def score(name: str, test: list, predictions: list) -> dict:
    """The set's headline figures from one batch of predictions."""
    from empathy_nlu.intent_classifier.multi_label import has_intent_set, label_set, multi_label_report

    if name == "airline":
        gold = [ex.sentiment for ex in test]
        predicted = [p.sentiment["label"] for p in predictions]
        return common.label_metrics(gold, predicted)
    if name == "nlupp":
        pairs = [(ex, p) for ex, p in zip(test, predictions, strict=True) if has_intent_set(ex)]
        return multi_label_report(
            [label_set(ex) for ex, _ in pairs], [[s.name for s in p.intents] for _, p in pairs]
        )
    gold = [ex.intent for ex in test]
    predicted = [common.OUT_OF_SCOPE if p.out_of_scope else p.intent.name for p in predictions]
    metrics = common.label_metrics(gold, predicted)
    top = [p.intent_ranking[0].name if p.intent_ranking else None for p in predictions]
    metrics["argmax_accuracy"] = float(np.mean(np.array(top) == np.array(gold)))  # no OOS threshold
    return metrics


def _answer(prediction) -> tuple:
    sentiment = prediction.sentiment["label"] if prediction.sentiment else None
    return prediction.out_of_scope, [s.name for s in prediction.intents], sentiment


def run_tier(name: str, tier: str, train: list, test: list, encoder, latency_texts: int) -> dict:
    from empathy_nlu import Classifier
    from empathy_nlu.config import with_tier
    from empathy_nlu.embeddings import DEFAULT_EMBEDDING_MODEL, register_encoder

    config = with_tier(None, tier)
    if tier == "accurate":
        encoder.prefill(f"{name}-train", [ex.text for ex in train])
        encoder.prefill(f"{name}-test", [ex.text for ex in test])
        register_encoder(DEFAULT_EMBEDDING_MODEL, encoder)
    result: dict = {"config_features": config["features"]}
    model, result["train_seconds"] = common.timed(
        Classifier.train, train, config=config, progress=lambda m: log(f"  {name}/{tier}: {m}")
    )
    result["cross_validation"] = {
        k: v for k, v in model.manifest["metrics"].items() if "cross_validation" in k
    }
    predictions, result["batch_seconds"] = common.timed(model.predict_batch, [ex.text for ex in test])
    result["metrics"] = score(name, test, predictions)
    with tempfile.TemporaryDirectory(prefix=f"accurate-{name}-") as folder:
        path = model.save(Path(folder) / "model")
        result["size_mb"] = common.size_mb(path)
        if tier == "accurate":
            register_encoder(DEFAULT_EMBEDDING_MODEL, encoder.real)  # from here on: the real encoder
        loaded, result["load_seconds"] = common.timed(Classifier.load, path)
    texts = [test[i].text for i in common.sample_indices(len(test), latency_texts)]
    result["latency_ms"] = common.single_latency(loaded.predict, texts)
    if tier == "accurate":  # the encoder alone, for the share of the budget it takes
        result["encoder_latency_ms"] = common.single_latency(lambda t: encoder.real.encode([t]), texts)
    index = common.sample_indices(len(test), latency_texts)
    agree = [_answer(loaded.predict(test[i].text)) == _answer(predictions[i]) for i in index]
    result["reload_agrees"] = float(np.mean(agree))  # batch (cached vectors) vs reloaded single predict
    log(f"  {name}/{tier}: {json.dumps(result['metrics'])[:300]} p50 {result['latency_ms']['p50']:.2f} ms")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS))
    parser.add_argument("--tiers", nargs="+", choices=["fast", "accurate"], default=["fast", "accurate"])
    parser.add_argument("--latency-texts", type=int, default=300)
    parser.add_argument(
        "--limit", type=int, help="quick run: N train and N test examples spread over each split"
    )
    parser.add_argument("--data", type=Path, default=common.DATA, help="folder holding the benchmark sets")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "empathy-nlu-embeddings")
    common.add_output_arguments(parser, "accurate")
    args = parser.parse_args(argv)
    args.out = common.output_path(args.out, "accurate", bool(args.limit))

    encoder = None
    if "accurate" in args.tiers:
        from empathy_nlu.embeddings import DEFAULT_EMBEDDING_MODEL, SentenceTransformerEncoder

        encoder = CachedEncoder(SentenceTransformerEncoder(DEFAULT_EMBEDDING_MODEL).load(), args.cache)
    report = {
        **common.envelope("accurate.py", argv, args.note, args.limit),
        "nlupp_split": {
            "train_folds": list(NLUPP_TRAIN),
            "test_folds": list(NLUPP_TEST),
            "domain": "banking",
        },
        "data": {},
        "results": {},
    }
    for name in args.sets:
        train, test = read_set(name, args.data, args.limit)
        report["data"][name] = {"train": len(train), "test": len(test)}
        log(f"{name}: {len(train)} train / {len(test)} test")
        report["results"][name] = {}
        for tier in args.tiers:
            report["results"][name][tier] = run_tier(name, tier, train, test, encoder, args.latency_texts)
            common.write_results(args.out, report)
    print(json.dumps(report["results"], indent=2))
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
