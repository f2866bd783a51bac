"""Host accounts, login and logout."""

import pytest
import sqlalchemy as sa

from podcast_hub.auth import hosts
from podcast_hub.auth.guards import safe_next
from podcast_hub.errors import ValidationFailed
from podcast_hub.models import Host

from .conftest import csrf_from
from .helpers import in_app, make_host


def test_create_host_hashes_the_password(app_context):
    host = make_host(
        email="Ana@Example.com", display_name="Ana", password="lighthouse moments"
    )
    assert host.email == "ana@example.com"
    assert "lighthouse moments" not in host.password_hash
    assert hosts.authenticate("ana@example.com", "lighthouse moments") == host
    assert hosts.authenticate("ANA@example.com ", "lighthouse moments") == host
    assert hosts.authenticate("ana@example.com", "wrong password") is None
    assert hosts.authenticate("nobody@example.com", "lighthouse moments") is None


@pytest.mark.parametrize(
    ("email", "name", "password", "field"),
    [
        ("not-an-email", "Ana", "lighthouse moments", "email"),
        ("ana@example.com", "", "lighthouse moments", "name"),
        ("ana@example.com", "x" * 81, "lighthouse moments", "name"),
        ("ana@example.com", "Ana", "short", "password"),
    ],
)
def test_create_host_rejects_bad_input(app_context, email, name, password, field):
    with pytest.raises(ValidationFailed) as failure:
        hosts.create_host(email, name, password)
    assert field in failure.value.fields


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("aaaaaaaa", "at least 10 characters"),
        ("aaaaaaaa", 'Repeats like "aaa" are easy to guess.'),
        ("aaaaaaaaaaaa", 'Repeats like "aaa" are easy to guess.'),
        ("password1234", "This is a very common password."),
        ("qwertyuiop", "This is a top-100 common password."),
        ("zxcvbnmasdf", "This is similar to a commonly used password."),
        ("ana@example.com", "This password is easy to guess."),
        ("ana lopez 1990", "This password is easy to guess."),
    ],
)
def test_create_host_refuses_a_short_or_guessable_password(
    app_context, password, message
):
    with pytest.raises(ValidationFailed) as failure:
        hosts.create_host("ana@example.com", "Ana Lopez", password)
    assert message in " ".join(failure.value.fields["password"])
    assert hosts.get_by_email("ana@example.com") is None


def test_set_password_refuses_a_guessable_password(app_context):
    host = make_host()
    with pytest.raises(ValidationFailed) as failure:
        hosts.set_password(host, "aaaaaaaa")
    assert "password" in failure.value.fields
    assert hosts.authenticate("host@example.com", "aaaaaaaa") is None
    assert hosts.authenticate("host@example.com", "correct horse") == host


def test_a_password_longer_than_zxcvbn_rates_is_accepted(app_context):
    password = (
        "the lighthouse keeper counted every ship that passed the rocks "
        "until the winter storms came early and the lamp went dark"
    )
    host = make_host(password=password)
    assert hosts.authenticate("host@example.com", password) == host


def test_passwords_are_hashed_with_the_configured_method(app_context, app):
    host = make_host()
    assert host.password_hash.startswith("pbkdf2:sha256:1000$")
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    hosts.set_password(host, "brand new pw")
    assert host.password_hash.startswith("scrypt:")


def test_cli_create_host_reads_password_from_stdin(runner):
    result = runner.invoke(
        args=[
            "hub",
            "create-host",
            "co@example.com",
            "--name",
            "Co Host",
            "--password-stdin",
        ],
        input="a good password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created host Co Host <co@example.com>" in result.output
    with in_app():
        assert hosts.authenticate("co@example.com", "a good password") is not None


def test_cli_create_host_prompts_for_password(runner):
    result = runner.invoke(
        args=["hub", "create-host", "co@example.com", "--name", "Co"],
        input="a good password\na good password\n",
    )
    assert result.exit_code == 0, result.output
    with in_app():
        assert hosts.authenticate("co@example.com", "a good password") is not None


def test_cli_create_host_explains_bad_input_and_creates_nothing(runner, app):
    make_host(email="co@example.com")
    result = runner.invoke(
        args=[
            "hub",
            "create-host",
            "co@example.com",
            "--name",
            "Co",
            "--password-stdin",
        ],
        input="short\n",
    )
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert "at least 10 characters" in result.output
    with in_app() as session:
        assert session.scalar(sa.select(sa.func.count(Host.id))) == 1


def test_cli_create_host_refuses_a_guessable_password_with_advice(runner, app):
    result = runner.invoke(
        args=[
            "hub",
            "create-host",
            "co@example.com",
            "--name",
            "Co",
            "--password-stdin",
        ],
        input="aaaaaaaa\n",
    )
    assert result.exit_code == 1
    assert "error: password: The password must be at least 10" in result.output
    assert 'error: password: This password is easy to guess. Repeats like "aaa"' in (
        result.output
    )
    with in_app():
        assert hosts.get_by_email("co@example.com") is None


def test_login_with_the_real_form_reaches_the_dashboard(client, auth):
    response = auth.login()
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Needs reply" in page.get_data(as_text=True)


def test_wrong_password_is_refused_with_a_message(client, auth):
    response = auth.login(password="not it")
    assert response.status_code == 400
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_login_without_csrf_token_is_refused(client, auth):
    response = client.post(
        "/login", data={"email": "host@example.com", "password": "correct horse"}
    )
    assert response.status_code == 400
    assert client.get("/dashboard").status_code == 302


def test_logout_needs_post_with_csrf(client, auth):
    auth.login()
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/dashboard").status_code == 200
    assert auth.logout().status_code == 303
    assert client.get("/dashboard").status_code == 302


def test_login_follows_a_safe_next(client, auth, csrf):
    response = client.post(
        "/login",
        data={
            "email": "host@example.com",
            "password": "correct horse",
            "next": "/episodes/x?t=5",
            "csrf_token": csrf("/login?next=/episodes/x?t=5"),
        },
    )
    assert response.headers["Location"] == "/episodes/x?t=5"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/ok\r\nSet-Cookie: x=1",
        "",
        None,
    ],
)
def test_unsafe_next_falls_back_to_the_dashboard(app, target):
    with app.test_request_context():
        assert safe_next(target) == "/dashboard"


def test_anonymous_dashboard_redirects_to_login_with_next(client):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_change_password_needs_the_current_one(app_context):
    host = make_host()
    with pytest.raises(ValidationFailed) as failure:
        hosts.change_password(host, "wrong", "a new password")
    assert "current_password" in failure.value.fields
    with pytest.raises(ValidationFailed) as failure:
        hosts.change_password(host, "correct horse", "short")
    assert "new_password" in failure.value.fields
    hosts.change_password(host, "correct horse", "a new password")
    assert hosts.authenticate("host@example.com", "a new password") == host
    assert hosts.authenticate("host@example.com", "correct horse") is None


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong horse", "brand new pw", "brand new pw", "not your current password"),
        (
            "correct horse",
            "brand new pw",
            "other new pw",
            "The two new passwords differ",
        ),
        ("correct horse", "short", "short", "at least 10 characters"),
        ("correct horse", "aaaaaaaa", "aaaaaaaa", "Repeats like"),
        ("correct horse", "hannah host", "hannah host", "easy to guess"),
    ],
)
def test_dashboard_password_change_explains_mistakes(
    client, auth, current, new, confirm, message
):
    auth.login()
    token = csrf_from(client.get("/dashboard/account").get_data(as_text=True))
    response = client.post(
        "/dashboard/account",
        data={
            "current_password": current,
            "new_password": new,
            "confirm": confirm,
            "csrf_token": token,
        },
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with in_app():
        assert hosts.authenticate("host@example.com", "correct horse") is not None


def test_dashboard_password_change_works_for_the_next_login(client, auth):
    auth.login()
    page = client.get("/dashboard/account").get_data(as_text=True)
    assert "Hannah Host" in page
    response = client.post(
        "/dashboard/account",
        data={
            "current_password": "correct horse",
            "new_password": "brand new pw",
            "confirm": "brand new pw",
            "csrf_token": csrf_from(page),
        },
    )
    assert response.status_code == 303
    auth.logout()
    assert auth.login(password="correct horse").status_code == 400
    assert auth.login(password="brand new pw").status_code == 303
