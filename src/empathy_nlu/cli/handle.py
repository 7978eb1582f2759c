"""`empathy-nlu handle --channel NAME --customer ID [--store PATH] [--model DIR] [FILE|-]`.

Runs one channel adapter end to end: reads the raw payload (an RFC 822 e-mail, a chat JSON
object, an SMS text, a transcript, a social post) from FILE or stdin, predicts with the
customer's history from the store, stores the turn, and prints the Prediction as JSON.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..errors import ChannelError
from .common import argument_text, print_line, startup_done

HELP = "run a channel adapter end to end: raw message in, turn stored, Prediction JSON out"
DEFAULT_STORE = "conversations.sqlite3"
# The adapters (and their e-mail and number libraries) are imported only when a message is handled.
CHANNEL_NAMES = ("chat", "email", "sms", "social", "voice")


def add_store_option(parser) -> None:
    parser.add_argument(
        "--store",
        default=os.environ.get("EMPATHY_NLU_STORE", DEFAULT_STORE),
        help=f"conversation store file (default: $EMPATHY_NLU_STORE or ./{DEFAULT_STORE})",
    )
    parser.add_argument(
        "--no-mask", action="store_true", help="store card numbers, e-mails and phones unmasked"
    )


def add_arguments(parser) -> None:
    parser.add_argument("file", nargs="?", default="-", help="the raw message; '-' or nothing reads stdin")
    parser.add_argument("--channel", required=True, choices=CHANNEL_NAMES, help="the channel it came from")
    parser.add_argument("--customer", required=True, help="customer id: the key of the conversation")
    parser.add_argument("--model", help="model directory (default: the bundled default model)")
    add_store_option(parser)
    parser.add_argument("--json-errors", action="store_true", help="also print errors as JSON on stdout")


def read_raw(source: str) -> bytes:
    """The raw payload as bytes (e-mail needs the bytes; the other adapters decode UTF-8)."""
    if source == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise ChannelError(f"cannot read {source}: {exc.strerror}.", "E336") from exc


def run(args) -> int:
    from ..channels import adapter
    from ..classifier import Classifier
    from ..store import open_store

    raw = read_raw(args.file)
    customer = argument_text(args.customer, "--customer")
    classifier = Classifier.load(args.model)
    privacy = classifier.pipeline.config.get("privacy")  # the model's patterns are masked in the store too
    with open_store(args.store, mask_personal_data=not args.no_mask, privacy=privacy) as store:
        prediction = adapter(args.channel).handle(raw, customer, classifier, store)
    startup_done()
    print_line(prediction)
    return 0
