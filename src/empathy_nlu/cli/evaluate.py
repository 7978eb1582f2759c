"""`empathy-nlu evaluate --model DIR DATA [--json OUT]`: the evaluation report as JSON."""

from __future__ import annotations

from ..errors import DataError
from .common import add_data_options, emit_json, load_dataset_from_args, progress_printer, startup_done

HELP = "evaluate a model on labelled data and print the report as JSON"


def add_arguments(parser) -> None:
    parser.add_argument("data", nargs="+", help="labelled evaluation data")
    parser.add_argument("--model", help="model directory (default: the bundled default model)")
    parser.add_argument("--json", dest="json_out", help="also write the report to this file")
    add_data_options(parser)


def run(args) -> int:
    from ..classifier import Classifier
    from ..evaluation import evaluate, evaluate_dialogues

    startup_done()  # evaluation allocates as it goes: the collector is needed from here
    say = progress_printer(args)
    classifier = Classifier.load(args.model)
    dataset = load_dataset_from_args(args, args.data, min_examples=1)
    if dataset.dialogues:  # every customer turn in the light of the raw turns before it
        if say:
            say(f"evaluating {len(dataset.dialogues)} dialogues turn by turn")
        report = evaluate_dialogues(classifier, dataset.dialogues, progress=say)
        if dataset.examples:
            report["utterances"] = evaluate(classifier, dataset.examples)
        emit_json(report, args.json_out)
        return 0
    examples = dataset.examples
    if not any(ex.intent or ex.intents or ex.sentiment or ex.cues is not None for ex in examples):
        raise DataError(
            "the evaluation data has no examples with an intent, intents, sentiment or cues.", code="E122"
        )
    if say:
        say(f"evaluating on {len(examples)} examples")
    emit_json(evaluate(classifier, examples), args.json_out)
    return 0
