"""The evaluation notebook runs end to end on a subset of BANKING77 and shows its ECE and a plot.

Executes ``notebooks/evaluate.ipynb`` with nbclient in a ``python3`` kernel (jupyter_client
starts a kernelspec whose argv is ``python`` with the interpreter running this test, i.e. the
venv's), working directory ``notebooks/``, ``EMPATHY_NOTEBOOK_SUBSET=30``.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO_ROOT / "notebooks"
NOTEBOOK = NOTEBOOKS / "evaluate.ipynb"
BANKING77 = (REPO_ROOT / ".." / "shared" / "data" / "banking77").resolve()
ECE_MARKER = "__TEST_ECE__"


def _outputs(cells) -> tuple[str, list[dict]]:
    texts, datas = [], []
    for cell in cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                texts.append(output.get("text", ""))
            data = output.get("data", {})
            if data:
                datas.append(data)
                texts.extend(str(v) for k, v in data.items() if k.startswith("text/"))
    return "\n".join(texts), datas


def test_notebook_is_committed_without_outputs_and_matches_its_generator():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "commit the notebook without outputs"
    spec = importlib.util.spec_from_file_location("build_notebook", NOTEBOOKS / "build_notebook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    generated = module.build()
    assert [(c.cell_type, c.source) for c in notebook.cells] == [
        (c.cell_type, c.source) for c in generated.cells
    ], "evaluate.ipynb is out of date: run notebooks/build_notebook.py"


@pytest.mark.skipif(not BANKING77.is_dir(), reason=f"benchmark data not found at {BANKING77}")
def test_notebook_runs_and_shows_ece_and_reliability_plot(monkeypatch):
    monkeypatch.setenv("EMPATHY_NOTEBOOK_SUBSET", "30")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    n_own_cells = len(notebook.cells)
    # An extra cell, added only here, reports the exact ECE so the test can find it in the notebook's output.
    notebook.cells.append(nbformat.v4.new_code_cell(f'print("{ECE_MARKER}", repr(report["intent"]["ece"]))'))
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError on any failing cell

    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    marker_text, _ = _outputs(notebook.cells[n_own_cells:])
    match = re.search(rf"{ECE_MARKER} (\S+)", marker_text)
    assert match, marker_text
    ece = float(match.group(1))
    assert 0.0 <= ece <= 1.0

    text, datas = _outputs(notebook.cells[:n_own_cells])
    assert f"ECE = {ece:.4f}" in text, "the notebook's own outputs do not show the ECE"
    assert "n = 3080" in text, "the notebook should evaluate on the whole BANKING77 test split"
    assert any("image/png" in data for data in datas), "no PNG image (reliability plot) in the outputs"
