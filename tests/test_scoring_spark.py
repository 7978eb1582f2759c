"""`empathy_nlu.spark.score` and `empathy-nlu score --engine spark`: the same rows as the local
engine, on a local[2] session (one per test session: starting Spark costs seconds)."""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("pyspark")
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")

from empathy_nlu import spark as engine  # noqa: E402
from empathy_nlu.cli import main  # noqa: E402
from empathy_nlu.errors import LogError  # noqa: E402
from empathy_nlu.scoring import read_metadata, score_log  # noqa: E402

TEXTS = [
    "my card has not arrived yet",
    "I still have not received my card, this is ridiculous",
    "I want to talk to a real person now",
    "how do I reset my password",
    "thanks, that solved it",
    "please cancel my account, I am leaving",
    "I was charged twice for the same payment",
    "hello",
]


def make_log(n: int = 60) -> list[dict]:
    """Typed UTC timestamps (some equal), a nullable int column, rows without a customer."""
    start = datetime(2024, 3, 1, 9, tzinfo=UTC)
    return [
        {
            "id": i,
            "customer_id": None if i % 13 == 0 else f"c{(i * 7) % 9}",
            "timestamp": start + timedelta(hours=(i * 5) % 17),
            "channel": ["chat", "email", None][i % 3],
            "text": TEXTS[(i * 3) % len(TEXTS)],
            "priority": None if i % 4 == 0 else i % 3,
        }
        for i in range(n)
    ]


@pytest.fixture(scope="session")
def spark():
    session = engine.local_session("local[2]", shuffle_partitions=2)
    yield session
    session.stop()


def rows_by_id(path) -> list[dict]:
    return sorted(pq.read_table(path).to_pylist(), key=lambda row: row["id"])


@pytest.fixture(scope="module")
def log_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("spark") / "log.parquet"
    pq.write_table(pa.Table.from_pylist(make_log()), path)
    return path


def test_spark_gives_the_rows_of_the_local_engine(spark, saved_support_model, log_path, tmp_path):
    local = score_log([log_path], tmp_path / "local.parquet", model=saved_support_model)
    frame = engine.read_log(spark, [log_path])
    scored = engine.score(frame, saved_support_model, batch_size=5)
    out = engine.write_scored(scored, tmp_path / "spark.parquet", {"empathy_nlu.engine": "spark"})
    assert pq.read_schema(tmp_path / "local.parquet").names == pq.read_table(out).schema.names
    assert pq.read_table(out).schema.types == pq.read_schema(tmp_path / "local.parquet").types
    spark_rows, local_rows = rows_by_id(out), rows_by_id(tmp_path / "local.parquet")
    assert spark_rows == local_rows
    assert local.rows == len(spark_rows) and any(row["repeat_contact"] for row in spark_rows)
    assert read_metadata(out) == {"engine": "spark"}


def test_without_a_customer_column_and_from_csv(spark, saved_support_model, tmp_path):
    import pyarrow.csv as pacsv

    log = [{k: v for k, v in row.items() if k != "customer_id"} for row in make_log(24)]
    for row in log:
        row["timestamp"] = row["timestamp"].isoformat()
    pacsv.write_csv(pa.Table.from_pylist(log), tmp_path / "log.csv")
    score_log([tmp_path / "log.csv"], tmp_path / "local.parquet", model=saved_support_model)
    scored = engine.score(engine.read_log(spark, [tmp_path / "log.csv"]), saved_support_model)
    out = engine.write_scored(scored, tmp_path / "spark.parquet", {})
    key = lambda row: int(row["id"])  # noqa: E731 - CSV ids are text
    assert sorted(pq.read_table(out).to_pylist(), key=key) == sorted(
        pq.read_table(tmp_path / "local.parquet").to_pylist(), key=key
    )


def test_a_bad_timestamp_in_a_worker_is_one_log_error(spark, saved_support_model, tmp_path):
    frame = spark.createDataFrame(
        [("1", "a", "2024-03-01T09:00:00Z", "hi"), ("2", "a", "the day after", "card")],
        "id string, customer_id string, timestamp string, text string",
    )
    with pytest.raises(LogError) as caught:
        engine.write_scored(engine.score(frame, saved_support_model), tmp_path / "out.parquet", {})
    assert caught.value.code == "E802"
    assert "'the day after'" in str(caught.value) and "id='2'" in str(caught.value)
    assert not (tmp_path / "out.parquet").exists() and list(tmp_path.iterdir()) == []
    with pytest.raises(LogError) as caught:
        engine.score(frame, saved_support_model, text_column="body")
    assert caught.value.code == "E801" and "id, customer_id, timestamp, text" in str(caught.value)


def test_the_workers_get_the_model_path_not_the_model(saved_support_model, log_path):
    import cloudpickle

    job = engine._Job(str(saved_support_model), engine.Columns(), ("id", "text"), "as_is", 8)
    shipped = cloudpickle.dumps(functools.partial(engine._score_group, job))
    assert len(shipped) < 4000 and b"Classifier" not in shipped
    assert engine._classifier(str(saved_support_model)) is engine._classifier(str(saved_support_model))


def test_cli_with_the_spark_engine(spark, saved_support_model, log_path, tmp_path, capsys):
    out = tmp_path / "scored.parquet"
    args = [
        "score",
        str(log_path),
        "--out",
        str(out),
        "--engine",
        "spark",
        "--model",
        str(saved_support_model),
    ]
    assert main([*args, "--spark-master", "local[2]"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows"] == len(make_log()) and summary["engine"] == "spark"
    assert summary["customers"] == len({row["customer_id"] for row in make_log() if row["customer_id"]})
    assert out.is_dir() and read_metadata(out)["model_path"] == str(saved_support_model)
    assert pq.read_table(out).num_rows == summary["rows"]
    assert not spark.sparkContext._jsc.sc().isStopped()  # the command leaves a caller's session running
