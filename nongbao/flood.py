"""Floods: a contact sending more than FLOOD_PER_MINUTE messages in a minute gets one polite notice, then no answers
for the rest of that minute; every message is still stored first.

`verdict` is the pure rule; Engine.receive applies it once the inbound message is stored, whatever the channel.
"""

import datetime

from .i18n import N_, translator

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
