"""`empathy-nlu cross-validate DATA --folds K`: K-fold figures of the whole pipeline."""

from __future__ import annotations

from .common import add_data_options, emit_json, load_dataset_from_args, progress_printer, startup_done

HELP = "K-fold cross-validation of training on DATA; prints the report as JSON"


def add_arguments(parser) -> None:
    parser.add_argument("data", nargs="+", help="labelled data")
    parser.add_argument("--folds", type=int, default=5, help="number of folds (default 5)")
    parser.add_argument("--config", help="YAML/JSON config file overriding the defaults")
    parser.add_argument("--json", dest="json_out", help="also write the report to this file")
    add_data_options(parser)


def run(args) -> int:
    from ..config import load_config
    from ..evaluation import cross_validate

    startup_done()  # training allocates as it goes: the collector is needed from here
    say = progress_printer(args)
    dataset = load_dataset_from_args(args, args.data)
    config = load_config(args.config) if args.config else None
    emit_json(cross_validate(dataset.intent_examples(), args.folds, config, progress=say), args.json_out)
    return 0
