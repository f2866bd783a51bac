"""The whole conversation's JSON (`GET /api/episodes/<slug>/comments`): read as
rows, kept per process while the database is unchanged, 304 for its ETag."""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from flask import jsonify

from podcast_hub.conversation import comments

from .conftest import csrf_from
from .helpers import get, in_app, make_comment, make_episode, make_show

START = datetime(2026, 1, 1, tzinfo=UTC)
URL = "/api/episodes/ep/comments"


@pytest.fixture
def episode(app):
    make_show()
    return make_episode(slug="ep", duration_s=3600)


def at(minutes):
    return START + timedelta(minutes=minutes)


def conversation(episode):
    """Store a conversation with every case the listing must get right."""
    made = {}
    made["general"] = make_comment(
        episode, timestamp_s=None, created_at=at(0), body="A general word"
    )
    made["late"] = make_comment(episode, timestamp_s=900, created_at=at(1))
    made["early"] = make_comment(
        episode,
        timestamp_s=60,
        created_at=at(2),
        body="Two lines\nof <b>bold</b> & 'quotes'\n\n  and a paragraph  ",
        author="Zoë «Z»",
    )
    made["pinned"] = make_comment(
        episode, timestamp_s=1200, created_at=at(3), pinned=True
    )
    made["reply"] = make_comment(
        episode, parent_id=made["late"].id, timestamp_s=None, created_at=at(4)
    )
    made["host"] = make_comment(
        episode,
        parent_id=made["reply"].id,
        created_at=at(5),
        author="Hannah Host",
        email=None,
        is_host=True,
    )
    made["deeper"] = make_comment(
        episode, parent_id=made["host"].id, created_at=at(6), body="Third level"
    )
    made["hidden"] = make_comment(episode, created_at=at(7), status="hidden")
    made["under_hidden"] = make_comment(
        episode, parent_id=made["hidden"].id, created_at=at(8)
    )
    made["below_that"] = make_comment(
        episode, parent_id=made["under_hidden"].id, created_at=at(9)
    )
    made["pending"] = make_comment(episode, created_at=at(10), status="pending")
    made["same_moment"] = make_comment(episode, timestamp_s=60, created_at=at(11))
    return made


def as_before(app, episode):
    """Return the bytes the API wrote from Nodes and `jsonify`, before rows."""
    with app.test_request_context(URL), in_app():
        nodes = comments.thread(get(type(episode), episode.id))
        return jsonify(
            {
                "episode": "ep",
                "count": comments.count(nodes),
                "comments": [comments.to_json(node) for node in nodes],
            }
        ).get_data()


def test_the_listing_writes_the_bytes_the_nodes_gave(app, client, episode):
    """Same threads, order, replies, fields, escaping and key order: a reply
    under a hidden comment is left out with its own replies."""
    made = conversation(episode)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.data == as_before(app, episode)
    data = response.get_json()
    assert data["count"] == 8
    assert [c["id"] for c in data["comments"]] == [
        made[name].id for name in ("pinned", "early", "same_moment", "late", "general")
    ]
    shown = response.get_data(as_text=True)
    assert "lee@example.com" not in shown
    for name in ("hidden", "under_hidden", "below_that", "pending"):
        assert f'"id":{made[name].id},' not in shown


@pytest.mark.parametrize("size", [3, 40])
def test_reading_the_whole_thread_runs_two_statements_whatever_its_size(
    client, episode, count_queries, size
):
    """The episode and the comments' rows: one statement each, for 3
    comments or 40, replies to replies included."""
    parent = None
    for n in range(size):
        parent = make_comment(
            episode,
            created_at=at(n),
            parent_id=parent.id if parent is not None and n % 3 else None,
        )
    with count_queries() as counted:
        assert client.get(URL).status_code == 200
    assert len(counted) == 2, counted.statements
    assert "FROM comment" in counted.statements[1]


@pytest.mark.sqlite_only("the JSON is kept against SQLite's data_version")
def test_a_read_of_an_unchanged_database_reads_only_the_episode(
    client, episode, count_queries
):
    make_comment(episode)
    first = client.get(URL)
    with count_queries() as counted:
        again = client.get(URL)
    assert again.data == first.data
    assert len(counted) == 1 and "FROM episode" in counted.statements[0]


def test_the_etag_sent_back_gets_a_304(client, episode):
    make_comment(episode)
    first = client.get(URL)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    among = client.get(URL, headers={"If-None-Match": f'"other", {etag}'})
    assert among.status_code == 304
    other = client.get(URL, headers={"If-None-Match": '"other"'})
    assert other.status_code == 200 and other.data == first.data


def test_the_whole_thread_varies_on_nothing_a_page_of_it_on_the_cookie(client, episode):
    """The whole conversation is the same for everyone; a page of it shows a
    visitor their own held comments (the ownership cookie)."""
    make_comment(episode)
    client.get("/episodes/ep")  # a session cookie, as a browser has
    whole = client.get(URL)
    assert "Cookie" not in whole.headers.get("Vary", "")
    assert "Set-Cookie" not in whole.headers
    page = client.get(URL + "?page=1")
    assert "Cookie" in page.headers["Vary"]


@pytest.mark.sqlite_only("the JSON is kept against SQLite's data_version")
def test_a_change_by_another_connection_changes_the_next_answer(app, client, episode):
    """What a worker keeps goes when any other connection commits: another
    worker, another process, the sqlite3 shell."""
    kept = make_comment(episode, body="Kept for now")
    make_comment(episode, body="Stays")
    first = client.get(URL)
    etag = first.headers["ETag"]
    assert client.get(URL, headers={"If-None-Match": etag}).status_code == 304
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as elsewhere:
        elsewhere.execute(
            "UPDATE comment SET status = 'hidden' WHERE id = ?", (kept.id,)
        )
    again = client.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert b"Kept for now" not in again.data and b"Stays" in again.data
    assert again.headers["ETag"] != etag
    assert again.get_json()["count"] == 1


def post(client, body, parent_id=None):
    token = csrf_from(client.get("/episodes/ep").get_data(as_text=True))
    return client.post(
        URL,
        json={"author": "Sam", "body": body, "parent_id": parent_id},
        headers={"X-CSRFToken": token},
    )


def moderate(client, comment_id, action):
    token = csrf_from(client.get("/dashboard").get_data(as_text=True))
    response = client.post(
        f"/api/comments/{comment_id}/moderation",
        json={"action": action},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200, response.get_json()


def test_every_change_through_the_app_shows_in_the_next_read(
    app, client, episode, auth
):
    """A post, a reply, a host's hide, restore, pin and deletion: each read
    after one of them says it, and the ETag of the read before gets a 200."""
    first = make_comment(episode, timestamp_s=10, created_at=at(0), body="First")
    second = make_comment(episode, timestamp_s=20, created_at=at(1), body="Second")
    reader = app.test_client()
    seen = [reader.get(URL)]

    def read():
        response = reader.get(URL, headers={"If-None-Match": seen[-1].headers["ETag"]})
        assert response.status_code == 200
        seen.append(response)
        return response.get_json()

    assert post(client, "Posted just now").status_code == 201
    assert "Posted just now" in str(read())
    assert post(client, "A reply", parent_id=first.id).status_code == 201
    assert read()["comments"][0]["replies"][0]["body"] == "A reply"
    auth.login()
    moderate(client, first.id, "hide")
    assert "First" not in [c["body"] for c in read()["comments"]]
    moderate(client, first.id, "restore")
    assert "First" in [c["body"] for c in read()["comments"]]
    moderate(client, second.id, "pin")
    assert read()["comments"][0]["id"] == second.id
    moderate(client, second.id, "delete")
    assert second.id not in [c["id"] for c in read()["comments"]]
