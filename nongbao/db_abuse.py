"""SQL of flood control: flood notices sent and messages left unanswered in a flood.
A mixin of Storage (nongbao/db.py owns the connection and migrations)."""

import datetime

from . import models as m
from .times import iso

FLOOD = "flood"  # nongbao.flood.INTENT


class AbuseStorage:
    """Named reads and writes for flood control."""

    def flood_notices_since(self, contact_id: int, since: datetime.datetime) -> int:
        """How many flood notices went to this contact since a moment."""
        row = self._one(
            "select count(*) n from messages where contact_id = ? and direction = ? and intent = ? and created_at >= ?",
            [contact_id, m.OUTBOUND, FLOOD, iso(since)],
        )
        return row["n"]

    def inbound_count_since(self, contact_id: int, since: datetime.datetime) -> int:
        """How many messages a contact sent since a moment (the flood window)."""
        row = self._one(
            "select count(*) n from messages where contact_id = ? and direction = ? and created_at >= ?",
            [contact_id, m.INBOUND, iso(since)],
        )
        return row["n"]

    def mark_flooded(self, inbound_id: int, now: datetime.datetime):
        """An inbound message stored in a flood and deliberately left unanswered."""
        self._update("messages", inbound_id, {"status": m.HANDLED, "intent": FLOOD, "updated_at": iso(now)})
