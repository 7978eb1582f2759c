"""Custom-entity (slot) benchmark on SNIPS: the CRF tagger against spaCy's ``ner`` from scratch.

    .venv/bin/python benchmarks/slots_snips.py --tagger crf [--out benchmarks/results_slots_crf.json]
    .venv/bin/python benchmarks/slots_snips.py --tagger spacy --epochs 5

Trains on ``../shared/data/snips/train.jsonl``, scores exact span + type F1 on ``val.jsonl`` and
``test.jsonl`` (settings are chosen on val only: ``--skip-test`` while tuning), and times one
``predict`` call per validation utterance. For the CRF it also checks the pruned Viterbi
against an exact full-lattice Viterbi over the same weights (``exact_decoding_agreement``).
Prints JSON on stdout; progress on stderr.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np

import measure
from empathy_nlu.config import make_config
from empathy_nlu.dataset import load_data
from empathy_nlu.persistence import save_model_dir
from empathy_nlu.slot_filler import CRFSlotFiller, entity_scores
from empathy_nlu.slot_filler.tokens import tokenize
from measure import log

ROOT = Path(__file__).resolve().parents[1]
SNIPS = ROOT.parent / "shared" / "data" / "snips"
SEED = 0


def latency_us(predict_one, texts: list[str]) -> dict:
    """p50/p90/p99 in µs of one call per text, after a warm-up pass."""
    for text in texts:
        predict_one(text)
    timings = []
    for text in texts:
        started = time.perf_counter_ns()
        predict_one(text)
        timings.append((time.perf_counter_ns() - started) / 1e3)
    return {f"p{q}": round(float(np.percentile(timings, q)), 1) for q in (50, 90, 99)}


def exact_viterbi(model: CRFSlotFiller, text: str) -> list[int]:
    """Full 79-label Viterbi without pruning or BIO constraints: what crfsuite would decode."""
    words, starts, ends = tokenize(text)
    extra = model.resources_.features(text, words, starts, ends) if model.resources_ else None
    flat, offsets = model.index_.token_rows(words, extra)
    scores = np.add.reduceat(model.weights_[flat], offsets, axis=0).astype(np.float64) + model.bias_
    transitions = model.transitions_.astype(np.float64)
    best, pointers = scores[0], []
    for t in range(1, len(scores)):
        candidates = best[:, None] + transitions
        pointers.append(candidates.argmax(axis=0))
        best = candidates.max(axis=0) + scores[t]
    path = [int(best.argmax())]
    for back in reversed(pointers):
        path.append(int(back[path[-1]]))
    return path[::-1]


def crf_run(args, train, splits) -> dict:
    params = make_config()["slot_filler"]
    for key in ("c1", "c2", "max_iterations"):
        if getattr(args, key) is not None:
            params[key] = getattr(args, key)
    model = CRFSlotFiller(**params)
    _, seconds = measure.timed(model.fit, train, None, log)
    result: dict = {"tagger": "crf", "params": params, "train_seconds": round(seconds, 1)}
    for name, examples in splits.items():
        predicted = [model.predict_one(ex.text) for ex in examples]
        result[name] = entity_scores([ex.entities for ex in examples], predicted)
    val_texts = [ex.text for ex in splits["val"]]
    result["latency_us_val"] = latency_us(model.predict_one, val_texts)
    agree = 0
    for text in val_texts:
        labels = [model.labels_[j] for j in exact_viterbi(model, text)]
        ours = ["O"] * len(labels)
        for entity in model.predict_one(text):
            _, starts, ends = tokenize(text)
            inside = [
                i
                for i, (s, e) in enumerate(zip(starts, ends, strict=True))
                if entity["start"] <= s < entity["end"]
            ]
            ours[inside[0]] = "B-" + entity["entity"]
            for i in inside[1:]:
                ours[i] = "I-" + entity["entity"]
        agree += ours == labels
    result["exact_decoding_agreement"] = f"{agree}/{len(val_texts)}"
    with tempfile.TemporaryDirectory() as tmp:
        path = save_model_dir(
            Path(tmp) / "model", {"library": "benchmark"}, {"slot_filler": model.to_state()}
        )
        result["model_mb"] = round(measure.size_mb(path), 2)
    result["n_features"] = len(model.attributes_)
    result["n_labels"] = len(model.labels_)
    return result


def spacy_run(args, train, splits) -> dict:
    import spacy
    from spacy.training import Example as SpacyExample
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(SEED)
    rng = random.Random(SEED)
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in sorted({span.entity for ex in train for span in ex.entities}):
        ner.add_label(label)
    examples = []
    for ex in train:
        doc = nlp.make_doc(ex.text)
        ents = [(s.start, s.end, s.entity) for s in ex.entities]
        examples.append(SpacyExample.from_dict(doc, {"entities": ents}))
    started = time.perf_counter()
    optimizer = nlp.initialize(lambda: examples)
    for epoch in range(1, args.epochs + 1):
        rng.shuffle(examples)
        losses: dict = {}
        for batch in minibatch(examples, size=64):
            nlp.update(batch, sgd=optimizer, drop=0.2, losses=losses)
        log(f"spacy: epoch {epoch}/{args.epochs} loss {losses.get('ner', 0.0):.1f}")
    seconds = time.perf_counter() - started

    def predict_one(text: str) -> list[dict]:
        return [{"entity": e.label_, "start": e.start_char, "end": e.end_char} for e in nlp(text).ents]

    result: dict = {"tagger": "spacy", "epochs": args.epochs, "train_seconds": round(seconds, 1)}
    for name, split in splits.items():
        result[name] = entity_scores([ex.entities for ex in split], [predict_one(ex.text) for ex in split])
    result["latency_us_val"] = latency_us(predict_one, [ex.text for ex in splits["val"]])
    with tempfile.TemporaryDirectory() as tmp:
        nlp.to_disk(Path(tmp) / "spacy")
        result["model_mb"] = round(measure.size_mb(Path(tmp) / "spacy"), 2)
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tagger", choices=("crf", "spacy"), default="crf")
    parser.add_argument("--data", type=Path, default=SNIPS)
    parser.add_argument("--out", type=Path, help="also write the JSON result here")
    parser.add_argument("--limit", type=int, help="train on the first N examples only (quick runs)")
    parser.add_argument("--skip-test", action="store_true", help="score val only (while choosing settings)")
    parser.add_argument("--c1", type=float)
    parser.add_argument("--c2", type=float)
    parser.add_argument("--max-iterations", dest="max_iterations", type=int)
    parser.add_argument("--epochs", type=int, default=5, help="spaCy training epochs")
    args = parser.parse_args(argv)

    train = load_data(args.data / "train.jsonl").examples[: args.limit]
    splits = {"val": load_data(args.data / "val.jsonl").examples}
    if not args.skip_test:
        splits["test"] = load_data(args.data / "test.jsonl").examples
    log(f"{args.tagger}: training on {len(train)} SNIPS examples")
    run = crf_run if args.tagger == "crf" else spacy_run
    result = {"benchmark": "slots_snips", "n_train": len(train), **run(args, train, splits)}
    result["machine"] = measure.machine_info()
    result["library"] = measure.library_state(ROOT)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
