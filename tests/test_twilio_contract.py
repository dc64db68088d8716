"""Contract tests: what the Twilio provider sends must be a request Twilio's own OpenAPI file allows (checked by Prism)."""

import json
import re

import pytest
from twilio.base import values
from twilio.base.exceptions import TwilioRestException

from nongbao.providers import TwilioProvider, from_config
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL

SENDER = "+15005550006"
FARMER = "+8613800138000"
MESSAGE_STATUSES = {"queued", "sending", "sent", "failed", "delivered", "undelivered", "receiving", "received",
                    "accepted", "scheduled", "read", "partially_delivered", "canceled"}  # fmt: skip
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


def test_the_configured_provider_sends_a_valid_message_with_its_status_callback(prism, config):
    provider = from_config({**config, "TWILIO_API_BASE_URL": prism})  # the app's own path, StatusCallback included
    assert provider.status_callback == PUBLIC_URL + "/sms/twilio/status"
    result = provider.send(FARMER, "您的养老金估算：每月约 231.22 元。")
    assert re.fullmatch(r"(SM|MM)[0-9a-fA-F]{32}", result.provider_id)
    assert result.status in MESSAGE_STATUSES


def test_each_message_gets_its_own_sid(prism):
    provider = TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, SENDER, base_url=prism)
    sids = {provider.send(FARMER, f"消息 {n}").provider_id for n in range(3)}
    assert len(sids) == 3


def test_a_message_without_a_recipient_is_rejected(prism):
    provider = TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, SENDER, base_url=prism)
    with pytest.raises(TwilioRestException) as raised:
        provider.client.messages.create(to=values.unset, from_=SENDER, body="no recipient")  # the SDK leaves To out
    assert raised.value.status == 422
    response = provider.client.request("POST", prism + MESSAGES_PATH, data={"From": SENDER, "Body": "no recipient"})
    assert response.status_code == 422
    assert "Request body must have required property 'To'" in [v["message"] for v in json.loads(response.text)["validation"]]


def test_a_malformed_status_callback_is_rejected(prism):
    """StatusCallback reaches Prism under the name the file gives it, and Prism checks it is a URI."""
    provider = TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, SENDER, status_callback="not a url", base_url=prism)
    with pytest.raises(TwilioRestException) as raised:
        provider.send(FARMER, "bad callback")
    assert raised.value.status == 422


def test_a_request_without_credentials_is_rejected(prism):
    provider = TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, SENDER, base_url=prism)
    data = {"To": FARMER, "From": SENDER, "Body": "who am I"}
    response = provider.client.http_client.request("POST", prism + MESSAGES_PATH, data=data)
    assert response.status_code == 401
