"""Floods: a contact sending more than FLOOD_PER_MINUTE messages in a minute gets one polite notice, then no answers
for the rest of that minute; every message is still stored first.

`verdict` is the pure rule (for Engine.receive to call once the inbound message is stored). Until the engine calls
it, `screen` applies it in the adapters (Twilio webhook, JSON API) before they hand a message to the engine.
"""

import datetime

from . import segments
from .i18n import N_, negotiate, translator
from .intents import OPT_IN_WORDS, OPT_OUT_WORDS
from .privacy import mask_sensitive_numbers, normalize_address
from .turns import Reply

ANSWER, NOTICE, SILENT = "answer", "notice", "silent"
WINDOW = datetime.timedelta(minutes=1)  # the flood window: the limit counts this span, and silence lasts this long
DEFAULT_LIMIT = 20  # FLOOD_PER_MINUTE
INTENT = "flood"  # stored intent of a flood notice and of the messages left unanswered (never an API intent)
PUBLIC_INTENT = "unknown"  # what the JSON API says of such a reply (api.md: one of topics.md's keys)
NOTICE_TEXT = N_(
    "You are sending a lot of messages. We will answer again in a minute: please wait a moment, then send your question once."
)


def verdict(recent: int, noticed: bool, limit: int) -> str:
    """ANSWER, NOTICE or SILENT for a message just stored.

    recent: the contact's inbound messages in the last WINDOW, this one included; noticed: a flood notice went to the
    contact in the last WINDOW (its window is still running); limit: FLOOD_PER_MINUTE (0 turns the rule off).
    """
    if limit <= 0:
        return ANSWER
    if noticed:
        return SILENT
    return NOTICE if recent > limit else ANSWER


def limit_from(config) -> int:
    return int(config.get("FLOOD_PER_MINUTE", DEFAULT_LIMIT) or 0)


def notice(locale: str) -> str:
    """The flood notice in the contact's language."""
    return translator(locale).gettext(NOTICE_TEXT)


def screen(store, config, address: str, text: str, channel: str, now: datetime.datetime, provider_id: str | None = None):
    """None when the engine should answer; else the Reply to a flooded message, stored with it (notice or silence).

    Counting, deciding and storing run in one BEGIN IMMEDIATE transaction, so concurrent messages get one notice.
    """
    limit = limit_from(config)
    if not limit or (text or "").strip().lower().strip(" .!！。") in OPT_OUT_WORDS | OPT_IN_WORDS:
        return None  # consent words are always handled, even in a flood
    address = normalize_address(address)
    with store.atomic():
        if provider_id and (seen := store.inbound_by_provider_id(provider_id)) is not None:
            if seen["intent"] != INTENT:
                return None  # a retry of a message the engine took: it returns the stored reply
            reply = store.reply_to(seen["id"])
            text_out = reply["text"] if reply else ""
            return Reply(text_out, PUBLIC_INTENT, config["DEFAULT_LOCALE"], reply["segments"] if reply else 0, duplicate=True)
        contact = store.contact(address)
        since = now - WINDOW
        recent = store.inbound_since(address, since) + 1  # this message, not stored yet
        noticed = contact is not None and store.flood_notices_since(contact.id, since) > 0
        decision = verdict(recent, noticed, limit)
        if decision == ANSWER:
            return None
        contact = contact or store.get_or_create_contact(address, channel, now)
        locale = negotiate(contact.locale, text or "", contact.last_locale, config["DEFAULT_LOCALE"])
        inbound_id, _fresh = store.record_inbound(contact.id, channel, mask_sensitive_numbers(text or ""), provider_id, now)
        if decision == SILENT:
            store.mark_flooded(inbound_id, now)
            return Reply("", PUBLIC_INTENT, locale, 0)
        body = notice(locale)
        parts = segments.segments(body, config.get("SMS_SIGNATURE", ""))
        message_id = store.record_reply(inbound_id, contact.id, channel, body, INTENT, None, parts, now)
        return Reply(body, PUBLIC_INTENT, locale, parts, message_id=message_id)
