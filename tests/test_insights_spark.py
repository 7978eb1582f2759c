"""The Spark engine (local[2]) gives the same insights.json as the local engine on the same log,
apart from the ``run`` block (engine and timings)."""

from __future__ import annotations

import json

import pytest

from empathy_nlu.insights import InsightOptions, build_insights
from empathy_nlu.insights.build import comparable

pytest.importorskip("pyspark")


@pytest.fixture(scope="module")
def spark():
    from empathy_nlu.insights.engine_spark import local_session

    session = local_session("local[2]")
    yield session
    session.stop()


def _both(paths, options: InsightOptions, model, spark) -> tuple[dict, dict]:
    local = build_insights(paths, options, model=model)
    from empathy_nlu.insights.build import build_insights as build

    remote = build(paths, InsightOptions(**{**options.__dict__, "engine": "spark"}), model=model, spark=spark)
    return local, remote


@pytest.mark.parametrize("period", ["week"])
def test_spark_gives_the_same_insights_as_local(tmp_path, support_model, spark, period):
    from test_insights import contact_rows, write_log

    rows = contact_rows()
    half = len(rows) // 2  # two files, as a Spark job or a daily export would write them
    paths = [write_log(rows[:half], tmp_path / "a.parquet"), write_log(rows[half:], tmp_path / "b.parquet")]
    local, remote = _both(paths, InsightOptions(period=period), support_model, spark)
    assert remote["run"]["engine"] == "spark" and local["run"]["engine"] == "local"
    assert json.dumps(comparable(local), sort_keys=True) == json.dumps(comparable(remote), sort_keys=True)
    assert local["emerging"] and local["candidate_intents"]  # the comparison covers real content


def test_spark_reads_text_timestamps_and_folders(tmp_path, support_model, spark):
    from test_insights import contact_rows, write_log

    folder = tmp_path / "log"
    folder.mkdir()
    rows = [r | {"timestamp": r["timestamp"].isoformat()} for r in contact_rows()]
    write_log(rows, folder / "part-0.parquet")
    local, remote = _both([folder], InsightOptions(period="month"), support_model, spark)
    assert comparable(local) == comparable(remote)
