"""Configuration: defaults, then environment variables of the same name, then the test mapping."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "DATABASE": str(ROOT / "instance" / "nongbao.db"),
    "API_TOKENS": [],  # bearer tokens accepted by /api/v1/*
    "TWILIO_ACCOUNT_SID": "",
    "TWILIO_AUTH_TOKEN": "",
    "TWILIO_FROM": "",
    "TWILIO_API_BASE_URL": "",  # empty: Twilio's own REST API
    "PUBLIC_URL": "",  # https URL Twilio calls; empty: the request's own URL
    "TRUSTED_PROXIES": 0,  # proxies whose X-Forwarded-* headers to trust when PUBLIC_URL is empty
    "DEFAULT_REGION": "441403",
    "DEFAULT_LOCALE": "zh-Hans",
    "SECRET_KEY": "dev-only-change-me",
    "SMS_SIGNATURE": "",  # e.g. 【农保助手】 where the provider adds it to every message
    "SMS_MAX_PARTS": 3,
    "MAX_TEXT_LENGTH": 1600,
    "API_RATE_PER_MINUTE": 30,  # messages one contact may send through the API in a minute (429 beyond)
    "CONVERSATION_TIMEOUT_MINUTES": 30,
    "TIMEZONE": "Asia/Shanghai",
    "CONTENT_DIR": str(ROOT / "content"),
    "LOG_LEVEL": "INFO",
}


def from_environment(defaults: dict, environ=os.environ) -> dict:
    """Each default overridden by the environment variable of the same name, parsed to its type."""
    values = {}
    for key, default in defaults.items():
        raw = environ.get(key)
        if raw is None:
            continue
        if isinstance(default, list):
            values[key] = [item.strip() for item in raw.split(",") if item.strip()]
        elif isinstance(default, bool):
            values[key] = raw.lower() in ("1", "true", "yes", "on")
        elif isinstance(default, int):
            values[key] = int(raw)
        else:
            values[key] = raw
    return values
