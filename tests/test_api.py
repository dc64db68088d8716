"""POST /api/v1/messages: the contract of the JSON API for chat channels."""

import pytest
from conftest import answer_parts

from nongbao.intents import INTENTS
from nongbao.segments import segments


def test_a_message_returns_reply_intent_locale_and_segments(api):
    body = api.send("+8613800000002", "养老保险分几档")
    assert set(body) >= {"reply", "intent", "locale", "segments"}
    assert body["intent"] == "pension.grades" and body["locale"] == "zh-Hans"
    assert 1 <= answer_parts(body["reply"]) <= 3 and "元" in body["reply"]
    assert body["segments"] == segments(body["reply"])


def test_an_english_message_gets_an_english_answer(api):
    body = api.send("+8613800000003", "how do I pay online")
    assert body["locale"] == "en" and body["intent"] == "pension.payment"
    assert body["reply"].isascii()


def test_without_a_token_the_api_answers_401_json(api):
    response = api.post("/api/v1/messages", {"from": "+8613800000002", "text": "hi"}, token=None)
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
    assert api.post("/api/v1/messages", {"from": "x", "text": "hi"}, token="wrong").status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"from": "+8613800000002", "text": ', None),
        ("[1, 2]", None),
        ({"text": "hi"}, "from"),
        ({"from": "+8613800000002"}, "text"),
        ({"from": "+8613800000002", "text": 5}, "text"),
        ({"from": "+8613800000002", "text": "养" * 1601}, "text"),
    ],
)
def test_bad_requests_get_400_with_a_json_error(api, store, body, field):
    response = api.post("/api/v1/messages", body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    if field:
        assert error["field"] == field
    assert store.count("messages") == 0


def test_a_text_of_exactly_1600_characters_is_accepted(api):
    assert api.send("+8613800000002", "养" * 1600)["segments"] <= 3


def test_an_empty_text_gets_the_menu(api):
    body = api.send("+8613800000002", "")
    assert body["intent"] == "menu" and "1" in body["reply"]


def test_a_huge_body_gets_a_json_413(api):
    response = api.post("/api/v1/messages", {"from": "+8613800000002", "text": "x" * 200_000})
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"


def test_every_reply_names_an_intent_of_the_topic_list(api):
    for text in ("你好", "养老保险分几档", "估算一下我的养老金", "天气", "🙂🙂", "人工", "退订"):
        assert api.send("+8613800000004", text)["intent"] in INTENTS


def test_the_same_farmer_is_one_contact_on_sms_and_api(api, sms, store):
    api.send("13800000005", "你好")
    sms.receive("+8613800000005", "你好")
    api.send("0086 138-0000-0005", "你好")
    assert store.count("contacts") == 1
    assert store.contact("+8613800000005") is not None


def test_the_api_is_not_an_html_page_on_unknown_paths(api):
    response = api.get("/api/v1/nothing")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_health_reports_the_database_in_wal_mode(client):
    body = client.get("/healthz").get_json()
    assert body == {"status": "ok", "database": "ok", "journal_mode": "wal"}


def test_a_contact_sending_too_fast_gets_429_and_can_send_again_a_minute_later(app, api, clock):
    app.config["API_RATE_PER_MINUTE"] = 3
    for _ in range(3):
        api.send("+8613800000020", "你好")
    response = api.post("/api/v1/messages", {"from": "+8613800000020", "text": "你好"})
    assert response.status_code == 429 and response.get_json()["error"]["code"] == "too_many_requests"
    assert api.send("+8613800000021", "你好")["intent"] == "menu"  # others are not affected
    clock.advance(minutes=2)
    assert api.send("+8613800000020", "你好")["intent"] == "menu"
