"""`empathy-nlu predict [--model DIR] [--history FILE] [--reference-time T] TEXT...`: JSON Lines.

One output line per input: every TEXT argument, or every line of stdin (a blank line gives a
prediction too, ``out_of_scope_reason: "empty"``, so output line N answers input line N). Bytes that
are not UTF-8, in an argument or on stdin, are read as U+FFFD with a warning on stderr; the history
file must be UTF-8 (docs/input_rules.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import InputError
from .common import argument_text, print_line, startup_done, warn

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
        except (ValueError, RecursionError) as exc:  # a 5,000-digit integer, arrays nested 10,000 deep
            raise InputError(f"{path}: JSON that cannot be read ({type(exc).__name__})", "E313") from None
        return turns
    turns = []
    for line_number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                turns.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{line_number}: invalid JSON: {exc.msg}", "E313") from exc
            except (ValueError, RecursionError) as exc:
                raise InputError(
                    f"{path}:{line_number}: JSON that cannot be read ({type(exc).__name__})", "E313"
                ) from None
    return turns


def stdin_lines():
    """Every line of stdin (blank ones too) as text, without its line ending; bytes that are not
    UTF-8 become U+FFFD, with a warning naming the line."""
    source = getattr(sys.stdin, "buffer", None)
    if source is None:  # a text stream put in place of stdin (tests, embedding)
        yield from (line.rstrip("\r\n") for line in sys.stdin)
        return
    for number, raw in enumerate(source, 1):
        raw = raw[:-1] if raw.endswith(b"\n") else raw
        raw = raw[:-1] if raw.endswith(b"\r") else raw
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            warn(f"stdin line {number}: byte {exc.start + 1} is not UTF-8; read as U+FFFD")
            yield raw.decode("utf-8", "replace")


def run(args) -> int:
    from ..classifier import Classifier
    from ..history import parse_reference_time

    # Arguments are checked before anything is read or printed: a bad --reference-time is one error.
    reference = (
        parse_reference_time(argument_text(args.reference_time, "--reference-time"))
        if (args.reference_time is not None)
        else None
    )
    channel = argument_text(args.channel, "--channel") if args.channel is not None else None
    classifier = Classifier.load(args.model)
    history = read_history(args.history) if args.history else None
    if args.text:
        texts = (argument_text(text, f"argument {n}") for n, text in enumerate(args.text, 1))
    else:
        texts = stdin_lines()
    for text in texts:
        prediction = classifier.predict(text, history, reference_time=reference, channel=channel)
        print_line(prediction)
        startup_done()  # the first message built the tokenizer and the cue matchers
    return 0
