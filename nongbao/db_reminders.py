"""SQL of reminders: village rosters on contacts, reminder texts, the durable outbox and staff alerts.

A mixin of Storage (nongbao/db.py owns the connection and the schema migrations); nothing else
writes these tables.
"""

import datetime
import json

from . import models as m
from .times import iso

RECIPIENTS = (
    "select * from contacts where opted_out = 0 and paused_at is null and address like '+%' "
    "and (reminders = 1 or basis is not null)"
)


class ReminderStorage:
    """Named reads and writes for rosters, reminder texts, the outbox and alerts."""

    # Rosters

    def import_contacts(self, rows: list[dict], basis: str, now: datetime.datetime) -> tuple[int, int]:
        """Add or update roster residents in one transaction: (added, updated). The basis is kept on each."""
        added = updated = 0
        with self.atomic():
            ids = self._by_address([row["phone"] for row in rows], "id")
            for row in rows:
                fields = {k: v for k, v in row.items() if k != "phone" and v is not None}
                fields.update(basis=basis, imported_at=iso(now), updated_at=iso(now))
                if row["phone"] in ids:
                    self._update("contacts", ids[row["phone"]], fields)
                    updated += 1
                else:
                    self._insert("contacts", {"address": row["phone"], "channel": m.SMS, "created_at": iso(now),
                                              "region_status": m.REGION_SET if row.get("region") else m.REGION_UNKNOWN,
                                              "opted_out": 0, "reminders": 0, **fields})  # fmt: skip
                    added += 1
        return added, updated

    def reminder_recipients(self) -> list[dict]:
        """Contacts we may write to first: opted in, or on a roster with a recorded basis; never opted out or paused."""
        return self._rows(RECIPIENTS)

    def residents_by_village(self, year: int) -> list[dict]:
        """Per village: residents on rosters, not enrolled, and not paid this year."""
        return self._rows(
            "select coalesce(village, '') village, region, count(*) residents, sum(enrolled = 0) not_enrolled, "
            "sum(coalesce(paid_year, 0) != ?) not_paid from contacts where basis is not null group by village, region "
            "order by region, village",
            [year],
        )

    # Reminder texts, versioned like topics

    def reminder_text(self, kind: str, locale: str) -> dict | None:
        row = self._newest("reminder_texts", "kind = ? and locale = ?", [kind, locale])
        return {**row, "template": json.loads(row["template"] or "null")} if row else None

    def save_reminder_text(self, kind: str, locale: str, body: str, template: dict | None, provenance, now):
        """A new version of a reminder text when it changed."""
        content = {"body": body, "template": json.dumps(template, ensure_ascii=False, sort_keys=True) if template else None}
        return self._save_version("reminder_texts", {"kind": kind, "locale": locale}, content, provenance, now)

    # The outbox

    def plan_reminders(self, rows: list[dict], now: datetime.datetime) -> int:
        """Queue reminders; one per contact, kind and year (the dedupe key is unique), so planning twice adds nothing."""
        columns = ("contact_id", "kind", "year", "dedupe_key", "region", "timezone", "locale", "body", "template")
        sql = (
            f"insert or ignore into outbox ({', '.join(columns)}, status, attempts, next_attempt_at, created_at, updated_at) "
            f"values ({', '.join('?' for _ in columns)}, ?, 0, ?, ?, ?)"
        )
        stamp = iso(now)
        with self.atomic():
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                sql,
                [
                    [*(r[c] if c != "template" else json.dumps(r[c], ensure_ascii=False) for c in columns), m.QUEUED,
                     stamp, stamp, stamp]
                    for r in rows
                ],
            )  # fmt: skip
            return self.db.conn.total_changes - before

    def planned_keys(self, year_from: int) -> set[str]:
        """Dedupe keys already in the outbox from a year on (planning skips them without building their text)."""
        rows = self.db.execute("select dedupe_key from outbox where year >= ?", [year_from])
        return {key for (key,) in rows.fetchall()}

    def due_outbox(self, now: datetime.datetime, limit: int) -> list[dict]:
        """Rows ready to send: queued and due, or claimed by a worker whose lease has run out."""
        return self._rows(
            "select o.*, c.address, c.opted_out, c.paused_at, c.region contact_region from outbox o "
            "join contacts c on c.id = o.contact_id where (o.status = ? and o.next_attempt_at <= ?) "
            "or (o.status = ? and o.lease_until < ?) order by o.id limit ?",
            [m.QUEUED, iso(now), m.SENDING, iso(now), limit],
        )

    def claim(self, outbox_id: int, now: datetime.datetime, lease_until: datetime.datetime) -> bool:
        """Take a row for sending under a lease; False when another worker took it first."""
        cursor = self.db.execute(
            "update outbox set status = ?, lease_until = ?, attempts = attempts + 1, updated_at = ? "
            "where id = ? and ((status = ? and next_attempt_at <= ?) or (status = ? and lease_until < ?))",
            [m.SENDING, iso(lease_until), iso(now), outbox_id, m.QUEUED, iso(now), m.SENDING, iso(now)],
        )
        return cursor.rowcount == 1

    def outbox_sent(self, outbox_id: int, contact_id: int, body: str, provider_id: str, status: str, now):
        """The provider accepted the message: the row and the contact's history say so, in one transaction."""
        with self.atomic():
            self._update("outbox", outbox_id, {"status": status, "provider_id": provider_id, "lease_until": None,
                                               "sent_at": iso(now), "updated_at": iso(now)})  # fmt: skip
            self._insert("messages", {"contact_id": contact_id, "direction": m.OUTBOUND, "channel": m.SMS,
                                      "provider_id": provider_id, "status": status, "text": body, "intent": "reminder",
                                      "created_at": iso(now), "updated_at": iso(now)})  # fmt: skip
            self._update("contacts", contact_id, {"introduced": 1, "updated_at": iso(now)})

    def outbox_retry(self, outbox_id: int, at: datetime.datetime, code: str | None, error: str, now):
        """Send again later (the provider was busy or down)."""
        self._update("outbox", outbox_id, {"status": m.QUEUED, "next_attempt_at": iso(at), "lease_until": None,
                                           "error_code": code, "error": error[:500], "updated_at": iso(now)})  # fmt: skip

    def outbox_failed(self, outbox_id: int, status: str, code: str | None, error: str, now):
        """Give the row up with the provider's error kept (a refusal, or a contact who opted out meanwhile)."""
        self._update("outbox", outbox_id, {"status": status, "lease_until": None, "error_code": code,
                                           "error": error[:500], "updated_at": iso(now)})  # fmt: skip

    def outbox_delivery(self, provider_id: str, status: str, code: str | None, now) -> dict | None:
        """Apply a delivery status callback to the outbox row; it never moves back. The row, or None if not ours."""
        row = self._one("select * from outbox where provider_id = ?", [provider_id])
        if not row:
            return None
        if row["status"] not in m.FINAL and m.DELIVERY_ORDER.get(status, 0) > m.DELIVERY_ORDER.get(row["status"], 0):
            self._update("outbox", row["id"], {"status": status, "error_code": code, "updated_at": iso(now)})
            return {**row, "changed": True}
        return {**row, "changed": False}

    def outbox_of(self, contact_id: int) -> list[dict]:
        return list(self.db["outbox"].rows_where("contact_id = ?", [contact_id], order_by="id"))

    def sent_since(self, since: datetime.datetime) -> int:
        """Reminders handed to the provider since a moment (the daily SMS budget)."""
        return self._one("select count(*) n from outbox where sent_at >= ?", [iso(since)])["n"]

    def backlog(self, older_than: datetime.datetime) -> int:
        """Queued reminders planned before a moment and still not sent."""
        return self._one("select count(*) n from outbox where status = ? and created_at < ?", [m.QUEUED, iso(older_than)])["n"]

    # Contacts and deliveries

    def delivery_result(self, contact_id: int, delivered: bool, now, pause_after: int) -> bool:
        """Count failed deliveries in a row; pause reminders after too many. True when this pauses the contact."""
        if delivered:
            self._update("contacts", contact_id, {"delivery_failures": 0, "updated_at": iso(now)})
            return False
        row = self._one("select delivery_failures, paused_at from contacts where id = ?", [contact_id])
        failures = (row["delivery_failures"] or 0) + 1
        fields = {"delivery_failures": failures, "updated_at": iso(now)}
        pause = failures >= pause_after and not row["paused_at"]
        if pause:
            fields.update(paused_at=iso(now), paused_reason=f"{failures} deliveries failed in a row")
        self._update("contacts", contact_id, fields)
        return pause

    # Alerts staff see

    def alert(self, kind: str, text: str, now: datetime.datetime):
        self._insert("alerts", {"kind": kind, "text": text, "created_at": iso(now)})

    def alerts(self, limit: int = 50) -> list[dict]:
        return list(self.db["alerts"].rows_where(order_by="id desc", limit=limit))
