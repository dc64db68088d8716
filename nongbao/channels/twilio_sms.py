"""Twilio's webhooks: incoming messages answered with TwiML, and delivery status callbacks."""

import hmac
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from .. import reminders
from ..models import SMS
from ..web import engine, error, now, store

bp = Blueprint("twilio", __name__, url_prefix="/sms/twilio")


def signed_url() -> str:
    """The URL Twilio signed: PUBLIC_URL with this request's path (and query), else the request URL."""
    public = current_app.config.get("PUBLIC_URL", "").rstrip("/")
    path = request.full_path.rstrip("?")
    if not public:
        return request.url
    if urlsplit(public).path.rstrip("/").endswith(request.path.rstrip("/")) and request.path != "/":
        return public + (("?" + request.query_string.decode()) if request.query_string else "")
    return public + path


def require_signature():
    """403 unless X-Twilio-Signature matches, checked by the twilio package's RequestValidator."""
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        abort(403)
    validator, url, params = RequestValidator(token), signed_url(), request.form.to_dict(flat=True)
    if hmac.compare_digest(validator.compute_signature(url, params), signature):
        return  # signed for the URL as we know it: one HMAC, not the two of validate()
    if not validator.validate(url, params, signature):  # with or without the default port
        abort(403)


@bp.post("")
def incoming():
    """Answer an SMS; a repeated MessageSid gets the reply stored the first time."""
    require_signature()
    sender, sid = request.form.get("From", "").strip(), request.form.get("MessageSid") or request.form.get("SmsSid")
    if not sender:
        abort(400)
    text = request.form.get("Body", "")  # Twilio caps bodies at 1,600 characters; stored whole
    reply = engine().receive(sender, text, SMS, provider_id=sid)
    twiml = MessagingResponse()
    if reply.text:
        twiml.message(reply.text)
    return Response(str(twiml), mimetype="text/xml")


@bp.errorhandler(413)
def too_large(_exc):
    """A body over MAX_CONTENT_LENGTH: a JSON error before anything is read or stored (Twilio never sends one)."""
    return error(413, "too_large", "the request body is too large")


@bp.post("/status")
def status():
    """Record the delivery status Twilio reports for a message we sent."""
    require_signature()
    sid = request.form.get("MessageSid") or request.form.get("SmsSid")
    state = request.form.get("MessageStatus") or request.form.get("SmsStatus")
    if sid and state:
        code = request.form.get("ErrorCode") or None
        store().update_delivery(sid, state, code, now())
        reminders.delivery_callback(store(), sid, state, code, current_app.config, now())
    return Response("", status=204)
