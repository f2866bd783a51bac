"""A listener's own comments: the signed token in a cookie, editing and deleting
within 15 minutes (plain forms and JSON), and seeing one's own held comment."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from podcast_hub.conversation import comments, moderation
from podcast_hub.models import Comment
from podcast_hub.web import ownership

from .conftest import csrf_from
from .helpers import (
    get,
    in_app,
    make_comment,
    make_episode,
    make_show,
    reload,
    scalar,
    update,
)

TOO_LATE = "that time is over"
NOT_YOURS = "Only the person who posted this comment can change it"


@pytest.fixture
def episode(app):
    make_show()
    return make_episode(slug="ep", duration_s=1800)


def token_of(client, path="/episodes/ep"):
    return csrf_from(client.get(path).get_data(as_text=True))


def post(client, **fields):
    data = {"author": "Lee", "body": "First words", "csrf_token": token_of(client)}
    data.update(fields)
    response = client.post("/episodes/ep/comments", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return scalar(sa.select(Comment).order_by(Comment.id.desc()))


def api(client, method, comment_id, payload=None):
    return client.open(
        f"/api/comments/{comment_id}",
        method=method,
        json=payload,
        headers={"X-CSRFToken": token_of(client)},
    )


def test_tokens_are_signed_per_comment(app):
    posted = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
    with app.test_request_context():
        value = ownership.SEPARATOR.join(
            [
                ownership.token(4, posted),
                ownership.token(9, posted),
                "12.forged",
                "junk",
            ]
        )
        assert ownership.read(value) == {4: posted, 9: posted}
        assert ownership.read(ownership.token(4, posted).replace("4.", "5.")) == {}


def test_posting_gives_the_browser_a_token_and_an_edit_link(client, episode, app):
    comment = post(client)
    cookie = client.get_cookie(ownership.COOKIE)
    assert cookie.http_only and cookie.same_site == "Lax"
    with app.test_request_context():
        assert ownership.read(cookie.value) == {comment.id: comment.created_at}
    html = client.get("/episodes/ep").get_data(as_text=True)
    assert f'href="/episodes/ep/comments/{comment.id}/edit"' in html
    stranger = app.test_client().get("/episodes/ep").get_data(as_text=True)
    assert f"/comments/{comment.id}/edit" not in stranger


def test_edit_with_the_plain_form_within_the_window(client, episode, clock):
    comment = post(client)
    page = client.get(f"/episodes/ep/comments/{comment.id}/edit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "First words</textarea>" in html
    clock.advance(minutes=14)
    response = client.post(
        f"/episodes/ep/comments/{comment.id}/edit",
        data={
            "body": "Better words",
            "timestamp": "1:05",
            "csrf_token": token_of(client),
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/episodes/ep#comment-{comment.id}")
    comment = reload(comment)
    assert (comment.body, comment.timestamp_s) == ("Better words", 65)
    assert comment.edited_at is not None
    assert "(edited)" in client.get("/episodes/ep").get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": " ", "timestamp": ""}, "Write something first."),
        ({"body": "Hi", "timestamp": "31:00"}, "30:00, the episode"),
        ({"body": "Hi", "timestamp": "soon"}, "12:34"),
    ],
)
def test_edit_is_validated_like_posting(client, episode, fields, message):
    comment = post(client)
    form = client.post(
        f"/episodes/ep/comments/{comment.id}/edit",
        data={**fields, "csrf_token": token_of(client)},
    )
    assert form.status_code == 400
    assert message in form.get_data(as_text=True)
    payload = {"body": fields["body"], "timestamp": fields["timestamp"] or None}
    response = api(client, "PATCH", comment.id, payload)
    assert response.status_code == 400
    assert message in " ".join(sum(response.get_json()["fields"].values(), []))
    comment = reload(comment)
    assert comment.body == "First words"


def test_after_fifteen_minutes_changes_are_refused_clearly(client, episode, clock):
    comment = post(client)
    clock.advance(minutes=15, seconds=1)
    page = client.get(f"/episodes/ep/comments/{comment.id}/edit")
    assert page.status_code == 403
    assert TOO_LATE in page.get_data(as_text=True)
    form = client.post(
        f"/episodes/ep/comments/{comment.id}/edit",
        data={"body": "Late", "csrf_token": token_of(client)},
    )
    assert form.status_code == 403
    for method, payload in (("PATCH", {"body": "Late"}), ("DELETE", None)):
        response = api(client, method, comment.id, payload)
        assert response.status_code == 403
        assert TOO_LATE in response.get_json()["error"]
    deleting = client.post(
        f"/episodes/ep/comments/{comment.id}/delete",
        data={"csrf_token": token_of(client)},
    )
    assert deleting.status_code == 403
    assert f"/comments/{comment.id}/edit" not in client.get("/episodes/ep").get_data(
        as_text=True
    )
    comment = reload(comment)
    assert (comment.body, comment.status) == ("First words", "published")


def test_someone_elses_comment_is_refused(client, episode, app):
    comment = make_comment(episode)
    page = client.get(f"/episodes/ep/comments/{comment.id}/edit")
    assert page.status_code == 403
    assert NOT_YOURS in page.get_data(as_text=True)
    response = api(client, "PATCH", comment.id, {"body": "Mine now"})
    assert response.status_code == 403
    assert NOT_YOURS in response.get_json()["error"]
    client.set_cookie(ownership.COOKIE, f"{comment.id}.forged-signature")
    assert api(client, "DELETE", comment.id).status_code == 403
    assert get(Comment, comment.id).status == "published"


def test_unknown_or_hidden_comments_are_404(client, episode):
    comment = post(client)
    update(comment, status="hidden")
    assert client.get(f"/episodes/ep/comments/{comment.id}/edit").status_code == 404
    assert api(client, "PATCH", comment.id, {"body": "x"}).status_code == 404
    assert api(client, "DELETE", 99999).status_code == 404


def test_edit_through_json_keeps_what_is_left_out(client, episode):
    comment = post(client, timestamp="2:00")
    response = api(client, "PATCH", comment.id, {"body": "New at 1:00"})
    assert response.status_code == 200
    data = response.get_json()
    assert (data["body"], data["timestamp"]) == ("New at 1:00", 120)
    response = api(client, "PATCH", comment.id, {"timestamp": None})
    assert response.get_json()["timestamp"] is None
    assert api(client, "PATCH", comment.id, {"body": 5}).status_code == 400


def test_delete_with_the_plain_form(client, episode):
    comment = post(client)
    response = client.post(
        f"/episodes/ep/comments/{comment.id}/delete",
        data={"csrf_token": token_of(client)},
    )
    assert response.status_code == 303
    html = client.get("/episodes/ep").get_data(as_text=True)
    assert "Your comment is deleted." in html
    assert f'id="comment-{comment.id}"' not in html
    comment = reload(comment)
    assert comment.status == "deleted" and comment.deleted_at is not None


def test_delete_through_json_and_the_token_goes(client, episode):
    comment = post(client)
    response = api(client, "DELETE", comment.id)
    assert response.status_code == 204
    assert client.get_cookie(ownership.COOKIE) is None
    assert client.get("/api/episodes/ep/comments").get_json()["count"] == 0


def test_a_comment_with_replies_cannot_be_deleted_but_can_be_edited(client, episode):
    comment = post(client)
    make_comment(episode, parent_id=comment.id, author="Sam")
    response = api(client, "DELETE", comment.id)
    assert response.status_code == 403
    assert "replied" in response.get_json()["error"]
    assert api(client, "PATCH", comment.id, {"body": "Edited"}).status_code == 200


@pytest.mark.parametrize("status", ["pending", "spam"])
def test_own_held_comment_is_shown_to_its_author_only(client, episode, app, status):
    comment = post(client)
    update(comment, status=status)
    html = client.get("/episodes/ep").get_data(as_text=True)
    assert f'id="comment-{comment.id}"' in html
    assert "Awaiting moderation" in html
    mine = client.get(f"/api/comments/{comment.id}").get_json()
    assert mine["status"] == "pending"
    stranger = app.test_client()
    assert f'id="comment-{comment.id}"' not in stranger.get("/episodes/ep").get_data(
        as_text=True
    )
    assert stranger.get(f"/api/comments/{comment.id}").status_code == 404
    assert "Awaiting moderation" not in stranger.get("/episodes/ep").get_data(
        as_text=True
    )


def test_changeable_lists_own_comments_inside_the_window(app_context, episode, clock):
    from podcast_hub.conversation import threads

    mine = make_comment(episode)
    theirs = make_comment(episode)
    page = threads.page(episode, per_page=10)
    own = {mine.id: mine.created_at}
    found = comments.changeable(page.threads, own)
    assert list(found) == [mine.id]
    assert theirs.id not in found
    clock.advance(minutes=20)
    assert comments.changeable(page.threads, own) == {}


def test_an_edit_is_moderated_like_a_new_comment(client, episode):
    from podcast_hub.models import BlockRule

    comment = post(client, body="Nice episode")
    with in_app() as session:
        session.add(BlockRule(kind="word", value="casino"))
        session.commit()
    response = api(client, "PATCH", comment.id, {"body": "Visit my casino"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "pending"
    comment = reload(comment)
    assert comment.status == "spam"
    html = client.get("/episodes/ep").get_data(as_text=True)
    assert "Awaiting moderation" in html


@pytest.mark.sqlite_only("PostgreSQL's sequences never give an id twice")
@pytest.mark.parametrize("status", ["published", "pending"])
def test_a_token_does_not_carry_over_to_a_new_comment_that_reuses_the_id(
    client, episode, app, runner, status
):
    """After `hub purge`, SQLite gives the next comment the purged one's id; the
    old token names the purged comment only, not the newcomer."""
    mine = post(client, body="Soon gone")
    with in_app() as session:
        moderation.apply(session.get(Comment, mine.id), "delete")
    result = runner.invoke(args=["hub", "purge", "--days", "0"])
    assert "Purged 1 deleted comment" in result.output
    stranger = app.test_client()
    theirs = post(stranger, author="Sam", body="Sam's own words")
    assert theirs.id == mine.id
    update(theirs, status=status)

    if status == "pending":
        html = client.get("/episodes/ep").get_data(as_text=True)
        assert "Sam&#39;s own words" not in html and "Awaiting moderation" not in html
        assert client.get(f"/api/comments/{theirs.id}").status_code == 404
    refused = 403 if status == "published" else 404
    edit = f"/episodes/ep/comments/{theirs.id}/edit"
    assert client.get(edit).status_code == refused
    form = client.post(edit, data={"body": "Hijacked", "csrf_token": token_of(client)})
    assert form.status_code == refused
    deleting = client.post(
        f"/episodes/ep/comments/{theirs.id}/delete",
        data={"csrf_token": token_of(client)},
    )
    assert deleting.status_code == refused
    assert api(client, "PATCH", theirs.id, {"body": "Hijacked"}).status_code == refused
    assert api(client, "DELETE", theirs.id).status_code == refused
    assert f"{edit}" not in client.get("/episodes/ep").get_data(as_text=True)
    theirs = reload(theirs)
    assert (theirs.body, theirs.status) == ("Sam's own words", status)
    assert stranger.get(edit).status_code == 200


def test_a_post_keeps_the_tokens_the_browser_held_and_drops_forged_ones(
    client, episode, app
):
    posted = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    with app.test_request_context():
        held = [ownership.token(i, posted) for i in range(1, ownership.KEEP + 1)]
    client.set_cookie(ownership.COOKIE, ownership.SEPARATOR.join([*held, "7.forged"]))
    comment = post(client)
    sent = client.get_cookie(ownership.COOKIE).value.split(ownership.SEPARATOR)
    # KEEP tokens at most: the oldest held one makes room; the others come
    # back as they were sent, the forged one does not, the new one comes last.
    assert sent[:-1] == held[1:]
    with app.test_request_context():
        assert ownership.read(sent[-1]) == {comment.id: comment.created_at}
    page = client.get("/episodes/ep").get_data(as_text=True)
    assert f'href="/episodes/ep/comments/{comment.id}/edit"' in page
