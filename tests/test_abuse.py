"""Floods, rate limits and size limits: one polite notice then silence, 429 per token, 413 as JSON; nothing lost."""

import json
import threading
from xml.etree import ElementTree

import pytest
from conftest import API_TOKEN, PUBLIC_URL, sign

from nongbao import flood, models, openapi
from nongbao.i18n import translator
from nongbao.privacy import normalize_address

PHONE = "+8613900000001"


def inbound(store, phone=PHONE) -> list[dict]:
    contact = store.contact(normalize_address(phone))
    return [m for m in store.messages_of(contact.id) if m["direction"] == models.INBOUND] if contact else []


def notices(store, phone=PHONE) -> list[dict]:
    contact = store.contact(normalize_address(phone))
    return [m for m in store.messages_of(contact.id) if m["direction"] == models.OUTBOUND and m["intent"] == flood.INTENT]


# The rule itself (pure): Engine.receive can call it once the message is stored.


@pytest.mark.parametrize(
    ("recent", "noticed", "limit", "expected"),
    [
        (1, False, 20, flood.ANSWER),
        (20, False, 20, flood.ANSWER),
        (21, False, 20, flood.NOTICE),
        (80, False, 20, flood.NOTICE),
        (21, True, 20, flood.SILENT),
        (2, True, 20, flood.SILENT),  # the rest of the window after a notice is silent
        (500, False, 0, flood.ANSWER),  # 0 turns the rule off
    ],
)
def test_the_flood_verdict(recent, noticed, limit, expected):
    assert flood.verdict(recent, noticed, limit) == expected


# SMS


def test_a_flooding_number_gets_one_notice_then_silence_for_the_minute_and_every_message_is_stored(sms, store, clock):
    replies = [sms.receive(PHONE, f"你好{i}") for i in range(30)]
    assert all(replies[:20]), "the first 20 messages of a minute are answered"
    assert replies[20] == translator("zh-Hans").gettext(flood.NOTICE_TEXT)
    assert replies[21:] == [""] * 9  # no further answers this minute (an empty TwiML response)
    stored = inbound(store)
    assert [m["text"] for m in stored] == [f"你好{i}" for i in range(30)]
    assert all(m["status"] == models.HANDLED for m in stored)
    assert len(notices(store)) == 1
    assert sms.receive("+8613900000002", "你好"), "other farmers are answered as usual"
    clock.advance(minutes=1, seconds=1)
    assert sms.receive(PHONE, "养老保险分几档") not in ("", replies[20]), "a minute later the farmer is answered again"


def test_the_notice_is_in_the_farmers_language_and_comes_once_per_flood_window(app, sms, store, clock):
    app.config["FLOOD_PER_MINUTE"] = 3
    phone = "+8613900000003"
    english = [sms.receive(phone, "hello there, how much do I pay") for _ in range(6)]
    assert english[3] == translator("en").gettext(flood.NOTICE_TEXT) and english[3].isascii()
    assert english[4:] == ["", ""]
    clock.advance(seconds=61)  # a new window: answered again up to the limit, then one more notice and silence
    again = [sms.receive(phone, "hello there, how much do I pay") for _ in range(6)]
    assert all(again[:3]) and english[3] not in again[:3]
    assert again[3] == english[3] and again[4:] == ["", ""]
    assert len(notices(store, phone)) == 2 and len(inbound(store, phone)) == 12


def test_a_twilio_retry_of_a_flooded_message_is_neither_answered_nor_stored_twice(app, sms, store, clock):
    app.config["FLOOD_PER_MINUTE"] = 1
    sms.receive(PHONE, "你好", sid="SM" + "a" * 32)
    notice = sms.receive(PHONE, "你好", sid="SM" + "b" * 32)
    assert sms.receive(PHONE, "你好", sid="SM" + "c" * 32) == ""
    clock.advance(minutes=5)  # Twilio retries late: the stored outcome stands, nothing is answered now
    assert sms.receive(PHONE, "你好", sid="SM" + "b" * 32) == notice
    assert sms.receive(PHONE, "你好", sid="SM" + "c" * 32) == ""
    assert len(inbound(store)) == 3 and len(notices(store)) == 1


def test_stop_is_honoured_even_in_a_flood(app, sms, store):
    app.config["FLOOD_PER_MINUTE"] = 2
    for _ in range(4):
        sms.receive(PHONE, "你好")
    assert sms.receive(PHONE, "退订")
    assert store.contact(PHONE).opted_out


def test_identity_numbers_in_a_flood_are_masked_before_they_are_stored(app, sms, store):
    app.config["FLOOD_PER_MINUTE"] = 1
    sms.receive(PHONE, "你好")
    sms.receive(PHONE, "我的身份证 110101199003071234")
    assert "110101199003071234" not in inbound(store)[-1]["text"]


def test_concurrent_floods_get_exactly_one_notice(app, store):
    app.config["FLOOD_PER_MINUTE"] = 5
    results, errors = [], []

    def send():
        client = app.test_client()
        for _ in range(4):
            try:
                response = client.post(
                    "/api/v1/messages", json={"from": PHONE, "text": "你好"}, headers={"Authorization": f"Bearer {API_TOKEN}"}
                )
                results.append(response.get_json()["reply"])
            except Exception as problem:  # noqa: BLE001 - reported below
                errors.append(problem)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 24
    assert results.count(translator("zh-Hans").gettext(flood.NOTICE_TEXT)) == 1
    assert len(inbound(store)) == 24 and len(notices(store)) == 1


# JSON API


def test_a_flood_through_the_api_gets_the_notice_as_a_normal_reply_then_empty_replies(app, api, store):
    app.config["FLOOD_PER_MINUTE"] = 3
    bodies = [api.send(PHONE, "你好") for _ in range(5)]
    assert all(b["reply"] for b in bodies[:3])
    assert bodies[3]["reply"] == translator("zh-Hans").gettext(flood.NOTICE_TEXT) and bodies[3]["segments"] >= 1
    assert bodies[4]["reply"] == "" and bodies[4]["segments"] == 0
    assert {b["intent"] for b in bodies[3:]} == {flood.PUBLIC_INTENT}  # api.md: one of topics.md's keys
    assert len(inbound(store)) == 5 and len(notices(store)) == 1


def test_each_token_is_limited_per_minute_with_429_json_and_retry_after(app, api, clock):
    app.config["API_TOKENS"] = [API_TOKEN, "second-token"]
    app.config["API_RATE_PER_TOKEN_PER_MINUTE"] = 5
    for _ in range(5):
        assert api.get("/api/v1/regions").status_code == 200
    assert api.get("/api/v1/regions", token="wrong").status_code == 401  # unknown tokens are not counted
    refused = api.post("/api/v1/messages", {"from": PHONE, "text": "你好"})
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "too_many_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert api.get("/api/v1/regions", token="second-token").status_code == 200  # another token has its own budget
    assert api.client.get("/api/v1/openapi.json").status_code == 200  # the public document is not limited
    clock.advance(seconds=61)
    assert api.get("/api/v1/regions").status_code == 200


def test_the_token_limit_defaults_to_600_a_minute(api):
    statuses = [api.get("/api/v1/regions/130000").status_code for _ in range(601)]
    assert statuses[:600] == [200] * 600 and statuses[600] == 429


# Size limits (MAX_CONTENT_LENGTH 64 KB)


@pytest.mark.parametrize("path", ["/api/v1/messages", "/api/v1/pension/estimate"])
def test_a_body_over_64_kb_gets_413_json_on_the_api(api, store, path):
    response = api.post(path, {"from": PHONE, "text": "x" * 70_000, "age": 45, "grade": 500})
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"
    assert store.count("messages") == 0


def test_a_body_over_64_kb_gets_413_json_on_the_twilio_webhook(client, store):
    form = {"From": PHONE, "To": "+15005550006", "Body": "x" * 70_000, "MessageSid": "SM" + "d" * 32}
    response = client.post("/sms/twilio", data=form, headers={"X-Twilio-Signature": sign(PUBLIC_URL + "/sms/twilio", form)})
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"
    assert store.count("messages") == 0
    big = {"MessageSid": "x", "Filler": "y" * 70_000}
    assert client.post("/sms/twilio/status", data=big).status_code == 403  # unsigned: refused before the body is read
    status = client.post("/sms/twilio/status", data=big, headers={"X-Twilio-Signature": "any"})
    assert status.status_code == 413 and status.is_json


def test_a_body_just_under_the_limit_is_read(sms):
    text = "养" * 1600  # Twilio's longest body
    messages = ElementTree.fromstring(sms.post(PHONE, text).data).findall("Message")
    assert messages and messages[0].text


# The OpenAPI document


def test_the_openapi_document_is_served_without_a_token(api):
    response = api.client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.get_json() == openapi.document()
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/messages", "/api/v1/pension/estimate", "/api/v1/regions", "/api/v1/regions/{code}"} <= set(document["paths"])
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "one of API_TOKENS",
    }
    error = document["components"]["schemas"]["Error"]["properties"]["error"]
    assert set(error["required"]) == {"code", "message"} and "field" in error["properties"]
    for path, operations in document["paths"].items():
        for operation in operations.values():
            if path != "/api/v1/openapi.json":
                assert "401" in operation["responses"] and "429" in operation["responses"]


@pytest.mark.parametrize("age", ["1e999999", "9" * 5000, "1e16"])
def test_absurdly_large_numbers_are_refused_at_once_not_computed(api, age):
    """int(Decimal("1e999999")) takes minutes: such an input would tie up a worker (found by the estimator fuzz)."""
    response = api.post("/api/v1/pension/estimate", {"region": "130000", "age": age, "grade": 500})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "age"


@pytest.mark.parametrize("field", ["from", "text", "channel"])
def test_lone_surrogates_get_400_not_500(api, store, field):
    body = {"from": PHONE, "text": "你好", field: "\ud800"}
    response = api.post("/api/v1/messages", json.dumps(body))
    assert response.status_code == 400 and response.get_json()["error"]["field"] == field
    assert store.count("messages") == 0


@pytest.mark.parametrize("word", ["STOP?", "stop!", "退订。", " TD "])
def test_stop_with_punctuation_is_honoured_even_in_a_flood(app, sms, store, word):
    for n in range(app.config["FLOOD_PER_MINUTE"] + 3):
        sms.receive(PHONE, f"问题{n}")
    sms.receive(PHONE, word)
    assert store.contact(PHONE).opted_out


def test_a_delivery_answered_while_its_twin_counted_the_flood_gets_that_answer_not_a_notice(app, store, clock):
    from nongbao.engine import Engine

    engine = Engine(store, {**app.config, "FLOOD_PER_MINUTE": 1}, clock=clock)
    engine.receive(PHONE, "你好", "sms", "SMtwin0")
    contact, inbound_id, _ = store.take_inbound(PHONE, "sms", "养老保险分几档", "SMtwin1", clock())
    answered = engine._answered(contact, "养老保险分几档", False, inbound_id, "sms", clock())  # the first delivery
    twin = engine._flooded(store.contact(PHONE), "养老保险分几档", inbound_id, "sms", clock())  # the second, counting
    assert twin.text == answered.text and twin.duplicate
    assert [m["direction"] for m in store.messages_of(contact.id)].count("out") == 2
