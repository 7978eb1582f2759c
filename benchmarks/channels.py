"""Channel adapters and conversation store benchmark: accuracy on raw channel input, store figures.

    .venv/bin/python benchmarks/channels.py [--out FILE] [--note TEXT]
    .venv/bin/python benchmarks/channels.py --dev        # develop: train on 80% of train, score the rest
    .venv/bin/python benchmarks/channels.py --store-only # only the store figures (updates the results file)
    .venv/bin/python benchmarks/channels.py --samples benchmarks/generators/channel_samples.jsonl

Accuracy: empathy-nlu trained on clean BANKING77 train (library defaults, nothing tuned), scored
on the clean test split and on the same test utterances wrapped as raw e-mail, voice transcript,
SMS and social post (``generators/channel_wrap.py``, seeded), each through its adapter's
``handle`` with a fresh customer in a real SQLite store. ``raw_accuracy`` is the same model fed
the raw input with no adapter, to show what the adapters are for. Store: 8 threads appending 5,000 turns each
(every turn must be there, no error), and the p50 of one append + one history read.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import common
from common import log
from empathy_nlu import Classifier, Example, Turn
from empathy_nlu.channels import adapter
from empathy_nlu.store import SQLiteStore
from generators.channel_wrap import CHANNELS, wrap_all, write_samples

TARGET_POINTS = 1.0


def split_dev(texts: list[str], labels: list[str], seed: int = 0) -> tuple:
    """80/20 split of the train file for development (the test split is only scored, never tuned on)."""
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)
    cut = int(len(order) * 0.8)
    pick = lambda idx: ([texts[i] for i in idx], [labels[i] for i in idx])  # noqa: E731
    return (*pick(order[:cut]), *pick(order[cut:]))


def accuracy(gold: list[str], predictions) -> float:
    return sum(p.intent.name == g for p, g in zip(predictions, gold, strict=True)) / len(gold)


def channel_accuracy(model: Classifier, texts, gold, seed: int, store_dir: Path, fast: bool) -> dict:
    clean = accuracy(gold, model.predict_batch(texts))
    result: dict = {"n": len(texts), "clean_accuracy": clean}
    for channel in CHANNELS:
        log(f"{channel}: wrapping and handling {len(texts)} messages")
        raws = wrap_all(texts, channel, seed)
        module = adapter(channel)
        started = time.perf_counter()
        if fast:  # every customer is new, so handle == predict(parse(raw).text) without a store
            predictions = model.predict_batch([module.parse(raw).text for raw in raws])
        else:
            with SQLiteStore(store_dir / f"{channel}.sqlite3") as store:
                predictions = [
                    module.handle(raw, f"{channel}-{i}", model, store) for i, raw in enumerate(raws)
                ]
        seconds = time.perf_counter() - started
        raw_texts = [raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw for raw in raws]
        acc = accuracy(gold, predictions)
        result[channel] = {
            "accuracy": acc,
            "points_below_clean": round(100 * (clean - acc), 2),
            "within_target": 100 * (clean - acc) <= TARGET_POINTS,
            "raw_accuracy": accuracy(gold, model.predict_batch(raw_texts)),
            "handle_seconds": round(seconds, 2),
        }
        log(f"{channel}: accuracy {acc:.4f} (clean {clean:.4f})")
    return result


def store_figures(directory: Path, threads: int = 8, per_thread: int = 5000) -> dict:
    """Concurrent appends (nothing lost, no error) and the p50 of append + history read."""
    path = directory / "store.sqlite3"
    errors: list[str] = []
    with SQLiteStore(path) as store:

        def writer(n: int) -> None:
            try:
                for i in range(per_thread):
                    store.append(
                        f"customer-{n}-{i % 100}", Turn(f"message {i} from thread {n}", channel="chat")
                    )
            except Exception as exc:  # noqa: BLE001 - every error is a failure to report
                errors.append(repr(exc))

        workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        seconds = time.perf_counter() - started
        stored = store.count()
        turn = Turn("I was charged twice for my coffee, card 4111 1111 1111 1111", channel="chat")
        prediction = {"text": turn.text, "intent": {"name": "transaction_charged_twice", "confidence": 0.9}}
        latencies = []
        for i in range(3000):
            t0 = time.perf_counter()
            store.append(f"latency-{i % 200}", turn, prediction=prediction)
            store.history(f"latency-{i % 200}", limit=50)
            latencies.append(time.perf_counter() - t0)
    latencies = sorted(latencies[200:])
    return {
        "threads": threads,
        "turns_per_thread": per_thread,
        "expected": threads * per_thread,
        "stored": stored,
        "lost": threads * per_thread - stored,
        "errors": errors[:5],
        "n_errors": len(errors),
        "concurrent_seconds": round(seconds, 2),
        "append_plus_history_p50_ms": round(1000 * statistics.median(latencies), 4),
        "append_plus_history_p99_ms": round(1000 * latencies[int(0.99 * len(latencies))], 4),
        "masking": True,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=common.DATA / "banking77", help="folder with train.jsonl and test.jsonl"
    )
    parser.add_argument("--dev", action="store_true", help="score a held-out 20%% of train, not test")
    parser.add_argument("--fast", action="store_true", help="parse + predict_batch instead of handle + store")
    parser.add_argument("--limit", type=int, help="quick run: N train and the first N scored utterances")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--store-only", action="store_true", help="only the store figures")
    parser.add_argument("--skip-store", action="store_true", help="only the accuracy figures")
    parser.add_argument("--threads", type=int, default=8, help="store: concurrent writers")
    parser.add_argument("--per-thread", type=int, default=5000, help="store: appends per writer")
    parser.add_argument("--samples", type=Path, help="write 5 wrapped examples per channel (JSON Lines)")
    common.add_output_arguments(parser, "channels")
    args = parser.parse_args(argv)
    args.out = common.output_path(args.out, "channels", bool(args.limit or args.dev or args.fast))
    results: dict = common.envelope("channels.py", argv, args.note, args.limit)
    with tempfile.TemporaryDirectory() as tmp:
        if not args.store_only:
            train_texts, train_gold = common.read_split(args.data / "train.jsonl")
            if args.dev:
                train_texts, train_gold, texts, gold = split_dev(train_texts, train_gold)
            else:
                texts, gold = common.read_split(args.data / "test.jsonl")
            if args.limit:
                train_texts, train_gold = (
                    common.spread(train_texts, args.limit),
                    common.spread(train_gold, args.limit),
                )
                texts, gold = texts[: args.limit], gold[: args.limit]
            log(f"training on {len(train_texts)} clean utterances")
            examples = [Example(text=t, intent=g) for t, g in zip(train_texts, train_gold, strict=True)]
            model = Classifier.train(examples)
            results["accuracy"] = {
                "split": "dev (20% of train)" if args.dev else "test",
                **channel_accuracy(model, texts, gold, args.seed, Path(tmp), args.fast),
            }
            if args.samples:
                write_samples(args.samples, texts, gold, args.seed)
        if not args.skip_store:
            log(f"store: {args.threads} threads x {args.per_thread:,} appends, then append + history latency")
            results["store"] = store_figures(Path(tmp), args.threads, args.per_thread)
    # a partial run replaces its own part of an existing results file and keeps the other
    common.write_results(args.out, results, update=args.store_only or args.skip_store)
    print(json.dumps({k: v for k, v in results.items() if k != "machine"}, indent=2, ensure_ascii=False))
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
