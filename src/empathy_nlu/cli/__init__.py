"""The `empathy-nlu` command: train, predict, evaluate, cross-validate, demo, handle, store, serve, keys,
score, insights.

Programs read stdout (JSON or JSON Lines); people read stderr (progress, errors).
An ``EmpathyError`` becomes one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings

from ..errors import EmpathyError
from . import cross_validate, demo, evaluate, handle, insights, keys, predict, score, serve, train
from . import store as store_command
from .common import pause_gc_for_startup, startup_done

# Each command module imports the library's heavy parts (numpy, scipy, spaCy, the model) inside
# its run(), so `--version`, `--help` and argument errors cost a few milliseconds.

COMMANDS = {
    "train": train,
    "predict": predict,
    "evaluate": evaluate,
    "cross-validate": cross_validate,
    "demo": demo,
    "handle": handle,
    "store": store_command,
    "serve": serve,
    "keys": keys,
    "score": score,
    "insights": insights,
}


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(prog="empathy-nlu", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"empathy-nlu {__version__}")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in COMMANDS.items():
        sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    if argv is None:  # the process's own command line: its start-up is ours to speed up
        pause_gc_for_startup()
    try:
        return _main(argv)
    finally:
        startup_done()


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.formatwarning = lambda message, category, *rest: f"warning: {message}\n"
        try:
            return COMMANDS[args.command].run(args) or 0
        except EmpathyError as exc:
            print(f"error: {exc}", file=sys.stderr)
            if getattr(args, "json_errors", False):
                print(json.dumps(exc.to_dict()))
            return 2
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:
            return 0
