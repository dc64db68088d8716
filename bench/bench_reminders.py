"""How long importing a village roster and planning reminders take for N residents (prints figures, tests nothing).

Usage: .venv/bin/python bench/bench_reminders.py [N]   (default 10,000; `make bench` plans 100,000)
"""

import contextlib
import datetime
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from nongbao import reminders, roster  # noqa: E402
from nongbao.db import Storage  # noqa: E402
from nongbao.library import library  # noqa: E402


@dataclass
class Timing:
    """Seconds to import the roster and to plan its reminders, and how many were queued."""

    count: int
    imported_s: float
    planning_s: float
    planned: int


@contextlib.contextmanager
def fresh_store(**settings):
    """The app's settings and a connection to a fresh database it prepared (content loaded), in a folder that goes."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE": f"{folder}/bench.db", "LOG_LEVEL": "WARNING", **settings})
        store = Storage(app.config["DATABASE"])
        try:
            yield app.config, store
        finally:
            store.close()


def roster_text(count: int) -> str:
    """A roster CSV of `count` residents of one county: varied ages, enrolment and check months."""
    lines = ["phone,place,village,birth_year,birth_month,enrolled,pensioner,check_month"]
    lines += [f"+86139{i:08d},441403,村{i % 200},{1950 + i % 50},{1 + i % 12},{'no' if i % 3 else 'yes'},"
              f"{'yes' if i % 5 == 0 else 'no'},{1 + i % 12}" for i in range(count)]  # fmt: skip
    return "\n".join(lines)


def measure(count: int) -> Timing:
    """Import `count` residents into a fresh database, then plan their reminders on 1 March 2027."""
    with fresh_store(DEFAULT_REGION="441403") as (config, store):
        text = roster_text(count)
        started = time.perf_counter()
        rows = roster.read(text, 2027)
        store.import_contacts(rows, "bench roster", datetime.datetime.now(datetime.UTC))
        imported = time.perf_counter() - started
        at = datetime.datetime(2027, 3, 1, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
        lib = library(store)
        started = time.perf_counter()
        planned, _ = reminders.plan(store, lib, config, at)
        planning = time.perf_counter() - started
    return Timing(count, imported, planning, planned)


def main(count: int = 10_000):
    timing = measure(count)
    print(f"import {count} residents: {timing.imported_s:.2f} s")
    print(f"plan reminders for {count} residents: {timing.planning_s:.2f} s ({timing.planned} reminders queued)")
    print(f"bench: import_{count}_s={timing.imported_s:.2f} plan_{count}_s={timing.planning_s:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
