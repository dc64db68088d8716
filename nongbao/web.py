"""Per-request storage and JSON errors shared by the HTTP adapters."""

from flask import current_app, g, jsonify

from .db import Storage, utcnow
from .engine import Engine


def store() -> Storage:
    """This request's connection to the database, closed when the request ends."""
    if "store" not in g:
        g.store = Storage(current_app.config["DATABASE"])
    return g.store


def engine() -> Engine:
    """The conversation engine on this request's storage (tests may set a CLOCK)."""
    return Engine(store(), current_app.config, _clock())


def close_store(_error=None):
    connection = g.pop("store", None)
    if connection is not None:
        connection.close()


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
