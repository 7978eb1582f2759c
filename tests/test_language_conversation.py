"""Prediction.language over a conversation: the message's own language, the conversation's when the
message is unsure, a customer who changes language, and the language kept per turn in the store."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from empathy_nlu.channels import ChannelMessage
from empathy_nlu.channels.base import handle_message
from empathy_nlu.schema import Turn
from empathy_nlu.store import SQLiteStore

REFERENCE = "2026-11-23T10:00:00+00:00"


def given(code, source="conversation", confidence=1.0):
    return {"code": code, "confidence": confidence, "source": source}


def language(model, text, history=None):
    return model.predict(text, history=history, reference_time=REFERENCE).to_dict()["language"]


def test_a_confident_message_gives_its_own_language(support_model):
    assert language(support_model, "カードが届きません") == {
        "code": "ja",
        "confidence": 1.0,
        "source": "message",
    }
    english = language(support_model, "my card has not arrived yet")
    assert english["code"] == "en" and english["source"] == "message" and english["confidence"] >= 0.5


def test_a_short_message_takes_the_conversation_language(support_model):
    history = [
        {"text": "カードが届きません", "speaker": "customer"},
        {"text": "Let me check that for you.", "speaker": "agent"},
    ]
    assert language(support_model, "ok", history) == {
        "code": "ja",
        "confidence": 1.0,
        "source": "conversation",
    }


def test_the_most_recent_confident_customer_turn_wins(support_model):
    history = ["mi tarjeta todavía no ha llegado", "yes", "カードが届きません", "ok"]
    assert language(support_model, "12345", history)["code"] == "ja"


def test_a_language_given_with_a_turn_is_taken_as_is(support_model):
    history = [{"text": "ok", "language": "ko"}]
    assert language(support_model, "ok", history) == {
        "code": "ko",
        "confidence": 1.0,
        "source": "conversation",
    }


def test_no_confident_turn_anywhere_is_unknown(support_model):
    assert language(support_model, "ok", ["yes", "12345"]) == {
        "code": None,
        "confidence": 0.0,
        "source": "message",
    }
    assert language(support_model, "ok") == given(None, "message", 0.0)


def test_predict_and_predict_batch_agree_with_language(support_model):
    texts = ["カードが届きません", "ok", "mi tarjeta no ha llegado", "my card is late", "好"]
    histories = [None, ["카드가 아직 안 왔어요"], None, ["カードが届きません"], ["ok"]]
    one = [
        support_model.predict(t, history=h, reference_time=REFERENCE).to_dict()
        for t, h in zip(texts, histories, strict=True)
    ]
    batch = support_model.predict_batch(texts, histories, reference_times=[REFERENCE] * len(texts))
    assert [p.to_dict() for p in batch] == one
    assert [p["language"]["code"] for p in one] == ["ja", "ko", "es", "en", "zh"]
    # replayed (warm caches) gives the same answers
    again = support_model.predict_batch(texts, histories, reference_times=[REFERENCE] * len(texts))
    assert [p.to_dict() for p in again] == one


def test_japanese_chat_then_english_email_each_turn_and_each_row(support_model, tmp_path):
    """A customer writes in Japanese on chat, says "ok", then e-mails in English two days later."""
    path = tmp_path / "store.db"
    store = SQLiteStore(path)
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    turns = [
        (Turn("カードが届きません。どうすればいいですか", channel="chat", timestamp=start), "ja", "message"),
        (Turn("ok", channel="chat", timestamp=start + timedelta(minutes=2)), "ja", "conversation"),
        (
            Turn(
                "My card still has not arrived, can you send a new one?",
                channel="email",
                timestamp=start + timedelta(days=2),
            ),
            "en",
            "message",
        ),
        (Turn("thanks", channel="email", timestamp=start + timedelta(days=2, minutes=5)), "en", None),
    ]
    for turn, code, source in turns:
        prediction = handle_message(ChannelMessage(turn), "cust-1", support_model, store)
        got = prediction.to_dict()["language"]
        assert got["code"] == code
        if source is not None:
            assert got["source"] == source
    stored = store.history("cust-1")
    assert [s.turn.language for s in stored] == ["ja", "ja", "en", "en"]
    assert [s.to_dict()["language"] for s in stored] == ["ja", "ja", "en", "en"]
    store.close()
    with sqlite3.connect(path) as conn:
        assert [r[0] for r in conn.execute("SELECT language FROM turns ORDER BY id")] == [
            "ja",
            "ja",
            "en",
            "en",
        ]


def test_an_agent_turn_keeps_no_detected_language(tmp_path):
    with SQLiteStore(tmp_path / "s.db") as store:
        agent = store.append("c", Turn("お待ちください", speaker="agent"))
        given = store.append("c", Turn("hola", language="ES"))
        detected = store.append("c", Turn("hola"), prediction={"language": {"code": "es", "confidence": 0.9}})
    assert (agent.turn.language, given.turn.language, detected.turn.language) == (None, "es", "es")


def test_a_version_1_store_file_gains_the_language_column(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # the schema of version 1, as empathy-nlu wrote it
        conn.executescript(
            """CREATE TABLE turns (id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id TEXT NOT NULL,
            ts REAL NOT NULL, timestamp TEXT NOT NULL, channel TEXT, speaker TEXT NOT NULL,
            text TEXT NOT NULL, intent TEXT, prediction TEXT, meta TEXT NOT NULL);
            PRAGMA application_id=1162759253; PRAGMA user_version=1;"""
        )
        conn.execute(
            "INSERT INTO turns (customer_id, ts, timestamp, channel, speaker, text, intent, prediction, meta)"
            " VALUES ('c', 1.0, '2026-01-01T00:00:00+00:00', 'chat', 'customer', 'hi', NULL, NULL, ?)",
            (json.dumps({}),),
        )
    with SQLiteStore(path) as store:
        assert [s.turn.language for s in store.history("c")] == [None]
        store.append("c", Turn("こんにちは", language="ja"))
        assert [s.turn.language for s in store.history("c")] == [None, "ja"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2


@pytest.mark.parametrize("bad", ["english", "xx"])
def test_store_refuses_a_turn_language_that_is_not_a_code(tmp_path, bad):
    from empathy_nlu.errors import StoreError

    with SQLiteStore(tmp_path / "s.db") as store, pytest.raises(StoreError):
        store.append("c", Turn("hi", language=bad))


def test_a_version_1_postgres_database_gains_the_language_column(fresh_postgres_url):
    import psycopg

    from empathy_nlu.store.postgres import PostgresStore

    with psycopg.connect(fresh_postgres_url, autocommit=True) as conn:  # the schema of version 1
        conn.execute("CREATE TABLE empathy_nlu_meta (key text PRIMARY KEY, value text NOT NULL)")
        conn.execute("INSERT INTO empathy_nlu_meta VALUES ('schema_version', '1')")
        conn.execute(
            """CREATE TABLE turns (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            customer_id text NOT NULL, ts double precision NOT NULL, "timestamp" text NOT NULL,
            channel text, speaker text NOT NULL, text text NOT NULL, intent text, prediction jsonb,
            meta jsonb NOT NULL)"""
        )
        conn.execute(
            """INSERT INTO turns (customer_id, ts, "timestamp", speaker, text, meta)
            VALUES ('c', 1.0, '2026-01-01T00:00:00+00:00', 'customer', 'hi', '{}')"""
        )
    with PostgresStore(fresh_postgres_url) as store:
        store.append("c", Turn("こんにちは"), prediction={"language": {"code": "ja", "confidence": 1.0}})
        assert [s.turn.language for s in store.history("c")] == [None, "ja"]
    with psycopg.connect(fresh_postgres_url) as conn:
        assert conn.execute("SELECT value FROM empathy_nlu_meta").fetchone() == ("2",)
