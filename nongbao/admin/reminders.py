"""Admin pages: reminders. What is planned per kind and region for the coming weeks (dry runs of the planner at
future instants), what was sent, delivered and failed, the alerts, pausing and resuming a region (planning and
sending skip it and the places under it), roster upload (the CSV import: a bad row imports nothing and the page
names its line), and per village who has not enrolled or not paid this year."""

import datetime
from collections import defaultdict
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import models as m
from .. import places, reminders, roster
from ..library import library
from ..web import now, store
from . import bp
from .auth import audit, require_edit
from .inbox import default_region, place_name

PLAN_WEEKS = 4  # weeks ahead the page shows
PLAN_EVERY_DAYS = 3  # the planner is dry-run every this many days (the shortest reminder window is four days)
BASIS_MAX = 200
KIND_NAMES = {
    "pension_open": _l("Pension payment window opens"),
    "pension_close_14": _l("Pension window closes in 14 days"),
    "pension_close_3": _l("Pension window closes in 3 days"),
    "enrollment": _l("Not enrolled yet"),
    "turning_60": _l("Turning 60 soon"),
    "qualification_check": _l("Yearly qualification check"),
    "medical_open": _l("Medical insurance window opens"),
    "medical_close": _l("Medical insurance window closes"),
    "answer": _l("Staff answers to farmers"),
}
STATUS_COLUMNS = (  # outbox statuses as the page counts them
    ("queued", (m.QUEUED, m.SENDING)),
    ("sent", (m.SENT, "accepted")),
    ("delivered", (m.DELIVERED, "read")),
    ("failed", (m.FAILED, m.UNDELIVERED)),
    ("canceled", (m.CANCELED,)),
)


def _local_now() -> datetime.datetime:
    return now().astimezone(ZoneInfo(current_app.config["TIMEZONE"]))


def _week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def planned(storage) -> tuple[list[datetime.date], list[dict]]:
    """Reminders the planner would queue in the coming weeks, per kind, place and week (each counted once)."""
    start = _local_now()
    planner = reminders.Planner(storage, library(storage), current_app.config, start.year)  # read once for every instant
    weeks = [_week_start(start.date()) + datetime.timedelta(weeks=i) for i in range(PLAN_WEEKS + 1)]
    counts: dict[tuple[str, str], dict[datetime.date, int]] = defaultdict(lambda: defaultdict(int))
    for day in range(0, PLAN_WEEKS * 7 + 1, PLAN_EVERY_DAYS):
        instant = start + datetime.timedelta(days=day)
        for row in planner.due(instant):  # each reminder once: the planner remembers what it planned
            if current_user.covers(row["place"]):
                counts[(row["kind"], row["place"])][_week_start(instant.date())] += 1
    table = [
        {"kind": kind, "place": place, "name": place_name(place), "weeks": [by_week.get(w, 0) for w in weeks],
         "total": sum(by_week.values())}
        for (kind, place), by_week in sorted(counts.items())
    ]  # fmt: skip
    return weeks, table


def outbox_table(storage) -> list[dict]:
    """Outbox rows per kind and place: queued, sent, delivered, failed, canceled."""
    grouped: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys([c for c, _ in STATUS_COLUMNS], 0))
    for row in storage.outbox_by_place(default_region()):
        if not current_user.covers(row["place"]):
            continue
        column = next((name for name, statuses in STATUS_COLUMNS if row["status"] in statuses), None)
        if column:
            grouped[(row["kind"], row["place"])][column] += row["n"]
    return [
        {"kind": kind, "place": place, "name": place_name(place), **cells} for (kind, place), cells in sorted(grouped.items())
    ]


@bp.get("/reminders")
def reminders_page():
    storage = store()
    year = _local_now().year
    paused = [{**row, "name": place_name(row["region"]), "editable": current_user.may_edit(row["region"])}
              for row in storage.paused_regions() if current_user.covers(row["region"])]  # fmt: skip
    villages = [{**row, "name": place_name(row["region"])} for row in storage.residents_by_village(year)
                if current_user.covers(row["region"] or default_region())]  # fmt: skip
    weeks, plan_rows = planned(storage)
    return render_template(
        "admin/reminders.html", weeks=weeks, planned=plan_rows, outbox=outbox_table(storage), paused=paused,
        alerts=storage.alerts(30), villages=villages, year=year, columns=[c for c, _ in STATUS_COLUMNS],
        may_edit=current_user.role in ("admin", "editor"), own_region=current_user.region or "", kind_names=KIND_NAMES,
    )  # fmt: skip


def _region_field() -> str:
    code = (request.form.get("region") or "").strip()
    if not places.is_place(code):
        abort(400)
    return code


@bp.post("/reminders/pause")
def reminders_pause():
    """Stop planning and sending reminders for a region and the places under it."""
    code = _region_field()
    require_edit(code)
    if store().pause_region(code, current_user.username, now()):
        audit("reminders pause", f"region {code}", {"paused": False}, {"paused": True})
    flash(_("Reminders paused for %(place)s.", place=place_name(code)))
    return redirect(url_for("admin.reminders_page"))


@bp.post("/reminders/resume")
def reminders_resume():
    code = _region_field()
    require_edit(code)
    if store().resume_region(code, now()):
        audit("reminders resume", f"region {code}", {"paused": True}, {"paused": False})
    flash(_("Reminders resumed for %(place)s.", place=place_name(code)))
    return redirect(url_for("admin.reminders_page"))


@bp.post("/reminders/roster")
def reminders_roster():
    """Import a village roster (CSV) with the basis staff may write on; a bad row imports nothing."""
    if current_user.role not in ("admin", "editor"):
        abort(403)
    storage = store()
    basis = " ".join((request.form.get("basis") or "").split())[:BASIS_MAX]
    upload = request.files.get("roster")
    if not basis or upload is None or not upload.filename:
        flash(_("Choose a roster file and say on what basis we may write to its residents."), "error")
        return redirect(url_for("admin.reminders_page"))
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")  # a spreadsheet saved as CSV on a Chinese Windows
    try:
        rows = roster.read(text, _local_now().year)
        _check_scope(storage, rows)
    except roster.RosterError as problem:
        flash(_("Nothing was imported. Line %(line)s, column %(column)s: %(message)s",
                line=problem.line, column=problem.column, message=problem.message), "error")  # fmt: skip
        return redirect(url_for("admin.reminders_page"))
    added, updated = storage.import_contacts(rows, basis, now())
    audit("roster import", f"roster {upload.filename}", None, {"basis": basis, "added": added, "updated": updated})
    flash(_("%(added)s residents added, %(updated)s updated.", added=added, updated=updated))
    return redirect(url_for("admin.reminders_page"))


def _check_scope(storage, rows: list[dict]):
    """An editor's roster stays in their region: rows without a place get it, other places and numbers are refused."""
    if current_user.role == "admin":
        return
    existing = storage.addresses_places([row["phone"] for row in rows])
    for line, row in enumerate(rows, start=2):
        row.setdefault("region", current_user.region)
        if not current_user.may_edit(row["region"]):
            raise roster.RosterError(line, "place", f"{row['region']} is outside your region")
        if row["phone"] in existing and not current_user.may_edit(existing[row["phone"]] or default_region()):
            raise roster.RosterError(line, "phone", "this number belongs to a resident outside your region")
