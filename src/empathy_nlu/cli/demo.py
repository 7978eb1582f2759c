"""`empathy-nlu demo`: the bundled default model on a few customer messages."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
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
    ("注文したカードがいつまでたっても来ない", None),
    ("我的卡在超市被拒绝了", None),
    ("송금한 돈이 아직 안 들어왔어요", None),
    ("quiero cerrar la cuenta, me voy a otro banco", None),
    ("ما أذكر كلمة المرور، كيف أغيرها؟", None),
]

MULTILINGUAL_CUSTOMER = "demo-customer-8823"
JAPANESE_CHATS = [
    "こんにちは、先週新しいカードを申し込んだのにまだ届きません",
    "金曜日から海外出張なので、それまでに必要です…",
]


def add_arguments(parser) -> None:
    parser.add_argument("--model", help="model directory (default: the bundled default model)")
    parser.add_argument("--json", action="store_true", help="print full predictions as JSON Lines")


def language_label(prediction) -> str:
    """``ja 0.97 (message)``: the detected language when the model reports one, else ``?``."""
    language = getattr(prediction, "language", None)
    if not language or not language.get("code"):
        return "?"
    confidence = language.get("confidence")
    shown = f" {confidence:.2f}" if isinstance(confidence, int | float) else ""
    source = f" ({language['source']})" if language.get("source") else ""
    return f"{language['code']}{shown}{source}"


def _english_email(when: datetime) -> bytes:
    message = EmailMessage()
    message["From"] = "Yuki Example <yuki@example.com>"
    message["To"] = "support@acme-bank.example"
    message["Subject"] = "Re: my new card"
    message["Date"] = format_datetime(when)
    message.set_content(
        "Hello,\n\nSorry, writing in English this time. I chatted with you on Monday: my new card "
        "still has not arrived and I leave on Friday. Could you check where it is?\n\nBest regards,\nYuki\n",
        cte="quoted-printable",
    )
    return bytes(message)


def walk_customer_across_languages(
    classifier, store, *, now: datetime | None = None, say: Callable[[str], None] = print
) -> list:
    """Japanese chat, then an English e-mail two days later: one need, kept across languages."""
    from ..channels import chat, email

    now = now or datetime.now(UTC)
    chat_time = now - timedelta(days=2)
    steps = [
        (chat, json.dumps({"text": text, "timestamp": (chat_time + timedelta(minutes=i)).isoformat()}))
        for i, text in enumerate(JAPANESE_CHATS)
    ]
    steps.append((email, _english_email(now)))
    predictions = []
    for module, raw in steps:
        earlier = len(store.history(MULTILINGUAL_CUSTOMER))
        prediction = module.handle(raw, MULTILINGUAL_CUSTOMER, classifier, store)
        predictions.append(prediction)
        intent = prediction.intent.name if prediction.intent else None
        say(f"[{module.CHANNEL:5}] {prediction.text!r}")
        say(
            f"        -> {intent}; language {language_label(prediction)}; "
            f"read with {earlier} earlier turn(s) from the store"
        )
        _say_context(prediction.context, say)
    needs = [p.context.get("need") for p in predictions]
    kept = "kept" if len(set(needs)) == 1 else "changed"
    say(f"need across the languages: {' -> '.join(str(n) for n in needs)} ({kept})")
    return predictions


def _say_context(context: dict, say: Callable[[str], None]) -> None:
    repeat = context.get("repeat_contact") or {}
    if repeat.get("is_repeat"):
        say(
            f"        repeat contact about {context.get('need')}: {repeat['previous_contacts']} earlier "
            f"contact(s) on {', '.join(repeat['channels'])}"
        )
    handoff = context.get("handoff") or {}
    if handoff.get("summary"):
        say(f"        summary for an agent: {handoff['summary']}")


def _print_messages(classifier, as_json: bool) -> None:
    for text, history in MESSAGES:
        prediction = classifier.predict(text, history)
        if as_json:
            print_line(prediction)
            continue
        verdict = "OUT OF SCOPE" if prediction.out_of_scope else prediction.intent.name
        others = [s for s in prediction.intent_ranking if s.name != prediction.intent.name][:2]
        runner_up = ", ".join(f"{s.name} {s.confidence:.2f}" for s in others)
        after = f" (after {len(history)} earlier turns)" if history else ""
        print(
            f"{text!r}{after}  [{language_label(prediction)}]\n"
            f"    -> {verdict} ({prediction.intent.confidence:.2f}); next: {runner_up}"
        )


def run(args) -> int:
    from ..channels.demo import walk_customer_across_channels
    from ..classifier import Classifier
    from ..store import open_store

    classifier = Classifier.load(args.model)
    startup_done()
    if not args.json:
        print("== one NLU for every message, in every language ==")
    _print_messages(classifier, args.json)
    if args.json:
        return 0
    print("\n== one customer across chat, e-mail and a call, one conversation store ==")
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "demo.sqlite3") as store:
        walk_customer_across_channels(classifier, store)
    print("\n== a customer who chats in Japanese, then e-mails in English: one conversation ==")
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "demo.sqlite3") as store:
        walk_customer_across_languages(classifier, store)
    return 0
