"""Generate ``notebooks/evaluate.ipynb`` (without outputs) from the cell sources below.

    .venv/bin/python notebooks/build_notebook.py

Edit the cells here, not in the .ipynb, so that changes are reviewable as Python.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOK = Path(__file__).resolve().parent / "evaluate.ipynb"

CELLS: list[tuple[str, str]] = [
    (
        "markdown",
        """# Evaluating empathy-nlu

Trains the fast tier on the BANKING77 `train` split and reports on the `test` split only
(nothing here is tuned on `test`): accuracy, macro-F1, the weakest intents, the most frequent
confusions, and how honest the confidences are (reliability plot and expected calibration error).
Then sentiment (airline tweets), entities (SNIPS slots) and history (SGD dialogues).

Set `EMPATHY_NOTEBOOK_SUBSET=N` to train on at most `N` examples per intent (a quick run).""",
    ),
    (
        "code",
        """import io
import json
import os
import time
from collections import defaultdict
from pathlib import Path

from IPython.display import Image, Markdown, display
from matplotlib.figure import Figure

from empathy_nlu import Classifier, Example, __version__
from empathy_nlu.evaluation import evaluate

print(f"empathy-nlu {__version__}")""",
    ),
    (
        "markdown",
        "## Data\n\nThe repository root is the first folder above the working directory with a "
        "`pyproject.toml`; the benchmark data sits beside it in `../shared/data`.",
    ),
    (
        "code",
        """def find_repo_root(start: Path) -> Path:
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    raise FileNotFoundError(f"no pyproject.toml above {start}")


ROOT = find_repo_root(Path.cwd().resolve())
DATA = (ROOT / Path("../shared/data")).resolve() / "banking77"
SUBSET = int(os.environ["EMPATHY_NOTEBOOK_SUBSET"]) if os.environ.get("EMPATHY_NOTEBOOK_SUBSET") else None


def read_jsonl(path: Path) -> list[Example]:
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [Example(text=row["text"], intent=row["intent"]) for row in rows]


def first_per_intent(examples: list[Example], limit: int | None) -> list[Example]:
    if limit is None:
        return examples
    seen: dict[str, int] = defaultdict(int)
    kept = []
    for example in examples:
        if seen[example.intent] < limit:
            seen[example.intent] += 1
            kept.append(example)
    return kept


train = first_per_intent(read_jsonl(DATA / "train.jsonl"), SUBSET)
test = read_jsonl(DATA / "test.jsonl")
print(f"data: {DATA}")
print(
    f"train: {len(train)} examples, {len({ex.intent for ex in train})} intents"
    + (f" (at most {SUBSET} per intent)" if SUBSET else "")
)
print(f"test:  {len(test)} examples")""",
    ),
    ("markdown", "## Train (fast tier, default settings)"),
    (
        "code",
        """started = time.perf_counter()
clf = Classifier.train(train)
print(f"trained in {time.perf_counter() - started:.1f} s")
cv = clf.manifest["metrics"]["intent_cross_validation"]
print("cross-validation on train:", json.dumps(cv, indent=1))""",
    ),
    ("markdown", "## Evaluate on the test split"),
    (
        "code",
        """report = evaluate(clf, test)
intent = report["intent"]
ece = intent["ece"]
print(f"n = {report['n']}")
print(f"accuracy = {intent['accuracy']:.4f}")
print(f"macro-F1 = {intent['macro_f1']:.4f}")
print(f"ECE = {ece:.4f}")
print(f"latency p50 = {report['latency_ms']['p50']:.3f} ms, p99 = {report['latency_ms']['p99']:.3f} ms")""",
    ),
    ("markdown", "### Per-intent F1: the 15 weakest intents"),
    (
        "code",
        """def markdown_table(header: list[str], rows: list[list]) -> Markdown:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return Markdown("\\n".join(lines))


worst = sorted(intent["per_intent"].items(), key=lambda item: (item[1]["f1"], item[0]))[:15]
display(
    markdown_table(
        ["intent", "precision", "recall", "F1", "support"],
        [
            [name, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}", s["support"]]
            for name, s in worst
        ],
    )
)""",
    ),
    ("markdown", "### Most frequent confusions (gold → predicted)"),
    (
        "code",
        """display(
    markdown_table(
        ["gold", "predicted", "count"],
        [[c["gold"], c["predicted"], c["count"]] for c in intent["confusions"][:15]],
    )
)""",
    ),
    (
        "markdown",
        "### Reliability (calibration)\n\nMean confidence against accuracy per confidence bin "
        "(`report['intent']['reliability']`, 10 bins); a calibrated model lies on the diagonal. "
        "The ECE in the title is the library's figure (15 equal-width bins).",
    ),
    (
        "code",
        """bins = [b for b in intent["reliability"] if b["count"]]
fig = Figure(figsize=(6, 5))
ax = fig.subplots()
ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], marker="o", label="empathy-nlu")
for b in bins:
    ax.annotate(
        str(b["count"]),
        (b["confidence"], b["accuracy"]),
        textcoords="offset points",
        xytext=(4, -10),
        fontsize=7,
        color="dimgray",
    )
ax.set_xlim(0, 1)
ax.set_ylim(0, 1)
ax.set_xlabel("confidence (mean per bin)")
ax.set_ylabel("accuracy")
ax.set_title(f"BANKING77 test reliability (ECE = {ece:.4f})")
ax.legend(loc="upper left")
buffer = io.BytesIO()
fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")  # Agg canvas: no GUI backend needed
display(Image(data=buffer.getvalue(), format="png"))""",
    ),
    (
        "markdown",
        "## Sentiment\n\nA sentiment-only model trained on the airline tweets' `train` split, scored on "
        "`test` with `evaluate`, next to the bundled default model, which never saw airline data.",
    ),
    (
        "code",
        """AIRLINE = (ROOT / Path("../shared/data")).resolve() / "airline_sentiment"


def read_sentiment(path: Path, limit: int | None = None) -> list[Example]:
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    rows = rows[: limit * 30] if limit else rows
    return [Example(text=row["text"], sentiment=row["sentiment"]) for row in rows]


sentiment_model = Classifier.train(read_sentiment(AIRLINE / "train.jsonl", SUBSET))
airline_test = read_sentiment(AIRLINE / "test.jsonl")
rows = []
for name, model in [("trained on airline train", sentiment_model), ("bundled default", Classifier.load())]:
    sentiment = evaluate(model, airline_test)["sentiment"]
    per_label = [f"{sentiment['per_label'][k]['f1']:.3f}" for k in ("negative", "neutral", "positive")]
    rows.append([name, f"{sentiment['accuracy']:.4f}", f"{sentiment['macro_f1']:.4f}", *per_label])
markdown_table(["model", "accuracy", "macro-F1", "F1 negative", "F1 neutral", "F1 positive"], rows)""",
    ),
    (
        "markdown",
        "## Entities\n\nSNIPS slots: the CRF tagger trained on `train` (intents and entities together), "
        "scored on `test` by exact span and type with `evaluate`. The weakest entity types come first.",
    ),
    (
        "code",
        """from empathy_nlu.dataset import load_data

SNIPS = (ROOT / Path("../shared/data")).resolve() / "snips"
snips_train = load_data(SNIPS / "train.jsonl").examples
snips_test = load_data(SNIPS / "test.jsonl").examples
if SUBSET:
    snips_train = snips_train[:: max(1, len(snips_train) // (SUBSET * 20))]  # every intent
slot_model = Classifier.train(snips_train, {"cues": {"enabled": False}, "context": {"enabled": False}})
entities = evaluate(slot_model, snips_test)["entities"]
print(f"slot precision {entities['precision']:.4f}, recall {entities['recall']:.4f}, F1 {entities['f1']:.4f}")
weakest = sorted(entities["per_entity"].items(), key=lambda item: item[1]["f1"])[:10]
markdown_table(
    ["entity", "F1", "precision", "recall", "support"],
    [
        [name, f"{s['f1']:.3f}", f"{s['precision']:.3f}", f"{s['recall']:.3f}", s["support"]]
        for name, s in weakest
    ],
)""",
    ),
    (
        "markdown",
        "## History\n\nSGD dialogues: every customer turn of `dev` predicted from the raw turns before it, "
        "with the history-aware model and with history switched off.",
    ),
    (
        "code",
        """from empathy_nlu.evaluation import evaluate_dialogues

SGD = (ROOT / Path("../shared/data")).resolve() / "sgd_dialogues"
sgd_train, sgd_dev = load_data(SGD / "train.jsonl"), load_data(SGD / "dev.jsonl")
if SUBSET:
    sgd_train.dialogues, sgd_dev.dialogues = sgd_train.dialogues[: SUBSET * 10], sgd_dev.dialogues[:SUBSET]
dialogue_model = Classifier.train(sgd_train, {"cues": {"enabled": False}})
rows = []
for name, enabled in [("history-aware", True), ("utterance only", False)]:
    dialogue_model.config["context"]["enabled"] = enabled
    turns = evaluate_dialogues(dialogue_model, sgd_dev.dialogues)["intent"]
    keys = ("accuracy", "accuracy_first_turn", "accuracy_follow_up")
    rows.append([name, *(f"{turns[k]:.4f}" for k in keys)])
markdown_table(["model", "turn accuracy", "first turns", "follow-ups"], rows)""",
    ),
    (
        "markdown",
        "## Insights over a scored log\n\nA small hand-made log of six weeks, scored as "
        "`empathy-nlu score` writes it: one intent rises in the last week and a few messages about "
        "a topic the model does not know stay unplaced. `build_insights` (local engine, no Spark) "
        "finds the riser with Fisher's exact test and Benjamini-Hochberg, and groups the unplaced "
        "messages into a candidate intent with HDBSCAN (docs/insights.md).",
    ),
    (
        "code",
        """import tempfile
from datetime import UTC, datetime, timedelta

import pandas as pd

from empathy_nlu.insights import InsightOptions, build_insights

start = datetime(2024, 1, 1, 9, tzinfo=UTC)
weekly = {"card_not_arrived": 20, "request_refund": 15, "exchange_rate": 2}
parking = ["where can i park at the branch", "is there parking near your branch", "branch car park is full",
           "how much is parking at the branch", "can i park overnight at the branch car park",
           "is branch parking free for customers", "where is the nearest car park to the branch",
           "the branch parking machine took my coins"]
rows = []
for week in range(6):
    for intent, n in weekly.items():
        n = 25 if intent == "exchange_rate" and week == 5 else n
        when = [start + timedelta(days=7 * week, hours=k) for k in range(n)]
        rows += [{"intent": intent, "timestamp": t, "out_of_scope": False, "confidence": 0.9,
                  "text": f"about {intent}"} for t in when]
rows += [{"intent": None, "timestamp": start + timedelta(days=k), "out_of_scope": True, "confidence": 0.2,
          "text": text} for k, text in enumerate(parking * 2)]
log = pd.DataFrame(rows).assign(
    id=lambda f: [f"m{i:04d}" for i in range(len(f))], customer_id=lambda f: [f"u{i}" for i in range(len(f))],
    channel="chat", sentiment="neutral", escalation_risk=0.1, handoff_recommended=False)
path = Path(tempfile.mkdtemp()) / "scored.parquet"
log.to_parquet(path, index=False)
insights = build_insights([path], InsightOptions(period="week"))
markdown_table(
    ["emerging intent", "recent share", "baseline share", "adjusted p"],
    [[r["intent"], f"{r['recent_share']:.3f}", f"{r['baseline_share']:.3f}", f"{r['p_adjusted']:.2g}"]
     for r in insights["emerging"]],
)""",
    ),
    (
        "code",
        """for candidate in insights["candidate_intents"]:
    print(candidate["name"], candidate["size"], "messages; top terms:", ", ".join(candidate["top_terms"][:5]))
    print(candidate["yaml"])""",
    ),
]


def build() -> nbformat.NotebookNode:
    cells = [new_markdown_cell(src) if kind == "markdown" else new_code_cell(src) for kind, src in CELLS]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:02d}"  # stable ids keep regenerated notebooks diff-free
    return notebook


def main() -> None:
    notebook = build()
    nbformat.validate(notebook)
    nbformat.write(notebook, NOTEBOOK)
    print(f"wrote {NOTEBOOK}")


if __name__ == "__main__":
    main()
