"""The host's inbox: tabs, counts, the episode filter, pages and thread context."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from podcast_hub.conversation import inbox
from podcast_hub.models import Comment

from .conftest import csrf_from
from .helpers import make_comment, make_episode, make_host, make_show, scalar, update

NOW = datetime.now(UTC)


@pytest.fixture
def episodes(app):
    make_show()
    return make_episode(slug="one", title="One"), make_episode(slug="two", title="Two")


def ago(minutes):
    return NOW - timedelta(minutes=minutes)


def ids(page):
    return [row.comment.id for row in page.rows]


def test_tabs_hold_the_right_comments_with_counts(app_context, episodes):
    one, two = episodes
    unanswered = make_comment(one, created_at=ago(5))
    answered = make_comment(one, created_at=ago(50))
    reply = make_comment(
        one, parent_id=answered.id, is_host=True, author="Hannah", created_at=ago(45)
    )
    pending = make_comment(two, status="pending", created_at=ago(4))
    spam = make_comment(two, status="spam", created_at=ago(3))
    hidden = make_comment(two, status="hidden", created_at=ago(2))
    not_needed = make_comment(two, reply_not_needed=True, created_at=ago(1))

    assert ids(inbox.page("needs-reply")) == [unanswered.id]
    assert ids(inbox.page("moderation")) == [pending.id]
    assert ids(inbox.page("spam")) == [spam.id]
    assert ids(inbox.page("all"))[:4] == [not_needed.id, hidden.id, spam.id, pending.id]
    assert inbox.counts() == {"needs-reply": 1, "moderation": 1, "spam": 1, "all": 7}
    assert inbox.counts(two.id) == {
        "needs-reply": 0,
        "moderation": 1,
        "spam": 1,
        "all": 4,
    }
    assert ids(inbox.page("all", episode_id=one.id)) == [
        unanswered.id,
        reply.id,
        answered.id,
    ]


def test_a_hidden_host_reply_does_not_count_as_an_answer(app_context, episodes):
    one, _ = episodes
    question = make_comment(one)
    make_comment(one, parent_id=question.id, is_host=True, status="hidden")
    assert ids(inbox.page("needs-reply")) == [question.id]


def test_a_third_level_comment_is_answered_by_the_host_reply_beside_it(
    app_context, episodes
):
    """Threads stop at three levels: the host's answer lands beside the comment."""
    one, _ = episodes
    top = make_comment(one, created_at=ago(30))
    make_comment(one, parent_id=top.id, is_host=True, author="H", created_at=ago(29))
    second = make_comment(one, parent_id=top.id, created_at=ago(20))
    third = make_comment(one, parent_id=second.id, created_at=ago(10))
    assert set(ids(inbox.page("needs-reply"))) == {second.id, third.id}
    make_comment(one, parent_id=second.id, is_host=True, author="H", created_at=ago(5))
    assert ids(inbox.page("needs-reply")) == []


def test_rows_carry_their_thread_context_in_few_queries(app_context, episodes):
    one, _ = episodes
    top = make_comment(one, body="top")
    middle = make_comment(one, parent_id=top.id, body="middle")
    leaf = make_comment(one, parent_id=middle.id, body="leaf")
    row = next(r for r in inbox.page("needs-reply").rows if r.comment.id == leaf.id)
    assert [c.body for c in row.context] == ["top", "middle"]


def test_pages_are_newest_first_and_clamped(app_context, episodes):
    one, _ = episodes
    made = [make_comment(one, created_at=ago(i)) for i in range(45)]
    first = inbox.page("needs-reply", number=1, per_page=20)
    assert ids(first) == [c.id for c in made[:20]]
    assert (first.pages, first.has_previous, first.has_next) == (3, False, True)
    last = inbox.page("needs-reply", number=99, per_page=20)
    assert last.number == 3 and ids(last) == [c.id for c in made[40:]]


def test_no_reply_needed_takes_a_comment_out_and_back(app_context, episodes):
    one, _ = episodes
    comment = make_comment(one)
    assert inbox.mark_reply_not_needed([comment.id]) == 1
    assert ids(inbox.page("needs-reply")) == []
    inbox.mark_reply_not_needed([comment.id], not_needed=False)
    assert ids(inbox.page("needs-reply")) == [comment.id]


def page_html(client, query=""):
    return client.get(f"/dashboard{query}").get_data(as_text=True)


def item_ids(html):
    return [int(i) for i in re.findall(r'data-comment-id="(\d+)"', html)]


def test_tabs_show_counts_and_the_current_one(client, auth, episodes):
    one, two = episodes
    make_comment(one)
    make_comment(two, status="pending")
    auth.login()
    html = page_html(client, "?tab=moderation")
    assert re.search(
        r'aria-current="page">Awaiting moderation <span[^>]*>1</span>', html
    )
    assert re.search(
        r'Needs reply <span class="count" data-count="needs-reply">1<', html
    )
    assert client.get("/dashboard?tab=nonsense").status_code == 404


def test_the_episode_filter_keeps_one_episode(client, auth, episodes):
    one, two = episodes
    first = make_comment(one)
    make_comment(two)
    auth.login()
    html = page_html(client, f"?episode={one.id}")
    assert item_ids(html) == [first.id]
    assert f'<option value="{one.id}" selected>One</option>' in html


def test_moment_links_open_the_episode_at_that_time(client, auth, episodes):
    one, _ = episodes
    comment = make_comment(one, timestamp_s=754)
    auth.login()
    html = page_html(client)
    assert (
        f'href="/episodes/one?t=754&amp;comment={comment.id}#comment-{comment.id}"'
        in html
    )
    assert ">12:34</a>" in html


def test_pagination_links_move_through_the_tab(client, auth, episodes):
    one, _ = episodes
    for i in range(25):
        make_comment(one, created_at=ago(i), body=f"comment {i}")
    auth.login()
    html = page_html(client)
    assert len(item_ids(html)) == inbox.PER_PAGE
    assert "Page 1 of 2" in html and 'href="/dashboard?page=2"' in html
    second = page_html(client, "?page=2")
    assert len(item_ids(second)) == 5 and "comment 24" in second


def test_thread_context_is_shown_above_a_reply(client, auth, episodes):
    one, _ = episodes
    top = make_comment(one, author="Ana", body="Where was this recorded?")
    make_comment(one, parent_id=top.id, author="Bo", body="I wonder too")
    update(top, reply_not_needed=True)
    auth.login()
    html = page_html(client)
    item = re.search(r'<li class="inbox-item".*?</li>', html, re.S).group()
    assert "Ana" in item and "Where was this recorded?" in item
    assert "I wonder too" in item


def test_no_reply_needed_button(client, auth, episodes):
    one, _ = episodes
    comment = make_comment(one)
    auth.login()
    token = csrf_from(page_html(client))
    response = client.post(
        f"/dashboard/comments/{comment.id}/no-reply-needed",
        data={"csrf_token": token, "next": "/dashboard"},
    )
    assert response.status_code == 303
    assert item_ids(page_html(client)) == []
    assert comment.id in item_ids(page_html(client, "?tab=all"))


def test_a_reply_sent_by_javascript_gets_json_and_stays_in_the_inbox(
    client, auth, episodes
):
    one, _ = episodes
    comment = make_comment(one, author="Lee")
    auth.login()
    token = csrf_from(page_html(client))
    response = client.post(
        f"/dashboard/comments/{comment.id}/reply",
        data={"body": "Thanks!", "csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    data = response.get_json()
    assert data["parent_id"] == comment.id and "Lee" in data["message"]
    empty = client.post(
        f"/dashboard/comments/{comment.id}/reply",
        data={"body": " ", "csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert empty.status_code == 400
    assert empty.get_json()["fields"]["body"] == ["Write your reply first."]


def test_each_host_signs_replies_with_their_own_name(client, auth, csrf, episodes):
    one, _ = episodes
    first = make_comment(one)
    second = make_comment(one)
    make_host(email="co@example.com", display_name="Cory Cohost", password="co-host pw")
    auth.login()
    client.post(
        f"/dashboard/comments/{first.id}/reply",
        data={"body": "From Hannah", "csrf_token": csrf_from(page_html(client))},
    )
    auth.logout()
    auth.login(email="co@example.com", password="co-host pw")
    html = page_html(client)
    assert "Reply as Cory Cohost" in html
    client.post(
        f"/dashboard/comments/{second.id}/reply",
        data={"body": "From Cory", "csrf_token": csrf_from(html)},
    )
    thread = client.get("/api/episodes/one/comments").get_json()["comments"]
    authors = {t["replies"][0]["body"]: t["replies"][0]["author"] for t in thread}
    assert authors == {"From Hannah": "Hannah Host", "From Cory": "Cory Cohost"}


def test_the_inbox_costs_the_same_queries_for_few_or_many_rows(
    client, auth, episodes, count_queries
):
    one, two = episodes
    auth.login()

    def add_threads(n):
        for i in range(n):
            episode = one if i % 2 else two
            top = make_comment(episode, body=f"top {i}")
            middle = make_comment(episode, parent_id=top.id, body="middle")
            make_comment(episode, parent_id=middle.id, body="leaf")

    def queries_of_the_inbox():
        with count_queries() as queries:
            assert client.get("/dashboard").status_code == 200
        return len(queries)

    add_threads(10)
    few = queries_of_the_inbox()
    add_threads(20)
    many = queries_of_the_inbox()
    # 10 for the inbox itself, one for the unread count in the navigation,
    # one for the outbox's notice and one for the people blocked or trusted.
    assert many == few <= 13


def test_a_reply_to_a_comment_closed_to_replies_is_refused_as_the_api_refuses_it(
    client, auth, episodes
):
    """Not open for replies: 404 naming `parent_id` in JSON, from the inbox's
    script as from the API; the inbox page without JavaScript says why, 400."""
    one, _ = episodes
    held = make_comment(one, author="Lee", status="pending")
    auth.login()
    token = csrf_from(page_html(client))
    api = client.post(
        "/api/episodes/one/comments",
        json={"body": "Hi", "parent_id": held.id},
        headers={"X-CSRFToken": token},
    )
    from_inbox = client.post(
        f"/dashboard/comments/{held.id}/reply",
        json={"body": "Hi"},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
    assert api.status_code == from_inbox.status_code == 404
    expected = {"parent_id": ["That comment is not open for replies."]}
    assert api.get_json()["fields"] == from_inbox.get_json()["fields"] == expected
    page = client.post(
        f"/dashboard/comments/{held.id}/reply",
        data={"body": "Hi", "csrf_token": token},
    )
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Your reply to Lee was not posted" in html
    assert "That comment is not open for replies." in html
    assert replies_to(held) == 0


def replies_to(comment):
    query = sa.select(sa.func.count()).where(Comment.parent_id == comment.id)
    return scalar(query)


def test_the_inbox_script_gets_json_for_every_action_it_sends(client, auth, episodes):
    """Replies and "no reply needed" answer JSON with a message to announce."""
    one, _ = episodes
    comment = make_comment(one, author="Lee")
    auth.login()
    token = csrf_from(page_html(client))
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    done = client.post(
        f"/dashboard/comments/{comment.id}/no-reply-needed",
        json={"next": "/dashboard"},
        headers=headers,
    )
    assert done.status_code == 200
    answer = done.get_json()
    assert answer["message"] == "Lee’s comment needs no reply."
    assert answer["undo"]["url"] == "/dashboard/undo"
    assert item_ids(page_html(client)) == []
    missing = client.post(
        "/dashboard/comments/999999/no-reply-needed", json={}, headers=headers
    )
    assert missing.status_code == 404
    assert missing.is_json and missing.get_json()["error"]


def test_a_failed_reply_without_javascript_comes_back_open_with_the_text(
    client, auth, episodes
):
    one, _ = episodes
    comment = make_comment(one, author="Lee")
    other = make_comment(one, author="Kim")
    auth.login()
    token = csrf_from(page_html(client))
    html = page_html(client)
    folded = re.search(
        rf'data-comment-id="{comment.id}".*?<details class="reply"([^>]*)>', html, re.S
    )
    assert "open" not in folded.group(1), "replies start folded"
    response = client.post(
        f"/dashboard/comments/{comment.id}/reply",
        data={"body": "x" * 10001, "csrf_token": token},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    mine = re.search(
        rf'data-comment-id="{comment.id}".*?<details class="reply"([^>]*)>', html, re.S
    )
    theirs = re.search(
        rf'data-comment-id="{other.id}".*?<details class="reply"([^>]*)>', html, re.S
    )
    assert "open" in mine.group(1) and "open" not in theirs.group(1)
    assert "x" * 100 in html
