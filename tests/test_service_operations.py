"""Running the service: a model swapped under load, a worker killed under load, SIGHUP, and PostgreSQL.

Loads are bounded in count and time; each test starts its own ``empathy-nlu serve``.
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
import time

import httpx
import pytest

from empathy_nlu import Classifier
from service_server import Server

REFERENCE = "2026-03-05T10:00:00+00:00"
TEXTS = [
    "I lost my card",
    "where is my refund?",
    "I was charged twice",
    "how do I change my PIN",
    "my transfer has not arrived",
    "let me talk to a person",
    "what is the exchange rate",
    "thanks a lot!",
]


def model_id(directory) -> str:
    return hashlib.sha256((directory / "manifest.json").read_bytes()).hexdigest()[:12]


class Load:
    """``threads`` clients posting ``/v1/parse`` in a loop until stopped (at most ``limit`` requests)."""

    def __init__(self, url: str, threads: int = 4, limit: int = 20_000) -> None:
        self.url, self.limit = url, limit
        self.answers: list[tuple[str, str, dict]] = []  # (text, model id, body)
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]
        for thread in self._threads:
            thread.start()

    def _run(self, offset: int) -> None:
        with httpx.Client(timeout=30) as client:
            i = offset
            while not self._stop.is_set() and len(self.answers) + len(self.failures) < self.limit:
                text = TEXTS[i % len(TEXTS)]
                i += 1
                try:
                    response = client.post(
                        self.url + "/v1/parse", json={"text": text, "reference_time": REFERENCE}
                    )
                except httpx.HTTPError as exc:
                    self.failures.append(repr(exc))
                    continue
                if response.status_code != 200:
                    self.failures.append(f"{response.status_code} {response.text[:200]}")
                else:
                    self.answers.append((text, response.headers["x-empathy-model"], response.json()))

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)


@pytest.fixture(scope="module")
def second_model(saved_support_model):
    """A model trained on data/support.yaml only: other answers than the bundled default."""
    return saved_support_model


def test_a_model_swapped_under_load_fails_no_request_and_mixes_no_answers(tmp_path, second_model):
    from empathy_nlu.classifier import default_model_path

    default = default_model_path()
    expected = {
        model_id(directory): {
            t: Classifier.load(directory).predict(t, reference_time=REFERENCE).to_dict() for t in TEXTS
        }
        for directory in (default, second_model)
    }
    assert len(expected) == 2
    server = Server(["--no-auth", "--workers", "2"], tmp_path / "serve.log")
    try:
        load = Load(server.url)
        time.sleep(1.0)
        swapped = httpx.post(server.url + "/admin/model", json={"path": str(second_model)}, timeout=120)
        assert swapped.status_code == 200, swapped.text
        assert swapped.json()["model"]["model_id"] == model_id(second_model)
        failed = httpx.post(server.url + "/admin/model", json={"path": str(tmp_path / "none")}, timeout=60)
        assert failed.status_code == 422 and failed.json()["code"] == "E707"
        deadline = time.monotonic() + 15  # the other worker follows within a second or so
        while time.monotonic() < deadline:
            recent = {served for _, served, _ in load.answers[-40:]}
            if recent == {model_id(second_model)}:
                break
            time.sleep(0.2)
        load.stop()
        metrics = httpx.get(server.url + "/metrics", timeout=30).text
    finally:
        server.stop()
    assert load.failures == []
    # both workers' counts, summed by prometheus-client's multiprocess mode
    counted = 'empathy_http_requests_total{method="POST",route="/v1/parse",status="200"} '
    assert float(metrics.split(counted)[1].split()[0]) == len(load.answers)
    served = {served for _, served, _ in load.answers}
    assert served == set(expected)  # both models answered, one after the other
    for text, served_by, body in load.answers:
        assert body == expected[served_by][text]  # never a half-loaded or mixed answer
    assert {served for _, served, _ in load.answers[-20:]} == {model_id(second_model)}


def test_a_worker_killed_under_load_is_restarted_and_few_requests_fail(tmp_path):
    server = Server(["--no-auth", "--workers", "2"], tmp_path / "serve.log")
    try:
        workers = server.workers()
        assert len(workers) == 2, server.log()
        load = Load(server.url, threads=4)
        time.sleep(1.0)
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = server.workers()
            if len(now) == 2 and workers[0] not in now:
                break
            time.sleep(0.2)
        answered_before = len(load.answers)
        time.sleep(2.0)
        load.stop()
        replaced = server.workers()
    finally:
        server.stop()
    assert len(replaced) == 2 and workers[0] not in replaced, server.log()
    assert len(load.answers) > answered_before  # still serving after the restart
    # only requests in flight on the killed worker can fail: at most one per client thread
    assert len(load.failures) <= 4, load.failures
    print(f"worker killed: {len(load.failures)} failed of {len(load.answers) + len(load.failures)}")


def test_sighup_reloads_a_model_retrained_in_place(tmp_path, saved_support_model):
    import shutil

    directory = tmp_path / "model"
    shutil.copytree(saved_support_model, directory)
    server = Server(["--no-auth", "--model", str(directory)], tmp_path / "serve.log")
    try:
        before = httpx.get(server.url + "/health/ready", timeout=10).json()["model"]
        assert before["model_id"] == model_id(directory)
        from empathy_nlu.classifier import default_model_path

        shutil.rmtree(directory)
        shutil.copytree(default_model_path(), directory)  # "retrained" in place
        server.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 30
        after = before
        while time.monotonic() < deadline and after["model_id"] == before["model_id"]:
            time.sleep(0.2)
            after = httpx.get(server.url + "/health/ready", timeout=10).json()["model"]
    finally:
        server.stop()
    assert after["model_id"] == model_id(directory) != before["model_id"]
    assert after["generation"] == 1


def test_two_services_on_one_postgresql_store_share_history(tmp_path, fresh_postgres_url):
    servers = [
        Server(["--no-auth", "--store", fresh_postgres_url], tmp_path / f"serve{i}.log") for i in range(2)
    ]
    try:
        assert httpx.get(servers[0].url + "/health/ready", timeout=10).json()["store"] is True
        sent = []
        for i in range(30):
            customer = f"pg-{i % 3}"
            text = f"message {i} about my card 4111 1111 1111 1111"
            url = servers[i % 2].url + f"/v1/channels/chat/messages?customer_id={customer}"
            payload = {"text": text, "timestamp": f"2026-03-05T10:{i:02d}:00Z"}
            response = httpx.post(url, json=payload, timeout=30)
            assert response.status_code == 200, response.text
            sent.append((customer, i))
        for c in range(3):
            customer = f"pg-{c}"
            turns = httpx.get(servers[1 - c % 2].url + f"/v1/customers/{customer}/turns", timeout=30).json()
            numbers = [int(turn["text"].split()[1]) for turn in turns["turns"]]
            assert numbers == [i for cust, i in sent if cust == customer]
            assert all("4111 1111" not in turn["text"] for turn in turns["turns"])
        erased = httpx.delete(servers[0].url + "/v1/customers/pg-0", timeout=30).json()
        assert erased["erased"] == 10
        assert httpx.get(servers[1].url + "/v1/customers/pg-0/turns", timeout=30).json()["turns"] == []
    finally:
        for server in servers:
            server.stop()
