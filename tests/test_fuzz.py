"""Any text at all gets a stored, short answer with a known intent, and nothing is lost."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nongbao.db import Storage
from nongbao.engine import Engine
from nongbao.intents import INTENTS

FARMER_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="养老保险医保交多少档岁年元一二三四五六七八九十百千万0123456789？！，。 ", max_size=60),
    st.text(alphabet=string.ascii_letters + string.digits + " ?!.,'", max_size=80),
    st.sampled_from(["", " ", "🙂", "0", "99999999999", "1e308", "NaN", "-5", "\x00", "𠀀𠀁", "Здравствуйте", "こんにちは"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(FARMER_TEXT, min_size=1, max_size=4))
def test_any_text_gets_a_short_stored_answer(app, texts):
    store = Storage(app.config["DATABASE"])
    try:
        engine = Engine(store, app.config)
        before = store.count("messages")
        for text in texts:
            reply = engine.receive("+8613700000000", text, "api")
            assert reply.intent in INTENTS
            assert reply.text and reply.segments <= app.config["SMS_MAX_PARTS"]
            assert "http" not in reply.text
        assert store.count("messages") == before + 2 * len(texts)
    finally:
        store.close()


JSON_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20), st.sampled_from(["45", "600", "1e30", "1e400", "-1", "NaN", "Infinity", "0x10", " 45 "]),
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.dictionaries(st.sampled_from(["region", "age", "grade", "years_paid", "balance", "collective", "locale"]), JSON_VALUE)
)
def test_the_estimate_api_answers_any_body_with_200_or_a_json_error(api, body):
    response = api.post("/api/v1/pension/estimate", body)
    assert response.status_code in (200, 400, 404), (body, response.data)
    payload = response.get_json()
    assert ("monthly_total" in payload) if response.status_code == 200 else payload["error"]["message"]
