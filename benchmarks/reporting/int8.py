"""The "Accurate tier, int8 weights" section: the frozen accurate tier with float32 and with int8
encoder weights (``features.embedding_precision``), both encoding everything themselves, in one
``accurate.py --tiers accurate-frozen accurate-int8 --no-cache`` run (``results/int8.json``)."""

from __future__ import annotations

from .format import Results, Targets, missing, notes, num, provenance, set_title, table
from .tiers import _throughput

SYSTEMS = {"accurate-frozen": "float32 (frozen encoder)", "accurate-int8": "int8 (frozen encoder)"}


def _quality(set_name: str, r: dict) -> str:
    m = r["metrics"]
    if set_name == "nlupp":
        return f"micro-F1 {m['multi_label_f1']:.4f}"
    if "oos_recall" in m and m.get("oos_recall") is not None:
        return f"in-scope {m['in_scope_accuracy']:.4f} / OOS recall {m['oos_recall']:.4f}"
    if set_name == "airline":
        return f"{m['accuracy']:.4f} / macro-F1 {m['macro_f1']:.4f}"
    return f"{m['accuracy']:.4f}"


def int8_section(results: Results, summary: list) -> list[str]:
    report = results("int8")
    if report is None:
        return missing("int8", "accurate.py --tiers accurate-frozen accurate-int8 --no-cache")
    targets = Targets("Accurate tier, int8 weights", summary)
    res, sizes = report["results"], report["data"]
    lines = provenance(report, "int8.json") + [
        "Method: the accurate tier with its encoder frozen, once with float32 weights and once with",
        "`embedding_precision: int8` (ONNX Runtime's dynamic quantization, one text per run), each",
        "encoding its training and test texts itself; train → test, nothing tuned on test. p50: one",
        "`predict` per text after `save` + `load`; encoder p50: the loaded model's encoder alone;",
        "batch: one `predict_batch` pass over the test split after a warm-up.",
        "",
    ]
    rows, ratios = [], []
    for set_name, systems in res.items():
        for system, r in systems.items():
            batch = _throughput(r, sizes[set_name]["test"]) if set_name != "nlupp" else None
            rows.append([set_title(set_name), SYSTEMS.get(system, system), _quality(set_name, r),
                         f"{r['train_seconds']:.1f}", f"{r['latency_ms']['p50']:.2f}",
                         num(r.get("encoder_latency_ms", {}).get("p50"), ".2f"), num(batch, ",.0f"),
                         f"{r['size_mb']:.2f}", r.get("encoder_runtime") or "–"])  # fmt: skip
        if {"accurate-frozen", "accurate-int8"} <= set(systems) and set_name != "nlupp":
            f32, i8 = systems["accurate-frozen"], systems["accurate-int8"]
            n = sizes[set_name]["test"]
            ratios.append([set_title(set_name), f"{f32['latency_ms']['p50'] / i8['latency_ms']['p50']:.2f}",
                           f"{_throughput(i8, n) / _throughput(f32, n):.2f}"])  # fmt: skip
    header = ["set", "encoder weights", "test score", "train (s)", "p50 (ms)", "encoder p50 (ms)"]
    lines += [*table([*header, "batch (utt/s)", "size (MB)", "runtime"], rows), ""]
    if ratios:
        lines += [*table(["int8 against float32", "p50 speed-up", "batch speed-up"], ratios), ""]
    int8 = {s: systems["accurate-int8"] for s, systems in res.items() if "accurate-int8" in systems}
    timed = {s: r for s, r in int8.items() if s != "nlupp"}
    if timed:
        slowest_p50 = max(r["latency_ms"]["p50"] for r in timed.values())
        targets.at_most("accurate tier, int8: single `predict` p50 ≤ 10 ms (slowest set)", slowest_p50, 10.0,
                        ".2f", " ms")  # fmt: skip
        slowest = min(_throughput(r, sizes[s]["test"]) for s, r in timed.items())
        targets.at_least("accurate tier, int8: batch ≥ 300 utt/s (slowest set)", slowest, 300.0, ",.0f",
                         " utt/s")  # fmt: skip
    return lines + targets.lines() + notes(report)
