"""All SQL of the service: schema migrations and the named reads and writes the rest calls."""

import datetime
import fcntl
import json
import sqlite3
from contextlib import contextmanager, nullcontext

import sqlite_utils
from sqlite_utils import Migrations

from . import models as m
from .db_abuse import AbuseStorage
from .db_admin import AdminStorage
from .db_content_admin import ContentAdminStorage
from .db_inbox import InboxStorage
from .db_metrics import MetricsStorage
from .db_privacy import PrivacyStorage
from .db_reminders import ReminderStorage
from .db_webchat import WebChatStorage
from .times import iso, utcnow  # noqa: F401  (utcnow is part of this module's interface)

migrations = Migrations("nongbao")


_ts = iso


def _stamped(fields: dict) -> dict:
    """Moments among column values as stored: UTC text."""
    return {k: _ts(v) if isinstance(v, datetime.datetime) else v for k, v in fields.items()}


@migrations()
def m001_initial(db: sqlite_utils.Database):
    """Contacts, messages, conversation state, staff follow-ups and versioned content."""
    db["contacts"].create(
        {
            "id": int, "address": str, "channel": str, "locale": str, "last_locale": str,
            "region": str, "region_status": str, "birth_year": int,
            "opted_out": int, "opted_out_at": str, "opted_out_reason": str,
            "reminders": int, "reminders_at": str, "paid_year": int,
            "created_at": str, "updated_at": str,
        },
        pk="id", not_null={"address", "channel", "created_at"},
        defaults={"opted_out": 0, "reminders": 0, "region_status": m.REGION_UNKNOWN},
    )  # fmt: skip
    db["contacts"].create_index(["address"], unique=True)
    db["messages"].create(
        {
            "id": int, "contact_id": int, "direction": str, "channel": str, "provider_id": str,
            "status": str, "text": str, "intent": str, "content_version": int, "reply_to": int,
            "segments": int, "error": str, "created_at": str, "updated_at": str,
        },
        pk="id", foreign_keys=[("contact_id", "contacts", "id")],
        not_null={"contact_id", "direction", "channel", "status", "created_at"},
    )  # fmt: skip
    db["messages"].create_index(["provider_id"], unique=True)
    db["messages"].create_index(["contact_id", "id"])
    db["messages"].create_index(["reply_to"])
    db["conversations"].create(
        {"contact_id": int, "flow": str, "step": str, "data": str, "updated_at": str, "expires_at": str},
        pk="contact_id",
        foreign_keys=[("contact_id", "contacts", "id")],
    )
    db["unanswered"].create(
        {"id": int, "contact_id": int, "message_id": int, "text": str, "locale": str,
         "region": str, "status": str, "created_at": str},
        pk="id", foreign_keys=[("contact_id", "contacts", "id"), ("message_id", "messages", "id")],
        defaults={"status": "open"},
    )  # fmt: skip
    db["followups"].create(
        {"id": int, "ref": str, "kind": str, "contact_id": int, "message_id": int, "text": str,
         "region": str, "status": str, "created_at": str, "updated_at": str},
        pk="id", foreign_keys=[("contact_id", "contacts", "id")], defaults={"status": "open"},
    )  # fmt: skip
    db["followups"].create_index(["ref"], unique=True)
    db["topics"].create(
        {"id": int, "key": str, "locale": str, "version": int, "title": str, "body": str,
         "source": str, "source_path": str, "author": str, "created_at": str},
        pk="id",
    )  # fmt: skip
    db["topics"].create_index(["key", "locale", "version"], unique=True)
    db["vocabularies"].create(
        {"id": int, "locale": str, "version": int, "data": str, "source": str,
         "source_path": str, "author": str, "created_at": str},
        pk="id",
    )  # fmt: skip
    db["vocabularies"].create_index(["locale", "version"], unique=True)
    db["regions"].create(
        {"id": int, "code": str, "version": int, "parent": str, "name": str, "data": str,
         "source": str, "source_path": str, "author": str, "created_at": str},
        pk="id",
    )  # fmt: skip
    db["regions"].create_index(["code", "version"], unique=True)


@migrations()
def m002_reminders(db: sqlite_utils.Database):
    """Village rosters on contacts, reminder texts (versioned like topics), the durable outbox and staff alerts."""
    db["contacts"].add_column("village", str)
    db["contacts"].add_column("birth_month", int)
    db["contacts"].add_column("enrolled", int)  # 1 enrolled, 0 not, null unknown
    db["contacts"].add_column("pensioner", int)
    db["contacts"].add_column("check_month", int)  # month of the yearly qualification check
    db["contacts"].add_column("basis", str)  # why staff may write to this resident (roster and date)
    db["contacts"].add_column("imported_at", str)
    db["contacts"].add_column("introduced", int, not_null_default=0)  # the first message said who writes and why
    db["contacts"].add_column("delivery_failures", int, not_null_default=0)  # failed deliveries in a row
    db["contacts"].add_column("paused_at", str)
    db["contacts"].add_column("paused_reason", str)
    db["reminder_texts"].create(
        {"id": int, "kind": str, "locale": str, "version": int, "body": str, "template": str,
         "source": str, "source_path": str, "author": str, "created_at": str},
        pk="id",
    )  # fmt: skip
    db["reminder_texts"].create_index(["kind", "locale", "version"], unique=True)
    db["outbox"].create(
        {"id": int, "contact_id": int, "kind": str, "year": int, "dedupe_key": str, "region": str,
         "timezone": str, "locale": str, "body": str, "template": str, "status": str, "provider_id": str,
         "attempts": int, "next_attempt_at": str, "lease_until": str, "error_code": str, "error": str,
         "created_at": str, "updated_at": str, "sent_at": str},
        pk="id", foreign_keys=[("contact_id", "contacts", "id")],
        not_null={"contact_id", "kind", "dedupe_key", "status", "created_at"}, defaults={"attempts": 0},
    )  # fmt: skip
    db["outbox"].create_index(["dedupe_key"], unique=True)
    db["outbox"].create_index(["status", "next_attempt_at"])
    db["outbox"].create_index(["provider_id"])
    db["alerts"].create({"id": int, "kind": str, "text": str, "created_at": str}, pk="id")


@migrations()
def m003_staff_admin(db: sqlite_utils.Database):
    """Staff accounts, the audit log, region overrides and drafts of topics, tickets, and web chat sessions."""
    db["staff"].create(
        {"id": int, "username": str, "password_hash": str, "role": str, "region": str, "failed_logins": int,
         "locked_until": str, "created_at": str, "updated_at": str},
        pk="id", not_null={"username", "password_hash", "role", "created_at"}, defaults={"failed_logins": 0},
    )  # fmt: skip
    db["staff"].create_index(["username"], unique=True)
    db["audit_log"].create(
        {"id": int, "staff_id": int, "username": str, "action": str, "target": str, "before": str, "after": str,
         "created_at": str},
        pk="id", not_null={"action", "created_at"},
    )  # fmt: skip
    db["audit_log"].create_index(["target"])
    db["login_attempts"].create({"id": int, "address": str, "username": str, "ok": int, "created_at": str}, pk="id")
    db["login_attempts"].create_index(["address", "created_at"])
    # A topic text may belong to a region (inherited by the places under it) and may be a draft until published.
    db["topics"].add_column("region", str)  # null: the national text
    db["topics"].add_column("status", str, not_null_default="published")  # published | draft
    db["topics"].create_index(["key", "locale", "region", "status"])
    db["followups"].add_column("assigned_to", str)
    db["followups"].add_column("channel", str)
    db["followups"].add_column("answer", str)
    db["followups"].add_column("answered_at", str)
    db["unanswered"].add_column("topic", str)  # the topic staff attached it to
    db["regions_paused"].create({"region": str, "paused_at": str, "paused_by": str}, pk="region")
    db["web_sessions"].create(
        {"id": str, "contact_id": int, "phone": str, "code_hash": str, "code_expires_at": str, "code_attempts": int,
         "verified_at": str, "created_at": str},
        pk="id", defaults={"code_attempts": 0},
    )  # fmt: skip


@migrations()
def m004_turns(db: sqlite_utils.Database):
    """A count of answered turns per contact: the token a turn worked out without the write lock commits against."""
    db["contacts"].add_column("turns", int, not_null_default=0)


@migrations()
def m005_content_stamp(db: sqlite_utils.Database):
    """One number that every change of content moves, so each message checks for new content with one read."""
    db["content_stamp"].create({"id": int, "version": int}, pk="id")
    db["content_stamp"].insert({"id": 1, "version": 0})
    for table in ("topics", "vocabularies", "regions"):
        for event in ("insert", "update", "delete"):
            db.execute(
                f"create trigger {table}_{event}_stamp after {event} on {table} "
                "begin update content_stamp set version = version + 1 where id = 1; end"
            )


@migrations()
def m006_partial_message_indexes(db: sqlite_utils.Database):
    """Index only the messages that have a provider id or answer another: each message writes one index entry less."""
    db.execute("drop index if exists idx_messages_provider_id")
    db.execute("create unique index idx_messages_provider_id on messages (provider_id) where provider_id is not null")
    db.execute("drop index if exists idx_messages_reply_to")
    db.execute("create index idx_messages_reply_to on messages (reply_to) where reply_to is not null")


SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")  # PRAGMA synchronous values (docs/deploy.md says what each survives)


class Storage(
    ReminderStorage, AdminStorage, ContentAdminStorage, InboxStorage, WebChatStorage, PrivacyStorage, MetricsStorage, AbuseStorage
):
    """One connection to the service's SQLite file (WAL mode, busy timeout)."""

    def __init__(self, path: str, busy_timeout_ms: int = 5000, synchronous: str = "NORMAL"):
        """WAL with synchronous NORMAL keeps every committed message through a crash of the process; FULL also
        through a power loss, at the cost of a disk sync per commit."""
        if synchronous.upper() not in SYNCHRONOUS:
            raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {', '.join(SYNCHRONOUS)}")
        self.path = path
        conn = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, isolation_level=None)
        self.db = sqlite_utils.Database(conn)
        if path != ":memory:":
            self.db.enable_wal()
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        conn.execute(f"PRAGMA synchronous = {synchronous.upper()}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")  # erased personal data does not linger in free pages
        # Writers of the service queue on this file's lock: the kernel wakes the next at once, where SQLite's busy
        # handler would sleep and poll (a millisecond and more per wait) while workers take turns at the database.
        self._writers = open(f"{path}.writer", "ab") if path != ":memory:" else None  # noqa: SIM115 (closed in close)

    @classmethod
    def from_config(cls, config) -> "Storage":
        """The service's database as configured (DATABASE, SQLITE_SYNCHRONOUS)."""
        return cls(config["DATABASE"], synchronous=config.get("SQLITE_SYNCHRONOUS") or "NORMAL")

    def close(self):
        self.db.close()
        if self._writers is not None:
            self._writers.close()

    def migrate(self):
        """Apply pending schema migrations."""
        migrations.apply(self.db)

    @contextmanager
    def atomic(self):
        """One transaction for a multi-step write; rolls back on any error.

        BEGIN IMMEDIATE takes the write lock up front, so a transaction that reads before it
        writes waits instead of failing when another connection wrote meanwhile; connections of
        the service wait on the writers' file lock first. Nested calls become savepoints.
        """
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield
            return
        with self._writer_turn():
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def _writer_turn(self):
        if self._writers is None:
            yield
            return
        fcntl.flock(self._writers, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._writers, fcntl.LOCK_UN)

    @contextmanager
    def reading_only(self):
        """Any write in the block fails (PRAGMA query_only): a turn works out its answer without the write lock."""
        self.db.execute("PRAGMA query_only = 1")
        try:
            yield
        finally:
            self.db.execute("PRAGMA query_only = 0")

    def rollback_open_transaction(self):
        """End a transaction a failed request left open, so the connection can serve the next one."""
        if self.db.conn.in_transaction:
            self.db.execute("ROLLBACK")

    def journal_mode(self) -> str:
        return self.db.execute("PRAGMA journal_mode").fetchone()[0]

    # Plain statements for the per-message path (sqlite-utils' table helpers inspect the schema each call).

    def _one(self, sql: str, args=()) -> dict | None:
        cursor = self.db.execute(sql, args)
        row = cursor.fetchone()
        return dict(zip([d[0] for d in cursor.description], row)) if row else None

    def _rows(self, sql: str, args=()) -> list[dict]:
        cursor = self.db.execute(sql, list(args))
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]

    def _insert(self, table: str, row: dict) -> int:
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        return self.db.execute(f"insert into {table} ({columns}) values ({marks})", list(row.values())).lastrowid

    def _update(self, table: str, key: int, fields: dict, pk: str = "id"):
        assignments = ", ".join(f"{name} = ?" for name in fields)
        self.db.execute(f"update {table} set {assignments} where {pk} = ?", [*fields.values(), key])

    # Contacts

    def claim_turn(self, contact_id: int, turns_seen: int, now: datetime.datetime, **fields) -> bool:
        """Count a turn as answered and set the contact fields it changed, only if no other turn of the contact
        was answered since it read turns_seen."""
        fields = _stamped(fields)
        assignments = "".join(f", {name} = ?" for name in fields)
        cursor = self.db.execute(
            f"update contacts set turns = turns + 1, updated_at = ?{assignments} where id = ? and turns = ?",
            [_ts(now), *fields.values(), contact_id, turns_seen],
        )
        return cursor.rowcount == 1

    def _by_address(self, addresses: list[str], column: str) -> dict:
        """A column of the existing contacts among these addresses, by address (read 500 at a time)."""
        found = {}
        for start in range(0, len(addresses), 500):
            chunk = addresses[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self.db.execute(f"select address, {column} from contacts where address in ({marks})", chunk)
            found.update(rows.fetchall())
        return found

    def contact_by_id(self, contact_id: int) -> m.Contact | None:
        row = self._one("select * from contacts where id = ?", [contact_id])
        return m.Contact.from_row(row) if row else None

    def contact(self, address: str) -> m.Contact | None:
        row = self._one("select * from contacts where address = ?", [address])
        return m.Contact.from_row(row) if row else None

    def get_or_create_contact(self, address: str, channel: str, now: datetime.datetime) -> m.Contact:
        """The contact for an address, created on first contact."""
        return self.contact(address) or self._create_contact(address, channel, now)

    def _create_contact(self, address: str, channel: str, now: datetime.datetime) -> m.Contact:
        try:
            created = self._one(
                "insert into contacts (address, channel, created_at, updated_at, region_status, opted_out, reminders) "
                "values (?, ?, ?, ?, ?, 0, 0) returning *",
                [address, channel, _ts(now), _ts(now), m.REGION_UNKNOWN],
            )
        except sqlite3.IntegrityError:  # created by a concurrent request
            return self.contact(address)
        return m.Contact.from_row(created)

    def update_contact(self, contact_id: int, now: datetime.datetime, **fields):
        """Change named contact fields (locale, region, region_status, birth_year, ...); moments are stored as UTC text."""
        self._update("contacts", contact_id, {**_stamped(fields), "updated_at": _ts(now)})

    def contacts_by_region(self) -> list[tuple[str, int]]:
        """How many contacts chose each place (for the freshness report)."""
        rows = self.db.execute("select region, count(*) from contacts where region is not null group by region")
        return [(region, count) for region, count in rows.fetchall()]

    def contact_fields(self, contact_id: int, *names: str) -> dict:
        row = self._one("select * from contacts where id = ?", [contact_id])
        return {name: row[name] for name in names}

    # Messages

    def record_inbound(
        self, contact_id: int, channel: str, text: str, provider_id: str | None, now: datetime.datetime
    ) -> tuple[int, bool]:
        """Store an inbound message before anything else; (id, False) when its provider id was seen."""
        stored = self._one(
            "insert into messages (contact_id, direction, channel, provider_id, status, text, created_at, updated_at) "
            "values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (provider_id) where provider_id is not null do nothing returning id",
            [contact_id, m.INBOUND, channel, provider_id, m.RECEIVED, text, _ts(now), _ts(now)],
        )
        if stored is not None:
            return stored["id"], True
        return self._one("select id from messages where provider_id = ?", [provider_id])["id"], False

    def take_inbound(
        self, address: str, channel: str, text: str, provider_id: str | None, now: datetime.datetime
    ) -> tuple[m.Contact | None, int | None, bool]:
        """The contact (created on first contact) and its message stored and committed before anything answers it:
        (contact, message id, False when its provider id was seen); (None, None, False) for a resend of erased data."""
        with self.atomic():
            contact = self.contact(address)
            if contact is None and provider_id and self.was_erased(provider_id):
                return None, None, False  # a resend of a message erased at the farmer's request: nothing comes back
            contact = contact or self._create_contact(address, channel, now)
            inbound_id, fresh = self.record_inbound(contact.id, channel, text, provider_id, now)
        return contact, inbound_id, fresh

    def claim_answer(self, inbound_id: int, intent: str, now: datetime.datetime) -> bool:
        """Mark an inbound message answered; False when it already was (a concurrent delivery of it answered first)."""
        cursor = self.db.execute(
            "update messages set status = ?, intent = ?, updated_at = ? where id = ? and status = ?",
            [m.HANDLED, intent, _ts(now), inbound_id, m.RECEIVED],
        )
        return cursor.rowcount == 1

    def reply_to(self, inbound_id: int) -> dict | None:
        """The reply stored for an inbound message, if it was answered."""
        return self._one(
            "select * from messages where reply_to = ? and direction = ? order by id limit 1", [inbound_id, m.OUTBOUND]
        )

    def inbound_intent(self, message_id: int) -> str | None:
        """The intent an inbound message was handled as (None until it is)."""
        row = self._one("select intent from messages where id = ?", [message_id])
        return row["intent"] if row else None

    def message(self, message_id: int) -> dict:
        return self.db["messages"].get(message_id)

    def record_reply(
        self,
        inbound_id: int,
        contact_id: int,
        channel: str,
        text: str,
        intent: str,
        content_version: int | None,
        segments: int,
        now: datetime.datetime,
        status: str = m.REPLIED,
        claimed: bool = False,
    ) -> int:
        """Store the reply and mark the inbound message handled (unless the caller claimed it), in one transaction
        (the caller's, when one is open)."""
        with nullcontext() if self.db.conn.in_transaction else self.atomic():
            if not claimed:
                self._update("messages", inbound_id, {"status": m.HANDLED, "intent": intent, "updated_at": _ts(now)})
            return self._insert(
                "messages",
                {"contact_id": contact_id, "direction": m.OUTBOUND, "channel": channel, "status": status,
                 "text": text, "intent": intent, "content_version": content_version, "reply_to": inbound_id,
                 "segments": segments, "created_at": _ts(now), "updated_at": _ts(now)},
            )  # fmt: skip

    def set_provider_id(self, message_id: int, provider_id: str, status: str, now: datetime.datetime):
        """Remember the provider's id for a message we sent, for its status callbacks."""
        self._update("messages", message_id, {"provider_id": provider_id, "status": status, "updated_at": _ts(now)})

    def update_delivery(self, provider_id: str, status: str, error: str | None, now: datetime.datetime) -> bool:
        """Apply a provider status callback; False when the id is not ours. Late callbacks never move a status back."""
        row = self._one("select id, status from messages where provider_id = ? and direction = ?", [provider_id, m.OUTBOUND])
        if not row:
            return False
        if row["status"] not in m.FINAL and m.DELIVERY_ORDER.get(status, 0) >= m.DELIVERY_ORDER.get(row["status"], 0):
            self._update("messages", row["id"], {"status": status, "error": error, "updated_at": _ts(now)})
        return True

    def inbound_since(self, address: str, since: datetime.datetime) -> int:
        """How many messages this address sent since a moment (for rate limits)."""
        row = self._one(
            "select count(*) n from messages m join contacts c on c.id = m.contact_id "
            "where c.address = ? and m.direction = ? and m.created_at >= ?",
            [address, m.INBOUND, _ts(since)],
        )
        return row["n"]

    def messages_of(self, contact_id: int) -> list[dict]:
        return list(self.db["messages"].rows_where("contact_id = ?", [contact_id], order_by="id"))

    def count(self, table: str) -> int:
        return self.db[table].count

    # Conversation state

    def conversation(self, contact_id: int, now: datetime.datetime) -> dict | None:
        """The open dialogue of a contact, or None when there is none or it has expired."""
        row = self._one("select * from conversations where contact_id = ?", [contact_id])
        if not row:
            return None
        if row["expires_at"] and datetime.datetime.fromisoformat(row["expires_at"]) <= now:
            return None  # expired: the turn that reads it writes the next state or clears it
        return {"flow": row["flow"], "step": row["step"], "data": json.loads(row["data"] or "{}")}

    def save_conversation(
        self, contact_id: int, flow: str, step: str, data: dict, now: datetime.datetime, expires_at: datetime.datetime
    ):
        self.db.execute(
            "insert or replace into conversations (contact_id, flow, step, data, updated_at, expires_at) values (?, ?, ?, ?, ?, ?)",
            [contact_id, flow, step, json.dumps(data, ensure_ascii=False), _ts(now), _ts(expires_at)],
        )

    def clear_conversation(self, contact_id: int):
        self.db.execute("delete from conversations where contact_id = ?", [contact_id])

    # What staff follow up

    def log_unanswered(
        self, contact_id: int, message_id: int, text: str, locale: str, region: str | None, now: datetime.datetime
    ) -> int:
        """A question the service could not answer, for the staff inbox."""
        return self._insert(
            "unanswered",
            {"contact_id": contact_id, "message_id": message_id, "text": text, "locale": locale, "region": region,
             "status": "open", "created_at": _ts(now)},
        )  # fmt: skip

    def unanswered(self, status: str = "open") -> list[dict]:
        return list(self.db["unanswered"].rows_where("status = ?", [status], order_by="id"))

    def create_followup(
        self, kind: str, contact_id: int, message_id: int, text: str, region: str | None, now: datetime.datetime
    ) -> str:
        """A feedback or handoff record with a short reference the farmer can quote (F00042, H00043)."""
        with self.atomic():
            followup_id = self._insert(
                "followups",
                {"kind": kind, "contact_id": contact_id, "message_id": message_id, "text": text, "region": region,
                 "status": "open", "created_at": _ts(now), "updated_at": _ts(now)},
            )  # fmt: skip
            ref = f"{'F' if kind == m.FEEDBACK else 'H'}{followup_id:05d}"
            self._update("followups", followup_id, {"ref": ref})
        return ref

    def add_to_followup(self, ref: str, text: str, now: datetime.datetime):
        """Append a farmer's next message to their open feedback."""
        row = self._one("select id, text from followups where ref = ?", [ref])
        if row:
            joined = f"{row['text']}\n{text}" if row["text"] else text
            self._update("followups", row["id"], {"text": joined, "updated_at": _ts(now)})

    def followups(self, kind: str | None = None) -> list[dict]:
        where, args = ("kind = ?", [kind]) if kind else (None, [])
        return list(self.db["followups"].rows_where(where, args, order_by="id"))

    # Versioned content: topics, vocabularies, regions. The newest version is in force.

    def content_is_empty(self) -> bool:
        return not (self.db["topics"].count or self.db["regions"].count or self.db["vocabularies"].count)

    def _newest(self, table: str, where: str, args: list) -> dict | None:
        return self._one(f"select * from {table} where {where} order by version desc limit 1", args)

    def topic(self, key: str, locale: str, places=()) -> dict | None:
        """The published topic text in force for a locale: id (the content version), title, body, region.

        places: the farmer's place and its ancestors, nearest first; the first of them with its own published
        text wins, else the national text (region null). Without places: the national text.
        """
        chain = [code for code in places if code]
        if not chain:
            return self._newest("topics", "key = ? and locale = ? and region is null and status = 'published'", [key, locale])
        marks = ", ".join("?" for _ in chain)
        rows = self._rows(
            "select * from topics where key = ? and locale = ? and status = 'published' "
            f"and (region is null or region in ({marks})) order by version desc",
            [key, locale, *chain],
        )
        newest: dict = {}
        for row in rows:
            newest.setdefault(row["region"], row)
        return next((newest[code] for code in chain if code in newest), newest.get(None))

    def _save_version(
        self,
        table: str,
        identity: dict,
        content: dict,
        provenance: tuple,
        now: datetime.datetime,
        numbered_by: tuple[str, ...] | None = None,
    ) -> tuple[int | None, dict | None]:
        """A new version of one piece of content when it changed: (its id or None, the version it follows).

        identity picks the version compared with (a None value matches null); numbered_by names the identity
        fields that versions are numbered across (all of them by default), so that the numbers stay unique
        where identity is finer than the table's unique index (a topic's regions and drafts).
        """
        where = " and ".join(f"{name} is ?" if value is None else f"{name} = ?" for name, value in identity.items())
        current = self._newest(table, where, list(identity.values()))
        if current and all(current[name] == value for name, value in content.items()):
            return None, current
        latest = current
        if numbered_by is not None:
            scope = {name: identity[name] for name in numbered_by}
            latest = self._newest(table, " and ".join(f"{name} = ?" for name in scope), list(scope.values()))
        source, source_path, author = provenance
        row = {**identity, **content, "version": latest["version"] + 1 if latest else 1, "source": source,
               "source_path": source_path, "author": author, "created_at": _ts(now)}  # fmt: skip
        return self._insert(table, row), current

    def save_topic(
        self,
        key: str,
        locale: str,
        title: str,
        body: str,
        provenance: tuple,
        now: datetime.datetime,
        region: str | None = None,
        status: str = "published",
    ):
        """A new topic version when the text changed; provenance is (source, source_path, author).

        region: None for the national text, else the place whose own text it is (inherited by the places under
        it); status: published or draft. Compared with the newest version of the same region and status;
        numbered across every region and draft of the key and locale (the unique index on key, locale, version).
        """
        identity = {"key": key, "locale": locale, "region": region, "status": status}
        return self._save_version(
            "topics", identity, {"title": title, "body": body}, provenance, now, numbered_by=("key", "locale")
        )

    def topic_history(self, key: str, locale: str) -> list[dict]:
        return list(self.db["topics"].rows_where("key = ? and locale = ?", [key, locale], order_by="version"))

    def vocabulary(self, locale: str) -> dict | None:
        row = self._newest("vocabularies", "locale = ?", [locale])
        return {**json.loads(row["data"]), "version": row["id"]} if row else None

    def vocabulary_row(self, locale: str) -> dict | None:
        """The vocabulary version in force with its provenance."""
        return self._newest("vocabularies", "locale = ?", [locale])

    def save_vocabulary(self, locale: str, data: dict, provenance: tuple, now: datetime.datetime):
        """A new version of a locale's intent vocabulary when it changed."""
        encoded = json.dumps(data, ensure_ascii=False, sort_keys=True)
        return self._save_version("vocabularies", {"locale": locale}, {"data": encoded}, provenance, now)

    def regions_in_force(self) -> dict[str, dict]:
        """Every region's own values in force, by code, with version and source."""
        rows = self._rows(
            "select r.* from regions r join (select code, max(version) v from regions group by code) n "
            "on r.code = n.code and r.version = n.v order by r.code"
        )
        result = {}
        for row in rows:
            result[row["code"]] = {
                **json.loads(row["data"]),
                "_version": row["version"],
                "_source": row["source_path"] or row["source"],
            }
        return result

    def region_row(self, code: str) -> dict | None:
        return self._newest("regions", "code = ?", [code])

    def save_region(self, own: dict, provenance: tuple, now: datetime.datetime):
        """A new version of a region's own values when they changed."""
        content = {"parent": own.get("parent"), "name": json.dumps(own["name"], ensure_ascii=False),
                   "data": json.dumps(own, ensure_ascii=False, sort_keys=True)}  # fmt: skip
        return self._save_version("regions", {"code": own["code"]}, content, provenance, now)

    def content_version_stamp(self) -> int:
        """Changes whenever any content is saved; lets caches know when to rebuild."""
        return self._one("select version from content_stamp where id = 1")["version"]
