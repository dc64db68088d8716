"""Fixtures: an app on a tmp_path database, clients, a settable clock, farmer-side helpers, and Twilio mocks."""

import datetime
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs
from xml.etree import ElementTree

import pytest
from twilio.request_validator import RequestValidator

from app import create_app
from nongbao.db import Storage
from nongbao.engine import PRIVACY_LINE
from nongbao.i18n import translator
from nongbao.segments import segments

PRIVACY_LINES = tuple("\n" + translator(locale).gettext(PRIVACY_LINE) for locale in ("zh-Hans", "en"))


def answer_parts(reply: str) -> int:
    """SMS parts of a reply's answer, without the privacy word a new contact's first reply ends with."""
    for line in PRIVACY_LINES:
        reply = reply.removesuffix(line)
    return segments(reply)


AUTH_TOKEN = "test-auth-token"
ACCOUNT_SID = "AC" + "0" * 32
PUBLIC_URL = "https://nongbao.example.org"
API_TOKEN = "test-api-token"
# api.md's example (Hebei figures, age 45, grade 500, nothing paid yet), checked at every layer.
API_MD_EXAMPLE = {"account_at_claim": "9482.13", "monthly_basic": "163.00", "monthly_account": "68.22",
                  "monthly_total": "231.22", "total_paid": "7500.00", "payback_years": "2.7"}  # fmt: skip


class Clock:
    """A settable 'now' so tests can let conversations expire."""

    def __init__(self):
        self.now = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC)

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory):
    """A database with the shipped content loaded once per run (loading it for every test is slow)."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "test"})
    return path


def copy_database(source_path, target_path):
    """An SQLite online backup: the copy is what a fresh app would have after loading the content."""
    source, target = sqlite3.connect(source_path), sqlite3.connect(target_path)
    with target:
        source.backup(target)
    source.close()
    target.close()


@pytest.fixture
def config(tmp_path, clock, seeded_database):
    copy_database(seeded_database, tmp_path / "nongbao.db")
    return {
        "TESTING": True,
        "DATABASE": str(tmp_path / "nongbao.db"),
        "API_TOKENS": [API_TOKEN],
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": "+15005550006",
        "PUBLIC_URL": PUBLIC_URL,
        "DEFAULT_REGION": "441403",
        "DEFAULT_LOCALE": "zh-Hans",
        "SECRET_KEY": "test",
        "CLOCK": clock,
    }


@pytest.fixture
def app(config):
    return create_app(config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def store(app):
    storage = Storage(app.config["DATABASE"])
    yield storage
    storage.close()


def sign(url: str, params: dict, token: str = AUTH_TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send for this URL and form."""
    return RequestValidator(token).compute_signature(url, params)


class Sms:
    """A farmer's phone talking to the Twilio webhook, signed as Twilio signs."""

    def __init__(self, client):
        self.client = client
        self.count = 0

    def post(self, phone: str, text: str, sid: str | None = None, url: str = PUBLIC_URL + "/sms/twilio", headers=None):
        self.count += 1
        form = {"From": phone, "To": "+15005550006", "Body": text, "MessageSid": sid or f"SM{self.count:032d}"}
        signature = sign(url, form)
        return self.client.post("/sms/twilio", data=form, headers={"X-Twilio-Signature": signature, **(headers or {})})

    def receive(self, phone: str, text: str, sid: str | None = None) -> str:
        """Send an SMS and return the text of the TwiML reply."""
        response = self.post(phone, text, sid)
        assert response.status_code == 200, response.data
        assert response.mimetype == "text/xml"
        messages = ElementTree.fromstring(response.data).findall("Message")
        return "\n".join(m.text or "" for m in messages)


@pytest.fixture
def sms(client):
    return Sms(client)


class Api:
    """A chat channel posting to /api/v1/messages."""

    def __init__(self, client):
        self.client = client

    def send(self, sender: str, text: str, **extra) -> dict:
        response = self.client.post(
            "/api/v1/messages", json={"from": sender, "text": text, **extra}, headers={"Authorization": f"Bearer {API_TOKEN}"}
        )
        assert response.status_code == 200, response.data
        return response.get_json()

    def post(self, path: str, body=None, token: str | None = API_TOKEN, **kwargs):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if body is not None and not isinstance(body, (str, bytes)):
            kwargs["json"] = body
        elif body is not None:
            kwargs["data"] = body
            headers["Content-Type"] = "application/json"
        return self.client.post(path, headers=headers, **kwargs)

    def get(self, path: str, token: str | None = API_TOKEN):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.get(path, headers=headers)


@pytest.fixture
def api(client):
    return Api(client)


class TwilioMock:
    """Twilio's REST API as the tests see it: every request recorded and validated by Prism on Twilio's OpenAPI
    file (an invalid one gets Prism's 422), then answered by Prism, or by a fault the test queued.

    Faults: ``mock.faults.append((status, body))`` answers the next request with that error after validation;
    ``mock.faults.append("hang")`` holds the answer past the client's timeout.
    """

    def __init__(self, upstream: str, hang_seconds: float = 3):
        self.requests: list[dict] = []
        self.faults: list = []
        mock = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                mock.requests.append({"path": self.path, "form": form, "auth": self.headers.get("Authorization")})
                status, data = mock.forward(self.path, raw, self.headers)
                if status < 300 and mock.faults:
                    fault = mock.faults.pop(0)
                    if fault == "hang":
                        time.sleep(hang_seconds)
                    else:
                        status, data = fault[0], json.dumps(fault[1]).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.upstream = upstream.rstrip("/")
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def forward(self, path: str, raw: bytes, headers) -> tuple[int, bytes]:
        """Prism's answer to the same request: a mock response, or its validation error."""
        request = urllib.request.Request(self.upstream + path, data=raw, method="POST", headers={
            "Content-Type": headers.get("Content-Type", ""), "Authorization": headers.get("Authorization", "")})  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def twilio_error(code: int, status: int, message: str) -> tuple[int, dict]:
    """An error answer as Twilio's API gives it."""
    return status, {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}


@pytest.fixture
def twilio_mock(prism):
    mock = TwilioMock(prism)
    yield mock
    mock.close()


PRISM_DIR = Path(__file__).resolve().parent.parent / ".cache" / "prism"  # filled by `make prism` (scripts/prism.sh)
PRISM_BIN = PRISM_DIR / "node_modules" / ".bin" / "prism"
TWILIO_OPENAPI = PRISM_DIR / "twilio_api_v2010.json"  # Twilio's official OpenAPI file for api.twilio.com/2010-04-01


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serving(url: str, process: subprocess.Popen, timeout: float) -> bool:
    """Wait until the server answers any HTTP request; False when it exits first."""
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        try:
            urllib.request.urlopen(url + "/", timeout=1)
            return True
        except urllib.error.HTTPError:  # Prism answers 404 for "/": it is serving
            return True
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"Prism did not answer at {url} within {timeout:.0f} s", pytrace=False)
            time.sleep(0.1)
    return False


@pytest.fixture(scope="session")
def prism(tmp_path_factory):
    """Base URL of a Prism mock of Twilio's API that rejects requests its OpenAPI file does not allow (422, 401, 404).

    -d answers with bodies generated from the schema (fresh SIDs); --errors makes violations error responses.
    Skipped when Prism is not fetched, but a failure under CI so the contract cannot be skipped silently there.
    """
    missing = [str(p) for p in (PRISM_BIN, TWILIO_OPENAPI) if not p.exists()] + [n for n in ("node",) if not shutil.which(n)]
    if missing:
        message = f"Prism is not installed (missing: {', '.join(missing)}); run `make prism`"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    log_path = tmp_path_factory.mktemp("prism") / "prism.log"
    with open(log_path, "ab") as log:
        for _attempt in range(3):  # another process may take the free port before Prism binds it
            port = _free_port()
            url = f"http://127.0.0.1:{port}"
            command = [str(PRISM_BIN), "mock", "-d", "--errors", "-p", str(port), "-h", "127.0.0.1", str(TWILIO_OPENAPI)]
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
            try:
                if _serving(url, process, timeout=60):
                    break
            except BaseException:
                process.kill()
                process.wait()
                raise
        else:
            pytest.fail(f"Prism exited before serving; its log: {log_path.read_text()[-2000:]}", pytrace=False)
        yield url
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# Real-browser tests: Debian's chromium driven by Playwright, against the `app` fixture served on a free port.

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
PHONE_VIEWPORT = {"width": 360, "height": 640}
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"  # written each run, git-ignored


def _no_browser(message: str):
    """A missing browser skips locally but fails under CI, so the browser tests cannot be skipped silently there."""
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture
def live_server(app):
    """The base URL of the `app` fixture served by werkzeug in a thread on 127.0.0.1 and a free port."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole run (launching it is the slow part)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("Playwright is not installed; run `make install`")
    if not CHROMIUM.exists():
        _no_browser(f"{CHROMIUM} is missing; install Debian's chromium (apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A fresh phone-sized page (360x640, its own cookies) for one test."""
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()
