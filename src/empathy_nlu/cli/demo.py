"""`empathy-nlu demo`: the bundled default model on a few customer messages."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .common import print_line, startup_done

HELP = "show the bundled default model's predictions for a few customer messages"

MESSAGES = [
    ("hi, I need some help", None),
    ("I was charged twice for the same coffee this morning", None),
    ("my new card STILL hasn't shown up, it's been two weeks!!", None),
    (
        "it still doesn't work",
        [
            "I can't log in to the app, it says my account is locked",
            {"speaker": "agent", "text": "I have unlocked it, can you try again?"},
        ],
    ),
    ("yes please", ["I lost my card", {"speaker": "agent", "text": "Shall I block the card for you?"}]),
    ("can you recommend a good pizza place nearby?", None),
    ("let me talk to a real person please", None),
]


def add_arguments(parser) -> None:
    parser.add_argument("--model", help="model directory (default: the bundled default model)")
    parser.add_argument("--json", action="store_true", help="print full predictions as JSON Lines")


def run(args) -> int:
    from ..channels.demo import walk_customer_across_channels
    from ..classifier import Classifier
    from ..store import open_store

    classifier = Classifier.load(args.model)
    startup_done()
    if not args.json:
        print("== one NLU for every message ==")
    for text, history in MESSAGES:
        prediction = classifier.predict(text, history)
        if args.json:
            print_line(prediction)
            continue
        verdict = "OUT OF SCOPE" if prediction.out_of_scope else prediction.intent.name
        others = [s for s in prediction.intent_ranking if s.name != prediction.intent.name][:2]
        runner_up = ", ".join(f"{s.name} {s.confidence:.2f}" for s in others)
        after = f" (after {len(history)} earlier turns)" if history else ""
        print(f"{text!r}{after}\n    -> {verdict} ({prediction.intent.confidence:.2f}); next: {runner_up}")
    if args.json:
        return 0
    print("\n== one customer across chat, e-mail and a call, one conversation store ==")
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "demo.sqlite3") as store:
        walk_customer_across_channels(classifier, store)
    return 0
