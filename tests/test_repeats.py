"""A post sent again — a double click, the page's retry after a lost answer — is
stored once, by the form and by the JSON API, on both databases."""

import re
import threading

import pytest
import sqlalchemy as sa

from podcast_hub.conversation import repeats
from podcast_hub.extensions import db
from podcast_hub.models import Comment, Episode, ReplyFeedComment

from .conftest import csrf_from
from .helpers import in_app, make_episode, make_show, scalar, scalars

KEY_FIELD = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')


@pytest.fixture
def episode(app):
    make_show()
    return make_episode(slug="ep", duration_s=1800)


def page_keys(client):
    """Return the CSRF token and the posting keys on the episode page."""
    html = client.get("/episodes/ep").get_data(as_text=True)
    return csrf_from(html), KEY_FIELD.findall(html)


def form_post(client, token, key, body="Great moment", **fields):
    data = {
        "author": "Lee",
        "body": body,
        "timestamp": "1:00",
        "csrf_token": token,
        "idempotency_key": key,
        **fields,
    }
    return client.post("/episodes/ep/comments", data=data)


def api_post(client, token, key, body="Great moment", **fields):
    headers = {"X-CSRFToken": token}
    if key is not None:
        headers["Idempotency-Key"] = key
    payload = {"author": "Lee", "body": body, "timestamp": 60, **fields}
    return client.post("/api/episodes/ep/comments", json=payload, headers=headers)


def stored_bodies():
    return scalars(sa.select(Comment.body).order_by(Comment.id))


def test_each_form_on_the_page_carries_its_own_fresh_key(client, episode):
    _, first = page_keys(client)
    _, again = page_keys(client)
    # The comment form and the reply form; a new pair with each page.
    assert len(first) == 2 and len(set(first)) == 2
    assert not set(first) & set(again)


def test_the_same_form_sent_twice_is_stored_once_and_lands_on_the_same_comment(
    client, episode
):
    token, (key, _) = page_keys(client)
    first = form_post(client, token, key)
    second = form_post(client, token, key)
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert stored_bodies() == ["Great moment"]
    html = client.get(second.headers["Location"]).get_data(as_text=True)
    assert html.count("Great moment") == 1


def test_the_same_json_post_sent_twice_answers_the_first_comment(client, episode):
    token, _ = page_keys(client)
    first = api_post(client, token, "k" * 24)
    second = api_post(client, token, "k" * 24)
    assert first.status_code == second.status_code == 201
    assert second.get_json() == first.get_json()
    assert stored_bodies() == ["Great moment"]


def test_a_new_key_posts_a_new_comment_even_with_the_same_words(client, episode):
    token, _ = page_keys(client)
    first = api_post(client, token, "a" * 24)
    second = api_post(client, token, "b" * 24)
    assert second.get_json()["id"] != first.get_json()["id"]
    assert stored_bodies() == ["Great moment", "Great moment"]


def test_without_a_key_every_post_is_a_new_comment(client, episode):
    token, _ = page_keys(client)
    api_post(client, token, None)
    api_post(client, token, None)
    assert len(stored_bodies()) == 2


def test_another_visitors_key_finds_none_of_their_comments(app, client, episode):
    token, (key, _) = page_keys(client)
    mine = api_post(client, token, key, body="Mine, pending or not")
    stranger = app.test_client()
    their_token, _ = page_keys(stranger)
    theirs = api_post(stranger, their_token, key, body="Sam's words", author="Sam")
    assert theirs.status_code == 201
    assert theirs.get_json()["id"] != mine.get_json()["id"]
    assert theirs.get_json()["body"] == "Sam's words"
    assert "Mine" not in theirs.get_data(as_text=True)
    assert stored_bodies() == ["Mine, pending or not", "Sam's words"]


def test_a_key_used_again_with_other_words_is_refused_and_nothing_is_lost(
    client, episode
):
    token, (key, _) = page_keys(client)
    form_post(client, token, key, body="First words")
    # The browser's Back button shows the old form, key and all.
    again = form_post(client, token, key, body="Second thoughts")
    assert again.status_code == 422
    html = again.get_data(as_text=True)
    assert "already used for another comment" in html
    assert "Second thoughts" in html
    [new_key, _] = KEY_FIELD.findall(html)
    assert new_key != key
    assert form_post(client, token, new_key, body="Second thoughts").status_code == 303
    assert stored_bodies() == ["First words", "Second thoughts"]

    refused = api_post(client, token, key, body="Other words")
    assert refused.status_code == 422
    assert refused.get_json() == {"error": repeats.KEY_REUSED, "fields": {}}


@pytest.mark.parametrize("key", ["short", "x" * 129, "spaces are not ok 123"])
def test_a_damaged_key_is_a_clear_error(client, episode, key):
    token, _ = page_keys(client)
    response = api_post(client, token, key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.get_json()["fields"]
    page = form_post(client, token, key)
    assert page.status_code == 400
    assert "This form is damaged" in page.get_data(as_text=True)
    assert stored_bodies() == []


def test_a_key_is_looked_for_only_when_its_insert_meets_it(
    client, episode, monkeypatch
):
    """A new post stores its comment without looking for its key first; a
    repeat's insert meets the unique key, rolls back, and answers with the
    first post's comment."""
    token, _ = page_keys(client)
    looked = []
    real = repeats.earlier_post

    def watched(key, sent):
        looked.append(key)
        return real(key, sent)

    monkeypatch.setattr(repeats, "earlier_post", watched)
    first = api_post(client, token, "r" * 24)
    assert first.status_code == 201
    assert looked == []
    second = api_post(client, token, "r" * 24)
    assert len(looked) == 1
    assert second.status_code == 201
    assert second.get_json()["id"] == first.get_json()["id"]
    assert stored_bodies() == ["Great moment"]


@pytest.mark.parametrize("post", [api_post, form_post])
def test_a_repeat_after_the_episode_closed_answers_the_first_post(
    client, episode, post
):
    """The listener's retry reaches the server after the host closed the
    comments: it answers with the comment the first post stored, not with a
    refusal; a new post is refused."""
    token, (key, other_key) = page_keys(client)
    first = post(client, token, key)
    assert first.status_code in (201, 303)
    with in_app() as session:
        closing = sa.update(Episode).where(Episode.id == episode.id)
        session.execute(closing.values(comments_closed=True))
        session.commit()
    again = post(client, token, key)
    assert again.status_code == first.status_code
    if post is api_post:
        assert again.get_json()["id"] == first.get_json()["id"]
    else:
        assert again.headers["Location"] == first.headers["Location"]
    refused = post(client, token, other_key, body="Too late")
    assert refused.status_code not in (201, 303)
    assert stored_bodies() == ["Great moment"]


def test_two_repeats_sent_at_once_store_one_comment(app, client, episode):
    token, (key, _) = page_keys(client)
    cookie = client.get_cookie("session")
    clients = [app.test_client() for _ in range(4)]
    for other in clients:
        other.set_cookie("session", cookie.value)
    start = threading.Barrier(len(clients))
    answers = []

    def send(other):
        start.wait()
        answers.append(form_post(other, token, key))

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [303] * 4
    assert len({a.headers["Location"] for a in answers}) == 1
    assert scalar(sa.select(sa.func.count(Comment.id))) == 1


def test_a_repeat_meeting_the_first_sending_still_at_work_answers_the_comment(
    app, client, episode
):
    """The first sending stored the comment and is still counting it among the
    listener's own (their private feed of replies) when the repeat comes: the
    repeat waits for it and answers the same comment, never a 500."""
    token, _ = page_keys(client)
    first = api_post(client, token, "w" * 24)
    comment_id = first.get_json()["id"]
    counted = sa.select(ReplyFeedComment).where(
        ReplyFeedComment.comment_id == comment_id
    )
    (feed_id,) = scalars(sa.select(ReplyFeedComment.feed_id).where(counted.whereclause))
    with app.app_context():
        engine = db.engine
    with engine.begin() as conn:
        conn.execute(sa.delete(ReplyFeedComment))
    # The first sending's transaction, counting the comment, not yet committed.
    first_at_work = engine.connect()
    first_at_work.execute(
        sa.insert(ReplyFeedComment).values(feed_id=feed_id, comment_id=comment_id)
    )
    done = threading.Timer(1.5, first_at_work.commit)
    done.start()
    try:
        second = api_post(client, token, "w" * 24)
    finally:
        done.join()
        first_at_work.close()
    assert second.status_code == 201
    assert second.get_json()["id"] == comment_id
    assert stored_bodies() == ["Great moment"]
    assert len(scalars(counted)) == 1
