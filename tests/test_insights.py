"""Insights over hand-made scored logs whose answers are known: drivers, the emerging test, repeat
contact, sentiment and hand-over, candidate new intents, the CLI, and clear errors on bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from empathy_nlu.errors import LogError
from empathy_nlu.insights import ColumnNames, InsightOptions, build_insights, write_outputs
from empathy_nlu.insights.emerging import adjust_bh

START = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)  # a Monday: week w starts at START + 7w days
WEEKS = 6
PARKING = [  # a topic the bundled model knows nothing about: it should become one candidate
    "where can i park my car at your branch",
    "is there parking near the branch office",
    "how much does parking cost at the bank branch",
    "can i get my parking ticket validated at the branch",
    "the branch car park is full, where else can i park",
    "do you refund parking fees when visiting the branch",
    "parking at the high street branch is impossible",
    "is the branch parking lot free for customers",
    "i got a parking fine outside your branch",
    "where is the nearest car park to the branch",
    "does the city centre branch have parking spaces",
    "is there disabled parking at the branch",
    "can i park in the branch car park overnight",
    "how long can i park at the branch car park",
    "who do i ask about parking at the branch",
    "is branch parking only for account holders",
    "the branch parking barrier will not open",
    "are there electric car charging points in the branch car park",
    "is there bicycle parking at the branch",
    "what are the branch car park opening hours",
    "my car was clamped in the branch car park",
    "is the parking at your branch free on saturdays",
    "where do i park for my appointment at the branch",
    "can i reserve a parking space at the branch",
    "the parking machine at the branch took my coins",
    "is there a multi storey car park by the branch",
    "do staff check parking permits at the branch",
    "how do i pay for parking at your branch",
    "the branch parking signs are confusing",
    "why is the branch car park closed today",
]
NOISE = [  # unrelated one-offs: no group of them is large enough to be a candidate
    "what is the capital of peru",
    "tell me a joke about penguins",
    "how tall is mount everest",
    "recommend a good pizza recipe",
    "who won the football match yesterday",
    "what time does the sun set today",
    "play some relaxing jazz music",
    "translate good morning into japanese",
    "how many legs does a spider have",
    "set an alarm for six tomorrow",
    "what is the weather like in oslo",
    "book me a table for two tonight",
    "how do volcanoes form",
    "what is a good name for a cat",
    "how far away is the moon",
    "suggest a film for a rainy evening",
    "what year did the titanic sink",
    "how do i grow tomatoes on a balcony",
    "is it going to snow this weekend",
    "what does photosynthesis mean",
    "how many calories are in an apple",
    "who painted the mona lisa",
    "what is the best way to learn guitar",
    "remind me to call my mother",
    "how do you say thank you in german",
    "what is the population of canada",
    "give me a fun fact about octopuses",
    "how long should i boil an egg",
    "which planet is the largest",
    "what is the speed of sound",
]


def _row(i: int, intent: str | None, when: datetime, **extra) -> dict:
    row = {
        "id": f"m{i:04d}",
        "customer_id": f"u{i:04d}",
        "timestamp": when,
        "channel": "chat" if i % 3 else "email",
        "text": f"message {i} about {intent}",
        "intent": intent,
        "confidence": 0.9,
        "out_of_scope": False,
        "out_of_scope_reason": None,
        "sentiment": "neutral",
        "sentiment_score": 0.0,
        "cue_frustration": 0.0,
        "cue_urgency": 0.0,
        "cue_churn_risk": 0.0,
        "cue_gratitude": 0.0,
        "cue_request_human": 0.0,
        "entities": "[]",
        "need": intent,
        "repeat_contact": False,
        "repeat_contact_count": 0,
        "escalation_risk": 0.1,
        "handoff_recommended": False,
    }
    return row | extra


def contact_rows() -> list[dict]:
    """Six weeks. Stable: card_not_arrived 20/week, request_refund 20/week, transfer_not_received
    10/week (half negative, one in five handed over). Rising: exchange_rate 2/week, then 30 in the
    last week. Unplaced: 30 parking questions and 30 unrelated ones. Planted repeats below."""
    rows, i = [], 0

    def add(intent, when, **extra):
        nonlocal i
        i += 1
        rows.append(_row(i, intent, when, **extra))

    for week in range(WEEKS):
        monday = START + timedelta(days=7 * week)
        for k in range(20):
            add("card_not_arrived", monday + timedelta(hours=k))
            add("request_refund", monday + timedelta(hours=k, minutes=30))
        for k in range(10):
            add("transfer_not_received", monday + timedelta(hours=k, minutes=10),
                sentiment="negative" if k % 2 else "neutral", handoff_recommended=k % 5 == 0,
                escalation_risk=0.8 if k % 2 else 0.4)  # fmt: skip
        for k in range(30 if week == WEEKS - 1 else 2):
            add(
                "exchange_rate", monday + timedelta(hours=k, minutes=20), sentiment=None, sentiment_score=None
            )
    for k, text in enumerate(PARKING):
        add(None, START + timedelta(days=1 + k), text=text, out_of_scope=True, confidence=0.2,
            out_of_scope_reason="below threshold")  # fmt: skip
    for k, text in enumerate(NOISE):
        add("out_of_scope", START + timedelta(days=2 + k), text=text, out_of_scope=True, confidence=0.1)
    _plant_repeats(add)
    return rows


def _plant_repeats(add) -> None:
    """request_refund: A at +0 and +48 h (a repeat), B at +0 and +10 days (outside 7 days), C at +0,
    +24 h and +36 h (two repeats). card_not_arrived: D, then a follow-up 72 h later whose intent is
    another but whose need is card_not_arrived. Median refund gap: median(48, 24, 12) = 24 h."""
    t0 = START + timedelta(days=3)
    for customer, hours in (("A", (0, 48)), ("B", (0, 240)), ("C", (0, 24, 36))):
        for h in hours:
            add("request_refund", t0 + timedelta(hours=h), customer_id=customer)
    add("card_not_arrived", t0, customer_id="D")
    add("thanks", t0 + timedelta(hours=72), customer_id="D", need="card_not_arrived")


def write_log(rows: list[dict], path, rename: dict | None = None):
    import pandas as pd

    frame = pd.DataFrame(rows)
    if rename:
        frame = frame.rename(columns=rename)
    frame.to_parquet(path, index=False)
    return path


@pytest.fixture(scope="module")
def log_path(tmp_path_factory):
    return write_log(contact_rows(), tmp_path_factory.mktemp("logs") / "scored.parquet")


@pytest.fixture(scope="module")
def insights(log_path, support_model) -> dict:
    return build_insights([log_path], InsightOptions(), model=support_model)


def _by_intent(rows: list[dict]) -> dict[str, dict]:
    return {row["intent"]: row for row in rows}


def test_drivers_count_contacts_per_intent_period_and_channel(insights):
    rows = contact_rows()
    drivers = insights["drivers"]
    assert drivers["total_contacts"] == len(rows) == insights["log"]["contacts"]
    counts = _by_intent(drivers["by_intent"])
    assert counts["card_not_arrived"]["contacts"] == 20 * WEEKS + 1
    assert counts["exchange_rate"]["contacts"] == 2 * (WEEKS - 1) + 30
    assert counts["out_of_scope"]["contacts"] == 60  # null intent and "out_of_scope" both unplaced
    assert counts["request_refund"]["share"] == pytest.approx((20 * WEEKS + 7) / len(rows), rel=1e-5)
    assert [p["period"] for p in drivers["by_period"]] == [
        (START + timedelta(days=7 * w)).date().isoformat() for w in range(WEEKS)
    ]
    last = _by_intent(drivers["by_period"][-1]["intents"])
    assert last["exchange_rate"]["contacts"] == 30
    by_channel = {c["channel"]: c["contacts"] for c in drivers["by_channel"]}
    assert by_channel == {"chat": sum(1 for r in rows if r["channel"] == "chat"),
                          "email": sum(1 for r in rows if r["channel"] == "email")}  # fmt: skip


def test_rising_intent_is_first_in_emerging_and_stable_ones_are_not(insights):
    emerging = insights["emerging"]
    assert emerging and emerging[0]["intent"] == "exchange_rate"
    first = emerging[0]
    assert first["p_adjusted"] < 0.05 and first["p_value"] <= first["p_adjusted"]
    assert first["recent_contacts"] == 30 and first["baseline_contacts"] == 10
    assert first["log_odds_ratio"] > 2 and first["share_ratio"] > 5
    names = {row["intent"] for row in emerging}
    assert "card_not_arrived" not in names and "transfer_not_received" not in names
    declining = {row["intent"] for row in insights["declining"]}
    assert "exchange_rate" not in declining
    method = insights["emerging_method"]
    assert method["correction"] == "benjamini-hochberg" and "Fisher" in method["test"]
    assert method["recent_periods"] == [insights["log"]["periods"][-1]]


def test_benjamini_hochberg_matches_the_textbook_example():
    p = [0.01, 0.04, 0.03, 0.005]
    # sorted 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.02, 0.04, 0.04
    assert adjust_bh(p) == pytest.approx([0.02, 0.04, 0.04, 0.02])


def test_repeat_contact_by_hand(insights):
    rows = _by_intent(insights["repeat_contact"]["by_intent"])
    refund = rows["request_refund"]
    assert refund["repeat_customers"] == 2  # A and C; B came back after 10 days
    assert refund["repeat_contacts"] == 3
    assert refund["median_hours_to_next_contact"] == pytest.approx(24.0)
    assert refund["customers"] == 20 * WEEKS + 3
    assert refund["repeat_rate"] == pytest.approx(2 / (20 * WEEKS + 3), rel=1e-5)
    card = rows["card_not_arrived"]  # D's follow-up has another intent but the same need
    assert card["repeat_customers"] == 1 and card["median_hours_to_next_contact"] == pytest.approx(72.0)
    assert rows["transfer_not_received"]["repeat_customers"] == 0
    assert rows["transfer_not_received"]["median_hours_to_next_contact"] is None
    assert "out_of_scope" not in rows


def test_negative_share_escalation_risk_and_handoff_rate(insights):
    sentiment = _by_intent(insights["sentiment"])
    handoff = _by_intent(insights["handoff"])
    assert sentiment["transfer_not_received"]["negative_share"] == pytest.approx(0.5)
    assert handoff["transfer_not_received"]["handoff_rate"] == pytest.approx(0.2)
    assert handoff["transfer_not_received"]["mean_escalation_risk"] == pytest.approx(0.6)
    assert sentiment["exchange_rate"]["with_sentiment"] == 0
    assert sentiment["exchange_rate"]["negative_share"] is None
    assert handoff["card_not_arrived"]["handoff_rate"] == 0


def test_planted_unplaced_topic_becomes_one_candidate(insights, tmp_path):
    from empathy_nlu.dataset import load_data

    parking_ids = {r["id"] for r in contact_rows() if r["intent"] is None}
    found = insights["candidate_intents"]
    matching = [c for c in found if set(c["message_ids"]) & parking_ids]
    assert len(matching) == 1, found
    candidate = matching[0]
    ids = set(candidate["message_ids"])
    assert parking_ids <= ids  # every parking question, and few others (HDBSCAN keeps border points)
    assert candidate["size"] == len(ids) and len(ids & parking_ids) / len(ids) >= 0.85
    assert candidate["message_ids"] == sorted(ids)
    assert any("park" in term for term in candidate["top_terms"])
    assert all("park" in text for text in candidate["examples"])
    stub = tmp_path / "candidate.yaml"
    stub.write_text(candidate["yaml"], encoding="utf-8")
    data = load_data(stub)
    assert {ex.intent for ex in data.examples} == {candidate["name"]}
    assert len(data.examples) >= 5
    assert insights["candidate_method"]["unplaced"] == 60


def test_outputs_are_strict_json_and_a_report(insights, tmp_path):
    paths = write_outputs(insights, tmp_path / "out")
    written = json.loads((tmp_path / "out" / "insights.json").read_text("utf-8"))
    assert written["drivers"] == insights["drivers"]
    html = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert paths["report"].endswith("report.html") and "<script" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org', "")


def test_cli_writes_both_files_and_one_json_line(log_path, saved_support_model, tmp_path, capsys):
    from empathy_nlu.cli import main

    code = main(["--quiet", "insights", str(log_path), "--out", str(tmp_path / "o"), "--period", "month",
                 "--model", str(saved_support_model)])  # fmt: skip
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 0 and len(out) == 1
    summary = json.loads(out[0])
    assert summary["contacts"] == len(contact_rows()) and summary["periods"] == 2
    assert (tmp_path / "o" / "insights.json").is_file() and (tmp_path / "o" / "report.html").is_file()


def test_renamed_columns_are_read_with_the_column_options(tmp_path, support_model):
    path = write_log(contact_rows(), tmp_path / "renamed.parquet", {"customer_id": "client", "text": "body"})
    columns = ColumnNames(customer_id="client", text="body")
    result = build_insights([path], InsightOptions(period="day", columns=columns), model=support_model)
    assert result["drivers"]["total_contacts"] == len(contact_rows())


def test_missing_column_is_named(tmp_path):
    rows = [{k: v for k, v in row.items() if k != "escalation_risk"} for row in contact_rows()[:5]]
    with pytest.raises(LogError, match="escalation_risk") as error:
        build_insights([write_log(rows, tmp_path / "x.parquet")])
    assert error.value.code == "E840"


def test_empty_log_unreadable_file_and_bad_options(tmp_path):
    import pandas as pd

    empty = tmp_path / "empty.parquet"
    pd.DataFrame(contact_rows()[:1]).iloc[0:0].to_parquet(empty, index=False)
    with pytest.raises(LogError) as error:
        build_insights([empty])
    assert error.value.code == "E841"
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    for path, code in ((bad, "E842"), (tmp_path / "nowhere.parquet", "E842")):
        with pytest.raises(LogError) as error:
            build_insights([path])
        assert error.value.code == code and str(path) in str(error.value)
    with pytest.raises(LogError) as error:
        build_insights([empty], InsightOptions(period="year"))
    assert error.value.code == "E843"
    with pytest.raises(LogError) as error:
        build_insights([empty], InsightOptions(repeat_days=0))
    assert error.value.code == "E844"


def test_text_timestamps_give_the_same_insights(tmp_path, support_model, insights):
    rows = [r | {"timestamp": r["timestamp"].isoformat()} for r in contact_rows()]
    result = build_insights([write_log(rows, tmp_path / "t.parquet")], model=support_model)
    assert result["drivers"] == insights["drivers"] and result["repeat_contact"] == insights["repeat_contact"]


def test_bad_timestamp_is_a_clear_error(tmp_path):
    rows = [r | {"timestamp": "yesterday"} for r in contact_rows()[:3]]
    with pytest.raises(LogError) as error:
        build_insights([write_log(rows, tmp_path / "t.parquet")])
    assert error.value.code == "E845" and "timestamp" in str(error.value)
