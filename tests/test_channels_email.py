"""E-mail adapter: raw RFC 822 messages as mail clients send them (tests/data/channels/*.eml)."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from empathy_nlu.channels import email
from empathy_nlu.errors import ChannelError, InputError

DATA = Path(__file__).resolve().parent / "data" / "channels"


def raw(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_gmail_multipart_quoted_printable_keeps_only_the_new_words():
    message = email.read(raw("gmail_multipart_qp.eml"))
    text = message.turn.text
    # Quoted-printable soft breaks and UTF-8 escapes are decoded: the sentence is whole.
    assert "I don\u2019t understand why \u2013 there is plenty of money in my account." in text
    assert text.startswith("My card payment was declined")
    for leftover in ("Hi team", "Sent from my iPhone", "Ann", "wrote:", "on its way", "ordered it last week"):
        assert leftover not in text
    assert message.meta["quoted"] is True and message.meta["content_type"] == "text/plain"
    assert message.turn.timestamp.isoformat() == "2024-06-04T09:15:42+01:00"
    assert message.turn.channel == "email"


def test_reply_subject_names_the_thread_and_is_not_used():
    text = email.parse(raw("gmail_multipart_qp.eml")).text
    assert "request" not in text.lower() and "48213" not in text


def test_html_only_base64_windows_1252_outlook_reply_with_signature_and_footer():
    message = email.read(raw("outlook_html_base64.eml"))
    text = message.turn.text
    assert text == (
        "I have been charged a \u20ac2.50 fee for a transfer that I was told was free. "
        "Why is this fee on my statement?"
    )
    assert message.meta["content_type"] == "text/html"


def test_forwarded_thread_keeps_the_customers_words_above_the_forward():
    text = email.parse(raw("forwarded_thread.eml")).text
    assert text.startswith("I was charged twice for this coffee")
    for leftover in ("Forwarded", "receipts@", "Flat white", "Priya", "Coffee Corner"):
        assert leftover not in text


def test_bare_forward_uses_the_forwarded_message_without_its_headers():
    message = email.read(raw("forward_only.eml"))
    assert message.turn.text == "How do I change the PIN of my card? I forgot it."
    assert message.meta["forwarded"] is True


def test_outlook_original_message_signature_dash_dash_and_confidentiality_notice():
    text = email.parse(raw("outlook_original_message.eml")).text
    assert text == "I want to close my account and move my money elsewhere. Please confirm when it is done."


def test_bottom_posted_reply_below_the_quote():
    text = email.parse(raw("apple_bottom_post.eml")).text
    assert text == "I used Apple Pay and the top up failed again, the money never showed up \U0001f624"


def test_new_message_uses_its_encoded_subject():
    text = email.parse(raw("new_message_subject.eml")).text
    assert text.startswith("Card stolen \u2013 please block it. My wallet was taken")
    assert "Best regards" not in text and "Sof\u00eda" not in text


def _message(subject: str, body: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.com", "b@example.com", subject
    message.set_content(body)
    return bytes(message)


@pytest.mark.parametrize("subject", ["Question", "Help please", "(no subject)", ""])
def test_generic_subjects_are_not_prepended(subject):
    assert email.parse(_message(subject, "My top up failed.")).text == "My top up failed."


def test_subject_already_said_by_the_body_is_not_repeated():
    assert email.parse(_message("top up failed", "My top up failed.")).text == "My top up failed."


def test_email_with_only_a_subject():
    assert email.parse(_message("Card not arrived", "")).text == "Card not arrived"


def test_a_body_that_is_only_a_greeting_keeps_it():
    assert email.parse(_message("", "Hello!\n")).text == "Hello!"


def test_str_input_is_accepted_like_bytes():
    assert (
        email.parse(raw("forward_only.eml").decode("ascii")).text == email.parse(raw("forward_only.eml")).text
    )


def test_attachment_only_message_is_an_empty_turn_not_an_error():
    message = EmailMessage()
    message["From"], message["Subject"] = "a@example.com", ""
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="statement.pdf")
    assert email.parse(bytes(message)).text == ""


def test_unknown_charset_falls_back_instead_of_failing():
    data = b"From: a@example.com\nContent-Type: text/plain; charset=x-unknown-42\n\nMy card is blocked\n"
    assert email.parse(data).text == "My card is blocked"


@pytest.mark.parametrize(
    "payload, code",
    [
        (b"just some words, no headers at all", "E335"),
        ("", "E335"),
        (12345, "E330"),
        (None, "E330"),
    ],
)
def test_malformed_input_is_a_clear_channel_error(payload, code):
    with pytest.raises(ChannelError) as info:
        email.parse(payload)
    assert info.value.code == code
    assert isinstance(info.value, InputError)  # channel errors are input errors
    assert "email" in info.value.message
