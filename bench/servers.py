"""gunicorn started as deployed (gunicorn.conf.py), on a free port, and always stopped with its workers."""

import ctypes
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
PR_SET_PDEATHSIG = 1
START_SECONDS = 120
STOP_SECONDS = 15


def free_port() -> int:
    """A port nothing listens on now (the kernel's pick)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def die_with_parent():
    """SIGTERM to a child (gunicorn master, wrk) if the bench is killed outright, so none outlives it."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Server:
    """One gunicorn master and its workers, logging to a file in its own folder."""

    def __init__(self, name: str, folder: Path, env: dict[str, str], app: str | None = None):
        self.name, self.folder, self.app = name, folder, app
        self.port = free_port()
        self.env = {**os.environ, **env, "BIND": f"127.0.0.1:{self.port}"}
        self.log = folder / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc):
        self.stop()

    def start(self):
        """Start the master and wait until it answers HTTP."""
        command = [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), *([self.app] if self.app else [])]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=die_with_parent,
            )  # fmt: skip
        self._wait_ready()

    def _wait_ready(self):
        """Poll until any HTTP answer comes back; fail early if the master exits."""
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} server exited with {self.process.returncode}:\n{self.tail()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/sms/twilio")
                connection.getresponse().read()
                connection.close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} server not answering after {START_SECONDS} s:\n{self.tail()}")

    def stop(self):
        """SIGTERM to the master (it stops its workers gracefully); SIGKILL to the whole group if anything lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    @property
    def url(self) -> str:
        """The webhook's URL on this server (wrk needs it whole)."""
        return f"http://127.0.0.1:{self.port}/sms/twilio"

    def workers(self) -> list[int]:
        """Pids of the master's children (the web workers)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def memory_mb(self) -> tuple[float, float]:
        """The largest peak RSS (VmHWM) and the largest current PSS of any worker, in MB."""
        peaks, shares = [0.0], [0.0]
        for pid in self.workers():
            peaks.append(_kb(Path(f"/proc/{pid}/status"), "VmHWM") / 1024)
            shares.append(_kb(Path(f"/proc/{pid}/smaps_rollup"), "Pss") / 1024)
        return max(peaks), max(shares)

    def tail(self, lines: int = 30) -> str:
        """The end of the log, to show why a server failed."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _kb(path: Path, field: str) -> int:
    """A "Field:   123 kB" figure from a /proc file (0 when the process has gone)."""
    try:
        found = re.search(rf"^{field}:\s+(\d+) kB", path.read_text(), re.MULTILINE)
    except OSError:
        return 0
    return int(found.group(1)) if found else 0


def problems(log: Path) -> dict[str, int]:
    """What went wrong in a gunicorn log: tracebacks, error lines, worker timeouts and restarts."""
    text = log.read_text(errors="replace")
    return {
        "tracebacks": text.count("Traceback (most recent call last)"),
        "error_lines": len(re.findall(r"\b(ERROR|CRITICAL)\b", text)),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
        "workers_booted": text.count("Booting worker"),
    }


def first_traceback(log: Path, lines: int = 25) -> str:
    """The first traceback in a log, shortened, to show what failed."""
    text = log.read_text(errors="replace").splitlines()
    for number, line in enumerate(text):
        if line.startswith("Traceback"):
            return "\n".join(text[max(0, number - 1) : number + lines])
    return ""
