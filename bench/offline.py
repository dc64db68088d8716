"""In-process figures: the machine, intent matching, one pension estimate, and planning reminders."""

import os
import platform
import statistics
import sys
import time
from pathlib import Path

from bench import bench_reminders
from nongbao import estimates
from nongbao.library import Library, library

ESTIMATE = {"region": "441403", "age": 45, "grade": 600, "years_paid": 5}
WARM_TEXTS = ("养老保险交多少", "yanglao baoxian", "梅县")  # what app.warm routes before the workers fork; not in the corpus


def machine() -> str:
    """Cores, CPU model and Python: the numbers mean little without them."""
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {model}, Python {platform.python_version()} ({sys.executable})"


def with_library(work):
    """Run work(lib, config) on the library of a fresh database, built as the app builds it."""
    with bench_reminders.fresh_store() as (config, store):
        return work(library(store), config)


def matching_us(lib: Library, texts: list[str]) -> tuple[float, float, float]:
    """Mean and p99 µs of matcher.route on texts it has not seen yet (its caches cold), and the mean once they are cached."""
    for text in WARM_TEXTS:
        lib.matcher.route(text)
    cold = _route_times(lib, texts)
    cached = _route_times(lib, texts)
    return 1e6 * statistics.fmean(cold), 1e6 * cold[int(0.99 * len(cold))], 1e6 * statistics.fmean(cached)


def _route_times(lib: Library, texts: list[str]) -> list[float]:
    """Seconds per text, sorted, each timed alone so one slow text shows in the tail."""
    timings = []
    for text in texts:
        started = time.perf_counter()
        lib.matcher.route(text)
        timings.append(time.perf_counter() - started)
    return sorted(timings)


def estimate_ms(lib: Library, config: dict, count: int = 200) -> float:
    """Mean milliseconds of the API's estimate (estimates.answer), text included."""
    estimates.answer(lib, ESTIMATE, config["DEFAULT_REGION"], "zh-Hans")
    started = time.perf_counter()
    for _ in range(count):
        estimates.answer(lib, ESTIMATE, config["DEFAULT_REGION"], "zh-Hans")
    return 1000 * (time.perf_counter() - started) / count


def places_load_ms() -> float:
    """Loading every place of China from nongbao/data/places.tsv, as each process does once."""
    from nongbao import places

    started = time.perf_counter()
    places._Data(places.DATA)
    return 1000 * (time.perf_counter() - started)


def planning(count: int = 100_000) -> bench_reminders.Timing:
    """Import and plan a roster of `count` residents, as bench/bench_reminders.py does."""
    return bench_reminders.measure(count)
