"""Polling the feeds: validators, 304s, gzip, the per-process cache; the comments
feed of an episode and its JSON chapters."""

import gzip
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import feedparser
import pytest
from lxml import etree

from podcast_hub import create_app, feed
from podcast_hub.extensions import db

from .helpers import (
    make_chapter,
    make_comment,
    make_episode,
    make_host,
    make_show,
    make_soundbite,
    make_transcript,
)

FEEDS = ["/feed.xml", "/episodes/ep/comments.xml"]


@pytest.fixture
def show(app):
    return make_show()


@pytest.fixture
def episode(show):
    return make_episode(slug="ep", title="The Lighthouse", duration_s=3600)


@pytest.fixture
def renders(monkeypatch):
    """Count the feeds rendered in this process."""
    counted = []

    def counting(render):
        def wrapper(*args, **kwargs):
            counted.append(render.__name__)
            return render(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(feed, "render", counting(feed.render))
    monkeypatch.setattr(feed, "render_comments", counting(feed.render_comments))
    return counted


@pytest.mark.parametrize("path", FEEDS)
def test_feeds_carry_strong_validators_and_may_be_shared(client, episode, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/rss+xml"
    assert response.headers["ETag"].startswith('"')
    assert parsedate_to_datetime(response.headers["Last-Modified"])
    assert response.cache_control.public
    assert response.cache_control.max_age == 300
    assert response.headers["Vary"] == "Accept-Encoding"
    assert "Set-Cookie" not in response.headers
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", FEEDS)
def test_conditional_get_is_answered_without_rendering(client, episode, renders, path):
    first = client.get(path)
    renders.clear()
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Vary"] == "Accept-Encoding"
    assert "Content-Type" not in again.headers
    assert renders == []


@pytest.mark.parametrize("path", FEEDS)
def test_if_modified_since_is_honoured(client, episode, path):
    last_modified = client.get(path).headers["Last-Modified"]
    assert client.get(path, headers={"If-Modified-Since": last_modified}).status == (
        "304 NOT MODIFIED"
    )
    earlier = parsedate_to_datetime(last_modified) - timedelta(seconds=1)
    headers = {"If-Modified-Since": format_datetime(earlier, usegmt=True)}
    assert client.get(path, headers=headers).status_code == 200


@pytest.mark.parametrize("path", FEEDS)
def test_feed_is_rendered_once_per_version(client, episode, renders, path):
    bodies = {client.get(path).data for _ in range(3)}
    assert len(bodies) == 1
    assert len(renders) == 1
    make_comment(episode)
    make_episode(slug="next", published_at=datetime.now(UTC))
    assert client.get(path).data not in bodies
    assert len(renders) == 2


@pytest.mark.parametrize("path", FEEDS)
def test_head_sends_the_headers_of_get(client, episode, path):
    full = client.get(path)
    head = client.head(path)
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Length"] == str(len(full.data))
    assert head.headers["ETag"] == full.headers["ETag"]


@pytest.mark.parametrize("path", FEEDS)
def test_gzip_when_the_client_accepts_it(client, episode, path):
    plain = client.get(path)
    squeezed = client.get(path, headers={"Accept-Encoding": "br, gzip;q=0.8"})
    assert squeezed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(squeezed.data) == plain.data
    assert squeezed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gz"'
    assert squeezed.headers["Vary"] == "Accept-Encoding"
    again = client.get(
        path,
        headers={"Accept-Encoding": "gzip", "If-None-Match": squeezed.headers["ETag"]},
    )
    assert again.status_code == 304
    # The identity representation's tag does not validate the gzipped one.
    other = client.get(
        path,
        headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]},
    )
    assert other.status_code == 200


@pytest.mark.parametrize("accept", ["gzip;q=0", "identity", ""])
def test_no_gzip_unless_accepted(client, episode, accept):
    response = client.get("/feed.xml", headers={"Accept-Encoding": accept})
    assert "Content-Encoding" not in response.headers
    assert response.data.startswith(b"<?xml")


def test_gzipped_feed_is_the_same_bytes_in_every_process(client, other, episode):
    """gzip stamps no time, so the strong ETag holds for the bytes."""
    headers = {"Accept-Encoding": "gzip"}
    first = client.get("/feed.xml", headers=headers)
    with other.app_context():
        second = other.test_client().get("/feed.xml", headers=headers)
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]


def test_feed_of_a_logged_in_host_is_the_shared_one(client, auth, episode):
    """Feeds never read the session: no `Vary: Cookie`, no cookie refreshed."""
    auth.login()
    response = client.get("/feed.xml")
    assert response.headers["Vary"] == "Accept-Encoding"
    assert "Set-Cookie" not in response.headers
    assert "Log out" in client.get("/").get_data(as_text=True)


@pytest.fixture
def other(app):
    """Another app on the same database, as another worker process would be."""
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "another-secret",
            "DATABASE_URL": app.config["DATABASE_URL"],
            "MEDIA_DIR": app.config["MEDIA_DIR"],
            "RATELIMIT_ENABLED": False,
        }
    )
    yield other
    with other.app_context():
        db.engine.dispose()


def _etags(app, other, path="/feed.xml"):
    first = app.test_client().get(path).headers["ETag"]
    with other.app_context():
        second = other.test_client().get(path).headers["ETag"]
    return first, second


def _rename_show(records):
    records["show"].title = "Renamed"


def _retitle_episode(records):
    records["episode"].title = "Retitled"


def _add_chapter(records):
    make_chapter(records["episode"], start_s=30, title="New")


def _retitle_chapter(records):
    records["chapter"].title = "Outro"


def _remove_soundbite(records):
    db.session.delete(records["soundbite"])


def _add_transcript(records):
    make_transcript(records["episode"], file="ep.srt", mime_type="application/srt")


def _rename_host(records):
    records["host"].display_name = "Hannah H."


def _add_host(records):
    make_host(email="zoe@example.com", display_name="Zoë")


def _unpublish(records):
    records["episode"].published_at = None


def _publish_a_draft_in_the_past(records):
    records["draft"].published_at = datetime.now(UTC) - timedelta(days=30)


@pytest.mark.parametrize(
    "change",
    [
        _rename_show,
        _retitle_episode,
        _add_chapter,
        _retitle_chapter,
        _remove_soundbite,
        _add_transcript,
        _rename_host,
        _add_host,
        _unpublish,
        _publish_a_draft_in_the_past,
    ],
)
def test_workers_agree_on_the_etag_and_see_every_change(
    app, other, show, episode, change
):
    """Two app instances on one database give the same ETag, before and after."""
    records = {
        "show": show,
        "episode": episode,
        "chapter": make_chapter(episode, start_s=0, title="Intro"),
        "soundbite": make_soundbite(episode),
        "host": make_host(),
        "draft": make_episode(slug="draft", published_at=None),
    }
    before, also_before = _etags(app, other)
    assert before == also_before
    change(records)
    db.session.commit()
    after, also_after = _etags(app, other)
    assert after == also_after
    assert after != before


def test_scheduled_episode_going_live_changes_the_etag(app, other, client, show, clock):
    make_episode(slug="out")
    make_episode(slug="soon", published_at=clock.now + timedelta(seconds=2))
    response = client.get("/feed.xml")
    assert b"/episodes/soon" not in response.data
    assert _etags(app, other) == (response.headers["ETag"],) * 2
    clock.advance(seconds=3)
    again = client.get("/feed.xml", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 200
    assert b"/episodes/soon" in again.data
    assert parsedate_to_datetime(again.headers["Last-Modified"]) > (
        parsedate_to_datetime(response.headers["Last-Modified"])
    )
    assert _etags(app, other) == (again.headers["ETag"],) * 2


@pytest.mark.parametrize(
    "config_overrides", [{"BASE_URL": "https://podcast.example.org"}]
)
def test_etag_follows_the_urls_the_feed_is_written_with(app, episode):
    with_base = app.test_client().get("/feed.xml")
    app.config["BASE_URL"] = None
    without = app.test_client().get("/feed.xml")
    assert b"https://podcast.example.org/" in with_base.data
    assert b"http://localhost/" in without.data
    assert with_base.headers["ETag"] != without.headers["ETag"]


def comments_feed(client, slug="ep"):
    response = client.get(f"/episodes/{slug}/comments.xml")
    assert response.status_code == 200
    return response


def test_comments_feed_lists_published_comments_newest_first(client, episode):
    now = datetime.now(UTC)
    first = make_comment(
        episode, author="Lee", timestamp_s=754, created_at=now - timedelta(hours=3)
    )
    reply = make_comment(
        episode,
        author="Hannah Host",
        is_host=True,
        parent_id=first.id,
        timestamp_s=None,
        created_at=now - timedelta(hours=1),
    )
    general = make_comment(
        episode, author="Zoë", timestamp_s=None, created_at=now - timedelta(hours=2)
    )
    late = make_comment(
        episode, author="Sam", timestamp_s=3723, created_at=now - timedelta(minutes=1)
    )
    for status in ("pending", "hidden", "spam", "deleted"):
        make_comment(episode, author=f"Not {status}", status=status)
    parsed = feedparser.parse(comments_feed(client).data)
    assert not parsed.bozo
    assert parsed.feed.title == "Comments on The Lighthouse"
    assert parsed.feed.link == "http://localhost/episodes/ep"
    assert [entry.title for entry in parsed.entries] == [
        "Sam at 1:02:03",
        "Hannah Host on The Lighthouse",
        "Zoë on The Lighthouse",
        "Lee at 12:34",
    ]
    page = "http://localhost/episodes/ep"
    assert [entry.link for entry in parsed.entries] == [
        f"{page}?comment={c.id}#comment-{c.id}" for c in (late, reply, general, first)
    ]
    assert [entry.id for entry in parsed.entries] == [
        entry.link for entry in parsed.entries
    ]
    assert [entry.author for entry in parsed.entries] == [
        "Sam",
        "Hannah Host",
        "Zoë",
        "Lee",
    ]
    published = parsedate_to_datetime(
        etree.fromstring(comments_feed(client).data).find("channel/item/pubDate").text
    )
    assert published == late.created_at.replace(microsecond=0)


def test_comment_bodies_are_escaped_and_emails_never_shown(client, episode):
    make_comment(
        episode,
        email="private-listener@example.net",
        body='<script>alert("x")</script> & more\n\nSecond paragraph',
    )
    response = comments_feed(client)
    assert b"private-listener" not in response.data
    assert b"<script>" not in response.data
    [entry] = feedparser.parse(response.data).entries
    [item] = etree.fromstring(response.data).iter("item")
    assert item.findtext("description") == (
        "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more</p>"
        "<p>Second paragraph</p>"
    )
    assert "alert" in entry.summary


def test_comments_feed_changes_with_moderation(client, episode):
    comment = make_comment(episode)
    etag = comments_feed(client).headers["ETag"]
    comment.status = "hidden"
    db.session.commit()
    hidden = client.get("/episodes/ep/comments.xml", headers={"If-None-Match": etag})
    assert hidden.status_code == 200
    assert b"<item>" not in hidden.data
    comment.status = "published"
    comment.body = "Edited words"
    comment.edited_at = datetime.now(UTC)
    db.session.commit()
    assert b"Edited words" in comments_feed(client).data


@pytest.mark.parametrize(
    "published_at",
    [None, datetime.now(UTC) + timedelta(days=1)],
    ids=["draft", "scheduled"],
)
@pytest.mark.parametrize("suffix", ["comments.xml", "chapters.json"])
def test_unpublished_episodes_have_no_feeds(client, show, published_at, suffix):
    make_episode(slug="later", published_at=published_at)
    assert client.get(f"/episodes/later/{suffix}").status_code == 404
    assert client.get(f"/episodes/nothing/{suffix}").status_code == 404


def test_stored_chapter_links_that_are_not_web_links_are_never_served(client, show):
    """A link stored before links were checked stays out of chapters.json and
    the API: podcast apps and pages only ever get http(s) chapter links."""
    episode = make_episode(slug="ep")
    make_chapter(episode, start_s=0, title="A", url="javascript:alert(1)")
    make_chapter(episode, start_s=1, title="B", url="data:text/html,<b>x</b>")
    make_chapter(episode, start_s=2, title="C", url="https://example.org/c")

    served = json.loads(client.get("/episodes/ep/chapters.json").data)
    api = client.get("/api/episodes/ep").get_json()

    assert [c.get("url") for c in served["chapters"]] == [
        None,
        None,
        "https://example.org/c",
    ]
    assert [c["url"] for c in api["chapters"]] == [None, None, "https://example.org/c"]


def test_chapters_json_follows_the_podcasting_2_format(client, show):
    episode = make_episode(slug="ep", title="Café ☕")
    make_chapter(episode, start_s=168, title="東京", url="https://example.org/tokyo")
    make_chapter(episode, start_s=0, title="Intro")
    response = client.get("/episodes/ep/chapters.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json+chapters"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers
    assert json.loads(response.data) == {
        "version": "1.2.0",
        "title": "Café ☕",
        "podcastName": "Moments Test Show",
        "chapters": [
            {"startTime": 0, "title": "Intro"},
            {"startTime": 168, "title": "東京", "url": "https://example.org/tokyo"},
        ],
    }
    again = client.get(
        "/episodes/ep/chapters.json",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304


def test_episode_page_announces_its_comments_feed(client, episode):
    html = client.get("/episodes/ep").get_data(as_text=True)
    assert (
        '<link rel="alternate" type="application/rss+xml" '
        'title="Comments on The Lighthouse" href="/episodes/ep/comments.xml">'
    ) in html
