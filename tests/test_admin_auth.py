"""Staff accounts: the CLI, the sign-in form, the lockout, the limit per address, CSRF, cookies and the audit log."""

import re

import pytest

PASSWORD = "long-enough-1"


def token(client, path: str = "/admin/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def sign_in(client, username: str, password: str = PASSWORD):
    return client.post("/admin/login", data={"username": username, "password": password, "csrf_token": token(client)})


@pytest.fixture
def boss(runner):
    result = runner.invoke(args=["staff", "add", "boss", "--role", "admin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    return "boss"


def test_staff_add_reads_the_password_from_standard_input_and_checks_roles(runner, store):
    assert runner.invoke(args=["staff", "add", "clerk", "--role", "editor"], input=PASSWORD + "\n").exit_code != 0  # no region
    result = runner.invoke(args=["staff", "add", "clerk", "--role", "editor", "--region", "441403"], input=PASSWORD + "\n")
    assert result.exit_code == 0 and store.staff("clerk")["region"] == "441403"
    assert PASSWORD not in store.staff("clerk")["password_hash"] and store.staff("clerk")["password_hash"].startswith("$argon2")
    assert runner.invoke(args=["staff", "add", "weak", "--role", "admin"], input="short\n").exit_code != 0


def test_pages_need_a_sign_in_and_the_form_signs_in(client, boss, store):
    assert client.get("/admin/").status_code == 302
    response = sign_in(client, boss)
    assert response.status_code == 302 and client.get("/admin/").status_code == 200
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert store.audit_log(f"staff {boss}")[0]["action"] == "login"


def test_a_post_without_its_csrf_token_is_refused(client, boss):
    assert client.post("/admin/login", data={"username": boss, "password": PASSWORD}).status_code == 400
    sign_in(client, boss)
    assert client.post("/admin/logout").status_code == 400
    assert client.get("/admin/").status_code == 200  # still signed in


def test_five_wrong_passwords_lock_the_account_for_a_while(client, boss, store, clock):
    for _ in range(5):
        assert sign_in(client, boss, "wrong-password").status_code == 401
    assert sign_in(client, boss).status_code == 423  # locked, even with the right password
    clock.advance(minutes=16)
    assert sign_in(client, boss).status_code == 302
    assert any(entry["action"] == "locked" for entry in store.audit_log(f"staff {boss}"))


def test_failed_sign_ins_are_limited_per_address(client, boss):
    for n in range(20):
        sign_in(client, f"nobody{n}", "wrong-password")
    assert sign_in(client, boss).status_code == 429


def test_pages_follow_the_language_asked_for(client, boss):
    assert "登录" in client.get("/admin/login").get_data(as_text=True)
    assert "Sign in" in client.get("/admin/login?lang=en").get_data(as_text=True)
