"""SQL of privacy: erasing a contact's personal data, expiring old message texts, online backups (a mixin of Storage)."""

import datetime
import hashlib
import sqlite3

from .times import iso

ERASED = "[erased]"
EXPIRED = "[expired]"


def erased_id(provider_id: str) -> str:
    """What an erased message keeps of its provider id: a hash, enough to recognise a resend, not to look it up."""
    return "erased:" + hashlib.sha256(provider_id.encode()).hexdigest()


class PrivacyStorage:
    """Named writes that remove personal data, and a consistent copy of the database."""

    def forget_contact(self, address: str, now: datetime.datetime) -> bool:
        """Erase a contact's personal data: number, messages' text, staff notes, queued jobs, audit entries naming it.

        The rows that count things (messages, intents) stay, anonymised, so the county's figures still add up.
        False when no contact has this address.
        """
        row = self._one("select id from contacts where address = ?", [address])
        if not row:
            return False
        cid, alias = row["id"], f"erased:{row['id']}"
        with self.atomic():
            self.db.execute(
                "update contacts set address = ?, locale = null, last_locale = null, region = null, birth_year = null, "
                "birth_month = null, village = null, basis = null, enrolled = null, pensioner = null, check_month = null, "
                "paid_year = null, opted_out = 1, reminders = 0, opted_out_reason = ?, updated_at = ? where id = ?",
                [alias, "erased", iso(now), cid],
            )
            self.db.execute("update messages set text = ? where contact_id = ?", [ERASED, cid])
            # A provider id becomes its hash: a resend of an erased message is recognised without keeping the id.
            ids = self.db.execute(
                "select id, provider_id from messages where contact_id = ? and provider_id is not null "
                "and provider_id not like 'erased:%'",
                [cid],
            ).fetchall()
            self.db.conn.executemany(
                "update messages set provider_id = ? where id = ?", [(erased_id(pid), mid) for mid, pid in ids]
            )
            self.db.execute("update unanswered set text = ? where contact_id = ?", [ERASED, cid])
            self.db.execute("update followups set text = ?, answer = null where contact_id = ?", [ERASED, cid])
            self.db.execute("delete from outbox where contact_id = ?", [cid])
            self.db.execute("delete from conversations where contact_id = ?", [cid])
            self.db.execute("delete from web_sessions where contact_id = ? or phone = ?", [cid, address])
            self.db.execute(
                "update audit_log set target = replace(target, ?, ?), before = replace(before, ?, ?), after = replace(after, ?, ?)",
                [address, alias, address, alias, address, alias],
            )
            self.db.execute("delete from login_attempts where username = ?", [address])
        return True

    def was_erased(self, provider_id: str) -> bool:
        """Whether a provider's message id belongs to a message erased at the farmer's request."""
        return self._one("select 1 found from messages where provider_id = ?", [erased_id(provider_id)]) is not None

    def prune(self, now: datetime.datetime, message_days: int, login_days: int) -> dict[str, int]:
        """Blank the text of messages older than message_days (0: keep them) and delete older sign-in attempts.

        The message rows stay (intent, channel, dates), so counts do not change. How many rows each step touched.
        """
        expired = 0
        with self.atomic():
            if message_days > 0:
                before = iso(now - datetime.timedelta(days=message_days))
                expired = self.db.execute(
                    "update messages set text = ? where created_at < ? and text is not null and text not in (?, ?)",
                    [EXPIRED, before, EXPIRED, ERASED],
                ).rowcount
            before = iso(now - datetime.timedelta(days=login_days))
            logins = self.db.execute("delete from login_attempts where created_at < ?", [before]).rowcount
        return {"messages": expired, "login_attempts": logins}

    def backup_to(self, path: str, pages_per_step: int = 256):
        """A consistent online copy of the database while the service keeps writing (SQLite's backup API)."""
        target = sqlite3.connect(path)
        try:
            self.db.conn.backup(target, pages=pages_per_step)
        finally:
            target.close()
