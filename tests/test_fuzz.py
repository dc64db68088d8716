"""Any text at all gets a stored, short answer with a known intent, and nothing is lost; any estimate input is an
answer or an EstimateError; the JSON API, driven by schemathesis from its own OpenAPI document, never fails.

Example counts come from a hypothesis profile: "fuzz-ci" (2,000 per test) when CI is set, else "fuzz-dev" (200).
"""

import datetime
import os
import string

import pytest
import schemathesis
from conftest import API_TOKEN, answer_parts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from nongbao import models, openapi
from nongbao.db import Storage
from nongbao.engine import Engine
from nongbao.estimator import EstimateError, estimate, parse_input
from nongbao.intents import INTENTS
from nongbao.library import library

settings.register_profile(
    "fuzz-ci", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz-dev", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
FUZZ = settings.get_profile("fuzz-ci" if os.environ.get("CI") else "fuzz-dev")

FARMER_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="养老保险医保交多少档岁年元一二三四五六七八九十百千万0123456789？！，。 ", max_size=60),
    st.text(alphabet=string.ascii_letters + string.digits + " ?!.,'", max_size=80),
    st.sampled_from(["", " ", "🙂", "0", "99999999999", "1e308", "NaN", "-5", "\x00", "𠀀𠀁", "Здравствуйте", "こんにちは"]),
)


@settings(FUZZ)
@given(texts=st.lists(FARMER_TEXT, min_size=1, max_size=4))
def test_any_text_gets_a_short_stored_answer(app, texts):
    store = Storage(app.config["DATABASE"])
    try:
        engine = Engine(store, {**app.config, "FLOOD_PER_MINUTE": 0})  # hypothesis sends far more than a farmer
        before = store.count("messages")
        for text in texts:
            reply = engine.receive("+8613700000000", text, "api")
            assert reply.intent in INTENTS
            assert reply.text and answer_parts(reply.text) <= app.config["SMS_MAX_PARTS"]
            assert "http" not in reply.text
        assert store.count("messages") == before + 2 * len(texts)
    finally:
        store.close()


JSON_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20), st.sampled_from(["45", "600", "1e30", "1e400", "-1", "NaN", "Infinity", "0x10", " 45 "]),
)  # fmt: skip


@settings(FUZZ)
@given(
    body=st.dictionaries(st.sampled_from(["region", "age", "grade", "years_paid", "balance", "collective", "locale"]), JSON_VALUE)
)
def test_the_estimate_api_answers_any_body_with_200_or_a_json_error(api, clock, body):
    clock.advance(minutes=1)  # past the token's rate limit
    response = api.post("/api/v1/pension/estimate", body)
    assert response.status_code in (200, 400, 404), (body, response.data)
    payload = response.get_json()
    assert ("monthly_total" in payload) if response.status_code == 200 else payload["error"]["message"]


# The engine: arbitrary Unicode (no lone surrogates: no adapter can deliver them, see test_api), control characters,
# and numbers far beyond any age, grade or year, alone or inside a farmer's sentence.
BIG = st.one_of(st.integers(min_value=-(10**30), max_value=10**400), st.just(2**63))
HUGE = st.one_of(BIG, st.just(None).map(lambda _: 10**5000))  # past int's 4,300-digit limit for str()
HUGE_TEXT = st.one_of(
    BIG.map(str), st.sampled_from([4301, 5000]).map(lambda n: "9" * n), st.sampled_from(["1e999999", "-0.000000000000001"])
)
CONTROL = st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), min_size=1, max_size=20)
ANY_UNICODE = st.text(st.characters(exclude_categories=["Cs"]), max_size=400)
ENGINE_TEXT = st.one_of(
    ANY_UNICODE,
    CONTROL,
    HUGE_TEXT,
    st.tuples(HUGE_TEXT, HUGE_TEXT).map(lambda n: f"我{n[0]}岁 交{n[1]}元 能领多少"),
    st.tuples(HUGE_TEXT, st.sampled_from(["岁", "元", "年", "档", "万", "千", "e", ".5", "%"])).map(lambda p: f"{p[0]}{p[1]}"),
    st.tuples(FARMER_TEXT, CONTROL, FARMER_TEXT).map("".join),
)


def unanswered(store: Storage) -> list[dict]:
    """Inbound messages without their stored reply (a half-written turn)."""
    rows = store.db.execute(
        "select i.id, i.text from messages i where i.direction = ? and not exists "
        "(select 1 from messages o where o.reply_to = i.id and o.direction = ?)",
        [models.INBOUND, models.OUTBOUND],
    ).fetchall()
    return [dict(id=r[0], text=r[1]) for r in rows]


@settings(FUZZ)
@given(texts=st.lists(ENGINE_TEXT, min_size=1, max_size=3), who=st.integers(0, 20))
def test_the_engine_answers_and_stores_any_unicode_control_characters_and_huge_numbers(app, texts, who):
    store = Storage(app.config["DATABASE"])
    try:
        engine = Engine(store, {**app.config, "FLOOD_PER_MINUTE": 0})  # hypothesis sends far more than a farmer
        before = store.count("messages")
        for text in texts:
            reply = engine.receive(f"+86137000{who:05d}", text, "api")
            assert reply.intent in INTENTS
            assert reply.text and answer_parts(reply.text) <= app.config["SMS_MAX_PARTS"]
        assert store.count("messages") == before + 2 * len(texts)
        assert unanswered(store) == []
    finally:
        store.close()


# The estimator: any mapping of inputs, against every loaded region's policy.
RAW_VALUE = st.one_of(
    st.none(), st.booleans(), HUGE, st.floats(), st.decimals(allow_nan=True),
    st.text(max_size=30), HUGE_TEXT, st.sampled_from(["1e999999", "-1e999999", "1e-999999", "1_000", "٤٥", "45.0", "2026-02-30", "2026-03-02"]),
    st.dates().map(str), st.dates(), st.datetimes(), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)  # fmt: skip
FIELDS = ["age", "grade", "years_paid", "balance", "collective", "past_grade", "as_of"]


@pytest.fixture
def policies(store):
    lib = library(store)
    return [lib.regions[code].pension for code in sorted(lib.regions)]


@settings(FUZZ)
@given(
    raw=st.fixed_dictionaries(
        {},
        optional={
            "age": st.one_of(st.integers(10, 110), RAW_VALUE),
            "grade": st.one_of(st.sampled_from([100, 200, 300, 500, 600, 1000, 1800, 3600, 8000]), RAW_VALUE),
            **{name: RAW_VALUE for name in FIELDS[2:]},
        },
    ),
    which=st.integers(min_value=0),
    today=st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2100, 12, 31)),
)
def test_the_estimator_takes_any_input_and_answers_or_names_the_bad_field(policies, raw, which, today):
    policy = policies[which % len(policies)]
    try:
        result = estimate(policy, parse_input(raw, policy, today=today))
    except EstimateError as problem:
        assert problem.field in FIELDS and problem.message
        return
    assert result.by_grade and result.chosen.monthly_total >= 0


# The JSON API from its own OpenAPI document, through the Flask app (WSGI, no server), authenticated. The schema is
# the one the app serves (checked equal in test_abuse); schemathesis' lazy fixture loader does not run on pytest 9.
API_SCHEMA = schemathesis.openapi.from_dict(openapi.document())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]  # fmt: skip


@API_SCHEMA.parametrize()
@settings(FUZZ)
def test_the_json_api_never_fails_and_always_answers_as_documented(case, app, clock):
    clock.advance(minutes=1)  # the rate limits stay on, without hiding the handlers behind 429s
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {API_TOKEN}"}, checks=CHECKS)
