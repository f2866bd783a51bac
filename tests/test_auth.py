"""Logging in and out through the form; sessions end when a host logs out or
changes the password; logins are throttled."""

import re

import pytest

from podcast_hub.auth import hosts

from .conftest import csrf_from
from .helpers import make_comment, make_episode, make_host, make_show, reload

PASSWORD = "correct horse"
THROTTLED = {"RATELIMIT_ENABLED": True}


def copied_session(client):
    """Return the session cookie `client` holds, as an attacker would copy it."""
    return client.get_cookie("session").value


def replay(app, cookie):
    """Return a new browser that has nothing but a copied session cookie."""
    browser = app.test_client()
    browser.set_cookie("session", cookie)
    return browser


def change_password(client, current=PASSWORD, new="brand new pw"):
    token = csrf_from(client.get("/dashboard/account").get_data(as_text=True))
    return client.post(
        "/dashboard/account",
        data={
            "current_password": current,
            "new_password": new,
            "confirm": new,
            "csrf_token": token,
        },
    )


def test_a_cookie_copied_before_logout_stops_working(app, client, auth):
    auth.login()
    cookie = copied_session(client)
    assert replay(app, cookie).get("/dashboard").status_code == 200
    assert auth.logout().status_code == 303
    response = replay(app, cookie).get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_cookie_copied_before_logout_cannot_moderate(app, client, auth):
    make_show()
    comment = make_comment(make_episode(slug="ep"))
    auth.login()
    page = client.get("/dashboard").get_data(as_text=True)
    cookie, token = copied_session(client), csrf_from(page)
    auth.logout()
    response = replay(app, cookie).post(
        f"/api/comments/{comment.id}/moderation",
        json={"action": "hide"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 401
    assert response.get_json()["error"]
    assert reload(comment).status == "published"


def test_password_change_ends_every_other_session_but_this_one(app, client, auth):
    auth.login()
    copied = copied_session(client)
    laptop = app.test_client()
    token = csrf_from(laptop.get("/login").get_data(as_text=True))
    laptop.post(
        "/login",
        data={"email": "host@example.com", "password": PASSWORD, "csrf_token": token},
    )
    assert laptop.get("/dashboard").status_code == 200

    response = change_password(client)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "logged out everywhere else" in page.get_data(as_text=True)
    assert laptop.get("/dashboard").status_code == 302
    assert replay(app, copied).get("/dashboard").status_code == 302


def test_a_refused_password_change_keeps_the_sessions(app, client, auth):
    auth.login()
    copied = copied_session(client)
    assert change_password(client, current="wrong horse").status_code == 400
    assert replay(app, copied).get("/dashboard").status_code == 200


def test_set_password_ends_the_hosts_sessions(app, client, auth):
    auth.login()
    copied = copied_session(client)
    with app.app_context():
        hosts.set_password(hosts.get_by_email("host@example.com"), "brand new pw")
    assert replay(app, copied).get("/dashboard").status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_login_starts_a_new_session_and_csrf_token(client, auth):
    before = client.get("/login").get_data(as_text=True)
    cookie_before, token_before = copied_session(client), csrf_from(before)
    auth.login()
    token_after = csrf_from(client.get("/").get_data(as_text=True))
    assert copied_session(client) != cookie_before
    assert token_after != token_before
    # A token planted or read before the login is worth nothing after it.
    stale = client.post("/logout", data={"csrf_token": token_before})
    assert stale.status_code == 400
    assert client.get("/dashboard").status_code == 200
    assert client.post("/logout", data={"csrf_token": token_after}).status_code == 303


@pytest.mark.parametrize(
    "session_id", ["1", "1:", "1:1", "x:0", ":0", "1:0:0", "99999999999999999999:0"]
)
def test_a_session_id_that_is_not_current_loads_nobody(app_context, session_id):
    make_host()
    assert hosts.load_host(session_id) is None
    assert hosts.load_host("1:0") is not None


def attempt(client, password, email="host@example.com", address="192.0.2.1"):
    """Try to log in from `address` through the real form."""
    environ = {"REMOTE_ADDR": address}
    token = csrf_from(client.get("/", environ_base=environ).get_data(as_text=True))
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base=environ,
    )


@pytest.mark.parametrize(
    "config_overrides", [{**THROTTLED, "RATELIMIT_LOGIN": "3 per minute"}]
)
def test_repeated_failures_from_one_address_get_429_with_retry_after(
    client, auth, monkeypatch
):
    for _ in range(3):
        assert attempt(client, "wrong horse").status_code == 400
    checks = []
    monkeypatch.setattr(
        hosts, "check_password_hash", lambda *args: checks.append(args) or True
    )
    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    page = response.get_data(as_text=True)
    assert "Too many failed logins" in page
    assert 'name="password"' in page
    assert checks == [], "a throttled login must not cost a password hash"
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize(
    "config_overrides", [{**THROTTLED, "RATELIMIT_LOGIN": "2 per minute"}]
)
def test_another_address_is_not_throttled_by_ones_failures(client, auth):
    for _ in range(2):
        attempt(client, "wrong horse", address="192.0.2.1")
    assert attempt(client, "wrong horse", address="192.0.2.1").status_code == 429
    assert attempt(client, "wrong horse", address="198.51.100.7").status_code == 400
    assert attempt(client, PASSWORD, address="198.51.100.7").status_code == 303


@pytest.mark.parametrize(
    "config_overrides", [{**THROTTLED, "RATELIMIT_LOGIN": "2 per minute"}]
)
def test_failures_from_one_ipv6_network_count_together(client, auth):
    attempt(client, "wrong horse", address="2001:db8:1:1::1")
    attempt(client, "wrong horse", address="2001:db8:1:1::2")
    assert attempt(client, PASSWORD, address="2001:db8:1:1::3").status_code == 429


@pytest.mark.parametrize(
    "config_overrides", [{**THROTTLED, "RATELIMIT_LOGIN_ACCOUNT": "3 per hour"}]
)
def test_failures_for_one_account_from_many_addresses_get_429(client, auth):
    for n in range(3):
        response = attempt(client, "wrong horse", address=f"203.0.113.{n}")
        assert response.status_code == 400
    # Any spelling of the same address is the same account.
    response = attempt(client, PASSWORD, email=" HOST@Example.com ", address="10.9.9.9")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many failed logins" in response.get_data(as_text=True)
    make_host(email="co@example.com", display_name="Co Host", password="co-host pw")
    other = attempt(client, "co-host pw", email="co@example.com", address="10.8.8.8")
    assert other.status_code == 303


@pytest.mark.parametrize(
    "config_overrides",
    [
        {
            **THROTTLED,
            "RATELIMIT_LOGIN": "2 per minute",
            "RATELIMIT_LOGIN_ACCOUNT": "2 per hour",
        }
    ],
)
def test_successful_logins_do_not_count(client, auth):
    for _ in range(5):
        assert attempt(client, PASSWORD).status_code == 303
    assert attempt(client, "wrong horse").status_code == 400
    assert attempt(client, PASSWORD).status_code == 303
    assert attempt(client, "wrong horse").status_code == 400
    assert attempt(client, PASSWORD).status_code == 429


@pytest.mark.parametrize("config_overrides", [THROTTLED])
def test_the_default_limits_throttle_a_guessing_run(client, auth):
    statuses = [attempt(client, f"guess {n}").status_code for n in range(8)]
    assert statuses == [400] * 5 + [429] * 3


def hidden_fields(html):
    """Return the CSRF token and `next` of the login form in `html`."""
    found = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', html))
    return {"csrf_token": csrf_from(html), "next": found.get("next", "")}


def login_form(client, path="/login"):
    """Return the login page at `path` and its form's hidden fields."""
    html = client.get(path).get_data(as_text=True)
    return html, hidden_fields(html)


def test_the_login_page_asks_for_an_address_and_a_password(client):
    html, _ = login_form(client)
    assert 'name="email"' in html and 'type="email"' in html
    assert 'name="password"' in html and 'type="password"' in html
    assert 'autocomplete="current-password"' in html


@pytest.mark.parametrize("missing", ["email", "password"])
def test_an_empty_field_is_named_and_nobody_logs_in(client, auth, missing):
    _, form = login_form(client)
    data = {"email": "host@example.com", "password": PASSWORD, **form, missing: ""}
    response = client.post("/login", data=data)
    assert response.status_code == 400
    assert f'id="{missing}-error"' in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_an_unknown_address_is_told_what_a_wrong_password_is(client, auth):
    """Nothing tells which accounts exist."""
    answers = []
    for email, password in [
        ("nobody@example.com", PASSWORD),
        ("host@example.com", "wrong horse"),
    ]:
        _, form = login_form(client)
        response = client.post(
            "/login", data={"email": email, "password": password, **form}
        )
        html = response.get_data(as_text=True)
        error = re.search(r'id="password-error">([^<]*)<', html).group(1)
        answers.append((response.status_code, error))
    assert (
        answers[0]
        == answers[1]
        == (
            400,
            "That e-mail address and password do not match.",
        )
    )


def test_the_dashboard_sends_a_host_to_log_in_and_back_where_they_were_going(
    client, auth
):
    response = client.get("/dashboard/account")
    assert response.status_code == 302
    login_page = response.headers["Location"]
    assert login_page == "/login?next=%2Fdashboard%2Faccount"
    html, form = login_form(client, login_page)
    assert "Please log in as a host to see that page." in html
    assert form["next"] == "/dashboard/account"
    response = client.post(
        "/login", data={"email": "host@example.com", "password": PASSWORD, **form}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard/account"


def test_a_failed_login_keeps_where_to_go_next(client, auth):
    _, form = login_form(client, "/login?next=/dashboard/show")
    failed = client.post(
        "/login", data={"email": "host@example.com", "password": "no", **form}
    )
    assert failed.status_code == 400
    form = hidden_fields(failed.get_data(as_text=True))
    assert form["next"] == "/dashboard/show"
    response = client.post(
        "/login", data={"email": "host@example.com", "password": PASSWORD, **form}
    )
    assert response.headers["Location"] == "/dashboard/show"


@pytest.mark.parametrize(
    ("path", "goes_to"),
    [
        ("/login", "/dashboard"),
        ("/login?next=/episodes/ep", "/episodes/ep"),
        ("/login?next=https://evil.example/", "/dashboard"),
    ],
)
def test_a_logged_in_host_opening_the_login_page_goes_on(client, auth, path, goes_to):
    auth.login()
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == goes_to


def test_logout_says_so_once_and_the_dashboard_asks_to_log_in_again(client, auth):
    auth.login()
    response = auth.logout()
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert "You are logged out." in client.get("/").get_data(as_text=True)
    assert "You are logged out." not in client.get("/").get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    _, form = login_form(client)
    assert form["csrf_token"]


def test_logging_out_without_a_session_asks_to_log_in(client, csrf):
    response = client.post("/logout", data={"csrf_token": csrf("/")})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
