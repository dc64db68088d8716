"""Staff commands: `flask --app app content load|check`, `chat`, `estimate`, `init-db`, `db backup|prune`, ...."""

import dataclasses
import datetime
import json
import logging
import sys
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from . import estimates, freshness, places, providers, reminders, roster
from .content import ContentError
from .db import Storage, utcnow
from .engine import Engine
from .estimator import EstimateError
from .library import library
from .loader import limits_from, load
from .models import CONSOLE
from .privacy import mask_address, normalize_address
from .regions import RegionError
from .web import now


def _storage() -> Storage:
    return Storage.from_config(current_app.config)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or migrate the database and load the shipped content if it is empty."""
    click.echo(f"database ready: {current_app.config['DATABASE']}")


@click.group("content", cls=AppGroup)
def content_group():
    """Manage topic, intent and region content."""


@content_group.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--author", default=None, help="who loads (shown in the history)")
@click.option("--force", is_flag=True, help="load items even where staff edited them in the admin (as new versions)")
def content_load(paths, author, force):
    """Load YAML files or folders as new versions; nothing changes if any file is bad; staff edits are kept."""
    storage = _storage()
    try:
        report = load(storage, paths, author, limits_from(current_app.config), force=force)
    except (ContentError, RegionError) as problem:
        raise click.ClickException(str(problem)) from None
    finally:
        storage.close()
    for label in report.created:
        click.echo(f"new version: {label}")
    for label in report.superseded_staff_edits:
        click.echo(f"note: staff edit {label} is no longer in force (kept in the history)")
    for label in report.skipped_staff_edits:
        click.echo(f"skipped: {label} was edited by staff; the file was not loaded (use --force to load it)")
    click.echo(f"{len(report.created)} new versions, {report.unchanged} unchanged")


@content_group.command("check")
@click.option("--json", "as_json_output", is_flag=True, help="print the report as JSON")
def content_check(as_json_output):
    """Figures to confirm, figures of an earlier year, topics lacking a locale, places answered on the national root."""
    storage = _storage()
    try:
        lib = library(storage)
        today = datetime.datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()
        report = freshness.build(storage, lib, today)
    finally:
        storage.close()
    click.echo(
        json.dumps(dataclasses.asdict(report), ensure_ascii=False, indent=2) if as_json_output else freshness.as_text(report)
    )


@click.command("chat")
@with_appcontext
@click.option("--phone", "--from", "address", default="+8613800000000", show_default=True, help="the farmer's number")
def chat(address):
    """Try a conversation as a farmer would, one message per line (Ctrl-D to end)."""
    logging.getLogger("nongbao").setLevel(logging.WARNING)  # keep the conversation readable
    storage = _storage()
    engine = Engine(storage, current_app.config)
    click.echo(f"Chatting as {address}. Type a message; Ctrl-D ends.")
    try:
        while True:
            try:
                text = click.prompt(">", prompt_suffix=" ", default="", show_default=False)
            except (EOFError, click.Abort):
                break
            reply = engine.receive(address, text, CONSOLE)
            click.echo(reply.text)
            click.echo(click.style(f"[{reply.intent} · {reply.locale} · {reply.segments} SMS]", dim=True))
    finally:
        storage.close()


@click.command("estimate")
@with_appcontext
@click.option("--region", default=None, help="region code (default: DEFAULT_REGION)")
@click.option("--age", required=True)
@click.option("--grade", required=True)
@click.option("--years-paid", default="0")
@click.option("--balance", default=None)
@click.option("--collective", default=None)
@click.option("--locale", default=None)
@click.option("--json", "as_json_output", is_flag=True, help="print the API's JSON instead of the SMS text")
def estimate_command(region, age, grade, years_paid, balance, collective, locale, as_json_output):
    """The pension estimate for a farmer, exactly as the API and the SMS dialogue compute it."""
    body = {"region": region, "age": age, "grade": grade, "years_paid": years_paid, "balance": balance,
            "collective": collective, "locale": locale}  # fmt: skip
    storage = _storage()
    try:
        lib = library(storage)
        response = estimates.answer(lib, body, current_app.config["DEFAULT_REGION"], current_app.config["DEFAULT_LOCALE"])
    except estimates.UnknownRegion as missing:
        raise click.ClickException(f"no region with code {missing.args[0]}") from None
    except EstimateError as problem:
        raise click.ClickException(f"{problem.field}: {problem.message}") from None
    finally:
        storage.close()
    if as_json_output:
        click.echo(json.dumps(response, ensure_ascii=False, indent=2))
        return
    click.echo(response["text"])
    click.echo("\n".join(f"{row['grade']}: {row['monthly_total']}" for row in response["by_grade"]))


@click.group("contacts", cls=AppGroup)
def contacts_group():
    """Village rosters of residents staff may remind."""


@contacts_group.command("import")
@click.argument("path", type=click.File("r", encoding="utf-8-sig"))
@click.option("--basis", required=True, help="why staff may write to them, e.g. the township's roster and its date")
def contacts_import(path, basis):
    """Import residents from a CSV roster (header row; only phone is required); a bad row imports nothing."""
    moment = now()
    try:
        rows = roster.read(path.read(), moment.year)
    except roster.RosterError as problem:
        raise click.ClickException(f"nothing imported: {problem}") from None
    storage = _storage()
    try:
        added, updated = storage.import_contacts(rows, basis.strip(), moment)
    finally:
        storage.close()
    click.echo(f"{added} residents added, {updated} updated (basis: {basis.strip()})")


@contacts_group.command("forget")
@click.argument("phone")
def contacts_forget(phone):
    """Erase a farmer's personal data everywhere it lives (messages anonymised, notes, jobs and audit entries scrubbed)."""
    address = normalize_address(phone)
    storage = _storage()
    try:
        erased = storage.forget_contact(address, now())
        if erased:
            storage.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # nothing of it stays in the write-ahead log
    finally:
        storage.close()
    if not erased:
        raise click.ClickException(f"no contact with the number {mask_address(address)}")
    click.echo(f"erased the personal data of {mask_address(address)}")


@click.group("db", cls=AppGroup)
def db_group():
    """The database file."""


@db_group.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def db_backup(path):
    """Take a consistent copy of the database while the service runs (restore: stop the service, copy it back)."""
    storage = _storage()
    try:
        storage.backup_to(path)
    finally:
        storage.close()
    click.echo(f"backup written to {path}")


@db_group.command("prune")
def db_prune():
    """Blank message texts older than MESSAGE_RETENTION_DAYS (rows and counts stay); drop old staff sign-in attempts."""
    config = current_app.config
    storage = _storage()
    try:
        pruned = prune(storage, config, now())
    finally:
        storage.close()
    days = int(config["MESSAGE_RETENTION_DAYS"])
    kept = f"older than {days} days" if days > 0 else "none: MESSAGE_RETENTION_DAYS is 0, texts are kept"
    click.echo(f"expired {pruned['messages']} message texts ({kept}); deleted {pruned['login_attempts']} sign-in attempts")


def prune(storage: Storage, config, now: datetime.datetime) -> dict[str, int]:
    """The retention rules applied once (this command and the worker's daily task)."""
    pruned = storage.prune(now, int(config["MESSAGE_RETENTION_DAYS"]), int(config["LOGIN_ATTEMPT_RETENTION_DAYS"]))
    storage.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the old texts do not linger in the write-ahead log
    return pruned


@click.group("reminders", cls=AppGroup)
def reminders_group():
    """Plan and send enrollment and payment reminders."""


def _instant(value: str | None) -> datetime.datetime:
    if not value:
        return now()
    moment = datetime.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))


@reminders_group.command("run")
@click.option("--once", is_flag=True, required=True, help="plan what is due now, send it, then exit")
@click.option("--now", "at", default=None, help="the instant to act for (ISO 8601; China time when no zone is given)")
def reminders_run(once, at):
    """Plan what is due at this instant and send it through the SMS provider (for cron and tests)."""
    storage = _storage()
    try:
        provider = providers.from_config(current_app.config)
        report = reminders.run_once(storage, library(storage), provider, current_app.config, _instant(at))
    finally:
        storage.close()
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(report.by_kind.items())) or "-"
    click.echo(f"planned {report.planned}, sent {report.sent} ({kinds}), retried {report.retried}, failed {report.failed}, "
               f"canceled {report.canceled}, held {report.held}")  # fmt: skip
    if provider is None:
        click.echo("no SMS provider configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN): nothing was sent")


@reminders_group.command("preview")
@click.option("--now", "at", default=None, help="the instant to preview (ISO 8601; China time when no zone is given)")
def reminders_preview(at):
    """Counts of the reminders due per kind and region with one sample text each; sends and stores nothing."""
    storage = _storage()
    try:
        count, rows = reminders.plan(storage, library(storage), current_app.config, _instant(at), dry_run=True)
    finally:
        storage.close()
    samples: dict = {}
    for row in rows:
        samples.setdefault((row["kind"], row["region"]), [0, row["body"]])[0] += 1
    for (kind, region), (n, body) in sorted(samples.items()):
        click.echo(f"{kind} {region}: {n}\n  {body}")
    click.echo(f"{count} reminders due")


@click.group("staff", cls=AppGroup)
def staff_group():
    """Staff accounts of the admin."""


@staff_group.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "editor", "viewer"]), required=True)
@click.option("--region", default=None, help="the region code an editor or viewer looks after (and the places under it)")
def staff_add(username, role, region):
    """Add a staff account (or reset its password); the password comes from a prompt, or standard input when piped."""
    from .admin.auth import hash_password

    if role != "admin" and not region:
        raise click.ClickException("editors and viewers need --region")
    if region and not places.is_place(region):
        raise click.ClickException(f"{region} is no place of China")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        raise click.ClickException("the password needs at least 8 characters")
    storage = _storage()
    try:
        storage.save_staff(username, hash_password(password), role, region, utcnow())
        storage.audit(None, "staff add", f"staff {username}", None, {"role": role, "region": region}, utcnow())
    finally:
        storage.close()
    click.echo(f"staff account {username}: {role}" + (f" for {region}" if region else ""))


def register(app: Flask):
    for command in (init_db, content_group, chat, estimate_command, contacts_group, reminders_group, staff_group, db_group):
        app.cli.add_command(command)
