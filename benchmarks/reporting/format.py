"""What every section of ``RESULTS.md`` shares: numbers, tables, target rows, where a run comes from.

- ``num``, ``table``, ``set_title``: a figure or "–", a Markdown table, a benchmark set's display name;
- ``Targets``: the target rows of a section (met / missed, margin), also collected for the summary;
- ``provenance``: the command, date, machine and library state printed above every section;
- ``notes``: the run's ``--note`` remarks; ``missing``: the text of a capability not measured yet.
"""

from __future__ import annotations

from collections.abc import Callable

Results = Callable[[str], dict | None]  # results("intent") -> the parsed results/intent.json, or None

SET_TITLES = {
    "banking77": "BANKING77",
    "clinc150": "CLINC150 (full)",
    "snips": "SNIPS",
    "airline": "airline sentiment",
    "nlupp": "NLU++ banking",
}


# -- formatting ------------------------------------------------------------------------------------
def num(value, spec: str) -> str:
    """``value`` formatted with ``spec``, or "–" when it was not measured (None)."""
    return "–" if value is None else format(value, spec)


def table(header: list[str], rows: list[list]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + " --- |" * len(header),
        *("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows),
    ]


def set_title(set_name: str) -> str:
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
        return ["Targets:", "", *table(["target", "measured", "verdict", "margin"], self.rows), ""]


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


def missing(name: str, script: str) -> list[str]:
    """The text of a section whose ``results/<name>.json`` does not exist."""
    return [
        f"Not measured yet: there is no `results/{name}.json`. "
        f"Run `.venv/bin/python benchmarks/{script}`, then `report.py`.",
        "",
    ]
