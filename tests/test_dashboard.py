"""The host's inbox: what needs a reply, answering from it, and access rules."""

import io
import re

import pytest
import sqlalchemy as sa

from podcast_hub.extensions import db
from podcast_hub.models import BlockRule, Comment

from .conftest import csrf_from
from .helpers import (
    in_app,
    make_chapter,
    make_comment,
    make_episode,
    make_show,
    make_soundbite,
    save,
    scalar,
)


@pytest.fixture
def episode(app):
    make_show()
    return make_episode(slug="lighthouse", title="The Lighthouse")


def inbox_ids(client):
    html = client.get("/dashboard").get_data(as_text=True)
    return [int(i) for i in re.findall(r'data-comment-id="(\d+)"', html)]


def test_inbox_lists_unanswered_listener_comments_newest_first(client, auth, episode):
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    old = make_comment(episode, body="old", created_at=now - timedelta(hours=2))
    new = make_comment(episode, body="new", created_at=now - timedelta(hours=1))
    answered = make_comment(
        episode, body="answered", created_at=now - timedelta(hours=3)
    )
    make_comment(
        episode,
        parent_id=answered.id,
        is_host=True,
        author="Hannah Host",
        body="Thanks",
    )
    make_comment(episode, body="hidden", status="hidden")
    auth.login()
    assert inbox_ids(client) == [new.id, old.id]


def test_inbox_item_shows_episode_moment_and_a_reply_form(client, auth, episode):
    comment = make_comment(episode, author="Lee", body="Loved 12:34", timestamp_s=754)
    auth.login()
    html = client.get("/dashboard").get_data(as_text=True)
    item = re.search(
        rf'<li[^>]*data-comment-id="{comment.id}".*?</li>', html, re.S
    ).group()
    assert "The Lighthouse" in item
    assert "/episodes/lighthouse?t=754" in item
    assert "12:34" in item
    assert 'method="post"' in item
    assert 'name="body"' in item and 'name="csrf_token"' in item
    assert "lee@example.com" not in html


def test_replying_from_the_inbox_nests_a_marked_host_reply(client, auth, episode):
    comment = make_comment(episode, author="Lee", body="Question?")
    auth.login()
    html = client.get("/dashboard").get_data(as_text=True)
    response = client.post(
        f"/dashboard/comments/{comment.id}/reply",
        data={"body": "Answer!", "csrf_token": csrf_from(html)},
    )
    assert response.status_code == 303
    assert inbox_ids(client) == []

    reply = scalar(sa.select(Comment).where(Comment.parent_id == comment.id))
    assert reply.is_host and reply.author == "Hannah Host"
    page = client.get("/episodes/lighthouse").get_data(as_text=True)
    parent_at = page.index(f'id="comment-{comment.id}"')
    reply_tag = re.search(rf'<article[^>]*id="comment-{reply.id}"[^>]*>', page).group()
    assert 'data-host="true"' in reply_tag
    assert page.index(reply_tag) > parent_at
    assert "Host</span>" in page[page.index(reply_tag) :]

    thread = client.get("/api/episodes/lighthouse/comments").get_json()["comments"][0]
    [json_reply] = thread["replies"]
    assert json_reply["is_host"] is True
    assert json_reply["author"] == "Hannah Host"
    assert json_reply["body"] == "Answer!"


def test_empty_reply_is_400_and_stores_nothing(client, auth, episode):
    comment = make_comment(episode)
    auth.login()
    html = client.get("/dashboard").get_data(as_text=True)
    response = client.post(
        f"/dashboard/comments/{comment.id}/reply",
        data={"body": "   ", "csrf_token": csrf_from(html)},
    )
    assert response.status_code == 400
    assert "Write your reply first." in response.get_data(as_text=True)
    assert inbox_ids(client) == [comment.id]


def test_reply_without_csrf_is_refused(client, auth, episode):
    comment = make_comment(episode)
    auth.login()
    response = client.post(
        f"/dashboard/comments/{comment.id}/reply", data={"body": "Hi"}
    )
    assert response.status_code == 400
    assert inbox_ids(client) == [comment.id]


def test_host_commenting_on_the_page_is_marked_as_host(client, auth, episode):
    auth.login()
    token = csrf_from(client.get("/episodes/lighthouse").get_data(as_text=True))
    response = client.post(
        "/api/episodes/lighthouse/comments",
        json={"body": "Welcome, everyone!", "timestamp": None},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201
    data = response.get_json()
    assert data["is_host"] is True
    assert data["author"] == "Hannah Host"


def host_routes(app):
    """Return (rule, method) for every dashboard route and host-only API route."""
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint.startswith("dashboard.") or getattr(view, "host_only", False):
            found += [(rule, m) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def fill(rule, values):
    """Return the URL of `rule` with its variables taken from `values` (else 1)."""
    return re.sub(
        r"<(?:\w+:)?(\w+)>", lambda m: str(values.get(m.group(1), 1)), rule.rule
    )


def snapshot():
    """Return every row of every table, to prove a request changed nothing."""
    with in_app() as session:
        return {
            table.name: sorted(session.execute(sa.select(table)).all(), key=str)
            for table in db.metadata.sorted_tables
        }


@pytest.fixture
def everything(episode):
    """One of each thing a host route can name; return the URL values."""
    comment = make_comment(episode)
    chapter = make_chapter(episode, source="host", start_s=60, title="Storm")
    soundbite = make_soundbite(episode)
    save(BlockRule(kind="word", value="casino"))
    return {
        "comment_id": comment.id,
        "episode_id": episode.id,
        "chapter_id": chapter.id,
        "soundbite_id": soundbite.id,
        "rule_id": 1,
        "slug": episode.slug,
        "filename": episode.audio_file,
    }


FORM = {
    "body": "x",
    "author": "x",
    "action": "delete",
    "ids": "1",
    "title": "Changed",
    "slug": "changed",
    "publication": "draft",
    "offset": "+0:20",
    "start": "0:10",
    "duration": "30",
    "mode": "hold_all",
    "kind": "word",
    "values": "x",
    "language": "en",
    "category": "Arts",
    "show_type": "serial",
    "current_password": "correct horse",
    "new_password": "another horse",
    "confirm": "another horse",
}


def test_every_host_route_refuses_anonymous_users(app, client, csrf, everything):
    """With a valid CSRF token still, no dashboard or host API route serves
    anonymous users, and nothing changes."""
    token = csrf("/")
    before = snapshot()
    routes = host_routes(app)
    endpoints = {rule.endpoint for rule, _ in routes}
    assert "dashboard.index" in endpoints
    assert "api.moderate_comment" in endpoints
    for rule, method in routes:
        url = fill(rule, everything)
        if rule.endpoint.startswith("api."):
            response = client.open(
                url,
                method=method,
                json={"action": "delete"},
                headers={"X-CSRFToken": token},
            )
            assert response.status_code in (401, 403), (method, url)
            assert response.is_json and "error" in response.get_json()
        else:
            response = client.open(
                url, method=method, data={**FORM, "csrf_token": token}
            )
            assert response.status_code == 302, (method, url)
            assert "/login" in response.headers["Location"]
    assert snapshot() == before


def test_every_state_changing_route_refuses_a_missing_csrf_token(
    app, client, auth, everything
):
    auth.login()
    before = snapshot()
    checked = set()
    for rule in app.url_map.iter_rules():
        for method in rule.methods & {"POST", "PUT", "PATCH", "DELETE"}:
            url = fill(rule, everything)
            if rule.rule.startswith("/api/"):
                response = client.open(url, method=method, json={"action": "delete"})
            else:
                response = client.open(url, method=method, data=FORM)
            assert response.status_code in (400, 403), (
                method,
                url,
                response.status_code,
            )
            checked.add(rule.endpoint)
    assert {"dashboard.bulk", "dashboard.new_episode", "api.moderate_comment"} <= (
        checked
    )
    assert len(checked) >= 20
    assert snapshot() == before


def _post_huge(client, path):
    """POST to `path` announcing a body far over the upload limit."""
    return client.post(
        path,
        input_stream=io.BytesIO(b""),
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"CONTENT_LENGTH": str(600 * 1024 * 1024)},
    )


@pytest.mark.parametrize(
    ("path", "page"),
    [
        ("/dashboard/episodes/new", "Upload an episode"),
        ("/dashboard/episodes/{id}/audio", "Replace the audio"),
        ("/dashboard/show/cover", "Upload the cover"),
    ],
)
def test_each_upload_page_explains_an_over_limit_upload_itself(
    client, auth, episode, path, page
):
    auth.login()
    response = _post_huge(client, path.format(id=episode.id))
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert page in html
    assert "larger than 500 MB, the largest this site accepts" in html
    assert 'aria-invalid="true"' in html, "the message is on the file field"


def test_an_over_limit_body_elsewhere_in_the_dashboard_goes_back_to_the_inbox(
    client, auth, episode
):
    auth.login()
    response = _post_huge(client, "/dashboard/show")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/dashboard")
    # The limit of this page, not the uploads' 500 MB.
    inbox = client.get("/dashboard").get_data(as_text=True)
    assert "larger than 64 KB" in inbox
    assert "500 MB" not in inbox
