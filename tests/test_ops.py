"""Operations and privacy: /metrics, erasure asked for by the farmer, retention, and no phone number in the logs."""

import datetime
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from handlers.privacy import DELETED, NOT_DELETED, QUESTION, requested
from nongbao import loader, metrics
from nongbao.db_privacy import ERASED, EXPIRED
from nongbao.i18n import translator

PHONE = "+8613912345678"
OTHER = "+8613987654321"
ROOT = Path(__file__).resolve().parent.parent


def zh(message: str) -> str:
    """A system message as Chinese farmers get it (from the catalogue)."""
    return translator("zh-Hans").gettext(message)


def sample(text: str, name: str, **labels) -> float:
    """One sample's value from the text format (0 when absent)."""
    wanted = name + ("{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}" if labels else "")
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        if key == wanted:
            return float(value)
    return 0.0


def scrape(client, **headers) -> str:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.data
    assert response.content_type.startswith("text/plain; version=")
    return response.get_data(as_text=True)


# /metrics


def test_metrics_count_a_reply_by_intent_and_channel_and_time_it(client, sms, api):
    before = scrape(client)
    assert api.send(PHONE, "养老保险分几档")["intent"] == "pension.grades"
    sms.receive(OTHER, "养老保险分几档")
    after = scrape(client)
    for channel in ("api", "sms"):
        counted = sample(after, "nongbao_messages_total", channel=channel, intent="pension.grades")
        assert counted - sample(before, "nongbao_messages_total", channel=channel, intent="pension.grades") == 1
    assert sample(after, "nongbao_answer_seconds_count") - sample(before, "nongbao_answer_seconds_count") == 2
    assert 'nongbao_answer_seconds_bucket{le="+Inf"}' in after


def test_metrics_read_the_outbox_backlog_and_failures_from_the_database(client, store, clock):
    contact = store.get_or_create_contact(PHONE, "sms", clock())
    stamp = clock().isoformat()
    for n, status in enumerate(["queued", "queued", "sending", "failed", "undelivered", "delivered"]):
        store.db["outbox"].insert({"contact_id": contact.id, "kind": "pension_open", "year": 2026, "dedupe_key": f"k{n}",
                                   "status": status, "created_at": stamp})  # fmt: skip
    text = scrape(client)
    assert sample(text, "nongbao_outbox_queued") == 3 and sample(text, "nongbao_outbox_failed") == 2


def test_metrics_need_the_bearer_token_when_one_is_set(app, client):
    app.config["METRICS_TOKEN"] = "scrape-secret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert "nongbao_outbox_queued" in scrape(client, Authorization="Bearer scrape-secret")


def test_api_channel_names_cannot_grow_the_labels_without_bound(monkeypatch):
    monkeypatch.setattr(metrics, "_channels", set())
    for n in range(metrics.MAX_CHANNELS + 5):
        metrics.answered("menu", f"channel{n}", 0.01)
    assert len(metrics._channels) == metrics.MAX_CHANNELS
    assert metrics.MESSAGES.labels(intent="menu", channel="other")._value.get() >= 5


MULTIPROCESS_SCRIPT = """
import sys
from app import create_app
from nongbao.engine import Engine
from nongbao.db import Storage
app = create_app({"TESTING": True, "DATABASE": sys.argv[1], "SECRET_KEY": "test"})
if sys.argv[2] == "answer":
    storage = Storage(sys.argv[1])
    Engine(storage, app.config).receive("+8613912345678", "养老保险分几档", "sms")
    storage.close()
else:
    print(app.test_client().get("/metrics").get_data(as_text=True))
"""


def test_in_multiprocess_mode_any_worker_reports_what_every_worker_counted(tmp_path, seeded_database):
    """gunicorn workers are separate processes: with PROMETHEUS_MULTIPROC_DIR a scrape adds up their counts."""
    from tests.conftest import copy_database

    copy_database(seeded_database, tmp_path / "nongbao.db")
    (tmp_path / "prom").mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom")}

    def run(mode):
        done = subprocess.run([sys.executable, "-c", MULTIPROCESS_SCRIPT, str(tmp_path / "nongbao.db"), mode], env=env,
                              cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("answer")
    run("answer")
    text = run("scrape")
    assert sample(text, "nongbao_messages_total", channel="sms", intent="pension.grades") == 2
    assert sample(text, "nongbao_answer_seconds_count") == 2


# Erasure asked for by the farmer


@pytest.mark.parametrize(
    "text",
    ["删除我的信息", "删除我的信息。", "请删除我的个人信息", "帮我删除我的数据", "把我的信息删掉", "注销我的账号",
     "delete my data", "Delete my data!", "please delete my personal information", "erase my data", "forget me"],
)  # fmt: skip
def test_requests_for_erasure_are_recognised(text):
    assert requested(text)


@pytest.mark.parametrize("text", ["养老保险分几档", "怎么删除", "delete", "my data", "确认删除", "删除提醒"])
def test_other_messages_are_no_erasure_request(text):
    assert not requested(text)


def test_erasure_by_sms_asks_then_erases_on_confirmation(sms, store, clock):
    sms.receive(PHONE, "养老保险分几档")
    assert sms.receive(PHONE, "删除我的信息") == zh(QUESTION)
    assert store.contact(PHONE) is not None  # asking erases nothing
    contact_id = store.contact(PHONE).id
    done = sms.receive(PHONE, "确认删除")
    assert store.contact(PHONE) is None
    rows = store.messages_of(contact_id)
    assert [r["intent"] for r in rows if r["direction"] == "out"][-2:] == ["menu", "menu"]
    assert all(r["text"] == ERASED for r in rows[:-1])  # everything before, the confirmation included
    assert rows[-1]["direction"] == "out" and rows[-1]["text"] == done == zh(DELETED)
    erased = store.db["contacts"].get(contact_id)
    assert erased["address"] == f"erased:{contact_id}" and erased["opted_out"] == 1
    assert store.conversation(contact_id, clock()) is None


@pytest.mark.parametrize("answer", ["不", "no", "养老保险分几档", "确认", "yes"])
def test_anything_but_the_confirmation_erases_nothing(sms, store, answer):
    sms.receive(PHONE, "删除我的信息")
    sms.receive(PHONE, answer)
    contact = store.contact(PHONE)
    assert contact is not None and not contact.opted_out
    assert all(r["text"] != ERASED for r in store.messages_of(contact.id))


def test_a_refusal_says_nothing_was_deleted_and_a_question_ends_the_request(sms, store, clock):
    sms.receive(PHONE, "删除我的信息")
    assert sms.receive(PHONE, "不").startswith(zh(NOT_DELETED))
    assert store.conversation(store.contact(PHONE).id, clock()) is None
    sms.receive(PHONE, "删除我的信息")
    answer = sms.receive(PHONE, "养老保险分几档")  # answered as usual; the request is dropped
    assert "档" in answer and zh(QUESTION) not in answer
    sms.receive(PHONE, "确认删除")  # too late: no question is open
    assert store.contact(PHONE) is not None


def test_a_near_yes_asks_again_and_the_confirmation_then_erases(sms, store):
    sms.receive(PHONE, "删除我的信息")
    assert sms.receive(PHONE, "确认") == zh(QUESTION)
    sms.receive(PHONE, "确认删除")
    assert store.contact(PHONE) is None


def test_the_confirmation_only_counts_within_the_dialogue(sms, store, clock):
    sms.receive(PHONE, "删除我的信息")
    clock.advance(minutes=31)  # the dialogue expired
    sms.receive(PHONE, "确认删除")
    assert store.contact(PHONE) is not None


def test_erasure_by_chat_in_english(api, store):
    asked = api.send("+8613800001111", "delete my data")
    assert asked["intent"] == "menu" and asked["reply"].startswith(QUESTION) and asked["locale"] == "en"
    done = api.send("+8613800001111", "CONFIRM DELETE")
    assert done["intent"] == "menu" and done["reply"] == DELETED
    assert store.contact("+8613800001111") is None
    assert api.send("+8613800001111", "hello")["reply"]  # writing again starts afresh, as a new contact


def test_an_erasure_request_interrupts_an_open_dialogue(api, store):
    api.send(PHONE, "帮我算一下养老金")
    assert api.send(PHONE, "删除我的信息")["reply"] == zh(QUESTION)
    api.send(PHONE, "确认删除")
    assert store.contact(PHONE) is None


# Retention


def test_prune_blanks_old_message_texts_and_keeps_the_counts(runner, app, store, sms, clock):
    sms.receive(PHONE, "养老保险分几档")
    clock.advance(days=400)
    sms.receive(PHONE, "养老保险分几档")
    contact = store.contact(PHONE)
    store.record_login_attempt("10.0.0.1", "wang", False, clock() - datetime.timedelta(days=31))
    store.record_login_attempt("10.0.0.2", "wang", True, clock() - datetime.timedelta(days=1))
    count, intents = store.count("messages"), [r["intent"] for r in store.messages_of(contact.id)]
    result = runner.invoke(args=["db", "prune"])
    assert result.exit_code == 0, result.output
    assert "expired 2 message texts" in result.output and "deleted 1 sign-in attempts" in result.output
    rows = store.messages_of(contact.id)
    assert [r["text"] for r in rows[:2]] == [EXPIRED, EXPIRED] and all(r["text"] != EXPIRED for r in rows[2:])
    assert store.count("messages") == count and [r["intent"] for r in rows] == intents
    assert store.count("login_attempts") == 1
    assert "expired 0 message texts" in runner.invoke(args=["db", "prune"]).output  # nothing twice


def test_a_retention_of_zero_keeps_every_text(runner, app, store, sms, clock):
    sms.receive(PHONE, "养老保险分几档")
    clock.advance(days=4000)
    app.config["MESSAGE_RETENTION_DAYS"] = 0
    result = runner.invoke(args=["db", "prune"])
    assert "expired 0 message texts" in result.output and "kept" in result.output
    assert EXPIRED not in {r["text"] for r in store.messages_of(store.contact(PHONE).id)}


# No phone number in the logs

WINDOW_COUNTY = {"code": "441481", "name": {"zh-Hans": "兴宁市", "en": "Xingning"}, "parent": "441400",
                 "pension": {"window": {"start": "03-01", "end": "06-30"}}}  # fmt: skip


def test_no_full_phone_number_reaches_the_logs(app, sms, api, runner, store, twilio_mock, tmp_path, caplog):
    app.config.update(TWILIO_API_BASE_URL=twilio_mock.url, REMINDER_RATE_PER_SECOND=0, DEFAULT_REGION="441481")
    path = tmp_path / "441481.yaml"
    path.write_text(yaml.safe_dump(WINDOW_COUNTY, allow_unicode=True), encoding="utf-8")
    loader.load(store, [path])
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="nongbao")  # `flask chat` (another test) quietens this logger
    sms.receive(PHONE, "养老保险分几档")  # a conversation
    sms.receive(PHONE, "帮我算一下养老金")
    sms.receive(PHONE, "45岁")
    api.send(OTHER, "提醒")  # a reminder sent through the provider
    result = runner.invoke(args=["reminders", "run", "--once", "--now", "2027-03-01T10:00:00+08:00"])
    assert "sent 1" in result.output and twilio_mock.requests[0]["form"]["To"] == OTHER
    sms.receive(PHONE, "删除我的信息")  # an erasure
    sms.receive(PHONE, "确认删除")
    assert store.contact(PHONE) is None
    logged = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    assert "reply to +86139****5678" in logged and "sent to +86139****4321" in logged  # the log lines are there, masked
    for phone in (PHONE, OTHER):
        assert phone[3:] not in logged  # not even without +86
