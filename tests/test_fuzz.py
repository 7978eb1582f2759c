"""Property-based fuzzing of every public entry point: it answers or raises an ``EmpathyError``.

``predict``, ``predict_batch`` (texts, history turns as strings, dicts and ``Turn`` objects with odd
timestamps, speakers, channels and intents, ``reference_time`` of every type) and every channel
adapter's ``parse`` are fed generated input, lone surrogates, pathological runs and out-of-range
times included. The property: the call returns a result or raises an ``EmpathyError`` (never any
other exception), and a ``Prediction`` is strict JSON (``allow_nan=False``); a ``Turn`` is UTF-8
text with a timestamp in the years 1900 to 2199 (docs/input_rules.md).

Seeded (``derandomize=True``) and without an example database, so every run tries the same cases;
the strategies and ``check_*`` functions are imported by ``benchmarks/fuzz.py``, which runs them
for 10,000 cases and counts the crashes.
"""

from __future__ import annotations

import json
import traceback
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from empathy_nlu import Classifier, Turn
from empathy_nlu.channels import chat, email, sms, social, voice
from empathy_nlu.errors import EmpathyError
from empathy_nlu.history import EARLIEST, LATEST
from empathy_nlu.schema import SPEAKERS

# -- strategies ------------------------------------------------------------------------------------
ANY_CHAR = st.characters(exclude_categories=())  # every code point, lone surrogates included
ODD_CHARS = list(
    " \n\r\t.,!?;:$€£¥₹1234567890/-_@#()[]{}'\"&*+=<>aeiouAEIOUxyz😡🙏💳"
    "\u0301\u200b\u202e\ufeff\ud800\udfff\x00"
)
UNITS = [
    "4", "1.", "1,", "100 ", "$", "$1 ", "€1.", "5 dollars ", "12/12/2024 ", "10:30 ", "1:", "1-", "a-", "a.",
    "http://a.com/", "www.", "a@b.c", "@", "😡", "a", "ab", "[", "(", "[a](b)", " ", "\n", "!?", "#", "@a ",
    "a\u0301", "\ufdfa", "one two ", "twenty-", "a:)", "=?", "'", "on monday the 3rd of may ", "ORD-12345 ",
    "in 3 days ", "last 13th ", "4111 1111 1111 1111 ", "thanks!!! ", "STILL NOT WORKING ",
]  # fmt: skip
PHRASES = [
    "my new card STILL hasn't arrived!!", "I want a refund of $40", "pay 1.299,99 € tomorrow at 10:30",
    "call me on +44 20 7946 0958", "my card 4111 1111 1111 1111 was stolen", "it still doesn't work",
    "I'm cancelling my account", "thanks so much 🙏", "order ORD-12345 never came", "mail jo@example.com",
    "see https://x.io/a?b=1", "last 13th", "in 3 days", "forty two dollars", "yes please", "talk to a human",
    "#NotHappy", "@AcmeBank", "Re: Fwd:", "On Mon, Jan 1, 2024 at 10:00 AM Bob <b@x.io> wrote:", "> quoted",
]  # fmt: skip
texts = st.one_of(
    st.text(ANY_CHAR, max_size=60),
    st.text(st.sampled_from(ODD_CHARS), max_size=200),
    st.builds(lambda unit, n: unit * n, st.sampled_from(UNITS), st.integers(1, 700)),
    st.lists(st.one_of(st.sampled_from(PHRASES), st.text(ANY_CHAR, max_size=8)), max_size=6).map(" ".join),
)
short_texts = st.one_of(st.text(ANY_CHAR, max_size=30), st.sampled_from(PHRASES))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(ANY_CHAR, max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
zones = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda minutes: timezone(timedelta(minutes=minutes)))
datetimes = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59), timezones=st.none() | zones
)
ISO_EDGES = [
    "2026-11-20T10:00:00", "2026-11-20T10:00:00Z", "2026-11-20T10:00:00+05:30", "2026-11-20", "20261120T1000",
    "0001-01-01T00:00:00", "1899-12-31T23:59:59", "2199-12-31T23:59:59-23:59", "2200-01-01",
    "9999-12-31T23:59",
    "nan", "inf", "", " ", "now", "1e30", "2026-13-45", "2026-11-20T10:00:00+24:00", "２０２６-11-20",
]  # fmt: skip
json_times = st.one_of(
    st.none(),
    datetimes.map(lambda moment: moment.isoformat()),
    st.sampled_from(ISO_EDGES),
    st.floats(),  # NaN and infinities included
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=-2_300_000_000, max_value=7_300_000_000),  # around 1900 and 2200
    st.text(ANY_CHAR, max_size=20),
    st.booleans(),
)
times = st.one_of(json_times, datetimes, json_values)
speakers = st.one_of(st.sampled_from(SPEAKERS), st.none(), st.text(max_size=8), json_values)
optional_strings = st.one_of(st.none(), st.text(ANY_CHAR, max_size=12), json_values)
turn_dicts = st.fixed_dictionaries(
    {"text": st.one_of(short_texts, json_values)},
    optional={
        "speaker": speakers,
        "channel": optional_strings,
        "timestamp": times,
        "intent": optional_strings,
    },
)
odd_dicts = st.dictionaries(
    st.one_of(st.sampled_from(["text", "speaker", "channel", "timestamp", "intent"]), st.text(max_size=6)),
    json_values,
    max_size=4,
)
turn_objects = st.builds(
    Turn,
    text=st.one_of(short_texts, json_values),
    speaker=speakers,
    channel=optional_strings,
    timestamp=times,
    intent=optional_strings,
)
history_items = st.one_of(short_texts, turn_dicts, odd_dicts, turn_objects, json_values)
histories = st.one_of(
    st.none(),
    st.lists(history_items, max_size=6),
    st.lists(short_texts, max_size=30),
    st.tuples(history_items),
    json_values,
    st.text(max_size=5),
    st.binary(max_size=5),
)
reference_times = times
channels = st.one_of(
    st.none(), st.sampled_from(["chat", "email", "sms", "voice", "social"]), optional_strings
)
utterances = st.one_of(texts, texts, texts, json_values, st.binary(max_size=20))


@st.composite
def batches(draw):
    """``predict_batch`` arguments: usually aligned lists, sometimes not (E302)."""
    n = draw(st.integers(0, 4))
    items = draw(st.lists(utterances, min_size=n, max_size=n))

    def aligned(strategy):
        return draw(st.one_of(st.none(), st.lists(strategy, min_size=n, max_size=n), json_values))

    return items, aligned(histories), aligned(reference_times), aligned(channels)


raw_bytes = st.one_of(st.binary(max_size=200), texts.map(lambda text: text.encode("utf-8", "surrogatepass")))
raw_texts = st.one_of(texts, raw_bytes)
payload_dicts = st.fixed_dictionaries(
    {"text": st.one_of(texts, texts, json_values)},
    optional={
        "timestamp": json_times,
        "public": st.one_of(st.booleans(), json_values),
        "type": st.one_of(st.sampled_from(["post", "dm", "reply", "carrier pigeon"]), json_values),
        "extra": json_values,
    },
)


def _json(payload) -> str:
    return json.dumps(payload, ensure_ascii=False)  # NaN written as NaN, lone surrogates kept


json_payloads = st.one_of(
    payload_dicts.map(_json),
    payload_dicts.map(json.dumps),
    payload_dicts,
    json_values.map(_json),
    st.sampled_from(
        ['{"text": "hi", "timestamp": 1' + "0" * 5000 + "}", "[" * 5000 + "]" * 5000, '{"text": 5}']
    ),
)
HEADER_VALUES = [
    "text/plain; charset=utf-8", "text/html; charset=latin-1", "multipart/alternative; boundary=b",
    "multipart/mixed; boundary=\"b\"", "text/plain; charset=nonexistent", "text/plain; charset=\"utf-8",
    "base64", "quoted-printable", "8bit", "Wed, 27 Nov 2024 06:57:00 +0000",
    "Mon, 01 Jan 0001 00:00:00 +0000", "Fri, 31 Dec 9999 23:59:59 -2359", "Tue, 31 Feb 2024 99:99:99",
    "=?utf-8?q?=C3=BC?=", "=?unknown?b?AAAA?=",
    "Re: Fwd: card not arrived", "Question", "Anna <anna@example.com>", "(((((((((", "\"unterminated",
]  # fmt: skip
header_names = st.sampled_from(
    ["From", "To", "Subject", "Date", "Content-Type", "Content-Transfer-Encoding", "MIME-Version", "X-Odd"]
)
header_values = st.one_of(st.sampled_from(HEADER_VALUES), st.text(ANY_CHAR, max_size=60))
email_bodies = st.one_of(
    texts,
    st.lists(
        st.one_of(st.sampled_from(PHRASES + ["--b", "--b--", "", "Thanks,", "Anna", "-- "]), texts),
        max_size=8,
    ).map("\n".join),
    st.builds(lambda text: f"<html><body><p>{text}</p><blockquote>old</blockquote></body></html>", texts),
)


@st.composite
def emails(draw):
    headers = draw(st.lists(st.tuples(header_names, header_values), max_size=6))
    if draw(st.booleans()):
        headers.append(("From", "a@example.com"))
    message = "".join(f"{name}: {value}\n" for name, value in headers) + "\n" + draw(email_bodies)
    if draw(st.booleans()):
        return message
    return message.encode("utf-8", draw(st.sampled_from(["surrogatepass", "replace"])))


ADAPTERS = {
    "chat": (chat.parse, st.one_of(json_payloads, raw_texts, json_values)),
    "email": (email.parse, st.one_of(emails(), raw_texts)),
    "sms": (sms.parse, st.one_of(raw_texts, json_values)),
    "social": (
        social.parse,
        st.one_of(json_payloads, raw_texts, texts.map(lambda t: t + " #NotHappy #fail")),
    ),
    "voice": (voice.parse, st.one_of(raw_texts, json_values)),
}


# -- the properties: None when the call behaved, else what went wrong ------------------------------
def _crash(exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else ""
    return f"{type(exc).__name__}{where}: {str(exc)[:160]}"


def _strict_json(prediction) -> str | None:
    try:
        json.dumps(prediction.to_dict(), allow_nan=False)
    except (TypeError, ValueError) as exc:
        return f"prediction is not strict JSON: {exc}"
    text = prediction.text
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        return "prediction text holds a lone surrogate"
    return None


def check_predict(model, text, history, reference_time, channel) -> str | None:
    try:
        prediction = model.predict(text, history, reference_time=reference_time, channel=channel)
    except EmpathyError:
        return None
    except Exception as exc:
        return _crash(exc)
    return _strict_json(prediction)


def check_predict_batch(model, arguments) -> str | None:
    items, history_list, reference_list, channel_list = arguments
    try:
        predictions = model.predict_batch(
            items, history_list, reference_times=reference_list, channels=channel_list
        )
    except EmpathyError:
        return None
    except Exception as exc:
        return _crash(exc)
    if len(predictions) != len(items):
        return f"{len(predictions)} predictions for {len(items)} utterances"
    return next((problem for p in predictions if (problem := _strict_json(p))), None)


def check_parse(name: str, raw) -> str | None:
    parse = ADAPTERS[name][0]
    try:
        turn = parse(raw)
    except EmpathyError:
        return None
    except Exception as exc:
        return _crash(exc)
    if not isinstance(turn, Turn) or not isinstance(turn.text, str):
        return f"{name}.parse returned {type(turn).__name__}"
    try:
        turn.text.encode("utf-8")
    except UnicodeEncodeError:
        return f"{name}.parse returned text with a lone surrogate"
    moment = turn.timestamp
    if moment is not None:
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if not EARLIEST <= aware < LATEST:
            return f"{name}.parse returned a timestamp out of range: {moment!r}"
    return None


# -- the tests ---------------------------------------------------------------------------------------
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def fuzz(max_examples: int) -> settings:
    return settings(FUZZ, max_examples=max_examples)


@pytest.fixture(scope="module")
def default_model() -> Classifier:
    """The bundled default model: intents, sentiment, entities and the history-aware intent."""
    return Classifier.load()


@fuzz(500)
@given(text=utterances, reference_time=reference_times, channel=channels)
def test_predict_answers_or_raises_an_empathy_error(default_model, text, reference_time, channel):
    assert check_predict(default_model, text, None, reference_time, channel) is None


@fuzz(400)
@given(text=texts, history=histories, reference_time=reference_times)
def test_predict_with_any_history(default_model, text, history, reference_time):
    assert check_predict(default_model, text, history, reference_time, None) is None


@fuzz(150)
@given(arguments=batches())
def test_predict_batch_answers_or_raises_an_empathy_error(default_model, arguments):
    assert check_predict_batch(default_model, arguments) is None


@fuzz(300)
@given(text=short_texts, history=histories, reference_time=reference_times, channel=channels)
def test_a_small_model_with_any_history(support_model, text, history, reference_time, channel):
    """The model trained on data/support.yaml has no history-aware intent: the other path."""
    assert check_predict(support_model, text, history, reference_time, channel) is None


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_every_adapter_parse_answers_or_raises_an_empathy_error(name):
    @fuzz(250)
    @given(raw=ADAPTERS[name][1])
    def run(raw):
        assert check_parse(name, raw) is None

    run()


@pytest.mark.slow
@fuzz(1500)
@given(text=utterances, history=histories, reference_time=reference_times, channel=channels)
def test_predict_many_more_cases(default_model, text, history, reference_time, channel):
    assert check_predict(default_model, text, history, reference_time, channel) is None
