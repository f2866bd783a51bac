"""The host's inbox: what needs a reply, answering from it, and access rules."""

import re

import pytest
import sqlalchemy as sa

from podcast_hub.extensions import db
from podcast_hub.models import Comment

from .conftest import csrf_from
from .helpers import make_comment, make_episode, make_show


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

    reply = db.session.scalar(sa.select(Comment).where(Comment.parent_id == comment.id))
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


def test_every_dashboard_route_refuses_anonymous_users(app, client, csrf, episode):
    """With a valid CSRF token still, no dashboard route serves anonymous users."""
    comment = make_comment(episode)
    token = csrf("/")
    routes = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("dashboard.")
    ]
    assert routes, "the dashboard has no routes"
    for rule in routes:
        url = rule.rule.replace("<int:comment_id>", str(comment.id))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(
                url, method=method, data={"body": "x", "csrf_token": token}
            )
            assert response.status_code in (302, 401, 403), (method, url)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 1


def test_every_state_changing_route_refuses_a_missing_csrf_token(
    app, client, auth, episode
):
    comment = make_comment(episode)
    auth.login()
    values = {"comment_id": comment.id, "slug": "lighthouse", "filename": "x.mp3"}
    checked = 0
    for rule in app.url_map.iter_rules():
        for method in rule.methods & {"POST", "PUT", "PATCH", "DELETE"}:
            url = rule.rule
            for name, value in values.items():
                url = re.sub(rf"<(?:\w+:)?{name}>", str(value), url)
            response = client.open(
                url, method=method, data={"body": "x", "author": "x"}
            )
            assert response.status_code in (400, 403), (
                method,
                url,
                response.status_code,
            )
            checked += 1
    assert checked >= 4
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 1
