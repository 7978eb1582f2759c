"""The `empathy-nlu` command end to end: train -> predict -> evaluate -> cross-validate."""

import json
import subprocess
import sys

import pytest

from conftest import DEFAULT_DATA
from empathy_nlu.cli import main


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "model"
    assert main(["-q", "train", str(DEFAULT_DATA), "--out", str(out)]) == 0
    return out


def test_train_prints_a_json_summary(trained, capsys):
    assert main(["-q", "train", str(DEFAULT_DATA), "--out", str(trained)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["n_intents"] >= 31 and summary["n_examples"] >= 600
    assert summary["metrics"]["intent_cross_validation"]["ece"] is not None
    assert (trained / "manifest.json").exists()


def test_train_shows_progress_on_stderr(tmp_path, capsys):
    assert main(["train", str(DEFAULT_DATA), "--out", str(tmp_path / "m")]) == 0
    err = capsys.readouterr().err
    assert "cross-validation: fold 1/3" in err and "saved" in err


def test_predict_texts_as_json_lines(trained, capsys):
    assert main(["predict", "--model", str(trained), "I lost my card", "hello there"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [json.loads(line)["intent"]["name"] for line in lines] == ["lost_or_stolen_card", "greeting"]


def test_predict_with_history_file(trained, tmp_path, capsys):
    history = tmp_path / "history.json"
    history.write_text(json.dumps(["hi", {"text": "how can I help?", "speaker": "agent"}]))
    assert main(["predict", "--model", str(trained), "--history", str(history), "my card got stolen"]) == 0
    assert json.loads(capsys.readouterr().out)["intent"]["name"] == "lost_or_stolen_card"
    broken = tmp_path / "broken.jsonl"
    broken.write_text('"hi"\n{"text": oops}\n')
    assert main(["predict", "--model", str(trained), "--history", str(broken), "x"]) == 2
    assert "broken.jsonl:2" in capsys.readouterr().err


def test_predict_reads_stdin_with_the_default_model():
    """One output line per input line: a blank line is answered too (it used to be skipped, so
    output line N no longer matched input line N)."""
    result = subprocess.run(
        [sys.executable, "-m", "empathy_nlu", "predict"],
        input="my card was stolen\n\nI want to talk to a person\n   \n",
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["intent"]["name"] for line in lines] == [
        "lost_or_stolen_card",
        "out_of_scope",
        "talk_to_human",
        "out_of_scope",
    ]
    assert [line["out_of_scope_reason"] for line in lines[1::2]] == ["empty", "empty"]


def _cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    """The command as a user runs it: bytes in, bytes out (argv may hold bytes that are not UTF-8)."""
    command = [
        sys.executable.encode(),
        b"-m",
        b"empathy_nlu",
        *(a if isinstance(a, bytes) else a.encode() for a in args),
    ]
    return subprocess.run(command, input=stdin, capture_output=True, check=False)


def test_predict_reads_invalid_utf8_on_stdin_and_in_argv_as_replacement_characters(trained):
    """Bytes that are not UTF-8 used to crash inside spaCy (UnicodeEncodeError) or stop the stream."""
    result = _cli("predict", "--model", str(trained), stdin=b"my card \xff\xfe never came\n\xc3\n\nhello\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert [line["text"] for line in lines] == ["my card \ufffd\ufffd never came", "\ufffd", "", "hello"]
    assert b"stdin line 1" in result.stderr and b"stdin line 2" in result.stderr
    result = _cli("predict", "--model", str(trained), b"lost my card \xff")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["text"] == "lost my card \ufffd"
    assert b"argument 1" in result.stderr


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("nan", "E312"),
        ("inf", "E312"),
        ("garbage", "E312"),
        ("0001-01-01", "E315"),
        ("9999-12-31T23:59", "E315"),
    ],
)
def test_predict_refuses_a_bad_reference_time_before_any_output(trained, capsys, value, code):
    """Reproduced: --reference-time 0001-01-01 or 9999-12-31T23:59 ended in a ValueError traceback."""
    assert main(["predict", "--model", str(trained), "--reference-time", value, "tomorrow", "x"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and f"[{code}]" in captured.err and "Traceback" not in captured.err


def test_predict_output_is_strict_json(trained, capsys):
    assert main(["predict", "--model", str(trained), "\ud800 tomorrow", "NaN", "$" * 3000]) == 0
    for line in capsys.readouterr().out.splitlines():
        json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} in the output"))


def test_handle_chat_payloads_with_bad_bytes_and_lone_surrogates(tmp_path):
    store = str(tmp_path / "store.sqlite3")
    bad = _cli("handle", "--channel", "chat", "--customer", "c1", "--store", store, stdin=b'{"text": "\xff"}')
    assert bad.returncode == 2 and b"[E331]" in bad.stderr
    escaped = _cli(
        "handle", "--channel", "chat", "--customer", "c1", "--store", store, stdin=b'{"text": "a \\ud800 b"}'
    )
    assert escaped.returncode == 0, escaped.stderr
    assert json.loads(escaped.stdout)["text"] == "a \ufffd b"
    old = _cli("handle", "--channel", "chat", "--customer", "c1", "--store", store,
               stdin=b'{"text": "hi", "timestamp": "0001-01-01"}')  # fmt: skip
    assert old.returncode == 2 and b"[E340]" in old.stderr


def test_evaluate_writes_the_report(trained, tmp_path, capsys):
    out = tmp_path / "report.json"
    assert main(["-q", "evaluate", "--model", str(trained), str(DEFAULT_DATA), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report == json.loads(capsys.readouterr().out)
    intent = report["intent"]
    assert set(intent) >= {
        "accuracy",
        "macro_f1",
        "in_scope_accuracy",
        "oos_recall",
        "ece",
        "per_intent",
        "confusions",
    }
    assert intent["accuracy"] > 0.9  # its own training data
    assert intent["oos_recall"] is not None and set(report["latency_ms"]) == {"p50", "p99"}


def test_evaluate_without_out_of_scope_rows_reports_null(trained, tmp_path, capsys):
    data = tmp_path / "eval.jsonl"
    data.write_text(
        "\n".join(
            json.dumps({"text": t, "intent": i})
            for t, i in [
                ("i lost my card", "lost_or_stolen_card"),
                ("my card is lost", "lost_or_stolen_card"),
                ("hello", "greeting"),
                ("hi there", "greeting"),
            ]
        )
        + "\n"
    )
    assert main(["-q", "evaluate", "--model", str(trained), str(data)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["intent"]["in_scope_accuracy"] is None and report["intent"]["oos_recall"] is None
    assert report["n"] == 4


def test_cross_validate(capsys):
    assert main(["-q", "cross-validate", str(DEFAULT_DATA), "--folds", "3"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["folds"] == 3 and len(report["per_fold"]) == 3
    assert 0.5 < report["accuracy_mean"] <= 1.0


def test_bad_data_exits_2_naming_file_and_line(tmp_path, capsys):
    data = tmp_path / "bad.jsonl"
    data.write_text('{"text": "hello", "intent": "greeting"}\n{"text": "", "intent": "greeting"}\n')
    assert main(["-q", "train", str(data), "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl:2" in err and "Traceback" not in err
    assert not (tmp_path / "m").exists()


def test_missing_model_and_bad_config_are_clean_errors(tmp_path, capsys):
    assert main(["predict", "--model", str(tmp_path / "nope"), "hi"]) == 2
    assert "E201" in capsys.readouterr().err
    config = tmp_path / "config.yaml"
    config.write_text("intent:\n  C_value: 3\n")
    assert (
        main(["-q", "train", str(DEFAULT_DATA), "--out", str(tmp_path / "m"), "--config", str(config)]) == 2
    )
    assert "unknown config key intent.'C_value'" in capsys.readouterr().err


def test_demo_runs(capsys):
    assert main(["demo", "--json"]) == 0
    predictions = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(predictions) >= 5
    names = {p["intent"]["name"] for p in predictions}
    assert {"duplicate_charge", "talk_to_human", "out_of_scope"} <= names


def test_cross_validate_with_too_few_examples_per_fold(tmp_path, capsys):
    data = tmp_path / "small.jsonl"
    rows = [("hi", "greeting"), ("hello", "greeting"), ("bye", "goodbye"), ("see you", "goodbye")]
    data.write_text("".join(json.dumps({"text": t, "intent": i}) + "\n" for t, i in rows))
    assert main(["-q", "cross-validate", str(data), "--folds", "3"]) == 2
    err = capsys.readouterr().err
    assert "E113" in err and "greeting (2)" in err and "Traceback" not in err


def test_train_refuses_data_over_max_data_mb(tmp_path, capsys):
    code = main(["train", str(DEFAULT_DATA), "--out", str(tmp_path / "m"), "--max-data-mb", "0.001"])
    assert code == 2 and "E127" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()
