"""The `hub` commands as an operator runs them: the demo show that `make run`
loads, and what create-host, import and purge say when they cannot do it."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from podcast_hub.models import Comment, Episode, Host, Person, Show

from .conftest import csrf_from
from .helpers import (
    make_comment,
    make_episode,
    make_host,
    make_show,
    scalar,
    scalars,
    update,
)
from .test_auth import change_password

LOGIN = re.compile(r"Log in at /login as (\S+) with password (\S+)")
DEMO_TITLES = ["Listening Back", "The Lighthouse Keeper", "Welcome to Moments"]


def count(model):
    return scalar(sa.select(sa.func.count()).select_from(model))


def demo(runner):
    """Run `hub demo`; return the e-mail address and password it prints."""
    result = runner.invoke(args=["hub", "demo"])
    assert result.exit_code == 0, result.output
    assert "Demo show ready: 3 episodes, 7 comments." in result.output
    return LOGIN.search(result.output).groups()


def log_in(client, email, password):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )


def test_the_demo_loads_a_show_of_three_episodes_with_conversations(
    runner, client, media_dir
):
    email, password = demo(runner)

    assert sorted(p.name for p in media_dir.iterdir()) == [
        "01-welcome-to-moments.mp3",
        "02-the-lighthouse-keeper.m4a",
        "03-listening-back.ogg",
        "cover.png",
    ]
    assert scalar(sa.select(Show.title)) == "Moments"
    listed = client.get("/api/episodes").get_json()
    assert sorted(e["title"] for e in listed) == DEMO_TITLES
    assert sum(e["comment_count"] for e in listed) == 7
    thread = client.get("/api/episodes/02-the-lighthouse-keeper/comments").get_json()
    [answered] = [c for c in thread["comments"] if c["replies"]]
    assert answered["author"] == "Jules"
    assert answered["replies"][0]["is_host"] is True
    assert "The Lighthouse Keeper" in client.get("/").get_data(as_text=True)
    feed = client.get("/feed.xml").get_data(as_text=True)
    assert (
        '<podcast:person role="host" group="cast">Dana Reyes</podcast:person>' in feed
    )
    assert 'type="audio/x-m4a"' in feed

    assert log_in(client, email, password).status_code == 303
    assert client.get("/dashboard").status_code == 200


def test_the_demo_runs_again_without_duplicates_and_keeps_the_password(runner, client):
    email, password = demo(runner)
    episode_ids = scalars(sa.select(Episode.id).order_by(Episode.id))
    slug = "01-welcome-to-moments"
    update(
        scalar(sa.select(Episode).where(Episode.slug == slug)),
        description="Edited by the host.",
    )

    again = demo(runner)

    assert again == (email, password)
    assert (count(Show), count(Episode), count(Comment), count(Host)) == (1, 3, 7, 1)
    assert count(Person) == 1
    assert scalars(sa.select(Episode.id).order_by(Episode.id)) == episode_ids
    edited = scalar(sa.select(Episode.description).where(Episode.slug == slug))
    assert edited == "Edited by the host."
    assert log_in(client, email, password).status_code == 303


def test_the_demo_keeps_a_password_the_host_changed(runner, client):
    email, password = demo(runner)
    assert log_in(client, email, password).status_code == 303
    changed = change_password(client, current=password, new="a quiet harbour at dawn")
    assert changed.status_code == 303

    result = runner.invoke(args=["hub", "demo"])

    assert result.exit_code == 0, result.output
    assert f"as {email} with the password you chose." in result.output
    assert password not in result.output
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    assert log_in(client, email, "a quiet harbour at dawn").status_code == 303


def test_the_demo_keeps_its_password_in_the_instance_folder(runner, client, app):
    """The password survives a new secret key, and the output says where it is."""
    first = runner.invoke(args=["hub", "demo"])
    email, password = LOGIN.search(first.output).groups()
    kept = Path(app.config["DEMO_PASSWORD_FILE"])
    assert f"This password is new; it is kept in {kept}" in first.output
    assert kept.read_text().strip() == password
    assert kept.stat().st_mode & 0o777 == 0o600

    app.config["SECRET_KEY"] = "a different secret key after a restart"
    again = runner.invoke(args=["hub", "demo"])

    assert again.exit_code == 0, again.output
    assert LOGIN.search(again.output).groups() == (email, password)
    assert f"The password is unchanged (kept in {kept})" in again.output
    assert log_in(client, email, password).status_code == 303


def test_the_demo_makes_a_new_password_only_when_asked(runner, client):
    email, old = demo(runner)

    result = runner.invoke(args=["hub", "demo", "--new-password"])

    assert result.exit_code == 0, result.output
    _, new = LOGIN.search(result.output).groups()
    assert new != old and "This password is new" in result.output
    assert log_in(client, email, old).status_code != 303
    assert log_in(client, email, new).status_code == 303
    assert demo(runner) == (email, new)


def test_the_demo_keeps_a_password_made_by_an_earlier_version(runner, app):
    """A demo host made when the password came from the secret key keeps it, and
    it is written down from then on."""
    from podcast_hub.cli import demo as demo_module

    with app.app_context():
        legacy = demo_module._legacy_password()
    make_host(email="host@demo.podcast-hub.test", password=legacy)

    assert demo(runner)[1] == legacy
    assert Path(app.config["DEMO_PASSWORD_FILE"]).read_text().strip() == legacy


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["not-an-address", "--name", "Co"], "a good long password\n", "email: "),
        (["co@example.com", "--name", ""], "a good long password\n", "name: "),
        (["co@example.com", "--name", "Co"], "\n", "password: "),
    ],
)
def test_create_host_names_the_bad_field_exits_1_and_creates_nobody(
    runner, args, stdin, message
):
    result = runner.invoke(
        args=["hub", "create-host", *args, "--password-stdin"], input=stdin
    )

    assert result.exit_code == 1
    assert f"error: {message}" in result.stderr
    assert count(Host) == 0


def test_create_host_without_a_name_is_a_usage_error(runner):
    result = runner.invoke(
        args=["hub", "create-host", "co@example.com", "--password-stdin"],
        input="a good long password\n",
    )

    assert result.exit_code == 2
    assert "Missing option '--name'" in result.stderr
    assert count(Host) == 0


def test_create_host_refuses_an_address_a_host_has_in_any_spelling(runner):
    make_host(email="co@example.com")

    result = runner.invoke(
        args=["hub", "create-host", " CO@Example.com ", "--name", "Co"],
        input="a good long password\na good long password\n",
    )

    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert count(Host) == 1


def test_import_of_a_missing_folder_says_so_and_exits_2(runner, tmp_path):
    result = runner.invoke(args=["hub", "import", str(tmp_path / "nowhere")])

    assert result.exit_code == 2
    assert f"error: {tmp_path / 'nowhere'} is not a folder" in result.stderr
    assert count(Episode) == 0


def test_import_of_a_file_is_a_usage_error(runner, tmp_path):
    (tmp_path / "talk.mp3").write_bytes(b"ID3")

    result = runner.invoke(args=["hub", "import", str(tmp_path / "talk.mp3")])

    assert result.exit_code == 2
    assert "is a file" in result.stderr
    assert count(Episode) == 0


@pytest.mark.parametrize("config_overrides", [{"MEDIA_DIR": "/nonexistent/media"}])
def test_import_without_the_media_folder_says_so(runner):
    result = runner.invoke(args=["hub", "import"])

    assert result.exit_code == 2
    assert "error: /nonexistent/media is not a folder" in result.stderr


def test_purge_with_nothing_old_enough_removes_nothing(runner):
    make_show()
    episode = make_episode()
    now = datetime.now(UTC)
    make_comment(episode, status="deleted", deleted_at=now - timedelta(days=2))
    make_comment(episode)

    result = runner.invoke(args=["hub", "purge"])

    assert result.exit_code == 0
    assert result.output == "Purged 0 deleted comments older than 30 days.\n"
    assert count(Comment) == 2


@pytest.mark.parametrize("days", ["-1", "soon", ""])
def test_purge_refuses_days_that_are_not_a_count(runner, days):
    make_show()
    episode = make_episode()
    make_comment(episode, status="deleted", deleted_at=datetime(2020, 1, 1, tzinfo=UTC))

    result = runner.invoke(args=["hub", "purge", "--days", days])

    assert result.exit_code == 2
    assert "Invalid value for '--days'" in result.stderr
    assert count(Comment) == 1
