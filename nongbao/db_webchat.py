"""SQL of the farmer web chat: its history, phone number codes (web_sessions) and joining an anonymous chat to a
phone number's contact. A mixin of Storage (nongbao/db.py owns the connection and migrations)."""

import datetime

from . import models as m
from .times import iso


class WebChatStorage:
    """Named reads and writes for the web chat."""

    def chat_history(self, contact_id: int, limit: int = 40) -> list[dict]:
        """The contact's last messages on every channel, oldest first (what the chat page shows)."""
        rows = self._rows(
            "select id, direction, channel, text, intent, created_at from messages where contact_id = ? "
            "and coalesce(text, '') != '' order by id desc limit ?",
            [contact_id, limit],
        )
        return rows[::-1]

    # Phone number codes: one web_sessions row per code sent, its id prefixed with the browser's chat id.

    def save_code(self, code_id: str, contact_id: int | None, phone: str, code_hash: str, expires_at, now):
        self._insert("web_sessions", {"id": code_id, "contact_id": contact_id, "phone": phone, "code_hash": code_hash,
                                      "code_expires_at": iso(expires_at), "code_attempts": 0, "created_at": iso(now)})  # fmt: skip

    def code(self, code_id: str) -> dict | None:
        return self._one("select * from web_sessions where id = ?", [code_id])

    def codes_sent(self, since: datetime.datetime, phone: str | None = None, chat_id: str | None = None) -> int:
        """Codes sent since a moment to a phone number, or to anyone from one browser (the rows its chat id prefixes)."""
        if phone is not None:
            sql, args = "select count(*) n from web_sessions where phone = ? and created_at >= ?", [phone, iso(since)]
        else:
            sql = "select count(*) n from web_sessions where id > ? and id < ? and created_at >= ?"
            args = [chat_id + ".", chat_id + "/", iso(since)]  # "/" sorts right after "."
        return self._one(sql, args)["n"]

    def last_code_at(self, chat_id: str) -> str | None:
        row = self._one("select max(created_at) at from web_sessions where id > ? and id < ?", [chat_id + ".", chat_id + "/"])
        return row["at"]

    def count_code_attempt(self, code_id: str, max_attempts: int) -> bool:
        """Count one try at a code; False when its tries are used up (counted in one statement, so never exceeded)."""
        cursor = self.db.execute(
            "update web_sessions set code_attempts = code_attempts + 1 where id = ? and code_attempts < ? "
            "and code_hash is not null",
            [code_id, max_attempts],
        )
        return cursor.rowcount == 1

    def code_verified(self, code_id: str, contact_id: int, now: datetime.datetime):
        """The code was right: it cannot be used again, and the row names the contact it proved."""
        self._update("web_sessions", code_id, {"code_hash": None, "contact_id": contact_id, "verified_at": iso(now)})

    # Joining an anonymous web chat contact to the contact of a proven phone number

    def join_contact(self, anonymous_id: int, contact_id: int, now: datetime.datetime):
        """Move everything of the anonymous contact (messages, dialogue, follow-ups, ...) to the phone number's contact,
        fill the fields it lacks (language, place, birth year, a reminder opt-in), then delete the anonymous one.

        Every table with a contact_id column moves, so tables added later follow without a change here. The web
        dialogue is the one in progress, so it replaces an older one of the phone contact.
        """
        if anonymous_id == contact_id:
            return
        with self.atomic():
            source = self._one("select * from contacts where id = ?", [anonymous_id])
            target = self._one("select * from contacts where id = ?", [contact_id])
            if source is None or target is None:
                return
            if self._one("select 1 x from conversations where contact_id = ?", [anonymous_id]):
                self.db.execute("delete from conversations where contact_id = ?", [contact_id])
            for table in self._tables_with_contact_id():
                self.db.execute(f"update or ignore [{table}] set contact_id = ? where contact_id = ?", [contact_id, anonymous_id])
                self.db.execute(f"delete from [{table}] where contact_id = ?", [anonymous_id])  # a unique clash only
            fields = {name: source[name] for name in ("locale", "last_locale", "region", "birth_year", "birth_month")
                      if name in source and source[name] is not None and target.get(name) is None}  # fmt: skip
            if source["region_status"] != m.REGION_UNKNOWN and target["region_status"] == m.REGION_UNKNOWN:
                fields["region_status"] = source["region_status"]
            if source["reminders"] and not target["reminders"]:  # asked on the web for reminders, now on a proven number
                fields.update(reminders=1, reminders_at=source["reminders_at"] or iso(now), opted_out=0)
            self._update("contacts", contact_id, {**fields, "updated_at": iso(now)})
            self.db.execute("delete from contacts where id = ?", [anonymous_id])

    def _tables_with_contact_id(self) -> list[str]:
        names = [row[0] for row in self.db.execute("select name from sqlite_master where type = 'table'").fetchall()]
        return [
            name for name in names
            if name != "contacts" and not name.startswith("sqlite_")
            and any(column[1] == "contact_id" for column in self.db.execute(f"pragma table_info([{name}])").fetchall())
        ]  # fmt: skip
