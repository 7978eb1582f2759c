"""Start-up: whole processes timed from outside, as a user or a shell script meets them.

    .venv/bin/python benchmarks/startup.py [--runs 5] [--out benchmarks/results/startup.json]

Three commands, each started ``--runs`` times after one uncounted warm-up (which fills the OS
page cache and writes any missing bytecode), the commands taking turns so a drift of the machine
touches all three alike:

- ``import``: ``python -c "import empathy_nlu"``,
- ``version``: ``empathy-nlu --version``,
- ``predict``: ``empathy-nlu predict "my card never arrived"`` on the bundled default model
  (``models/default``), output included.

Wall seconds are a monotonic clock around each child; CPU seconds (user + system) are the
operating system's accounting of the finished child. Figures are min / median / max; the targets
are on the median: ``import`` and ``version`` at most 0.5 s, ``predict`` at most 1.5 s, with the
``embeddings`` extra (torch, sentence-transformers) installed, which is when start-up used to be
slow. Writes the JSON report to ``--out`` and prints it; ``--check`` exits 1 when a target is
missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "startup.json"
TEXT = "my card never arrived"
TARGETS = {"import": 0.5, "version": 0.5, "predict": 1.5}  # median wall seconds


def cli(python: Path) -> list[str]:
    """The ``empathy-nlu`` console script next to ``python``, else ``python -m empathy_nlu``."""
    script = python.parent / "empathy-nlu"
    return [str(script)] if script.is_file() else [str(python), "-m", "empathy_nlu"]


def commands(python: Path) -> dict[str, list[str]]:
    return {
        "import": [str(python), "-c", "import empathy_nlu"],
        "version": [*cli(python), "--version"],
        "predict": [*cli(python), "predict", TEXT],
    }


def embeddings_installed(python: Path) -> bool:
    """Whether torch and sentence-transformers are importable in the timed environment."""
    probe = (
        "import importlib.util as u; print(all(u.find_spec(m) for m in ('torch', 'sentence_transformers')))"
    )
    return subprocess.run([str(python), "-c", probe], capture_output=True, text=True).stdout.strip() == "True"


def run_once(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``argv``; a failing command stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def spread(values: list[float]) -> dict:
    return {
        "min": round(min(values), 3),
        "median": round(statistics.median(values), 3),
        "max": round(max(values), 3),
    }


def measure(python: Path, runs: int) -> dict:
    argvs = commands(python)
    for argv in argvs.values():  # warm-up, not counted
        run_once(argv)
    walls: dict[str, list[float]] = {name: [] for name in argvs}
    cpus: dict[str, list[float]] = {name: [] for name in argvs}
    for _ in range(runs):
        for name, argv in argvs.items():
            wall, cpu = run_once(argv)
            walls[name].append(wall)
            cpus[name].append(cpu)
    results = {}
    for name, argv in argvs.items():
        median = statistics.median(walls[name])
        results[name] = {
            "command": " ".join([Path(argv[0]).name, *argv[1:]]),
            "wall_s": spread(walls[name]),
            "cpu_s": spread(cpus[name]),
            "target_median_wall_s": TARGETS[name],
            "meets_target": median <= TARGETS[name],
        }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="counted runs of each command (default 5)")
    parser.add_argument("--python", default=sys.executable, help="interpreter of the environment to time")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="JSON report (default %(default)s)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a median misses its target")
    args = parser.parse_args(argv)

    python = Path(args.python)
    report = {
        "benchmark": "startup",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": args.runs,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in os.getloadavg()],
        },
        "embeddings_extra_installed": embeddings_installed(python),
        "results": measure(python, args.runs),
    }
    report["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(report, indent=2)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n", "utf-8")
    print(text)
    missed = [name for name, result in report["results"].items() if not result["meets_target"]]
    for name, result in report["results"].items():
        verdict = "meets" if result["meets_target"] else "MISSES"
        print(
            f"{name:8s} median {result['wall_s']['median']:.3f} s wall {verdict} its target "
            f"({result['target_median_wall_s']} s)",
            file=sys.stderr,
        )
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
