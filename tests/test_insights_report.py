"""report.html opens in headless Chromium with no network: every chart is in the rendered DOM, each
chart is a valid SVG, nothing is fetched and the console stays clean."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from empathy_nlu.insights import InsightOptions, build_insights, write_outputs

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
OFFLINE = [  # every request would fail: the page must need none
    "--headless",
    "--disable-gpu",
    "--no-sandbox",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--enable-logging=stderr",
    "--v=0",
]


def chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    command = [CHROMIUM, *OFFLINE, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=90)


@pytest.fixture(scope="module")
def report(tmp_path_factory, support_model):
    from test_insights import contact_rows, write_log

    folder = tmp_path_factory.mktemp("report")
    log = write_log(contact_rows(), folder / "scored.parquet")
    insights = build_insights([log], InsightOptions(), model=support_model)
    return insights, write_outputs(insights, folder / "out")["report"]


def test_report_renders_offline_with_every_chart_and_no_console_error(report, tmp_path):
    insights, path = report
    html = Path(path).read_text("utf-8")
    expected = int(re.search(r'name="empathy-nlu-charts" content="(\d+)"', html).group(1))
    assert expected >= 5  # drivers, share per week, emerging, repeat, sentiment/hand-over, candidates
    result = chromium(tmp_path, "--dump-dom", f"file://{path}")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    charts = re.findall(r'<img class="chart"[^>]*src="data:image/svg\+xml;base64,([^"]+)"', dom)
    assert len(charts) == expected
    for chart in charts:
        assert ET.fromstring(base64.b64decode(chart)).tag.endswith("svg")
    for name in ("exchange_rate", insights["candidate_intents"][0]["name"], "request_refund"):
        assert name in dom
    log = result.stderr
    assert not re.search(r"Uncaught|CONSOLE\(|ERROR:CONSOLE", log), log[-2000:]
    assert "net::ERR" not in log, log[-2000:]  # nothing was fetched (every fetch would fail)
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_report_screenshot_is_an_image(report, tmp_path):
    _, path = report
    shot = tmp_path / "report.png"
    result = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1100,1400", f"file://{path}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
