"""Replies to you without e-mail: the banner on the home and episode pages until
the listener opens or dismisses it, the name typed last filled in, and the page
of replies to you."""

import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from podcast_hub.models import Comment, ReplyFeed, ReplyFeedComment, SeenReply
from podcast_hub.web import listener, ownership

from .conftest import Auth, csrf_from
from .helpers import (
    make_comment,
    make_episode,
    make_host,
    make_show,
    post_at_once,
    scalar,
    scalars,
    tabs_of,
    update,
)

BANNER = re.compile(r'<aside class="replied".*?</aside>', re.S)


@pytest.fixture
def episode(app):
    make_show(title="Moments")
    make_host(display_name="Dana Reyes")
    return make_episode(
        slug="lighthouse", title="The Lighthouse Keeper", duration_s=1800
    )


def page(client, path="/episodes/lighthouse"):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def banner(client, path="/"):
    """Return the "replied to you" banner of the page at `path`, or ""."""
    found = BANNER.search(page(client, path))
    return found.group(0) if found else ""


def post(client, slug="lighthouse", **fields):
    """Post a comment through the page's form; return it as stored."""
    data = {
        "author": "Lee",
        "email": "lee@example.com",
        "body": "The storm!",
        "timestamp": "12:34",
        "csrf_token": csrf_from(page(client, f"/episodes/{slug}")),
    }
    data.update(fields)
    response = client.post(f"/episodes/{slug}/comments", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return scalar(sa.select(Comment).order_by(Comment.id.desc()))


def answer(comment, **overrides):
    """Store the host's answer to `comment`."""
    values = {
        "parent_id": comment.id,
        "author": "Dana Reyes",
        "email": None,
        "is_host": True,
        "body": "Thank you, Lee!",
        "timestamp_s": None,
    }
    return make_comment(SimpleNamespace(id=comment.episode_id), **values | overrides)


def link_to(reply):
    return f"/episodes/lighthouse?comment={reply.id}#comment-{reply.id}"


def test_the_hosts_answer_from_the_dashboard_greets_the_listener_on_return(
    app, client, episode
):
    mine = post(client)
    host = app.test_client()
    Auth(host, lambda path="/login": csrf_from(page(host, path))).login(
        email="host@example.com", password="correct horse"
    )
    inbox = page(host, "/dashboard")
    host.post(
        f"/dashboard/comments/{mine.id}/reply",
        data={"body": "Glad you liked it.", "csrf_token": csrf_from(inbox)},
    )
    reply = scalar(sa.select(Comment).where(Comment.parent_id == mine.id))
    assert reply.is_host

    shown = banner(client, "/")
    assert "Dana Reyes" in shown and ">Host<" in shown
    assert "replied to you on <cite>The Lighthouse Keeper</cite> at 12:34" in shown
    assert f'href="{link_to(reply)}"' in shown
    assert 'data-host="true"' in shown
    assert banner(client, "/episodes/lighthouse")
    # Nobody else is told.
    assert banner(app.test_client(), "/") == ""


def test_following_the_banner_opens_the_reply_at_its_moment_and_puts_it_away(
    client, episode
):
    reply = answer(post(client))
    html = page(client, link_to(reply))
    assert 'data-start="754"' in html
    assert f'id="comment-{reply.id}"' in html
    assert BANNER.search(html) is None
    assert banner(client, "/") == ""


def test_dismissing_puts_the_shown_replies_away_and_comes_back(client, episode):
    mine = post(client)
    first = answer(mine)
    shown = banner(client, "/?x=1")
    # The banner's own form, as a browser without JavaScript sends it.
    fields = dict(
        re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', shown)
    )
    assert fields["ids"] == str(first.id)
    assert fields["next"] == "/?x=1"
    response = client.post("/replies/seen", data=fields)
    assert response.status_code == 303
    assert response.headers["Location"] == "/?x=1"
    assert banner(client, "/") == ""
    # Amara answers the host, not Lee: still nothing for Lee.
    answer(first, author="Amara", is_host=False, body="Me too")
    assert banner(client, "/") == ""
    # A later reply to Lee is news again.
    later = answer(mine, body="One more thing, Lee")
    assert f"comment={later.id}" in banner(client, "/")


def test_dismissing_needs_the_csrf_token_and_goes_back_only_to_this_site(
    client, episode
):
    reply = answer(post(client))
    refused = client.post("/replies/seen", data={"ids": [reply.id]})
    assert refused.status_code == 400
    assert banner(client, "/")
    token = csrf_from(page(client, "/"))
    for target in ("https://evil.example/", "//evil.example/", "/dashboard", "x"):
        response = client.post(
            "/replies/seen",
            data={"ids": [reply.id], "next": target, "csrf_token": token},
        )
        assert response.headers["Location"] == "/", target


def test_only_published_replies_in_visible_threads_count(client, episode):
    mine = post(client)
    held = answer(mine, author="Amara", is_host=False, status="pending")
    answer(mine, author="Spammer", is_host=False, status="spam")
    assert banner(client, "/") == ""
    update(held, status="published")
    assert "Amara" in banner(client, "/")
    update(held, status="hidden")
    assert banner(client, "/") == ""
    update(held, status="published")
    update(mine, status="hidden")
    assert banner(client, "/") == ""


def test_a_reply_of_ones_own_is_no_news(client, episode):
    mine = post(client)
    post(client, body="And one more thing", parent_id=str(mine.id))
    assert banner(client, "/") == ""


def test_a_reply_at_the_third_level_reaches_the_listener_it_names(client, episode):
    """Replies below the third level attach beside the comment they answer, with
    an @mention: the listener answered so is told, the others beside are not."""
    top = make_comment(episode, author="Amara", email=None)
    middle = answer(top)
    mine = post(client, parent_id=str(middle.id), body="Was it real?")
    other = make_comment(episode, parent_id=middle.id, author="Jules", body="Hm")
    host = app_client_host(client)
    token = csrf_from(page(host, "/dashboard?tab=all"))
    host.post(
        f"/dashboard/comments/{mine.id}/reply",
        data={"body": "It was.", "csrf_token": token},
    )
    reply = scalar(sa.select(Comment).order_by(Comment.id.desc()))
    assert reply.parent_id == middle.id and reply.body == "@Lee It was."
    assert f"comment={reply.id}" in banner(client, "/")
    host.post(
        f"/dashboard/comments/{other.id}/reply",
        data={"body": "Hi Jules", "csrf_token": token},
    )
    assert banner(client, "/").count("replied to you") == 1


def app_client_host(client):
    host = client.application.test_client()
    Auth(host, lambda path="/login": csrf_from(page(host, path))).login()
    return host


def test_one_listeners_replies_are_never_shown_to_another(app, client, episode):
    answer(post(client))
    other = app.test_client()
    theirs = post(other, author="Amara", body="Mine")
    assert banner(other, "/") == ""
    answer(theirs, body="For Amara")
    assert "For Amara" not in banner(client, "/")
    assert banner(client, "/").count("replied to you") == 1
    assert banner(other, "/").count("replied to you") == 1


def test_the_banner_names_three_replies_and_links_to_the_rest(client, episode):
    mine = post(client)
    for n in range(5):
        answer(mine, author=f"Listener {n}", is_host=False, body=f"Reply {n}")
    shown = banner(client, "/")
    assert shown.count("replied to you") == 3
    assert "Listener 4" in shown and "Listener 1" not in shown
    assert "More replies to you" in shown
    listed = page(client, "/replies")
    assert all(f"Listener {n}" in listed for n in range(5))
    assert "lee@example.com" not in listed


def test_the_page_of_replies_for_a_browser_that_never_posted(client, episode):
    html = page(client, "/replies")
    assert "When the host or another listener replies" in html
    assert "/replies/" not in html.split("<main", 1)[1].split("Address")[0]


def test_replies_to_comments_posted_before_the_feed_existed_still_count(
    app, client, episode
):
    """The ownership cookie alone knows the listener: its comments join the feed
    the browser gets at its next post."""
    mine = post(client)
    client.delete_cookie(listener.COOKIE)
    answer(mine)
    assert "Dana Reyes" in banner(client, "/")
    later = post(client, body="Another thought")
    newest = max(scalars(sa.select(ReplyFeed.id)))
    posted = scalars(
        sa.select(ReplyFeedComment.comment_id).where(ReplyFeedComment.feed_id == newest)
    )
    assert sorted(posted) == [mine.id, later.id]


def test_the_name_typed_last_is_filled_in_and_the_address_never_is(client, episode):
    post(client, author="Lee Listener", email="lee@example.com")
    html = page(client)
    names = re.findall(r'<input[^>]*name="author"[^>]*>', html)
    assert [re.search(r'id="([^"]+)"', n).group(1) for n in names] == [
        "author",
        "reply-author",
    ]
    assert all('value="Lee Listener"' in name for name in names)
    assert re.findall(r'<input[^>]*name="email"[^>]*value="[^"]', html) == []
    assert "lee@example.com" not in html
    post(client, author="Lee L.", body="Renamed")
    assert page(client).count('value="Lee L."') == 2
    assert 'value="Lee' not in page(client.application.test_client())


def test_a_json_post_gives_the_browser_its_feed_too(client, episode):
    token = csrf_from(page(client))
    response = client.post(
        "/api/episodes/lighthouse/comments",
        json={"author": "Lee", "body": "Via script", "timestamp": 754},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201
    cookie = client.get_cookie(listener.COOKIE)
    assert cookie.http_only and cookie.same_site == "Lax"
    assert "reply_feed" not in response.get_data(as_text=True)
    answer(scalar(sa.select(Comment).order_by(Comment.id.desc())))
    assert "Dana Reyes" in banner(client, "/episodes/lighthouse")


def test_a_reply_on_an_episode_no_longer_published_is_not_announced(client, episode):
    answer(post(client))
    update(episode, published_at=None)
    assert banner(client, "/") == ""


def test_the_banner_costs_no_query_for_a_visitor_who_never_posted(
    client, episode, count_queries
):
    client.get("/")
    with count_queries() as counted:
        page(client, "/")
    anonymous = len(counted)
    mine = post(client)
    for n in range(30):
        answer(mine, author=f"L{n}", is_host=False, body=f"r{n}")
    client.get("/")
    with count_queries() as counted:
        assert banner(client, "/")
    # The browser's feed, its replies, nothing per reply.
    assert len(counted) <= anonymous + 2, counted.statements


def test_a_browser_known_by_its_tokens_only_keeps_what_it_opened(client, episode):
    """Without a feed cookie, opening a reply makes the feed that remembers it;
    opening any other comment makes nothing."""
    mine = post(client)
    client.delete_cookie(listener.COOKIE)
    before = scalars(sa.select(ReplyFeed.id))
    other = make_comment(episode, author="Amara", email=None)
    page(client, f"/episodes/lighthouse?comment={other.id}")
    assert scalars(sa.select(ReplyFeed.id)) == before
    assert client.get_cookie(listener.COOKIE) is None
    reply = answer(mine)
    page(client, link_to(reply))
    assert len(scalars(sa.select(ReplyFeed.id))) == len(before) + 1
    assert client.get_cookie(listener.COOKIE) is not None
    assert banner(client, "/") == ""


def test_two_tabs_putting_a_reply_away_at_once_both_go_back(app, client, episode):
    """Both tabs had the banner and dismiss it together: each finds the reply
    unseen before either has stored it; both are answered, it is stored once."""
    reply = answer(post(client))
    token = csrf_from(page(client, "/"))
    cookies = ("session", listener.COOKIE, ownership.COOKIE)
    tabs = tabs_of(app, client, cookies=cookies)
    fields = {"ids": [reply.id], "next": "/", "csrf_token": token}
    answers = post_at_once(app, "seen_reply", tabs, "/replies/seen", fields)
    assert [a.status_code for a in answers] == [303, 303]
    assert [a.headers["Location"] for a in answers] == ["/", "/"]
    assert banner(client, "/") == ""
    assert scalars(sa.select(SeenReply.comment_id)) == [reply.id]
