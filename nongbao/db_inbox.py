"""SQL of the admin's inbox, reminders and dashboard pages (a mixin of Storage; nongbao/db.py owns the connection and
migrations).

A record's place is the farmer's own place when they gave one, else the region whose figures answered them, else
the deployment's default region (callers pass it): staff scope is checked on that place.
"""

import datetime

from . import models as m
from .times import iso

ANSWER = "answer"  # the outbox kind and message intent of a staff answer to a farmer's own request
TICKET_STATUSES = ("open", "assigned", "closed")
REGION_PAUSED = "region paused"  # the error the sender keeps on a queued reminder of a paused region


class InboxStorage:
    """Named reads and writes for the inbox, reminders and dashboard pages."""

    # Unanswered questions

    def inbox_questions(self, default_region: str | None, status: str = "open") -> list[dict]:
        """Questions the service could not answer, oldest first, with the farmer's address and place."""
        return self._rows(
            "select u.id, u.contact_id, u.message_id, u.text, u.locale, u.status, u.topic, u.created_at, c.address, "
            "coalesce(c.region, u.region, ?) place from unanswered u join contacts c on c.id = u.contact_id "
            "where u.status = ? order by u.id",
            [default_region, status],
        )

    def inbox_questions_by_id(self, ids: list[int], default_region: str | None) -> list[dict]:
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        return self._rows(
            "select u.id, u.contact_id, u.text, u.locale, u.status, coalesce(c.region, u.region, ?) place "
            f"from unanswered u join contacts c on c.id = u.contact_id where u.id in ({marks}) order by u.id",
            [default_region, *ids],
        )

    def inbox_close_questions(self, ids: list[int], status: str, topic: str | None) -> int:
        """Mark open questions answered by a topic (or dismissed); the number changed."""
        if not ids:
            return 0
        marks = ", ".join("?" for _ in ids)
        cursor = self.db.execute(
            f"update unanswered set status = ?, topic = ? where status = 'open' and id in ({marks})", [status, topic, *ids]
        )
        return cursor.rowcount

    # Tickets: feedback and handoff requests

    _TICKET = (
        "select f.id, f.ref, f.kind, f.contact_id, f.message_id, f.text, f.status, f.assigned_to, f.answer, "
        "f.answered_at, f.created_at, f.updated_at, c.address, c.opted_out, c.locale, c.last_locale, "
        "coalesce(f.channel, msg.channel, c.channel) channel, coalesce(c.region, f.region, ?) place "
        "from followups f join contacts c on c.id = f.contact_id left join messages msg on msg.id = f.message_id"
    )

    def inbox_tickets(self, default_region: str | None, status: str | None = None) -> list[dict]:
        """Feedback and handoff tickets, newest first; open ones include those nobody closed yet."""
        where, args = (" where f.status = ?", [status]) if status else ("", [])
        return self._rows(self._TICKET + where + " order by f.id desc", [default_region, *args])

    def inbox_ticket(self, ticket_id: int, default_region: str | None) -> dict | None:
        rows = self._rows(self._TICKET + " where f.id = ?", [default_region, ticket_id])
        return rows[0] if rows else None

    def inbox_update_ticket(self, ticket_id: int, now: datetime.datetime, **fields):
        """Change a ticket's status, assignee, channel or answer."""
        self._update("followups", ticket_id, {**fields, "updated_at": iso(now)})

    def inbox_queue_answer(self, ticket: dict, body: str, region: str | None, timezone: str, locale: str, now) -> int:
        """An SMS answer to a farmer's own request, sent by the reminder sender (the only kind it sends after opt-out)."""
        key = f"{ticket['contact_id']}:{ANSWER}:{ticket['ref']}:{iso(now)}"
        return self._insert(
            "outbox",
            {"contact_id": ticket["contact_id"], "kind": ANSWER, "year": now.year, "dedupe_key": key, "region": region,
             "timezone": timezone, "locale": locale, "body": body, "template": None, "status": m.QUEUED, "attempts": 0,
             "next_attempt_at": iso(now), "created_at": iso(now), "updated_at": iso(now)},
        )  # fmt: skip

    def inbox_post_answer(self, contact_id: int, channel: str, body: str, now: datetime.datetime) -> int:
        """An answer on a chat channel: an outbound message of the contact, shown in the chat's history."""
        return self._insert(
            "messages",
            {"contact_id": contact_id, "direction": m.OUTBOUND, "channel": channel, "status": m.SENT, "text": body,
             "intent": ANSWER, "created_at": iso(now), "updated_at": iso(now)},
        )  # fmt: skip

    def inbox_answer_sent(self, provider_id: str):
        """The message the sender stored for an SMS answer is an answer, not a reminder."""
        self.db.execute(
            "update messages set intent = ? where provider_id = ? and direction = ?", [ANSWER, provider_id, m.OUTBOUND]
        )

    def inbox_ticket_outbox(self, contact_id: int, ref: str) -> list[dict]:
        """The SMS answers queued for one ticket and how far they got."""
        return self._rows(
            "select id, status, error, error_code, created_at, sent_at from outbox where contact_id = ? and kind = ? "
            "and dedupe_key like ? order by id",
            [contact_id, ANSWER, f"{contact_id}:{ANSWER}:{ref}:%"],
        )

    def inbox_staff(self) -> list[dict]:
        """Staff accounts tickets can be assigned to."""
        return self._rows("select id, username, role, region from staff order by username")

    def inbox_contact(self, contact_id: int) -> dict | None:
        return self._one("select * from contacts where id = ?", [contact_id])

    def inbox_messages(self, contact_id: int, limit: int = 50) -> list[dict]:
        """One contact's last messages, oldest first."""
        rows = self._rows(
            "select id, direction, channel, status, text, intent, created_at from messages where contact_id = ? "
            "order by id desc limit ?",
            [contact_id, limit],
        )
        return list(reversed(rows))

    # Regions paused for reminders

    def paused_regions(self) -> list[dict]:
        return self._rows("select region, paused_at, paused_by from regions_paused order by region")

    def pause_region(self, code: str, by: str, now: datetime.datetime) -> bool:
        """Stop planning and sending reminders for a region and the places under it; False when it already was."""
        cursor = self.db.execute(
            "insert or ignore into regions_paused (region, paused_at, paused_by) values (?, ?, ?)", [code, iso(now), by]
        )
        return cursor.rowcount == 1

    def resume_region(self, code: str, now: datetime.datetime) -> bool:
        """Plan and send again; rows held while paused are due at once (any still paused are held again)."""
        with self.atomic():
            resumed = self.db.execute("delete from regions_paused where region = ?", [code]).rowcount == 1
            self.db.execute(
                "update outbox set next_attempt_at = ?, error = null, updated_at = ? where status = ? and error = ?",
                [iso(now), iso(now), m.QUEUED, REGION_PAUSED],
            )
        return resumed

    def addresses_places(self, addresses: list[str]) -> dict[str, str | None]:
        """The place of each existing contact among these addresses (a roster may only update the uploader's own)."""
        return self._by_address(addresses, "region")

    def outbox_by_place(self, default_region: str | None) -> list[dict]:
        """Outbox rows per kind, place and status."""
        return self._rows(
            "select o.kind, coalesce(c.region, o.region, ?) place, o.status, count(*) n from outbox o "
            "join contacts c on c.id = o.contact_id group by 1, 2, 3",
            [default_region],
        )

    # The dashboard: counts per place and week (weeks start on Monday, local time given as a SQLite modifier)

    @staticmethod
    def _week(column: str) -> str:
        return f"date({column}, ?, 'weekday 0', '-6 days')"

    def dash_messages(self, since: datetime.datetime, shift: str, default_region: str | None) -> list[dict]:
        """Inbound messages per week, place and intent."""
        return self._rows(
            f"select {self._week('m.created_at')} week, coalesce(c.region, ?) place, coalesce(m.intent, '') intent, "
            "count(*) n from messages m join contacts c on c.id = m.contact_id where m.direction = ? and m.created_at >= ? "
            "group by 1, 2, 3",
            [shift, default_region, m.INBOUND, iso(since)],
        )

    def dash_estimates(self, since: datetime.datetime, shift: str, default_region: str | None) -> list[dict]:
        """Estimate dialogues per week and place: the farmers who ran one, and their messages in it."""
        return self._rows(
            f"select {self._week('m.created_at')} week, coalesce(c.region, ?) place, count(distinct m.contact_id) farmers, "
            "count(*) n from messages m join contacts c on c.id = m.contact_id where m.direction = ? and m.intent = ? "
            "and m.created_at >= ? group by 1, 2",
            [shift, default_region, m.INBOUND, "estimate", iso(since)],
        )

    def dash_unanswered(self, since: datetime.datetime, shift: str, default_region: str | None) -> list[dict]:
        return self._rows(
            f"select {self._week('u.created_at')} week, coalesce(c.region, u.region, ?) place, count(*) n "
            "from unanswered u join contacts c on c.id = u.contact_id where u.created_at >= ? group by 1, 2",
            [shift, default_region, iso(since)],
        )

    def dash_reminders(self, since: datetime.datetime, shift: str, default_region: str | None) -> list[dict]:
        """Reminders sent per week and place: rows sent, delivered and failed, and the contacts reached."""
        return self._rows(
            f"select {self._week('o.sent_at')} week, coalesce(c.region, o.region, ?) place, count(*) sent, "
            "sum(o.status in ('delivered', 'read')) delivered, sum(o.status in ('failed', 'undelivered')) failed, "
            "count(distinct o.contact_id) reached from outbox o join contacts c on c.id = o.contact_id "
            "where o.kind != ? and o.sent_at >= ? group by 1, 2",
            [shift, default_region, ANSWER, iso(since)],
        )

    def dash_opt_outs(self, since: datetime.datetime, shift: str, default_region: str | None) -> list[dict]:
        return self._rows(
            f"select {self._week('opted_out_at')} week, coalesce(region, ?) place, count(*) n from contacts "
            "where opted_out = 1 and opted_out_at >= ? group by 1, 2",
            [shift, default_region, iso(since)],
        )

    def dash_followups(self, since: datetime.datetime, shift: str, default_region: str | None) -> list[dict]:
        return self._rows(
            f"select {self._week('f.created_at')} week, coalesce(c.region, f.region, ?) place, f.kind, count(*) n "
            "from followups f join contacts c on c.id = f.contact_id where f.created_at >= ? group by 1, 2, 3",
            [shift, default_region, iso(since)],
        )
