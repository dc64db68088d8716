"""The farmer web chat at /: the same answers as the API, a form that works without JavaScript under CSRF, the JSON
endpoint chat.js uses, proving a phone number by SMS code, and the page's languages."""

import re

import pytest
from conftest import twilio_error

QUESTION = "养老保险分几档"
PHONE = "+8613800138000"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Web:
    """A farmer's browser on the chat page: the test client keeps its session cookie."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def page(self, path: str = "/", **kwargs):
        response = self.client.get(path, **kwargs)
        assert response.status_code == 200
        self.token = TOKEN.search(response.text).group(1)
        return response

    def post(self, path: str, **form):
        if self.token is None:
            self.page()
        response = self.client.post(path, data={"csrf_token": self.token, **form})
        self.token = TOKEN.search(response.text).group(1)
        return response

    def ask(self, text: str):
        return self.post("/", text=text)

    def send(self, text, token: str | None = "page"):
        if token == "page":
            if self.token is None:
                self.page()
            token = self.token
        headers = {"X-CSRFToken": token} if token else {}
        return self.client.post("/chat/send", json={"text": text}, headers=headers)

    def chat_id(self) -> str:
        with self.client.session_transaction() as session:
            return session["chat"]


@pytest.fixture
def web(client):
    return Web(client)


@pytest.fixture
def sends_sms(app, twilio_mock):
    """Codes go out through the Twilio double (Prism validates each request against Twilio's OpenAPI file)."""
    app.config["TWILIO_API_BASE_URL"] = twilio_mock.url
    return twilio_mock


def last_code(twilio_mock) -> str:
    return re.search(r"(?<!\d)(\d{6})(?!\d)", twilio_mock.requests[-1]["form"]["Body"]).group(1)


def test_a_question_gets_the_same_answer_and_intent_as_the_api(web, api):
    for text in (QUESTION, "how do I pay online"):
        response = web.send(text)
        assert response.status_code == 200, response.data
        body = response.get_json()
        expected = api.send("api-twin", text)  # a contact with the same history as the web chat's
        assert (body["reply"], body["intent"], body["locale"]) == (expected["reply"], expected["intent"], expected["locale"])
    assert body["intent"] == "pension.payment" and body["locale"] == "en"


def test_the_form_without_javascript_answers_with_the_conversation(web, api, store):
    expected = api.send("api-farmer", QUESTION)["reply"]
    first = web.ask(QUESTION)
    assert first.status_code == 200 and 'id="latest"' in first.text
    second = web.ask("怎么交费")
    page = second.text
    assert QUESTION in page and "怎么交费" in page
    assert expected.split("\n")[0] in page  # the first answer is still shown, above the second
    assert page.index(QUESTION) < page.index("怎么交费")
    contact = store.contact(f"web:{web.chat_id()}")
    rows = store.messages_of(contact.id)
    assert [r["direction"] for r in rows] == ["in", "out", "in", "out"] and {r["channel"] for r in rows} == {"web"}


def test_without_the_csrf_token_nothing_is_asked(web, client, store):
    web.page()
    before = store.count("messages")
    refused = client.post("/", data={"text": QUESTION})
    assert refused.status_code == 400 and TOKEN.search(refused.text)  # the page again, with a fresh token
    assert client.post("/", data={"text": QUESTION, "csrf_token": "forged"}).status_code == 400
    response = web.send(QUESTION, token=None)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "csrf"
    assert client.post("/chat/verify", data={"phone": PHONE}).status_code == 400
    assert store.count("messages") == before
    assert web.ask(QUESTION).status_code == 200 and store.count("messages") == before + 2


def test_empty_long_and_too_fast_messages_are_refused_kindly(web, app, clock):
    assert web.send("  ").status_code == 400
    assert web.send("好" * (app.config["MAX_TEXT_LENGTH"] + 1)).status_code == 400
    app.config["API_RATE_PER_MINUTE"] = 2
    assert web.send(QUESTION).status_code == 200 and web.send(QUESTION).status_code == 200
    response = web.send(QUESTION)
    assert response.status_code == 429 and response.get_json()["error"]["code"] == "too_many_requests"
    assert web.ask(QUESTION).status_code == 429
    clock.advance(minutes=1, seconds=1)
    assert web.send(QUESTION).status_code == 200


def test_the_page_speaks_chinese_by_default_and_english_with_lang_en(web, client):
    chinese = web.page(headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert '<html lang="zh-Hans">' in chinese.text and "<title>农保助手</title>" in chinese.text
    assert 'href="/?lang=en"' in chinese.text
    english = web.page("/?lang=en", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en">' in english.text and "Rural insurance helper" in english.text
    assert "Verify my number" in english.text and 'href="/?lang=zh-Hans"' in english.text
    assert "lang=en" in english.headers["Set-Cookie"]
    assert '<html lang="en">' in web.ask(QUESTION).text  # the choice is kept for the forms posted from the page
    assert '<html lang="zh-Hans">' in web.page("/?lang=zh-Hans").text


def test_the_page_is_small_and_has_no_inline_script_or_style_and_nothing_from_outside(web, client):
    page = web.page().text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page) and "<style" not in page and " style=" not in page
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers
    assert "://" not in page and '="//' not in page
    css, js = (client.get(url) for url in re.findall(r'(?:href|src)="(/chat/static/[^"]+)"', page))
    assert css.status_code == js.status_code == 200
    assert len(css.data) < 4000 and len(js.data) < 4000
    assert "max-age=31536000" in css.headers["Cache-Control"]  # the URL carries the file's hash


def test_a_code_by_sms_joins_the_chat_to_the_number_and_its_history(web, sms, store, sends_sms, clock):
    sms.receive(PHONE, "你好")  # the farmer texted us before
    web.page("/?lang=en")
    web.ask(QUESTION)
    anonymous = f"web:{web.chat_id()}"
    sent = web.post("/chat/verify", phone="138 0013 8000")
    assert sent.status_code == 200 and "138****8000" in sent.text and 'name="code"' in sent.text
    request = sends_sms.requests[-1]["form"]
    assert request["To"] == PHONE and request["From"] == "+15005550006"
    code = last_code(sends_sms)
    row = store.db.execute("select * from web_sessions").fetchall()
    assert len(row) == 1 and code not in repr(row)  # only a hash is kept
    assert not any(code in (m["text"] or "") for m in store.db["messages"].rows)

    wrong = web.post("/chat/verify/code", code="000000" if code != "000000" else "111111")
    assert wrong.status_code == 400 and "Tries left: 4." in wrong.text and store.contact(anonymous) is not None

    clock.advance(minutes=2)
    joined = web.post("/chat/verify/code", code=" ".join(code))
    assert joined.status_code == 200 and "138****8000" in joined.text
    assert store.contact(anonymous) is None
    contact = store.contact(PHONE)
    texts = [m["text"] for m in store.messages_of(contact.id)]
    assert texts[0] == "你好" and QUESTION in texts
    assert "你好" in joined.text and QUESTION in joined.text  # the page shows the number's whole history

    web.ask("怎么交费")
    last = store.messages_of(contact.id)[-2:]
    assert [m["text"] for m in last][0] == "怎么交费" and {m["channel"] for m in last} == {"web"}
    assert web.post("/chat/verify/code", code=code).status_code == 400  # a code works once

    signed_out = web.post("/chat/forget")
    assert "怎么交费" not in signed_out.text and "Verify my number" in signed_out.text


def test_tries_at_a_code_are_limited_and_it_expires(web, sends_sms, clock, store):
    web.post("/chat/verify", phone=PHONE)
    code = last_code(sends_sms)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    statuses = [web.post("/chat/verify/code", code=wrong).status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    assert web.post("/chat/verify/code", code=code).status_code == 429  # even the right code, now
    assert store.contact(PHONE) is None

    assert web.post("/chat/verify", phone=PHONE).status_code == 429  # a new code only after a minute
    clock.advance(seconds=61)
    assert web.post("/chat/verify", phone=PHONE).status_code == 200
    code = last_code(sends_sms)
    clock.advance(minutes=10, seconds=1)
    expired = web.post("/chat/verify/code", code=code)
    assert expired.status_code == 400 and store.contact(PHONE) is None


def test_codes_to_one_number_are_limited_across_browsers(app, sends_sms, clock):
    for attempt in range(6):
        browser = Web(app.test_client())
        status = browser.post("/chat/verify", phone=PHONE).status_code
        assert status == (200 if attempt < 5 else 429)
    assert len(sends_sms.requests) == 5
    clock.advance(hours=1, seconds=1)
    assert Web(app.test_client()).post("/chat/verify", phone=PHONE).status_code == 200


def test_a_code_reaches_a_number_that_opted_out_and_a_refusal_is_shown(web, sms, sends_sms, store):
    sms.receive(PHONE, "STOP")
    assert store.contact(PHONE).opted_out
    assert web.post("/chat/verify", phone=PHONE).status_code == 200  # the farmer asked for it
    assert sends_sms.requests[-1]["form"]["To"] == PHONE

    other = Web(web.client.application.test_client())
    sends_sms.faults.append(twilio_error(21211, 400, "Invalid 'To' Phone Number"))
    refused = other.post("/chat/verify", phone="+8613900000001")
    assert refused.status_code == 503 and 'name="code"' not in refused.text
    assert other.post("/chat/verify", phone="12345").status_code == 400


def test_what_the_farmer_told_the_anonymous_chat_follows_the_number(web, sends_sms, store):
    web.ask("我是梅县区的")
    anonymous = store.contact(f"web:{web.chat_id()}")
    assert anonymous.region is not None
    web.post("/chat/verify", phone=PHONE)
    web.post("/chat/verify/code", code=last_code(sends_sms))
    contact = store.contact(PHONE)
    assert contact.region == anonymous.region and contact.channel == "web"
    assert store.db.execute("select count(*) from messages where contact_id = ?", [anonymous.id]).fetchone()[0] == 0
