"""Trust sections: the same answer, hostile inputs, personal data, model files.

- "Same answer": ``results/consistency.json`` (``consistency.py``);
- "Pathological and fuzzed inputs": ``results/pathological.json`` (``pathological.py``) and
  ``results/fuzz.json`` (``fuzz.py``);
- "Privacy": ``results/privacy.json`` (``privacy.py``);
- "Model files": ``results/model_files.json`` (``model_files.py``).
"""

from __future__ import annotations

from .format import Results, Targets, missing, notes, num, provenance, set_title, table


# -- the same answer -------------------------------------------------------------------------------
def consistency_section(results: Results, summary: list) -> list[str]:
    report = results("consistency")
    if report is None:
        return missing("consistency", "consistency.py")
    targets = Targets("Same answer", summary)
    lines = provenance(report, "consistency.json") + [
        "Method: every prediction is compared whole, as its `to_dict()` JSON (sorted keys, one fixed",
        "reference time). Single vs batch: one `predict` per text against one `predict_batch` of all the",
        "texts, for the default model and an SGD-trained history-aware model (BANKING77 test texts spread",
        "over the split, no history), and for the SGD model on the last customer turn of SGD dev",
        "conversations with their history. Replayed vs cold: the same last turns once as served (every",
        "customer turn predicted with the turns before it, in order) and once asked cold in a fresh",
        "process that loads the model and takes the conversations in a shuffled order. History-aware",
        "model: `--sgd-model`, else one trained on 1,000 SGD train dialogues"
        + (f" (this run: `{report['sgd_model']}`)." if report.get("sgd_model") else "."),
        "",
    ]
    single = report["single_vs_batch"]
    comparisons = [
        ("`predict` vs `predict_batch`, default model, BANKING77 test texts", single.get("default_model")),
        ("`predict` vs `predict_batch`, SGD model, BANKING77 test texts", single.get("sgd_model")),
        (
            "`predict` vs `predict_batch`, SGD model, SGD dev last turns with history",
            single.get("sgd_model_with_history"),
        ),
        ("replayed turn by turn vs cold in a fresh process, SGD dev last turns", report["replayed_vs_cold"]),
    ]
    rows = []
    for label, r in comparisons:
        if r is None:
            continue
        rows.append([label, f"{r['n']:,}", r["differences"]])
        targets.at_most(
            f"{label}: 0 differences", r["differences"], 0, "d", shown=f"{r['differences']} of {r['n']:,}"
        )
    lines += [*table(["comparison", "predictions compared", "differences"], rows), ""]
    return lines + targets.lines() + notes(report)


# -- pathological and fuzzed inputs ----------------------------------------------------------------
NEAR_QUADRATIC = 22.6  # the geometric middle of 8 (linear) and 64 (quadratic) for 8 KB -> 64 KB


def pathological(report: dict, summary: list) -> list[str]:
    targets = Targets("Pathological inputs", summary)
    kinds, limit = report["kinds"], report["target_s"]
    size_kb = report["size_bytes"] / 1024
    lines = provenance(report, "pathological.json") + [
        f'Method: for each of {len(kinds)} kinds of input (digit runs, "1." runs, money, dates,',
        "URLs, e-mails, emoji, brackets, whitespace, combining marks, ...), a text of "
        f"{size_kb:.0f} KB of UTF-8,",
        f"one unit repeated, is given to `predict` of the bundled default model {report['repeats']} times",
        "after one untimed warm-up on a short text of the same kind; the figure is the slowest single",
        f"call. `predict.max_chars` ({report['max_chars']:,}) bounds what the components read. Scaling:",
        "the same model with `max_chars` raised to the whole text, on 8 KB and then 64 KB of each kind;",
        'the ratio is about 8 for linear cost, about 64 for quadratic ("–": the 8 KB call was too slow',
        "to go on).",
        "",
    ]
    rows = []
    for kind, r in kinds.items():
        scaling = r.get("scaling") or {}
        seconds = f"{r['slowest_s']:.4f}"
        rows.append(
            [
                f"`{kind}`",
                f"{r['chars']:,}",
                seconds if r["within_target"] else f"**{seconds}**",
                num(scaling.get("8k_s"), ".4f"),
                num(scaling.get("64k_s"), ".4f"),
                num(scaling.get("ratio"), ".1f"),
            ]
        )
    header = ["kind", "characters", f"slowest `predict` (s, of {report['repeats']})"]
    lines += [*table([*header, "8 KB, whole text read (s)", "64 KB (s)", "ratio"], rows), ""]
    ratios = {k: r["scaling"]["ratio"] for k, r in kinds.items() if (r.get("scaling") or {}).get("ratio")}
    if ratios:
        steep = [f"`{k}` ({v:.1f})" for k, v in ratios.items() if v > NEAR_QUADRATIC]
        lines += [
            f"Scaling nearer quadratic than linear (ratio above {NEAR_QUADRATIC}, the geometric middle of 8 "
            f"and 64): {', '.join(steep) or 'none'}.",
            "",
        ]
    over = [k for k, r in kinds.items() if not r["within_target"]]
    worst = report["slowest"]
    targets.at_most(
        f"slowest single `predict` on {size_kb:.0f} KB inputs ≤ {limit} s",
        worst["seconds"],
        limit,
        ".3f",
        " s",
        shown=f"{worst['seconds']:.3f} s (`{worst['kind']}`; {len(over)} of {len(kinds)} kinds over)",
    )
    return lines + targets.lines() + notes(report)


ENVELOPE = {"command", "date", "machine", "library_state", "notes", "limit", "updated_by", "method"}


def _first(report: dict, keys: tuple[str, ...]):
    """The value of the first of ``keys`` that ``report`` has."""
    return next((report[key] for key in keys if key in report), None)


def _cell(value) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _figures(report: dict) -> list[str]:
    """Every top-level figure of a results file as one table, and every dict of dicts (e.g. one
    entry per fuzzed function) as a table of its own: for a results file whose shape the report
    does not spell out."""
    scalars = [
        [f"`{k}`", _cell(v)]
        for k, v in report.items()
        if k not in ENVELOPE and not isinstance(v, dict | list)
    ]
    lines = [*table(["figure", "value"], scalars), ""] if scalars else []
    for key, value in report.items():
        if key in ENVELOPE or not isinstance(value, dict) or not value:
            continue
        if not all(isinstance(v, dict) for v in value.values()):
            continue
        columns = [
            *dict.fromkeys(c for v in value.values() for c, x in v.items() if not isinstance(x, dict | list))
        ]
        rows = [[f"`{name}`", *(_cell(v.get(c, "–")) for c in columns)] for name, v in value.items()]
        lines += [f"`{key}`:", "", *table(["", *columns], rows), ""]
    return lines


def fuzz(report: dict, summary: list) -> list[str]:
    """``fuzz.json``: read loosely (``fuzz.py`` did not exist when this was written); only a crash
    count is required (``crashes``, a number or a list of the crashing inputs)."""
    targets = Targets("Fuzzing", summary)
    lines = provenance(report, "fuzz.json")
    if report.get("method"):
        lines += [f"Method: {report['method']}", ""]
    crashes = _first(report, ("crashes", "n_crashes", "crash_count"))
    if crashes is None:
        raise KeyError("crashes")
    examples = crashes if isinstance(crashes, list) else _first(report, ("crash_examples", "failures")) or []
    lines += _figures(report)
    if examples:
        lines += ["Crashing inputs (first 10):", ""]
        lines += [
            f"- `{(repr(item) if isinstance(item, str) else str(item))[:300]}`" for item in examples[:10]
        ]
        lines.append("")
    n_crashes = len(crashes) if isinstance(crashes, list) else crashes
    targets.at_most("fuzzing: 0 crashes", n_crashes, 0, "d")
    return lines + targets.lines() + notes(report)


def inputs_section(results: Results, summary: list) -> list[str]:
    lines = []
    for name, render, title, capability in (
        ("pathological", pathological, "Pathological inputs (64 KB)", "Pathological inputs"),
        ("fuzz", fuzz, "Fuzzing", "Fuzzing"),
    ):
        lines += [f"### {title}", ""]
        report = results(name)
        if report is None:
            lines += missing(name, f"{name}.py")
            summary.append((capability, None, None, None))  # listed as "not measured yet" at the top
        else:
            lines += render(report, summary)
    return lines


# -- privacy ---------------------------------------------------------------------------------------
LEAK_TITLES = {
    "store_open": "store file + WAL + shm (open)",
    "store_closed": "store file (closed, WAL checkpointed)",
    "handoff_summaries": "hand-over summaries",
    "context_entities": "`context.entities`",
    "prediction_text_financial": "`Prediction.text` (cards, IBANs, SSNs)",
}


def privacy_section(results: Results, summary: list) -> list[str]:
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
    lines += [*table(["where", "values looked for", "raw values found"], rows), ""]
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
                set_title(name),
                f"{r['n']:,}",
                r["changed_for_storage"],
                f"{100 * r['rate_storage']:.2f}%",
                r["changed_in_prediction_text"],
                f"{100 * r['rate_prediction_text']:.2f}%",
            ]
        )
    header = ["texts", "n", "changed (storage)", "rate", "changed (`Prediction.text`)", "rate"]
    lines += ["False positives:", "", *table(header, fp_rows), ""]
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


# -- model files -----------------------------------------------------------------------------------
TAMPER_KINDS = {
    "dtype": "each array saved as int64, bool, str, complex128 or float16",
    "value": "NaN, inf, 1e308 in float arrays; -1, 10**6 in index arrays",
    "shape": "weight matrices transposed, intercepts one longer",
    "arrays": "an undeclared array added, a declared one removed",
    "json": "JSON 100,000 levels deep, of 50 / 70 MB, NaN / Infinity / 1e999, temperature 0, ...",
    "files": "symbolic links out of the directory, a path as a file name, a directory as a file",
}


def model_files_section(results: Results, summary: list) -> list[str]:
    report = results("model_files")
    if report is None:
        return missing("model_files", "model_files.py")
    targets = Targets("Model files", summary)
    model = report.get("model", "?")
    model = "models/default" if model.endswith("/models/default") else model  # recorded as an absolute path
    lines = provenance(report, "model_files.json") + [
        f"Method: {report['n_cases']} tampered copies of the bundled model (`{model}`),",
        "each with one change and then the SHA-256 of every file in its manifest recomputed, as someone who",
        "edits a model on purpose would (the checksums alone catch none of them). A copy that loads is",
        "asked to predict 40 texts of the project's data and compared with the untampered model. Also:",
        "leftovers of killed saves (two of dead processes, one two hours old) after the next save, and a",
        "200 MB training file handed to `load_data`.",
        "",
    ]
    rows = []
    for kind, r in report["by_kind"].items():
        rows.append(
            [f"`{kind}`", TAMPER_KINDS.get(kind, ""), r["cases"], r["loaded"], r["cases"] - r["loaded"]]
        )
        targets.at_most(
            f"`{kind}`: tampered copies that load: 0",
            r["loaded"],
            0,
            "d",
            shown=f"{r['loaded']} of {r['cases']}",
        )
    lines += [*table(["kind", "changed", "copies", "loaded", "refused"], rows), ""]
    loaded = [c for c in report.get("cases", []) if c.get("loaded")]
    if loaded:
        lines += ["Copies that loaded, and what they answered:", ""]
        lines += [f"- `{c['kind']}` {c['name']}: {c.get('outcome', '?')}" for c in loaded[:30]]
        lines.append("")
    codes = ", ".join(f"{code} ×{n}" for code, n in report.get("codes", {}).items())
    load = report["load_seconds_untampered"]
    lines += [
        "Refused with (codes of `docs/errors.md`; a Python exception's name would be no clean refusal): "
        f"{codes}.",
        f"Load time of the untampered model: median {load['median_s']:.3f} s of {len(load['seconds'])}.",
        "",
    ]
    stale = report["stale_leftovers"]
    kept = "kept" if stale.get("live_save_kept") else "**removed**"
    lines += [
        f"Killed saves: {stale['killed_saves']} leftovers, {stale['left_after_next_save']} still there after "
        f"the next save; a save still running (a live process) was {kept}.",
    ]
    limit = report.get("data_limit") or {}
    if limit.get("available") is False:
        lines.append("Size limit of training files: not in the measured version.")
    elif limit:
        verdict = f"refused ({limit['code']})" if limit["refused"] else "**read, not refused**"
        lines.append(f"A {limit['file_mb']} MB training file: {verdict} in {1000 * limit['seconds']:.1f} ms.")
    lines.append("")
    targets.at_most(
        "leftovers of killed saves after the next save: 0",
        stale["left_after_next_save"],
        0,
        "d",
        shown=f"{stale['left_after_next_save']} of {stale['killed_saves']}",
    )
    return lines + targets.lines() + notes(report)
