"""Conversation sections: history-aware intent; channel adapters and the conversation store.

- "History": ``results/history.json`` (``history.py``);
- "Channels and store": ``results/channels.json`` (``channels.py``).
"""

from __future__ import annotations

from .format import Results, Targets, missing, notes, provenance, table


# -- history ---------------------------------------------------------------------------------------
def history_section(results: Results, summary: list) -> list[str]:
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
        lines += [*table(header, rows), ""]
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
        lines += [*table(["BANKING77 test with empty history", "accuracy"], rows), ""]
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
            *table(
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


def channels_section(results: Results, summary: list) -> list[str]:
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
        lines += [*table(header, rows), ""]
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
