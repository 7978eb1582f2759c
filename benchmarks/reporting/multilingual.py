"""The "Languages" section: ``results/languages.json`` (``languages.py``).

In-language accuracy beside the character-n-gram SVM peer of the same run, zero-shot transfer from
English, xSID by cross-validation, language identification per test file, latency per script and
feelings (cues, sentiment) per language.
"""

from __future__ import annotations

from .format import Results, Targets, missing, notes, num, provenance, table

# BANKING77 fast tier before the multilingual changes: 2,815 of 3,080 (results/intent.json, git 395d23b)
ENGLISH_BEFORE = 2815 / 3080
IN_LANGUAGE_TARGETS = [
    ("arbanking77", "msa", "ArBanking77 MSA ≥ 0.92", 0.92),
    ("arbanking77", "pal", "ArBanking77 Palestinian ≥ 0.90", 0.90),
    ("fb_mtod_th", "test", "Thai (fb_mtod_th) ≥ 0.98", 0.98),
    ("fb_mtod_es", "test", "Spanish (fb_mtod_es) ≥ 0.985", 0.985),
    ("cais_zh", "test", "Chinese (CAIS) ≥ 0.96", 0.96),
]


def _in_language(figures: dict, targets: Targets) -> list[str]:
    rows = []
    for set_name, measured in figures.items():
        for test_name, scores in measured["tests"].items():
            ours, peer = scores["empathy"]["accuracy"], scores["char_svm"]["accuracy"]
            multilingual = scores.get("multilingual", {}).get("accuracy")
            rows.append(
                [
                    f"{set_name} {test_name}",
                    f"{measured['train_n']:,}",
                    f"{ours:.4f}",
                    f"{scores['empathy']['macro_f1']:.4f}",
                    f"{peer:.4f}",
                    f"{ours / peer:.3f}×",
                    num(multilingual, ".4f"),
                    f"{measured['train_s']:.1f}",
                    num(measured.get("multilingual_train_s"), ".1f"),
                ]
            )
    for set_name, test_name, label, limit in IN_LANGUAGE_TARGETS:
        if set_name in figures:
            targets.at_least(
                label, figures[set_name]["tests"][test_name]["empathy"]["accuracy"], limit, ".4f"
            )
    if "banking77" in figures:
        english = figures["banking77"]["tests"]["test"]["empathy"]["accuracy"]
        targets.at_least(
            f"English BANKING77 no lower than {ENGLISH_BEFORE:.4f}", english, ENGLISH_BEFORE, ".4f"
        )
    header = [
        "set / test",
        "train n",
        "fast tier accuracy",
        "macro-F1",
        "char-n-gram SVM",
        "fast / SVM",
        "multilingual tier",
        "fast train s",
        "multilingual train s",
    ]
    return ["In-language training (train → test, default settings):", "", *table(header, rows), ""]


def _zero_shot(figures: dict, targets: Targets) -> list[str]:
    names = ["msa", "pal", "saudi", "moroccan", "tunisian", "english"]
    rows = [
        [
            tier,
            *(num(measured["tests"].get(n, {}).get("accuracy"), ".4f") for n in names),
            f"{measured['train_s']:.0f}",
        ]
        for tier, measured in figures.items()
    ]
    if "multilingual" in figures:
        value = figures["multilingual"]["tests"]["msa"]["accuracy"]
        targets.at_least("multilingual tier, English only → ArBanking77 MSA ≥ 0.70", value, 0.70, ".4f")
    header = [
        "tier (trained on English BANKING77)",
        *(f"Ar {n}" for n in names[:-1]),
        "English test",
        "train s",
    ]
    return ["Zero-shot transfer (no Arabic example seen):", "", *table(header, rows), ""]


def _xsid(figures: dict) -> list[str]:
    languages = sorted({lang for tier in figures.values() for lang in tier["per_language"]})
    rows = [
        [
            tier,
            f"{measured['all']:.4f}",
            *(f"{measured['per_language'].get(lang, 0):.3f}" for lang in languages),
        ]
        for tier, measured in figures.items()
    ]
    return [
        "xSID: one model on all 13 `xsid_valid` files, 5-fold cross-validation, accuracy per language:",
        "",
        *table(["tier", "all", *languages], rows),
        "",
    ]


def _language_id(figures: dict, targets: Targets) -> list[str]:
    rows, worst = [], 1.0
    for path, measured in figures.items():
        if path.startswith("_"):
            continue
        worst = min(worst, measured["accuracy"])
        confused = ", ".join(f"{code}: {n}" for code, n in measured["confused_with"].items()) or "–"
        rows.append(
            [path, measured["language"], f"{measured['n']:,}", f"{measured['accuracy']:.4f}", confused]
        )
    targets.at_least("language ID on every shared test file ≥ 0.98 (worst file)", worst, 0.98, ".4f")
    latency = figures.get("_latency_ms", {})
    return [
        "Language identification (`Prediction.language`, the text alone):",
        "",
        *table(["file", "language", "n", "accuracy", "confused with"], rows),
        "",
        f"Detection alone, Chinese messages: p50 {num(latency.get('p50'), '.3f')} ms, "
        f"p99 {num(latency.get('p99'), '.3f')} ms.",
        "",
    ]


def _latency(figures: dict, targets: Targets) -> list[str]:
    rows = [
        [script, f"{m['p50']:.3f}", f"{m['p99']:.3f}", f"{m['vs_english']:.2f}×"]
        for script, m in figures.items()
    ]
    for script in ("Chinese (Han)", "Thai"):
        if script in figures:
            ratio = figures[script]["vs_english"]
            targets.at_most(f"p50, {script} message ≤ 2× English", ratio, 2.0, ".2f", "×")
    return [
        "Single `predict` latency per script (fast tier, each on its set's in-language model, reloaded; "
        "the scripts' calls interleaved):",
        "",
        *table(["script", "p50 ms", "p99 ms", "p50 vs English"], rows),
        "",
    ]


def _feelings(figures: dict) -> list[str]:
    rows = [
        [
            lang,
            m["n"],
            num(m["sentiment_accuracy"], ".3f"),
            num(m["cue_f1"], ".3f"),
            num(m["cue_precision"], ".3f"),
            num(m["cue_recall"], ".3f"),
        ]
        for lang, m in figures.items()
    ]
    return [
        "Feelings per language (bundled default model, `test` rows of `tests/data/feelings_*.jsonl`):",
        "",
        *table(["language", "n", "sentiment accuracy", "cue F1", "cue precision", "cue recall"], rows),
        "",
    ]


def languages_section(results: Results, summary: list) -> list[str]:
    report = results("languages")
    if report is None:
        return missing("languages", "languages.py")
    targets = Targets("Languages", summary)
    lines = provenance(report, "languages.json")
    if "in_language" in report:
        lines += _in_language(report["in_language"], targets)
    if "zero_shot" in report:
        lines += _zero_shot(report["zero_shot"], targets)
    if "xsid" in report:
        lines += _xsid(report["xsid"])
    if "language_id" in report:
        lines += _language_id(report["language_id"], targets)
    if "latency" in report:
        lines += _latency(report["latency"], targets)
    if "feelings" in report:
        lines += _feelings(report["feelings"])
    return [*lines, *targets.lines(), *notes(report)]
