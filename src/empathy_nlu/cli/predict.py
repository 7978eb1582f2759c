"""`empathy-nlu predict [--model DIR] [--history FILE] [--reference-time T] TEXT...`: JSON Lines."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import InputError
from .common import startup_done

HELP = "predict intents for TEXT arguments (or stdin lines) as JSON Lines"


def add_arguments(parser) -> None:
    parser.add_argument("text", nargs="*", help="utterances; read one per line from stdin when none")
    parser.add_argument("--model", help="model directory (default: the bundled default model)")
    parser.add_argument("--history", help="JSON array (or JSON Lines) of earlier turns: strings or objects")
    parser.add_argument(
        "--reference-time",
        help="ISO 8601 time that relative dates (tomorrow, last night) are resolved against; default now",
    )
    parser.add_argument("--channel", help="where the text came from: chat, email, sms, voice, social, ...")
    parser.add_argument("--json-errors", action="store_true", help="also print errors as JSON on stdout")


def read_history(path: str) -> list:
    """Earlier turns from a JSON array or a JSON Lines file, with the line of any error."""
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read history file {path}: {exc}", "E313") from exc
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            turns = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}", "E313") from exc
        return turns
    turns = []
    for line_number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                turns.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{line_number}: invalid JSON: {exc.msg}", "E313") from exc
    return turns


def run(args) -> int:
    from ..classifier import Classifier

    classifier = Classifier.load(args.model)
    history = read_history(args.history) if args.history else None
    texts = args.text if args.text else (line.rstrip("\r\n") for line in sys.stdin)
    for text in texts:
        if not args.text and not text.strip():
            continue
        prediction = classifier.predict(
            text, history, reference_time=args.reference_time, channel=args.channel
        )
        print(json.dumps(prediction.to_dict(), ensure_ascii=False), flush=True)
        startup_done()  # the first message built the tokenizer and the cue matchers
    return 0
