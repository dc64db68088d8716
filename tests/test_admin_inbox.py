"""The staff inbox, reminders and coverage pages through the test client: questions attached to topics, tickets
answered in the farmer's channel, region pauses, roster upload, the dashboard and its CSV, masking, roles and CSRF."""

import io
import re

import pytest
import yaml

from nongbao import loader
from nongbao.admin import auth
from nongbao.privacy import mask_address

PASSWORD = "correct horse battery"
QUESTION = "我的社保卡丢了怎么办"
PHONE = "+8613800000001"
# A county of Meizhou with a pension window of its own (as in test_reminders): reminders fall due in it.
WINDOW_COUNTY = {"code": "441481", "name": {"zh-Hans": "兴宁市", "en": "Xingning"}, "parent": "441400",
                 "pension": {"window": {"start": "03-01", "end": "06-30"}}}  # fmt: skip
ROSTER = "phone,place,village,birth_year,birth_month,enrolled,paid_year,pensioner,check_month,locale\n"


def token(client, path: str = "/admin/") -> str:
    """The CSRF token of the session, scraped from a page's form."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, store, clock, name: str, role: str, region: str | None = None):
    store.save_staff(name, auth.hash_password(PASSWORD), role, region, clock())
    response = client.post(
        "/admin/login", data={"username": name, "password": PASSWORD, "csrf_token": token(client, "/admin/login")}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def post(client, path: str, data: dict | None = None, **kwargs):
    return client.post(path, data={"csrf_token": token(client), **(data or {})}, **kwargs)


def tickets(store) -> dict[str, dict]:
    return {row["ref"]: row for row in store.followups()}


@pytest.fixture
def staff_client(app):
    """A second browser: another staff member's session."""
    return app.test_client()


@pytest.fixture
def window_county(store, tmp_path, app):
    path = tmp_path / "441481.yaml"
    path.write_text(yaml.safe_dump(WINDOW_COUNTY, allow_unicode=True), encoding="utf-8")
    loader.load(store, [path])
    app.config["DEFAULT_REGION"] = "441481"


@pytest.fixture
def sending(app, twilio_mock, window_county):
    """The reminder sender talks to Twilio's API through Prism."""
    app.config.update(TWILIO_API_BASE_URL=twilio_mock.url, REMINDER_RATE_PER_SECOND=0, TWILIO_TIMEOUT=10)
    return twilio_mock


def section(page: str, name: str) -> str:
    """One <section id=...> of a page."""
    return page.split(f'<section id="{name}">', 1)[1].split("</section>", 1)[0]


def run(runner, at: str) -> str:
    result = runner.invoke(args=["reminders", "run", "--once", "--now", at])
    assert result.exit_code == 0, result.output
    return result.output


def sent_kinds(store, phone: str) -> list[str]:
    return [row["kind"] for row in store.outbox_of(store.contact(phone).id) if row["provider_id"]]


# The inbox: unanswered questions


def test_a_question_attached_to_a_topic_is_answered_by_that_topic_next_time(client, api, store, clock):
    assert api.send(PHONE, QUESTION)["intent"] == "unknown"
    assert api.send("+8613800000002", "我的社保卡丢了 怎么办？")["intent"] == "unknown"  # the same question
    assert api.send("+8613800000003", "What about my cow insurance")["intent"] == "unknown"  # another one
    sign_in(client, store, clock, "li", "editor", "441403")
    page = client.get("/admin/inbox").get_data(as_text=True)
    assert QUESTION in page and "被问 2 次" in page and "What about my cow insurance" in page
    ids = [row["id"] for row in store.unanswered() if "社保卡" in row["text"]]
    before = store.vocabulary_row("zh-Hans")["version"]
    response = post(client, "/admin/inbox/attach", {"ids": ids, "topic": "service.where", "example": QUESTION})
    assert response.status_code == 302
    vocabulary = store.vocabulary_row("zh-Hans")
    assert vocabulary["version"] == before + 1 and vocabulary["source"] == "staff" and vocabulary["author"] == "li"
    assert QUESTION in store.vocabulary("zh-Hans")["intents"]["service.where"]["examples"]
    answered = [row for row in store.unanswered("answered")]
    assert sorted(row["id"] for row in answered) == sorted(ids) and {row["topic"] for row in answered} == {"service.where"}
    reply = api.send("+8613800000004", QUESTION)  # the next farmer asking it gets the topic
    assert reply["intent"] == "service.where"
    assert store.audit_log("intents zh-Hans")[0]["action"] == "inbox attach"
    page = client.get("/admin/inbox").get_data(as_text=True)
    assert QUESTION not in page and "What about my cow insurance" in page


def test_questions_can_be_dismissed_and_outside_the_region_are_not_shown(client, api, store, clock, staff_client):
    api.send(PHONE, QUESTION)
    sign_in(staff_client, store, clock, "far", "editor", "110101")  # a district of Beijing
    assert QUESTION not in staff_client.get("/admin/inbox").get_data(as_text=True)
    ids = [row["id"] for row in store.unanswered()]
    assert post(staff_client, "/admin/inbox/dismiss", {"ids": ids}).status_code == 403
    sign_in(client, store, clock, "li", "editor", "441400")  # Meizhou covers Meixian, the default region
    assert post(client, "/admin/inbox/dismiss", {"ids": ids}).status_code == 302
    assert store.unanswered() == [] and store.unanswered("dismissed")[0]["id"] == ids[0]


# Tickets


def test_a_ticket_answered_by_sms_goes_out_after_opt_out_while_reminders_stay_stopped(client, sms, store, clock, runner, sending):
    sms.receive(PHONE, "提醒")  # opted in to reminders, in a county whose window is open in March
    sms.receive("+8613800000002", "提醒")  # another farmer, still opted in
    assert "H000" in sms.receive(PHONE, "人工")
    sms.receive(PHONE, "退订")  # then STOP
    assert store.contact(PHONE).opted_out
    ref, ticket = next(iter(tickets(store).items()))
    sign_in(client, store, clock, "li", "editor", "441481")
    page = client.get("/admin/inbox").get_data(as_text=True)
    assert ref in page and mask_address(PHONE) in page and PHONE not in page
    response = post(client, f"/admin/inbox/tickets/{ticket['id']}/answer", {"answer": "明天上午村委会有人帮您办。", "close": "1"})
    assert response.status_code == 302
    assert run(runner, "2027-03-01T10:00:00+08:00")
    to_farmer = [r["form"] for r in sending.requests if r["form"]["To"] == PHONE]
    assert len(to_farmer) == 1 and "明天上午村委会有人帮您办。" in to_farmer[0]["Body"] and ref in to_farmer[0]["Body"]
    assert sent_kinds(store, PHONE) == ["answer"]  # the answer went out, no reminder did
    assert sent_kinds(store, "+8613800000002") == ["pension_open"]  # reminders still go to those who want them
    messages = store.messages_of(store.contact(PHONE).id)
    assert messages[-1]["direction"] == "out" and messages[-1]["intent"] == "answer"
    row = tickets(store)[ref]
    assert row["status"] == "closed" and row["answer"] == "明天上午村委会有人帮您办。" and row["channel"] == "sms"
    assert store.audit_log(f"ticket {ref}")[0]["action"] == "ticket answer"
    assert run(runner, "2027-03-02T10:00:00+08:00") and sent_kinds(store, PHONE) == ["answer"]  # sent once


def test_a_chat_ticket_is_assigned_answered_in_the_conversation_and_closed(client, api, store, clock):
    address = "wechat:farmer-7"
    api.send(address, "我要提意见：村里的宣传单字太小了")
    ref, ticket = next(iter(tickets(store).items()))
    store.save_staff("wang", auth.hash_password(PASSWORD), "editor", "441403", clock())
    sign_in(client, store, clock, "li", "editor", "441403")
    path = f"/admin/inbox/tickets/{ticket['id']}"
    assert "宣传单" in client.get(path).get_data(as_text=True)
    assert post(client, path + "/assign", {"assignee": "wang"}).status_code == 302
    assert tickets(store)[ref]["status"] == "assigned" and tickets(store)[ref]["assigned_to"] == "wang"
    assert "wang" in client.get("/admin/inbox?status=assigned").get_data(as_text=True)
    post(client, path + "/answer", {"answer": "谢谢，下次印大字版。"})
    contact = store.contact(address)
    last = store.messages_of(contact.id)[-1]
    assert last["direction"] == "out" and last["channel"] == "api" and "谢谢，下次印大字版。" in last["text"]
    assert store.outbox_of(contact.id) == []  # a chat answer is no SMS
    assert tickets(store)[ref]["status"] == "assigned"  # answered, left open for more
    post(client, path + "/status", {"status": "closed"})
    assert tickets(store)[ref]["status"] == "closed"
    post(client, path + "/status", {"status": "open"})
    assert tickets(store)[ref]["status"] == "assigned"  # reopened to the one who has it
    actions = [row["action"] for row in store.audit_log(f"ticket {ref}")]
    assert actions == ["ticket status", "ticket status", "ticket answer", "ticket assign"]


def test_numbers_are_masked_in_lists_and_whole_only_where_an_admin_opens_one_contact(client, sms, store, clock, staff_client):
    sms.receive(PHONE, "人工")
    sms.receive(PHONE, QUESTION)
    ticket = next(iter(tickets(store).values()))
    masked = mask_address(PHONE)
    assert masked == "+86138****0001"
    sign_in(staff_client, store, clock, "li", "editor", "441403")
    for path in ("/admin/inbox", f"/admin/inbox/tickets/{ticket['id']}", f"/admin/inbox/contacts/{ticket['contact_id']}"):
        page = staff_client.get(path).get_data(as_text=True)
        assert masked in page and PHONE not in page and "13800000001" not in page, path
    sign_in(client, store, clock, "boss", "admin")
    assert PHONE not in client.get("/admin/inbox").get_data(as_text=True)
    assert PHONE not in client.get(f"/admin/inbox/tickets/{ticket['id']}").get_data(as_text=True)
    assert PHONE in client.get(f"/admin/inbox/contacts/{ticket['contact_id']}").get_data(as_text=True)
    assert store.audit_log(f"contact {ticket['contact_id']}")[0]["username"] == "boss"


# Reminders


def test_pausing_a_region_stops_its_reminders_until_it_is_resumed(client, sms, store, clock, runner, sending):
    sms.receive(PHONE, "提醒")
    sms.receive("+8613800000002", "提醒")
    sign_in(client, store, clock, "li", "editor", "441400")  # Meizhou: Xingning is under it
    planned = section(client.get("/admin/reminders").get_data(as_text=True), "planned")
    assert "pension_open" in planned and "兴宁市 (441481)" in planned  # planned this week
    assert "queued 0" not in run(runner, "2027-03-01T07:00:00+08:00")  # planned, held before the sending hours
    assert post(client, "/admin/reminders/pause", {"region": "441481"}).status_code == 302
    assert store.paused_regions()[0]["region"] == "441481"
    sms.receive("+8613800000003", "提醒")  # a farmer who opts in while the county is paused
    output = run(runner, "2027-03-01T10:00:00+08:00")
    assert "planned 0, sent 0" in output and sending.requests == []
    page = client.get("/admin/reminders").get_data(as_text=True)
    assert 'name="region" value="441481"' in page  # a resume button
    assert "pension_open" not in section(page, "planned")  # nothing planned while paused
    assert post(client, "/admin/reminders/resume", {"region": "441481"}).status_code == 302
    assert store.paused_regions() == []
    output = run(runner, "2027-03-01T10:05:00+08:00")
    assert "planned 1, sent 3" in output, output
    assert {r["form"]["To"] for r in sending.requests} == {PHONE, "+8613800000002", "+8613800000003"}
    assert [row["action"] for row in store.audit_log("region 441481")] == ["reminders resume", "reminders pause"]


def test_a_county_editor_cannot_pause_another_county(client, store, clock):
    sign_in(client, store, clock, "li", "editor", "441403")
    assert post(client, "/admin/reminders/pause", {"region": "441481"}).status_code == 403
    assert post(client, "/admin/reminders/pause", {"region": "not a place"}).status_code == 400
    assert store.paused_regions() == []


def roster_upload(client, text: str, basis: str = "兴宁市某镇2027年参保名册"):
    data = {"basis": basis, "roster": (io.BytesIO(text.encode("utf-8")), "roster.csv")}
    return post(client, "/admin/reminders/roster", data, content_type="multipart/form-data", follow_redirects=True)


def test_a_roster_with_a_bad_row_names_the_line_and_imports_nothing(client, store, clock, window_county):
    sign_in(client, store, clock, "li", "editor", "441400")
    page = roster_upload(client, ROSTER + "13500000021,441481,上村,,,,,,,\n13500000022,441481,上村,19x0,,,,,,\n")
    text = page.get_data(as_text=True)
    assert "未导入任何数据" in text and "第 3 行" in text and "birth_year" in text
    assert store.contact("+8613500000021") is None
    page = roster_upload(client, ROSTER + "13500000021,441481,上村,,,,,,,\n13500000031,110101,,,,,,,,\n")
    assert "第 3 行" in page.get_data(as_text=True) and store.contact("+8613500000021") is None  # not Meizhou
    page = roster_upload(client, ROSTER + "13500000021,441481,上村,1960,5,no,,no,,\n13500000022,,上村,1958,,yes,2026,,,\n")
    text = page.get_data(as_text=True)
    assert "新增 2 位居民，更新 0 位" in text
    assert store.contact("+8613500000022").region == "441400"  # a row without a place is in the editor's region
    assert "上村" in text and "兴宁市 (441481)" in text  # per village: not enrolled, not paid
    assert store.audit_log("roster roster.csv")[0]["action"] == "roster import"


# The dashboard


def test_the_dashboard_draws_svg_charts_and_the_csv_downloads(client, api, sms, store, clock):
    api.send(PHONE, "养老保险分几档")
    api.send(PHONE, QUESTION)
    api.send(PHONE, "我45岁 交500 能领多少")
    sms.receive("+8613800000002", "我要投诉：电话一直打不通")
    sms.receive("+8613800000002", "退订")
    sign_in(client, store, clock, "li", "viewer", "441403")
    page = client.get("/admin/dashboard").get_data(as_text=True)
    assert page.count("<svg") == 3 and "<rect" in page and "<script" not in page and 'style="' not in page
    assert "梅县区 (441403)" in page and "pension.grades" in page
    assert "结束后不再保留" in page  # the grades column is left out, and the page says why
    response = client.get("/admin/dashboard.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("week,region,region_name,messages,unanswered,unanswered_rate")
    row = dict(zip(lines[0].split(","), lines[1].split(",")))
    assert row["region"] == "441403" and row["week"] == "2026-03-02"
    assert int(row["messages"]) == 5 and int(row["unanswered"]) == 1 and int(row["estimate_farmers"]) == 1
    assert int(row["opt_outs"]) == 1 and int(row["feedback"]) == 1
    assert client.get("/admin/dashboard.csv?region=110101").status_code == 403


# Roles and CSRF


def test_a_viewer_reads_every_page_and_cannot_change_anything(client, api, store, clock, window_county):
    api.send(PHONE, QUESTION)
    api.send(PHONE, "人工")
    ticket = next(iter(tickets(store).values()))
    question = store.unanswered()[0]
    sign_in(client, store, clock, "ma", "viewer", "441481")
    for path in ("/admin/inbox", f"/admin/inbox/tickets/{ticket['id']}", "/admin/reminders", "/admin/dashboard",
                 "/admin/dashboard.csv"):  # fmt: skip
        assert client.get(path).status_code == 200, path
    page = client.get(f"/admin/inbox/tickets/{ticket['id']}").get_data(as_text=True)
    assert "/answer" not in page and "/assign" not in page
    forbidden = [
        ("/admin/inbox/attach", {"ids": question["id"], "topic": "service.where", "example": QUESTION}),
        ("/admin/inbox/dismiss", {"ids": question["id"]}),
        (f"/admin/inbox/tickets/{ticket['id']}/assign", {"assignee": "ma"}),
        (f"/admin/inbox/tickets/{ticket['id']}/status", {"status": "closed"}),
        (f"/admin/inbox/tickets/{ticket['id']}/answer", {"answer": "好的"}),
        ("/admin/reminders/pause", {"region": "441481"}),
        ("/admin/reminders/resume", {"region": "441481"}),
    ]
    for path, data in forbidden:
        assert post(client, path, data).status_code == 403, path
    response = post(client, "/admin/reminders/roster", {"basis": "名册", "roster": (io.BytesIO(b"phone\n13500000001\n"), "r.csv")},
                    content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 403
    assert store.unanswered()[0]["status"] == "open" and tickets(store)[ticket["ref"]]["status"] == "open"
    assert store.paused_regions() == [] and store.contact("+8613500000001") is None
    assert [row for row in store.audit_log() if row["action"] not in ("login",)] == []


def test_an_account_of_another_region_gets_403_on_a_ticket(client, api, store, clock):
    api.send(PHONE, "人工")
    ticket = next(iter(tickets(store).values()))
    sign_in(client, store, clock, "far", "editor", "110101")
    assert client.get(f"/admin/inbox/tickets/{ticket['id']}").status_code == 403
    assert client.get(f"/admin/inbox/contacts/{ticket['contact_id']}").status_code == 403
    assert post(client, f"/admin/inbox/tickets/{ticket['id']}/answer", {"answer": "好"}).status_code == 403
    assert client.get("/admin/dashboard?region=441403").status_code == 403
    assert ticket["ref"] not in client.get("/admin/inbox?status=all").get_data(as_text=True)


def test_a_post_without_the_csrf_token_is_refused(client, api, store, clock):
    api.send(PHONE, "人工")
    ticket = next(iter(tickets(store).values()))
    sign_in(client, store, clock, "boss", "admin")
    assert client.post("/admin/reminders/pause", data={"region": "441403"}).status_code == 400
    assert client.post(f"/admin/inbox/tickets/{ticket['id']}/status", data={"status": "closed"}).status_code == 400
    assert store.paused_regions() == [] and tickets(store)[ticket["ref"]]["status"] == "open"


def test_pages_need_a_login(client):
    for path in ("/admin/inbox", "/admin/reminders", "/admin/dashboard", "/admin/dashboard.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"], path


# In a real browser at phone size (the `live_server` and `page` fixtures of conftest.py)


def test_the_inbox_and_the_dashboard_fit_a_phone(live_server, page, api, sms, store, clock):
    from conftest import PHONE_VIEWPORT, SCREENSHOTS

    api.send(PHONE, QUESTION)
    api.send("+8613800000002", "我的社保卡丢了 怎么办？")
    api.send("+8613800000003", "村里大喇叭说的那个钱我家老头子还能不能拿，" * 3)
    api.send(PHONE, "养老保险分几档")
    sms.receive("+8613800000004", "人工")
    sms.receive("+8613800000005", "我要投诉：乡里的电话一直打不通，" + "打了好多次" * 10)
    store.save_staff("li", auth.hash_password(PASSWORD), "editor", "441403", clock())
    page.goto(live_server + "/admin/inbox")
    page.fill("input[name=username]", "li")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url.endswith("/admin/inbox")
    assert page.locator("#questions .card").count() == 2 and page.locator("#tickets .card").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "inbox.png"), full_page=True)
    page.goto(live_server + "/admin/dashboard")
    assert page.locator("figure svg").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
