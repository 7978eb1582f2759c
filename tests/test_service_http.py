"""The HTTP service, started for real (``empathy-nlu serve`` on a 127.0.0.1 port): every route, keys and
scopes, the library's answers byte for byte, Rasa's shape, erasure down to the file, limits, logs."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from empathy_nlu import Classifier
from service_server import ROOT, Server, make_key

REFERENCE = "2026-03-05T10:00:00+00:00"
JSON = "application/json"
CARD = "4111 1111 1111 1111"
EMAIL_BODY = (
    b"From: Jo Doe <jo@example.com>\r\nTo: support@bank.example\r\nSubject: card\r\n"
    b"Date: Thu, 05 Mar 2026 09:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Hello, my new card never arrived and it has been two weeks. Please help.\r\n"
)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    folder = tmp_path_factory.mktemp("service")
    keys_file = folder / "keys.yaml"
    keys = {
        "all": make_key(keys_file, "all", "parse,channels,history,erase,admin,metrics"),
        "parse": make_key(keys_file, "parse-only", "parse"),
        "channels": make_key(keys_file, "channels-only", "channels"),
    }
    store = folder / "conversations.sqlite3"
    server = Server(
        [
            "--keys",
            str(keys_file),
            "--store",
            f"sqlite:///{store}",
            "--max-body-kb",
            "64",
            "--max-batch",
            "8",
        ],
        folder / "serve.log",
    )
    yield server, keys, store
    server.stop()


def call(service, method: str, path: str, key: str | None = "all", **kwargs) -> httpx.Response:
    server, keys, _ = service
    headers = dict(kwargs.pop("headers", {}))
    if key is not None:
        headers["Authorization"] = f"Bearer {keys.get(key, key)}"
    return httpx.request(method, server.url + path, headers=headers, timeout=30, **kwargs)


@pytest.fixture(scope="module")
def library() -> Classifier:
    return Classifier.load()


def test_parse_answers_exactly_what_the_library_answers(service, library):
    texts = [line for line in (ROOT / "data" / "support.yaml").read_text().splitlines() if line.strip()]
    texts = [line.strip().lstrip("- ").strip('"') for line in texts if line.strip().startswith("- ")][:1000]
    texts += ["", "   ", "ünïcödé 👍", "x" * 6000, "my card 4111 1111 1111 1111 and jo@example.com"]
    with httpx.Client(timeout=30) as client:
        server, keys, _ = service
        for text in texts:
            body = {"text": text, "reference_time": REFERENCE, "channel": "chat"}
            response = client.post(
                server.url + "/v1/parse", json=body, headers={"Authorization": f"Bearer {keys['all']}"}
            )
            expected = library.predict(text, reference_time=REFERENCE, channel="chat").to_json()
            assert response.status_code == 200, response.text
            assert response.content.decode() == expected
    assert len(texts) > 500


def test_history_and_batch_give_the_library_answers(service, library):
    history = ["I lost my card", {"speaker": "agent", "text": "Shall I block it for you?"}]
    one = call(
        service,
        "POST",
        "/v1/parse",
        json={"text": "yes please", "history": history, "reference_time": REFERENCE},
    )
    expected = library.predict("yes please", history, reference_time=REFERENCE)
    assert one.json() == expected.to_dict()
    assert one.json()["context"]["intent_source"] != "utterance"
    items = [{"text": t, "reference_time": REFERENCE} for t in ("hi", "refund please", "I lost my card")]
    batch = call(service, "POST", "/v1/parse/batch", json={"items": items})
    assert batch.status_code == 200
    assert batch.json()["predictions"] == [
        library.predict(i["text"], reference_time=REFERENCE).to_dict() for i in items
    ]


@pytest.mark.parametrize(
    ("key", "method", "path", "status", "code"),
    [
        (None, "POST", "/v1/parse", 401, "E701"),
        ("not-a-key", "POST", "/v1/parse", 401, "E701"),
        ("channels", "POST", "/v1/parse", 403, "E702"),
        ("parse", "GET", "/v1/customers/c1/turns", 403, "E702"),
        ("parse", "DELETE", "/v1/customers/c1", 403, "E702"),
        ("parse", "POST", "/admin/model", 403, "E702"),
        ("parse", "GET", "/metrics", 403, "E702"),
        ("parse", "POST", "/v1/channels/chat/messages?customer_id=c1", 403, "E702"),
    ],
)
def test_keys_and_scopes(service, key, method, path, status, code):
    response = call(service, method, path, key=key, json={"text": "hi", "path": "/x"})
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code and body["error"] == "ServiceError"
    for name in ("all", "parse-only", "channels-only"):  # never says which keys exist
        assert name not in response.text
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_parse_key_cannot_read_a_customers_history_through_parse(service):
    response = call(service, "POST", "/v1/parse", key="parse", json={"text": "hi", "customer_id": "c1"})
    assert response.status_code == 403 and response.json()["code"] == "E702"


def test_channel_messages_are_stored_masked_and_read_back_across_channels(service, library):
    chat = {"text": f"my card {CARD} was declined", "timestamp": "2026-03-05T08:00:00Z"}
    first = call(service, "POST", "/v1/channels/chat/messages?customer_id=cust-42", json=chat)
    assert first.status_code == 200, first.text
    assert CARD not in first.text
    second = call(
        service,
        "POST",
        "/v1/channels/email/messages?customer_id=cust-42",
        content=EMAIL_BODY,
        headers={"Content-Type": "message/rfc822"},
    )
    assert second.status_code == 200, second.text
    assert second.json()["context"]["turns_considered"] == 1  # the chat turn, from another channel
    turns = call(service, "GET", "/v1/customers/cust-42/turns").json()["turns"]
    assert [turn["channel"] for turn in turns] == ["chat", "email"]
    assert CARD not in json.dumps(turns) and "1111" in turns[0]["text"]
    through_parse = call(
        service,
        "POST",
        "/v1/parse",
        json={"text": "any news?", "customer_id": "cust-42", "reference_time": REFERENCE},
    )
    history = [
        {
            "text": t["text"],
            "speaker": t["speaker"],
            "channel": t["channel"],
            "timestamp": t["timestamp"],
            "intent": t["intent"],
        }
        for t in turns
    ]
    assert through_parse.json() == library.predict("any news?", history, reference_time=REFERENCE).to_dict()


def test_erasure_removes_every_turn_down_to_the_file(service):
    secret = "Zebulon-Quartermaine-7731"
    payload = {"text": f"this is {secret}, my refund never came", "timestamp": "2026-03-05T08:00:00Z"}
    for customer in ("erase-me", "keep-me"):
        assert (
            call(
                service,
                "POST",
                f"/v1/channels/sms/messages?customer_id={customer}",
                content=payload["text"].encode(),
            ).status_code
            == 200
        )
    _, _, store = service
    before = b"".join(p.read_bytes() for p in store.parent.glob(store.name + "*"))
    assert before.count(secret.encode()) >= 2
    erased = call(service, "DELETE", "/v1/customers/erase-me")
    assert erased.json() == {"customer_id": "erase-me", "erased": 1}
    assert call(service, "GET", "/v1/customers/erase-me/turns").json()["turns"] == []
    assert len(call(service, "GET", "/v1/customers/keep-me/turns").json()["turns"]) == 1
    files = b"".join(p.read_bytes() for p in store.parent.glob(store.name + "*"))
    assert files.count(secret.encode()) < before.count(secret.encode())
    assert b"erase-me" not in files


def test_rasa_shape(service, library):
    response = call(service, "POST", "/model/parse", json={"text": "I paid $40 twice", "message_id": "m1"})
    body = response.json()
    expected = library.predict("I paid $40 twice").to_dict()
    assert set(body) == {"text", "intent", "entities", "intent_ranking", "message_id"}
    assert body["intent"] == expected["intent"] and body["intent_ranking"] == expected["intent_ranking"]
    assert body["message_id"] == "m1"
    money = body["entities"][0]
    assert set(money) == {"entity", "start", "end", "value", "confidence_entity", "extractor"}
    assert (money["entity"], money["start"], money["end"]) == ("amount_of_money", 7, 10)


@pytest.mark.parametrize(
    ("path", "kwargs", "status", "code"),
    [
        (
            "/v1/parse",
            {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
            400,
            "E709",
        ),
        ("/v1/parse", {"json": {"txt": "hi"}}, 422, "E709"),
        ("/v1/parse", {"json": {"text": "hi", "reference_time": "next blursday"}}, 422, "E3"),
        ("/v1/parse", {"json": {"text": "hi", "history": [{"speaker": "robot", "text": "x"}]}}, 422, "E3"),
        ("/v1/parse", {"json": {"text": "x" * 70_000}}, 413, "E703"),
        ("/v1/parse/batch", {"json": {"items": [{"text": "hi"}] * 9}}, 413, "E704"),
        ("/v1/parse", {"json": {"text": "hi", "customer_id": "c", "history": []}}, 422, "E709"),
        ("/v1/channels/fax/messages?customer_id=c1", {"content": b"hi"}, 422, "E338"),
        ("/v1/channels/email/messages?customer_id=c1", {"content": b"\xff\xfe"}, 422, "E33"),
        ("/v1/nothing-here", {"json": {}}, 404, "E708"),
        ("/admin/model", {"json": {"path": "/no/such/model"}}, 422, "E707"),
    ],
)
def test_bad_requests_are_4xx_with_the_library_error_json(service, path, kwargs, status, code):
    response = call(service, "POST", path, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "code", "message"} and body["code"].startswith(code)


def test_a_chunked_body_over_the_limit_is_refused(service):
    def chunks():
        for _ in range(100):
            yield b"x" * 1024

    response = call(service, "POST", "/v1/channels/sms/messages?customer_id=c9", content=chunks())
    assert response.status_code == 413 and response.json()["code"] == "E703"


def test_health_metrics_openapi_and_model(service):
    assert call(service, "GET", "/health/live", key=None).json() == {"status": "live"}
    ready = call(service, "GET", "/health/ready", key=None).json()
    assert ready["status"] == "ready" and ready["store"] is True
    call(service, "POST", "/v1/parse", json={"text": "let me talk to a human, this is useless!!"})
    metrics = call(service, "GET", "/metrics").text
    assert 'empathy_http_requests_total{method="POST",route="/v1/parse",status="200"}' in metrics
    assert "empathy_http_request_duration_seconds_bucket" in metrics
    assert 'empathy_predictions_total{intent="' in metrics and "empathy_out_of_scope_total" in metrics
    assert "empathy_handoffs_recommended_total" in metrics
    assert "cust-42" not in metrics  # route templates, never paths
    spec = call(service, "GET", "/openapi.json", key=None).json()
    assert {
        "/v1/parse",
        "/v1/parse/batch",
        "/model/parse",
        "/v1/channels/{channel}/messages",
        "/v1/customers/{customer_id}/turns",
        "/v1/customers/{customer_id}",
        "/metrics",
        "/admin/model",
        "/health/ready",
        "/health/live",
    } <= set(spec["paths"])
    assert call(service, "GET", "/admin/model").json()["model"]["generation"] == 0


def test_access_log_has_no_text_and_no_customer_ids(service):
    call(
        service,
        "POST",
        "/v1/channels/chat/messages?customer_id=jo@example.com",
        json={"text": "Velociraptor-Banana refund please"},
    )
    call(service, "GET", "/v1/customers/jo@example.com/turns")
    server, _, _ = service
    log = server.log()
    assert "POST /v1/channels/{channel}/messages 200" in log
    assert "GET /v1/customers/{customer_id}/turns 200" in log
    assert "key=all" in log
    for private in ("Velociraptor", "jo@example.com", "cust-42", CARD):
        assert private not in log


def test_starting_without_keys_is_refused_unless_no_auth_on_loopback(tmp_path):
    import subprocess

    from service_server import CLI

    def serve(*args):
        return subprocess.run(
            [*CLI, "serve", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
            cwd=tmp_path,
        )

    no_keys = serve("--port", "1")
    assert no_keys.returncode == 2 and "E706" in no_keys.stderr
    public = serve("--no-auth", "--host", "0.0.0.0", "--port", "1")
    assert public.returncode == 2 and "E706" in public.stderr
    (tmp_path / "bad.yaml").write_text("- name: x\n  sha256: nothex\n  scopes: [parse]\n")
    bad = serve("--keys", str(tmp_path / "bad.yaml"), "--port", "1")
    assert bad.returncode == 2 and "E705" in bad.stderr and "entry 1" in bad.stderr


def test_no_auth_on_loopback_serves(tmp_path):
    server = Server(["--no-auth"], tmp_path / "serve.log")
    try:
        response = httpx.post(server.url + "/v1/parse", json={"text": "hi"}, timeout=30)
        assert response.status_code == 200 and response.json()["intent"]["name"] == "greeting"
        no_store = httpx.get(server.url + "/v1/customers/c/turns", timeout=30)
        assert no_store.status_code == 409 and no_store.json()["code"] == "E710"
    finally:
        server.stop()


def test_keys_file_holds_hashes_not_keys(service, tmp_path):
    keys_file = tmp_path / "keys.yaml"
    key = make_key(keys_file, "widget", "parse")
    text = keys_file.read_text()
    assert key not in text and "widget" in text
    assert oct(keys_file.stat().st_mode & 0o777) == "0o600"
    assert Path(keys_file).read_text().count("sha256") == 1
