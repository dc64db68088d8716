"""Saturating load with wrk over pre-signed requests, and a warm-up that reaches every worker first."""

import http.client
import re
import shutil
import statistics
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.servers import die_with_parent
from bench.signed import Signed

LUA = Path(__file__).with_name("signed.lua")
THREADS = 2
CONNECTIONS = 32
FORM = "application/x-www-form-urlencoded"


@dataclass
class WrkResult:
    """What one wrk run (or several, combined) measured; `next_skip` is where a later run must start."""

    requests: int
    seconds: float
    non2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    next_skip: int
    wrapped: bool

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors


def wrk_path() -> str:
    """wrk on PATH, or a clear reason to stop."""
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("bench needs wrk: sudo apt-get install wrk (or build it from https://github.com/wg/wrk)")
    return found


def run_wrk(url: str, requests_file: Path, seconds: int, skip: int = 0) -> WrkResult:
    """wrk -t2 -c32 over the signed requests after the first `skip`; the Lua done() line gives the figures."""
    command = [wrk_path(), f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(LUA), url, "--"]
    command += [str(requests_file), str(THREADS), str(skip)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, preexec_fn=die_with_parent)
    line = re.search(r"^wrk-result (.*)$", finished.stdout, re.MULTILINE)
    if finished.returncode or not line:
        raise RuntimeError(f"wrk failed ({finished.returncode}):\n{finished.stdout}\n{finished.stderr}")
    figures = {key: int(value) for key, value in (pair.split("=") for pair in line.group(1).split())}
    return WrkResult(
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        non2xx=figures["non2xx"],
        socket_errors=sum(figures[key] for key in ("connect", "read", "write", "timeout")),
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        next_skip=skip + THREADS * figures["most"],
        wrapped=bool(figures["wrapped"]),
    )


def combine(runs: list[WrkResult]) -> WrkResult:
    """Several runs as one: summed requests and time, the median p50 and the worst p99."""
    return WrkResult(
        requests=sum(r.requests for r in runs),
        seconds=sum(r.seconds for r in runs),
        non2xx=sum(r.non2xx for r in runs),
        socket_errors=sum(r.socket_errors for r in runs),
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=max(r.p99_ms for r in runs),
        next_skip=runs[-1].next_skip,
        wrapped=any(r.wrapped for r in runs),
    )


def post(port: int, request: Signed, timeout: float = 30) -> tuple[int, bytes]:
    """One signed webhook on a fresh connection: status and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": FORM, "X-Twilio-Signature": request.signature}
        connection.request("POST", "/sms/twilio", body=request.body.encode("ascii"), headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def warm(port: int, requests: list[Signed], connections: int = 8) -> list[int]:
    """Send the requests a few at a time, so every worker has answered before anything is timed; their statuses."""
    with ThreadPoolExecutor(connections) as pool:
        return [status for status, _body in pool.map(lambda r: post(port, r), requests)]
