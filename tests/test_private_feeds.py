"""Private feeds behind secret addresses: a listener's replies, a host's inbox;
and the count of unread comments in the dashboard's navigation."""

import re
from types import SimpleNamespace

import feedparser
import pytest
import sqlalchemy as sa
from lxml import etree

from podcast_hub.models import Comment, Host

from .conftest import csrf_from
from .helpers import make_comment, make_episode, make_show, scalar
from .test_feed import read_with_partytime
from .test_feeds import UNWANTED_STORED, read_strictly

FEED_LINK = re.compile(r'href="(http://localhost/replies/([A-Za-z0-9_-]+)\.xml)"')


@pytest.fixture
def episode(app):
    make_show(title="Moments")
    return make_episode(slug="ep", title="The Lighthouse Keeper", duration_s=1800)


def html_of(client, path="/episodes/ep"):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def post(client, **fields):
    data = {
        "author": "Lee",
        "email": "lee@example.com",
        "body": "The storm!",
        "timestamp": "12:34",
        "csrf_token": csrf_from(html_of(client)),
    }
    response = client.post("/episodes/ep/comments", data=data | fields)
    assert response.status_code == 303
    return scalar(sa.select(Comment).order_by(Comment.id.desc()))


def reply_to(comment, **overrides):
    values = {
        "parent_id": comment.id,
        "author": "Hannah Host",
        "email": None,
        "is_host": True,
        "body": "Thank you, Lee!",
        "timestamp_s": None,
    }
    return make_comment(SimpleNamespace(id=comment.episode_id), **values | overrides)


def feed_path(client):
    """Return the path of this browser's private feed, as the episode page links it."""
    found = FEED_LINK.search(html_of(client))
    assert found, "the episode page links no private feed"
    return found.group(1).removeprefix("http://localhost")


def read(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/rss+xml"
    assert "private" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]
    return read_strictly(response.data)


# The listener's feed of replies.


def test_the_feed_is_linked_after_posting_and_lists_each_reply(client, episode):
    assert FEED_LINK.search(html_of(client)) is None
    mine = post(client)
    path = feed_path(client)
    assert path in html_of(client, "/replies")
    empty = read(client, path)
    assert empty.feed.title == "Replies to you on Moments"
    assert empty.entries == []
    host = reply_to(mine)
    other = reply_to(mine, author="Amara", is_host=False, body="Me too!")
    parsed = read(client, path)
    assert [e.title for e in parsed.entries] == [
        "Amara replied to you at 12:34 on The Lighthouse Keeper",
        "Hannah Host (host) replied to you at 12:34 on The Lighthouse Keeper",
    ]
    link = f"http://localhost/episodes/ep?comment={host.id}#comment-{host.id}"
    by_id = {entry.id: entry for entry in parsed.entries}
    assert by_id[link].link == link
    assert "Thank you, Lee!" in by_id[link].description
    assert "The storm!" in by_id[link].description
    assert [t.term for t in by_id[link].tags] == ["host"]
    assert by_id[link].author == "Hannah Host"
    assert other.id


def test_guids_stay_the_same_and_unchanged_feeds_answer_304(client, episode):
    mine = post(client)
    reply_to(mine)
    path = feed_path(client)
    first = client.get(path)
    reply_to(mine, author="Amara", is_host=False)
    second = client.get(path)
    old = {e.id for e in feedparser.parse(first.data).entries}
    new = {e.id for e in feedparser.parse(second.data).entries}
    assert old < new and len(new) == 2
    again = client.get(path, headers={"If-None-Match": second.headers["ETag"]})
    assert again.status_code == 304


def test_the_feed_opens_in_any_reader_without_the_browser(app, client, episode):
    """A feed reader has no cookie: the address alone opens the feed."""
    reply_to(post(client))
    path = feed_path(client)
    reader = app.test_client()
    assert len(read(reader, path).entries) == 1
    assert reader.get_cookie("session") is None


def test_a_listeners_feed_never_shows_another_listeners_replies(app, client, episode):
    reply_to(post(client), body="For Lee")
    other = app.test_client()
    theirs = post(other, author="Amara", email="amara@example.com", body="Hi")
    reply_to(theirs, body="For Amara")
    lee, amara = read(client, feed_path(client)), read(other, feed_path(other))
    assert [e.description.count("For Lee") for e in lee.entries] == [1]
    assert [e.description.count("For Amara") for e in amara.entries] == [1]
    for response in (client.get(feed_path(client)), other.get(feed_path(other))):
        assert b"@example.com" not in response.data


def test_no_held_hidden_or_own_replies_are_listed(client, episode):
    mine = post(client)
    reply_to(mine, status="pending", body="held")
    reply_to(mine, status="hidden", body="hidden")
    reply_to(mine, status="spam", body="spam")
    post(client, parent_id=str(mine.id), body="my own")
    assert read(client, feed_path(client)).entries == []


@pytest.mark.parametrize("char", UNWANTED_STORED)
def test_any_stored_text_keeps_the_feed_valid(client, episode, char):
    mine = post(client)
    reply_to(mine, author=f"Am{char}ara", is_host=False, body=f"Wow{char} <b>&")
    [entry] = read(client, feed_path(client)).entries
    assert entry.title == "Amara replied to you at 12:34 on The Lighthouse Keeper"
    assert "Wow &lt;b&gt;&amp;" in entry.description


def test_the_podcast_index_parser_reads_the_feed(client, episode):
    """partytime reads the channel; it skips every item without an enclosure
    (audio), as the replies are: podcast apps that show text items read them."""
    reply_to(post(client))
    parsed = read_with_partytime(client.get(feed_path(client)))
    assert parsed["title"] == "Replies to you on Moments"
    assert parsed["link"] == "http://localhost/"
    assert parsed["items"] == []


def test_an_unknown_address_is_a_404(client, episode):
    for token in ("x", "A" * 43, "A" * 500, "%00", "é"):
        assert client.get(f"/replies/{token}.xml").status_code == 404, token


def test_a_new_address_ends_the_old_and_a_stopped_feed_is_gone(client, episode):
    reply_to(post(client))
    old = feed_path(client)
    page = html_of(client, "/replies")
    response = client.post(
        "/replies/feed", data={"action": "renew", "csrf_token": csrf_from(page)}
    )
    assert response.status_code == 303
    new = feed_path(client)
    assert new != old
    assert client.get(old).status_code == 404
    assert len(read(client, new).entries) == 1
    refused = client.post("/replies/feed", data={"action": "stop"})
    assert refused.status_code == 400
    client.post(
        "/replies/feed",
        data={"action": "stop", "csrf_token": csrf_from(html_of(client, "/replies"))},
    )
    assert client.get(new).status_code == 404
    assert FEED_LINK.search(html_of(client)) is None
    # The banner still knows the browser's comments by their ownership tokens.
    assert "replied to you" in html_of(client, "/")


def test_the_secret_is_kept_only_as_a_hash(client, episode):
    post(client)
    token = feed_path(client).split("/")[-1].removesuffix(".xml")
    assert len(token) >= 43
    from podcast_hub.models import ReplyFeed

    stored = scalar(sa.select(ReplyFeed.token_hash))
    assert token not in stored and len(stored) == 64


# The host's inbox feed.


@pytest.fixture
def host_feed(client, auth, episode):
    """Turn the logged-in host's inbox feed on; return its path."""
    auth.login()
    page = html_of(client, "/dashboard/account")
    assert "Your inbox feed is off." in page
    response = client.post(
        "/dashboard/account/inbox-feed",
        data={"action": "renew", "csrf_token": csrf_from(page)},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    found = re.search(r'value="http://localhost(/inbox/[A-Za-z0-9_-]+\.xml)"', page)
    assert found, page
    # Shown once: the database keeps only its hash.
    assert found.group(1) not in html_of(client, "/dashboard/account")
    return found.group(1)


def test_the_inbox_feed_lists_what_needs_a_reply_or_approval(
    app, client, host_feed, episode
):
    top = make_comment(episode, author="Lee", body="Needs an answer", timestamp_s=754)
    make_comment(
        episode, author="Amara", body="Held", status="pending", timestamp_s=None
    )
    make_comment(episode, author="Spam", body="Spam", status="spam")
    answered = make_comment(episode, author="Jules", body="Answered")
    reply_to(answered)
    reader = app.test_client()
    parsed = read(reader, host_feed)
    titles = sorted(entry.title for entry in parsed.entries)
    assert titles == [
        "Amara on The Lighthouse Keeper: awaits moderation",
        "Lee at 12:34 on The Lighthouse Keeper: needs a reply",
    ]
    response = reader.get(host_feed)
    assert b"@example.com" not in response.data
    [lee] = [e for e in parsed.entries if e.title.startswith("Lee")]
    assert lee.link == f"http://localhost/dashboard?episode={episode.id}"
    assert "Needs an answer" in lee.description
    assert top.id
    etree.fromstring(response.data)


def test_a_revoked_or_renewed_inbox_feed_is_a_404(client, host_feed):
    assert client.get(host_feed).status_code == 200
    page = html_of(client, "/dashboard/account")
    assert "Your inbox feed is on." in page
    client.post(
        "/dashboard/account/inbox-feed",
        data={"action": "renew", "csrf_token": csrf_from(page)},
    )
    assert client.get(host_feed).status_code == 404
    client.post(
        "/dashboard/account/inbox-feed",
        data={"action": "stop", "csrf_token": csrf_from(page)},
    )
    assert scalar(sa.select(Host.inbox_feed_hash)) is None
    assert "Your inbox feed is off." in html_of(client, "/dashboard/account")


def test_the_inbox_feed_is_for_hosts_to_turn_on(app, episode):
    stranger = app.test_client()
    token = csrf_from(html_of(stranger, "/"))
    response = stranger.post(
        "/dashboard/account/inbox-feed", data={"action": "renew", "csrf_token": token}
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert scalar(sa.select(Host.inbox_feed_hash)) is None


# The unread count in the dashboard's navigation.


def unread(client, path="/dashboard/account"):
    nav = html_of(client, path).split('class="dash-nav"', 1)[1].split("</nav>")[0]
    found = re.search(r'data-unread="(\d+)"', nav)
    return int(found.group(1)) if found else 0


def test_the_navigation_counts_comments_come_since_the_inbox_was_opened(
    client, auth, episode, clock
):
    auth.login()
    first = make_comment(episode, author="Lee")
    make_comment(episode, author="Amara", status="pending")
    assert unread(client) == 2
    assert unread(client, "/dashboard") == 0
    assert unread(client) == 0
    clock.advance(minutes=1)
    make_comment(episode, author="Jules")
    reply_to(first)
    make_comment(episode, author="Spam", status="spam")
    assert unread(client) == 1


def test_the_inbox_marks_what_came_since_the_host_last_looked(
    client, auth, episode, clock
):
    auth.login()
    make_comment(episode, author="Lee", body="Old news")
    html_of(client, "/dashboard")
    clock.advance(minutes=1)
    make_comment(episode, author="Amara", body="Fresh")
    html = html_of(client, "/dashboard")
    items = re.findall(r'<li class="inbox-item".*?</li>', html, re.S)
    new = [item for item in items if "badge--new" in item]
    assert len(items) == 2 and len(new) == 1 and "Fresh" in new[0]
