"""The content admin: topics (drafts, publishing, revert, region overrides, keywords), regions (policy, marks,
confirm), the freshness report, import and export, region scope and CSRF, all through the Flask test client."""

import html
import io
import json
import re
import zipfile

import pytest
import yaml

from nongbao.admin import auth

PASSWORD = "correct horse battery staple"
OVERVIEW = "/admin/topics/pension.overview"
ZH_ASK, EN_ASK = "新农保是什么", "what is nongbao"


def csrf(client, path: str = "/admin/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


class Staff:
    """A signed-in staff member's browser: posts forms with the session's CSRF token."""

    def __init__(self, client, store, clock, username: str, role: str, region: str | None):
        self.client = client
        store.save_staff(username, auth.hash_password(PASSWORD), role, region, clock())
        response = client.post("/admin/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf(client)})
        assert response.status_code == 302, response.get_data(as_text=True)
        self.token = csrf(client, "/admin/")

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, token: bool = True, **kwargs):
        form = dict(data or {})
        if token:
            form["csrf_token"] = self.token
        return self.client.post(path, data=form, **kwargs)

    def save(self, locale: str, body: str, title: str = "Title", region: str = "", key: str = "pension.overview"):
        return self.post(f"/admin/topics/{key}/{locale}", {"region": region, "title": title, "body": body})

    def publish(self, locale: str, region: str = "", key: str = "pension.overview"):
        return self.post(f"/admin/topics/{key}/{locale}/publish", {"region": region})


@pytest.fixture
def admin(client, store, clock):
    return Staff(client, store, clock, "ada", "admin", None)


def farmer(api, store, clock, phone: str, region: str | None = None):
    """A farmer known to the service, in a place (set as the county question would set it)."""
    api.send(phone, "你好")
    if region:
        contact = store.contact(phone)
        store.update_contact(contact.id, clock(), region=region, region_status="set")
    return phone


ZH_NEW = "新农保测试说明：年满{claim_age}岁、交够{min_years}年，每月领养老金。详询{hotline}。"
EN_NEW = "Test text of the pension: from age {claim_age}, after {min_years} years paid, a monthly pension. Call {hotline}."


def test_edit_publish_serves_the_new_text_a_draft_is_not_served_and_revert_restores(admin, api, store, clock):
    phone = farmer(api, store, clock, "+8613800001001")
    before_zh, before_en = api.send(phone, ZH_ASK)["reply"], api.send(phone, EN_ASK)["reply"]
    published_zh = store.topic("pension.overview", "zh-Hans")

    assert admin.save("zh-Hans", ZH_NEW, title="居民养老保险").status_code == 302
    assert admin.save("en", EN_NEW, title="Residents pension basics").status_code == 302
    assert api.send(phone, ZH_ASK)["reply"] == before_zh  # a draft is not served
    assert api.send(phone, EN_ASK)["reply"] == before_en
    page = admin.get(f"{OVERVIEW}/zh-Hans").get_data(as_text=True)
    assert "新农保测试说明：年满60岁" in page  # the preview, rendered for the farmer
    assert 'name="body"' in page and 'name="publish"' in page

    assert admin.publish("zh-Hans").status_code == 302
    assert admin.publish("en").status_code == 302
    zh = api.send(phone, ZH_ASK)
    assert zh["intent"] == "pension.overview" and zh["reply"].startswith("新农保测试说明：年满60岁、交够15年")
    en = api.send(phone, EN_ASK)
    assert en["intent"] == "pension.overview" and en["reply"].startswith("Test text of the pension: from age 60")
    row = store.topic("pension.overview", "zh-Hans")
    assert row["source"] == "staff" and row["author"] == "ada" and row["status"] == "published"

    response = admin.post(f"{OVERVIEW}/zh-Hans/revert", {"region": "", "version": published_zh["version"]})
    assert response.status_code == 302
    assert api.send(phone, ZH_ASK)["reply"] == before_zh
    reverted = store.topic("pension.overview", "zh-Hans")
    assert reverted["body"] == published_zh["body"] and reverted["version"] > row["version"]
    versions = [r["version"] for r in store.topic_history("pension.overview", "zh-Hans")]
    assert len(versions) == len(set(versions))
    actions = [e["action"] for e in store.audit_log("topic pension.overview zh-Hans")]
    assert actions[:3] == ["topic revert", "topic publish", "topic draft"]


def test_a_region_text_reaches_places_under_it_and_not_a_sibling(admin, api, store, clock):
    under = farmer(api, store, clock, "+8613800001002", "441403")  # 梅县区, under 梅州市
    sibling = farmer(api, store, clock, "+8613800001003", "445100")  # 潮州市, another prefecture of Guangdong
    national = api.send(sibling, ZH_ASK)["reply"]
    response = admin.save("zh-Hans", "梅州专用：年满{claim_age}岁可以领。详询{hotline}。", title="梅州", region="441400")
    assert response.status_code == 302
    assert admin.publish("zh-Hans", region="441400").status_code == 302
    assert api.send(under, ZH_ASK)["reply"].startswith("梅州专用：年满60岁可以领。")
    assert api.send(sibling, ZH_ASK)["reply"] == national
    assert store.topic("pension.overview", "zh-Hans")["region"] is None  # the national text is untouched
    page = admin.get(f"{OVERVIEW}/zh-Hans?region=441403").get_data(as_text=True)
    assert "梅州市" in page and "441400" in page  # which text the place gets: its prefecture's
    listing = admin.get("/admin/topics?place=441403").get_data(as_text=True)
    assert "梅州市" in listing


def test_an_editor_sees_which_text_their_county_gets_and_writes_its_own(admin, app, api, store, clock):
    admin.save("zh-Hans", "梅州专用：详询{hotline}。", title="梅州", region="441400")
    admin.publish("zh-Hans", region="441400")
    editor = Staff(app.test_client(), store, clock, "mei", "editor", "441403")
    listing = editor.get("/admin/topics").get_data(as_text=True)
    assert "梅州市" in listing  # the county gets its prefecture's text, though the editor cannot open that one
    page = editor.get(f"{OVERVIEW}/zh-Hans?region=441403").get_data(as_text=True)
    assert "梅州专用" in page
    assert editor.save("zh-Hans", "梅县专用：详询{hotline}。", title="梅县", region="441403").status_code == 302
    assert editor.publish("zh-Hans", region="441403").status_code == 302
    assert api.send(farmer(api, store, clock, "+8613800001005", "441403"), ZH_ASK)["reply"].startswith("梅县专用")
    assert api.send(farmer(api, store, clock, "+8613800001006", "441481"), ZH_ASK)["reply"].startswith("梅州专用")


def test_an_editor_makes_a_region_file_for_their_county_that_has_none(client, api, store, clock):
    editor = Staff(client, store, clock, "xing", "editor", "441481")  # 兴宁市: answered on 梅州市's figures
    assert store.region_row("441481") is None
    assert "/admin/regions/441481" in editor.get("/admin/regions").get_data(as_text=True)
    form = _region_form(editor, "441481")
    assert yaml.safe_load(form["policy"])["parent"] == "441400"
    moved = dict(form, policy=form["policy"].replace("parent: '441400'", "parent: '440000'"))
    response = editor.post("/admin/regions/441481", moved)
    assert response.status_code == 400 and "parent" in response.get_data(as_text=True)
    own = dict(form, policy=form["policy"] + "contact:\n  hotline: 0753-1234567\n", sources="contact.hotline: county notice")
    assert editor.post("/admin/regions/441481", own).status_code == 302
    region = api.get("/api/v1/regions/441481").get_json()
    assert region["contact"]["hotline"] == "0753-1234567" and region["basis"]["code"] == "441481"
    assert region["pension"]["claim_age"] == 60  # the rest is still inherited
    assert store.region_row("441481")["author"] == "xing"


def test_a_text_that_breaks_the_rules_is_refused_with_a_clear_message(admin, store):
    before = store.topic_history("pension.overview", "zh-Hans")
    response = admin.save("zh-Hans", "年满{age_now}岁可以领。")
    assert response.status_code == 400 and "unknown placeholder {age_now}" in response.get_data(as_text=True)
    response = admin.save("zh-Hans", "很长的说明。" * 60)
    assert response.status_code == 400 and "SMS parts" in response.get_data(as_text=True)
    response = admin.save("en", "See www.example.com for more.")
    assert response.status_code == 400 and "links" in response.get_data(as_text=True)
    assert store.topic_history("pension.overview", "zh-Hans") == before


def test_the_live_preview_and_the_counter_script(admin):
    response = admin.post(f"{OVERVIEW}/zh-Hans/preview", {"region": "441403", "body": "年满{claim_age}岁。"})
    body = response.get_json()
    assert body["text"].startswith("年满60岁。") and body["parts"] == 1 and body["signature"] == "【农保助手】"
    page = admin.get(f"{OVERVIEW}/zh-Hans").get_data(as_text=True)
    assert "topic_editor.js" in page and "<script>" not in page and " style=" not in page
    assert admin.get("/admin/static/topic_editor.js").status_code == 200


def test_keywords_and_examples_steer_matching_from_the_next_message(admin, api, store, clock):
    phone = farmer(api, store, clock, "+8613800001004")
    stamp = store.content_version_stamp()
    assert api.send(phone, "zorblax question")["intent"] != "pension.overview"
    page = admin.get(f"{OVERVIEW}/en").get_data(as_text=True)
    keywords = re.search(r'<textarea name="keywords"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert "scam | 1.2" in keywords
    examples = re.search(r'<textarea name="examples"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    response = admin.post(f"{OVERVIEW}/en/vocabulary", {"keywords": keywords + "\nzorblax | 3", "examples": examples})
    assert response.status_code == 302
    assert store.content_version_stamp() != stamp
    assert api.send(phone, "zorblax question")["intent"] == "pension.overview"
    entry = json.loads(store.vocabulary_row("en")["data"])["intents"]["pension.overview"]
    assert {"text": "zorblax", "weight": 3.0} in entry["keywords"] and {"text": "scam", "weight": 1.2} in entry["keywords"]
    response = admin.post(f"{OVERVIEW}/en/vocabulary", {"keywords": "scam | lots", "examples": ""})
    assert response.status_code == 400 and "keywords line 1" in response.get_data(as_text=True)


def test_an_editor_of_one_county_cannot_open_or_change_another_countys_topics_or_policy(client, store, clock):
    editor = Staff(client, store, clock, "mei", "editor", "441403")
    assert editor.get(f"{OVERVIEW}/zh-Hans?region=441403").status_code == 200
    assert editor.get(f"{OVERVIEW}/zh-Hans").headers["Location"].endswith("region=441403")
    assert editor.get(f"{OVERVIEW}/zh-Hans?region=441481").status_code == 403  # 兴宁市, another county
    assert editor.save("zh-Hans", "兴宁：详询{hotline}。", region="441481").status_code == 403
    assert editor.save("zh-Hans", "全国：详询{hotline}。", region="").status_code == 403
    assert editor.publish("zh-Hans", region="441481").status_code == 403
    assert editor.get("/admin/regions/441481").status_code == 403
    assert editor.get("/admin/regions/441400").status_code == 403
    assert editor.post("/admin/regions/441400", {"policy": "code: '441400'"}).status_code == 403
    assert editor.post("/admin/regions/441400/confirm", {"path": "pension.basic_pension.local"}).status_code == 403
    assert editor.post(f"{OVERVIEW}/zh-Hans/vocabulary", {"keywords": "x", "examples": ""}).status_code == 403
    assert store.topic_versions("pension.overview", "zh-Hans", "441481") == []
    # their own county works
    assert editor.save("zh-Hans", "梅县：详询{hotline}。", title="梅县", region="441403").status_code == 302
    assert editor.get("/admin/regions/441403").status_code == 200
    listing = editor.get("/admin/regions").get_data(as_text=True)
    assert "/admin/regions/441403" in listing and "/admin/regions/441400" not in listing
    viewer = Staff(client, store, clock, "vic", "viewer", "441403")
    assert viewer.get("/admin/regions/441403").status_code == 200
    assert viewer.save("zh-Hans", "梅县：详询{hotline}。", region="441403").status_code == 403
    assert viewer.post("/admin/regions/441403/confirm", {"path": "contact.office"}).status_code == 403


def test_a_post_without_its_csrf_token_is_refused(admin, store):
    before = store.topic_history("pension.overview", "zh-Hans")
    response = admin.post(f"{OVERVIEW}/zh-Hans", {"region": "", "title": "T", "body": "详询{hotline}。"}, token=False)
    assert response.status_code == 400
    assert admin.post("/admin/regions/441403/confirm", {"path": "contact.office"}, token=False).status_code == 400
    assert store.topic_history("pension.overview", "zh-Hans") == before
    assert "contact.office" in json.loads(store.region_row("441403")["data"])["unconfirmed"]


def _region_form(admin, code: str) -> dict:
    page = admin.get(f"/admin/regions/{code}").get_data(as_text=True)
    fields = {}
    for name in ("policy", "unconfirmed", "sources"):
        raw = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', page, re.S).group(1)
        fields[name] = html.unescape(raw)
    return fields


def test_a_region_edit_that_fails_validation_changes_nothing_and_names_the_key(admin, api, store):
    before = store.region_row("441400")
    form = _region_form(admin, "441400")
    assert yaml.safe_load(form["policy"])["code"] == "441400"
    broken = dict(form, policy=form["policy"] + "pension:\n  claim_age: sixty\n")
    response = admin.post("/admin/regions/441400", broken)
    assert response.status_code == 400 and "pension.claim_age" in response.get_data(as_text=True)
    wrong_mark = dict(form, unconfirmed="pension.nonsense")
    response = admin.post("/admin/regions/441400", wrong_mark)
    assert response.status_code == 400 and "unconfirmed[0]" in response.get_data(as_text=True)
    orphan = dict(form, policy=form["policy"].replace("parent: '440000'", "parent: '449999'"))
    response = admin.post("/admin/regions/441400", orphan)
    assert response.status_code == 400 and "parent" in response.get_data(as_text=True)
    assert store.region_row("441400") == before

    changed = dict(form, policy=form["policy"] + "pension:\n  claim_age: 61\n")
    assert admin.post("/admin/regions/441400", changed).status_code == 302
    row = store.region_row("441400")
    assert row["version"] == before["version"] + 1 and row["source"] == "staff"
    assert api.get("/api/v1/regions/441403").get_json()["pension"]["claim_age"] == 61  # inherited below at once
    assert store.audit_log("region 441400")[0]["action"] == "region save"


def test_confirm_removes_the_mark_and_writes_the_audit_log(admin, api, store):
    assert "contact.office" in api.get("/api/v1/regions/441403").get_json()["unconfirmed"]
    page = admin.get("/admin/regions/441403").get_data(as_text=True)
    assert "contact.office" in page and "梅州市" in page  # own marks, and what is inherited from where
    response = admin.post("/admin/regions/441403/confirm", {"path": "contact.office"})
    assert response.status_code == 302
    own = json.loads(store.region_row("441403")["data"])
    assert "unconfirmed" not in own and own["contact"]["office"]["zh-Hans"].startswith("梅县区")
    assert "contact.office" not in api.get("/api/v1/regions/441403").get_json()["unconfirmed"]
    entry = store.audit_log("region 441403")[0]
    assert entry["action"] == "confirm" and entry["username"] == "ada" and entry["created_at"]
    assert json.loads(entry["after"])["confirmed"] == "contact.office"
    assert "contact.office" in json.loads(entry["before"])["unconfirmed"]


def test_the_freshness_report_is_limited_to_the_accounts_region(admin, client, store, clock):
    page = admin.get("/admin/freshness").get_data(as_text=True)
    assert "130000" in page and "441403" in page and "pension.basic_pension.local" in page
    admin.get("/admin/logout")
    client.post("/admin/logout", data={"csrf_token": admin.token})
    editor = Staff(client, store, clock, "mei", "editor", "441403")
    page = editor.get("/admin/freshness").get_data(as_text=True)
    assert "441403" in page and "130000" not in page and "440000" not in page


def test_export_then_upload_loads_through_the_loader_and_keeps_staff_edits(admin, store):
    response = admin.get("/admin/topics/pension.death/export")
    data = yaml.safe_load(response.data)
    assert response.status_code == 200 and data["key"] == "pension.death" and set(data["body"]) == {"zh-Hans", "en"}
    archive = zipfile.ZipFile(io.BytesIO(admin.get("/admin/topics/export.zip").data))
    assert "topics/pension.overview.yaml" in archive.namelist()

    def upload(path: str, name: str, text: str):
        return admin.client.post(path, data={"csrf_token": admin.token, "file": (io.BytesIO(text.encode()), name)},
                                 content_type="multipart/form-data")  # fmt: skip

    same = upload("/admin/topics/import", "pension.death.yaml", yaml.safe_dump(data, allow_unicode=True))
    assert same.status_code == 200 and store.topic("pension.death", "zh-Hans")["version"] == 1  # unchanged
    data["body"]["zh-Hans"] = "从文件来的新说明。详询{hotline}。"
    loaded = upload("/admin/topics/import", "pension.death.yaml", yaml.safe_dump(data, allow_unicode=True))
    assert loaded.status_code == 200 and store.topic("pension.death", "zh-Hans")["body"] == "从文件来的新说明。详询{hotline}。"
    assert store.topic("pension.death", "zh-Hans")["source"] == "file"

    admin.save("zh-Hans", "员工写的说明。详询{hotline}。", title="身故", key="pension.death")
    admin.publish("zh-Hans", key="pension.death")
    data["body"]["zh-Hans"] = "又一个文件版本。详询{hotline}。"
    kept = upload("/admin/topics/import", "pension.death.yaml", yaml.safe_dump(data, allow_unicode=True))
    assert kept.status_code == 200 and "topic pension.death zh-Hans" in kept.get_data(as_text=True)
    assert store.topic("pension.death", "zh-Hans")["body"] == "员工写的说明。详询{hotline}。"

    bad = upload("/admin/topics/import", "pension.death.yaml", "key: pension.death\nbody: {en: x}\n")
    assert bad.status_code == 400 and "什么都没有导入" in bad.get_data(as_text=True)

    region = admin.get("/admin/regions/441400/export")
    assert yaml.safe_load(region.data)["code"] == "441400"
    again = upload("/admin/regions/import", "441400.yaml", region.data.decode())
    assert again.status_code == 200 and store.region_row("441400")["version"] == 1  # the same file: no new version
    assert upload("/admin/regions/import", "pension.death.yaml", yaml.safe_dump(data)).status_code == 400


def test_an_editor_may_upload_only_their_regions_files(client, admin, store, clock):
    other = admin.get("/admin/regions/441400/export").data
    client.post("/admin/logout", data={"csrf_token": admin.token})
    editor = Staff(client, store, clock, "mei", "editor", "441403")
    own = editor.get("/admin/regions/441403/export").data
    form = {"csrf_token": editor.token, "file": (io.BytesIO(other), "441400.yaml")}
    assert client.post("/admin/regions/import", data=form, content_type="multipart/form-data").status_code == 403
    form = {"csrf_token": editor.token, "file": (io.BytesIO(own), "441403.yaml")}
    assert client.post("/admin/regions/import", data=form, content_type="multipart/form-data").status_code == 200
    assert editor.get("/admin/topics/import").status_code == 403


def test_in_a_browser_staff_edit_and_publish_the_overview_and_the_api_answers_with_it(live_server, page, store, clock, api):
    from conftest import PHONE_VIEWPORT, SCREENSHOTS
    from playwright.sync_api import expect

    store.save_staff("ada", auth.hash_password(PASSWORD), "admin", None, clock())
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("response", lambda response: errors.append(response.url) if response.status >= 400 else None)
    page.goto(live_server + "/admin/login")
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(live_server + OVERVIEW + "/zh-Hans")
    counter = page.locator("#sms-counter")
    page.fill("textarea[name=body]", "浏览器里改的说明：年满{claim_age}岁、交够{min_years}年就能领。详询{hotline}。")
    expect(page.locator("#preview-text")).to_contain_text("浏览器里改的说明：年满60岁")  # filled in by the server
    assert "1" in counter.inner_text() and "3" in counter.inner_text()  # parts of the limit, counted as typed
    with page.expect_navigation():
        page.click("button[name=save]")
    assert "浏览器里改的说明" in page.locator("#preview-text").inner_text()
    phone = farmer(api, store, clock, "+8613800001009")
    assert not api.send(phone, ZH_ASK)["reply"].startswith("浏览器里改的说明")  # a draft until published
    with page.expect_navigation():
        page.click("button[name=publish]")
    assert page.locator(".flash").first.is_visible()
    assert api.send(phone, ZH_ASK)["reply"].startswith("浏览器里改的说明：年满60岁、交够15年就能领。")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    english = farmer(api, store, clock, "+8613800001010")
    before_en = api.send(english, EN_ASK)["reply"]
    page.goto(live_server + OVERVIEW + "/en")
    page.fill("textarea[name=body]", "Changed in a browser: paid from {claim_age} after {min_years} years. Call {hotline}.")
    with page.expect_navigation():
        page.click("button[name=save]")
    with page.expect_navigation():
        page.click("button[name=publish]")
    assert api.send(english, EN_ASK)["reply"].startswith("Changed in a browser: paid from 60 after 15 years.")
    with page.expect_navigation():
        page.locator("form[action$='/revert'] button").last.click()  # back to the version loaded from the file
    assert api.send(english, EN_ASK)["reply"] == before_en
    page.goto(live_server + OVERVIEW + "/zh-Hans")
    assert all(url.startswith(live_server) for url in requests)  # nothing from outside
    errors = [e for e in errors if "favicon.ico" not in e and "Failed to load resource" not in e]
    assert not errors  # no script or style blocked by the CSP, no script error, no failed request
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "topic_editor.png"), full_page=True)
