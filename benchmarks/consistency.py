"""Same input, same answer: single vs batch, and a conversation replayed vs asked cold.

    .venv/bin/python benchmarks/consistency.py [--texts 600] [--dialogues 250] [--sgd-model DIR]

1. ``predict`` vs ``predict_batch`` of all texts at once, compared as ``to_dict()`` JSON: the
   default model and an SGD-trained history-aware model, on BANKING77 test texts (spread over
   the split), with no history; and the SGD model with the history of SGD dev conversations.
2. The last customer turn of SGD dev dialogues: replayed turn by turn (as served: every turn
   predicted with the turns before it) vs asked cold in a fresh process, in a shuffled order.
Targets: 0 differences in both.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

import common
from common import log
from empathy_nlu import Classifier
from empathy_nlu.dataset import load_data

REFERENCE = "2026-11-23T10:00:00+00:00"

COLD = """
import json, random, sys
from empathy_nlu import Classifier
model = Classifier.load(sys.argv[1])
cases = json.loads(sys.stdin.read())
order = list(range(len(cases)))
random.Random(int(sys.argv[2])).shuffle(order)
out = [None] * len(cases)
for i in order:
    p = model.predict(cases[i]["text"], cases[i]["history"], reference_time=sys.argv[3])
    out[i] = json.dumps(p.to_dict(), sort_keys=True, default=str)
print(json.dumps(out))
"""


def as_json(prediction) -> str:
    return json.dumps(prediction.to_dict(), sort_keys=True, default=str)


def single_vs_batch(model: Classifier, texts: list[str], histories=None) -> dict:
    histories = histories or [None] * len(texts)
    batch = model.predict_batch(texts, histories, reference_times=[REFERENCE] * len(texts))
    single = [model.predict(t, h, reference_time=REFERENCE) for t, h in zip(texts, histories, strict=True)]
    differ = sum(as_json(a) != as_json(b) for a, b in zip(batch, single, strict=True))
    return {"n": len(texts), "differences": differ}


def turns_of(dialogue) -> list[dict]:
    return [{"text": t.text, "speaker": t.speaker, "channel": t.channel} for t in dialogue.turns]


def last_customer(dialogue) -> int:
    return max(i for i, t in enumerate(dialogue.turns) if t.speaker == "customer")


def replayed_vs_cold(model: Classifier, model_dir: Path, dialogues) -> dict:
    served, cases = [], []
    for dialogue in dialogues:
        turns, last = turns_of(dialogue), last_customer(dialogue)
        for i, turn in enumerate(turns[: last + 1]):
            if turn["speaker"] == "customer":
                prediction = model.predict(turn["text"], turns[:i], reference_time=REFERENCE)
        served.append(as_json(prediction))
        cases.append({"text": turns[last]["text"], "history": turns[:last]})
    run = subprocess.run(
        [sys.executable, "-c", COLD, str(model_dir), "7", REFERENCE],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
    )
    cold = json.loads(run.stdout)
    return {"n": len(cases), "differences": sum(a != b for a, b in zip(served, cold, strict=True))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=600)
    parser.add_argument("--dialogues", type=int, default=250)
    parser.add_argument("--sgd-model", type=Path, default=None, help="history-aware SGD model directory")
    parser.add_argument("--data", type=Path, default=common.DATA)
    common.add_output_arguments(parser, "consistency")
    args = parser.parse_args(argv)
    report = common.envelope("consistency.py", argv, args.note)
    texts, _ = common.read_split(args.data / "banking77" / "test.jsonl")
    texts = common.spread(texts, args.texts)
    dev = load_data(args.data / "sgd_dialogues" / "dev.jsonl").dialogues
    if args.sgd_model and (args.sgd_model / "manifest.json").is_file():
        sgd_dir = args.sgd_model
    else:
        log("training a history-aware model on 1,000 SGD train dialogues")
        train = load_data(args.data / "sgd_dialogues" / "train.jsonl")
        from dataclasses import replace

        sgd_dir = Classifier.train(replace(train, dialogues=train.dialogues[:1000])).save(
            Path(args.out or common.RESULTS / "quick").parent / "consistency-sgd-model"
        )
    sgd = Classifier.load(sgd_dir)
    default = Classifier.load()
    log("single vs batch")
    report["single_vs_batch"] = {
        "default_model": single_vs_batch(default, texts),
        "sgd_model": single_vs_batch(sgd, texts),
    }
    picked = random.Random(0).sample(dev, min(args.dialogues, len(dev)))
    cases = [(turns_of(d)[last_customer(d)]["text"], turns_of(d)[: last_customer(d)]) for d in picked]
    report["single_vs_batch"]["sgd_model_with_history"] = single_vs_batch(
        sgd, [t for t, _ in cases], [h for _, h in cases]
    )
    log("replayed vs cold")
    report["replayed_vs_cold"] = replayed_vs_cold(sgd, Path(sgd_dir), picked)
    report["sgd_model"] = str(sgd_dir)
    path = common.write_results(common.output_path(args.out, "consistency"), report)
    print(json.dumps({k: report[k] for k in ("single_vs_batch", "replayed_vs_cold")}, indent=2))
    log(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
