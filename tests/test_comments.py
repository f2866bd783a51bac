"""Posting, listing and replying: the plain form and the JSON API."""

import re

import pytest
import sqlalchemy as sa

from podcast_hub.models import BlockRule, Comment, ReplyFeedComment, Show

from .conftest import csrf_from
from .helpers import in_app, make_comment, make_episode, make_host, make_show, reload


@pytest.fixture
def episode(app):
    make_show()
    return make_episode(slug="lighthouse", title="The Lighthouse", duration_s=1800)


def rows():
    with in_app() as session:
        return session.scalars(sa.select(Comment).order_by(Comment.id)).all()


def post_form(client, slug, **fields):
    page = client.get(f"/episodes/{slug}")
    data = {"csrf_token": csrf_from(page.get_data(as_text=True))}
    data.update(fields)
    return client.post(f"/episodes/{slug}/comments", data=data)


def post_json(client, slug, payload, token=True):
    headers = {}
    if token:
        headers["X-CSRFToken"] = csrf_from(
            client.get(f"/episodes/{slug}").get_data(as_text=True)
        )
    return client.post(f"/api/episodes/{slug}/comments", json=payload, headers=headers)


def test_form_post_redirects_to_the_new_comment(client, episode):
    response = post_form(
        client,
        "lighthouse",
        author="Lee",
        email="lee@example.com",
        body="Wow.",
        timestamp="12:34",
    )
    [comment] = rows()
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/episodes/lighthouse#comment-{comment.id}"
    )
    assert (comment.author, comment.body, comment.timestamp_s) == ("Lee", "Wow.", 754)
    page = client.get("/episodes/lighthouse").get_data(as_text=True)
    assert f'id="comment-{comment.id}"' in page
    assert '<a href="?t=754" data-seek="754">12:34</a>' in page


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [
        ("754", 754),
        ("12:34", 754),
        ("0:30:00", 1800),
        ("", None),
        ("  ", None),
        ("0", 0),
    ],
)
def test_form_reads_each_way_of_writing_a_moment(client, episode, typed, seconds):
    post_form(client, "lighthouse", author="Lee", body="Hi", timestamp=typed)
    assert rows()[0].timestamp_s == seconds


def field_error(html, field):
    """Return the error shown for `field` of the comment form (the hidden
    `parent_id` has no label, so its error stands alone without an id)."""
    if field == "parent_id":
        pattern = r'<p class="error">([^<]*)</p>'
    else:
        pattern = rf'<p class="error" id="{field}-error">([^<]*)</p>'
    match = re.search(pattern, html)
    assert match, f"no error shown for {field}"
    return match.group(1)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"author": "", "body": "Hi"}, "author", "Tell us your name."),
        ({"author": "   ", "body": "Hi"}, "author", "Tell us your name."),
        ({"author": "x" * 81, "body": "Hi"}, "author", "under 80 characters"),
        ({"author": "Lee", "body": ""}, "body", "Write something first."),
        ({"author": "Lee", "body": " \n\t "}, "body", "Write something first."),
        ({"author": "Lee", "body": "x" * 10_001}, "body", "under 10,000 characters"),
        (
            {"author": "Lee", "body": "Hi", "timestamp": "12:60"},
            "timestamp",
            "up to 59",
        ),
        ({"author": "Lee", "body": "Hi", "timestamp": "soon"}, "timestamp", "12:34"),
        ({"author": "Lee", "body": "Hi", "timestamp": "-5"}, "timestamp", "negative"),
        (
            {"author": "Lee", "body": "Hi", "timestamp": "30:01"},
            "timestamp",
            "30:00, the episode",
        ),
        (
            {"author": "Lee", "body": "Hi", "email": "not-an-address"},
            "email",
            "e-mail address",
        ),
        ({"author": "Lee", "body": "Hi", "parent_id": "abc"}, "parent_id", "integer"),
        (
            {"author": "Lee", "body": "Hi", "parent_id": "999"},
            "parent_id",
            "no such comment",
        ),
    ],
)
def test_invalid_form_input_is_400_with_the_field_error_and_stores_nothing(
    client, episode, fields, field, message
):
    response = post_form(client, "lighthouse", **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in field_error(html, field)
    assert "Your comment was not posted" in html
    assert rows() == []


def test_invalid_form_keeps_what_was_typed(client, episode):
    response = post_form(
        client,
        "lighthouse",
        author="Lee <Listener>",
        body="My long thought & more",
        timestamp="99:99",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Lee &lt;Listener&gt;"' in html
    assert "My long thought &amp; more</textarea>" in html
    assert 'value="99:99"' in html


def test_form_without_csrf_token_is_rejected(client, episode):
    response = client.post(
        "/episodes/lighthouse/comments", data={"author": "Lee", "body": "Hi"}
    )
    assert response.status_code == 400
    assert rows() == []


def test_posting_to_an_unknown_or_future_episode_is_404(client, episode):
    from datetime import UTC, datetime, timedelta

    make_episode(slug="next-week", published_at=datetime.now(UTC) + timedelta(days=7))
    token = csrf_from(client.get("/episodes/lighthouse").get_data(as_text=True))
    for slug in ("nope", "next-week"):
        response = client.post(
            f"/episodes/{slug}/comments",
            data={"author": "Lee", "body": "Hi", "csrf_token": token},
        )
        assert response.status_code == 404
    assert client.get("/episodes/next-week").status_code == 404
    assert rows() == []


def test_listener_reply_nests_inside_its_parent(client, episode):
    parent = make_comment(episode, body="First!")
    response = post_form(
        client, "lighthouse", author="Sam", body="Agreed", parent_id=str(parent.id)
    )
    assert response.status_code == 303
    reply = rows()[-1]
    assert reply.parent_id == parent.id
    html = client.get("/episodes/lighthouse").get_data(as_text=True)
    start = html.index(f'id="comment-{parent.id}"')
    inner = html.index(f'id="comment-{reply.id}"')
    assert start < inner < _end_of_article(html, start)


def _end_of_article(html, start):
    depth = 0
    for match in re.finditer(r"<article\b|</article>", html[start:]):
        depth += 1 if match.group() != "</article>" else -1
        if depth == 0:
            return start + match.end()
    raise AssertionError("unclosed article")


def test_reply_to_a_comment_on_another_episode_is_refused(client, episode):
    other = make_episode(slug="other")
    foreign = make_comment(other)
    response = post_form(
        client, "lighthouse", author="Sam", body="Hi", parent_id=str(foreign.id)
    )
    assert response.status_code == 400
    assert "no such comment on this episode" in response.get_data(as_text=True)
    json_response = post_json(
        client, "lighthouse", {"author": "Sam", "body": "Hi", "parent_id": foreign.id}
    )
    assert json_response.status_code == 404
    assert json_response.get_json()["fields"] == {
        "parent_id": ["There is no such comment on this episode."]
    }
    assert len(rows()) == 1


def test_replies_deeper_than_three_levels_attach_at_the_third(client, episode):
    one = make_comment(episode)
    two = make_comment(episode, parent_id=one.id)
    three = make_comment(episode, parent_id=two.id)
    response = post_json(
        client, "lighthouse", {"author": "Deep", "body": "Four?", "parent_id": three.id}
    )
    assert response.status_code == 201
    assert response.get_json()["parent_id"] == two.id


def test_comments_are_ordered_by_moment_then_time_with_general_ones_last(
    client, episode
):
    late = make_comment(episode, body="late", timestamp_s=900)
    general = make_comment(episode, body="general", timestamp_s=None)
    early = make_comment(episode, body="early", timestamp_s=60)
    early_second = make_comment(episode, body="early too", timestamp_s=60)
    data = client.get("/api/episodes/lighthouse/comments").get_json()
    assert [c["id"] for c in data["comments"]] == [
        early.id,
        early_second.id,
        late.id,
        general.id,
    ]
    html = client.get("/episodes/lighthouse").get_data(as_text=True)
    positions = [
        html.index(f'id="comment-{c.id}"') for c in (early, early_second, late, general)
    ]
    assert positions == sorted(positions)
    assert f'id="comment-{general.id}"\n' in html or 'data-timestamp=""' in html


def test_general_comment_has_empty_data_timestamp(client, episode):
    general = make_comment(episode, timestamp_s=None)
    html = client.get("/episodes/lighthouse").get_data(as_text=True)
    assert re.search(rf'id="comment-{general.id}"\s+data-timestamp=""', html)


def test_json_post_returns_201_with_the_comment_and_never_the_email(client, episode):
    response = post_json(
        client,
        "lighthouse",
        {
            "author": "Lee",
            "email": "secret@example.com",
            "body": "Line one\n\nLine <two>",
            "timestamp": 754,
        },
    )
    assert response.status_code == 201
    data = response.get_json()
    assert set(data) == {
        "id",
        "parent_id",
        "author",
        "body",
        "body_html",
        "timestamp",
        "created_at",
        "is_host",
        "status",
        "replies",
    }
    assert data["timestamp"] == 754
    assert data["is_host"] is False
    assert data["status"] == "published"
    assert data["body_html"] == "<p>Line one</p><p>Line &lt;two&gt;</p>"
    assert data["created_at"].endswith("Z")
    listing = client.get("/api/episodes/lighthouse/comments")
    assert "secret@example.com" not in listing.get_data(as_text=True)
    assert "secret@example.com" not in client.get("/episodes/lighthouse").get_data(
        as_text=True
    )
    assert rows()[0].email == "secret@example.com"


def test_json_listing_nests_replies(client, episode):
    parent = make_comment(episode)
    reply = make_comment(episode, parent_id=parent.id, timestamp_s=None)
    data = client.get("/api/episodes/lighthouse/comments").get_json()
    assert data["episode"] == "lighthouse"
    assert data["count"] == 2
    [thread] = data["comments"]
    assert thread["id"] == parent.id
    assert [r["id"] for r in thread["replies"]] == [reply.id]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": "Hi"}, "author"),
        ({"author": "Lee"}, "body"),
        ({"author": "Lee", "body": "x" * 10_001}, "body"),
        ({"author": "Lee", "body": "Hi", "timestamp": 1801}, "timestamp"),
        ({"author": "Lee", "body": "Hi", "timestamp": -1}, "timestamp"),
        ({"author": "Lee", "body": "Hi", "timestamp": True}, "timestamp"),
        ({"author": "Lee", "body": "Hi", "timestamp": 1.5}, "timestamp"),
        ({"author": ["Lee"], "body": "Hi"}, "author"),
        ({"author": "Lee", "body": {"text": "Hi"}}, "body"),
        ({"author": "Lee", "body": "Hi", "parent_id": "1"}, "parent_id"),
        ({"author": "Lee", "body": "Hi", "email": "nope"}, "email"),
    ],
)
def test_invalid_json_is_400_naming_the_field_and_stores_nothing(
    client, episode, payload, field
):
    response = post_json(client, "lighthouse", payload)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"]
    assert field in body["fields"]
    assert rows() == []


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", "null", '"text"'])
def test_json_body_that_is_not_an_object_is_400(client, episode, raw):
    token = csrf_from(client.get("/episodes/lighthouse").get_data(as_text=True))
    response = client.post(
        "/api/episodes/lighthouse/comments",
        data=raw,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_json_without_csrf_token_is_403_json(client, episode):
    response = post_json(
        client, "lighthouse", {"author": "Lee", "body": "Hi"}, token=False
    )
    assert response.status_code == 403
    assert "CSRF" in response.get_json()["error"]
    assert rows() == []


def test_json_to_unknown_episode_is_404_json(client, episode):
    response = post_json(client, "nope", {"author": "Lee", "body": "Hi"})
    assert response.status_code == 404
    assert response.get_json()["error"]


@pytest.mark.parametrize(
    "config_overrides",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_COMMENTS": "2 per minute"}],
)
def test_too_many_comments_too_fast_is_429(client, episode):
    statuses = [
        post_json(client, "lighthouse", {"author": "Lee", "body": f"n{i}"}).status_code
        for i in range(3)
    ]
    assert statuses == [201, 201, 429]
    refused = post_json(client, "lighthouse", {"author": "Lee", "body": "again"})
    assert refused.status_code == 429
    assert refused.get_json()["error"]
    assert post_form(client, "lighthouse", author="Lee", body="form").status_code == 429
    assert len(rows()) == 2


def test_hostile_text_is_escaped_everywhere(client, episode):
    nasty = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"
    post_form(client, "lighthouse", author=nasty[:80], body=nasty)
    html = client.get("/episodes/lighthouse").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_reply_below_the_third_level_names_whom_it_answers(client, episode):
    one = make_comment(episode, author="Ana")
    two = make_comment(episode, parent_id=one.id, author="Ben")
    three = make_comment(episode, parent_id=two.id, author="Cleo")
    response = post_json(
        client,
        "lighthouse",
        {"author": "Dev", "body": "Agreed!", "parent_id": three.id},
    )
    assert response.get_json()["body"] == "@Cleo Agreed!"
    already = post_json(
        client,
        "lighthouse",
        {"author": "Eve", "body": "@Cleo yes", "parent_id": three.id},
    )
    assert already.get_json()["body"] == "@Cleo yes"
    html = client.get("/episodes/lighthouse").get_data(as_text=True)
    assert html.count("comment--level-3") == 3


def edit(client, comment_id, via, body):
    """Edit one's own comment through the plain form or the JSON API."""
    token = csrf_from(client.get("/episodes/lighthouse").get_data(as_text=True))
    if via == "form":
        return client.post(
            f"/episodes/lighthouse/comments/{comment_id}/edit",
            data={"body": body, "timestamp": "", "csrf_token": token},
        )
    return client.patch(
        f"/api/comments/{comment_id}",
        json={"body": body},
        headers={"X-CSRFToken": token},
    )


def approved_comment(client, mode):
    """Post a comment in moderation `mode` and have the host approve it."""
    from podcast_hub.conversation import moderation

    with in_app() as session:
        moderation.set_mode(session.scalar(sa.select(Show)), mode)
    post_form(
        client,
        "lighthouse",
        author="Lee",
        email="lee@example.com",
        body="Approved words",
        timestamp="",
    )
    [comment] = rows()
    if comment.status != "published":
        with in_app() as session:
            moderation.apply(session.get(Comment, comment.id), "approve")
    return reload(comment)


@pytest.mark.parametrize("via", ["form", "api"])
@pytest.mark.parametrize(
    ("mode", "status"),
    [("open", "published"), ("hold_first", "pending"), ("hold_all", "pending")],
)
def test_an_approved_comment_edited_waits_for_approval_again_in_a_holding_mode(
    client, app, auth, episode, via, mode, status
):
    comment = approved_comment(client, mode)
    response = edit(client, comment.id, via, "Sneaky new words")
    assert response.status_code in (200, 303)
    assert reload(comment).status == status
    stranger = app.test_client()
    public = stranger.get("/episodes/lighthouse").get_data(as_text=True)
    assert ("Sneaky new words" in public) is (status == "published")
    assert "Approved words" not in public
    mine = client.get("/episodes/lighthouse").get_data(as_text=True)
    assert "Sneaky new words" in mine
    assert ("Awaiting moderation" in mine) is (status == "pending")
    if via == "form":
        waits = "will appear once the host approves it" in mine
        assert waits is (status == "pending")
    if via == "api":
        assert response.get_json()["status"] == status
    auth.login()
    inbox = client.get("/dashboard?tab=moderation").get_data(as_text=True)
    assert (f'data-comment-id="{comment.id}"' in inbox) is (status == "pending")


@pytest.mark.parametrize("via", ["form", "api"])
@pytest.mark.parametrize("mode", ["open", "hold_first", "hold_all"])
@pytest.mark.parametrize("approved", [True, False])
def test_an_edit_with_blocked_words_goes_to_spam_in_every_mode(
    client, app, episode, via, mode, approved
):
    comment = approved_comment(client, mode)
    with in_app() as session:
        if not approved:
            session.get(Comment, comment.id).status = "pending"
        session.add(BlockRule(kind="word", value="casino"))
        session.commit()
    response = edit(client, comment.id, via, "Visit my casino")
    assert response.status_code in (200, 303)
    if via == "api":
        assert response.get_json()["status"] == "pending"  # spam looks held
    assert reload(comment).status == "spam"
    public = app.test_client().get("/episodes/lighthouse").get_data(as_text=True)
    assert "casino" not in public


HOSTS_NAME = "That name belongs to a host of this show; choose another."
# Spellings of the host "Dana Reyes" that show as (nearly) the same name.
IMPERSONATIONS = {
    "exact": "Dana Reyes",
    "case": "DANA reyes",
    "no-break space": "Dana\u00a0Reyes",
    "zero-width space": "Dana\u200bReyes",
    "word joiner": "Dana \u2060Reyes",
    "right-to-left override": "\u202eseyeR anaD",
    "override after a word": "Dana \u202eseyeR\u202c",
    "Cyrillic": "D\u0430n\u0430 R\u0435\u0443\u0435s",
    "Greek": "D\u03b1n\u03b1 Reyes",
    "fullwidth": "\uff24\uff41\uff4e\uff41 \uff32\uff45\uff59\uff45\uff53",
}


@pytest.fixture
def dana(episode):
    return make_host(email="dana@example.com", display_name="Dana Reyes")


def author_error(html):
    match = re.search(r'id="[^"]*author-error">([^<]*)<', html)
    return match and match.group(1)


@pytest.mark.parametrize("name", IMPERSONATIONS.values(), ids=IMPERSONATIONS)
def test_a_listener_cannot_post_under_a_hosts_name_by_form(client, episode, dana, name):
    response = post_form(client, "lighthouse", author=name, body="Hi, it's me.")
    assert response.status_code == 400
    assert author_error(response.get_data(as_text=True)) == HOSTS_NAME
    assert rows() == []


@pytest.mark.parametrize("name", IMPERSONATIONS.values(), ids=IMPERSONATIONS)
def test_a_listener_cannot_post_under_a_hosts_name_by_json(client, episode, dana, name):
    response = post_json(client, "lighthouse", {"author": name, "body": "Hi, it's me."})
    assert response.status_code == 400
    assert response.get_json() == {
        "error": HOSTS_NAME,
        "fields": {"author": [HOSTS_NAME]},
    }
    assert rows() == []


@pytest.mark.parametrize(
    "name",
    ["Lee (host)", "Dana Reyes (HOST)", "Lee(h\u043est)", "Lee \uff08host\uff09"],
)
def test_no_listener_name_carries_the_host_mark(client, episode, dana, name):
    by_form = post_form(client, "lighthouse", author=name, body="Hi")
    by_json = post_json(client, "lighthouse", {"author": name, "body": "Hi"})
    assert by_form.status_code == by_json.status_code == 400
    assert "(host)" in author_error(by_form.get_data(as_text=True))
    assert "(host)" in by_json.get_json()["fields"]["author"][0]
    assert rows() == []


@pytest.mark.parametrize("name", ["Dana", "Dan Reyes", "Dana Reyes Jr", "Lee (hosted)"])
def test_other_names_are_welcome(client, episode, dana, name):
    assert post_form(client, "lighthouse", author=name, body="Hi").status_code == 303
    by_json = post_json(client, "lighthouse", {"author": name, "body": "Hi"})
    assert by_json.status_code == 201
    assert [comment.author for comment in rows()] == [name, name]


def test_a_listeners_name_is_stored_as_it_shows(client, episode):
    typed = "\u202a\uff2c\uff45\uff45\u200b  Listener\u202c"
    assert post_form(client, "lighthouse", author=typed, body="Hi").status_code == 303
    assert rows()[0].author == "Lee Listener"


def test_a_logged_in_host_posts_under_their_own_name(client, episode, auth):
    auth.login()
    make_host(email="dana@example.com", display_name="Dana Reyes")
    by_form = post_form(client, "lighthouse", body="From the host")
    by_json = post_json(client, "lighthouse", {"body": "Again"})
    assert by_form.status_code == 303
    assert by_json.status_code == 201
    assert by_json.get_json()["is_host"] is True
    assert [(c.author, c.is_host) for c in rows()] == [("Hannah Host", True)] * 2


# --- posting throughput (bench/comments.py) ---


@pytest.mark.parametrize("by", ["form", "json"])
def test_a_post_and_the_listeners_reply_feed_commit_together(client, episode, by):
    """One transaction a post: the comment, its place in the browser's feed
    of replies and the mail it queues commit at once (one commit, not two)."""
    first = post_form(client, "lighthouse", author="Lee", body="First.")
    assert first.status_code == 303
    commits = []

    def count(connection):
        commits.append(connection)

    sa.event.listen(sa.engine.Engine, "commit", count)
    try:
        if by == "form":
            response = post_form(client, "lighthouse", author="Lee", body="Again.")
        else:
            response = post_json(
                client, "lighthouse", {"author": "Lee", "body": "Again."}
            )
    finally:
        sa.event.remove(sa.engine.Engine, "commit", count)
    assert response.status_code in (201, 303)
    assert len(commits) == 1
    with in_app() as session:
        followed = session.scalars(
            sa.select(ReplyFeedComment.comment_id).order_by(ReplyFeedComment.comment_id)
        ).all()
    assert followed == [comment.id for comment in rows()]


@pytest.mark.parametrize("depth", [1, 3])
def test_a_reply_reads_the_comment_it_answers_once(
    client, episode, count_queries, depth
):
    """A reply reads the comment it answers once, in the statement that checks
    it may be answered; the mail that tells listeners of the reply finds it
    there, where it was read again (the session had let it go). At the third
    level the reply attaches beside the comment, to the one above it."""
    parent_id = None
    for level in range(depth):
        response = post_json(
            client,
            "lighthouse",
            {
                "author": f"Level {level}",
                "body": f"Level {level}.",
                "parent_id": parent_id,
            },
        )
        parent_id = response.get_json()["id"]
    token = csrf_from(client.get("/episodes/lighthouse").get_data(as_text=True))
    with count_queries() as counted:
        response = client.post(
            "/api/episodes/lighthouse/comments",
            json={"author": "Rae", "body": "Answering.", "parent_id": parent_id},
            headers={"X-CSRFToken": token},
        )
    assert response.status_code == 201, response.get_json()
    by_id = [
        statement
        for statement in counted.statements
        if statement.lstrip().startswith("SELECT comment.id")
        and "WHERE comment.id = " in statement
    ]
    assert len(by_id) == 1, counted.statements
    answered = rows()[-2] if depth == 1 else rows()[1]
    reply = rows()[-1]
    assert reply.parent_id == answered.id
    assert reply.body == ("Answering." if depth == 1 else "@Level 2 Answering.")


@pytest.mark.parametrize("by", ["form", "json"])
def test_a_post_runs_a_fixed_handful_of_statements(client, episode, by, count_queries):
    """What a post costs in SQL is pinned: the episode; the block rules with
    the moderation mode, the hosts' names and the spam filter's two counts
    (one statement); the people the host blocked or trusted; whether the
    listener is known; the insert; the listener's feed row (an INSERT …
    SELECT that finds the feed by its secret); and the hosts' mail (one
    INSERT … SELECT). A new posting key is not looked for: its unique index
    answers a repeat. The answer reads nothing back after the commit."""
    from podcast_hub.models import HostNotify, MailKind, OutboxMail

    wants_each = make_host()
    make_host(email="quiet@example.com", display_name="Quinn Quiet")
    with in_app() as session:
        session.execute(
            sa.update(sa.table("host", sa.column("email"), sa.column("notify")))
            .where(sa.column("email") == "quiet@example.com")
            .values(notify=HostNotify.NONE)
        )
        session.add(BlockRule(kind="word", value="casino"))
        session.commit()
    assert post_form(client, "lighthouse", author="Lee", body="First.").status_code
    token = csrf_from(client.get("/episodes/lighthouse").get_data(as_text=True))
    with count_queries() as counted:
        if by == "form":
            response = client.post(
                "/episodes/lighthouse/comments",
                data={
                    "csrf_token": token,
                    "author": "Lee",
                    "body": "Again, 1:00.",
                    "idempotency_key": "6f1c2a9e4b7d4e0f8a3b5c7d9e1f2a3b",
                },
            )
        else:
            response = client.post(
                "/api/episodes/lighthouse/comments",
                json={"author": "Lee", "body": "Again, 1:00."},
                headers={
                    "X-CSRFToken": token,
                    "Idempotency-Key": "6f1c2a9e4b7d4e0f8a3b5c7d9e1f2a3b",
                },
            )
    assert response.status_code in (201, 303)
    assert len(counted) == 7, counted.statements
    comment = rows()[-1]
    assert comment.body == "Again, 1:00."
    if by == "json":
        answer = response.get_json()
        assert (answer["id"], answer["author"], answer["status"]) == (
            comment.id,
            "Lee",
            "published",
        )
        assert answer["created_at"].startswith(comment.created_at.date().isoformat())
    else:
        assert response.location.endswith(f"#comment-{comment.id}")
    with in_app() as session:
        mails = session.execute(
            sa.select(OutboxMail.key, OutboxMail.kind, OutboxMail.host_id).where(
                OutboxMail.comment_id == comment.id
            )
        ).all()
    assert mails == [
        (f"host:{wants_each.id}:{comment.id}", MailKind.HOST_COMMENT, wants_each.id)
    ]
    # A blocked word still sends the next post to spam: the rules are read each time.
    blocked = post_json(client, "lighthouse", {"author": "Lee", "body": "Casino!"})
    assert blocked.status_code == 201
    assert rows()[-1].status == "spam"
