"""Languages benchmark: in-language training, zero-shot transfer, xSID, language ID, latency per script.

    .venv/bin/python benchmarks/languages.py [--parts in_language zero_shot xsid language_id latency feelings]
                                             [--limit N] [--out FILE] [--note TEXT]

- ``in_language``: the fast tier (default settings) trained on each shared set's train file and scored
  on its test files, beside the multilingual tier and a plain character-n-gram SVM peer trained and
  scored in the same run.
- ``zero_shot``: the multilingual tier trained on English BANKING77 only, scored on the ArBanking77
  tests (no Arabic example seen) and on English BANKING77's test; the fast tier beside it.
- ``xsid``: one model trained on all 13 ``xsid_valid`` files, scored by 5-fold cross-validation
  (stratified by language and intent; there is no xSID test here), accuracy per language.
- ``language_id``: the library's language of every text in every shared set's test files
  (a file without ``lang`` is English).
- ``latency``: single ``predict`` p50 per script, each on the in-language model of its set, the
  scripts' calls interleaved.
- ``feelings``: cue F1 and sentiment accuracy per language on the ``test`` rows of
  ``tests/data/feelings_*.jsonl`` with the bundled default model.

Nothing is tuned here: every setting is the library's default, chosen on train or valid splits.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

import common
from common import DATA, log

PARTS = ("in_language", "zero_shot", "xsid", "language_id", "latency", "feelings")
# set -> (train file, {test name: test file}); ArBanking77's train holds MSA and Palestinian examples.
IN_LANGUAGE = {
    "arbanking77": (
        "arbanking77/train.jsonl",
        {"msa": "arbanking77/test_msa.jsonl", "pal": "arbanking77/test_pal.jsonl"},
    ),
    "fb_mtod_th": ("fb_mtod_th/train.jsonl", {"test": "fb_mtod_th/test.jsonl"}),
    "fb_mtod_es": ("fb_mtod_es/train.jsonl", {"test": "fb_mtod_es/test.jsonl"}),
    "cais_zh": ("cais_zh/train.jsonl", {"test": "cais_zh/test.jsonl"}),
    "banking77": ("banking77/train.jsonl", {"test": "banking77/test.jsonl"}),
}
LANGUAGE_ID_FILES = [
    "banking77/test.jsonl",
    "clinc150/test.jsonl",
    "snips/test.jsonl",
    "arbanking77/test_msa.jsonl",
    "arbanking77/test_pal.jsonl",
    "arbanking77/test_saudi.jsonl",
    "arbanking77/test_moroccan.jsonl",
    "arbanking77/test_tunisian.jsonl",
    "fb_mtod_es/test.jsonl",
    "fb_mtod_th/test.jsonl",
    "cais_zh/test.jsonl",
]
# script -> (set whose in-language model answers it, test file of its messages)
LATENCY_SCRIPTS = {
    "English (Latin)": ("banking77", "banking77/test.jsonl"),
    "Chinese (Han)": ("cais_zh", "cais_zh/test.jsonl"),
    "Thai": ("fb_mtod_th", "fb_mtod_th/test.jsonl"),
    "Arabic": ("arbanking77", "arbanking77/test_msa.jsonl"),
    "Spanish (Latin)": ("fb_mtod_es", "fb_mtod_es/test.jsonl"),
}
FEELINGS = common.ROOT / "tests" / "data"
CUE_THRESHOLD = 0.5  # a cue is detected at this score, as in cues/evaluation.py


# -- systems ---------------------------------------------------------------------------------------
def train_empathy(texts: list[str], labels: list[str], config: dict | None = None):
    from empathy_nlu import Classifier, Example

    examples = [Example(text=t, intent=y) for t, y in zip(texts, labels, strict=True)]
    return common.timed(Classifier.train, examples, config=config, progress=lambda m: log(f"  {m}"))


def empathy_labels(model, texts: list[str]) -> list[str]:
    return [common.OUT_OF_SCOPE if p.out_of_scope else p.intent.name for p in model.predict_batch(texts)]


def train_char_svm(texts: list[str], labels: list[str]):
    """The plain peer: character 1-4-grams (across spaces), sublinear TF-IDF, a linear SVM."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    pipe = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 4), sublinear_tf=True), LinearSVC())
    return common.timed(pipe.fit, texts, labels)


def multilingual_config() -> dict:
    from empathy_nlu.config import with_tier

    return with_tier(None, "multilingual")


def split(path: str, limit: int | None) -> tuple[list[str], list[str]]:
    texts, labels = common.read_split(DATA / path)
    pairs = common.spread(list(zip(texts, labels, strict=True)), limit)
    return [t for t, _ in pairs], [y for _, y in pairs]


# -- parts -----------------------------------------------------------------------------------------
def in_language(limit: int | None, models: dict) -> dict:
    out = {}
    for name, (train_file, tests) in IN_LANGUAGE.items():
        log(f"in-language: {name}")
        texts, labels = split(train_file, limit)
        model, seconds = train_empathy(texts, labels)
        peer, peer_seconds = train_char_svm(texts, labels)
        log(f"in-language: {name}, multilingual tier")
        multilingual, multilingual_seconds = train_empathy(texts, labels, multilingual_config())
        models[name] = model
        scores = {}
        for test_name, test_file in tests.items():
            test_texts, gold = split(test_file, limit)
            scores[test_name] = {
                "empathy": common.label_metrics(gold, empathy_labels(model, test_texts)),
                "multilingual": common.label_metrics(gold, empathy_labels(multilingual, test_texts)),
                "char_svm": common.label_metrics(gold, [str(y) for y in peer.predict(test_texts)]),
            }
        out[name] = {
            "train_n": len(texts),
            "train_s": seconds,
            "multilingual_train_s": multilingual_seconds,
            "char_svm_train_s": peer_seconds,
            "tests": scores,
        }
    return out


def zero_shot(limit: int | None) -> dict:
    texts, labels = split("banking77/train.jsonl", limit)
    out = {}
    for tier, config in (("fast", None), ("multilingual", multilingual_config())):
        log(f"zero-shot: {tier} tier on English BANKING77")
        model, seconds = train_empathy(texts, labels, config)
        scores = {}
        for test_name in ("msa", "pal", "saudi", "moroccan", "tunisian"):
            test_texts, gold = split(f"arbanking77/test_{test_name}.jsonl", limit)
            scores[test_name] = common.label_metrics(gold, empathy_labels(model, test_texts))
        english_texts, english_gold = split("banking77/test.jsonl", limit)
        scores["english"] = common.label_metrics(english_gold, empathy_labels(model, english_texts))
        out[tier] = {"train_s": seconds, "tests": scores}
    return out


def _xsid_rows() -> list[dict]:
    rows = []
    for path in sorted((DATA / "xsid_valid").glob("valid.*.jsonl")):
        language = path.name.split(".")[1]
        rows += [{**row, "lang": row.get("lang", language)} for row in common.read_jsonl(path)]
    return rows


def xsid(limit: int | None) -> dict:
    rows = common.spread(_xsid_rows(), limit)
    strata = [f"{row['lang']}|{row['intent']}" for row in rows]
    counts = Counter(strata)
    strata = [s if counts[s] >= 5 else s.split("|")[0] for s in strata]  # rare pairs: by language only
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(rows, strata))
    out = {}
    for tier, config in (("fast", None), ("multilingual", multilingual_config())):
        correct: dict[str, list[bool]] = defaultdict(list)
        for number, (train_idx, test_idx) in enumerate(folds, 1):
            log(f"xsid: {tier} tier, fold {number}/5")
            model, _ = train_empathy(
                [rows[i]["text"] for i in train_idx], [rows[i]["intent"] for i in train_idx], config
            )
            predicted = empathy_labels(model, [rows[i]["text"] for i in test_idx])
            for i, label in zip(test_idx, predicted, strict=True):
                correct[rows[i]["lang"]].append(label == rows[i]["intent"])
        per_language = {lang: float(np.mean(hits)) for lang, hits in sorted(correct.items())}
        every = [hit for hits in correct.values() for hit in hits]
        out[tier] = {"per_language": per_language, "all": float(np.mean(every)), "n": len(every)}
    return out


def language_id(limit: int | None) -> dict:
    from empathy_nlu.language.detect import detect

    out = {}
    for path in LANGUAGE_ID_FILES:
        rows = common.spread(common.read_jsonl(DATA / path), limit)
        guesses = [detect(row["text"]) for row in rows]
        gold = [row.get("lang", "en") for row in rows]
        confused = Counter(g.code for g, lang in zip(guesses, gold, strict=True) if g.code != lang)
        out[path] = {
            "n": len(rows),
            "language": Counter(gold).most_common(1)[0][0],
            "accuracy": float(np.mean([g.code == lang for g, lang in zip(guesses, gold, strict=True)])),
            "unknown": sum(g.code is None for g in guesses),
            "confused_with": dict(confused.most_common(5)),
        }
    timings = common.call_ms(
        detect, [row["text"] for row in common.read_jsonl(DATA / "cais_zh/test.jsonl")][:500]
    )
    out["_latency_ms"] = common.percentiles(timings)
    return out


def latency(models: dict, limit: int | None) -> dict:
    """p50/p99 per script, the scripts' calls interleaved (one message of each in turn), so a change
    in the machine's load weighs on every script alike and the ratios to English hold."""
    reloaded, texts = {}, {}
    for script, (set_name, test_file) in LATENCY_SCRIPTS.items():
        if set_name not in models:
            log(f"latency: training the {set_name} model")
            models[set_name], _ = train_empathy(*split(IN_LANGUAGE[set_name][0], limit))
        folder = Path(common.RESULTS / "quick" / f"latency_{set_name}")
        reloaded[script] = common.reloaded(models[set_name], folder)
        all_texts, _ = split(test_file, None)
        texts[script] = [all_texts[i] for i in common.sample_indices(len(all_texts))]
    timings: dict[str, list[float]] = {script: [] for script in LATENCY_SCRIPTS}
    for round_ in range(common.LATENCY_WARMUP + common.LATENCY_TEXTS):
        for script, model in reloaded.items():
            text = texts[script][round_ % len(texts[script])]
            started = time.perf_counter_ns()
            model.predict(text)
            if round_ >= common.LATENCY_WARMUP:
                timings[script].append((time.perf_counter_ns() - started) / 1e6)
    out = {
        script: {"n": len(t), **common.percentiles(t), "mean": float(np.mean(t))}
        for script, t in timings.items()
    }
    english = out["English (Latin)"]["p50"]
    for figures in out.values():
        figures["vs_english"] = figures["p50"] / english
    return out


def feelings() -> dict:
    from empathy_nlu import Classifier

    model = Classifier.load(common.ROOT / "models" / "default")
    out = {}
    for path in sorted(FEELINGS.glob("feelings_*.jsonl")):
        rows = [row for row in common.read_jsonl(path) if row.get("split") == "test"]
        if not rows:
            continue
        predictions = model.predict_batch([row["text"] for row in rows])
        out[path.stem.split("_", 1)[1]] = _feelings_scores(rows, predictions)
    return out


def _feelings_scores(rows: list[dict], predictions) -> dict:
    sentiment = [
        p.sentiment["label"] == row["sentiment"]
        for p, row in zip(predictions, rows, strict=True)
        if row.get("sentiment") and p.sentiment
    ]
    tp = fp = fn = 0
    for p, row in zip(predictions, rows, strict=True):
        found = {name for name, cue in p.cues.items() if cue["score"] >= CUE_THRESHOLD}
        gold = set(row.get("cues", []))
        tp, fp, fn = tp + len(found & gold), fp + len(found - gold), fn + len(gold - found)
    return {
        "n": len(rows),
        "sentiment_accuracy": float(np.mean(sentiment)) if sentiment else None,
        "cue_f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None,
        "cue_precision": tp / (tp + fp) if tp + fp else None,
        "cue_recall": tp / (tp + fn) if tp + fn else None,
    }


# -- main ------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--limit", type=int, help="at most N rows per file (a quick run)")
    common.add_output_arguments(parser, "languages")
    args = parser.parse_args(argv)
    report = common.envelope("languages.py", argv, args.note, args.limit)
    models: dict = {}
    if "in_language" in args.parts:
        report["in_language"] = in_language(args.limit, models)
    if "zero_shot" in args.parts:
        report["zero_shot"] = zero_shot(args.limit)
    if "xsid" in args.parts:
        report["xsid"] = xsid(args.limit)
    if "language_id" in args.parts:
        report["language_id"] = language_id(args.limit)
    if "latency" in args.parts:
        report["latency"] = latency(models, args.limit)
    if "feelings" in args.parts:
        report["feelings"] = feelings()
    path = common.write_results(
        common.output_path(args.out, "languages", bool(args.limit)),
        report,
        update=set(args.parts) != set(PARTS),
    )
    log(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
