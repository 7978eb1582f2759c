"""The conversation store's contract, run against every backend (SQLite and PostgreSQL): what a channel
or the service may rely on whichever database keeps the history. Backend-specific behaviour lives in
test_store.py (SQLite files, WAL, crashes) and test_store_postgres.py (pool, schema, errors)."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import textwrap
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from empathy_nlu import Turn
from empathy_nlu.errors import StoreError
from empathy_nlu.store import ConversationStore, PostgresStore, SQLiteStore, StoredTurn, open_store

T0 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
CARD, IBAN = "4111 1111 1111 1111", "DE89370400440532013000"
EMAIL, PHONE = "ann@example.com", "+44 20 7946 0958"


@dataclass
class Backend:
    """Where a test's store lives, and every byte of it that a reader of the database could see."""

    name: str
    target: str

    def raw(self) -> bytes:
        if self.name == "sqlite":  # the database file, its WAL and shared memory
            path = Path(self.target)
            return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        import psycopg

        with psycopg.connect(self.target) as conn:  # every column of every row, as the server has it
            rows = conn.execute("SELECT t::text FROM turns t").fetchall()
        return "\n".join(row[0] for row in rows).encode()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path) -> Backend:
    if request.param == "sqlite":
        return Backend("sqlite", str(tmp_path / "conversations.sqlite3"))
    return Backend("postgresql", request.getfixturevalue("fresh_postgres_url"))


@pytest.fixture
def make_store(backend):
    """Open stores on the test's backend (``open_store(target, **options)``); all closed afterwards."""
    opened: list[ConversationStore] = []

    def make(**options) -> ConversationStore:
        opened.append(open_store(backend.target, **options))
        return opened[-1]

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store) -> ConversationStore:
    return make_store()


def texts(store: ConversationStore, customer_id: str, limit: int = 50) -> list[str]:
    return [s.turn.text for s in store.history(customer_id, limit=limit)]


def test_turns_round_trip_with_timestamps_prediction_and_meta(store):
    paris = timezone(timedelta(hours=2))
    prediction = {"text": "hi", "intent": {"name": "greeting", "confidence": 0.97}, "entities": [], "x": None}
    first = store.append(
        "c1",
        Turn("hi", channel="social", timestamp=datetime(2024, 6, 3, 9, 15, 30, 123456, tzinfo=paris)),
        prediction=prediction,
        meta={"public": True, "hashtags": ["help"], "score": np.int64(3), "nested": {"ünï": 1.5}},
    )
    agent = store.append("c1", Turn("how can I help?", speaker="agent", timestamp=T0 + timedelta(days=5)))
    assert isinstance(first, StoredTurn) and isinstance(first.id, int) and agent.id > first.id
    read, read_agent = store.history("c1")
    assert read == first and read_agent == agent
    assert read.turn.timestamp.isoformat() == "2024-06-03T09:15:30.123456+02:00"
    assert read.turn.intent == "greeting"  # the predicted intent, for the history layer
    assert read.prediction == prediction
    assert read.meta == {"public": True, "hashtags": ["help"], "score": 3, "nested": {"ünï": 1.5}}
    assert read_agent.prediction is None and read_agent.meta == {} and read_agent.turn.speaker == "agent"


def test_history_is_per_customer_across_channels_oldest_first_and_bounded(store):
    for i, channel in enumerate(["chat", "email", "voice", "sms", "social"]):
        store.append("ann", Turn(f"turn {i}", channel=channel, timestamp=T0 + timedelta(hours=i)))
        store.append("bob", Turn(f"bob {i}", channel="chat", timestamp=T0 + timedelta(hours=i)))
    store.append("ann", Turn("late email", channel="email", timestamp=T0 - timedelta(days=1)))
    assert texts(store, "ann") == ["late email"] + [f"turn {i}" for i in range(5)]
    assert [s.turn.channel for s in store.history("ann", limit=2)] == ["sms", "social"]
    assert store.history("ann", limit=0) == [] and store.history("nobody") == []
    assert store.count() == 11 and store.count("bob") == 5 and store.count("nobody") == 0


def test_equal_timestamps_keep_the_order_of_arrival(store):
    """Order is (timestamp, id): the same instant, in any offset, sorts by arrival."""
    paris = timezone(timedelta(hours=2))
    for i in range(4):
        store.append("c1", Turn(f"same {i}", timestamp=T0 if i % 2 else T0.astimezone(paris)))
    store.append("c1", Turn("a microsecond earlier", timestamp=T0 - timedelta(microseconds=1)))
    assert texts(store, "c1") == ["a microsecond earlier"] + [f"same {i}" for i in range(4)]
    assert texts(store, "c1", limit=3) == ["same 1", "same 2", "same 3"]


def test_personal_data_never_reaches_the_database(backend, make_store):
    text = f"card {CARD}, iban {IBAN}, mail {EMAIL}, phone {PHONE}"
    prediction = {"text": text, "entities": [{"entity": "card_number", "value": CARD.replace(" ", "")}]}
    store = make_store()
    stored = store.append("c1", Turn(text, channel="sms"), prediction=prediction, meta={"subject": text})
    assert "[email]" in stored.turn.text and "[phone]" in stored.turn.text
    needles = (CARD, CARD.replace(" ", ""), IBAN, EMAIL, "7946 0958")
    assert not [n for n in needles if n.encode() in backend.raw()]
    make_store(mask_personal_data=False).append("c2", Turn(f"unmasked {IBAN}"))
    assert IBAN.encode() in backend.raw()  # the check reads what the database really holds


def test_prune_deletes_old_turns_only(store):
    now = datetime(2024, 6, 30, tzinfo=UTC)
    store.append("c1", Turn("old", timestamp=now - timedelta(days=40)))
    store.append("c1", Turn("recent", timestamp=now - timedelta(days=2)))
    store.append("c2", Turn("older than a month", timestamp=now - timedelta(days=31)))
    assert store.prune(30, now=now) == 2
    assert texts(store, "c1") == ["recent"] and store.count() == 1
    assert store.prune(30, now=now) == 0


def test_erase_deletes_one_customer_and_leaves_no_trace(backend, make_store):
    store = make_store(mask_personal_data=False)
    for i in range(3):
        store.append("ann-to-erase", Turn(f"ann secret zebra {i}", channel=["chat", "email", "sms"][i]))
        store.append("bob", Turn(f"bob keeps {i}"))
    assert b"secret zebra" in backend.raw()
    assert store.erase("ann-to-erase") == 3
    assert store.history("ann-to-erase") == [] and store.count("ann-to-erase") == 0
    assert texts(store, "bob") == [f"bob keeps {i}" for i in range(3)] and store.count() == 3
    assert store.erase("ann-to-erase") == 0
    raw = backend.raw()  # SQLite: the file, -wal and -shm while the store is open; PostgreSQL: the rows
    assert b"secret zebra" not in raw and b"ann-to-erase" not in raw and b"bob keeps 2" in raw


def test_ping_answers_while_open_and_is_false_once_closed(store):
    assert store.ping() is True
    store.close()
    assert store.ping() is False
    with pytest.raises(StoreError) as info:
        store.history("c1")
    assert info.value.code == "E609"


@pytest.mark.parametrize(
    "call, code",
    [
        (lambda s: s.append("", Turn("x")), "E604"),
        (lambda s: s.append("c" * 300, Turn("x")), "E604"),
        (lambda s: s.append("c1", "not a turn"), "E605"),
        (lambda s: s.append("c1", Turn("x", speaker="robot")), "E605"),
        (lambda s: s.append("c1", Turn("x"), prediction=["not", "a", "dict"]), "E605"),
        (lambda s: s.append("c1", Turn("x"), meta={"bad": object()}), "E605"),
        (lambda s: s.append("c1", Turn("x", timestamp="2024-06-01")), "E605"),
        (lambda s: s.history("c1", limit=-1), "E605"),
        (lambda s: s.history(None), "E604"),
        (lambda s: s.prune(-1), "E608"),
        (lambda s: s.prune(float("nan")), "E608"),
        (lambda s: s.erase(""), "E604"),
        (lambda s: s.erase(42), "E604"),
    ],
)
def test_bad_arguments_are_clear_errors(store, call, code):
    with pytest.raises(StoreError) as info:
        call(store)
    assert info.value.code == code
    assert store.count() == 0


def _assert_nothing_lost(store, customers, writers, per_writer) -> None:
    """Every writer's turns are all there, and each customer sees each writer's turns in its order."""
    seen: dict[tuple[str, str], list[int]] = {}
    for customer in customers:
        for text in texts(store, customer, limit=10**6):
            name, i = text.split()
            seen.setdefault((customer, name), []).append(int(i))
    assert {name for _, name in seen} == set(writers)
    assert sum(len(v) for v in seen.values()) == len(writers) * per_writer == store.count()
    assert all(numbers == sorted(numbers) for numbers in seen.values())


def test_threads_appending_interleaved_customers_lose_nothing(store):
    errors: list[Exception] = []
    customers = [f"c{k}" for k in range(4)]

    def writer(n: int) -> None:
        try:
            for i in range(60):
                store.append(customers[(n + i) % 4], Turn(f"w{n} {i}"))
                if i % 20 == 0:
                    store.history(customers[i % 4], limit=5)
        except Exception as exc:  # every error is a failure
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    _assert_nothing_lost(store, customers, [f"w{n}" for n in range(6)], 60)


WRITER = textwrap.dedent(
    """
    import sys
    from empathy_nlu import Turn
    from empathy_nlu.store import open_store

    target, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open_store(target, mask_personal_data=False) as store:
        print("ready", flush=True)
        sys.stdin.readline()  # start writing together with the others
        for i in range(count):
            store.append(f"c{i % 3}", Turn(f"{name} {i}"))
    """
)


def test_processes_appending_concurrently_lose_nothing(backend, store):
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, backend.target, f"p{n}", "200"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    for writer in writers:
        assert writer.stdout.readline() == "ready\n"
    for writer in writers:  # go: both processes and this one write at once
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for i in range(200):
        store.append(f"c{i % 3}", Turn(f"parent {i}"))
    for writer in writers:
        writer.communicate(timeout=120)
        assert writer.returncode == 0
    _assert_nothing_lost(store, ["c0", "c1", "c2"], ["parent", "p0", "p1"], 200)


def _append_in_child(store: ConversationStore, go) -> None:
    go.wait(timeout=30)
    for i in range(100):
        store.append("forked", Turn(f"child {i}"))


@pytest.mark.timeout(120)
def test_a_forked_child_uses_its_own_connections(store):
    """A worker forked after the store was opened (gunicorn, multiprocessing) writes through its own
    connections, at the same time as its parent, and leaves the parent's working."""
    store.append("forked", Turn("parent 0"))
    context = multiprocessing.get_context("fork")
    go = context.Event()
    child = context.Process(target=_append_in_child, args=(store, go))
    child.start()
    go.set()
    for i in range(1, 100):
        store.append("forked", Turn(f"parent {i}"))
    child.join(timeout=60)
    assert child.exitcode == 0
    _assert_nothing_lost(store, ["forked"], ["parent", "child"], 100)


def test_open_store_reads_paths_and_urls(tmp_path, monkeypatch, postgres_url):
    monkeypatch.chdir(tmp_path)
    cases = {
        "sqlite:///relative.sqlite3": Path("relative.sqlite3"),
        f"sqlite:///{tmp_path}/absolute.sqlite3": tmp_path / "absolute.sqlite3",  # sqlite:////tmp/...
        "plain.sqlite3": Path("plain.sqlite3"),
        tmp_path / "path.sqlite3": tmp_path / "path.sqlite3",
    }
    for target, path in cases.items():
        with open_store(target, timeout=5) as store:
            assert isinstance(store, SQLiteStore) and store.path == path and (tmp_path / path).is_file()
    for url in (postgres_url, postgres_url.replace("postgresql://", "postgres://", 1)):
        with open_store(url, max_size=2) as store:
            assert isinstance(store, PostgresStore) and store.ping() and store.max_size == 2


@pytest.mark.parametrize("target", ["mysql://ann:pw-s3cret@db/x", "sqlite://host/x.db", "sqlite:///", None])
def test_open_store_refuses_what_it_cannot_open(target):
    with pytest.raises(StoreError) as info:
        open_store(target)
    assert info.value.code == "E614" and "pw-s3cret" not in str(info.value)
