"""SQL read at scrape time by /metrics: the outbox backlog and failures (a mixin of Storage)."""

from . import models as m


class MetricsStorage:
    """Named reads of the figures /metrics computes from the database on each scrape."""

    def outbox_queued_count(self) -> int:
        """Reminders waiting in the outbox (queued, or claimed by a worker and not yet handed to the provider)."""
        return self._one("select count(*) n from outbox where status in (?, ?)", [m.QUEUED, m.SENDING])["n"]

    def outbox_failed_count(self) -> int:
        """Reminders the provider refused or the carrier could not deliver, since the outbox began."""
        return self._one("select count(*) n from outbox where status in (?, ?)", [m.FAILED, m.UNDELIVERED])["n"]
