"""Render the whole ``benchmarks/RESULTS.md`` from ``benchmarks/results/*.json``, one section per capability.

    .venv/bin/python benchmarks/report.py [--results benchmarks/results] [--out benchmarks/RESULTS.md]

Every figure is read from the JSON files (never typed by hand). Each section prints the command,
date, machine and library state of the run it comes from, its tables, its targets with a
verdict, ratios against the peers measured in the same run, and the run's ``notes``. A
capability whose results file is missing is printed as "not measured yet".
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
FAILED: list[str] = []  # sections that could not be rendered (report.py then exits with 1)
SET_TITLES = {
    "banking77": "BANKING77",
    "clinc150": "CLINC150 (full)",
    "snips": "SNIPS",
    "airline": "airline sentiment",
    "nlupp": "NLU++ banking",
}


# -- formatting ------------------------------------------------------------------------------------
def _f(value, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def _table(header: list[str], rows: list[list]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + " --- |" * len(header),
        *("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows),
    ]


def _title(set_name: str) -> str:
    return SET_TITLES.get(set_name, set_name)


class Targets:
    """Target rows of one section, also collected for the summary at the top."""

    def __init__(self, capability: str, summary: list) -> None:
        self.capability, self.rows, self.summary = capability, [], summary

    def _add(self, target: str, measured: str, ok: bool, margin: str) -> None:
        verdict = "met" if ok else "**missed**"
        self.rows.append([target, measured, verdict, margin])
        self.summary.append((self.capability, target, measured, ok))

    def at_least(
        self, target: str, value: float, limit: float, spec: str, unit: str = "", shown=None
    ) -> None:
        ok = value >= limit
        margin = f"{value - limit:{spec}}{unit} over" if ok else f"by {limit - value:{spec}}{unit}"
        self._add(target, shown or f"{value:{spec}}{unit}", ok, margin)

    def at_most(self, target: str, value: float, limit: float, spec: str, unit: str = "", shown=None) -> None:
        ok = value <= limit
        margin = f"{limit - value:{spec}}{unit} under" if ok else f"by {value - limit:{spec}}{unit}"
        self._add(target, shown or f"{value:{spec}}{unit}", ok, margin)

    def holds(self, target: str, measured: str, ok: bool) -> None:
        self._add(target, measured, ok, "")

    def lines(self) -> list[str]:
        if not self.rows:
            return []
        return ["Targets:", "", *_table(["target", "measured", "verdict", "margin"], self.rows), ""]


# -- where a run comes from ------------------------------------------------------------------------
def _machine(machine) -> str:
    if not isinstance(machine, dict):
        return str(machine)
    parts = []
    cores = machine.get("cpu_count") or machine.get("cpus")
    if cores:
        parts.append(f"{cores} cores")
    parts += [str(machine[k]) for k in ("cpu_model",) if machine.get(k)]
    if machine.get("ram_gib"):
        parts.append(f"{machine['ram_gib']} GiB RAM")
    if machine.get("platform"):
        parts.append(machine["platform"])
    text = ", ".join(parts)
    if machine.get("python"):
        text += f"; Python {machine['python']}"
    versions = ", ".join(f"{k} {v}" for k, v in machine.get("versions", {}).items() if v)
    if versions:
        text += f"; {versions}"
    for key in ("load_average_before", "load_average_after"):
        if machine.get(key):
            text += f"; {key.replace('_', ' ')} " + "/".join(str(v) for v in machine[key])
    return text


def _date(report: dict) -> str:
    machine = report.get("machine")
    date = report.get("date") or (machine.get("date") if isinstance(machine, dict) else None)
    if not date:
        return "not recorded"
    return f"{date[:10]} (run started {date})" if len(date) > 10 else date


def _library(report: dict) -> str:
    state = report.get("library_state") or report.get("library") or {}
    head = state.get("git_head")
    if not head:
        return "not recorded"
    text = f"git HEAD `{head}`"
    if state.get("src_uncommitted_changes"):
        text += f" with uncommitted changes under `src/` (diff sha256 `{state['src_diff_sha256'][:12]}`)"
    elif "src_uncommitted_changes" in state:
        text += ", no uncommitted changes under `src/`"
    return text


def _command(command: str) -> str:
    return command if command.startswith(".venv/") else f".venv/bin/{command}"


def provenance(report: dict, file: str) -> list[str]:
    limit = report.get("limit") or report.get("settings", {}).get("limit")
    lines = [f"**Quick run (`--limit {limit}`): not comparable with full runs.**", ""] if limit else []
    lines += [
        (
            f"Command (from the repository root): `{_command(report['command'])}` → `results/{file}`."
            if report.get("command")
            else f"Command: not recorded in `results/{file}`."
        ),
        "",
        f"Date: {_date(report)}. Machine: {_machine(report.get('machine', 'not recorded'))}. "
        f"Library: {_library(report)}.",
        "",
    ]
    for update in report.get("updated_by", []):
        keys = ", ".join(f"`{k}`" for k in update.get("keys", []))
        lines += [f"Re-run for {keys}: `{_command(update['command'])}`, {_date(update)}.", ""]
    return lines


def notes(report: dict) -> list[str]:
    items = report.get("notes") or []
    return ["Notes on this run:", "", *(f"- {note}" for note in items), ""] if items else []


# -- intent ----------------------------------------------------------------------------------------
def intent_method(settings: dict) -> str:
    return " ".join(
        [
            "Method: each system trains on the set's `train` split and is scored on `test`",
            "(nothing is tuned on `test`). Accuracy, macro-F1, in-scope accuracy and OOS recall",
            "come from one scoring function for all systems; a prediction is out-of-scope when",
            "its label is `out_of_scope` (empathy-nlu: `p.out_of_scope`). Latency: one call per",
            "utterance (`clf.predict(t)`, `pipe.predict([t])`, `nlp(t)`) over",
            f"{settings['latency_texts']} test texts spread evenly over the split, after",
            f"{settings['latency_warmup_calls']} warm-up calls. Batch throughput: the whole test",
            "set in one call (`predict_batch`, `pipe.predict(list)`,",
            f"`nlp.pipe(texts, batch_size=256)`), median of {settings['throughput_repeats']} passes.",
            "Size: bytes on disk of `clf.save(dir)` / `joblib.dump` / `nlp.to_disk`. Load: median",
            f"of {settings['load_repeats']} loads. Training time: wall time of the training call",
            "(`Classifier.train`, `pipe.fit`; for spaCy: tokenizing the examples, `nlp.initialize`",
            f"and {settings['spacy_epochs']} epoch(s) of shuffled minibatches of",
            f"{settings['spacy_batch_size']} with dropout {settings['spacy_dropout']}, seed 0).",
            "empathy-nlu's accuracy counts every prediction it marks out-of-scope as an error on sets",
            "with no out-of-scope test examples (BANKING77, SNIPS); its threshold is chosen on train",
            "by cross-validation (`intent.max_in_scope_loss`), never on test. The 'threshold ignored'",
            "accuracy is a diagnostic, not a tuned figure.",
        ]
    )


def intent_set_table(systems: dict) -> list[str]:
    rows = []
    for r in systems.values():
        m = r["metrics"]
        rows.append(
            [
                r["title"],
                _f(m["accuracy"], ".4f"),
                _f(m["in_scope_accuracy"], ".4f"),
                _f(m["oos_recall"], ".4f"),
                _f(m["macro_f1"], ".4f"),
                f"{r['train_seconds']:.2f}",
                f"{r['latency_ms']['p50']:.3f}",
                f"{r['latency_ms']['p99']:.3f}",
                f"{r['throughput']['utterances_per_s']:,.0f}",
                f"{r['size_mb']:.2f}",
                f"{r['load']['median_s']:.3f}",
            ]
        )
    header = ["system", "accuracy", "in-scope acc.", "OOS recall", "macro-F1", "train (s)", "p50 (ms)"]
    return _table([*header, "p99 (ms)", "batch (utt/s)", "size (MB)", "load (s)"], rows)


def intent_details(systems: dict) -> list[str]:
    lines = []
    if "empathy" in systems and "manifest_metrics" in systems["empathy"]:
        e = systems["empathy"]
        cv = e["manifest_metrics"]["intent_cross_validation"]
        lines += [
            f"empathy-nlu calibration: test ECE {e['test_ece']:.4f}; on train ({cv['folds']}-fold "
            f"cross-validation, from `clf.manifest['metrics']`): accuracy {_f(cv['accuracy'], '.4f')}, "
            f"ECE {_f(cv['ece'], '.4f')}, temperature {cv['temperature']:.4f}, "
            f"out-of-scope threshold {cv['threshold']:.4f}.",
            "",
        ]
    diagnostics = [
        "Predictions labelled `out_of_scope`: "
        + ", ".join(f"{n} {r['metrics']['n_predicted_out_of_scope']}" for n, r in systems.items())
        + "."
    ]
    if "argmax_metrics" in systems.get("empathy", {}):
        diagnostics.append(
            "empathy-nlu accuracy if its out-of-scope threshold is ignored (top of `intent_ranking`; "
            f"a diagnostic only): {systems['empathy']['argmax_metrics']['accuracy']:.4f}."
        )
    if systems.get("spacy", {}).get("epochs"):
        epochs = systems["spacy"]["epochs"]
        seconds = [e["seconds"] for e in epochs]
        losses = ", ".join(f"{e['loss']:.4f}" for e in epochs)
        diagnostics.append(
            f"spaCy training loss per epoch: {losses} ({min(seconds):.1f}–{max(seconds):.1f} s per epoch)."
        )
    lines += [" ".join(diagnostics), ""]
    loads = [
        f"{name} " + "/".join(f"{v:.2f}" for v in r["loadavg_1min"].values())
        for name, r in systems.items()
        if "loadavg_1min" in r
    ]
    if loads:
        lines += ["1-min load average (start / after training / end): " + "; ".join(loads) + ".", ""]
    return lines


def intent_targets(results: dict, targets: Targets, label: str = "") -> None:
    e = {name: systems["empathy"] for name, systems in results.items() if "empathy" in systems}
    if "banking77" in e:
        acc = e["banking77"]["metrics"]["accuracy"]
        targets.at_least(f"{label}BANKING77 accuracy ≥ 0.925", acc, 0.925, ".4f")
    if "clinc150" in e:
        m = e["clinc150"]["metrics"]
        targets.at_least(f"{label}CLINC150 in-scope accuracy ≥ 0.945", m["in_scope_accuracy"], 0.945, ".4f")
        targets.at_least(f"{label}CLINC150 out-of-scope recall ≥ 0.60", m["oos_recall"], 0.60, ".4f")
    if "snips" in e:
        acc = e["snips"]["metrics"]["accuracy"]
        targets.at_least(f"{label}SNIPS intent accuracy ≥ 0.985", acc, 0.985, ".4f")
    if "banking77" in e:
        targets.at_most(
            f"{label}training on BANKING77 ≤ 20 s", e["banking77"]["train_seconds"], 20.0, ".2f", " s"
        )
    for set_name, systems in results.items():
        if "empathy" not in systems:
            continue
        title, p50 = _title(set_name), systems["empathy"]["latency_ms"]["p50"]
        if "spacy" in systems:
            peer = systems["spacy"]["latency_ms"]["p50"]
            targets.at_most(
                f"{label}{title}: p50 ≤ 1.5× spaCy's p50 ({peer:.3f} ms, same run)",
                p50 / peer,
                1.5,
                ".2f",
                "×",
                shown=f"{p50:.3f} ms = {p50 / peer:.2f}×",
            )
        if "sklearn" in systems:
            peer = systems["sklearn"]["latency_ms"]["p50"]
            targets.at_least(
                f"{label}{title}: p50 ≥ 8× faster than sklearn's p50 ({peer:.3f} ms, same run)",
                peer / p50,
                8.0,
                ".2f",
                "×",
                shown=f"{p50:.3f} ms, {peer / p50:.2f}× faster",
            )
    for set_name, systems in results.items():
        if "empathy" not in systems:
            continue
        r, title = systems["empathy"], _title(set_name)
        ups = r["throughput"]["utterances_per_s"]
        targets.at_least(f"{label}{title}: batch throughput ≥ 20,000 utt/s", ups, 20000, ",.0f", " utt/s")
        targets.at_most(f"{label}{title}: model directory ≤ 25 MB", r["size_mb"], 25.0, ".2f", " MB")
        targets.at_most(f"{label}{title}: load time ≤ 0.5 s", r["load"]["median_s"], 0.5, ".3f", " s")


def intent_full(report: dict, summary: list) -> list[str]:
    lines = ["### All systems, library defaults", "", *provenance(report, "intent.json")]
    lines += [intent_method(report["settings"]), ""]
    for set_name, systems in report["results"].items():
        data = report["data"][set_name]
        lines += [f"**{_title(set_name)}** ({data['train']:,} train / {data['test']:,} test)", ""]
        lines += [*intent_set_table(systems), "", *intent_details(systems)]
    targets = Targets("Intent", summary)
    intent_targets(report["results"], targets)
    return lines + targets.lines() + notes(report)


def intent_only(report: dict, summary: list) -> list[str]:
    lines = ["### Intent tier alone (cue detector off)", "", *provenance(report, "intent_only.json")]
    lines += [
        "The run above uses the library defaults, which include the empathy-cue detector on every",
        "`predict`. The intent tier's targets are defined on the intent tier alone (`--intent-only`:",
        "`cues.enabled: false`), so they are checked here, against the peers measured in this same run.",
        "Method as above.",
        "",
    ]
    rows = []
    for set_name, systems in report["results"].items():
        for name, r in systems.items():
            m = r["metrics"]
            ratio = ""
            if name == "empathy":
                ratio = "; ".join(
                    f"{peer}: {r['latency_ms']['p50'] / other['latency_ms']['p50']:.2f}×"
                    for peer, other in systems.items()
                    if peer != name
                )
            rows.append(
                [
                    _title(set_name),
                    r["title"],
                    _f(m["accuracy"], ".4f"),
                    _f(m["in_scope_accuracy"], ".4f"),
                    _f(m["oos_recall"], ".4f"),
                    f"{r['train_seconds']:.2f}",
                    f"{r['latency_ms']['p50']:.3f}",
                    f"{r['latency_ms']['p99']:.3f}",
                    f"{r['throughput']['utterances_per_s']:,.0f}",
                    f"{r['size_mb']:.2f}",
                    f"{r['load']['median_s']:.3f}",
                    ratio,
                ]
            )
    header = ["set", "system", "accuracy", "in-scope", "OOS recall", "train (s)", "p50 (ms)", "p99 (ms)"]
    header += ["batch (utt/s)", "size (MB)", "load (s)", "p50 ÷ peer's p50 (same run)"]
    lines += [*_table(header, rows), ""]
    targets = Targets("Intent (tier alone)", summary)
    intent_targets(report["results"], targets)
    return lines + targets.lines() + notes(report)


def intent_section(results: Callable, summary: list) -> list[str]:
    lines = []
    for name, render, script in (
        ("intent", intent_full, "intent.py"),
        ("intent_only", intent_only, "intent.py --intent-only"),
    ):
        report = results(name)
        lines += render(report, summary) if report else missing(name, script)
    return lines


# -- sentiment and cues ----------------------------------------------------------------------------
def sentiment_section(results: Callable, summary: list) -> list[str]:
    report = results("sentiment")
    if report is None:
        return missing("sentiment", "sentiment.py")
    a = report["airline_sentiment"]
    e, s, d = a["empathy"], a["sklearn"], a["default_model"]
    lines = provenance(report, "sentiment.json") + [
        "Method: empathy-nlu trained on the airline_sentiment `train` split, the plain scikit-learn",
        "`TfidfVectorizer` + `LinearSVC` pipeline on the same split in the same run, and the shipped",
        "default model (trained on the project's own `data/`, never on airline data), all scored on",
        "`test`. All settings are library defaults; nothing is tuned on `test`.",
        "",
    ]
    n = a["data"]["test"]
    rows = [
        [
            "empathy-nlu trained on airline train",
            f"{e['accuracy']:.4f}",
            f"{e['macro_f1']:.4f}",
            f"{e['accuracy'] - s['accuracy']:+.4f} / {e['macro_f1'] - s['macro_f1']:+.4f}",
        ],
        [
            "scikit-learn TfidfVectorizer + LinearSVC (same split, same run)",
            f"{s['accuracy']:.4f}",
            f"{s['macro_f1']:.4f}",
            "(peer)",
        ],  # fmt: skip
        [
            "shipped default model (never saw airline data)",
            f"{d['accuracy']:.4f}",
            f"{d['macro_f1']:.4f}",
            "",
        ],
    ]
    header = [f"airline_sentiment test ({n:,})", "accuracy", "macro-F1", "vs sklearn (accuracy / macro-F1)"]
    lines += [*_table(header, rows), ""]
    lat = report["latency"]
    rounds = ", ".join(
        f"{r['intent_only_p50']:.3f} → {r['full_p50']:.3f} ms ({r['ratio']:.2f}x)" for r in lat["rounds"]
    )
    models = f" ({lat['models']})" if lat.get("models") else ""
    lines += [
        f"`predict` p50, {lat['n_texts']} airline test texts, {len(lat['rounds'])} interleaved rounds, "
        f"intent only → intent + sentiment + cues{models}: {rounds}. "
        f"Median ratio **{lat['median_ratio']:.2f}x**.",
        "",
    ]
    targets = Targets("Sentiment and cues", summary)
    targets.at_least("airline accuracy ≥ 0.845", e["accuracy"], 0.845, ".4f")
    targets.at_least("airline macro-F1 ≥ 0.79", e["macro_f1"], 0.79, ".4f")
    targets.at_least("default model on airline, accuracy ≥ 0.72", d["accuracy"], 0.72, ".4f")
    targets.at_most(
        "`predict` p50 with sentiment + cues ≤ 1.6× intent only", lat["median_ratio"], 1.6, ".2f", "x"
    )
    return lines + targets.lines() + notes(report)


# -- entities --------------------------------------------------------------------------------------
def slots_row(r: dict) -> list:
    test = r.get("test", {})
    tagger = "CRF (trained on SNIPS train)" if r["tagger"] == "crf" else f"spaCy `ner`, {r['epochs']} epochs"
    return [
        tagger,
        f"**{test['f1']:.4f}** (P {test['precision']:.4f}, R {test['recall']:.4f})" if test else "–",
        f"{r['val']['f1']:.4f}",
        f"{r['train_seconds']:.1f}",
        f"{r['model_mb']:.2f}",
        f"{r['latency_us_val']['p50']:.1f}",
        f"{r['n_features']:,}" if "n_features" in r else "–",
        str(r.get("n_labels", "–")),
        r.get("exact_decoding_agreement", "–"),
    ]


def entities_section(results: Callable, summary: list) -> list[str]:
    targets = Targets("Entities", summary)
    lines = ["### Custom entities: SNIPS slots", ""]
    crf, peer = results("entities_slots"), results("entities_slots_spacy")
    if crf is None and peer is None:
        lines += missing("entities_slots", "entities.py --only slots")
    for report, file in ((crf, "entities_slots.json"), (peer, "entities_slots_spacy.json")):
        if report is not None:
            lines += provenance(report, file)
    if crf is not None or peer is not None:
        lines += [
            "Method: exact span + type F1 on SNIPS `val` and `test`; tagger settings are compared on",
            "`val` only and `test` is scored once. p50: one call per `val` utterance after a warm-up pass.",
            "Exact decoding: the pruned Viterbi of the CRF against a full-lattice Viterbi over the same",
            "weights (what crfsuite would decode), on every `val` utterance.",
            "",
        ]
        header = ["tagger", "test F1", "val F1", "train (s)", "model (MB)", "p50 (µs)", "features", "labels"]
        rows = [slots_row(r) for r in (crf, peer) if r is not None]
        lines += [*_table([*header, "exact decoding"], rows), ""]
        if crf is not None and peer is not None:
            lines += ["The two taggers come from separate runs (see their dates), so no ratio is given.", ""]
        if crf is not None and "test" in crf:
            targets.at_least("SNIPS slot F1 (exact span + type, test) ≥ 0.93", crf["test"]["f1"], 0.93, ".4f")
        for report in (crf, peer):
            lines += notes(report) if report else []
    lines += ["### Builtin values: NLU++ banking", ""]
    values = results("entities_nlupp")
    if values is None:
        lines += missing("entities_nlupp", "entities.py --only values")
    else:
        v = values["nlupp_banking"]
        lines += provenance(values, "entities_nlupp.json") + [
            "Method: the builtin parser, untrained, on every NLU++ banking fold, reference time "
            f"{v['reference_time']}",
            "(the NLU++ README). A gold slot counts as right when the overlapping builtin entity of a",
            "matching type has the gold normalized value (amount and currency; day; hour and minute); a",
            "`date_period`/`time_period` counts for a date when its first day (last for `date_to`) is the",
            "gold day. *Strict* counts only our `date` entities for `date` gold. Gold values NLU++ marks",
            "as not resolvable are left out.",
            "",
        ]
        rows = []
        for label, key in (
            ("amount_of_money, date, time", "amount_date_time"),
            ("date/time from/to slots", "from_to_slots"),
            ("all", "all"),
        ):
            t = v[key]
            rows.append(
                [
                    label,
                    t["gold"],
                    t["gold"] - t["unresolvable"],
                    t["correct"],
                    f"{t['accuracy']:.4f}",
                    _f(t["accuracy_strict"], ".4f"),
                    _f(t["recall_span"], ".4f"),
                ]
            )
        for slot, t in v["per_slot"].items():
            rows.append(
                [
                    f"  `{slot}`",
                    t["gold"],
                    t["gold"] - t["unresolvable"],
                    t["correct"],
                    _f(t["accuracy"], ".4f"),
                    _f(t["accuracy_strict"], ".4f"),
                    _f(t["recall_span"], ".4f"),
                ]
            )
        header = ["gold slots", "gold", "resolvable", "correct", "accuracy", "strict", "span found"]
        lines += [*_table(header, rows), ""]
        if values.get("parse_speed"):
            speed = values["parse_speed"]
            lines += [
                "`parse` time per text (best of 5 repeats; µs): "
                + "; ".join(
                    f"{name} ({s['texts']} texts) p50 {s['p50_us']}, p90 {s['p90_us']}; "
                    f"with an entity ({s['with_entity']}) p50 {s.get('with_entity_p50_us', '–')}"
                    for name, s in speed.items()
                )
                + ".",
                "",
            ]
        main = v["amount_date_time"]
        targets.at_least(
            "NLU++ amount/date/time normalized value accuracy ≥ 0.85",
            main["accuracy"],
            0.85,
            ".4f",
            shown=f"{main['accuracy']:.4f} ({main['correct']} of {main['gold'] - main['unresolvable']})",
        )
        lines += notes(values)
    return lines + targets.lines()


# -- history ---------------------------------------------------------------------------------------
def history_section(results: Callable, summary: list) -> list[str]:
    report = results("history")
    if report is None:
        return missing("history", "history.py")
    targets = Targets("History", summary)
    lines = provenance(report, "history.json") + [
        "Method: trained on SGD `train`; every customer turn of `dev` is predicted from the raw turns",
        "before it (gold intents removed). Nothing is tuned on `dev`: the history-aware model's",
        "settings were chosen before the run. The utterance-only row is the same featurizer and intent",
        "model without the history-aware intent model (context off).",
        "",
    ]
    data = report.get("data", {})
    facts = []
    if "sgd_train_dialogues" in data:
        facts.append(f"SGD train: {data['sgd_train_dialogues']:,} dialogues")
    if "sgd_train_seconds" in report:
        facts.append(f"training the history-aware model: {report['sgd_train_seconds']:.0f} s")
    if "sgd_utterance_only_train_seconds" in report:
        facts.append(f"the utterance-only model: {report['sgd_utterance_only_train_seconds']:.0f} s")
    if facts:
        lines += ["; ".join(facts) + ".", ""]
    if "sgd_dev" in report:
        dev = report["sgd_dev"]
        header = [
            f"SGD dev, {dev['n_turns']:,} customer turns",
            "turn accuracy",
            "first turns",
            f"follow-ups ({dev['n_follow_up']:,})",
            "macro-F1",
            "ECE",
        ]
        rows = []
        for label, key in (
            ("history-aware model", "history_aware"),
            ("utterance-only model", "utterance_only"),
        ):
            m = dev[key]
            rows.append(
                [
                    label,
                    f"{m['accuracy']:.4f}",
                    f"{m['accuracy_first_turn']:.4f}",
                    f"{m['accuracy_follow_up']:.4f}",
                    f"{m['macro_f1']:.4f}",
                    f"{m['ece']:.4f}",
                ]
            )
        lines += [*_table(header, rows), ""]
        if dev.get("previous_intent_accuracy_train_oof") is not None:
            lines += [
                "Previous-intent accuracy on train (cross-fitted, the history-aware model's input): "
                f"{dev['previous_intent_accuracy_train_oof']:.4f}.",
                "",
            ]
        aware = dev["history_aware"]
        targets.at_least("SGD dev turn accuracy ≥ 0.95", aware["accuracy"], 0.95, ".4f")
        targets.at_least("SGD dev follow-up accuracy ≥ 0.94", aware["accuracy_follow_up"], 0.94, ".4f")
    if "banking77_empty_history" in report:
        b = report["banking77_empty_history"]
        rows = [
            ["utterance-only model trained on BANKING77 train", f"{b['utterance_only_accuracy']:.4f}"],
            [
                f"history-aware model trained on BANKING77 train + {b['sgd_dialogues_mixed_in']:,} SGD "
                "dialogues, every utterance through it",
                f"{b['history_aware_accuracy']:.4f} ({b['difference_points']:+.2f} points)",
            ],
        ]
        lines += [*_table(["BANKING77 test with empty history", "accuracy"], rows), ""]
        targets.at_least(
            "BANKING77, empty history: history-aware within 0.3 points of utterance-only",
            b["difference_points"],
            -0.3,
            ".2f",
            " points",
            shown=f"{b['difference_points']:+.2f} points",
        )
    if "latency" in report:
        lat = report["latency"]
        lines += [
            f"`predict` p50 with a 20-turn history against none, SGD model, {lat['n']} dev conversations:",
            "",
            *_table(
                ["", "p50 (ms)", "ratio"],
                [
                    ["no history", f"{lat['p50_ms_no_history']:.3f}", "1"],
                    [
                        "20 turns, conversation replayed turn by turn (as served: each turn understood once)",
                        f"{lat['p50_ms_20_turns_replayed']:.3f}",
                        f"**{lat['ratio_replayed']:.2f}x**",
                    ],
                    [
                        "20 turns never seen before (cold: a freshly loaded model)",
                        f"{lat['p50_ms_20_turns_cold']:.3f}",
                        f"**{lat['ratio_cold']:.2f}x**",
                    ],
                ],
            ),
            "",
        ]
        first = report.get("latency_first_run")
        if first:
            lines += [
                "Superseded first measurement (`latency_first_run`): "
                f"no history {first['p50_ms_no_history']:.3f} ms, "
                f"replayed {first['p50_ms_20_turns_replayed']:.3f} ms ({first['ratio_replayed']:.2f}x), "
                f"cold {first['p50_ms_20_turns_cold']:.3f} ms ({first['ratio_cold']:.2f}x).",
                "",
            ]
        targets.at_most(
            "20-turn history, replayed: p50 ≤ 3× no history", lat["ratio_replayed"], 3.0, ".2f", "x"
        )
        targets.at_most("20-turn history, cold: p50 ≤ 3× no history", lat["ratio_cold"], 3.0, ".2f", "x")
    return lines + targets.lines() + notes(report)


# -- channels and the store ------------------------------------------------------------------------
CHANNEL_TITLES = {
    "email": "email (greeting, signature, quoted reply)",
    "voice": "voice (no punctuation, fillers, spelled numbers)",
    "sms": "sms (shorthand)",
    "social": "social (handle, hashtags, emoji)",
}


def _store_line(store: dict) -> str:
    errors = "no error" if not store["n_errors"] else f"{store['n_errors']} errors"
    return (
        f"{store['threads']} threads x {store['turns_per_thread']:,} appends stored {store['stored']:,} of "
        f"{store['expected']:,}, {errors} ({store['concurrent_seconds']:.2f} s); append + read history "
        f"p50 **{store['append_plus_history_p50_ms']:.3f} ms**, "
        f"p99 {store['append_plus_history_p99_ms']:.3f} ms"
    )


def channels_section(results: Callable, summary: list) -> list[str]:
    report = results("channels")
    if report is None:
        return missing("channels", "channels.py")
    targets = Targets("Channels and store", summary)
    lines = provenance(report, "channels.json") + [
        "Method: BANKING77 `test` wrapped as raw channel input by `generators/channel_wrap.py` and",
        "`generators/channel_wrap_email.py` (seeded; a sample is in `generators/channel_samples.jsonl`),",
        "each message through its adapter's `handle` with a fresh customer in a real SQLite store; the",
        "model is trained on clean BANKING77 `train` with library defaults. Adapter rules were developed",
        "on a held-out 20% of `train` (`--dev`), never on `test`. Store: concurrent appends (every turn",
        "must be there, no error), then one append + one history read, timed.",
        "",
    ]
    if "accuracy" in report:
        acc = report["accuracy"]
        clean = acc["clean_accuracy"]
        rows = []
        for channel in ("email", "voice", "sms", "social"):
            if channel not in acc:
                continue
            r = acc[channel]
            points = 100 * (clean - r["accuracy"])
            rows.append(
                [
                    CHANNEL_TITLES[channel],
                    f"{r['accuracy']:.4f}",
                    f"{r['points_below_clean']:.2f}",
                    f"{r['raw_accuracy']:.4f}",
                    f"{r['handle_seconds']:.2f}",
                ]
            )
            targets.at_most(f"{channel}: accuracy within 1.0 point of clean", points, 1.0, ".2f", " points")
        header = [
            f"channel ({acc['split']}, {acc['n']:,} utterances)",
            "accuracy",
            f"points below clean ({clean:.4f})",
            "same model on the raw input, no adapter",
            "handle (s)",
        ]
        lines += [*_table(header, rows), ""]
    if "store" in report:
        store = report["store"]
        lines += ["Store: " + _store_line(store) + ".", ""]
        if report.get("store_first_run"):
            lines += [
                "Superseded first store measurement: " + _store_line(report["store_first_run"]) + ".",
                "",
            ]
        targets.holds(
            "store: every concurrent append stored, no error",
            f"{store['stored']:,} of {store['expected']:,}, {store['n_errors']} errors",
            store["lost"] == 0 and store["n_errors"] == 0,
        )
        targets.at_most(
            "store: append + history p50 ≤ 1 ms", store["append_plus_history_p50_ms"], 1.0, ".3f", " ms"
        )
    return lines + targets.lines() + notes(report)


# -- accurate tier and multi-intent ----------------------------------------------------------------
def _folds(folds: list[int]) -> str:
    return f"{folds[0]}–{folds[-1]}"


def accurate_section(results: Callable, summary: list) -> list[str]:
    report = results("accurate")
    if report is None:
        return missing("accurate", "accurate.py")
    targets = Targets("Accurate tier and multi-intent", summary)
    res = report["results"]
    features = next((t["config_features"] for s in res.values() for t in s.values() if "embeddings" in
                     t["config_features"]["kinds"]), None)  # fmt: skip
    lines = provenance(report, "accurate.json") + [
        "Method: both tiers train with `Classifier.train` on `train` (NLU++ banking: folds "
        f"{_folds(report['nlupp_split']['train_folds'])}) and are scored on `test` (NLU++: folds "
        f"{_folds(report['nlupp_split']['test_folds'])});",
        "nothing is tuned on the test data. The accurate tier is the same linear models over n-grams plus",
        (
            f"sentence embeddings (`{features['embedding_model']}`, weight {features['embedding_weight']}, "
            "chosen by 3-fold cross-validation on BANKING77 train)."
            if features
            else "sentence embeddings."
        ),
        'p50: one `predict` per text after `save` + `load`, with the real encoder. "argmax" ignores',
        "the out-of-scope threshold, for reference only. The multi-intent threshold is tuned by",
        "cross-validation within the training folds.",
        "",
    ]
    rows = []
    for set_name, tiers in res.items():
        if set_name == "nlupp":
            continue
        fast = tiers.get("fast")
        for tier, r in tiers.items():
            m = r["metrics"]
            versus = ""
            if tier == "accurate" and fast:
                versus = (
                    f"{m['accuracy'] - fast['metrics']['accuracy']:+.4f} acc., "
                    f"{r['latency_ms']['p50'] / fast['latency_ms']['p50']:.1f}× p50"
                )
            rows.append(
                [
                    _title(set_name),
                    tier,
                    f"{m['accuracy']:.4f}",
                    _f(m.get("in_scope_accuracy"), ".4f"),
                    _f(m.get("oos_recall"), ".4f"),
                    _f(m.get("argmax_accuracy"), ".4f"),
                    _f(m.get("macro_f1"), ".4f"),
                    f"{r['latency_ms']['p50']:.2f}",
                    _f(r.get("encoder_latency_ms", {}).get("p50"), ".2f"),
                    f"{r['train_seconds']:.1f}",
                    f"{r['size_mb']:.2f}",
                    versus,
                ]
            )
    header = ["set", "tier", "accuracy", "in-scope", "OOS recall", "argmax", "macro-F1", "p50 (ms)"]
    header += ["encoder p50 (ms)", "train (s)", "size (MB)", "accurate vs fast (same run)"]
    lines += [*_table(header, rows), ""]
    acc = {name: tiers["accurate"] for name, tiers in res.items() if "accurate" in tiers}
    if "banking77" in acc:
        targets.at_least(
            "accurate tier: BANKING77 accuracy ≥ 0.940", acc["banking77"]["metrics"]["accuracy"], 0.94, ".4f"
        )
    if "clinc150" in acc:
        m = acc["clinc150"]["metrics"]
        targets.at_least(
            "accurate tier: CLINC150 in-scope accuracy ≥ 0.965", m["in_scope_accuracy"], 0.965, ".4f"
        )
        targets.at_least("accurate tier: CLINC150 out-of-scope recall ≥ 0.70", m["oos_recall"], 0.70, ".4f")
    if "airline" in acc:
        targets.at_least(
            "accurate tier: airline accuracy ≥ 0.855", acc["airline"]["metrics"]["accuracy"], 0.855, ".4f"
        )
    if acc:
        p50s = [r["latency_ms"]["p50"] for r in acc.values()]
        targets.at_most(
            "accurate tier: single `predict` p50 ≤ 10 ms (slowest set)",
            max(p50s),
            10.0,
            ".2f",
            " ms",
            shown=f"{min(p50s):.2f}–{max(p50s):.2f} ms",
        )
    if "nlupp" in res:
        rows = []
        folds = report["nlupp_split"]
        label = (
            f"NLU++ {folds['domain']} (folds {folds['train_folds'][0]}–{folds['train_folds'][-1]} → "
            f"{folds['test_folds'][0]}–{folds['test_folds'][-1]})"
        )
        for tier, r in res["nlupp"].items():
            m = r["metrics"]
            rows.append(
                [
                    label,
                    tier,
                    f"{m['multi_label_f1']:.4f}",
                    f"{m['multi_label_precision']:.4f}",
                    f"{m['multi_label_recall']:.4f}",
                    f"{m['exact_match']:.4f}",
                    f"{r['latency_ms']['p50']:.2f}",
                ]
            )
            targets.at_least(
                f"{tier} tier: NLU++ multi-intent micro-F1 ≥ 0.87", m["multi_label_f1"], 0.87, ".4f"
            )
        header = ["NLU++ multi-intent", "tier", "micro-F1", "precision", "recall", "exact match", "p50 (ms)"]
        lines += [*_table(header, rows), ""]
    return lines + targets.lines() + notes(report)


# -- latency per layer -----------------------------------------------------------------------------
LAYER_TITLES = {
    "intent_only": "intent only",
    "intent_entities": "+ entities (builtin + tagger)",
    "intent_entities_context": "+ context, no history",
    "full": "+ cues (library default)",
}


def latency_section(results: Callable, summary: list) -> list[str]:
    report = results("latency")
    if report is None:
        return missing("latency", "latency.py")
    targets = Targets("Latency", summary)
    sets = report["sets"]
    first = next(iter(sets.values()), {})
    lines = provenance(report, "latency.json") + [
        "Method: single-utterance `predict` p50 per configuration, layers switched on one by one (the",
        "intent model and the tagger are the same in every configuration that has them). "
        f"{first.get('n', '?')} `test` utterances x {first.get('rounds', 3)} rounds, configurations",
        "interleaved and the first to see each text rotated, so neither drift of the machine nor cold",
        "caches favour one configuration. Other single-call latencies are in their capability's section.",
        "",
    ]
    rows = []
    for set_name, r in sets.items():
        p50, ratio = r["p50_ms"], r["ratio_to_intent_only"]
        types = r.get("tagger_entity_types")
        tagger = "" if types is None else f" (tagger: {len(types)} entity types)" if types else " (no tagger)"
        rows.append(
            [
                _title(set_name) + tagger,
                *(f"{p50[name]:.3f}" for name in LAYER_TITLES),
                f"**{ratio['intent_entities']:.2f}x**",
                f"{ratio['full']:.2f}x",
            ]
        )
        targets.at_most(
            f"{_title(set_name)}: p50 with entities ≤ 2.5× intent only",
            ratio["intent_entities"],
            2.5,
            ".2f",
            "x",
        )
    header = ["set", *LAYER_TITLES.values(), "entities / intent only", "full / intent only"]
    lines += ["p50 (ms):", "", *_table(header, rows), ""]
    return lines + targets.lines() + notes(report)


# -- startup ---------------------------------------------------------------------------------------
def startup_section(results: Callable, summary: list) -> list[str]:
    report = results("startup")
    if report is None:
        return missing("startup", "startup.py")
    targets = Targets("Startup", summary)
    runs = report.get("runs", "?")
    extra = report.get("embeddings_extra_installed")
    lines = provenance(report, "startup.json") + [
        "Method: whole processes timed from outside, as a user or a shell script meets them:",
        '`python -c "import empathy_nlu"`, `empathy-nlu --version`, and `empathy-nlu predict` of one',
        f"message on the bundled default model. Each command ran {runs} times after one uncounted",
        "warm-up, the commands taking turns. Wall seconds come from a monotonic clock around each",
        "child process. CPU seconds are user + system time of the finished child. Targets apply to",
        "the median wall time"
        + (
            ""
            if extra is None
            else f", measured with the `embeddings` extra {'' if extra else 'not '}installed"
        )
        + ".",
        "",
    ]
    rows = []
    for name, r in report["results"].items():
        wall, cpu = r["wall_s"], r["cpu_s"]
        rows.append(
            [
                name,
                f"`{r['command']}`",
                f"{wall['min']:.3f}",
                f"**{wall['median']:.3f}**",
                f"{wall['max']:.3f}",
                f"{cpu['median']:.3f}",
            ]
        )
        targets.at_most(
            f"`{name}`: median wall time ≤ {r['target_median_wall_s']} s",
            wall["median"],
            r["target_median_wall_s"],
            ".3f",
            " s",
        )
    header = ["", "command", "wall min (s)", "wall median (s)", "wall max (s)", "CPU median (s)"]
    lines += [*_table(header, rows), ""]
    return lines + targets.lines() + notes(report)


# -- privacy ---------------------------------------------------------------------------------------
LEAK_TITLES = {
    "store_open": "store file + WAL + shm (open)",
    "store_closed": "store file (closed, WAL checkpointed)",
    "handoff_summaries": "hand-over summaries",
    "context_entities": "`context.entities`",
    "prediction_text_financial": "`Prediction.text` (cards, IBANs, SSNs)",
}


def privacy_section(results: Callable, summary: list) -> list[str]:
    report = results("privacy")
    if report is None:
        return missing("privacy", "privacy.py")
    targets = Targets("Privacy", summary)
    corpus = report["corpus"]
    kinds = ", ".join(f"{n} {k}" for k, n in corpus["values_by_kind"].items())
    lines = provenance(report, "privacy.json") + [
        f"Method: {corpus['messages']:,} generated support messages carrying {corpus['values']:,} personal",
        f"values ({kinds}; `generators/pii_corpus.py`, seeded) in conversations of {corpus['customers']}",
        "customers over the five channels, each through its adapter's `handle` with the bundled model and",
        "a real SQLite store. Every value is looked for in every raw form (as written, digits only,",
        "compact IBAN, E.164, ...) in the bytes of the store file, WAL and shm, the hand-over summaries and",
        "`context.entities` (also of each customer's last message predicted with the earlier ones as raw",
        "history), and, for cards, IBANs and SSNs, `Prediction.text`. False positives: the share of",
        "BANKING77 and CLINC150 test texts that masking changes (none carries personal data), and of",
        "generated messages full of numbers that are not personal data (the 'hard negatives', used while",
        "developing the rules: not held out).",
        "",
    ]
    rows = [[LEAK_TITLES.get(k, k), v["values"], v["found"]] for k, v in corpus["leaks"].items()]
    lines += [*_table(["where", "values looked for", "raw values found"], rows), ""]
    targets.at_most("raw values found (all places)", corpus["raw_values_found"], 0, "d")
    targets.holds(
        "stored timestamps intact, entity offsets true",
        f"{corpus['stored_timestamps_unparsable']} unparsable, "
        f"{corpus['entity_offset_mismatches']} mismatches",
        corpus["stored_timestamps_unparsable"] == 0 and corpus["entity_offset_mismatches"] == 0,
    )
    modes = sorted(set(corpus["store_file_modes"].values()))
    targets.holds("store files 0600", ", ".join(modes), modes == ["0o600"])
    fp_rows = []
    for name, r in [*report["false_positives"].items(), ("hard negatives", report.get("hard_negatives"))]:
        if r is None:
            continue
        fp_rows.append(
            [
                _title(name),
                f"{r['n']:,}",
                r["changed_for_storage"],
                f"{100 * r['rate_storage']:.2f}%",
                r["changed_in_prediction_text"],
                f"{100 * r['rate_prediction_text']:.2f}%",
            ]
        )
    header = ["texts", "n", "changed (storage)", "rate", "changed (`Prediction.text`)", "rate"]
    lines += ["False positives:", "", *_table(header, fp_rows), ""]
    total = report["false_positives"]["total"]
    limit = report["targets"]["false_positive_rate_at_most"]
    targets.at_most(
        f"BANKING77 + CLINC150 texts changed ≤ {100 * limit:.1f}%",
        100 * total["rate_storage"],
        100 * limit,
        ".2f",
        "%",
    )
    changed = [
        t for name in ("banking77", "clinc150") for t in report["false_positives"][name]["changed_texts"]
    ]
    for item in changed[:20]:
        why = ", ".join(f"{r['kind']} `{r['span']}`" for r in item["reasons"])
        lines.append(f"- `{item['text']}` → `{item['masked']}` ({why})")
    if changed:
        lines.append("")
    speed = report["speed"]
    worst = max(speed["adversarial_100k"].items(), key=lambda kv: kv[1]["ms"])
    lines += [
        f"Speed: detection p50 {speed['find_us']['p50']:.1f} µs, p99 {speed['find_us']['p99']:.1f} µs"
        " per text over"
        f" {speed['texts']:,} texts; the slowest 100,000-character adversarial text ({worst[0]}) took"
        f" {worst[1]['ms']:.0f} ms.",
        "",
    ]
    return lines + targets.lines() + notes(report)


# -- the document ----------------------------------------------------------------------------------
def missing(name: str, script: str) -> list[str]:
    return [
        f"Not measured yet: there is no `results/{name}.json`. "
        f"Run `.venv/bin/python benchmarks/{script}`, then `report.py`.",
        "",
    ]


SECTIONS = [
    ("Intent", intent_section),
    ("Sentiment and cues", sentiment_section),
    ("Entities", entities_section),
    ("History", history_section),
    ("Channels and store", channels_section),
    ("Accurate tier and multi-intent", accurate_section),
    ("Latency", latency_section),
    ("Startup", startup_section),
    ("Privacy", privacy_section),
]


def summary_table(summary: list) -> list[str]:
    by_capability: dict[str, list] = {}
    for capability, target, measured, ok in summary:
        by_capability.setdefault(capability, [])
        if target is not None:
            by_capability[capability].append((target, measured, ok))
    rows = []
    for capability, items in by_capability.items():
        if not items:
            rows.append([capability, "–", "–", "not measured yet"])
            continue
        missed = [f"{t}: {m}" for t, m, ok in items if not ok]
        rows.append([capability, sum(ok for *_, ok in items), len(missed), "; ".join(missed) or "–"])
    return _table(["capability", "met", "missed", "missed targets: measured"], rows)


def render(results_dir: Path) -> str:
    def results(name: str) -> dict | None:
        path = results_dir / f"{name}.json"
        return json.loads(path.read_text("utf-8")) if path.is_file() else None

    summary: list = []
    body = []
    for title, section in SECTIONS:
        before = len(summary)
        try:
            lines = section(results, summary)
        except (KeyError, TypeError, ValueError, IndexError) as exc:  # a results file of another shape
            FAILED.append(title)
            print(f"report.py: cannot render {title}: {exc!r}", file=sys.stderr)
            lines = [
                f"**Not rendered**: a results file of this section lacks what the report needs ({exc!r}).",
                "",
            ]
        body += [f"## {title}", "", *lines]
        if len(summary) == before:  # no results file, or no targets: still listed at the top
            summary.append((title, None, None, None))
    head = [
        "# Benchmark results",
        "",
        "Generated by `benchmarks/report.py` from `benchmarks/results/*.json`; do not edit by hand.",
        "Each section names the command, date, machine and library state of its run. To refresh a",
        "capability, run its script (see `benchmarks/README.md`), then",
        "`.venv/bin/python benchmarks/report.py`.",
        "",
        "## Targets at a glance",
        "",
        *summary_table(summary),
        "",
    ]
    while body and body[-1] == "":
        body.pop()
    return "\n".join(head + body) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=HERE / "results", help="folder of the results JSON")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    args.out.write_text(render(args.results), encoding="utf-8")
    print(f"wrote {args.out}")
    return 1 if FAILED else 0


if __name__ == "__main__":
    raise SystemExit(main())
