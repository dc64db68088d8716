"""Staff commands: `flask --app app content load|check`, `chat`, `estimate` and `init-db`."""

import dataclasses
import datetime
import json
import logging
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from . import estimates, freshness
from .content import ContentError
from .db import Storage
from .engine import Engine
from .estimator import EstimateError
from .library import library
from .loader import limits_from, load
from .models import CONSOLE
from .regions import RegionError


def _storage() -> Storage:
    return Storage(current_app.config["DATABASE"])


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
def content_load(paths, author):
    """Load YAML files or folders as new versions; nothing changes if any file is bad."""
    storage = _storage()
    try:
        report = load(storage, paths, author, limits_from(current_app.config))
    except (ContentError, RegionError) as problem:
        raise click.ClickException(str(problem)) from None
    finally:
        storage.close()
    for label in report.created:
        click.echo(f"new version: {label}")
    for label in report.superseded_staff_edits:
        click.echo(f"note: staff edit {label} is no longer in force (kept in the history)")
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


def register(app: Flask):
    for command in (init_db, content_group, chat, estimate_command):
        app.cli.add_command(command)
