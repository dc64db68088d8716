"""Storage: WAL mode, migrations, and nothing lost when answering fails."""

import contextlib
import sqlite3
import threading

import pytest

import handlers
from nongbao.db import Storage, migrations, utcnow


def test_the_database_is_in_wal_mode_with_a_busy_timeout(store):
    assert store.journal_mode() == "wal"
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_migrations_are_recorded_and_running_them_again_changes_nothing(store):
    applied = [m.name for m in migrations.applied(store.db)]
    assert applied and applied[0] == "m001_initial"
    store.migrate()
    assert [m.name for m in migrations.applied(store.db)] == applied


def test_a_second_app_on_the_same_file_keeps_the_content_and_does_not_reload_it(app, config, store):
    from app import create_app

    before = store.count("topics")
    create_app(config)
    assert store.count("topics") == before


def test_the_inbound_message_is_stored_even_when_answering_fails(api, store, monkeypatch):
    def broken(turn):
        raise RuntimeError("content store unavailable")

    monkeypatch.setitem(handlers.REGISTRY, "pension.grades", handlers.Capability("pension.grades", broken))
    body = api.send("+8613800000009", "养老保险分几档")
    assert "12333" in body["reply"] and body["intent"] == "unknown"
    inbound = store.messages_of(store.contact("+8613800000009").id)[0]
    assert inbound["text"] == "养老保险分几档" and inbound["direction"] == "in"
    assert store.unanswered()[0]["text"] == "养老保险分几档"


def test_provider_ids_are_unique_in_the_database(store):
    contact = store.get_or_create_contact("+8613800000010", "sms", utcnow())
    now = utcnow()
    first, fresh = store.record_inbound(contact.id, "sms", "a", "SMdup", now)
    again, fresh_again = store.record_inbound(contact.id, "sms", "a", "SMdup", now)
    assert fresh and not fresh_again and first == again
    try:
        store.db["messages"].insert({"contact_id": contact.id, "direction": "in", "channel": "sms", "status": "received",
                                     "provider_id": "SMdup", "created_at": "x"})  # fmt: skip
    except sqlite3.IntegrityError:
        pass
    else:
        raise AssertionError("a second row with the same provider id was accepted")


def test_a_storage_opened_twice_sees_the_other_connections_writes(app):
    one, two = Storage(app.config["DATABASE"]), Storage(app.config["DATABASE"])
    try:
        one.get_or_create_contact("+8613800000011", "api", utcnow())
        assert two.contact("+8613800000011") is not None
    finally:
        one.close()
        two.close()


def test_an_unloaded_default_region_is_reported_and_never_replaced_by_another_regions_figures(config, caplog):
    from app import create_app

    app = create_app({**config, "DEFAULT_REGION": "999999"})
    assert "DEFAULT_REGION 999999" in caplog.text
    reply = (
        app.test_client()
        .post(
            "/api/v1/messages",
            json={"from": "+8613800000050", "text": "养老保险分几档"},
            headers={"Authorization": "Bearer test-api-token"},
        )
        .get_json()["reply"]
    )
    assert "当地社保局或打12333" in reply and "180" not in reply


def test_messages_from_one_farmer_arriving_together_are_all_answered(app):
    import threading

    from nongbao.engine import Engine

    errors, replies = [], []

    def send(text):
        store = Storage(app.config["DATABASE"])
        try:
            replies.append(Engine(store, app.config).receive("+8613800000040", text, "api"))
        except Exception as problem:  # noqa: BLE001 - collected for the assertion
            errors.append(problem)
        finally:
            store.close()

    threads = [threading.Thread(target=send, args=(t,)) for t in ("养老保险分几档", "菜单", "医保多少钱", "2", "谢谢", "低保")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(replies) == 6 and all(r.text for r in replies)


def test_a_retry_of_a_message_that_was_never_answered_is_answered(app, store, clock):
    from nongbao.engine import Engine

    contact = store.get_or_create_contact("+8613800000041", "sms", clock())
    store.record_inbound(contact.id, "sms", "养老保险分几档", "SMretry", clock())  # a first attempt that died
    engine = Engine(store, app.config, clock=clock)
    answered = engine.receive("+8613800000041", "养老保险分几档", "sms", "SMretry")
    assert "档" in answered.text and not answered.duplicate
    again = engine.receive("+8613800000041", "养老保险分几档", "sms", "SMretry")
    assert (again.text, again.duplicate) == (answered.text, True)
    assert [m["direction"] for m in store.messages_of(contact.id)] == ["in", "out"]


def test_a_turn_that_another_turn_of_the_same_farmer_overtook_is_worked_out_again_on_what_that_one_left(app, store, clock):
    from nongbao.engine import Engine

    engine = Engine(store, app.config, clock=clock)
    other = Storage(app.config["DATABASE"])
    working_out, raced = store.reading_only, []

    @contextlib.contextmanager
    def overtaken():
        if not raced:  # while this turn was being worked out, the farmer's next message was answered
            raced.append(Engine(other, app.config, clock=clock).receive("+8613800000042", "我今年45岁", "sms", "SMb"))
        with working_out():
            yield

    store.reading_only = overtaken
    claim, claims = store.claim_turn, []
    store.claim_turn = lambda *args, **fields: claims.append(claim(*args, **fields)) or claims[-1]
    try:
        first = engine.receive("+8613800000042", "帮我算算养老金", "sms", "SMa")
    finally:
        other.close()
    contact = store.contact("+8613800000042")
    messages = store.messages_of(contact.id)
    assert claims == [False, True]  # the first attempt found the other turn committed and was worked out again
    assert contact.turns == 2 and len(messages) == 4 and first.text and raced[0].text
    replies = {m["reply_to"]: m["text"] for m in messages if m["direction"] == "out"}
    assert sorted(replies) == sorted(m["id"] for m in messages if m["direction"] == "in")
    assert first.text in replies.values()


def test_the_database_syncs_at_normal_by_default_and_full_when_configured(tmp_path):
    normal, full = Storage(str(tmp_path / "a.db")), Storage(str(tmp_path / "b.db"), synchronous="FULL")
    try:
        assert normal.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL: survives a process crash
        assert full.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: survives a power loss too
    finally:
        normal.close()
        full.close()
    with pytest.raises(ValueError):
        Storage(str(tmp_path / "c.db"), synchronous="SOMETIMES")


def test_each_worker_thread_keeps_one_connection_across_requests(app):
    from nongbao.web import store as request_store

    def connection():
        with app.test_request_context():
            return request_store()

    first, again = connection(), connection()
    other = []
    thread = threading.Thread(target=lambda: other.append(connection()))
    thread.start()
    thread.join()
    assert first is again and other[0] is not first


def test_an_unknown_sync_setting_stops_the_app_at_start(config):
    from app import create_app

    with pytest.raises(ValueError):
        create_app({**config, "SQLITE_SYNCHRONOUS": "SOMETIMES"})
