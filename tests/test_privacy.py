"""Personal data: erased everywhere on request, never in logs; backups taken while the service writes."""

import threading
from pathlib import Path

from app import create_app
from nongbao.db import Storage
from nongbao.engine import Engine

PHONE = "+8613800990001"
DIGITS = "13800990001"


def test_forget_leaves_no_trace_of_the_number_in_any_table_or_the_file(api, sms, runner, app, store, caplog):
    sms.receive(PHONE, "提醒")
    api.send(PHONE, f"我的电话是{DIGITS}，麦子啥价")  # an unanswered question naming the number
    api.send(PHONE, "我要投诉，村里收费不给收据")  # a ticket
    api.send(PHONE, "我45岁 每年交600")  # an open dialogue
    result = runner.invoke(args=["contacts", "forget", PHONE])
    assert result.exit_code == 0, result.output
    dump = "\n".join(store.db.conn.iterdump())
    assert DIGITS not in dump
    raw = b"".join(p.read_bytes() for p in Path(app.config["DATABASE"]).parent.glob("nongbao.db*"))
    assert DIGITS.encode() not in raw and DIGITS.encode("utf-16-le") not in raw
    assert DIGITS not in caplog.text  # logs mask numbers
    assert store.contact(PHONE) is None


def test_forget_an_unknown_number_says_so(runner):
    result = runner.invoke(args=["contacts", "forget", "+8613800990099"])
    assert result.exit_code != 0 and "990099" not in result.output


def test_a_backup_taken_under_write_load_restores_to_a_working_service(app, config, tmp_path):
    stop = threading.Event()

    def write():
        storage = Storage(app.config["DATABASE"])
        engine, n = Engine(storage, app.config), 0
        while not stop.is_set() and n < 400:
            engine.receive(f"+86139{n % 50:08d}", "养老保险分几档", "api")
            n += 1
        storage.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        storage = Storage(app.config["DATABASE"])
        storage.backup_to(str(tmp_path / "backup.db"), pages_per_step=8)
        storage.close()
    finally:
        stop.set()
        writer.join()
    restored = create_app({**config, "DATABASE": str(tmp_path / "backup.db")})
    response = restored.test_client().post(
        "/api/v1/messages", json={"from": "+8613900000001", "text": "医保交多少"},
        headers={"Authorization": f"Bearer {config['API_TOKENS'][0]}"},
    )  # fmt: skip
    assert response.status_code == 200 and response.get_json()["intent"] == "medical.resident"
    check = Storage(str(tmp_path / "backup.db"))
    assert check.db.execute("pragma integrity_check").fetchone()[0] == "ok"
    check.close()


def test_production_refuses_to_start_without_its_secrets(config):
    import pytest

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({**config, "NONGBAO_ENV": "production", "SECRET_KEY": "dev-only-change-me"})
    with pytest.raises(RuntimeError, match="TWILIO_AUTH_TOKEN"):
        create_app({**config, "NONGBAO_ENV": "production", "TWILIO_AUTH_TOKEN": ""})
    assert create_app({**config, "NONGBAO_ENV": "production"})  # both set


def test_every_page_carries_the_security_headers(client):
    for path in ("/", "/admin/login", "/healthz"):
        headers = client.get(path).headers
        assert (
            "script-src 'self'" in headers["Content-Security-Policy"]
            and "unsafe-inline" not in headers["Content-Security-Policy"]
        )
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"


def test_a_message_answered_after_its_sender_was_erased_keeps_nothing(app, store, clock):
    engine = Engine(store, app.config, clock=clock)
    engine.receive("+8613800007777", "删除我的信息", "sms", "SMe1")
    contact, late, _ = store.take_inbound("+8613800007777", "sms", "我要投诉乡里", "SMe2", clock())  # stored, not answered
    engine.receive("+8613800007777", "确认删除", "sms", "SMe3")
    reply = engine._answered(contact, "我要投诉乡里", False, late, "sms", clock())
    assert reply.text == "" and reply.message_id is None
    assert store.followups() == [] and all(row["text"] == "[erased]" for row in store.unanswered())
    assert store.reply_to(late) is None


def test_a_provider_resend_of_an_erased_message_does_not_bring_the_number_back(app, store, clock):
    engine = Engine(store, app.config, clock=clock)
    engine.receive("+8613800008888", "删除我的信息", "sms", "SMr1")
    engine.receive("+8613800008888", "确认删除", "sms", "SMr2")
    again = engine.receive("+8613800008888", "确认删除", "sms", "SMr2")
    assert again.text == "" and again.duplicate
    assert store.contact("+8613800008888") is None
    assert not store.db.execute("select count(*) from messages where provider_id like 'SMr%'").fetchone()[0]
