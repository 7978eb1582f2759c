"""`empathy-nlu score` and `empathy_nlu.scoring`: contact logs scored message by message with the
customer's earlier messages as history, exactly as `Classifier.predict` answers each one."""

from __future__ import annotations

import json
import random

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from empathy_nlu.cli import main
from empathy_nlu.errors import LogError
from empathy_nlu.schema import Turn
from empathy_nlu.scoring import PREDICTION_COLUMNS, Columns, moment, read_metadata, score_log
from empathy_nlu.scoring.columns import flat
from empathy_nlu.scoring.rows import sort_key

TEXTS = [
    "my card has not arrived yet",
    "I still have not received my card, this is ridiculous",
    "I want to talk to a real person now",
    "how do I reset my password",
    "thanks, that solved it",
    "please cancel my account, I am leaving",
    "I was charged twice for the same payment",
    "can I get a refund",
    "hello",
    "where is my money? I sent it on Monday",
]
CHANNELS = ["chat", "email", "sms", "voice", None]


def make_log(n: int = 48, seed: int = 3) -> list[dict]:
    """Customers of 1-8 messages over a few days, some at the same second (ties), a few alone."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        customer = None if i % 11 == 0 else f"c{rng.randrange(8)}"
        day, hour = rng.randrange(1, 6), rng.choice([9, 9, 10, 14])
        records.append(
            {
                "id": i,
                "customer_id": customer,
                "timestamp": f"2024-03-0{day}T{hour:02d}:00:00+00:00",
                "channel": rng.choice(CHANNELS),
                "text": rng.choice(TEXTS),
                "note": f"n{i}",
            }
        )
    return records


def write_jsonl(path, records) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return str(path)


def write_parquet(path, records) -> str:
    pq.write_table(pa.Table.from_pylist(records), path)
    return str(path)


def write_csv(path, records) -> str:
    pacsv.write_csv(pa.Table.from_pylist(records), path)
    return str(path)


def scored(path) -> list[dict]:
    return sorted(pq.read_table(path).to_pylist(), key=lambda row: int(row["id"]))


def expected(classifier, records) -> dict[int, tuple]:
    """Each record predicted alone with `predict`, its customer's earlier records as history."""
    times = [moment(r["timestamp"], "test") for r in records]
    order = sorted(range(len(records)), key=lambda i: (sort_key(times[i]), i))
    out = {}
    for i in order:
        r = records[i]
        earlier = [
            j
            for j in order[: order.index(i)]
            if r["customer_id"] and records[j]["customer_id"] == r["customer_id"]
        ]
        history = [
            Turn(
                text=records[j]["text"], speaker="customer", channel=records[j]["channel"], timestamp=times[j]
            )
            for j in earlier
        ]
        prediction = classifier.predict(
            r["text"], history=history, reference_time=times[i], channel=r["channel"]
        )
        out[r["id"]] = flat(prediction)
    return out


def predictions(row: dict) -> tuple:
    return tuple(row[name] for name in PREDICTION_COLUMNS)


@pytest.fixture(scope="module")
def log():
    return make_log()


@pytest.fixture(scope="module")
def truth(support_model, log):
    return expected(support_model, log)


def test_rows_equal_predict_with_the_customers_earlier_messages(support_model, log, truth, tmp_path):
    summary = score_log(
        [write_parquet(tmp_path / "log.parquet", log)],
        tmp_path / "out.parquet",
        classifier=support_model,
        batch_size=7,
    )
    rows = scored(tmp_path / "out.parquet")
    assert [row["id"] for row in rows] == [r["id"] for r in log]
    for row in rows:
        assert predictions(row) == truth[row["id"]], row["id"]
    assert summary.rows == len(log)
    assert summary.customers == len({r["customer_id"] for r in log if r["customer_id"]})
    # every input column is kept, then the prediction columns in their fixed order
    assert pq.read_schema(tmp_path / "out.parquet").names == [*log[0], *PREDICTION_COLUMNS]
    assert any(row["repeat_contact"] for row in rows)


@pytest.mark.parametrize("writer", [write_csv, write_jsonl, write_parquet], ids=["csv", "jsonl", "parquet"])
def test_each_reader(support_model, log, truth, tmp_path, writer):
    suffix = {"write_csv": ".csv", "write_jsonl": ".jsonl", "write_parquet": ".parquet"}[writer.__name__]
    path = writer(tmp_path / f"log{suffix}", log)
    score_log([path], tmp_path / "out.parquet", classifier=support_model)
    rows = scored(tmp_path / "out.parquet")
    assert [int(row["id"]) for row in rows] == [r["id"] for r in log]
    assert all(predictions(row) == truth[int(row["id"])] for row in rows)
    assert [row["note"] for row in rows] == [r["note"] for r in log]
    if writer is write_csv:  # CSV columns are text, and an empty field is null
        assert rows[0]["id"] == "0" and {row["channel"] for row in rows} == {*CHANNELS}


def test_a_shuffled_log_gives_the_same_rows(support_model, log, tmp_path):
    score_log(
        [write_parquet(tmp_path / "a.parquet", log)], tmp_path / "a_out.parquet", classifier=support_model
    )
    shuffled = random.Random(7).sample(log, len(log))
    # ties in time keep input order: keep the relative order of same-time messages of a customer
    key = {r["id"]: i for i, r in enumerate(log)}
    shuffled.sort(key=lambda r: (r["customer_id"] or "", r["timestamp"], key[r["id"]]))
    score_log(
        [write_parquet(tmp_path / "b.parquet", shuffled)],
        tmp_path / "b_out.parquet",
        classifier=support_model,
    )
    assert scored(tmp_path / "a_out.parquet") == scored(tmp_path / "b_out.parquet")


def test_ties_keep_input_order_and_repeat_contact_comes_from_history(support_model, tmp_path):
    log = [
        {"id": 1, "customer_id": "x", "timestamp": "2024-03-01T09:00:00Z", "text": "my card has not arrived"},
        {"id": 2, "customer_id": "x", "timestamp": "2024-03-01T09:00:00Z", "text": "hello"},
        {
            "id": 3,
            "customer_id": "x",
            "timestamp": "2024-03-02T09:00:00Z",
            "text": "my card still has not arrived",
        },
        {"id": 0, "customer_id": "y", "timestamp": "2024-03-02T09:00:00Z", "text": "my card has not arrived"},
    ]
    score_log([write_jsonl(tmp_path / "log.jsonl", log)], tmp_path / "out.parquet", classifier=support_model)
    rows = {row["id"]: row for row in scored(tmp_path / "out.parquet")}
    assert [rows[i]["repeat_contact_count"] for i in (1, 2, 3, 0)] == [0, 0, 1, 0]
    assert rows[3]["repeat_contact"] is True and rows[3]["need"] == "card_not_arrived"
    assert rows[2]["need"] == "card_not_arrived"  # "hello" at the same second came after the card
    assert rows[0]["repeat_contact"] is False  # another customer's messages are not history
    want = expected(support_model, [{**r, "channel": None} for r in log])
    assert all(predictions(row) == want[i] for i, row in rows.items())


def test_bounded_memory_path_equals_the_in_memory_path(support_model, log, tmp_path):
    path = write_jsonl(tmp_path / "log.jsonl", log)
    whole = score_log([path], tmp_path / "whole.parquet", classifier=support_model)
    spilled = score_log(
        [path],
        tmp_path / "spilled.parquet",
        classifier=support_model,
        bucket_rows=5,
        read_rows=4,
        batch_size=3,
        temp_dir=tmp_path,
    )
    assert whole.buckets == 1 and spilled.buckets > 5
    assert scored(tmp_path / "spilled.parquet") == scored(tmp_path / "whole.parquet")
    assert spilled.customers == whole.customers
    assert not list(tmp_path.glob(".empathy-score-*"))  # the buckets are removed


def test_without_a_customer_column_each_row_is_scored_alone(support_model, log, tmp_path):
    alone = [{k: v for k, v in r.items() if k != "customer_id"} for r in log]
    score_log(
        [write_parquet(tmp_path / "log.parquet", alone)],
        tmp_path / "out.parquet",
        classifier=support_model,
        bucket_rows=10,
        read_rows=8,
    )
    rows = scored(tmp_path / "out.parquet")
    want = expected(support_model, [{**r, "customer_id": None} for r in log])
    assert all(predictions(row) == want[row["id"]] for row in rows)
    assert not any(row["repeat_contact"] for row in rows)


def test_typed_and_epoch_timestamps(support_model, tmp_path):
    from datetime import UTC, datetime

    stamps = [datetime(2024, 3, 1, 9, tzinfo=UTC), datetime(2024, 3, 2, 9, tzinfo=UTC)]
    log = [{"id": i, "customer_id": "x", "timestamp": t, "text": TEXTS[i]} for i, t in enumerate(stamps)]
    score_log(
        [write_parquet(tmp_path / "typed.parquet", log)], tmp_path / "a.parquet", classifier=support_model
    )
    epochs = [{**r, "timestamp": r["timestamp"].timestamp()} for r in log]
    score_log(
        [write_jsonl(tmp_path / "epoch.jsonl", epochs)], tmp_path / "b.parquet", classifier=support_model
    )
    a, b = scored(tmp_path / "a.parquet"), scored(tmp_path / "b.parquet")
    assert [predictions(r) for r in a] == [predictions(r) for r in b]
    assert a[1]["repeat_contact_count"] == 1


def test_jsonl_keys_that_appear_later_and_metadata(support_model, tmp_path):
    log = [{"id": i, "timestamp": "2024-03-01T09:00:00", "text": "hello"} for i in range(6)]
    log[4]["channel"] = "sms"
    log[5]["extra"] = {"a": 1}
    path = write_jsonl(tmp_path / "log.jsonl", log)
    score_log([path], tmp_path / "out.parquet", classifier=support_model, read_rows=2, bucket_rows=2)
    rows = scored(tmp_path / "out.parquet")
    assert [row["extra"] for row in rows] == [None] * 5 + [{"a": 1}]
    meta = read_metadata(tmp_path / "out.parquet")
    assert json.loads(meta["columns"])["customer"] is None and meta["engine"] == "local"
    assert len(meta["model_id"]) == 16 and meta["scored_at"].startswith("20")


# -- bad input: one clear LogError, naming the column, file and row ------------------------------------
def _fails(tmp_path, model, path, code, *parts, **options) -> LogError:
    with pytest.raises(LogError) as caught:
        score_log([path], tmp_path / "out.parquet", classifier=model, **options)
    assert caught.value.code == code
    for part in parts:
        assert part in str(caught.value)
    return caught.value


def test_missing_columns_are_named_with_the_columns_present(support_model, log, tmp_path):
    path = write_parquet(tmp_path / "log.parquet", [{k: v for k, v in r.items() if k != "text"} for r in log])
    _fails(tmp_path, support_model, path, "E801", "'text'", "customer_id, timestamp, channel, note")
    good = write_parquet(tmp_path / "good.parquet", log)
    columns = Columns(customer="client", required=frozenset({"text", "timestamp", "customer"}))
    _fails(tmp_path, support_model, good, "E801", "'client'", "--customer-column", columns=columns)


def test_unparseable_and_empty_timestamps_name_file_row_and_value(support_model, log, tmp_path):
    bad = [dict(r) for r in log]
    bad[30]["timestamp"] = "last tuesday"
    path = write_csv(tmp_path / "log.csv", bad)
    _fails(tmp_path, support_model, path, "E802", "log.csv: row 31", "'last tuesday'")
    bad[30]["timestamp"] = None
    path = write_jsonl(tmp_path / "log.jsonl", [{}] * 0 + bad)
    _fails(tmp_path, support_model, path, "E802", "log.jsonl:31", "empty", read_rows=8)
    bad[30]["timestamp"] = "1850-01-01T00:00:00"
    _fails(tmp_path, support_model, write_jsonl(tmp_path / "old.jsonl", bad), "E802", "old.jsonl:31", "1850")


def test_empty_unreadable_and_unknown_logs(support_model, tmp_path):
    (tmp_path / "empty.csv").write_text("id,timestamp,text\n", "utf-8")
    _fails(tmp_path, support_model, str(tmp_path / "empty.csv"), "E803", "no rows")
    (tmp_path / "broken.jsonl").write_text('{"text": "hi", "timestamp": 0}\n{"text": \n', "utf-8")
    _fails(tmp_path, support_model, str(tmp_path / "broken.jsonl"), "E804", "broken.jsonl:2")
    (tmp_path / "log.txt").write_text("text\nhi\n", "utf-8")
    _fails(tmp_path, support_model, str(tmp_path / "log.txt"), "E805", "--format")
    _fails(tmp_path, support_model, str(tmp_path / "absent.csv"), "E804", "no such file")
    (tmp_path / "fake.parquet").write_bytes(b"not parquet at all")
    _fails(tmp_path, support_model, str(tmp_path / "fake.parquet"), "E804", "fake.parquet")


def test_wrong_types_and_prediction_column_clash(support_model, tmp_path):
    numbers = [{"id": 1, "timestamp": "2024-03-01T09:00:00Z", "text": 42}]
    _fails(tmp_path, support_model, write_jsonl(tmp_path / "n.jsonl", numbers), "E808", "'text'", "int64")
    clash = [{"id": 1, "timestamp": "2024-03-01T09:00:00Z", "text": "hi", "intent": "greeting"}]
    _fails(tmp_path, support_model, write_jsonl(tmp_path / "c.jsonl", clash), "E809", "intent")
    late = [{"id": i, "timestamp": "2024-03-01T09:00:00Z", "text": "hi"} for i in range(5)] + clash
    _fails(tmp_path, support_model, write_jsonl(tmp_path / "l.jsonl", late), "E809", "l.jsonl:5", read_rows=2)
    mixed = [
        {"id": 1, "timestamp": "2024-03-01T09:00:00Z", "text": "hi"},
        {"id": "two", "timestamp": 0, "text": "x"},
    ]
    _fails(tmp_path, support_model, write_jsonl(tmp_path / "m.jsonl", mixed), "E807", "m.jsonl")


def test_a_failed_run_leaves_the_old_output_and_no_temporary_file(support_model, log, tmp_path):
    out = tmp_path / "out.parquet"
    out.write_bytes(b"old output")
    bad = [dict(r) for r in log]
    bad[-1]["timestamp"] = "soon"
    with pytest.raises(LogError):
        score_log(
            [write_parquet(tmp_path / "log.parquet", bad)],
            out,
            classifier=support_model,
            bucket_rows=4,
            read_rows=4,
        )
    assert out.read_bytes() == b"old output"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.parquet", "out.parquet"]
    with pytest.raises(LogError) as caught:
        score_log([str(tmp_path / "log.parquet")], tmp_path / "no" / "out.parquet", classifier=support_model)
    assert caught.value.code == "E806"


# -- the command line ---------------------------------------------------------------------------------
def test_cli_end_to_end(saved_support_model, log, tmp_path, capsys):
    path = write_csv(tmp_path / "log.csv", log)
    out = tmp_path / "scored.parquet"
    code = main(["score", path, "--out", str(out), "--model", str(saved_support_model), "--batch-size", "16"])
    captured = capsys.readouterr()
    assert code == 0
    summary = json.loads(captured.out)
    assert summary["rows"] == len(log) and summary["out"] == str(out) and summary["rows_per_s"] > 0
    assert summary["customers"] == len({r["customer_id"] for r in log if r["customer_id"]})
    assert "scor" in captured.err
    assert pq.read_table(out).num_rows == len(log)
    assert read_metadata(out)["model_path"] == str(saved_support_model)

    assert main(["--quiet", "score", path, "--out", str(out), "--model", str(saved_support_model)]) == 0
    assert capsys.readouterr().err == ""
    code = main(
        ["score", path, "--out", str(out), "--text-column", "body", "--model", str(saved_support_model)]
    )
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.startswith("error: [E801]") and captured.err.count("\n") == 1
    assert main(["score", path, "--out", str(out), "--batch-size", "0"]) == 2
    assert "[E812]" in capsys.readouterr().err


def test_prediction_columns_are_the_values_of_to_dict(support_model, log, truth):
    """`flat` reads the few fields it needs; each value is the one `to_dict()` gives at its key."""
    from empathy_nlu.scoring.columns import SOURCES

    assert tuple(SOURCES) == PREDICTION_COLUMNS
    history = [Turn(text=t, channel="chat") for t in TEXTS[:3]]
    for text in TEXTS:
        prediction = support_model.predict(text, history=history, reference_time="2024-03-05T10:00:00Z")
        d = prediction.to_dict()
        for name, value in zip(PREDICTION_COLUMNS, flat(prediction), strict=True):
            source = d
            for key in SOURCES[name].split("."):
                source = source[key]
            assert value == (json.dumps(source, ensure_ascii=False) if name == "entities" else source), name


def test_importing_the_scoring_modules_loads_neither_pyspark_nor_pandas():
    import subprocess
    import sys

    code = (
        "import sys, empathy_nlu.spark, empathy_nlu.scoring, empathy_nlu.cli.score\n"
        "print(sorted(m for m in ('pyspark', 'pandas', 'pyarrow') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
