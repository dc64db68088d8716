"""Reminders: who gets them and when, the outbox under failures, status callbacks, rosters (Twilio through Prism)."""

import datetime

import pytest
import yaml

from nongbao import loader, reminders
from nongbao.library import library
from tests.conftest import PUBLIC_URL, sign, twilio_error

# A county of Meizhou with a published window of its own (a confirmed window: deadline reminders may name it).
WINDOW_COUNTY = {"code": "441481", "name": {"zh-Hans": "兴宁市", "en": "Xingning"}, "parent": "441400",
                 "pension": {"window": {"start": "03-01", "end": "06-30"}}}  # fmt: skip
PHONES = ["+8613500000001", "+8613500000002", "+8613500000003", "+8613500000004"]
CHINA = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def config(config, twilio_mock):
    return {**config, "DEFAULT_REGION": "441481", "TWILIO_API_BASE_URL": twilio_mock.url, "REMINDER_RATE_PER_SECOND": 0,
            "TWILIO_TIMEOUT": 10}  # fmt: skip


@pytest.fixture(autouse=True)
def window_county(store, tmp_path):
    path = tmp_path / "441481.yaml"
    path.write_text(yaml.safe_dump(WINDOW_COUNTY, allow_unicode=True), encoding="utf-8")
    loader.load(store, [path])


def run(runner, at: str) -> str:
    result = runner.invoke(args=["reminders", "run", "--once", "--now", at])
    assert result.exit_code == 0, result.output
    return result.output


def sent_to(store, phone: str) -> list[str]:
    contact = store.contact(phone)
    return [row["kind"] for row in store.outbox_of(contact.id) if row["provider_id"]]


def test_opted_in_farmers_are_reminded_once_in_hours_and_never_after_stop(sms, runner, store, twilio_mock, clock):
    for phone in PHONES:
        sms.receive(phone, "提醒")
    sms.receive(PHONES[3], "退订")
    assert "sent 0" in run(runner, "2027-03-01T07:00:00+08:00")  # the window opens, but 07:00 is before the hours
    assert twilio_mock.requests == []
    assert "sent 3" in run(runner, "2027-03-01T10:00:00+08:00")
    assert len(twilio_mock.requests) == 3 and {r["form"]["To"] for r in twilio_mock.requests} == set(PHONES[:3])
    assert "sent 0" in run(runner, "2027-03-01T10:05:00+08:00")  # planned once per contact, kind and year
    assert len(twilio_mock.requests) == 3
    clock.now = datetime.datetime(2027, 6, 10, 2, 0, tzinfo=datetime.UTC)
    sms.receive(PHONES[0], "已交")  # paid for 2027: no deadline reminder
    sms.receive(PHONES[1], "TD")  # opted out meanwhile
    assert "sent 1" in run(runner, "2027-06-16T10:00:00+08:00")  # fourteen days before the window closes
    assert sent_to(store, PHONES[2]) == ["pension_open", "pension_close_14"]
    assert sent_to(store, PHONES[0]) == ["pension_open"] and sent_to(store, PHONES[1]) == ["pension_open"]
    assert sent_to(store, PHONES[3]) == []
    body = twilio_mock.requests[-1]["form"]
    assert "TD" in body["Body"] and body["StatusCallback"] == PUBLIC_URL + "/sms/twilio/status"


def test_a_window_not_confirmed_gets_a_check_your_notice_reminder_and_no_deadline(sms, runner, store, twilio_mock, app):
    sms.receive(PHONES[0], "提醒")
    sms.receive(PHONES[0], "梅县区")  # Meixian's window is the province's assumed calendar year
    run(runner, "2027-01-05T10:00:00+08:00")
    assert "12月31日" not in twilio_mock.requests[0]["form"]["Body"]
    run(runner, "2027-12-20T10:00:00+08:00")
    assert sent_to(store, PHONES[0]) == ["pension_open"]


def test_an_answer_of_21610_opts_the_contact_out(sms, runner, store, twilio_mock):
    sms.receive(PHONES[0], "提醒")
    twilio_mock.faults.append(twilio_error(21610, 400, "Attempt to send to unsubscribed recipient"))
    run(runner, "2027-03-01T10:00:00+08:00")
    contact = store.contact(PHONES[0])
    assert contact.opted_out and store.outbox_of(contact.id)[0]["status"] == "failed"
    run(runner, "2027-03-01T11:00:00+08:00")
    assert len(twilio_mock.requests) == 1  # never retried


def test_a_429_is_retried_later_and_sends_exactly_once(sms, runner, store, twilio_mock):
    sms.receive(PHONES[0], "提醒")
    twilio_mock.faults.append(twilio_error(20429, 429, "Too Many Requests"))
    assert "retried 1" in run(runner, "2027-03-01T10:00:00+08:00")
    assert "sent 0" in run(runner, "2027-03-01T10:00:10+08:00")  # the backoff has not passed
    assert "sent 1" in run(runner, "2027-03-01T10:01:00+08:00")
    run(runner, "2027-03-01T10:30:00+08:00")
    assert len(twilio_mock.requests) == 2 and sent_to(store, PHONES[0]) == ["pension_open"]


@pytest.mark.parametrize("fault", [twilio_error(20500, 500, "Internal Server Error"), "hang"])
def test_a_server_error_or_a_hang_past_the_timeout_is_retried(sms, runner, store, twilio_mock, fault, app):
    app.config["TWILIO_TIMEOUT"] = 1  # the fake holds a hang for 3 seconds
    sms.receive(PHONES[0], "提醒")
    twilio_mock.faults.append(fault)
    assert "retried 1" in run(runner, "2027-03-01T10:00:00+08:00")
    assert "sent 1" in run(runner, "2027-03-01T10:05:00+08:00")


def test_a_refusal_fails_the_row_with_the_error_kept(sms, runner, store, twilio_mock):
    sms.receive(PHONES[0], "提醒")
    twilio_mock.faults.append(twilio_error(21211, 400, "Invalid 'To' Phone Number"))
    assert "failed 1" in run(runner, "2027-03-01T10:00:00+08:00")
    row = store.outbox_of(store.contact(PHONES[0]).id)[0]
    assert (row["status"], row["error_code"]) == ("failed", "21211") and "Invalid" in row["error"]


def test_a_worker_killed_between_claim_and_send_loses_nothing(sms, app, store, twilio_mock):
    sms.receive(PHONES[0], "提醒")
    at = datetime.datetime(2027, 3, 1, 10, 0, tzinfo=CHINA)
    reminders.plan(store, library(store), app.config, at)
    row = store.due_outbox(at, 10)[0]
    assert store.claim(row["id"], at, at + datetime.timedelta(seconds=300))  # the worker claims it, then dies
    provider = __import__("nongbao.providers", fromlist=["from_config"]).from_config(app.config)
    later = at + datetime.timedelta(minutes=1)
    assert reminders.run_once(store, library(store), provider, app.config, later).sent == 0  # the lease still holds
    after_lease = at + datetime.timedelta(minutes=6)
    assert reminders.run_once(store, library(store), provider, app.config, after_lease).sent == 1
    assert reminders.run_once(store, library(store), provider, app.config, after_lease).sent == 0
    assert len(twilio_mock.requests) == 1


def callback(client, sid: str, status: str, code: str | None = None, signed: bool = True):
    data = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32, **({"ErrorCode": code} if code else {})}
    headers = {"X-Twilio-Signature": sign(PUBLIC_URL + "/sms/twilio/status", data)} if signed else {}
    return client.post("/sms/twilio/status", data=data, headers=headers)


def test_status_callbacks_move_rows_on_and_forged_ones_get_403(sms, runner, store, client):
    for phone in PHONES[:2]:
        sms.receive(phone, "提醒")
    run(runner, "2027-03-01T10:00:00+08:00")
    first, second = (store.outbox_of(store.contact(p).id)[0] for p in PHONES[:2])
    assert callback(client, first["provider_id"], "delivered", signed=False).status_code == 403
    assert callback(client, first["provider_id"], "delivered").status_code == 204
    assert callback(client, first["provider_id"], "delivered").status_code == 204  # a repeat changes nothing
    assert callback(client, first["provider_id"], "sent").status_code == 204  # a late one never moves it back
    assert callback(client, second["provider_id"], "failed", "30003").status_code == 204
    assert store.outbox_of(first["contact_id"])[0]["status"] == "delivered"
    assert store.outbox_of(second["contact_id"])[0]["status"] == "failed"


def test_a_callback_with_21610_opts_the_contact_out(sms, runner, store, client):
    sms.receive(PHONES[0], "提醒")
    run(runner, "2027-03-01T10:00:00+08:00")
    row = store.outbox_of(store.contact(PHONES[0]).id)[0]
    callback(client, row["provider_id"], "undelivered", "21610")
    assert store.contact(PHONES[0]).opted_out


def test_five_failed_deliveries_in_a_row_pause_the_contact(store, app):
    contact = store.get_or_create_contact(PHONES[0], "sms", datetime.datetime.now(datetime.UTC))
    now = datetime.datetime.now(datetime.UTC)
    assert not any(store.delivery_result(contact.id, False, now, 5) for _ in range(4))
    assert store.delivery_result(contact.id, False, now, 5)
    fields = store.contact_fields(contact.id, "paused_at", "paused_reason")
    assert fields["paused_at"] and "5" in fields["paused_reason"]


def test_nothing_is_sent_after_hours_and_the_budget_holds(sms, runner, store, app, twilio_mock):
    for phone in PHONES:
        sms.receive(phone, "提醒")
    assert "sent 0" in run(runner, "2027-03-01T21:30:00+08:00")
    app.config["REMINDER_DAILY_CAP"] = 2
    output = run(runner, "2027-03-02T09:00:00+08:00")
    assert "sent 2" in output and "held 2" in output
    assert any(alert["kind"] == "budget" for alert in store.alerts())


ROSTER = "phone,place,village,birth_year,birth_month,enrolled,paid_year,pensioner,check_month,locale\n"


def test_a_roster_is_imported_with_its_basis_and_its_residents_are_introduced(runner, store, tmp_path, twilio_mock):
    path = tmp_path / "roster.csv"
    path.write_text(
        ROSTER + "13500000011,441481,上村,1967,5,no,,no,,\n13500000012,梅州兴宁,下村,1950,,yes,2026,yes,3,zh\n", "utf-8"
    )
    result = runner.invoke(args=["contacts", "import", str(path), "--basis", "兴宁市某镇2027年参保名册"])
    assert result.exit_code == 0 and "2 residents added" in result.output, result.output
    contact = store.contact("+8613500000011")
    assert contact.region == "441481"
    assert store.contact_fields(contact.id, "basis")["basis"] == "兴宁市某镇2027年参保名册"
    run(runner, "2027-03-01T10:00:00+08:00")
    bodies = [r["form"]["Body"] for r in twilio_mock.requests if r["form"]["To"] == "+8613500000011"]
    assert "名册" in bodies[0] and "TD" in bodies[0]  # the first message says who writes, why, and how to stop
    assert sorted(sent_to(store, "+8613500000011")) == ["enrollment", "pension_open", "turning_60"]  # 60 in May 2027
    assert "qualification_check" in sent_to(store, "+8613500000012")  # checked in March


def test_a_roster_with_a_bad_row_imports_nothing_and_names_the_row(runner, store, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER + "13500000021,441481,,,,,,,,\n13500000022,441481,,19x0,,,,,,\n", "utf-8")
    result = runner.invoke(args=["contacts", "import", str(path), "--basis", "名册"])
    assert result.exit_code != 0 and "line 3" in result.output and "birth_year" in result.output
    assert store.contact("+8613500000021") is None


def test_preview_counts_per_kind_and_region_and_sends_nothing(sms, runner, store, twilio_mock):
    sms.receive(PHONES[0], "提醒")
    result = runner.invoke(args=["reminders", "preview", "--now", "2027-03-01T10:00:00+08:00"])
    assert result.exit_code == 0 and "pension_open 441481: 1" in result.output and "TD" in result.output
    assert twilio_mock.requests == [] and store.outbox_of(store.contact(PHONES[0]).id) == []


def test_every_reminder_fits_one_part_or_two_for_enrolment_in_every_region(store, app):
    from nongbao import segments
    from nongbao.content import REMINDER_KINDS

    lib = library(store)
    contact = {"id": 1, "basis": None, "introduced": 1, "locale": None}
    for kind in REMINDER_KINDS:
        if kind == "intro":
            continue
        for locale in ("zh-Hans", "en"):
            for code, region in lib.regions.items():
                due = reminders.Due(kind, 2027, kind, {"end": datetime.date(2027, 6, 30), "cover_year": 2028,
                                                       "birthday": datetime.date(2027, 5, 1)})  # fmt: skip
                body, _ = reminders.reminder_text(store, region, due, {**contact, "locale": locale}, app.config)
                parts = segments.segments(body, "【农保助手】" if locale == "zh-Hans" else "")
                assert parts <= (2 if kind == "enrollment" else 1), (kind, locale, code, body)
                assert ("TD" if locale == "zh-Hans" else "STOP") in body
