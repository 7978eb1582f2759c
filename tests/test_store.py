"""Conversation store: order, windows, retention, masking on disk, concurrency, crash safety."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from empathy_nlu import Turn
from empathy_nlu.cli import main
from empathy_nlu.errors import StoreError
from empathy_nlu.store import ConversationStore, SQLiteStore, StoredTurn, open_store

CARD = "4111 1111 1111 1111"
T0 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "conversations.sqlite3"


def db_bytes(path) -> bytes:
    """Every byte SQLite keeps for this store: the database file, its WAL and shared memory."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_history_is_per_customer_across_channels_oldest_first_and_bounded(path):
    with SQLiteStore(path) as store:
        for i, channel in enumerate(["chat", "email", "voice", "sms", "social"]):
            store.append("ann", Turn(f"turn {i}", channel=channel, timestamp=T0 + timedelta(hours=i)))
            store.append("bob", Turn(f"bob {i}", channel="chat", timestamp=T0 + timedelta(hours=i)))
        # an e-mail that arrives late but was written earlier sorts by its timestamp
        store.append("ann", Turn("late email", channel="email", timestamp=T0 - timedelta(days=1)))
        history = store.history("ann")
        assert [s.turn.text for s in history] == ["late email"] + [f"turn {i}" for i in range(5)]
        assert [s.turn.channel for s in store.history("ann", limit=2)] == ["sms", "social"]
        assert store.history("ann", limit=0) == [] and store.history("nobody") == []
        assert store.count() == 11 and store.count("bob") == 5


def test_turns_round_trip_with_timestamps_prediction_and_meta(path):
    paris = timezone(timedelta(hours=2))
    prediction = {"text": "hi", "intent": {"name": "greeting", "confidence": 0.97}, "entities": []}
    with SQLiteStore(path) as store:
        stored = store.append(
            "c1",
            Turn("hi", channel="social", timestamp=datetime(2024, 6, 3, 9, 15, tzinfo=paris)),
            prediction=prediction,
            meta={"public": True, "hashtags": ["help"]},
        )
        assert isinstance(stored, StoredTurn) and stored.id == 1
        [read] = store.history("c1")
    assert read == stored
    assert read.turn.timestamp.isoformat() == "2024-06-03T09:15:00+02:00"
    assert read.turn.intent == "greeting"  # the predicted intent, for the history layer
    assert read.prediction == prediction and read.meta == {"public": True, "hashtags": ["help"]}
    assert read.to_dict()["channel"] == "social"


def test_turn_without_timestamp_is_stamped_now_and_naive_means_local(path):
    with SQLiteStore(path) as store:
        now = store.append("c1", Turn("a")).turn.timestamp
        naive = store.append("c1", Turn("b", timestamp=datetime(2024, 1, 1, 8, 0))).turn.timestamp
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)
    assert naive.tzinfo is not None and naive.replace(tzinfo=None) == datetime(2024, 1, 1, 8, 0)


def test_masking_keeps_card_numbers_emails_and_phones_out_of_every_file(path):
    text = f"my card {CARD} was stolen, call me on +44 20 7946 0958 or ann@example.com"
    prediction = {"text": text, "entities": [{"entity": "card_number", "value": CARD.replace(" ", "")}]}
    with SQLiteStore(path) as store:
        stored = store.append("c1", Turn(text, channel="sms"), prediction=prediction, meta={"subject": text})
        assert db_bytes(path)  # the WAL is still there: it is checked too
        for needle in (CARD, CARD.replace(" ", ""), "7946 0958", "ann@example.com"):
            assert needle.encode() not in db_bytes(path)
        assert "1111" in stored.turn.text and "[email]" in stored.turn.text and "[phone]" in stored.turn.text
        assert store.history("c1")[0].prediction["entities"][0]["value"].endswith("1111")
    for needle in (CARD, CARD.replace(" ", "")):  # also after the WAL is checkpointed into the file
        assert needle.encode() not in db_bytes(path)


@pytest.mark.parametrize(
    "raw",
    [
        "4111.1111.1111.1111",  # dotted cards passed unmasked before the privacy layer
        "4111- 1111- 1111- 1111",  # what the voice adapter used to make of a dashed card
        "DE89370400440532013000",
        "GB82 WEST 1234 5698 7654 32",
        "219099999",
        "078-05-1120",
    ],
)
def test_dotted_cards_ibans_and_ssns_reach_no_file(path, raw):
    text = f"my number is {raw}, please help"
    prediction = {"text": text, "entities": [{"entity": "x", "text": raw, "start": 13, "end": 13 + len(raw)}]}
    with SQLiteStore(path) as store:
        stored = store.append("c1", Turn(text, channel="chat"), prediction=prediction, meta={"subject": raw})
        data = db_bytes(path)
        compact = "".join(raw.split())
        for needle in {raw, compact, compact.replace(".", "").replace("-", "")}:
            assert needle.encode() not in data, needle
        assert raw not in stored.turn.text and stored.prediction["text"].startswith("my number is ")
        entity = stored.prediction["entities"][0]
        assert stored.prediction["text"][entity["start"] : entity["end"]] == entity["text"]  # offsets hold


def test_masking_is_structural_and_leaves_timestamps_alone(path):
    """The store masks text fields, not the serialized JSON: a timestamp with microseconds used to
    come back as "2026-11-30T20:31:[phone]+00:00"."""
    stamp = "2026-11-30T20:31:05.123456+00:00"
    prediction = {
        "text": "call me on 0770 090 0123",
        "intent": {"name": "contact_details", "confidence": 0.9},
        "context": {
            "repeat_contact": {"is_repeat": True, "first_at": stamp, "channels": ["chat"], "turns": [0]},
            "entities": [
                {
                    "entity": "phone_number",
                    "value": "+447700900123",
                    "text": "0770 090 0123",
                    "turn": 0,
                    "channel": "chat",
                    "timestamp": stamp,
                }
            ],
            "handoff": {"summary": 'Last message (chat): "call me on 0770 090 0123"'},
        },
    }
    with SQLiteStore(path) as store:
        store.append("c1", Turn("call me on 0770 090 0123", timestamp=T0), prediction=prediction)
        [stored] = store.history("c1")
    context = stored.prediction["context"]
    assert context["repeat_contact"]["first_at"] == stamp
    assert context["entities"][0]["timestamp"] == stamp
    assert context["entities"][0]["value"] == "[phone]" and context["entities"][0]["text"] == "[phone]"
    assert context["handoff"]["summary"] == 'Last message (chat): "call me on [phone]"'
    assert stored.prediction["text"] == "call me on **** *** ****"  # length kept: offsets still hold
    assert stored.turn.text == "call me on [phone]"
    assert stored.prediction["intent"] == prediction["intent"]
    assert b"0770 090 0123" not in db_bytes(path) and b"447700900123" not in db_bytes(path)


def test_the_store_files_are_readable_by_their_owner_only(path):
    old = os.umask(0o022)  # the usual umask: SQLite alone would create 0644 files
    try:
        with SQLiteStore(path) as store:
            store.append("c1", Turn("hello"))
            files = sorted(path.parent.glob(path.name + "*"))
            assert [f.name for f in files] == [path.name, path.name + "-shm", path.name + "-wal"]
            for file in files:
                assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    finally:
        os.umask(old)


def test_an_existing_store_file_keeps_its_mode(path):
    path.touch(mode=0o640)
    os.chmod(path, 0o640)
    with SQLiteStore(path) as store:
        store.append("c1", Turn("hello"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_deployment_pattern_is_masked_in_the_store(path):
    privacy = {"patterns": [{"name": "member_id", "pattern": r"\bMB-\d{6}\b"}]}
    with SQLiteStore(path, privacy=privacy) as store:
        stored = store.append("c1", Turn("member MB-123456 here"), meta={"subject": "MB-123456"})
        assert stored.turn.text == "member [member_id] here" and stored.meta == {"subject": "[member_id]"}
    assert b"MB-123456" not in db_bytes(path)
    with pytest.raises(StoreError) as info:
        SQLiteStore(path, privacy=3)
    assert info.value.code == "E605"


def test_masking_can_be_turned_off(path):
    with SQLiteStore(path, mask_personal_data=False) as store:
        store.append("c1", Turn(f"card {CARD}"))
        assert store.history("c1")[0].turn.text == f"card {CARD}"


def test_prune_deletes_old_turns_only_and_leaves_no_trace(path):
    now = datetime(2024, 6, 30, tzinfo=UTC)
    with SQLiteStore(path, mask_personal_data=False) as store:
        store.append("c1", Turn("secret old words", timestamp=now - timedelta(days=40)))
        store.append("c1", Turn("recent", timestamp=now - timedelta(days=2)))
        store.append("c2", Turn("older than a month", timestamp=now - timedelta(days=31)))
        assert store.prune(30, now=now) == 2
        assert [s.turn.text for s in store.history("c1")] == ["recent"] and store.count() == 1
        assert store.prune(30, now=now) == 0
        assert b"secret old words" not in db_bytes(path)
        with pytest.raises(StoreError) as info:
            store.prune(-1)
        assert info.value.code == "E608"


def test_cli_prune(path, capsys):
    with SQLiteStore(path) as store:
        store.append("c1", Turn("old", timestamp=datetime.now(UTC) - timedelta(days=10)))
        store.append("c1", Turn("new"))
    assert main(["store", "prune", "--days", "7", "--store", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["deleted"] == 1


def test_a_foreign_or_corrupt_file_is_refused(tmp_path):
    foreign = tmp_path / "other.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(StoreError) as info:
        SQLiteStore(foreign)
    assert info.value.code == "E602"
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError) as info:
        SQLiteStore(garbage)
    assert info.value.code == "E607"
    with pytest.raises(StoreError) as info:
        SQLiteStore(tmp_path / "no" / "such" / "dir.sqlite3")
    assert info.value.code == "E601"


def test_closed_store_refuses_work(path):
    store = open_store(path)
    store.close()
    with pytest.raises(StoreError) as info:
        store.history("c1")
    assert info.value.code == "E609"


def test_wal_mode_and_reopening_keeps_everything(path):
    with SQLiteStore(path) as store:
        store.append("c1", Turn("kept"))
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with SQLiteStore(path) as store:
        assert [s.turn.text for s in store.history("c1")] == ["kept"]


def test_threads_appending_concurrently_lose_nothing(path):
    errors = []
    with SQLiteStore(path, mask_personal_data=False) as store:

        def writer(n: int) -> None:
            try:
                for i in range(300):
                    store.append(f"c{i % 7}", Turn(f"t{n}-{i}"))
                    if i % 50 == 0:
                        store.history(f"c{i % 7}", limit=10)
            except Exception as exc:  # every error is a failure
                errors.append(exc)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert store.count() == 8 * 300
        texts = {s.turn.text for c in range(7) for s in store.history(f"c{c}", limit=10_000)}
        assert texts == {f"t{n}-{i}" for n in range(8) for i in range(300)}


WRITER = textwrap.dedent(
    """
    import sys
    from empathy_nlu import Turn
    from empathy_nlu.store import SQLiteStore

    path, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = SQLiteStore(path, mask_personal_data=False)
    if name.startswith("sync"):  # start writing together with the others
        print("ready", flush=True)
        sys.stdin.readline()
    for i in range(count):
        store.append("shared-customer", Turn(f"{name} {i} " + "x" * 2000))
        print(i, flush=True)  # acknowledged: append returned
    """
)


def _writer(path, name: str, count: int) -> subprocess.Popen:
    command = [sys.executable, "-c", WRITER, str(path), name, str(count)]
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def test_processes_and_threads_appending_concurrently_lose_nothing(path):
    SQLiteStore(path).close()
    writers = [_writer(path, f"sync{n}", 1000) for n in range(2)]
    for writer in writers:
        assert writer.stdout.readline() == "ready\n"
    with SQLiteStore(path, mask_personal_data=False) as store:
        for writer in writers:  # go: both processes and this thread write at once
            writer.stdin.write("go\n")
            writer.stdin.flush()
        for i in range(1000):
            store.append("shared-customer", Turn(f"parent {i}"))
        for writer in writers:
            lines = writer.communicate(timeout=120)[0].split()
            assert writer.returncode == 0 and lines[-1] == "999"
        assert store.count("shared-customer") == 3000
        names = {s.turn.text.split()[0] for s in store.history("shared-customer", limit=3000)}
        assert names == {"parent", "sync0", "sync1"}


def test_a_process_killed_mid_write_loses_no_acknowledged_turn(path):
    SQLiteStore(path).close()
    writer = _writer(path, "victim", 1_000_000)
    acknowledged = -1
    for line in writer.stdout:
        acknowledged = int(line)
        if acknowledged >= 300:
            break
    os.kill(writer.pid, signal.SIGKILL)  # lands while it is writing the next turns
    writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    with SQLiteStore(path, mask_personal_data=False) as store:
        texts = [s.turn.text.split()[1] for s in store.history("shared-customer", limit=10**7)]
        assert texts[: acknowledged + 1] == [str(i) for i in range(acknowledged + 1)]
        store.append("shared-customer", Turn("still writable"))
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_interface_is_small_enough_to_implement_in_memory():
    class MemoryStore(ConversationStore):
        def __init__(self) -> None:
            super().__init__(mask_personal_data=True)
            self.rows: list[StoredTurn] = []

        def _insert(self, record):
            self.rows.append(record)
            return len(self.rows)

        def _select(self, customer_id, limit):
            mine = sorted(
                (r for r in self.rows if r.customer_id == customer_id), key=lambda r: r.turn.timestamp
            )
            return mine[-limit:]

        def _delete_before(self, epoch_seconds):
            before = len(self.rows)
            self.rows = [r for r in self.rows if r.turn.timestamp.timestamp() >= epoch_seconds]
            return before - len(self.rows)

        def _delete_customer(self, customer_id):
            before = len(self.rows)
            self.rows = [r for r in self.rows if r.customer_id != customer_id]
            return before - len(self.rows)

        def count(self, customer_id=None):
            return sum(customer_id in (None, r.customer_id) for r in self.rows)

        def close(self):
            pass

    store = MemoryStore()
    store.append("c1", Turn(f"card {CARD}", timestamp=T0))
    assert CARD not in store.rows[0].turn.text  # masking comes with the interface
    assert store.prune(1) == 1 and store.history("c1") == []
    store.append("c2", Turn("hello"))
    assert store.ping() and store.count() == 1 and store.erase("c2") == 1 and store.count("c2") == 0
