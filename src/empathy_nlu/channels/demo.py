"""One customer across chat, e-mail (two days later) and a phone call, through one store.

Called by ``empathy-nlu demo``: it shows that every channel feeds the same model and that the
store hands each channel the conversation so far, whatever channel it happened on.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from ..prediction import Prediction
from . import chat, email, voice

CUSTOMER = "demo-customer-4711"


def _email(when: datetime) -> bytes:
    message = EmailMessage()
    message["From"] = "Ann Example <ann@example.com>"
    message["To"] = "support@acme-bank.example"
    message["Subject"] = "Re: Your chat with Acme Support"
    message["Date"] = format_datetime(when)
    message.set_content(
        "Hi,\n\nStill no card!! It's been over a week now and I need it for my trip on Friday. "
        "My old card 4111 1111 1111 1111 expires tomorrow.\n\nThanks,\nAnn\nSent from my iPhone\n\n"
        f"On {format_datetime(when - timedelta(days=2))}, Acme Support wrote:\n"
        "> Your new card was posted on Monday and should arrive within 3 working days.\n",
        cte="quoted-printable",
    )
    return bytes(message)


def walk_customer_across_channels(
    classifier, store, *, now: datetime | None = None, say: Callable[[str], None] = print
) -> list[Prediction]:
    """Chat, then an e-mail two days later, then a phone call; prints one line per turn."""
    now = now or datetime.now(UTC)
    chat_time = now - timedelta(days=2, hours=1)
    steps = [
        (
            chat,
            json.dumps(
                {
                    "text": "hi, I ordered a new card last week and it hasn't arrived",
                    "timestamp": chat_time.isoformat(),
                }
            ),
        ),  # fmt: skip
        (email, _email(now - timedelta(hours=1))),
        (voice, "um yeah hi i i still haven't got my card can i just talk to a real person please"),
    ]
    predictions = []
    for module, raw in steps:
        earlier = len(store.history(CUSTOMER))
        prediction = module.handle(raw, CUSTOMER, classifier, store)
        predictions.append(prediction)
        intent = prediction.intent.name if prediction.intent else None
        mood = prediction.sentiment["label"] if prediction.sentiment else "-"
        say(f"[{module.CHANNEL:5}] {prediction.text!r}")
        say(f"        -> {intent}, {mood}; read with {earlier} earlier turn(s) from the store")
        context = prediction.context
        if context.get("repeat_contact", {}).get("is_repeat"):
            repeat = context["repeat_contact"]
            channels = ", ".join(repeat["channels"])
            say(
                f"        repeat contact about {context['need']}: {repeat['previous_contacts']} earlier "
                f"contact(s) on {channels}; escalation risk {context['escalation_risk']:.2f}"
            )
        if context.get("handoff", {}).get("recommended"):
            say(f"        hand over to a human ({', '.join(context['handoff']['reasons'])}). Brief:")
            say(f"        {context['handoff']['summary']}")
    stored = store.history(CUSTOMER)
    say(f"stored for {CUSTOMER}: " + ", ".join(f"{s.turn.channel} {s.turn.intent}" for s in stored))
    if len(stored) > 1:
        say(f"the e-mail as stored (personal data masked): {stored[1].turn.text!r}")
    return predictions
