"""What only the PostgreSQL store does: one schema for replicas starting together, a clear error for each
way a server can fail, no password in any message, and no psycopg for SQLite users. The interface
itself is tested on both backends in test_store_contract.py."""

from __future__ import annotations

import subprocess
import sys
import threading

import psycopg
import pytest

from empathy_nlu import Turn
from empathy_nlu.errors import StoreError
from empathy_nlu.store import PostgresStore
from postgres_server import free_port

SECRET = "pw-hunter2-s3cret"


def with_password(url: str) -> str:
    """The same URL with a password (trust authentication accepts any)."""
    return url.replace("postgres@", f"postgres:{SECRET}@", 1)


def error_of(call) -> StoreError:
    with pytest.raises(StoreError) as info:
        call()
    return info.value


def test_replicas_starting_together_create_one_schema(fresh_postgres_url):
    barrier, stores, errors = threading.Barrier(8), [], []

    def start() -> None:
        barrier.wait()
        try:
            stores.append(PostgresStore(fresh_postgres_url, min_size=0))
        except Exception as exc:  # every error is a failure
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(stores) == 8
    stores[0].append("c1", Turn("hello"))
    assert [s.count() for s in stores] == [1] * 8
    with psycopg.connect(fresh_postgres_url) as conn:
        assert conn.execute("SELECT key, value FROM empathy_nlu_meta").fetchall() == [("schema_version", "2")]
    for store in stores:
        store.close()


def test_a_newer_schema_or_a_foreign_turns_table_is_refused(fresh_postgres_url, postgres_server):
    PostgresStore(fresh_postgres_url).close()
    with psycopg.connect(fresh_postgres_url, autocommit=True) as conn:
        conn.execute("UPDATE empathy_nlu_meta SET value = '99'")
    error = error_of(lambda: PostgresStore(fresh_postgres_url))
    assert error.code == "E615" and "Upgrade empathy-nlu" in str(error)
    other = postgres_server.create_database()
    with psycopg.connect(other, autocommit=True) as conn:
        conn.execute("CREATE TABLE turns (invoice int)")
    error = error_of(lambda: PostgresStore(other))
    assert error.code == "E615" and "another application" in str(error)
    postgres_server.drop_database(other)


def test_an_unreachable_server_is_e610_without_the_password():
    url = f"postgresql://postgres:{SECRET}@127.0.0.1:{free_port()}/nothing"
    error = error_of(lambda: PostgresStore(url, timeout=2))
    assert error.code == "E610" and "127.0.0.1" in str(error) and "check that the server runs" in str(error)
    assert SECRET not in str(error) and "postgres:***@" in str(error)


def test_the_password_is_in_no_repr_or_message(postgres_url):
    with PostgresStore(with_password(postgres_url)) as store:
        assert store.ping()
        assert SECRET not in repr(store) and SECRET not in store.url and "***" in repr(store)
    conninfo = f"host=127.0.0.1 port={free_port()} password={SECRET}"
    error = error_of(lambda: PostgresStore(conninfo, timeout=2))
    assert error.code == "E610" and SECRET not in str(error)


def test_without_psycopg_the_error_says_what_to_install(monkeypatch, postgres_url):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now raises ImportError
    error = error_of(lambda: PostgresStore(postgres_url))
    assert error.code == "E611" and "pip install 'empathy-nlu[service]'" in str(error)


@pytest.mark.parametrize(
    "options",
    [{"min_size": 5, "max_size": 2}, {"max_size": 0}, {"min_size": -1}, {"timeout": 0}, {"timeout": True}],
)
def test_out_of_range_options_are_e616(postgres_url, options):
    assert error_of(lambda: PostgresStore(postgres_url, **options)).code == "E616"


def test_a_bad_url_is_e616():
    assert error_of(lambda: PostgresStore(3)).code == "E616"
    assert error_of(lambda: PostgresStore("postgresql://host:notaport/db extra=")).code == "E616"


def test_a_failed_query_is_e612_and_a_busy_pool_e613(fresh_postgres_url):
    with PostgresStore(fresh_postgres_url, max_size=1, timeout=0.5) as store:
        with store._current_pool().connection():  # the only connection is taken
            error = error_of(lambda: store.count())
        assert error.code == "E613" and "raise max_size or timeout" in str(error)
        with psycopg.connect(fresh_postgres_url, autocommit=True) as conn:
            conn.execute("DROP TABLE turns")
        error = error_of(lambda: store.append("c1", Turn("hello")))
        assert error.code == "E612" and "turns" in str(error)


def test_text_postgresql_cannot_hold_is_e605(fresh_postgres_url):
    with PostgresStore(fresh_postgres_url, mask_personal_data=False) as store:
        assert error_of(lambda: store.append("c1", Turn("nul \x00 inside"))).code == "E605"
        assert store.count() == 0 and store.ping()


def test_a_store_survives_the_server_dropping_its_connections(fresh_postgres_url, postgres_server):
    with PostgresStore(fresh_postgres_url, mask_personal_data=False) as store:
        store.append("c1", Turn("before"))
        database = fresh_postgres_url.rsplit("/", 1)[1]
        postgres_server.execute(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
        )
        store.append("c1", Turn("after"))  # the pool replaced the dropped connection
        assert [s.turn.text for s in store.history("c1")] == ["before", "after"]


def test_sqlite_users_never_import_psycopg(tmp_path):
    code = (
        "import sys, empathy_nlu\n"
        "from empathy_nlu.store import open_store\n"
        f"open_store({str(tmp_path / 's.sqlite3')!r}, mask_personal_data=False).close()\n"
        "import empathy_nlu.store.postgres\n"
        "assert not [m for m in sys.modules if m.startswith('psycopg')], sorted(sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
