"""Crash safety of the web process as deployed: gunicorn workers SIGKILLed while they answer Twilio's webhooks."""

import http.client
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from conftest import ACCOUNT_SID, AUTH_TOKEN, _free_port, sign

from nongbao.models import INBOUND, OUTBOUND

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_URL = "http://crash.test"
TEXTS = ("养老保险分几档", "新农合住院报销多少", "我45岁，每年交600，60岁能领多少？", "低保怎么申请",
         "医保一年交多少钱", "养老金什么时候发", "社保卡丢了怎么办", "高龄补贴怎么领")  # fmt: skip
THREADS, PHONES, PER_PHONE = 8, 96, 4  # 384 webhooks; each farmer's messages go in order from one thread
KILL_AT = (0.3, 0.6)  # a worker is killed mid-answer once these shares of the webhooks came back
TIMEOUT = 10  # seconds a webhook may take (Twilio waits 15)
WORKERS = 2


@dataclass(frozen=True)
class Sms:
    """One webhook as Twilio sends it, and sends it again: the same sid, body and signature."""

    phone: str
    text: str
    sid: str

    @property
    def form(self) -> dict:
        return {"From": self.phone, "To": "+15005550006", "Body": self.text, "MessageSid": self.sid, "AccountSid": ACCOUNT_SID}

    @property
    def signature(self) -> str:
        return sign(PUBLIC_URL + "/sms/twilio", self.form)


@dataclass(frozen=True)
class Outcome:
    """What Twilio saw: a status and body, or the error that ended the request."""

    sms: Sms
    status: int | None
    body: str = ""
    error: str = ""

    @property
    def answered(self) -> bool:
        return self.status == 200

    @property
    def cut_off(self) -> bool:
        """The server dropped the connection (what a killed worker does), not a timeout or an error status."""
        return self.status is None and not self.error.startswith("TimeoutError")

    @property
    def reply(self) -> str | None:
        """The TwiML <Message> text; None when the body is not TwiML."""
        try:
            return "\n".join(m.text or "" for m in ElementTree.fromstring(self.body).findall("Message"))
        except ElementTree.ParseError:
            return None


@dataclass(frozen=True)
class Server:
    """Where the running web process is: its port, the master's pid, its database."""

    port: int
    master: int
    database: Path


def post(server: Server, sms: Sms, in_flight: set[str] | None = None) -> Outcome:
    """POST the webhook on a new connection, its sid in in_flight until the connection is closed."""
    in_flight = set() if in_flight is None else in_flight
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sms.signature}
    in_flight.add(sms.sid)
    try:
        connection.request("POST", "/sms/twilio", urlencode(sms.form).encode(), headers)
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
        return Outcome(sms, response.status, body, "" if response.status == 200 else f"HTTP {response.status}")
    except (OSError, http.client.HTTPException) as error:
        return Outcome(sms, None, error=f"{type(error).__name__}: {error}")
    finally:
        connection.close()
        in_flight.discard(sms.sid)


class Load:
    """THREADS clients sending every farmer's webhooks, and the sids of those not answered yet."""

    def __init__(self, server: Server):
        batches = farmers()
        self.server, self.in_flight, self.outcomes, self.total = server, set(), [], sum(map(len, batches))
        self.threads = [threading.Thread(target=self._send, args=(batch,)) for batch in batches]

    def _send(self, batch: list[Sms]):
        for sms in batch:
            self.outcomes.append(post(self.server, sms, self.in_flight))

    def start(self):
        for thread in self.threads:
            thread.start()

    def running(self) -> bool:
        return any(thread.is_alive() for thread in self.threads)

    def wait_for(self, share: float):
        while self.running() and len(self.outcomes) < share * self.total:
            time.sleep(0.002)

    def join(self) -> list[Outcome]:
        for thread in self.threads:
            thread.join()
        return self.outcomes


def farmers() -> list[list[Sms]]:
    """Each client thread's webhooks: a few messages from each of its farmers, unique sids."""
    batches = [[] for _ in range(THREADS)]
    for n in range(PHONES):
        for k in range(PER_PHONE):
            batches[n % THREADS].append(Sms(f"+86139{n:08d}", TEXTS[(n + k) % len(TEXTS)], "SM" + uuid.uuid4().hex))
    return batches


def children(master: int) -> set[int]:
    """The gunicorn workers: live processes whose parent is the master."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue  # exited meanwhile
        if int(parent) == master and state != "Z":
            found.add(int(stat.parent.name))
    return found


def sockets(pid: int) -> set[str]:
    """The inodes of the sockets a process holds."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        with suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                found.add(target[8:-1])
    return found


@contextmanager
def frozen(pids: set[int]):
    """The workers stopped (SIGSTOP) while we look, so what they hold and store cannot change; continued afterwards."""
    try:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        yield all(stopped(pid) for pid in pids)
    finally:
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def stopped(pid: int, timeout: float = 1.0) -> bool:
    """SIGSTOP lands asynchronously: wait until /proc shows the process stopped."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in "tT":
                return True
        except OSError:
            return False
        time.sleep(0.0005)
    return False


def stored_unanswered(database: Path, sids: set[str], timeout: float = 5) -> set[str]:
    """Which of these messages are stored without a reply: their answer is under way, or died."""
    marks = ",".join("?" * len(sids))
    query = f"""select provider_id from messages i where direction = ? and provider_id in ({marks})
                and not exists (select 1 from messages o where o.reply_to = i.id and o.direction = ?)"""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=timeout)) as db:
        return {row[0] for row in db.execute(query, (INBOUND, *sids, OUTBOUND))}


def kill_mid_answer(server: Server, load: Load) -> int | None:
    """SIGKILL a worker between storing a webhook's message and storing its reply; None if the load ended first.

    With every worker frozen, each one holding a connection holds one request; when as many requests in flight
    are stored without a reply, every such worker is mid-answer.
    """
    listeners = sockets(server.master)
    while load.running():
        workers = children(server.master)
        with suppress(ProcessLookupError, sqlite3.OperationalError), frozen(workers) as still:
            busy = [pid for pid in workers if sockets(pid) - listeners]
            if still and busy and len(stored_unanswered(server.database, load.in_flight.copy(), timeout=0.2)) == len(busy):
                os.kill(busy[0], signal.SIGKILL)
                return busy[0]
        time.sleep(0.001)
    return None


def workers_replaced(master: int, killed: list[int], timeout: float = 10) -> set[int]:
    """Wait until the master runs its full count of workers again, none of them a killed one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and ((alive := children(master)) & set(killed) or len(alive) != WORKERS):
        time.sleep(0.05)
    return children(master)


def load_with_kills(server: Server) -> tuple[list[Outcome], list[int]]:
    """Every webhook sent by THREADS clients, a worker killed mid-answer at each KILL_AT share of the answers."""
    load, kills = Load(server), []
    load.start()
    for share in KILL_AT:
        load.wait_for(share)
        if killed := kill_mid_answer(server, load):
            kills.append(killed)
            workers_replaced(server.master, kills)
    return load.join(), kills


def healthy(url: str, process: subprocess.Popen, timeout: float = 30) -> bool:
    """Wait for /healthz to answer 200; False when gunicorn exits first (its port was taken)."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return True
        except (OSError, http.client.HTTPException):
            time.sleep(0.1)
    return False


def start(database: Path, log) -> tuple[subprocess.Popen, int]:
    """`gunicorn -c gunicorn.conf.py` on a free port, started again when another process took the port first."""
    for _attempt in range(3):
        port = _free_port()
        env = {**os.environ, "DATABASE": str(database), "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "PUBLIC_URL": PUBLIC_URL,
               "FLOOD_PER_MINUTE": "0", "LOG_LEVEL": "WARNING", "WEB_CONCURRENCY": str(WORKERS),
               "BIND": f"127.0.0.1:{port}", "WEB_MAX_REQUESTS": "0"}  # fmt: skip
        env.pop("GUNICORN_CMD_ARGS", None)
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        if healthy(f"http://127.0.0.1:{port}", process):
            return process, port
        stop(process)
    pytest.fail(f"gunicorn did not serve /healthz; its log: {Path(log.name).read_text()[-3000:]}", pytrace=False)


def stop(process: subprocess.Popen):
    """SIGTERM (a graceful shutdown), then SIGKILL for any worker left and the master."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        for pid in children(process.pid):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.kill()
        process.wait()


@pytest.fixture
def server(tmp_path):
    """The web process as deployed (gunicorn.conf.py: preloaded app, sync workers), stopped even when the test fails."""
    with open(tmp_path / "gunicorn.log", "ab") as log:
        process, port = start(tmp_path / "crash.db", log)
        try:
            yield Server(port, process.pid, tmp_path / "crash.db")
        finally:
            stop(process)


def handled(database: Path, sid: str, timeout: float = 5) -> tuple[int, list[str]]:
    """How many inbound rows carry this sid, and the texts of the replies stored for them."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=timeout, isolation_level=None)) as db:
        inbound = [
            row[0] for row in db.execute("select id from messages where provider_id = ? and direction = ?", (sid, INBOUND))
        ]
        marks = ",".join("?" * len(inbound))
        replies = db.execute(f"select text from messages where direction = ? and reply_to in ({marks})", (OUTBOUND, *inbound))
        return len(inbound), [row[0] for row in replies]


def message_count(database: Path) -> int:
    """All stored messages, in and out: a repeated delivery must not add any."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return db.execute("select count(*) from messages").fetchone()[0]


def not_stored_as_answered(database: Path, outcome: Outcome) -> str | None:
    """Why an answered webhook is not one inbound row and one reply equal to its TwiML; None when it is."""
    inbound, replies = handled(database, outcome.sms.sid)
    if inbound != 1 or len(replies) != 1:
        return f"{outcome.sms.sid} {outcome.sms.text!r}: {inbound} inbound rows, {len(replies)} replies"
    if replies[0] != outcome.reply:
        return f"{outcome.sms.sid} {outcome.sms.text!r}: stored {replies[0]!r}, answered {outcome.reply!r}"
    return None


def not_answered(outcome: Outcome) -> str | None:
    """Why a webhook did not get a 200 with a non-empty TwiML <Message>; None when it did."""
    if not outcome.answered or not outcome.reply:
        return f"{outcome.sms.sid} {outcome.sms.text!r}: status {outcome.status} {outcome.error} body {outcome.body[:200]!r}"
    return None


@pytest.mark.slow
def test_killed_worker_loses_no_answered_message_and_resends_are_answered_once(server):
    outcomes, kills = load_with_kills(server)
    failed = [o for o in outcomes if not o.answered]
    summary = f"workers killed: {kills}; {len(failed)} of {len(outcomes)} webhooks failed: {[o.error for o in failed]}"
    assert len(outcomes) == PHONES * PER_PHONE
    died = stored_unanswered(server.database, {o.sms.sid for o in failed if o.cut_off})
    assert died, f"no request was cut off between storing its message and its reply, so nothing was tested; {summary}"
    alive = workers_replaced(server.master, kills)
    assert len(alive) == WORKERS and not alive & set(kills), f"gunicorn did not replace the killed workers: {alive}"

    lost = [why for o in outcomes if o.answered and (why := not_stored_as_answered(server.database, o))]
    assert not lost, f"answered webhooks not stored as answered ({summary}): {lost}"

    resent = [post(server, o.sms) for o in failed]
    unanswered = [why for o in resent if (why := not_answered(o))]
    assert not unanswered, f"resends of failed webhooks not answered ({summary}): {unanswered}"
    twice = [why for o in resent if (why := not_stored_as_answered(server.database, o))]
    assert not twice, f"resent webhooks not handled exactly once: {twice}"

    rows = message_count(server.database)
    again = [post(server, o.sms) for o in failed]
    changed = [f"{a.sms.sid}: {a.reply!r} != {r.reply!r}" for a, r in zip(again, resent) if not a.answered or a.reply != r.reply]
    assert not changed, f"a third delivery did not get the stored reply: {changed}"
    assert message_count(server.database) == rows, "a third delivery added rows"
