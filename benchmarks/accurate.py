"""Fast and accurate tier side by side, with the peers: BANKING77, CLINC150, SNIPS, airline, NLU++.

    .venv/bin/python benchmarks/accurate.py [--sets banking77 clinc150 snips airline nlupp]
        [--tiers fast accurate accurate-frozen accurate-int8] [--peers sklearn spacy]
        [--latency-texts 300] [--limit N] [--out FILE] [--note TEXT] [--cache /tmp/empathy-nlu-embeddings]
        [--no-cache]

Each tier trains with ``Classifier.train`` on the ``train`` split (NLU++ banking: folds 0-9) and is
scored on ``test`` (NLU++: folds 10-19, through ``empathy-nlu evaluate`` on the saved model);
nothing is tuned on the test data. ``accurate`` is ``--tier accurate``: n-grams plus MiniLM
embeddings, the encoder fine-tuned on the intents; ``accurate-frozen`` is the same with
``fine_tune_epochs: 0`` (the ablation: what fine-tuning adds; the accurate tier keeps its
fine-tuned encoder only where the held-out texts say it helps); ``accurate-int8`` is the frozen one
with ``embedding_precision: int8`` (8-bit weights, one text per run). Every tier runs single-task, like the
peers: cues, builtin entities and context off (``SINGLE_TASK``); the fast tier's p50 with the library
defaults is measured beside it. After a set's systems are trained, the fast tier and the peers are
timed again taking turns on every text (``interleaved_latency``): the latency targets read those.
The peers (``intent.py``'s scikit-learn and spaCy systems) train on the same split in the same run
(not NLU++).

Frozen sentence embeddings of each split are cached as ``.npy`` under ``--cache`` (outside the
repository) so that reruns skip the encoder: in ``accurate-frozen`` the model's encoder is a lookup
into that cache, which holds the same model's output (``--no-cache``: the real encoder, so that its
training time and batch figure include the encoder). The fine-tuned and int8 tiers encode with their
own weights. Latency is timed after ``save`` + ``load`` with the real encoder: one ``predict`` per text.
Where the test data has out-of-scope examples, the AUROC of the out-of-scope score (1 - the top
calibrated probability) is reported beside the recall. Prints the JSON report and writes ``--out``
(default ``results/accurate.json``). The accurate tiers need ``empathy-nlu[embeddings]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import common
from common import log

SETS = ("banking77", "clinc150", "snips", "airline", "nlupp")
TIERS = ("fast", "accurate", "accurate-frozen", "accurate-int8")
PEERS = ("sklearn", "spacy")
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
    if name == "airline":
        gold = [ex.sentiment for ex in test]
        predicted = [p.sentiment["label"] for p in predictions]
        return common.label_metrics(gold, predicted)
    gold = [ex.intent for ex in test]
    predicted = [common.OUT_OF_SCOPE if p.out_of_scope else p.intent.name for p in predictions]
    metrics = common.label_metrics(gold, predicted)
    top = [p.intent_ranking[0].name if p.intent_ranking else None for p in predictions]
    metrics["argmax_accuracy"] = float(np.mean(np.array(top) == np.array(gold)))  # no OOS threshold
    is_oos = np.array([g == common.OUT_OF_SCOPE for g in gold])
    if is_oos.any() and not is_oos.all():
        from sklearn.metrics import roc_auc_score

        confidence = [p.intent_ranking[0].confidence if p.intent_ranking else 0.0 for p in predictions]
        metrics["oos_auroc"] = float(roc_auc_score(is_oos, -np.array(confidence)))
    return metrics


def evaluate_with_cli(model_path: Path, data: Path) -> dict:
    """NLU++ through ``empathy-nlu evaluate`` on the saved model: the report a user gets."""
    folder = data / "nlupp" / "banking"
    files = [str(folder / f"fold{i}.json") for i in NLUPP_TEST]
    with tempfile.TemporaryDirectory(prefix="evaluate-") as tmp:
        out = Path(tmp) / "report.json"
        command = [sys.executable, "-m", "empathy_nlu", "evaluate", "--model", str(model_path), *files]
        subprocess.run([*command, "--json", str(out)], check=True, stdout=subprocess.DEVNULL)
        return json.loads(out.read_text("utf-8"))["intent"]


def _answer(prediction) -> tuple:
    sentiment = prediction.sentiment["label"] if prediction.sentiment else None
    return prediction.out_of_scope, [s.name for s in prediction.intents], sentiment


# The peers answer one question (intent, or sentiment); so do the tiers here: no empathy cues, no
# builtin entities, no context (none of them changes an intent or a sentiment of a text without
# history). The fast tier's latency with the library defaults is measured beside it.
SINGLE_TASK = {"cues": {"enabled": False}, "entities": {"builtin": False}, "context": {"enabled": False}}


def tier_config(tier: str, defaults: bool = False) -> dict:
    """``--tier fast`` / ``--tier accurate`` over ``SINGLE_TASK`` (``defaults``: over the library
    defaults); ``accurate-frozen``: the accurate tier, encoder frozen."""
    from empathy_nlu.config import with_tier

    base = {} if defaults else SINGLE_TASK
    if tier == "accurate-frozen":
        return with_tier({**base, "features": {"fine_tune_epochs": 0}}, "accurate")
    if tier == "accurate-int8":
        features = {"fine_tune_epochs": 0, "embedding_precision": "int8"}
        return with_tier({**base, "features": features}, "accurate")
    return with_tier(base or None, tier)


def defaults_latency(train: list, texts: list[str], single_task) -> dict:
    """The fast tier with the library defaults (cues, entities, context on): its p50, and whether it
    answers as the single-task model does on ``texts``."""
    from empathy_nlu import Classifier

    model = Classifier.train(train, config=tier_config("fast", defaults=True))
    agree = [_answer(model.predict(t)) == _answer(single_task.predict(t)) for t in texts]
    return {"latency_ms": common.single_latency(model.predict, texts), "agrees": float(np.mean(agree))}


def use_encoder(tier: str, name: str, train: list, test: list, encoder, cache: bool = True) -> None:
    """Frozen: serve the model's encoder from the cache; fine-tuned and int8: the real one (fine-tuning
    trains a copy of it and encodes with its own weights; int8 loads its own quantized copy)."""
    from empathy_nlu.embeddings import DEFAULT_EMBEDDING_MODEL, register_encoder

    if tier == "accurate-frozen" and cache:
        encoder.prefill(f"{name}-train", [ex.text for ex in train])
        encoder.prefill(f"{name}-test", [ex.text for ex in test])
        register_encoder(DEFAULT_EMBEDDING_MODEL, encoder)
    elif tier != "fast":
        register_encoder(DEFAULT_EMBEDDING_MODEL, encoder.real)


def run_tier(name: str, tier: str, sets: tuple[list, list], encoder, args, callers: dict) -> dict:
    from empathy_nlu import Classifier
    from empathy_nlu.embeddings import DEFAULT_EMBEDDING_MODEL, register_encoder

    train, test = sets
    config = tier_config(tier)
    use_encoder(tier, name, train, test, encoder, cache=not args.no_cache)
    result: dict = {"config_features": config["features"], "loadavg_1min": {"start": os.getloadavg()[0]}}
    model, result["train_seconds"] = common.timed(
        Classifier.train, train, config=config, progress=lambda m: log(f"  {name}/{tier}: {m}")
    )
    result["cross_validation"] = {
        k: v for k, v in model.manifest["metrics"].items() if "cross_validation" in k or "fine_tune" in k
    }
    # after a warm-up batch (lazy loads: language ID, tokenizer); the encoder tiers pass once (minutes)
    repeats = common.THROUGHPUT_REPEATS if tier == "fast" else 1
    result["throughput"], predictions = common.batch_throughput(
        model.predict_batch, [ex.text for ex in test], repeats
    )
    with tempfile.TemporaryDirectory(prefix=f"accurate-{name}-") as folder:
        path = model.save(Path(folder) / "model")
        result["size_mb"] = common.size_mb(path)
        if encoder is not None:
            register_encoder(DEFAULT_EMBEDDING_MODEL, encoder.real)  # from here on: the real encoder
        loaded, result["load_seconds"] = common.timed(Classifier.load, path)
        if name == "nlupp":
            result["metrics"] = evaluate_with_cli(path, args.data)
        else:
            result["metrics"] = score(name, test, predictions)
    texts = [test[i].text for i in common.sample_indices(len(test), args.latency_texts)]
    result["latency_ms"] = common.single_latency(loaded.predict, texts)
    if tier == "fast":
        result["library_defaults"] = defaults_latency(train, texts, loaded)
        callers[tier] = loaded.predict
    if tier != "fast":  # the loaded model's encoder alone, for the share of the budget it takes
        model_encoder = loaded.components["features"].featurizer_.encoder_
        result["encoder_latency_ms"] = common.single_latency(lambda t: model_encoder.encode([t]), texts)
        result["encoder_runtime"] = getattr(model_encoder, "runtime", None)
    index = common.sample_indices(len(test), args.latency_texts)
    agree = [_answer(loaded.predict(test[i].text)) == _answer(predictions[i]) for i in index]
    result["reload_agrees"] = float(np.mean(agree))  # batch vs reloaded single predict
    result["loadavg_1min"]["end"] = os.getloadavg()[0]
    log(f"  {name}/{tier}: {json.dumps(result['metrics'])[:300]} p50 {result['latency_ms']['p50']:.2f} ms")
    return result


def run_peer(name: str, peer: str, sets: tuple[list, list], args, callers: dict) -> dict:
    """``intent.py``'s peer system trained and measured on the same split (intent or sentiment); its
    ``predict_one`` goes into ``callers`` for the interleaved latency."""
    import intent

    field = "sentiment" if name == "airline" else "intent"
    train, test = ([ex.text for ex in part] for part in sets)
    gold = [[getattr(ex, field) for ex in part] for part in sets]
    system = intent.SYSTEMS[peer](epochs=args.spacy_epochs) if peer == "spacy" else intent.SYSTEMS[peer]()
    with tempfile.TemporaryDirectory(prefix=f"peer-{name}-") as folder:
        result = intent.run_system(system, (train, gold[0]), (test, gold[1]), Path(folder))
    callers[peer] = system.predict_one
    return result


def interleaved(name: str, test: list, callers: dict, args) -> dict:
    """The fast tier and the peers timed taking turns on every text (``common.interleaved_latency``):
    the latency ratios of the targets compare the same moments."""
    texts = [test[i].text for i in common.sample_indices(len(test), args.latency_texts)]
    result = common.interleaved_latency(callers, texts)
    log(f"  {name}: interleaved p50 " + ", ".join(f"{k} {v['p50']:.3f} ms" for k, v in result.items()))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS))
    parser.add_argument("--tiers", nargs="+", choices=TIERS, default=list(TIERS))
    parser.add_argument("--peers", nargs="*", choices=PEERS, default=list(PEERS))
    parser.add_argument("--spacy-epochs", type=int, default=10)
    parser.add_argument("--latency-texts", type=int, default=300)
    parser.add_argument(
        "--limit", type=int, help="quick run: N train and N test examples spread over each split"
    )
    parser.add_argument("--data", type=Path, default=common.DATA, help="folder holding the benchmark sets")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "empathy-nlu-embeddings")
    parser.add_argument("--no-cache", action="store_true", help="accurate-frozen: the real encoder")
    common.add_output_arguments(parser, "accurate")
    args = parser.parse_args(argv)
    args.out = common.output_path(args.out, "accurate", bool(args.limit))

    encoder = None
    if any(tier != "fast" for tier in args.tiers):
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
        report["results"][name], callers = {}, {}
        for tier in args.tiers:
            report["results"][name][tier] = run_tier(name, tier, (train, test), encoder, args, callers)
            common.write_results(args.out, report)
        for peer in args.peers if name != "nlupp" else ():
            report["results"][name][peer] = run_peer(name, peer, (train, test), args, callers)
            common.write_results(args.out, report)
        if "fast" in callers and len(callers) > 1:
            report["interleaved_latency"] = report.get("interleaved_latency", {})
            report["interleaved_latency"][name] = interleaved(name, test, callers, args)
            common.write_results(args.out, report)
    print(json.dumps(report["results"], indent=2))
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
