"""`empathy-nlu keys new NAME --scopes parse,channels [--file FILE]` and `empathy-nlu keys list`.

``new`` prints a fresh random key once, as JSON on stdout, and appends only its SHA-256 to the
keys file (created readable by its owner only): the key cannot be shown again, so store it now.
"""

from __future__ import annotations

import os
import sys

from .common import print_line

HELP = "API keys of the HTTP service: make one (printed once), list names and scopes"
DEFAULT_KEYS = "empathy-keys.yaml"


def add_keys_option(parser) -> None:
    parser.add_argument(
        "--file",
        "--keys",
        dest="keys",
        default=os.environ.get("EMPATHY_NLU_KEYS", DEFAULT_KEYS),
        help=f"the keys file (default: $EMPATHY_NLU_KEYS or ./{DEFAULT_KEYS})",
    )


def add_arguments(parser) -> None:
    actions = parser.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    new = actions.add_parser("new", help="make a key; print it once; store its hash", description=__doc__)
    new.add_argument("name", help="who uses the key (shown in the access log), e.g. chat-widget")
    new.add_argument(
        "--scopes",
        required=True,
        help="comma-separated: parse, channels, history, erase, admin, metrics",
    )
    add_keys_option(new)
    listing = actions.add_parser("list", help="the names and scopes in the keys file (JSON Lines)")
    add_keys_option(listing)


def run(args) -> int:
    from ..service.auth import new_key, read_keys

    if args.keys_command == "new":
        scopes = [scope.strip() for scope in args.scopes.split(",") if scope.strip()]
        key = new_key(args.keys, args.name, scopes)
        print_line({"name": args.name, "key": key, "scopes": scopes, "file": str(args.keys)})
        print("store this key now: only its hash is kept, it cannot be shown again", file=sys.stderr)
        return 0
    for entry in read_keys(args.keys):
        print_line({"name": entry.name, "scopes": sorted(entry.scopes)})
    return 0
