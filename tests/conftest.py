"""Shared fixtures: paths, and one small model trained once per session on the project's data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from empathy_nlu import Classifier, Example

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DEFAULT_DATA = ROOT / "data" / "support.yaml"
SENTIMENT_DATA = ROOT / "data" / "sentiment.jsonl"
DIALOGUE_DATA = ROOT / "data" / "dialogues.jsonl"
LANGUAGES_DATA = [ROOT / "data" / f"support_{lang}.yaml" for lang in ("zh", "ja", "ko", "es", "ar")]
# What `make default-model` trains the bundled model on, in the Makefile's order.
DEFAULT_MODEL_DATA = [DEFAULT_DATA, *LANGUAGES_DATA, SENTIMENT_DATA, DIALOGUE_DATA]


def read_jsonl(path: Path, limit_per_intent: int | None = None) -> list[Example]:
    counts: dict[str, int] = {}
    examples = []
    for line in path.read_text("utf-8").splitlines():
        row = json.loads(line)
        counts[row["intent"]] = counts.get(row["intent"], 0) + 1
        if limit_per_intent is None or counts[row["intent"]] <= limit_per_intent:
            examples.append(Example(text=row["text"], intent=row["intent"]))
    return examples


def shared(name: str) -> Path:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"benchmark data {path} not present")
    return path


@pytest.fixture(scope="session")
def support_model() -> Classifier:
    """A model trained on the project's own data/ (about a second)."""
    return Classifier.train(DEFAULT_DATA)


@pytest.fixture(scope="session")
def saved_support_model(support_model, tmp_path_factory) -> Path:
    return support_model.save(tmp_path_factory.mktemp("models") / "support")


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server for the session (tests/postgres_server.py). Without the server
    binaries it fails, never skips: CI installs them (.ci/run), so a skip would hide a lost backend."""
    from postgres_server import PostgresServer, PostgresUnavailable

    try:
        server = PostgresServer().start()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server) -> str:
    """The URL of one database that the session's tests share."""
    return postgres_server.create_database("empathy_nlu_tests")


@pytest.fixture
def fresh_postgres_url(postgres_server):
    """The URL of a new, empty database for one test (about 0.1 s), dropped after it."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)


# Modules and tests that train on benchmark data, load the sentence encoder, start processes or run
# notebooks: `make test-fast` (pytest -m "not slow") leaves them out; `make test` runs everything.
SLOW_MODULES = {
    "test_notebook",
    "test_embeddings",
    "test_startup",
    "test_same_answer",
    "test_config_keys",
    "test_dialogue_data",
    "test_default_data",
    "test_sentiment_data",
    "test_service_http",
    "test_service_operations",
    "test_service_schema",
    "test_scoring_spark",
    "test_insights_spark",
    "test_insights_report",
}
SLOW_NAMES = ("nlupp", "cross_validate", "concurrent", "banking77", "bundled_default_model", "8_threads")


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1]
        if module in SLOW_MODULES or any(name in item.name for name in SLOW_NAMES):
            item.add_marker(pytest.mark.slow)


def cpu_seconds(call, *args) -> float:
    """CPU seconds of ``call(*args)`` with the garbage collector paused: the linear-time checks measure
    the algorithm, and a full collection of a long test session's heap (half a second) landing in one
    of two timed calls made them fail on a loaded machine."""
    import gc
    import time

    gc.collect()
    gc.disable()
    try:
        started = time.process_time()
        call(*args)
        return time.process_time() - started
    finally:
        gc.enable()
