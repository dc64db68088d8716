"""The reminder worker: Huey, on its own SQLite file, plans and sends what is due every minute.

The outbox table stays the only queue of messages; Huey only keeps time. A killed task loses
nothing: rows it had claimed are taken again when their lease runs out.
Once a day it also applies the retention rules (MESSAGE_RETENTION_DAYS, as `flask db prune`).
Run with `huey_consumer nongbao.tasks.huey` (`make run` starts it beside the web server).
"""

from pathlib import Path

from huey import SqliteHuey, crontab

from app import create_app

from . import providers, reminders
from .cli import prune as apply_retention
from .db import Storage, utcnow
from .library import library

app = create_app()
huey = SqliteHuey("nongbao", filename=app.config["HUEY_DATABASE"] or str(Path(app.config["DATABASE"]).with_name("huey.db")))


@huey.periodic_task(crontab(minute="*"))
def remind():
    """Plan and send the reminders due now."""
    storage = Storage.from_config(app.config)
    try:
        report = reminders.run_once(storage, library(storage), providers.from_config(app.config), app.config, utcnow())
    finally:
        storage.close()
    return {"planned": report.planned, "sent": report.sent, "failed": report.failed, "held": report.held}


@huey.periodic_task(crontab(minute="30", hour="19"))  # Huey's crontab is in UTC: 03:30 in China
def prune():
    """Blank message texts past MESSAGE_RETENTION_DAYS and drop old staff sign-in attempts."""
    storage = Storage.from_config(app.config)
    try:
        return apply_retention(storage, app.config, utcnow())
    finally:
        storage.close()
