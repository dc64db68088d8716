"""The Twilio webhook and status callback, and sending through the real twilio SDK to a local mock."""

from conftest import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, sign

from nongbao.db import utcnow
from nongbao.providers import TwilioProvider, from_config


def form(text="养老保险分几档", sid="SM" + "1" * 32, sender="+8613800000001"):
    return {"From": sender, "To": "+15005550006", "Body": text, "MessageSid": sid, "NumMedia": "0"}


def test_a_signed_message_gets_twiml_with_an_answer(sms):
    reply = sms.receive("+8613800000001", "养老保险分几档")
    assert "档" in reply and "元" in reply


def test_a_forged_signature_gets_403_and_stores_nothing(client, store):
    data = form()
    response = client.post(
        "/sms/twilio", data=data, headers={"X-Twilio-Signature": sign(PUBLIC_URL + "/sms/twilio", data, "wrong")}
    )
    assert response.status_code == 403
    assert store.count("messages") == 0 and store.count("contacts") == 0


def test_a_missing_signature_gets_403(client, store):
    assert client.post("/sms/twilio", data=form()).status_code == 403
    assert store.count("messages") == 0


def test_a_signature_for_other_parameters_is_rejected(client):
    signed = form(text="hello")
    sent = form(text="tampered")
    response = client.post("/sms/twilio", data=sent, headers={"X-Twilio-Signature": sign(PUBLIC_URL + "/sms/twilio", signed)})
    assert response.status_code == 403


def test_the_same_message_sid_twice_is_handled_once(sms, store):
    first = sms.receive("+8613800000001", "养老保险分几档", sid="SM" + "a" * 32)
    second = sms.receive("+8613800000001", "养老保险分几档", sid="SM" + "a" * 32)
    assert first == second
    rows = store.db.execute("select direction, count(*) from messages group by direction").fetchall()
    assert dict(rows) == {"in": 1, "out": 1}


def test_signature_with_an_explicit_port_in_public_url(config, tmp_path):
    from app import create_app

    app = create_app({**config, "PUBLIC_URL": "https://nongbao.example.org:443", "DATABASE": str(tmp_path / "p.db")})
    client = app.test_client()
    data = form()
    # Twilio may sign with or without the default port; both must pass.
    for url in ("https://nongbao.example.org:443/sms/twilio", "https://nongbao.example.org/sms/twilio"):
        data["MessageSid"] = "SM" + ("2" if ":443" in url else "3") * 32
        response = client.post("/sms/twilio", data=data, headers={"X-Twilio-Signature": sign(url, data)})
        assert response.status_code == 200, url


def test_signature_behind_a_tls_proxy_uses_the_public_https_url(client):
    # The app sees plain http from the proxy; Twilio signed the public https URL.
    data = form()
    headers = {"X-Twilio-Signature": sign(PUBLIC_URL + "/sms/twilio", data), "X-Forwarded-Proto": "https"}
    response = client.post("/sms/twilio", data=data, headers=headers, base_url="http://10.0.0.5:8080")
    assert response.status_code == 200


def test_without_public_url_trusted_proxy_headers_rebuild_the_signed_url(config, tmp_path):
    from app import create_app

    app = create_app({**config, "PUBLIC_URL": "", "TRUSTED_PROXIES": 1, "DATABASE": str(tmp_path / "x.db")})
    data = form()
    signature = sign("https://sms.example.net/sms/twilio", data)
    headers = {"X-Twilio-Signature": signature, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "sms.example.net"}
    response = app.test_client().post("/sms/twilio", data=data, headers=headers, base_url="http://127.0.0.1:5000")
    assert response.status_code == 200


def test_public_url_given_as_the_full_webhook_url_also_validates(config, tmp_path):
    from app import create_app

    app = create_app({**config, "PUBLIC_URL": PUBLIC_URL + "/sms/twilio", "DATABASE": str(tmp_path / "f.db")})
    data = form()
    response = app.test_client().post(
        "/sms/twilio", data=data, headers={"X-Twilio-Signature": sign(PUBLIC_URL + "/sms/twilio", data)}
    )
    assert response.status_code == 200


def test_status_callback_updates_the_delivery_status(client, store, twilio_mock, app):
    provider = TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, "+15005550006", base_url=twilio_mock.url)
    sent = provider.send("+8613800000001", "交费提醒")
    contact = store.get_or_create_contact("+8613800000001", "sms", utcnow())
    inbound, _ = store.record_inbound(contact.id, "sms", "x", None, utcnow())
    message_id = store.record_reply(
        inbound, contact.id, "sms", "交费提醒", "reminders.subscribe", None, 1, utcnow(), status="queued"
    )
    store.set_provider_id(message_id, sent.provider_id, "sent", utcnow())  # Prism answers any status word
    data = {"MessageSid": sent.provider_id, "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID}
    url = PUBLIC_URL + "/sms/twilio/status"
    assert client.post("/sms/twilio/status", data=data).status_code == 403
    assert client.post("/sms/twilio/status", data=data, headers={"X-Twilio-Signature": sign(url, data)}).status_code == 204
    assert store.message(message_id)["status"] == "delivered"


def test_the_twilio_sdk_sends_through_the_configured_api_base_url(twilio_mock, config):
    provider = from_config({**config, "TWILIO_API_BASE_URL": twilio_mock.url})
    result = provider.send("+8613800000001", "您好，今年养老保险交费截止12月31日。")
    assert result.provider_id.startswith(("SM", "MM")) and result.status  # Prism answers with a schema-valid status
    request = twilio_mock.requests[0]
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["form"]["To"] == "+8613800000001" and request["form"]["Body"].startswith("您好")
    assert request["form"]["StatusCallback"] == PUBLIC_URL + "/sms/twilio/status"
    assert request["auth"].startswith("Basic ")
