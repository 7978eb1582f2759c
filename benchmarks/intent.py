"""Intent benchmark: empathy-nlu against plain scikit-learn and spaCy's bag-of-words textcat.

    .venv/bin/python benchmarks/intent.py [--sets banking77 clinc150 snips] [--systems empathy sklearn spacy]
                                          [--spacy-epochs 10] [--intent-only] [--limit N] [--out FILE]

Every system trains on the same ``train`` split and is scored on ``test``; nothing is tuned on
``test``. Measured per system: accuracy, macro-F1, in-scope accuracy and out-of-scope recall,
training time, single-call p50/p99, batch throughput, size on disk, load time. Progress goes
to stderr, a table to stdout, everything to ``results/intent.json`` (``--intent-only``: the
intent tier alone, without the cue detector, to ``results/intent_only.json``).

The three systems sit behind one small interface: ``fit(texts, labels) -> seconds`` (wall time
of its own training call), ``predict_one`` / ``predict_many`` (the exact calls that are timed),
``labels(output)`` (label strings, untimed), ``save(folder) -> path`` and ``load(path)`` (the
call timed for load time).

spaCy dominates the run time: thinc's Adam updates the whole dense BOW weight table
(262,144 x n_labels) on every minibatch of 32, ~40 s per epoch on BANKING77 and ~110 s on
CLINC150, so the default 10 epochs make a full run ~27 min on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

import joblib

import common
from common import OUT_OF_SCOPE, log

SETS = ("banking77", "clinc150", "snips")
SEED = 0
SPACY_BATCH_SIZE = 32
SPACY_DROPOUT = 0.1
INTENT_ONLY = {"cues": {"enabled": False}}  # the intent tier alone: no empathy-cue detector


# -- the systems under test ------------------------------------------------------------------------
class EmpathySystem:
    """empathy-nlu fast tier, default settings (or ``config`` over them)."""

    name = "empathy"
    title = "empathy-nlu (fast tier)"

    def __init__(self, model=None, config: dict | None = None) -> None:
        self.model = model
        self.config = config

    def fit(self, texts: list[str], labels: list[str]) -> float:
        from empathy_nlu import Classifier, Example

        examples = [Example(text=t, intent=y) for t, y in zip(texts, labels, strict=True)]
        self.model, seconds = common.timed(
            Classifier.train, examples, config=self.config, progress=lambda m: log(f"  empathy: {m}")
        )
        return seconds

    def predict_one(self, text: str):
        return self.model.predict(text)

    def predict_many(self, texts: list[str]):
        return self.model.predict_batch(texts)

    @staticmethod
    def labels(output) -> list[str]:
        return [OUT_OF_SCOPE if p.out_of_scope else p.intent.name for p in output]

    @staticmethod
    def argmax_labels(output) -> list[str]:
        """Top of the ranking with no out-of-scope threshold (a diagnostic, not the reported figure)."""
        return [p.intent_ranking[0].name if p.intent_ranking else OUT_OF_SCOPE for p in output]

    def save(self, folder: Path) -> Path:
        return self.model.save(folder / "empathy_model")

    @classmethod
    def load(cls, path: Path) -> EmpathySystem:
        from empathy_nlu import Classifier

        return cls(Classifier.load(path))


class SklearnSystem:
    """The plain scikit-learn peer: ``make_pipeline(TfidfVectorizer(), LinearSVC())``, defaults."""

    name = "sklearn"
    title = "scikit-learn TF-IDF + LinearSVC"

    def __init__(self, pipe=None) -> None:
        self.pipe = pipe

    def fit(self, texts: list[str], labels: list[str]) -> float:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline
        from sklearn.svm import LinearSVC

        self.pipe = make_pipeline(TfidfVectorizer(), LinearSVC())
        _, seconds = common.timed(self.pipe.fit, texts, labels)
        return seconds

    def predict_one(self, text: str):
        return self.pipe.predict([text])

    def predict_many(self, texts: list[str]):
        return self.pipe.predict(texts)

    @staticmethod
    def labels(output) -> list[str]:
        return [str(label) for label in output]

    def save(self, folder: Path) -> Path:
        path = folder / "sklearn_pipeline.joblib"
        joblib.dump(self.pipe, path)
        return path

    @classmethod
    def load(cls, path: Path) -> SklearnSystem:
        return cls(joblib.load(path))


TEXTCAT_MODEL = {
    "@architectures": "spacy.TextCatBOW.v3",
    "exclusive_classes": True,
    "ngram_size": 1,
    "no_output_layer": False,
}


class SpacySystem:
    """spaCy ``textcat`` with the bag-of-words architecture, trained from scratch on a blank English nlp."""

    name = "spacy"
    title = "spaCy textcat BOW (from scratch)"

    def __init__(self, nlp=None, epochs: int = 10) -> None:
        self.nlp = nlp
        self.epochs = epochs
        self.epoch_log: list[dict] = []

    def fit(self, texts: list[str], labels: list[str]) -> float:
        _, seconds = common.timed(self._train, texts, labels)
        return seconds

    def _train(self, texts: list[str], labels: list[str]) -> None:
        import spacy
        from spacy.training import Example
        from spacy.util import fix_random_seed, minibatch

        fix_random_seed(SEED)
        rng = random.Random(SEED)
        nlp = spacy.blank("en")
        textcat = nlp.add_pipe("textcat", config={"model": TEXTCAT_MODEL})
        classes = sorted(set(labels))
        for label in classes:
            textcat.add_label(label)
        examples = [
            Example.from_dict(nlp.make_doc(t), {"cats": {c: float(c == y) for c in classes}})
            for t, y in zip(texts, labels, strict=True)
        ]
        optimizer = nlp.initialize(lambda: examples)
        for epoch in range(1, self.epochs + 1):
            started = time.perf_counter()
            rng.shuffle(examples)
            losses: dict[str, float] = {}
            for batch in minibatch(examples, size=SPACY_BATCH_SIZE):
                nlp.update(batch, sgd=optimizer, drop=SPACY_DROPOUT, losses=losses)
            entry = {
                "epoch": epoch,
                "loss": losses.get("textcat", 0.0),
                "seconds": time.perf_counter() - started,
            }
            self.epoch_log.append(entry)
            log(f"  spacy: epoch {epoch}/{self.epochs} loss {entry['loss']:.4f} ({entry['seconds']:.1f}s)")
        self.nlp = nlp

    def predict_one(self, text: str):
        return self.nlp(text)

    def predict_many(self, texts: list[str]):
        return list(self.nlp.pipe(texts, batch_size=256))

    @staticmethod
    def labels(output) -> list[str]:
        return [max(doc.cats, key=doc.cats.get) for doc in output]

    def save(self, folder: Path) -> Path:
        path = folder / "spacy_model"
        self.nlp.to_disk(path)
        return path

    @classmethod
    def load(cls, path: Path) -> SpacySystem:
        import spacy

        return cls(spacy.load(path))


SYSTEMS = {system.name: system for system in (EmpathySystem, SklearnSystem, SpacySystem)}


# -- measuring one system on one set ---------------------------------------------------------------
def run_system(system, train: tuple[list, list], test: tuple[list, list], workdir: Path) -> dict:
    texts, gold = test
    result: dict = {"title": system.title, "loadavg_1min": {"start": os.getloadavg()[0]}}
    result["train_seconds"] = system.fit(*train)
    result["loadavg_1min"]["after_training"] = os.getloadavg()[0]
    log(f"  {system.name}: training wall time {result['train_seconds']:.2f}s")

    result["throughput"], output = common.batch_throughput(system.predict_many, texts)
    predicted = system.labels(output)
    result["metrics"] = common.label_metrics(gold, predicted)
    result["metrics"]["n_predicted_out_of_scope"] = predicted.count(OUT_OF_SCOPE)
    indices = common.sample_indices(len(texts))
    sample = [texts[i] for i in indices]
    result["latency_ms"] = common.single_latency(system.predict_one, sample)

    if system.name == "empathy":
        from empathy_nlu import Example
        from empathy_nlu.evaluation import evaluate

        report = evaluate(system.model, [Example(text=t, intent=y) for t, y in zip(texts, gold, strict=True)])
        result["test_ece"] = report["intent"]["ece"]
        result["evaluate_accuracy"] = report["intent"]["accuracy"]
        result["manifest_metrics"] = system.model.manifest["metrics"]
        result["argmax_metrics"] = common.label_metrics(gold, system.argmax_labels(output))
    if system.name == "spacy":
        result["epochs"] = system.epoch_log

    path = system.save(workdir)
    result["size_mb"] = common.size_mb(path)
    result["load"], loaded = common.load_time(lambda: type(system).load(path))
    reference = [predicted[i] for i in indices]
    result["reload_agrees"] = loaded.labels(loaded.predict_many(sample)) == reference
    result["loadavg_1min"]["end"] = os.getloadavg()[0]
    m = result["metrics"]
    log(
        f"  {system.name}: acc {m['accuracy']:.4f} p50 {result['latency_ms']['p50']:.3f}ms "
        f"{result['throughput']['utterances_per_s']:.0f} utt/s {result['size_mb']:.2f}MB "
        f"load {result['load']['median_s']:.3f}s reload_agrees={result['reload_agrees']} "
        f"loadavg {result['loadavg_1min']}"
    )
    return result


def _fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(results: dict) -> str:
    header = (
        f"{'set':<10} {'system':<8} {'acc':>7} {'in-scope':>8} {'oos-rec':>7} {'macroF1':>7} {'train s':>8} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'utt/s':>8} {'MB':>7} {'load s':>7}"
    )
    lines = [header, "-" * len(header)]
    for set_name, systems in results.items():
        for name, r in systems.items():
            m = r["metrics"]
            lines.append(
                f"{set_name:<10} {name:<8} {_fmt(m['accuracy'], '.4f'):>7} "
                f"{_fmt(m['in_scope_accuracy'], '.4f'):>8} {_fmt(m['oos_recall'], '.4f'):>7} "
                f"{_fmt(m['macro_f1'], '.4f'):>7} {r['train_seconds']:>8.2f} {r['latency_ms']['p50']:>7.3f} "
                f"{r['latency_ms']['p99']:>7.3f} {r['throughput']['utterances_per_s']:>8.0f} "
                f"{r['size_mb']:>7.2f} {r['load']['median_s']:>7.3f}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS))
    parser.add_argument("--systems", nargs="+", choices=list(SYSTEMS), default=list(SYSTEMS))
    parser.add_argument("--spacy-epochs", type=int, default=10)
    parser.add_argument("--data", type=Path, default=common.DATA, help="folder holding the benchmark sets")
    parser.add_argument(
        "--intent-only", action="store_true", help="empathy-nlu without the cue detector (intent tier alone)"
    )
    parser.add_argument(
        "--limit", type=int, help="quick run: N train and N test utterances spread over each split"
    )
    common.add_output_arguments(parser, "intent")
    args = parser.parse_args(argv)
    args.out = common.output_path(args.out, "intent_only" if args.intent_only else "intent", bool(args.limit))

    report = {
        **common.envelope("intent.py", argv, args.note, args.limit),
        "intent_only": args.intent_only,
        "settings": {
            "spacy_epochs": args.spacy_epochs,
            "spacy_batch_size": SPACY_BATCH_SIZE,
            "spacy_dropout": SPACY_DROPOUT,
            "latency_texts": common.LATENCY_TEXTS,
            "latency_warmup_calls": common.LATENCY_WARMUP,
            "throughput_repeats": common.THROUGHPUT_REPEATS,
            "load_repeats": common.LOAD_REPEATS,
            "limit": args.limit,
        },
        "data": {},
        "results": {},
    }
    for set_name in args.sets:
        train = common.read_split(args.data / set_name / "train.jsonl")
        test = common.read_split(args.data / set_name / "test.jsonl")
        if args.limit:
            train = tuple(common.spread(part, args.limit) for part in train)
            test = tuple(common.spread(part, args.limit) for part in test)
        report["data"][set_name] = {"train": len(train[0]), "test": len(test[0])}
        report["results"][set_name] = {}
        log(f"{set_name}: {len(train[0])} train / {len(test[0])} test")
        for name in args.systems:
            if name == "spacy":
                system = SpacySystem(epochs=args.spacy_epochs)
            elif name == "empathy" and args.intent_only:
                system = EmpathySystem(config=INTENT_ONLY)
            else:
                system = SYSTEMS[name]()
            with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as workdir:
                report["results"][set_name][name] = run_system(system, train, test, Path(workdir))
            common.write_results(args.out, report)  # after every system: a long run keeps what it measured
    print(table(report["results"]))
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
