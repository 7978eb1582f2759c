"""What history does: carried-over details, repeat contact, feeling over time, hand-over (issue 5)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from conftest import ROOT
from empathy_nlu import InputError, Turn
from empathy_nlu.context.signals import TurnFacts, escalation_risk, repeat_contact, sentiment_trend

DAY0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def _cross_channel_history():
    """A customer on chat, then e-mail two days later; the current turn comes by voice."""
    return [
        {"text": "my new card hasn't arrived yet, it ends in 4821", "channel": "chat", "timestamp": DAY0},
        {
            "speaker": "agent",
            "text": "Sorry to hear that. Cards take up to 5 working days.",
            "channel": "chat",
            "timestamp": DAY0 + timedelta(minutes=1),
        },
        {
            "text": "Still no card!! I have been waiting for ages, this is ridiculous",
            "channel": "email",
            "timestamp": DAY0 + timedelta(days=2),
        },
    ]


@pytest.fixture(scope="module")
def voice_prediction(support_model):
    return support_model.predict(
        "i want to talk to a real person about my card",
        _cross_channel_history(),
        reference_time=DAY0 + timedelta(days=3),
        channel="voice",
    )


def test_repeat_contact_across_channels(voice_prediction):
    context = voice_prediction.context
    assert voice_prediction.intent.name == "talk_to_human"
    assert context["need"] == "card_not_arrived"  # asking for a human is not the need itself
    repeat = context["repeat_contact"]
    assert repeat["is_repeat"] and repeat["previous_contacts"] == 2
    assert repeat["channels"] == ["chat", "email"]
    assert repeat["first_at"] == DAY0.isoformat() and repeat["turns"] == [0, 2]


def test_details_carry_over_with_their_origin(voice_prediction):
    carried = {e["entity"]: e for e in voice_prediction.context["entities"]}
    assert carried["card_last4"]["value"] == "4821"
    assert carried["card_last4"]["channel"] == "chat" and carried["card_last4"]["turn"] == 0
    assert carried["card_last4"]["timestamp"] == DAY0.isoformat()


def test_handoff_on_third_contact_with_a_factual_summary(voice_prediction):
    handoff = voice_prediction.context["handoff"]
    assert handoff["recommended"]
    assert {"customer_asked_for_a_human", "repeated_contacts"} <= set(handoff["reasons"])
    summary = handoff["summary"]
    assert summary.startswith("Need: card not arrived.")
    assert "2 earlier contact(s) since 2026-11-20 (chat, email); now on voice" in summary
    assert "card_last4 4821" in summary
    assert "how can i help" not in summary.lower()


def test_feeling_over_time(voice_prediction, support_model):
    trend = voice_prediction.context["sentiment_trend"]
    assert len(trend["scores"]) == 3 and trend["scores"][1] < trend["scores"][0]
    calm = support_model.predict("how do I activate my card?", reference_time=DAY0)
    assert calm.context["escalation_risk"] < voice_prediction.context["escalation_risk"]
    assert not calm.context["handoff"]["recommended"]
    assert calm.context["repeat_contact"]["is_repeat"] is False


def test_history_as_strings_dicts_and_turns_gives_the_same_context(support_model):
    texts = ["I lost my card yesterday", "can you block it please"]
    as_strings = support_model.predict("same with my other card", texts, reference_time=DAY0)
    as_dicts = support_model.predict(
        "same with my other card", [{"text": t} for t in texts], reference_time=DAY0
    )
    as_turns = support_model.predict("same with my other card", [Turn(t) for t in texts], reference_time=DAY0)
    assert as_strings.to_dict() == as_dicts.to_dict() == as_turns.to_dict()
    assert as_strings.context["turns_considered"] == 2


def test_a_newer_value_replaces_an_older_one(support_model):
    history = ["my card ending 1111 was declined", "sorry, I meant the card ending 2222"]
    carried = support_model.predict("can you check it", history).context["entities"]
    assert [(e["entity"], e["value"], e["turn"]) for e in carried] == [("card_last4", "2222", 1)]
    restated = support_model.predict("it's the card ending 3333 actually", history).context["entities"]
    assert restated == []  # the current turn states a new card: the old ones no longer hold


def test_relative_dates_in_history_resolve_against_their_own_turn(support_model):
    history = [{"text": "I paid 40 euros yesterday and it is still pending", "timestamp": DAY0}]
    carried = support_model.predict("any news?", history, reference_time=DAY0 + timedelta(days=5))
    by_type = {e["entity"]: e for e in carried.context["entities"]}
    assert by_type["amount_of_money"]["value"] == {"amount": 40.0, "currency": "EUR"}
    assert str(by_type["date"]["value"]).startswith("2026-11-19")


def test_personal_data_is_masked_in_the_summary(support_model):
    history = ["my card 4111 1111 1111 1111 was stolen, write to me at ana.lopez@example.org"]
    prediction = support_model.predict("please call me on +44 20 7946 0958, I want a human", history)
    summary = prediction.context["handoff"]["summary"]
    for secret in ("4111 1111 1111 1111", "4111111111111111", "ana.lopez@example.org", "7946 0958"):
        assert secret not in summary
    assert "4111 1111 1111 1111" not in json.dumps(prediction.to_dict())


def test_long_history_is_bounded(support_model):
    history = [f"message number {i} about my transfer" for i in range(500)]
    from empathy_nlu.pipeline import pipeline

    calls = []
    original = pipeline.preprocess
    pipeline.preprocess = lambda text: calls.append(text) or original(text)
    try:
        prediction = support_model.predict("any update? (long history)", history)
    finally:
        pipeline.preprocess = original
    window = support_model.config["context"]["max_turns"]
    assert prediction.context["turns_considered"] == window
    assert 1 < len(calls) <= window + 1  # the current turn and only the window are ever understood


def test_old_turns_fall_out_of_the_time_window(support_model):
    old = {"text": "my card hasn't arrived", "channel": "chat", "timestamp": DAY0 - timedelta(days=90)}
    prediction = support_model.predict("my card still hasn't arrived", [old], reference_time=DAY0)
    assert prediction.context["turns_considered"] == 0
    assert prediction.context["repeat_contact"]["is_repeat"] is False


@pytest.mark.parametrize(
    ("history", "code"),
    [
        ([{"text": "hi", "timestamp": "last tuesday"}], "E312"),
        ([{"text": "hi", "mood": "sad"}], "E311"),
        ([42], "E310"),
        ("just a string", "E310"),
    ],
)
def test_malformed_history_is_a_clear_error(support_model, history, code):
    with pytest.raises(InputError) as error:
        support_model.predict("hello", history)
    assert error.value.code == code


def test_channel_must_be_a_string(support_model):
    with pytest.raises(InputError) as error:
        support_model.predict("hello", channel=3)
    assert error.value.code == "E314"


# -- the signals on their own ---------------------------------------------------------------------
def _facts(turn, intent, *, channel="chat", days=0.0, sentiment=None, cues=None):
    return TurnFacts(
        turn, "", channel, DAY0 + timedelta(days=days), intent, 0.9, False, sentiment, cues or {}
    )


def test_turns_of_one_contact_count_once():
    earlier = [_facts(0, "card_not_arrived"), _facts(1, "card_not_arrived", days=0.01)]
    current = _facts(None, "card_not_arrived", channel="email", days=1)
    repeat = repeat_contact(earlier, current, "card_not_arrived", gap_minutes=60)
    assert repeat["previous_contacts"] == 1 and repeat["turns"] == [0]


def test_related_intents_count_as_the_same_need():
    earlier = [_facts(0, "request_refund")]
    current = _facts(None, "refund_not_received", channel="email", days=3)
    alone = repeat_contact(earlier, current, current.intent, gap_minutes=60)
    related = repeat_contact(
        earlier, current, current.intent, gap_minutes=60, related=[["request_refund", "refund_not_received"]]
    )
    assert not alone["is_repeat"] and related["is_repeat"]


def test_sentiment_trend_direction():
    worse = [_facts(i, "x", sentiment=s) for i, s in enumerate([0.5, 0.0, -0.6, -0.9])]
    better = [_facts(i, "x", sentiment=s) for i, s in enumerate([-0.8, -0.2, 0.4])]
    assert sentiment_trend(worse)["direction"] == "worsening"
    assert sentiment_trend(better)["direction"] == "improving"
    assert sentiment_trend(worse[:1])["direction"] == "unknown"


def test_escalation_risk_grows_with_each_signal_and_stays_in_range():
    calm = _facts(None, "x", sentiment=0.2)
    no_repeat = {"is_repeat": False, "previous_contacts": 0}
    steady = {"direction": "steady", "slope": 0.0}
    base, _ = escalation_risk(calm, steady, no_repeat)
    angry = _facts(
        None, "x", sentiment=-0.9, cues={"frustration": 0.9, "churn_risk": 0.8, "request_human": 1.0}
    )
    worst, reasons = escalation_risk(
        angry, {"direction": "worsening", "slope": -0.8}, {"is_repeat": True, "previous_contacts": 4}
    )
    assert 0 <= base < worst <= 1
    assert {"repeat_contact", "frustration", "churn_risk", "request_human", "sentiment_worsening"} <= set(
        reasons
    )


# -- the history-aware intent model (the bundled default model learned it from data/dialogues.jsonl) --
@pytest.fixture(scope="module")
def default_model():
    from empathy_nlu import Classifier

    return Classifier.load()


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        (
            ["I can't log in, my account is locked", {"speaker": "agent", "text": "Can you try again now?"}],
            "locked_out",
        ),
        (
            ["I lost my card", {"speaker": "agent", "text": "Shall I block the card for you?"}],
            "lost_or_stolen_card",
        ),
    ],
)
def test_follow_ups_are_understood_from_the_history(default_model, history, expected):
    follow_up = "yes please" if expected == "lost_or_stolen_card" else "it still doesn't work"
    alone = default_model.predict(follow_up)
    with_history = default_model.predict(follow_up, history)
    assert with_history.intent.name == expected and not with_history.out_of_scope
    assert alone.intent.name != expected or alone.intent.confidence < with_history.intent.confidence
    assert with_history.context["intent_source"] in {"history", "utterance"}


def test_history_intents_given_by_the_caller_are_used(default_model):
    """A store passes what was predicted then; the model must not need it, but uses it."""
    history = [
        {"text": "it's about my transfer", "intent": "cancel_transfer"},
        {"speaker": "agent", "text": "Do you want me to cancel it?"},
    ]
    prediction = default_model.predict("yes", history)
    assert prediction.intent.name == "cancel_transfer"


def test_evaluate_command_on_dialogues_reports_first_turns_and_follow_ups(tmp_path, capsys):
    from empathy_nlu.cli import main

    lines = (ROOT / "data" / "dialogues.jsonl").read_text("utf-8").splitlines()[:20]
    data = tmp_path / "dialogues.jsonl"
    data.write_text("\n".join(lines) + "\n", "utf-8")
    assert main(["--quiet", "evaluate", str(data)]) == 0
    report = json.loads(capsys.readouterr().out)
    intent = report["intent"]
    assert report["n_dialogues"] == 20 and report["n"] > 20
    assert 0 <= intent["accuracy_first_turn"] <= 1 and 0 <= intent["accuracy_follow_up"] <= 1
    assert intent["n_follow_up"] == report["n"] - 20  # every dialogue opens with one first turn
