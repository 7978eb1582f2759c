"""`empathy-nlu train DATA... --out DIR`: train a model from one or more data files."""

from __future__ import annotations

import json

from ..classifier import Classifier
from .common import add_data_options, load_dataset_from_args, progress_printer

HELP = "train a model from data files (YAML, Rasa YAML, JSONL, CSV, hf:NAME) and save it to --out"


def add_arguments(parser) -> None:
    parser.add_argument("data", nargs="+", help="training data files")
    parser.add_argument("--out", required=True, help="model directory to write (replaced atomically)")
    parser.add_argument("--config", help="YAML/JSON config file overriding the defaults")
    add_data_options(parser)


def run(args) -> int:
    say = progress_printer(args)
    if say:
        say(f"reading {', '.join(args.data)}")
    dataset = load_dataset_from_args(args, args.data)
    classifier = Classifier.train(dataset, args.config, strict=args.strict, progress=say)
    path = classifier.save(args.out)
    if say:
        say(f"saved {path}")
    manifest = classifier.manifest
    print(
        json.dumps(
            {
                "model": str(path),
                "n_examples": manifest["training_data"]["n_examples"],
                "n_intents": len(manifest["labels"]),
                "metrics": manifest["metrics"],
            },
            indent=2,
        )
    )
    return 0
