"""Fuzzing at scale: the Hypothesis strategies of tests/test_fuzz.py for 10,000 cases; crashes counted.

    .venv/bin/python benchmarks/fuzz.py [--cases 10000] [--out FILE] [--note TEXT]

The same strategies and properties as ``tests/test_fuzz.py`` (imported from it, not copied), run
for many more cases: ``predict`` and ``predict_batch`` on the default model (``Classifier.load()``)
with generated texts, histories (strings, dicts and ``Turn`` objects with odd timestamps, speakers,
channels and intents), reference times of every type and channels; ``predict`` on a model trained
on ``data/support.yaml`` (no history-aware intent); and every channel adapter's ``parse``. A crash is
any exception that is not an ``EmpathyError``, a ``Prediction`` that is not strict JSON, or a ``Turn``
with a lone surrogate or a timestamp outside the years 1900 to 2199. The target is 0 crashes.
Seeded (``derandomize``): every run tries the same cases. Writes ``results/fuzz.json`` with the
cases and crashes per property and up to 5 examples of each distinct crash.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import common
from common import log

sys.path.insert(0, str(common.ROOT / "tests"))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import test_fuzz as fuzz  # noqa: E402  (the strategies and properties of the test suite)

# share of the cases per property (they sum to 1)
SHARES = {
    "predict": 0.30,
    "predict_history": 0.25,
    "predict_batch": 0.10,
    "predict_small_model": 0.10,
    "parse_chat": 0.05,
    "parse_email": 0.05,
    "parse_sms": 0.05,
    "parse_social": 0.05,
    "parse_voice": 0.05,
}
EXAMPLES_KEPT = 5


def run_property(name: str, strategy, check, cases: int) -> dict:
    """``check`` over ``cases`` generated values; never raises, counts what went wrong."""
    seen = {"cases": 0, "crashes": 0, "kinds": {}}

    @settings(
        max_examples=cases,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(value=strategy)
    def property_(value):
        seen["cases"] += 1
        problem = check(value)
        if problem is not None:
            seen["crashes"] += 1
            kind = problem.split(":", 1)[0]
            examples = seen["kinds"].setdefault(kind, {"count": 0, "examples": []})
            examples["count"] += 1
            if len(examples["examples"]) < EXAMPLES_KEPT:
                examples["examples"].append({"problem": problem, "input": repr(value)[:300]})

    started = time.perf_counter()
    property_()
    seen["seconds"] = round(time.perf_counter() - started, 1)
    log(f"{name:22s} {seen['cases']:6d} cases  {seen['crashes']} crashes  {seen['seconds']} s")
    return seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases in total over all properties")
    common.add_output_arguments(parser, "fuzz")
    args = parser.parse_args(argv)
    args.out = common.output_path(args.out, "fuzz", args.cases < 10_000)
    from empathy_nlu import Classifier

    report: dict = {**common.envelope("fuzz.py", argv, args.note), "cases_requested": args.cases}
    default_model = Classifier.load()
    small_model = Classifier.train(common.ROOT / "data" / "support.yaml")
    properties = {
        "predict": (
            st.tuples(fuzz.utterances, fuzz.reference_times, fuzz.channels),
            lambda v: fuzz.check_predict(default_model, v[0], None, v[1], v[2]),
        ),
        "predict_history": (
            st.tuples(fuzz.texts, fuzz.histories, fuzz.reference_times, fuzz.channels),
            lambda v: fuzz.check_predict(default_model, *v),
        ),
        "predict_batch": (fuzz.batches(), lambda v: fuzz.check_predict_batch(default_model, v)),
        "predict_small_model": (
            st.tuples(fuzz.short_texts, fuzz.histories, fuzz.reference_times, fuzz.channels),
            lambda v: fuzz.check_predict(small_model, *v),
        ),
    }
    for name, (_, strategy) in fuzz.ADAPTERS.items():
        properties[f"parse_{name}"] = (strategy, lambda v, name=name: fuzz.check_parse(name, v))
    results = {}
    for name, (strategy, check) in properties.items():
        results[name] = run_property(name, strategy, check, max(1, round(args.cases * SHARES[name])))
    report["method"] = (
        f"the Hypothesis strategies of `tests/test_fuzz.py` (imported), seeded, {args.cases:,} cases over "
        "`predict` and `predict_batch` of the default model (texts with lone surrogates and pathological "
        "runs; histories of strings, dicts and `Turn` objects with odd timestamps, speakers, channels and "
        "intents; reference times of every type), `predict` of a model trained on `data/support.yaml`, and "
        "the `parse` of every channel adapter; a crash is an exception that is not an `EmpathyError`, a "
        "`Prediction` that is not strict JSON, or a `Turn` with a lone surrogate or a timestamp out of range"
    )
    report["properties"] = results
    report["cases"] = sum(r["cases"] for r in results.values())
    report["crashes"] = sum(r["crashes"] for r in results.values())
    report["crash_examples"] = [
        f"{name}: {example['problem']} <- {example['input']}"
        for name, r in results.items()
        for kind in r["kinds"].values()
        for example in kind["examples"]
    ]
    report["target_crashes"] = 0
    common.write_results(args.out, report)
    print(json.dumps({"cases": report["cases"], "crashes": report["crashes"]}))
    log(f"wrote {args.out}")
    return 0 if report["crashes"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
