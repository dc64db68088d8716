"""The JSON API: any chat channel's messages, the pension estimate and the regions, behind bearer tokens."""

import collections
import datetime
import hashlib
import hmac
import math
import threading
from decimal import Decimal

from flask import Blueprint, current_app, jsonify, request

from .. import estimates, openapi
from ..estimator import EstimateError
from ..library import library
from ..models import API
from ..web import engine, error, now, store, too_many

bp = Blueprint("api", __name__, url_prefix="/api/v1")


PUBLIC_ENDPOINTS = {"api.openapi_document"}  # readable without a token


@bp.before_request
def require_token():
    """401 unless the request carries one of the configured bearer tokens; 429 past the token's rate."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    tokens = current_app.config.get("API_TOKENS") or []
    if (
        scheme.lower() != "bearer"
        or not token
        or not any(hmac.compare_digest(token.strip().encode(), t.encode()) for t in tokens)
    ):
        return error(401, "unauthorized", "a valid bearer token is required")
    wait = token_limiter().hit(token.strip(), now(), int(current_app.config.get("API_RATE_PER_TOKEN_PER_MINUTE", 600) or 0))
    if wait:
        response, status = error(429, "too_many_requests", "too many requests with this token; try again shortly")
        response.headers["Retry-After"] = str(wait)
        return response, status
    return None


class TokenLimiter:
    """At most `limit` requests per token in any minute (a sliding log per token, kept in this process)."""

    WINDOW = datetime.timedelta(minutes=1)

    def __init__(self):
        self.lock = threading.Lock()
        self.log: dict[str, collections.deque] = {}

    def hit(self, token: str, moment: datetime.datetime, limit: int) -> int:
        """0 when the request may go on (and is counted); else the seconds to wait."""
        if limit <= 0:
            return 0
        key = hashlib.sha256(token.encode()).hexdigest()  # never keep a token itself in memory longer than needed
        with self.lock:
            times = self.log.setdefault(key, collections.deque())
            while times and times[0] <= moment - self.WINDOW:
                times.popleft()
            if len(times) >= limit:
                return max(1, math.ceil((times[0] + self.WINDOW - moment).total_seconds()))
            times.append(moment)
            return 0


def token_limiter() -> TokenLimiter:
    """This app's limiter (one per app, so tests with their own app start afresh)."""
    return current_app.extensions.setdefault("nongbao_token_limiter", TokenLimiter())


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3 description of this API (public: it holds no data)."""
    return jsonify(openapi.document())


def _json_body():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None, error(400, "malformed_json", "the body must be a JSON object")
    return body, None


def _encodable(value: str) -> bool:
    """False for text JSON can carry but UTF-8 cannot (lone surrogates such as "\\ud800")."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@bp.post("/messages")
def messages():
    """A message from a contact on any chat channel, answered like an SMS."""
    body, problem = _json_body()
    if problem:
        return problem
    sender, text = body.get("from"), body.get("text")
    for name in ("from", "text", "channel"):
        if isinstance(body.get(name), str) and not _encodable(body[name]):
            return error(400, "invalid_field", f"'{name}' must be valid Unicode text", name)
    if not isinstance(sender, str) or not sender.strip():
        return error(400, "missing_field", "'from' must be the contact's address", "from")
    if len(sender) > 100:
        return error(400, "invalid_field", "'from' is too long", "from")
    if not isinstance(text, str):
        return error(400, "missing_field", "'text' must be a string", "text")
    if len(text) > current_app.config["MAX_TEXT_LENGTH"]:
        limit = current_app.config["MAX_TEXT_LENGTH"]
        return error(400, "text_too_long", f"'text' must be at most {limit} characters", "text")
    channel = body.get("channel")
    if channel is not None and (not isinstance(channel, str) or len(channel) > 30):
        return error(400, "invalid_field", "'channel' must be a short name", "channel")
    channel = channel or API
    if too_many(sender):
        return error(429, "too_many_requests", "too many messages from this contact; try again in a minute", "from")
    reply = engine().receive(sender, text, channel)
    body = {"reply": reply.text, "intent": reply.intent, "locale": reply.locale, "segments": reply.segments}
    if reply.intents:
        body["intents"] = reply.intents
    if reply.facts is not None:
        body["facts"] = public_facts(reply.facts)
    return jsonify(body)


def public_facts(facts: dict) -> dict:
    """The dialogue's facts as api.md names them; money as two-decimal strings like the estimate's."""
    shown = {}
    for key in ("place", "age", "birth_year", "grade", "past_grade", "years_paid", "balance", "collective"):
        if facts.get(key) is not None:
            value = facts[key]
            shown[key] = f"{Decimal(value):.2f}" if key in ("balance", "collective") else value
    return shown


@bp.post("/pension/estimate")
def pension_estimate():
    """A personal pension estimate for every grade of the region."""
    body, problem = _json_body()
    if problem:
        return problem
    try:
        response = estimates.answer(
            library(store()), body, current_app.config["DEFAULT_REGION"], current_app.config["DEFAULT_LOCALE"]
        )
    except estimates.UnknownRegion as missing:
        return error(404, "unknown_region", f"no region with code {missing.args[0]}", "region")
    except EstimateError as problem_input:
        extra = {"valid": problem_input.valid} if problem_input.valid else {}
        return error(400, problem_input.code, problem_input.message, problem_input.field, **extra)
    return jsonify(response)


@bp.get("/regions")
def regions():
    """Every loaded region with its name, parent and version."""
    lib = library(store())
    items = [
        {"code": r.code, "name": r.effective.get("name"), "parent": r.effective.get("parent"), "version": r.version}
        for r in lib.regions.values()
    ]
    return jsonify({"regions": items})


@bp.get("/regions/<code>")
def region(code: str):
    """Any place's effective policy: its own values over its ancestors', with whose figures they are and their marks."""
    lib = library(store())
    found = lib.policy_for(code)
    if found is None:
        return error(404, "unknown_region", f"no place of China has the code {code}", "code")
    name = found.effective.get("name") if found.code == code else {loc: lib.short_name(code, loc) for loc in ("zh-Hans", "en")}
    basis = {"code": found.code, "name": found.name("zh-Hans")}
    return jsonify({**found.effective, "code": code, "name": name, "basis": basis, "version": found.version})
