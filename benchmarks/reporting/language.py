"""Language sections: sentiment and empathy cues; entities (custom and builtin).

- "Sentiment and cues": ``results/sentiment.json`` (``sentiment.py``);
- "Entities": ``results/entities_slots.json`` (and ``entities_slots_spacy.json``) for SNIPS slots,
  ``results/entities_nlupp.json`` for builtin values on NLU++ (``entities.py``).
"""

from __future__ import annotations

from .format import Results, Targets, missing, notes, num, provenance, table


# -- sentiment and cues ----------------------------------------------------------------------------
def sentiment_section(results: Results, summary: list) -> list[str]:
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
    lines += [*table(header, rows), ""]
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


def entities_section(results: Results, summary: list) -> list[str]:
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
        lines += [*table([*header, "exact decoding"], rows), ""]
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
                    num(t["accuracy_strict"], ".4f"),
                    num(t["recall_span"], ".4f"),
                ]
            )
        for slot, t in v["per_slot"].items():
            rows.append(
                [
                    f"  `{slot}`",
                    t["gold"],
                    t["gold"] - t["unresolvable"],
                    t["correct"],
                    num(t["accuracy"], ".4f"),
                    num(t["accuracy_strict"], ".4f"),
                    num(t["recall_span"], ".4f"),
                ]
            )
        header = ["gold slots", "gold", "resolvable", "correct", "accuracy", "strict", "span found"]
        lines += [*table(header, rows), ""]
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
