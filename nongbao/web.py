"""Per-request storage and JSON errors shared by the HTTP adapters."""

import datetime
import os
import threading

from flask import current_app, g, jsonify

from .db import Storage, utcnow
from .engine import Engine
from .privacy import normalize_address


def store() -> Storage:
    """This request's connection to the database: its worker thread's own, opened once and kept open."""
    if "store" not in g:
        g.store = _thread_storage()
    return g.store


def _thread_storage() -> Storage:
    """One connection per worker thread and process, opened on first use (opening and closing one per request
    costs more than a turn's reads); a process forked from this one opens its own."""
    local = current_app.extensions.setdefault("nongbao.storage", threading.local())
    storage = getattr(local, "storage", None)
    if storage is None or local.pid != os.getpid():
        storage = local.storage = Storage.from_config(current_app.config)
        local.pid = os.getpid()
    return storage


def engine() -> Engine:
    """The conversation engine on this request's storage (tests may set a CLOCK)."""
    return Engine(store(), current_app.config, _clock())


def close_store(_error=None):
    """The connection stays open for the thread's next request, with nothing left half done."""
    connection = g.pop("store", None)
    if connection is not None:
        connection.rollback_open_transaction()


def too_many(address: str) -> bool:
    """Whether this contact already sent API_RATE_PER_MINUTE messages in the last minute (the API and web chat)."""
    limit = int(current_app.config.get("API_RATE_PER_MINUTE") or 0)
    if not limit:
        return False
    return store().inbound_since(normalize_address(address), now() - datetime.timedelta(minutes=1)) >= limit


def error(status: int, code: str, message: str, field: str | None = None, **extra):
    """The API's JSON error body; extra keys (such as the valid grades) go inside it."""
    body = {"error": {"code": code, "message": message, **extra}}
    if field:
        body["error"]["field"] = field
    return jsonify(body), status


def _clock():
    """The configured clock: CLOCK in tests, else the real time."""
    return current_app.config.get("CLOCK") or utcnow


def now():
    """The current time, from the test clock when one is set."""
    return _clock()()
