"""The whole bench: the webhook and a bare Flask app under wrk, both at a fixed rate, then in-process figures.

.venv/bin/python -m bench [--keep]   (`make bench`; about two minutes; ends with one `bench:` line)
"""

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench import load, offline, rate, servers, signed
from bench.servers import Server

SET_SIZE = 120_000  # wrk requests signed in advance: no MessageSid repeats below about 6,000 req/s
WARM_REQUESTS = 64
ROUNDS, ROUND_SECONDS = 2, 5  # wrk alternates between the servers, so noise on a shared machine hits both alike
RATE = 100
RATE_SECONDS = {"webhook": 25, "hello": 10}
PLAN_CONTACTS = 100_000


@dataclass
class Sets:
    """The signed requests of one run, each set with its own farmers and MessageSids."""

    wrk_file: Path
    warm: list[signed.Signed]
    rate: list[signed.Signed]


def say(text: str = ""):
    """Print at once, so progress shows through make and pipes."""
    print(text, flush=True)


def counts(counted: dict) -> str:
    """Statuses and their counts on one line, in a stable order."""
    return ", ".join(f"{key}: {value}" for key, value in sorted(counted.items(), key=lambda kv: str(kv[0])))


def prepare(folder: Path, token: str) -> Sets:
    """Sign every request before any server starts, so signing never competes with the servers for CPU."""
    started = time.perf_counter()
    texts = signed.messages()
    wrk_set = signed.build(token, SET_SIZE, "138", texts)
    sets = Sets(folder / "wrk-requests.txt", signed.build(token, WARM_REQUESTS, "136", texts), [])
    sets.rate = signed.build(token, RATE * max(RATE_SECONDS.values()), "137", texts)
    signed.write(wrk_set, sets.wrk_file)
    say(f"requests: {len(texts)} distinct farmer texts from {', '.join(p.name for p in signed.CORPUS)}")
    say(
        f"  signed {len(wrk_set) + len(sets.warm) + len(sets.rate):,} webhooks in {time.perf_counter() - started:.1f} s "
        f"({len(wrk_set):,} for wrk from {signed.NUMBERS:,} farmer numbers, each MessageSid once)"
    )
    return sets


def service_env(folder: Path, token: str) -> dict[str, str]:
    """Production settings on a fresh database and metrics folder in the bench's temporary folder."""
    metrics = folder / "metrics"
    metrics.mkdir()
    return {
        "NONGBAO_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "TWILIO_AUTH_TOKEN": token,
        "PUBLIC_URL": signed.PUBLIC_URL,
        "DATABASE": str(folder / "db" / "nongbao.db"),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics),
    }


def start(stack: contextlib.ExitStack, server: Server, sets: Sets) -> Server:
    """Start a server (stopped when the stack closes) and have every worker answer once."""
    started = time.perf_counter()
    stack.enter_context(server)
    ready = time.perf_counter() - started
    statuses = load.warm(server.port, sets.warm)
    if 200 not in statuses:
        raise RuntimeError(f"{server.name}: warm-up got no 200 (statuses {sorted(set(statuses))}):\n{server.tail()}")
    say(
        f"  {server.name}: {server.app or 'app:serve()'}, ready in {ready:.1f} s on port {server.port}, "
        f"{len(server.workers())} workers; warm-up {len(statuses)} requests, statuses {counts(Counter(statuses))}"
    )
    return server


def saturate(targets: list[Server], wrk_file: Path) -> dict[str, load.WrkResult]:
    """wrk against each server in turn, ROUNDS times; each round starts where the last one stopped in the set."""
    runs: dict[str, list[load.WrkResult]] = {server.name: [] for server in targets}
    say(f"\nsaturation: wrk -t{load.THREADS} -c{load.CONNECTIONS}, {ROUNDS} rounds of {ROUND_SECONDS} s, alternating")
    for number in range(1, ROUNDS + 1):
        for server in targets:
            skip = runs[server.name][-1].next_skip if runs[server.name] else 0
            if skip >= SET_SIZE:  # used up: start again, and say so below
                runs[server.name][-1].wrapped, skip = True, 0
            runs[server.name].append(result := load.run_wrk(server.url, wrk_file, ROUND_SECONDS, skip))
            say(f"  round {number} {server.name:8} {describe(result)}")
    combined = {name: load.combine(results) for name, results in runs.items()}
    for name, result in combined.items():
        say(f"  {name:16} {describe(result)}")
        if result.wrapped:
            say(f"  WARNING: {name} used up the {SET_SIZE:,} signed requests, so MessageSids repeated: raise SET_SIZE")
    return combined


def describe(result: load.WrkResult) -> str:
    """One wrk result on one line, the same for rounds and totals."""
    return (
        f"{result.rps:7.1f} req/s ({result.requests:,} in {result.seconds:.1f} s), latency p50 {result.p50_ms:.1f} ms "
        f"p99 {result.p99_ms:.1f} ms, non-2xx {result.non2xx}, socket errors {result.socket_errors}"
    )


def fixed_rate(server: Server, requests: list[signed.Signed]) -> rate.RateResult:
    """RATE req/s, open loop, latency from each scheduled time."""
    result = rate.run(server.port, requests, RATE)
    silent = f" (silent = 200 without a message: {result.silent})" if result.silent else ""
    say(
        f"  {server.name:8} {len(requests) // RATE} s: p50 {result.percentile(0.5):.1f} ms, p99 {result.percentile(0.99):.1f} ms, "
        f"max {result.percentile(1.0):.1f} ms, errors {result.errors}; {result.connections} connections, "
        f"driver late by {result.worst_lag_ms:.1f} ms at most; statuses {counts(result.statuses)}{silent}"
    )
    return result


def memory(server: Server) -> float:
    """Peak RSS of the largest worker, read while the workers still run."""
    peak, pss = server.memory_mb()
    say(f"  {server.name:8} peak RSS (VmHWM) {peak:.1f} MB, PSS now {pss:.1f} MB (largest of {len(server.workers())} workers)")
    return peak


def check_log(server: Server):
    """Count what went wrong in the server's log, and show the first traceback."""
    found = servers.problems(server.log)
    say(f"  {server.name:8} {', '.join(f'{key} {value}' for key, value in found.items())}")
    if found["tracebacks"]:
        say("    " + servers.first_traceback(server.log).replace("\n", "\n    "))


def in_process() -> float:
    """Matching, one estimate and planning 100,000 residents, with no server running; the planning seconds."""
    say("\nin process:")
    texts = signed.messages()
    (mean_us, p99_us, cached_us), each_ms = offline.with_library(
        lambda lib, config: (offline.matching_us(lib, texts), offline.estimate_ms(lib, config))
    )
    say(
        f"  intent matching (matcher.route) over {len(texts)} texts: {mean_us:.0f} µs per message on average, "
        f"p99 {p99_us:.0f} µs; {cached_us:.0f} µs on average once they are in the matcher's caches"
    )
    say(f"  places of China loaded from places.tsv in {offline.places_load_ms():.0f} ms")
    say(f"  pension estimate (estimates.answer, as /api/v1/pension/estimate): {each_ms:.2f} ms")
    timing = offline.planning(PLAN_CONTACTS)
    say(
        f"  reminders for {timing.count:,} residents: import {timing.imported_s:.1f} s, "
        f"plan {timing.planning_s:.1f} s ({timing.planned:,} reminders queued)"
    )
    return timing.planning_s


def figure(value: float) -> str:
    """An integer for large figures, one decimal for small ones."""
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}"


def summary(wrk: dict[str, load.WrkResult], fixed: rate.RateResult, plan_s: float, rss_mb: float) -> str:
    """The one line `make bench` ends with."""
    webhook, hello = wrk["webhook"], wrk["hello"]
    return (
        f"bench: webhook_rps={figure(webhook.rps)} hello_rps={figure(hello.rps)} ratio={webhook.rps / hello.rps:.2f} "
        f"p50_ms={figure(fixed.percentile(0.5))} p99_ms={figure(fixed.percentile(0.99))} "
        f"errors={webhook.errors + fixed.errors} plan_100k_s={figure(plan_s)} rss_mb={figure(rss_mb)}"
    )


def measure(folder: Path) -> str:
    """Every measurement in order; the summary line."""
    load.wrk_path()
    say(f"machine: {offline.machine()}")
    say(f"  load average {os.getloadavg()[0]:.2f} before the bench (other work on these cores makes the figures noisy)")
    token = secrets.token_hex(16)
    sets = prepare(folder, token)
    env = service_env(folder, token)
    say(f"\nservers: gunicorn -c gunicorn.conf.py, WEB_CONCURRENCY={os.environ.get('WEB_CONCURRENCY', '2')}, fresh database")
    webhook, hello = Server("webhook", folder, env), Server("hello", folder, env, app="bench.hello:app")
    with contextlib.ExitStack() as stack:
        targets = [start(stack, webhook, sets), start(stack, hello, sets)]
        wrk = saturate(targets, sets.wrk_file)
        say(f"\nfixed rate: {RATE} req/s, open loop, latency from each request's scheduled time")
        fixed = {server.name: fixed_rate(server, sets.rate[: RATE * RATE_SECONDS[server.name]]) for server in targets}
        say("\nmemory per worker, after the load:")
        rss_mb = {server.name: memory(server) for server in targets}["webhook"]
    say("\ngunicorn logs:")
    for server in targets:
        check_log(server)
    return summary(wrk, fixed["webhook"], in_process(), rss_mb)


def _terminate(_signum, _frame):
    """SIGTERM and SIGHUP unwind like Ctrl-C, so the servers are stopped and the folder removed."""
    raise KeyboardInterrupt


def main(argv=None) -> int:
    """Run the bench in a temporary folder that goes away whatever happens (unless --keep)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, gunicorn logs)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background, where it is ignored
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, _terminate)
    folder = Path(tempfile.mkdtemp(prefix="nongbao-bench-"))
    try:
        line = measure(folder)
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            say(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    say()
    say(line)
    return 0
