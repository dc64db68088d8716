"""Reminders farmers opted into, or that staff send to roster residents: planned into the outbox, sent in hours.

Planning writes one outbox row per contact, kind and year (a unique key), so it can run as often as
the scheduler likes. Sending claims rows under a lease, so a worker killed between claim and send
loses nothing: the row is taken again once the lease runs out. Quiet hours, a rate per second and a
daily budget bound what goes out; provider failures are retried with backoff, refusals kept.
"""

import datetime
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from . import models as m
from . import places
from .content import PLACEHOLDERS, is_unconfirmed
from .db import Storage
from .db_inbox import ANSWER, REGION_PAUSED  # a staff answer is the only kind sent after STOP
from .i18n import translator
from .library import Library, RegionPolicy
from .memo import Once
from .privacy import mask_address

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # sends tried before a busy or failing provider's row is given up
BACKOFF_SECONDS = 30  # first retry delay; doubles each attempt, at most an hour
OPTED_OUT_AT_CARRIER = "21610"  # Twilio: the recipient replied STOP to the carrier
REGION_PAUSE_RECHECK = datetime.timedelta(hours=1)


@dataclass
class Due:
    """One reminder a contact should get now."""

    kind: str  # the outbox kind (one per year)
    year: int  # contribution or cover year
    text: str  # the text kind (pension_open_unconfirmed says to check the local notice)
    fields: dict = field(default_factory=dict)


@dataclass
class RunReport:
    planned: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    canceled: int = 0
    held: int = 0  # due, but outside the sending hours or over the daily budget
    paused: int = 0  # due, but staff paused reminders for the region (they wait until it is resumed)
    by_kind: Counter = field(default_factory=Counter)


def _window(policy: dict, section: str, today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """This season's window of a section (pension or medical) as dates, the end after the start."""
    window = (policy.get(section) or {}).get("window")
    if not window:
        return None
    start = datetime.date(today.year, *map(int, window["start"].split("-")))
    end = datetime.date(today.year, *map(int, window["end"].split("-")))
    if end < start:  # a window across the new year
        if today <= end:
            start = start.replace(year=today.year - 1)
        else:
            end = end.replace(year=today.year + 1)
    return start, end


def due_reminders(contact: dict, region: RegionPolicy, today: datetime.date) -> list[Due]:
    """The reminders due for one contact on a local date (pure)."""
    policy, marks = region.effective, region.effective.get("unconfirmed") or []
    roster = bool(contact.get("basis"))
    due = []
    pension = _window(policy, "pension", today)
    if pension and pension[0] <= today <= pension[1]:
        start, end = pension
        unconfirmed = is_unconfirmed("pension.window", marks)
        due.append(Due("pension_open", start.year, "pension_open_unconfirmed" if unconfirmed else "pension_open", {"end": end}))
        if roster and contact.get("enrolled") == 0:
            due.append(Due("enrollment", start.year, "enrollment"))
        left = (end - today).days
        if not unconfirmed and contact.get("paid_year") != start.year:
            if 3 < left <= 14:
                due.append(Due("pension_close_14", start.year, "pension_close_14", {"end": end}))
            elif 0 <= left <= 3:
                due.append(Due("pension_close_3", start.year, "pension_close_3", {"end": end}))
    medical = _window(policy, "medical", today)
    if medical and medical[0] <= today <= medical[1] and not is_unconfirmed("medical.window", marks):
        start, end = medical
        cover = {"end": end, "cover_year": start.year + 1}
        due.append(Due("medical_open", start.year + 1, "medical_open", cover))
        if 0 <= (end - today).days <= 14:
            due.append(Due("medical_close", start.year + 1, "medical_close", cover))
    claim_age = (policy.get("pension") or {}).get("claim_age", 60)
    if contact.get("birth_year") and contact.get("birth_month"):
        birthday = datetime.date(contact["birth_year"] + claim_age, contact["birth_month"], 1)
        if birthday - datetime.timedelta(days=92) <= today < birthday:
            due.append(Due("turning_60", birthday.year, "turning_60", {"birthday": birthday}))
    if roster and contact.get("pensioner") and contact.get("check_month") == today.month:
        due.append(Due("qualification_check", today.year, "qualification_check"))
    return due


def _locale(contact: dict, default: str) -> str:
    return contact.get("locale") or contact.get("last_locale") or default


class Texts:
    """Reminder texts and the words made of a region's figures, read and formatted once per planning run."""

    def __init__(self, store: Storage):
        self.store, self.once = store, Once()

    def row(self, kind: str, locale: str) -> dict | None:
        return self.once(("row", kind, locale), lambda: self.store.reminder_text(kind, locale))


def reminder_text(
    store: Storage, region: RegionPolicy, due: Due, contact: dict, config: dict, texts: Texts | None = None
) -> tuple[str, dict | None]:
    """The reminder in the contact's language with the region's figures; an imported resident's first says who writes."""
    texts = texts or Texts(store)
    locale = _locale(contact, config["DEFAULT_LOCALE"])
    row = texts.row(due.text, locale) or texts.row(due.text, "zh-Hans")
    t = translator(locale if row and row["locale"] == locale else "zh-Hans")
    values = _values(t, region, due, contact, config, texts)
    body = row["body"].format_map(values) if row else ""
    if contact.get("basis") and not contact.get("introduced"):
        intro = texts.row("intro", t.locale)
        if intro:
            body = intro["body"].format_map(values) + ("" if t.locale == "zh-Hans" else " ") + body
    template = row.get("template") if row else None
    if template:
        template = {"id": template.get("id"), "params": {name: values.get(name) for name in template.get("params", [])}}
    return body, template


def _regional(t, region: RegionPolicy, config: dict) -> dict:
    """The words of a reminder that depend only on the region and the language."""
    policy = region.effective
    values = {name: PLACEHOLDERS[name](t, policy) or "" for name in ("region_name", "office", "hotline", "medical_hotline")}
    values.update(
        individual=PLACEHOLDERS["medical_individual"](t, policy) or "",
        claim_age=(policy.get("pension") or {}).get("claim_age", 60),
        sender=config.get("SENDER_NAME") or t._("Rural insurance helper"),
    )
    return values


def _values(t, region: RegionPolicy, due: Due, contact: dict, config: dict, texts: Texts) -> dict:
    fields, locale = due.fields, t.locale
    values = dict(texts.once(("region", locale, region.code), lambda: _regional(t, region, config)))
    end = fields["end"].strftime("%m-%d") if "end" in fields else None
    birthday = fields.get("birthday")
    values.update(
        year=due.year,
        window_end=texts.once(("month_day", locale, end), lambda: t.month_day(end)) if end else "",
        cover_year=fields.get("cover_year", ""),
        birthday_month=texts.once(("month", locale, birthday), lambda: t.month(birthday)) if birthday else "",
        basis=contact.get("basis") or "",
    )
    return values


def paused_set(store: Storage) -> set[str]:
    """The regions staff paused reminders for (each covers the places under it)."""
    return {row["region"] for row in store.paused_regions()}


def is_paused(paused: set[str], *codes: str | None) -> bool:
    """Whether any of these places lies in (or is) a paused region."""
    return bool(paused) and any(code and not paused.isdisjoint(places.chain(code)) for code in codes)


class Planner:
    """What planning reads once (recipients, reminders already planned, paused regions, texts) for one or more instants."""

    def __init__(self, store: Storage, lib: Library, config: dict, year: int):
        self.store, self.lib, self.config, self.texts = store, lib, config, Texts(store)
        self.recipients = store.reminder_recipients()
        self.known = store.planned_keys(year - 1)  # grows as rows are planned: nothing is planned twice
        self.paused = paused_set(store)

    def due(self, now: datetime.datetime) -> list[dict]:
        """The outbox rows due at this instant and not planned before; each also names the contact's place."""
        rows, default, config = [], self.config["DEFAULT_REGION"], self.config
        for contact in self.recipients:
            code = contact.get("region") or default
            region = self.lib.policy_for(code)  # remembered by the library
            if region is None or is_paused(self.paused, code, region.code):
                continue
            today = now.astimezone(ZoneInfo(region.timezone)).date()
            for due in due_reminders(contact, region, today):
                key = f"{contact['id']}:{due.kind}:{due.year}"
                if key in self.known:
                    continue
                self.known.add(key)
                body, template = reminder_text(self.store, region, due, contact, config, self.texts)
                if not body:
                    continue
                rows.append({"contact_id": contact["id"], "kind": due.kind, "year": due.year, "dedupe_key": key,
                             "region": region.code, "timezone": region.timezone, "place": code,
                             "locale": _locale(contact, config["DEFAULT_LOCALE"]), "body": body, "template": template})  # fmt: skip
        return rows


def plan(store: Storage, lib: Library, config: dict, now: datetime.datetime, dry_run: bool = False) -> tuple[int, list]:
    """Queue every reminder due at this instant (nothing twice; nothing in a paused region); with dry_run, only list them."""
    rows = Planner(store, lib, config, now.year).due(now)
    if dry_run:
        return len(rows), rows
    return store.plan_reminders(rows, now), rows


def in_sending_hours(now: datetime.datetime, timezone: str, hours: str) -> bool:
    """Whether local time is within the sending hours ("08:00-21:00")."""
    start, end = (datetime.time.fromisoformat(part) for part in hours.split("-"))
    local = now.astimezone(ZoneInfo(timezone or "Asia/Shanghai")).time()
    return start <= local < end


def send_due(store: Storage, provider, config: dict, now: datetime.datetime, report: RunReport, sleep=time.sleep):
    """Send what is due within the hours, the rate and the daily budget; keep every outcome on its row."""
    lease = datetime.timedelta(seconds=int(config["REMINDER_LEASE_SECONDS"]))
    budget = int(config["REMINDER_DAILY_CAP"]) - store.sent_since(_day_start(now, config["TIMEZONE"]))
    rate = float(config["REMINDER_RATE_PER_SECOND"])
    failures_in_a_row = 0
    paused = paused_set(store)
    for row in store.due_outbox(now, limit=max(0, budget) + 100):
        answer = row["kind"] == ANSWER  # a direct answer to the farmer's own request may follow a STOP; nothing else
        if (row["opted_out"] and not answer) or row["paused_at"]:
            reason = "opted out" if row["opted_out"] and not answer else "paused"
            store.outbox_failed(row["id"], m.CANCELED, None, reason, now)
            report.canceled += 1
            continue
        if not answer and is_paused(paused, row["region"], row["contact_region"]):
            # Kept queued and looked at again later (resuming the region makes it due at once).
            store.outbox_retry(row["id"], now + REGION_PAUSE_RECHECK, None, REGION_PAUSED, now)
            report.paused += 1
            continue
        if not in_sending_hours(now, row["timezone"], config["REMINDER_HOURS"]) or budget <= 0:
            report.held += 1
            continue
        if not store.claim(row["id"], now, now + lease):
            continue
        outcome = _send_one(store, provider, row, now, report)
        budget -= outcome == "sent"
        failures_in_a_row = failures_in_a_row + 1 if outcome == "failed" else 0
        if failures_in_a_row == int(config["REMINDER_FAILURE_ALERT"]):
            _alert(store, "failures", f"{failures_in_a_row} reminders failed in a row; last error on outbox row {row['id']}", now)
        if rate > 0:
            sleep(1 / rate)
    if budget <= 0 and report.held:
        _alert(store, "budget", f"daily SMS budget reached; {report.held} reminders wait for tomorrow", now)


def _send_one(store: Storage, provider, row: dict, now: datetime.datetime, report: RunReport) -> str:
    """Send one claimed row: sent, retried later, or failed with the provider's error kept."""
    from twilio.base.exceptions import TwilioException, TwilioRestException

    template = row["template"] and json.loads(row["template"])
    try:
        result = provider.send(row["address"], row["body"], (template or {}).get("id"), (template or {}).get("params"))
    except TwilioRestException as error:
        code, status = str(error.code or ""), error.status or 0
        if code == OPTED_OUT_AT_CARRIER:
            _opted_out_at_carrier(store, row["contact_id"], now)
            store.outbox_failed(row["id"], m.FAILED, code, error.msg or str(error), now)
            report.failed += 1
            return "failed"
        if status == 429 or code == "20429" or status >= 500:
            return _retry(store, row, now, code, str(error.msg or error), report)
        store.outbox_failed(row["id"], m.FAILED, code or str(status), str(error.msg or error), now)
        report.failed += 1
        return "failed"
    except (TwilioException, OSError) as error:  # a timeout or a broken connection: try again later
        return _retry(store, row, now, None, str(error), report)
    # Handed to the provider: "sent" in the outbox, whatever word the provider used (its "queued" is not our queue);
    # status callbacks tell the rest.
    store.outbox_sent(row["id"], row["contact_id"], row["body"], result.provider_id, m.SENT, now)
    if row["kind"] == ANSWER:
        store.inbox_answer_sent(result.provider_id)
    report.sent += 1
    report.by_kind[row["kind"]] += 1
    log.info("reminder %s sent to %s", row["kind"], mask_address(row["address"]))
    return "sent"


def _retry(store: Storage, row: dict, now: datetime.datetime, code, error: str, report: RunReport) -> str:
    if row["attempts"] + 1 >= MAX_ATTEMPTS:
        store.outbox_failed(row["id"], m.FAILED, code, f"gave up after {MAX_ATTEMPTS} attempts: {error}", now)
        report.failed += 1
        return "failed"
    delay = min(3600, BACKOFF_SECONDS * 2 ** row["attempts"])
    store.outbox_retry(row["id"], now + datetime.timedelta(seconds=delay), code, error, now)
    report.retried += 1
    return "retried"


def _day_start(now: datetime.datetime, timezone: str) -> datetime.datetime:
    local = now.astimezone(ZoneInfo(timezone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _opted_out_at_carrier(store: Storage, contact_id: int, now: datetime.datetime):
    """The farmer replied STOP to the carrier (21610): no message we start goes to them again."""
    store.update_contact(contact_id, now, opted_out=1, opted_out_at=now, opted_out_reason="21610 at carrier", reminders=0)


def _alert(store: Storage, kind: str, text: str, now: datetime.datetime):
    log.warning(text)
    store.alert(kind, text, now)


def run_once(store: Storage, lib: Library, provider, config: dict, now: datetime.datetime, sleep=time.sleep) -> RunReport:
    """Plan what is due at this instant and send it; the scheduler and `flask reminders run --once` call this."""
    report = RunReport()
    report.planned, _rows = plan(store, lib, config, now)
    if provider is not None:
        send_due(store, provider, config, now, report, sleep)
    backlog = store.backlog(now - datetime.timedelta(hours=int(config["REMINDER_BACKLOG_HOURS"])))
    if backlog >= int(config["REMINDER_BACKLOG_ALERT"]):
        _alert(store, "backlog", f"{backlog} reminders queued for more than {config['REMINDER_BACKLOG_HOURS']} hours", now)
    return report


def delivery_callback(store: Storage, provider_id: str, status: str, code: str | None, config: dict, now) -> bool:
    """A status callback for a reminder: the row moves on; 21610 opts out; repeated failures pause the contact."""
    row = store.outbox_delivery(provider_id, status, code, now)
    if row is None or not row["changed"]:
        return row is not None
    if code == OPTED_OUT_AT_CARRIER:
        _opted_out_at_carrier(store, row["contact_id"], now)
    if status in (m.DELIVERED, m.FAILED, m.UNDELIVERED):
        if store.delivery_result(row["contact_id"], status == m.DELIVERED, now, int(config["REMINDER_PAUSE_AFTER"])):
            _alert(store, "paused", f"reminders paused for contact {row['contact_id']}: deliveries failed in a row", now)
    return True
