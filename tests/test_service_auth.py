"""Keys and scopes of the service, without a server: the keys file, the key check, the start-up rules."""

from __future__ import annotations

import pytest

from empathy_nlu.errors import ServiceError
from empathy_nlu.service.auth import KeyRing, hash_key, new_key, read_keys
from empathy_nlu.service.settings import Settings


def test_new_key_appends_its_hash_and_is_never_stored(tmp_path):
    path = tmp_path / "keys.yaml"
    first = new_key(path, "chat-widget", ["parse", "channels"])
    second = new_key(path, "ops", ["admin", "metrics"])
    assert first != second and first.startswith("enlu_") and len(first) > 40
    text = path.read_text()
    assert first not in text and second not in text and hash_key(first) in text
    keys = read_keys(path)
    assert [(k.name, sorted(k.scopes)) for k in keys] == [
        ("chat-widget", ["channels", "parse"]),
        ("ops", ["admin", "metrics"]),
    ]
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["keys.yaml"]  # no temporary file left behind


@pytest.mark.parametrize(
    ("name", "scopes", "code"),
    [("chat-widget", ["parse"], "E711"), ("other", ["root"], "E711"), ("other", [], "E711")],
)
def test_new_key_refuses_a_taken_name_or_an_unknown_scope(tmp_path, name, scopes, code):
    path = tmp_path / "keys.yaml"
    new_key(path, "chat-widget", ["parse"])
    before = path.read_text()
    with pytest.raises(ServiceError) as error:
        new_key(path, name, scopes)
    assert error.value.code == code
    assert path.read_text() == before


def test_key_ring_answers_401_for_unknown_and_403_for_missing_scope(tmp_path):
    path = tmp_path / "keys.yaml"
    key = new_key(path, "widget", ["parse"])
    ring = KeyRing(read_keys(path))
    assert ring.check(f"Bearer {key}", "parse").name == "widget"
    assert ring.check(f"bearer   {key}  ", "parse").name == "widget"
    for header in (None, "", "Bearer", f"Basic {key}", f"Bearer {key}x", key):
        with pytest.raises(ServiceError) as error:
            ring.check(header, "parse")
        assert (error.value.code, error.value.status) == ("E701", 401)
    with pytest.raises(ServiceError) as error:
        ring.check(f"Bearer {key}", "erase")
    assert (error.value.code, error.value.status) == ("E702", 403)
    assert "widget" not in str(error.value)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("name: x", "YAML list"),
        ("- name: x\n  sha256: abc\n  scopes: [parse]\n", "entry 1"),
        ("- name: x\n  sha256: " + "a" * 64 + "\n  scopes: [parse]\n- [1]\n", "entry 2"),
        ("- name: 'bad name'\n  sha256: " + "a" * 64 + "\n  scopes: [parse]\n", "entry 1"),
        ("- name: x\n  sha256: " + "a" * 64 + "\n  scopes: [god]\n", "entry 1"),
        ("- name: x\n  sha256: " + "a" * 64 + "\n  scopes: [parse]\n  key: oops\n", "entry 1"),
        (("- {name: x, sha256: " + "a" * 64 + ", scopes: [parse]}\n") * 2, "twice"),
        ("- [unclosed", "not a YAML"),
    ],
)
def test_a_bad_keys_file_names_what_is_wrong(tmp_path, text, where):
    path = tmp_path / "keys.yaml"
    path.write_text(text)
    with pytest.raises(ServiceError) as error:
        read_keys(path)
    assert error.value.code == "E705" and where in str(error.value)


def test_a_missing_keys_file_is_e705(tmp_path):
    with pytest.raises(ServiceError) as error:
        read_keys(tmp_path / "none.yaml")
    assert error.value.code == "E705"


@pytest.mark.parametrize(
    ("settings", "ok"),
    [
        (Settings(no_auth=True, host="127.0.0.1"), True),
        (Settings(no_auth=True, host="::1"), True),
        (Settings(no_auth=True, host="localhost"), True),
        (Settings(no_auth=True, host="0.0.0.0"), False),
        (Settings(no_auth=True, host="10.1.2.3"), False),
        (Settings(keys="keys.yaml", host="0.0.0.0"), True),
        (Settings(), False),
    ],
)
def test_no_auth_only_on_loopback_and_keys_otherwise(settings, ok):
    if ok:
        assert settings.check() is settings
    else:
        with pytest.raises(ServiceError) as error:
            settings.check()
        assert error.value.code == "E706"
