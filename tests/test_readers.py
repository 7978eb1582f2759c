"""Every reader on small fixture files, plus real reads of the shared benchmark data when present."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from empathy_nlu.dataset import FORMATS, load_data, load_many, parse_annotated
from empathy_nlu.errors import DataError, DataWarning
from empathy_nlu.schema import EntitySpan

FIXTURES = Path(__file__).parent / "fixtures" / "readers"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"shared benchmark data not found at {SHARED} (optional)"
)


def surfaces(example) -> list[tuple[str, str, str | None]]:
    return [(span.entity, example.text[span.start : span.end], span.value) for span in example.entities]


def line_of(example) -> int:
    return int(example.source.rsplit(":", 1)[1])


# --- inline annotations ---------------------------------------------------------------------------


def test_annotation_markdown_form_gives_offsets_into_plain_text():
    text, spans = parse_annotated("send it to [Porto](city) by [Friday](date)")
    assert text == "send it to Porto by Friday"
    assert spans == (EntitySpan("city", 11, 16, "Porto"), EntitySpan("date", 20, 26, "Friday"))


def test_annotation_json_form_keeps_normalized_value():
    text, spans = parse_annotated('top up my [mastercard]{"entity": "card_type", "value": "MASTERCARD"} now')
    assert text == "top up my mastercard now"
    assert spans == (EntitySpan("card_type", 10, 20, "MASTERCARD"),)


def test_annotation_escaped_brackets_are_literal_text():
    assert parse_annotated(r"error code \[E42\] on [login](page)") == (
        "error code [E42] on login",
        (EntitySpan("page", 20, 25, "login"),),
    )


def test_annotation_plain_text_is_returned_unchanged():
    assert parse_annotated("nothing to see here (really)") == ("nothing to see here (really)", ())


# --- empathy YAML -------------------------------------------------------------------------------


def test_yaml_reader_reads_examples_entities_and_lines():
    data = load_data(FIXTURES / "support.yaml")
    by_text = {ex.text: ex for ex in data.examples}
    assert len(data.examples) == 8
    assert {ex.intent for ex in data.examples} == {"lost_or_stolen_card", "deny", "refund_request"}
    card = by_text["I lost my card ending 4821"]
    assert surfaces(card) == [("card_last4", "4821", "4821")]
    assert line_of(card) == 7
    assert card.source == f"{FIXTURES / 'support.yaml'}:7"
    shout = by_text["WHERE IS MY CARD!!"]
    assert (shout.sentiment, shout.channel, line_of(shout)) == ("negative", "chat", 8)
    wallet = by_text["Someone took my wallet with the debit card inside"]
    assert surfaces(wallet) == [("card_type", "debit", "DEBIT")]
    refund = by_text["Please refund the double charge from Tuesday, thanks"]
    assert (refund.sentiment, line_of(refund), surfaces(refund)) == (
        "neutral",
        19,
        [("date", "Tuesday", "Tuesday")],
    )
    assert "The item arrived broken [photo attached], refund please" in by_text


def test_yaml_scalars_are_taken_as_written():
    data = load_data(FIXTURES / "support.yaml")
    no = [ex for ex in data.examples if ex.intent == "deny"][0]
    assert no.text == "no"  # plain yaml.safe_load would have made it False
    assert line_of(no) == 14


def test_yaml_extension_detects_rasa_and_format_can_force_it():
    auto = load_data(FIXTURES / "rasa_nlu.yml")
    forced = load_data(FIXTURES / "rasa_nlu.yml", format="rasa")
    assert [ex.text for ex in auto.examples] == [ex.text for ex in forced.examples]
    with pytest.raises(DataError, match="format='rasa'") as err:
        load_data(FIXTURES / "rasa_nlu.yml", format="yaml")
    assert err.value.code == "E110"


# --- Rasa NLU YAML --------------------------------------------------------------------------------


def test_rasa_reader_reads_intents_and_skips_other_items():
    data = load_data(FIXTURES / "rasa_nlu.yml")
    got = [(ex.intent, ex.text, line_of(ex)) for ex in data.examples]
    assert got == [
        ("greet", "hello there", 5),
        ("greet", "good evening, anyone around?", 6),
        ("check_balance", "what is left in my savings account", 13),
        ("check_balance", "how much money is in checking", 14),
        ("check_balance", "balance please", 16),
        ("goodbye", "see you later", 27),
        ("goodbye", "bye for now", 30),
    ]
    assert "Lisbon" not in {ex.text for ex in data.examples}  # lookup tables are skipped
    savings, checking = data.examples[2], data.examples[3]
    assert surfaces(savings) == [("account", "savings", "savings")]
    assert surfaces(checking) == [("account", "checking", "checking")]


# --- JSONL ----------------------------------------------------------------------------------------


def test_jsonl_utterances_with_entities_intents_and_sentiment():
    data = load_data(FIXTURES / "utterances.jsonl")
    assert not data.dialogues
    parcel, package, multi, thanks, cancel, stop = data.examples
    assert parcel.intent == "track_order" and parcel.channel == "email"
    # the date has no "value": it defaults to the surface text
    assert surfaces(parcel) == [("city", "Lyon", "Lyon"), ("date", "Monday", "Monday")]
    assert package.sentiment == "neutral"
    assert multi.intent is None and multi.intents == ("cancel_order", "refund_request")
    assert (thanks.intent, thanks.sentiment, thanks.channel) == (None, "positive", "social")
    assert [line_of(ex) for ex in data.examples] == [1, 2, 4, 5, 6, 7]  # line 3 is blank
    assert surfaces(cancel) == [("order_id", "5521", "5521")]
    assert (stop.intent, stop.entities) == ("cancel_order", ())


def test_jsonl_dialogues_become_dialogue_objects():
    data = load_data(FIXTURES / "dialogues.jsonl")
    assert not data.examples
    first, second = data.dialogues
    assert first.id == "chat-001" and second.id == "dialogues-2"  # default id: file stem and line
    assert [t.speaker for t in first.turns] == ["customer", "agent", "customer"]
    assert first.turns[0].timestamp == datetime(2024, 5, 1, 14, 3, tzinfo=UTC)
    assert second.turns[1].timestamp == datetime(2024, 5, 2, 9, 0, tzinfo=timezone(timedelta(hours=2)))
    assert first.turns[0].channel == "chat"
    labelled = data.intent_examples()
    assert [ex.intent for ex in labelled] == ["card_declined"] * 2 + ["update_address"] * 2
    assert labelled[0].source == f"{FIXTURES / 'dialogues.jsonl'}:1 turn 0"


def test_jsonl_text_and_label_columns_can_be_renamed(tmp_path):
    path = tmp_path / "renamed.jsonl"
    rows = [{"utterance": "reset my pin", "label": "pin"}, {"utterance": "new pin please", "label": "pin"}]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    data = load_data(path, text_column="utterance", label_column="label")
    assert [(ex.text, ex.intent) for ex in data.examples] == [
        ("reset my pin", "pin"),
        ("new pin please", "pin"),
    ]


def test_json_array_reader_reads_nlupp_style_slots():
    data = load_data(FIXTURES / "records.json")
    move, spa, table = data.examples
    assert move.intents == ("change", "booking")
    assert surfaces(move) == [("date", "Friday", '{"day":18,"month":3,"year":2022}')]
    assert spa.entities == ()
    assert (table.intents, surfaces(table)) == (("booking", "restaurant"), [("people", "two", "2")])
    assert [line_of(ex) for ex in data.examples] == [2, 9, 13]


# --- CSV ------------------------------------------------------------------------------------------


def test_csv_reader_with_bom_quoted_newline_and_columns():
    data = load_data(FIXTURES / "tickets.csv", text_column="subject", label_column="category")
    assert [(ex.intent, ex.channel, line_of(ex)) for ex in data.examples] == [
        ("login_problem", "email", 2),
        ("login_problem", "chat", 3),
        ("billing", "phone", 4),
        ("billing", None, 6),  # the quoted cell of line 4 spans two lines
    ]
    assert data.examples[0].text == "Cannot log in, password reset email never came"
    assert data.examples[2].text == "Charged twice for one\nsubscription"


def test_csv_without_labels():
    data = load_data(FIXTURES / "tickets.csv", text_column="subject", label_column=None)
    assert len(data.examples) == 4 and all(ex.intent is None for ex in data.examples)


# --- load_many ------------------------------------------------------------------------------------


def test_load_many_concatenates_then_validates_once(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        '{"text": "freeze my card", "intent": "freeze_card"}\n', encoding="utf-8"
    )
    (tmp_path / "b.csv").write_text("text,intent\nplease block my card now,freeze_card\n", encoding="utf-8")
    with pytest.raises(DataError) as err:  # one example alone is too few...
        load_data(tmp_path / "a.jsonl")
    assert err.value.code == "E105"
    data = load_many([tmp_path / "a.jsonl", tmp_path / "b.csv"])  # ...but the union is fine
    assert [ex.text for ex in data.examples] == ["freeze my card", "please block my card now"]
    assert data.sources == [str(tmp_path / "a.jsonl"), str(tmp_path / "b.csv")]


def test_load_many_finds_conflicts_across_files(tmp_path):
    rows_a = [("Card blocked", "card_blocked"), ("my card is frozen", "card_blocked")]
    rows_b = [("card  BLOCKED", "card_declined"), ("declined again", "card_declined")]
    for name, rows in (("a.jsonl", rows_a), ("b.jsonl", rows_b)):
        lines = [json.dumps({"text": text, "intent": intent}) for text, intent in rows]
        (tmp_path / name).write_text("\n".join(lines), encoding="utf-8")
    with pytest.warns(DataWarning, match="card_blocked"):
        load_many([tmp_path / "a.jsonl", tmp_path / "b.jsonl"])


def test_formats_constant_lists_every_reader():
    assert set(FORMATS) == {"yaml", "rasa", "jsonl", "json", "csv", "hf"}


# --- Hugging Face datasets (local files only) -----------------------------------------------------


def test_datasets_is_imported_only_when_needed():
    code = "import sys; from empathy_nlu.dataset import load_data; load_data(sys.argv[1]); "
    code += "print('datasets' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code, str(FIXTURES / "support.yaml")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"


@pytest.fixture
def offline_hf(tmp_path, monkeypatch):
    """``datasets`` in offline mode with its cache in a temporary folder."""
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    datasets = pytest.importorskip("datasets")
    import huggingface_hub.constants

    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True, raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf_cache")
    datasets.disable_progress_bars()
    yield datasets
    datasets.enable_progress_bars()


def _labelled_dataset(datasets):
    features = datasets.Features(
        {"sentence": datasets.Value("string"), "label": datasets.ClassLabel(names=["balance", "transfer"])}
    )
    return datasets.Dataset.from_dict(
        {
            "sentence": [
                "what's my balance",
                "send 20 euros to Ana",
                "how much is left",
                "move money to savings",
            ],
            "label": [0, 1, 0, 1],
        },
        features=features,
    )


def test_hf_dataset_object_maps_class_labels(offline_hf):
    data = load_data(_labelled_dataset(offline_hf), text_column="sentence", label_column="label")
    assert [ex.intent for ex in data.examples] == ["balance", "transfer", "balance", "transfer"]
    assert data.examples[1].text == "send 20 euros to Ana"
    assert data.examples[1].source.endswith("record 1")


def test_hf_dataset_dict_picks_the_split(offline_hf):
    dd = offline_hf.DatasetDict(
        {"train": _labelled_dataset(offline_hf), "test": _labelled_dataset(offline_hf)}
    )
    data = load_data(dd, split="test", text_column="sentence", label_column="label")
    assert len(data.examples) == 4
    with pytest.raises(DataError, match="'train', 'test'|train, test") as err:
        load_data(dd, split="validation", text_column="sentence", label_column="label")
    assert err.value.code == "E109"


def test_hf_save_to_disk_directory_is_detected(offline_hf, tmp_path):
    _labelled_dataset(offline_hf).save_to_disk(str(tmp_path / "saved"))
    data = load_data(tmp_path / "saved", text_column="sentence", label_column="label")
    assert [ex.intent for ex in data.examples] == ["balance", "transfer", "balance", "transfer"]


def test_hf_multi_label_sequence_becomes_intents(offline_hf):
    features = offline_hf.Features(
        {
            "text": offline_hf.Value("string"),
            "labels": offline_hf.List(offline_hf.ClassLabel(names=["a", "b"])),
        }
    )
    ds = offline_hf.Dataset.from_dict({"text": ["x y", "y"], "labels": [[0, 1], [1]]}, features=features)
    data = load_data(ds, label_column="labels")
    assert [ex.intents for ex in data.examples] == [("a", "b"), ("b",)]


def test_hf_name_goes_through_load_dataset_with_a_local_folder(offline_hf):
    data = load_data(f"hf:{FIXTURES / 'hf_folder'}", label_column="label")
    assert [ex.intent for ex in data.examples] == ["transfer_pending"] * 2 + ["close_account"] * 2
    assert data.examples[0].source == f"hf:{FIXTURES / 'hf_folder'} record 0"


def test_hf_name_goes_through_load_dataset_with_a_local_file(offline_hf):
    data = load_data(f"hf:{FIXTURES / 'utterances.jsonl'}")
    assert len(data.examples) == 6
    assert data.examples[0].text == "My parcel to Lyon has not moved since Monday"


def test_hf_unknown_column_lists_available_columns(offline_hf):
    with pytest.raises(DataError, match="available columns: 'sentence', 'label'") as err:
        load_data(_labelled_dataset(offline_hf), text_column="text", label_column="label")
    assert err.value.code == "E102"


def test_hf_unknown_hub_name_offline_is_a_data_error(offline_hf):
    with pytest.raises(DataError) as err:
        load_data("hf:empathy-nlu-tests/no-such-dataset")
    assert err.value.code == "E109"
    assert "hf:empathy-nlu-tests/no-such-dataset" in str(err.value)


def test_hf_malformed_local_file_is_a_data_error(offline_hf, tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"text": "fine", "intent": "a"}\n{"text": broken\n', encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_data(f"hf:{path}")
    assert err.value.code == "E107"
    assert str(path) in str(err.value)


# --- shared benchmark data ------------------------------------------------------------------------


@needs_shared
def test_banking77_train_reads_completely():
    data = load_data(SHARED / "banking77" / "train.jsonl")
    assert len(data.examples) == 10003
    assert len({ex.intent for ex in data.examples}) == 77


@needs_shared
def test_snips_val_entity_offsets_match_surface():
    data = load_data(SHARED / "snips" / "val.jsonl")
    assert len(data.examples) == 700
    spans = [(ex, span) for ex in data.examples for span in ex.entities]
    assert len(spans) > 1000
    assert all(ex.text[span.start : span.end] == span.value for ex, span in spans)
    assert len({ex.intent for ex in data.examples}) == 7


@needs_shared
def test_sgd_dev_dialogues():
    data = load_data(SHARED / "sgd_dialogues" / "dev.jsonl")
    assert len(data.dialogues) == 1226
    assert {t.speaker for d in data.dialogues for t in d.turns} == {"customer", "agent"}
    assert all(t.intent is not None for d in data.dialogues for t in d.turns if t.speaker == "customer")


@needs_shared
def test_banking77_raw_csv_with_category_column():
    data = load_data(SHARED / "banking77" / "raw" / "train.csv", label_column="category")
    assert len(data.examples) == 10003
    assert len({ex.intent for ex in data.examples}) == 77
    with pytest.raises(DataError, match="'text', 'category'") as err:
        load_data(SHARED / "banking77" / "raw" / "train.csv")
    assert err.value.code == "E102"


@needs_shared
def test_sentiment_only_and_multi_label_data_load():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        tweets = load_data(SHARED / "airline_sentiment" / "train.jsonl")
        nlupp = load_data(SHARED / "nlupp" / "banking" / "fold0.json")
    assert all(ex.intent is None and ex.sentiment for ex in tweets.examples)
    assert any(len(ex.intents) > 1 for ex in nlupp.examples)
    assert all(ex.text[s.start : s.end] for ex in nlupp.examples for s in ex.entities)


@needs_shared
def test_clinc150_val_keeps_out_of_scope():
    data = load_data(SHARED / "clinc150" / "val.jsonl")
    assert len(data.examples) == 3100
    assert sum(ex.intent == "out_of_scope" for ex in data.examples) == 100
