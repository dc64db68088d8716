"""Real-browser checks at phone size (360x640) in Debian's chromium: the farmer chat with and without JavaScript,
and a staff sign-in. Screenshots go to tests/screenshots/ (git-ignored, written each run)."""

import re

from conftest import PHONE_VIEWPORT, SCREENSHOTS

from nongbao.admin import auth

QUESTION = "养老保险分几档"


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]


def test_the_chat_answers_with_javascript_without_reloading(live_server, page):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    page.fill("#text", QUESTION)
    page.press("#text", "Enter")
    answer = page.locator("#log .msg.out:not(.pending)").nth(1)
    answer.wait_for()
    assert "元" in answer.inner_text() and "档" in answer.inner_text()
    assert page.locator("#log .msg.in").inner_text() == QUESTION
    assert page.url == live_server + "/"  # no page load: chat.js posted to /chat/send
    assert any(url.endswith("/chat/send") for url in requests)
    assert page.evaluate("document.activeElement.id") == "text" and page.input_value("#text") == ""
    assert all(url.startswith(live_server) for url in requests)  # nothing from outside
    assert no_horizontal_scroll(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "chat.png"))  # what the phone shows


def test_the_chat_answers_without_javascript_through_the_form(live_server, browser):
    context = browser.new_context(viewport=PHONE_VIEWPORT, java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(live_server + "/?lang=en")
        assert page.locator("h1").inner_text() == "Rural insurance helper"
        page.fill("#text", QUESTION)
        with page.expect_navigation():
            page.click("#ask button")
        assert page.url.endswith("/#latest")
        assert "元" in page.locator("#latest").inner_text()
        assert page.locator("#log .msg.in").inner_text() == QUESTION
        assert page.locator("h1").inner_text() == "Rural insurance helper"  # the language stays after the post
        assert no_horizontal_scroll(page)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "chat-nojs.png"), full_page=True)
    finally:
        context.close()


def test_a_long_answer_and_the_verify_form_fit_the_phone(live_server, page):
    page.goto(live_server + "/")
    page.click("summary")
    page.fill("#phone", "13800138000" * 2)
    for _ in range(3):
        page.fill("#text", "怎么交费 " + "很长的问题" * 40)
        page.press("#text", "Enter")
        page.wait_for_selector("#log .msg.out.pending", state="detached")
    assert no_horizontal_scroll(page)


def test_a_staff_member_signs_in_on_a_phone(live_server, page, store, clock):
    store.save_staff("wang", auth.hash_password("correct horse battery"), "admin", None, clock())
    page.goto(live_server + "/admin/")
    assert "/admin/login" in page.url
    page.fill("input[name=username]", "wang")
    page.fill("input[name=password]", "correct horse battery")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert re.search(r"/admin/?$", page.url), page.url
    assert page.locator("text=wang").count() >= 1  # the sign-out button names the account
    assert no_horizontal_scroll(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-home.png"), full_page=True)


ADMIN_PAGES = [
    "/admin/", "/admin/topics", "/admin/topics/pension.overview/zh-Hans", "/admin/topics/pension.grades/en?region=441403",
    "/admin/regions", "/admin/regions/441403", "/admin/freshness", "/admin/inbox", "/admin/reminders", "/admin/dashboard",
]  # fmt: skip


def test_every_admin_page_fits_a_phone_without_horizontal_scroll(live_server, page, store, clock, api):
    api.send("+8613800138001", "今年麦子啥价")  # something in the inbox
    api.send("+8613800138001", "我要投诉，村里收费不给收据")
    store.save_staff("zhao", auth.hash_password("correct horse battery"), "admin", None, clock())
    page.goto(live_server + "/admin/login")
    page.fill("input[name=username]", "zhao")
    page.fill("input[name=password]", "correct horse battery")
    with page.expect_navigation():
        page.click("button[type=submit]")
    for path in ADMIN_PAGES:
        response = page.goto(live_server + path)
        assert response.status == 200, path
        assert no_horizontal_scroll(page), path
