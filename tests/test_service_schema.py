"""Schemathesis against the running service's ``/openapi.json``: whatever fits (or almost fits) the
schema, on every route, the service answers without a 5xx, and every error is the library's JSON."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from service_server import Server, make_key

EXAMPLES_PER_ROUTE = 30


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    folder = tmp_path_factory.mktemp("schema")
    keys_file = folder / "keys.yaml"
    key = make_key(keys_file, "fuzz", "parse,channels,history,erase,admin,metrics")
    store = folder / "conversations.sqlite3"
    server = Server(["--keys", str(keys_file), "--store", f"sqlite:///{store}"], folder / "serve.log")
    server.key = key
    yield server
    server.stop()


def operations(api):
    loaded = schemathesis.openapi.from_url(api.url + "/openapi.json")
    return [result.ok() for result in loaded.get_all_operations()]


def test_every_route_is_in_the_schema(api):
    labels = {operation.label for operation in operations(api)}
    assert len(labels) >= 11, labels


def test_no_input_makes_a_server_error(api):
    """Each operation's generated cases (schemathesis's strategies, driven by hypothesis)."""
    failures, calls = [], []
    for operation in operations(api):

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_ROUTE,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case):
            response = case.call(headers={"Authorization": f"Bearer {api.key}"}, timeout=30)
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.text[:300]}")
            elif response.status_code >= 400:
                assert set(response.json()) == {"error", "code", "message"}, response.text

        check()
    assert failures == []
    assert len(calls) >= 5 * len(operations(api))  # every route was really exercised
    print(f"schemathesis: {len(calls)} requests, statuses {sorted(set(calls))}")
    assert "Traceback" not in api.log()
