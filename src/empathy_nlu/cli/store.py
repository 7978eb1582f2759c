"""`empathy-nlu store prune --days N` and `empathy-nlu store history --customer ID`.

``prune`` is the retention command: it deletes every turn older than N days (run it daily
from cron or a scheduler). ``history`` prints a customer's stored turns as JSON Lines.
"""

from __future__ import annotations

from .common import argument_text, print_line, startup_done
from .handle import add_store_option

HELP = "conversation store: prune old turns (retention), show a customer's history"


def add_arguments(parser) -> None:
    actions = parser.add_subparsers(dest="store_command", required=True, metavar="ACTION")
    prune = actions.add_parser("prune", help="delete turns older than --days N", description=__doc__)
    prune.add_argument("--days", type=float, required=True, help="keep the last N days (0 deletes all)")
    add_store_option(prune)
    history = actions.add_parser("history", help="print a customer's turns, oldest first (JSON Lines)")
    history.add_argument("--customer", required=True, help="customer id")
    history.add_argument("--limit", type=int, default=50, help="the last N turns (default 50)")
    add_store_option(history)


def run(args) -> int:
    from ..store import open_store

    startup_done()
    with open_store(args.store, mask_personal_data=not args.no_mask) as store:
        if args.store_command == "prune":
            deleted = store.prune(args.days)
            print_line({"store": str(args.store), "days": args.days, "deleted": deleted})
        else:
            for stored in store.history(argument_text(args.customer, "--customer"), limit=args.limit):
                print_line(stored)
    return 0
