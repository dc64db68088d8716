"""The farmer web chat at /: a phone-sized page over the same engine (channel "web").

Without JavaScript the page is a plain form (POST /) answered with the conversation; static/chat.js posts to
POST /chat/send instead and appends the answer. Both carry the CSRF token. A browser chats as an anonymous contact
("web:<random id>" kept in the signed session) until the farmer proves a phone number with a one-time SMS code;
the anonymous contact is then joined to that number's contact (its history, reminders and erasure follow it).

The code is sent directly through providers.from_config, not through the outbox: the farmer is waiting for it,
a failure is shown at once (they can ask again), and no plaintext code is stored anywhere (the outbox and the
message history would keep the body). Only an HMAC of the code is kept, with an expiry and a few tries.
"""

import datetime
import hashlib
import hmac
import logging
import re
import secrets
import unicodedata
import uuid
from functools import cache
from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from .. import providers
from ..i18n import CATALOG_NAMES
from ..privacy import mask_address, normalize_address
from ..web import engine, error, now, store, too_many

log = logging.getLogger(__name__)

WEB = "web"  # the channel of web chat messages
CODE_TTL = datetime.timedelta(minutes=10)
CODE_TRIES = 5  # tries at one code, the right one included
RESEND_AFTER = datetime.timedelta(seconds=60)  # between two codes asked from one browser
CODES_PER_HOUR = 5  # codes sent to one phone number, and from one browser, in an hour
HISTORY = 40  # messages the page shows
PHONE = re.compile(r"\+\d{8,15}")
STATIC = Path(__file__).resolve().parent.parent / "static"


class ChatBlueprint(Blueprint):
    """Static files are requested with their content hash (?v=), so phones may keep them for a year."""

    def get_send_file_max_age(self, filename):
        return 365 * 24 * 3600 if request.args.get("v") else super().get_send_file_max_age(filename)


bp = ChatBlueprint("webchat", __name__, template_folder="../templates", static_folder="../static",
                   static_url_path="/chat/static")  # fmt: skip


@cache
def _version(filename: str, mtime: float) -> str:
    return hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:10]


@bp.app_template_global("chat_asset")
def chat_asset(filename: str) -> str:
    """The URL of chat.css or chat.js with its content hash."""
    return url_for("webchat.static", filename=filename, v=_version(filename, (STATIC / filename).stat().st_mtime))


# Who is chatting


def _chat_id() -> str:
    """This browser's random chat id, made on first need; the session lasts (a farmer comes back days later)."""
    if not session.get("chat"):
        session["chat"] = uuid.uuid4().hex
        session.permanent = True
    return session["chat"]


def _verified_phone() -> str | None:
    """The phone number this browser proved, if any (the code's row says which; erased with the contact)."""
    proof = session.get("chat_proof")
    if not proof:
        return None
    row = store().code(proof)
    if row and row["verified_at"] and row["phone"]:
        return row["phone"]
    session.pop("chat_proof", None)
    return None


def _address() -> str:
    return _verified_phone() or f"web:{_chat_id()}"


# Pages


def _page(status: int = 200, notice: str | None = None, kind: str = "info", place: str = "chat", latest: int | None = None):
    """The chat page: the contact's history, the question form and the phone number forms."""
    phone = _verified_phone()
    contact = store().contact(phone or f"web:{_chat_id()}")
    history = store().chat_history(contact.id, HISTORY) if contact else []
    pending = _pending_code()
    locale = str(get_locale())
    return render_template(
        "chat.html",
        history=history,
        latest=latest,
        notice=notice,
        notice_kind=kind,
        notice_place=place,
        phone=mask_address(phone) if phone else None,
        pending=mask_address(pending["phone"]) if pending else None,
        html_lang="en" if locale == "en" else "zh-Hans",
        other_lang="zh-Hans" if locale == "en" else "en",
        max_length=current_app.config["MAX_TEXT_LENGTH"],
    ), status


@bp.after_request
def remember_language(response):
    """?lang= on a chat page is remembered in a cookie, so the forms posted from it keep the language."""
    chosen = request.args.get("lang")
    if chosen in CATALOG_NAMES:
        response.set_cookie("lang", chosen, max_age=365 * 24 * 3600, httponly=True, samesite="Lax")
    return response


@bp.get("/")
def index():
    return _page()


def _answer(text) -> tuple[object, str | None, int]:
    """Ask the engine; (reply, problem, status) with a problem the farmer can read instead of a reply."""
    if not isinstance(text, str) or not text.strip():
        return None, _("Please type a question."), 400
    if len(text) > current_app.config["MAX_TEXT_LENGTH"]:
        return None, _("Your message is too long. Please send it in shorter parts."), 400
    address = _address()
    if too_many(address):
        return None, _("You are sending messages too fast. Please wait a minute."), 429
    return engine().receive(address, text, WEB), None, 200


@bp.post("/")
def ask():
    """The question form without JavaScript: the page comes back with the conversation and the answer."""
    reply, problem, status = _answer(request.form.get("text"))
    if problem:
        return _page(status, problem, "error")
    return _page(latest=reply.message_id)


@bp.post("/chat/send")
def send():
    """The question from chat.js: the answer as JSON, like the API's."""
    body = request.get_json(silent=True)
    text = body.get("text") if isinstance(body, dict) else None
    reply, problem, status = _answer(text)
    if problem:
        return error(status, "too_many_requests" if status == 429 else "bad_request", problem)
    return jsonify({"reply": reply.text, "intent": reply.intent, "locale": reply.locale})


@bp.errorhandler(CSRFError)
def expired(_exc: CSRFError):
    """A missing or stale CSRF token: nothing is done; the page (or chat.js) says to send again."""
    message = _("This page had expired. Please send it again.")
    if request.path == url_for("webchat.send"):
        return error(400, "csrf", message)
    return _page(400, message, "error")


# Proving a phone number


def _hash(code_id: str, code: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _pending_code() -> dict | None:
    """The code this browser is waiting for, while it can still be used."""
    code_id = session.get("chat_code")
    row = store().code(code_id) if code_id else None
    if not row or not row["code_hash"] or row["code_attempts"] >= CODE_TRIES:
        return None
    if datetime.datetime.fromisoformat(row["code_expires_at"]) <= now():
        return None
    return row


def _digits(raw: str | None) -> str:
    """Full-width digits (a Chinese keyboard) as ASCII, spaces and dashes dropped."""
    return re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", raw or ""))


@bp.post("/chat/verify")
def verify():
    """Send a 6-digit code by SMS to the number the farmer typed."""
    phone = normalize_address(_digits(request.form.get("phone")))
    if not PHONE.fullmatch(phone):
        return _page(400, _("This is not a phone number we can send a code to."), "error", "verify")
    moment, chat_id = now(), _chat_id()
    last = store().last_code_at(chat_id)
    if last and datetime.datetime.fromisoformat(last) > moment - RESEND_AFTER:
        return _page(429, _("Please wait a minute before asking for another code."), "error", "verify")
    hour_ago = moment - datetime.timedelta(hours=1)
    if (
        store().codes_sent(hour_ago, chat_id=chat_id) >= CODES_PER_HOUR
        or store().codes_sent(hour_ago, phone=phone) >= CODES_PER_HOUR
    ):
        return _page(429, _("Too many codes were sent. Please try again in an hour."), "error", "verify")
    code = f"{secrets.randbelow(10**6):06d}"
    if not _send_code(phone, code):
        return _page(503, _("We could not send the code. Please try again later."), "error", "verify")
    code_id = f"{chat_id}.{secrets.token_urlsafe(12)}"
    anonymous = store().contact(f"web:{chat_id}")
    store().save_code(code_id, anonymous.id if anonymous else None, phone, _hash(code_id, code), moment + CODE_TTL, moment)
    session["chat_code"] = code_id
    log.info("web chat code sent to %s", mask_address(phone))
    return _page(200, _("We sent a 6-digit code to %(phone)s. It is valid for 10 minutes.", phone=mask_address(phone)),
                 "info", "verify")  # fmt: skip


def _send_code(phone: str, code: str) -> bool:
    """The code by SMS straight through the provider, even at night or to an opted-out number: the farmer asked."""
    from twilio.base.exceptions import TwilioException

    provider = providers.from_config(current_app.config)
    if provider is None:
        log.warning("web chat code not sent: no SMS provider is configured")
        return False
    body = _("Rural insurance helper: your code is %(code)s, valid for 10 minutes. Do not tell it to anyone.", code=code)
    try:
        provider.send(phone, body)
    except (TwilioException, OSError):
        log.exception("web chat code to %s not sent", mask_address(phone))
        return False
    return True


@bp.post("/chat/verify/code")
def verify_code():
    """The right code joins this browser's chat to the phone number's contact."""
    code_id = session.get("chat_code")
    row = store().code(code_id) if code_id else None
    if not row or not row["code_hash"] or datetime.datetime.fromisoformat(row["code_expires_at"]) <= now():
        return _page(400, _("This code has expired. Please ask for a new one."), "error", "verify")
    if not store().count_code_attempt(code_id, CODE_TRIES):
        return _page(429, _("Too many wrong codes. Please ask for a new one."), "error", "verify")
    typed = _digits(request.form.get("code"))
    if not hmac.compare_digest(_hash(code_id, typed), row["code_hash"]):
        left = CODE_TRIES - row["code_attempts"] - 1
        if left <= 0:
            return _page(429, _("Too many wrong codes. Please ask for a new one."), "error", "verify")
        return _page(400, _("This code is not right. Tries left: %(left)s.", left=left), "error", "verify")
    moment, chat_id = now(), _chat_id()
    contact = store().get_or_create_contact(row["phone"], WEB, moment)
    anonymous = store().contact(f"web:{chat_id}")
    if anonymous:
        store().join_contact(anonymous.id, contact.id, moment)
    store().code_verified(code_id, contact.id, moment)
    session.pop("chat_code", None)
    session["chat_proof"] = code_id
    session["chat"] = uuid.uuid4().hex  # the old anonymous id is spent
    log.info("web chat joined to %s", mask_address(row["phone"]))
    return _page(200, _("Your number %(phone)s is verified.", phone=mask_address(row["phone"])), "info", "verify")


@bp.post("/chat/forget")
def forget():
    """Sign out on this phone: the browser chats anonymously again (the number's history stays with its contact)."""
    for key in ("chat", "chat_code", "chat_proof"):
        session.pop(key, None)
    return _page(200, _("You are signed out on this phone."), "info", "verify")
