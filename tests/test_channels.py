"""Chat, SMS, voice and social adapters: normalization, malformed input, ``handle`` through the store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from empathy_nlu import Turn
from empathy_nlu.channels import CHANNELS, adapter, channel_of, chat, sms, social, voice
from empathy_nlu.channels.demo import walk_customer_across_channels
from empathy_nlu.cli import main
from empathy_nlu.cli.handle import CHANNEL_NAMES
from empathy_nlu.errors import ChannelError, StoreError
from empathy_nlu.store import SQLiteStore


@pytest.fixture
def store(tmp_path):
    with SQLiteStore(tmp_path / "conversations.sqlite3") as opened:
        yield opened


# -- chat -------------------------------------------------------------------------------------------
def test_chat_payload_as_json_text_bytes_or_dict():
    payload = {
        "text": "  my card   got  stolen &amp; used\u200b ",
        "timestamp": "2024-06-03T09:15:00Z",
        "id": 7,
    }
    for raw in (json.dumps(payload), json.dumps(payload).encode(), payload):
        turn = chat.parse(raw)
        assert turn.text == "my card got stolen & used"
        assert turn.timestamp == datetime(2024, 6, 3, 9, 15, tzinfo=UTC)
        assert turn.channel == "chat" and turn.speaker == "customer"


def test_chat_epoch_timestamp_and_no_timestamp():
    assert chat.parse({"text": "hi", "timestamp": 0}).timestamp == datetime(1970, 1, 1, tzinfo=UTC)
    assert chat.parse({"text": "hi"}).timestamp is None


@pytest.mark.parametrize(
    "raw, code",
    [
        ('{"text": "unterminated', "E332"),
        ("[1, 2]", "E332"),
        ('{"message": "hi"}', "E333"),
        ('{"text": 5}', "E333"),
        ('{"text": "hi", "timestamp": "last tuesday"}', "E334"),
        (b"\xff\xfe{}", "E331"),
        (3.5, "E330"),
    ],
)
def test_chat_malformed_payloads(raw, code):
    with pytest.raises(ChannelError) as info:
        chat.parse(raw)
    assert info.value.code == code


# -- sms --------------------------------------------------------------------------------------------
def test_sms_text_speak_is_spelled_out():
    assert sms.parse("pls help ur app wont let me top up 2day thx").text == (
        "please help your app won't let me top up today thanks"
    )
    assert sms.parse("y is my acct blocked??").text == "why is my account blocked??"


def test_sms_digits_as_words_only_where_they_count_nothing():
    assert sms.parse("i need 2 make a transfer 4 my rent").text == "i need to make a transfer for my rent"
    assert sms.parse("i need 2 cards, charged 4 times").text == "i need 2 cards, charged 4 times"


def test_sms_question_mark_restored_and_emoji_kept():
    assert sms.parse("how do i get a new card \U0001f62d").text == "how do i get a new card \U0001f62d"
    assert sms.parse("how do i get a new card").text == "how do i get a new card?"


def test_emoji_only_sms_is_a_turn_and_a_prediction(support_model, store):
    turn = sms.parse("\U0001f621\U0001f621\U0001f621")
    assert turn.text == "\U0001f621\U0001f621\U0001f621"
    prediction = sms.handle("\U0001f621\U0001f621\U0001f621".encode(), "c1", support_model, store)
    assert prediction.out_of_scope is True
    assert store.count("c1") == 1


def test_sms_swapped_letters_are_fixed_but_domain_words_and_names_are_not():
    assert sms.parse("my payemnt was declnied").text == "my payment was declined"
    assert (
        sms.parse("crypto topup via revolut, trans pending").text == "crypto topup via revolut, trans pending"
    )
    assert sms.parse("Declnied").text == "Declnied"  # capitalized: maybe a name


def test_sms_words_that_are_also_banking_terms_are_left_alone():
    assert sms.parse("atm took my card, id is fine").text == "atm took my card, id is fine"


# -- voice ------------------------------------------------------------------------------------------
def test_voice_fillers_openers_and_stutters_go():
    text = voice.parse("okay so um i i want to uh you know check my my balance").text
    assert text == "I want to check my balance"


def test_voice_you_know_as_a_verb_stays():
    assert voice.parse("do you know where my card is").text == "Do you know where my card is?"


def test_voice_spelled_numbers_become_amounts_and_card_endings():
    assert voice.parse("i was charged forty two dollars twice").text == "I was charged 42 dollars twice"
    assert voice.parse("what is this one dollar fee").text == "What is this 1 dollar fee?"
    assert voice.parse("my card ending one one two three was stolen").text == "My card ending 1123 was stolen"
    # small counts stay words, as people type them
    assert voice.parse("it has been two weeks").text == "It has been two weeks"


def test_voice_amount_is_found_by_the_entity_parser_after_normalization():
    from empathy_nlu.entity_parser import BuiltinEntityParser

    entities = BuiltinEntityParser().parse(voice.parse("um i sent forty two dollars to my son").text)
    money = [e for e in entities if e["entity"] == "amount_of_money"]
    assert [(m["value"]["amount"], m["value"]["currency"]) for m in money] == [(42.0, "USD")]


def test_voice_apostrophes_restored():
    assert voice.parse("i cant log in and i dont know why").text == "I can't log in and I don't know why"


# -- social -----------------------------------------------------------------------------------------
def test_social_post_handles_hashtags_urls_emoji():
    message = social.read("@AcmeBank my #TopUp failed AGAIN \U0001f621 #NotHappy #fail https://t.co/x1Y2z3")
    # closing tags are dropped from the sentence, but a tag that says how the customer feels stays
    assert message.turn.text == "my top up failed AGAIN \U0001f621 not happy"
    assert message.meta == {
        "public": True,
        "mentions": ["AcmeBank"],
        "hashtags": ["TopUp", "NotHappy", "fail"],
        "urls": 1,
    }


def test_social_closing_hashtags_feed_the_cues(support_model):
    """A closing #CancellingMyAccount used to be dropped before scoring: churn risk 0. The tags that
    are a cue stay in the turn text as words; the others (brand, topic) still leave the sentence."""
    post = "third declined payment this week @AcmeBank #CancellingMyAccount #fintech #AcmeBank"
    turn = social.parse(post)
    assert turn.text == "third declined payment this week cancelling my account"
    prediction = support_model.predict(turn.text, channel="social")
    assert prediction.cues["churn_risk"]["score"] >= 0.5
    evidence = prediction.cues["churn_risk"]["evidence"][0]
    assert turn.text[evidence["start"] : evidence["end"]] == evidence["text"]
    assert social.parse("my card never came #SwitchingBanks").text == "my card never came switching banks"
    assert social.parse("my card never came #help #AcmeBank").text == "my card never came"


def test_a_closing_cancelling_tag_is_churn_risk_but_cancelling_a_transfer_is_not(support_model):
    """The issue's case: "#cancelling" closing a post was removed before scoring (churn risk 0)."""
    turn = social.parse("your app charged me twice again @AcmeBank #cancelling")
    assert turn.text == "your app charged me twice again #cancelling"  # a tag-only cue stays a tag
    assert support_model.predict(turn.text, channel="social").cues["churn_risk"]["score"] >= 0.5
    assert support_model.predict("I am cancelling my transfer").cues["churn_risk"]["score"] == 0.0


def test_social_inline_handle_becomes_a_name_and_retweet_prefix_goes():
    assert social.parse("RT @jane: thanks @AcmeBank for sorting it so fast").text == (
        "thanks AcmeBank for sorting it so fast"
    )


def test_social_direct_message_is_private_and_bare_text_is_public():
    assert social.is_public("@AcmeBank where is my card") is True
    assert social.is_public({"text": "where is my card", "type": "dm"}) is False
    assert social.is_public(json.dumps({"text": "where is my card", "public": True})) is True
    assert social.parse('{"not json but a post').text == '{"not json but a post'


@pytest.mark.parametrize(
    "raw", [{"text": 1}, {"text": "x", "type": "carrier pigeon"}, {"text": "x", "public": "yes"}]
)
def test_social_malformed_payloads(raw):
    with pytest.raises(ChannelError) as info:
        social.parse(raw)
    assert info.value.code == "E339"


def test_public_flag_reaches_the_prediction_and_the_store(support_model, store):
    prediction = social.handle("@AcmeBank someone stole my card!!", "c9", support_model, store)
    assert channel_of(prediction) == {"name": "social", "public": True, "reply_privately": True}
    stored = store.history("c9")[-1]
    assert stored.meta["public"] is True and stored.prediction["context"]["channel"]["public"] is True


# -- handle -----------------------------------------------------------------------------------------
def test_every_adapter_has_the_same_face():
    assert sorted(CHANNELS) == list(CHANNEL_NAMES)
    for name in CHANNELS:
        module = adapter(name)
        assert callable(module.parse) and callable(module.handle) and name == module.CHANNEL
    with pytest.raises(ChannelError) as info:
        adapter("fax")
    assert info.value.code == "E338"


def test_handle_reads_history_across_channels_and_stores_the_turn(support_model, store):
    calls = []

    class Spy:
        config = support_model.config

        def predict(self, text, history=None, *, reference_time=None, channel=None):
            calls.append((text, history, reference_time, channel))
            return support_model.predict(text, history, reference_time=reference_time, channel=channel)

    earlier = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    chat.handle({"text": "my card has not arrived", "timestamp": earlier.isoformat()}, "c1", Spy(), store)
    prediction = voice.handle("um can i talk to a real person", "c1", Spy(), store)
    text, history, reference_time, channel = calls[-1]
    assert channel == "voice"
    assert text == "Can I talk to a real person?"
    assert [(t.channel, t.text) for t in history] == [("chat", "my card has not arrived")]
    assert history[0].timestamp == earlier
    assert history[0].intent == support_model.predict("my card has not arrived").intent.name
    assert reference_time is not None and abs(reference_time - datetime.now(UTC)) < timedelta(minutes=1)
    stored = store.history("c1")
    assert [s.turn.channel for s in stored] == ["chat", "voice"]
    assert stored[-1].prediction["intent"] == prediction.to_dict()["intent"]
    assert stored[-1].turn.intent == prediction.intent.name


def test_handle_uses_the_channel_timestamp_as_reference_time(support_model, store):
    seen = {}

    class Spy:
        config = {"predict": {"max_history_turns": 3}}

        def predict(self, text, history=None, *, reference_time=None, channel=None):
            seen["reference_time"], seen["history"] = reference_time, history
            return support_model.predict(text, history)

    for i in range(5):
        chat.handle({"text": f"message {i}"}, "c2", Spy(), store)
    chat.handle({"text": "hello", "timestamp": "2024-06-03T09:15:00+02:00"}, "c2", Spy(), store)
    assert seen["reference_time"].isoformat() == "2024-06-03T09:15:00+02:00"
    assert [t.text for t in seen["history"]] == ["message 2", "message 3", "message 4"]  # bounded window


def test_nothing_is_stored_when_prediction_fails(store):
    class Broken:
        config = {}

        def predict(self, *args, **kwargs):
            raise RuntimeError("model crashed")

    with pytest.raises(RuntimeError):
        sms.handle("hello", "c3", Broken(), store)
    assert store.count("c3") == 0


@pytest.mark.parametrize("customer", ["", "   ", None, 42])
def test_handle_refuses_a_bad_customer_id(support_model, store, customer):
    with pytest.raises(StoreError) as info:
        sms.handle("hello", customer, support_model, store)
    assert info.value.code == "E604"


def test_agent_turns_written_to_the_store_are_history_too(support_model, store):
    store.append("c4", Turn("Have you tried restarting the app?", speaker="agent", channel="chat"))
    seen = {}

    class Spy:
        config = support_model.config

        def predict(self, text, history=None, *, reference_time=None, channel=None):
            seen["history"] = history
            return support_model.predict(text, history)

    chat.handle({"text": "yes and it still fails"}, "c4", Spy(), store)
    assert [t.speaker for t in seen["history"]] == ["agent"]


# -- demo and command line --------------------------------------------------------------------------
def test_walk_customer_across_channels(support_model, store):
    lines = []
    predictions = walk_customer_across_channels(support_model, store, say=lines.append)
    stored = store.history("demo-customer-4711")
    assert [s.turn.channel for s in stored] == ["chat", "email", "voice"]
    assert stored[1].turn.timestamp - stored[0].turn.timestamp >= timedelta(days=1, hours=23)
    assert "4111 1111 1111 1111" not in stored[1].turn.text and "1111" in stored[1].turn.text
    assert len(predictions) == 3 and any("2 earlier turn" in line for line in lines)


def test_cli_handle_prints_the_prediction_and_stores_the_turn(tmp_path, saved_support_model, capsys):
    message = tmp_path / "message.eml"
    message.write_bytes(
        b"From: a@example.com\nSubject: Re: card\n\nmy card was stolen yesterday\n\n"
        b"On Mon, 3 Jun 2024, Support <s@example.com> wrote:\n> how can we help?\n"
    )
    db = tmp_path / "store.sqlite3"
    args = ["handle", "--channel", "email", "--customer", "c1", "--store", str(db), "--model"]
    assert main([*args, str(saved_support_model), str(message)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["text"] == "my card was stolen yesterday"
    assert printed["context"]["channel"]["name"] == "email"
    assert main(["store", "history", "--customer", "c1", "--store", str(db)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["text"] for r in rows] == ["my card was stolen yesterday"]
    assert main(["handle", "--channel", "chat", "--customer", "c1", "--store", str(db), str(message)]) == 2
    assert "E332" in capsys.readouterr().err
    assert main(["handle", "--channel", "sms", "--customer", "c1", str(tmp_path / "missing.txt")]) == 2
    assert "E336" in capsys.readouterr().err
