"""Outbound SMS providers behind one small interface, so a mainland provider can sit beside Twilio."""

from dataclasses import dataclass
from typing import Protocol


@dataclass
class SendResult:
    provider_id: str  # the provider's message id, for status callbacks
    status: str  # the provider's first status word (queued, sent, ...)


class SmsProvider(Protocol):
    """What the outbox needs from an SMS provider."""

    name: str

    def send(self, to: str, body: str, template: str | None = None, params: dict | None = None) -> SendResult:
        """Send one message; providers with registered templates use template and params."""
        ...


class TwilioProvider:
    """Twilio's Messages API through the official SDK (its base URL can point at a local mock)."""

    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        sender: str,
        status_callback: str | None = None,
        base_url: str | None = None,
        timeout: float = 10,
    ):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        self.client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout))
        if base_url:
            self.client.api.base_url = base_url.rstrip("/")
        self.sender, self.status_callback = sender, status_callback

    def send(self, to: str, body: str, template: str | None = None, params: dict | None = None) -> SendResult:
        options = {"to": to, "from_": self.sender, "body": body}
        if self.status_callback:
            options["status_callback"] = self.status_callback
        message = self.client.messages.create(**options)
        return SendResult(message.sid, message.status or "queued")


def from_config(config: dict) -> SmsProvider | None:
    """The configured provider, or None when no SMS credentials are set."""
    if not (config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_AUTH_TOKEN")):
        return None
    base = (config.get("PUBLIC_URL") or "").rstrip("/").removesuffix("/sms/twilio")  # either form of PUBLIC_URL
    callback = base + "/sms/twilio/status" if base else None
    return TwilioProvider(
        config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], config.get("TWILIO_FROM", ""), callback,
        config.get("TWILIO_API_BASE_URL") or None, float(config.get("TWILIO_TIMEOUT") or 10),
    )  # fmt: skip
