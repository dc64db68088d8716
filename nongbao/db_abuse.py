"""SQL of flood control: flood notices sent and messages left unanswered in a flood.
A mixin of Storage (nongbao/db.py owns the connection and migrations)."""

import datetime

from . import models as m
from .flood import INTENT as FLOOD
from .times import iso


class AbuseStorage:
    """Named reads and writes for flood control."""

    def flood_counts(self, contact_id: int, since: datetime.datetime) -> tuple[int, int]:
        """The messages a contact sent since a moment, and the flood notices it got since then."""
        row = self._one(
            "select count(*) filter (where direction = ?) sent, count(*) filter (where direction = ? and intent = ?) notices "
            "from messages where contact_id = ? and created_at >= ?",
            [m.INBOUND, m.OUTBOUND, FLOOD, contact_id, iso(since)],
        )
        return row["sent"], row["notices"]

    def mark_flooded(self, inbound_id: int, now: datetime.datetime):
        """An inbound message stored in a flood and deliberately left unanswered."""
        self._update("messages", inbound_id, {"status": m.HANDLED, "intent": FLOOD, "updated_at": iso(now)})
