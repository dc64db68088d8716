"""Configuration: defaults, then environment variables of the same name, then the test mapping."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "DATABASE": str(ROOT / "instance" / "nongbao.db"),
    "SQLITE_SYNCHRONOUS": "NORMAL",  # NORMAL keeps committed messages through a process crash; FULL also power loss
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
    "API_RATE_PER_TOKEN_PER_MINUTE": 600,  # requests one API token may make in a minute (429 beyond; 0: no limit)
    "FLOOD_PER_MINUTE": 20,  # messages one number may send in a minute before one notice and silence (0: no limit)
    "CONVERSATION_TIMEOUT_MINUTES": 30,
    "TIMEZONE": "Asia/Shanghai",
    "CONTENT_DIR": str(ROOT / "content"),
    "LOG_LEVEL": "INFO",
    "NONGBAO_ENV": "development",  # "production" refuses to start without SECRET_KEY and TWILIO_AUTH_TOKEN set
    "TWILIO_TIMEOUT": 10,  # seconds before a call to the SMS provider gives up (and is retried later)
    "SENDER_NAME": "",  # who writes to roster residents, e.g. 某某镇社保所; empty: the service's name
    "REMINDER_HOURS": "08:00-21:00",  # local sending hours in each region's time zone
    "REMINDER_RATE_PER_SECOND": 1,  # reminders handed to the provider per second (0: no pause)
    "REMINDER_DAILY_CAP": 2000,  # the SMS budget: reminders sent per day at most
    "REMINDER_LEASE_SECONDS": 300,  # a claimed row is taken again after this, if its worker died
    "REMINDER_PAUSE_AFTER": 5,  # failed deliveries in a row that pause a contact's reminders
    "REMINDER_FAILURE_ALERT": 5,  # failed sends in a row that raise an alert for staff
    "REMINDER_BACKLOG_HOURS": 24,  # reminders queued longer than this count as backlog
    "REMINDER_BACKLOG_ALERT": 500,  # backlog size that raises an alert for staff
    "REMINDER_INTERVAL_SECONDS": 60,  # how often the worker plans and sends
    "HUEY_DATABASE": "",  # the job queue's SQLite file; empty: next to DATABASE
    "METRICS_TOKEN": "",  # a bearer token /metrics asks for; empty: /metrics is open (limit it at the proxy)
    "MESSAGE_RETENTION_DAYS": 365,  # message texts older than this become [expired] (`flask db prune`); 0 keeps them
    "LOGIN_ATTEMPT_RETENTION_DAYS": 30,  # staff sign-in attempts (with their addresses) kept this long
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
