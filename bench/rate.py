"""An open-loop load at a fixed rate: each request leaves at its scheduled time, however slow the server is.

Latency counts from the scheduled time, so time spent waiting for a free connection is part of it
(no coordinated omission: a slow answer cannot hold back the requests due after it).
"""

import http.client
import math
import queue
import threading
import time
from dataclasses import dataclass, field

from bench.load import FORM
from bench.signed import Signed

TIMEOUT = 10
MAX_CONNECTIONS = 256


@dataclass
class RateResult:
    """Latencies (seconds, from each scheduled time), failures and how the driver itself kept up."""

    scheduled: int
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    silent: int = 0
    connections: int = 0
    worst_lag_ms: float = 0.0
    statuses: dict[int | str, int] = field(default_factory=dict)

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile in ms; requests never answered count as the timeout."""
        missing = self.scheduled - len(self.latencies)
        ranked = sorted(self.latencies) + [float(TIMEOUT)] * missing
        return 1000 * ranked[max(0, math.ceil(share * len(ranked)) - 1)] if ranked else 0.0


class Pool:
    """Keep-alive connections, one thread each; a new one whenever every connection is busy."""

    def __init__(self, port: int, result: RateResult):
        self.port, self.result = port, result
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.idle = 0
        self.closed = False
        self.threads: list[threading.Thread] = []

    def submit(self, scheduled: float, request: Signed):
        """Hand the request to an idle connection, or open another one if none is idle."""
        with self.lock:
            busy = self.idle == 0
            self.idle = max(0, self.idle - 1)
        if busy and len(self.threads) < MAX_CONNECTIONS:
            thread = threading.Thread(target=self._work, daemon=True)
            self.threads.append(thread)
            thread.start()
        self.jobs.put((scheduled, request))

    def close(self, deadline: float):
        """Let every connection finish its queue, waiting until the deadline at most."""
        for _thread in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.perf_counter()))
        with self.lock:
            self.closed = True
            self.result.connections = len(self.threads)
            self.result.errors += self.result.scheduled - len(self.result.latencies)

    def _work(self):
        """One connection's loop: take the next due request, send it, record it, until told to stop."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        while (job := self.jobs.get()) is not None:
            scheduled, request = job
            status, connection = self._send(connection, request)
            self._record(time.perf_counter() - scheduled, status)
            with self.lock:
                self.idle += 1
        connection.close()

    def _send(self, connection: http.client.HTTPConnection, request: Signed):
        """The status and body check of one request ("error" on a broken connection, which is then replaced)."""
        try:
            headers = {"Content-Type": FORM, "X-Twilio-Signature": request.signature}
            connection.request("POST", "/sms/twilio", body=request.body.encode("ascii"), headers=headers)
            response = connection.getresponse()
            body = response.read()
            return (response.status if b"<Message>" in body or response.status != 200 else "silent"), connection
        except (OSError, http.client.HTTPException) as problem:
            connection.close()
            fresh = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            return type(problem).__name__, fresh

    def _record(self, seconds: float, status):
        """Answers that arrive after the driver gave up are left out: those requests already count as errors."""
        with self.lock:
            if self.closed:
                return
            self.result.latencies.append(seconds)
            self.result.statuses[status] = self.result.statuses.get(status, 0) + 1
            self.result.silent += status == "silent"
            self.result.errors += status not in (200, "silent")


def run(port: int, requests: list[Signed], rate: float) -> RateResult:
    """Send every request at `rate` per second, then wait for the last answers (TIMEOUT at most)."""
    result = RateResult(scheduled=len(requests))
    pool = Pool(port, result)
    start = time.perf_counter() + 0.1
    for index, request in enumerate(requests):
        due = start + index / rate
        if (wait := due - time.perf_counter()) > 0:
            time.sleep(wait)
        result.worst_lag_ms = max(result.worst_lag_ms, 1000 * (time.perf_counter() - due))
        pool.submit(due, request)
    pool.close(time.perf_counter() + TIMEOUT + 1)
    return result
