"""Polling the feeds: validators, 304s, gzip, the per-process cache; the comments
feed of an episode and its JSON chapters."""

import gzip
import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import feedparser
import podcastparser
import pytest
import sqlalchemy as sa
from lxml import etree

from podcast_hub import create_app
from podcast_hub.catalog import importer
from podcast_hub.extensions import db
from podcast_hub.feeds import rss, versions, views
from podcast_hub.models import Comment, Episode, Host, RenderedFeed, Show
from podcast_hub.web import links

from .conftest import csrf_from, make_app
from .helpers import (
    in_app,
    make_chapter,
    make_comment,
    make_episode,
    make_host,
    make_person,
    make_show,
    make_soundbite,
    make_transcript,
)
from .test_feed import read_with_partytime

FEEDS = ["/feed.xml", "/episodes/ep/comments.xml"]
# The show's feed is also a page for browsers (`Accept`), with the same bytes.
VARY = {"/feed.xml": "Accept-Encoding, Accept"}
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"


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

    monkeypatch.setattr(rss, "render", counting(rss.render))
    monkeypatch.setattr(rss, "render_comments", counting(rss.render_comments))
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
    assert response.headers["Vary"] == VARY.get(path, "Accept-Encoding")
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
    assert again.headers["Vary"] == VARY.get(path, "Accept-Encoding")
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
    assert squeezed.headers["Vary"] == VARY.get(path, "Accept-Encoding")
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
    second = other.test_client().get("/feed.xml", headers=headers)
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]


def test_feed_of_a_logged_in_host_is_the_shared_one(client, auth, episode):
    """Feeds never read the session: no `Vary: Cookie`, no cookie refreshed."""
    auth.login()
    response = client.get("/feed.xml")
    assert response.headers["Vary"] == "Accept-Encoding, Accept"
    assert "Set-Cookie" not in response.headers
    assert "Log out" in client.get("/").get_data(as_text=True)


@pytest.fixture
def other(app):
    """Another app on the same database, as another worker process would be."""
    other = make_app(
        {
            "SECRET_KEY": "another-secret",
            "DATABASE_URL": app.config["DATABASE_URL"],
            "MEDIA_DIR": app.config["MEDIA_DIR"],
        }
    )
    yield other
    with other.app_context():
        db.engine.dispose()


def _etags(app, other, path="/feed.xml"):
    first = app.test_client().get(path).headers["ETag"]
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


def _rename_person(records):
    records["person"].name = "Hannah H."


def _add_guest(records):
    make_person(records["episode"], name="Zoë")


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
        _rename_person,
        _add_guest,
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
        "person": make_person(show=show, name="Hannah Host", role="host"),
        "draft": make_episode(slug="draft", published_at=None),
    }
    before, also_before = _etags(app, other)
    assert before == also_before
    with in_app() as session:
        change({name: session.merge(row) for name, row in records.items()})
        session.commit()
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
        "Hannah Host (host) on The Lighthouse",
        "Zoë on The Lighthouse",
        "Lee at 12:34",
    ]
    page = "http://localhost/episodes/ep"
    assert [entry.link for entry in parsed.entries] == [
        f"{page}?comment={c.id}#comment-{c.id}" for c in (late, reply, general, first)
    ]
    ids = [entry.id for entry in parsed.entries]
    assert all(guid.startswith("urn:uuid:") for guid in ids)
    assert len(set(ids)) == 4
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
    with in_app() as session:
        session.merge(comment).status = "hidden"
        session.commit()
    hidden = client.get("/episodes/ep/comments.xml", headers={"If-None-Match": etag})
    assert hidden.status_code == 200
    assert b"<item>" not in hidden.data
    with in_app() as session:
        stored = session.merge(comment)
        stored.status = "published"
        stored.body = "Edited words"
        stored.edited_at = datetime.now(UTC)
        session.commit()
    assert b"Edited words" in comments_feed(client).data


def test_comments_feed_carries_the_newest_comments_only(client, episode):
    limit = versions.COMMENTS_IN_FEED
    start = datetime.now(UTC) - timedelta(days=30)
    with in_app() as session:
        session.add_all(
            Comment(
                episode_id=episode.id,
                author=f"Listener {n}",
                body=f"Comment number {n}",
                timestamp_s=n,
                status="published",
                created_at=start + timedelta(minutes=n),
            )
            for n in range(limit + 5)
        )
        session.commit()
        oldest_kept = session.scalars(
            sa.select(Comment).order_by(Comment.created_at).offset(5).limit(1)
        ).one()
    # A reply under a hidden comment is not on the page: nor in the feed.
    hidden = make_comment(episode, author="Gone", status="hidden")
    make_comment(episode, author="Orphan", parent_id=hidden.id)
    first = comments_feed(client)
    parsed = feedparser.parse(first.data)
    assert not parsed.bozo
    assert len(parsed.entries) == limit
    assert parsed.entries[0].author == f"Listener {limit + 4}"
    assert parsed.entries[-1].author == "Listener 5"
    assert f"comment={oldest_kept.id}#" in parsed.entries[-1].link
    guids = {entry.author: entry.id for entry in parsed.entries}

    newest = make_comment(episode, author="Newest")
    second = client.get(
        "/episodes/ep/comments.xml", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert second.status_code == 200
    entries = feedparser.parse(second.data).entries
    assert len(entries) == limit
    assert entries[0].author == "Newest"
    assert "Listener 5" not in {entry.author for entry in entries}
    # The items still there keep their guid.
    assert all(guids[entry.author] == entry.id for entry in entries[1:])

    with in_app() as session:
        session.merge(newest).status = "hidden"
        session.commit()
    third = client.get(
        "/episodes/ep/comments.xml", headers={"If-None-Match": second.headers["ETag"]}
    )
    assert third.status_code == 200
    assert third.data == first.data


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


# One of these in a comment, a tag or a sidecar used to make a feed a 500 for
# every podcast app; a lone surrogate can only come as a JSON (or JSON
# sidecar) escape.
UNWANTED = {
    "U+FFFF": "\uffff",
    "NUL": "\x00",
    "U+0001": "\x01",
    "ESC": "\x1b",
    "U+FFFE": "\ufffe",
    "NEL": "\x85",
    "DEL": "\x7f",
}
UNWANTED_IN_JSON = UNWANTED | {"lone surrogate": "\ud800"}
# The unwanted characters as a database may hold them: PostgreSQL's text takes no NUL.
UNWANTED_STORED = [
    pytest.param(
        char,
        id=name,
        marks=[pytest.mark.sqlite_only("PostgreSQL's text cannot hold NUL")]
        if char == "\x00"
        else [],
    )
    for name, char in UNWANTED.items()
]


def read_strictly(data):
    """Parse a feed with lxml (strict), feedparser and podcastparser, as apps do."""
    etree.fromstring(data)
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    podcastparser.parse("http://localhost/feed.xml", io.BytesIO(data))
    return parsed


def both_feeds(client, slug="ep"):
    """Return the show's feed and the comments feed of `slug`, each read strictly."""
    found = []
    for path in ("/feed.xml", f"/episodes/{slug}/comments.xml"):
        response = client.get(path)
        assert response.status_code == 200, path
        found.append(read_strictly(response.data))
    return found


def post_form(client, slug, **fields):
    page = client.get(f"/episodes/{slug}").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), **fields}
    return client.post(f"/episodes/{slug}/comments", data=data)


def post_json(client, slug, payload):
    token = csrf_from(client.get(f"/episodes/{slug}").get_data(as_text=True))
    return client.post(
        f"/api/episodes/{slug}/comments",
        # ensure_ascii writes a lone surrogate as the escape "\ud800".
        data=json.dumps(payload, ensure_ascii=True),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )


@pytest.mark.parametrize("char", UNWANTED.values(), ids=UNWANTED)
def test_a_comment_form_with_any_character_keeps_the_feeds_valid(client, episode, char):
    posted = post_form(
        client, "ep", author=f"Lee{char}", body=f"Wow{char}, nice", timestamp="12:34"
    )
    assert posted.status_code == 303
    page = client.get("/episodes/ep").get_data(as_text=True)
    assert "Wow, nice" in page
    _, said = both_feeds(client)
    [entry] = said.entries
    assert entry.title == "Lee at 12:34"
    assert "Wow, nice" in entry.description


@pytest.mark.parametrize("char", UNWANTED_IN_JSON.values(), ids=UNWANTED_IN_JSON)
def test_a_json_comment_with_any_character_keeps_the_feeds_valid(client, episode, char):
    posted = post_json(
        client, "ep", {"author": f"Lee{char}", "body": f"Wow{char}, nice"}
    )
    assert posted.status_code == 201
    assert (posted.get_json()["author"], posted.get_json()["body"]) == (
        "Lee",
        "Wow, nice",
    )
    reply = post_json(
        client,
        "ep",
        {"author": "Sam", "body": f"Yes{char}!", "parent_id": posted.get_json()["id"]},
    )
    assert reply.status_code == 201
    assert "Wow, nice" in client.get("/episodes/ep").get_data(as_text=True)
    _, said = both_feeds(client)
    assert sorted(entry.title for entry in said.entries) == [
        "Lee on The Lighthouse",
        "Sam on The Lighthouse",
    ]


@pytest.mark.parametrize("char", UNWANTED.values(), ids=UNWANTED)
def test_dashboard_forms_with_any_character_keep_the_feeds_valid(
    client, auth, episode, char
):
    auth.login()
    token = csrf_from(client.get("/dashboard").get_data(as_text=True))
    asked = make_comment(episode, author="Lee")
    posts = {
        f"/dashboard/comments/{asked.id}/reply": {"body": f"Thanks{char}!"},
        f"/dashboard/episodes/{episode.id}": {
            "title": f"The{char} Lighthouse",
            "slug": "ep",
            "description": f"Notes{char} here",
            "episode_type": "full",
            "publication": "now",
        },
        f"/dashboard/episodes/{episode.id}/chapters": {
            "start": "0:10",
            "title": f"Chap{char}ter",
        },
        f"/dashboard/episodes/{episode.id}/soundbites": {
            "start": "1:00",
            "duration": "30",
            "title": f"Best{char} bit",
        },
        "/dashboard/show": {
            "title": f"Moments{char}",
            "description": f"About{char} moments.",
            "author": f"Da{char}na",
            "owner_name": f"Dana{char} Reyes",
            "owner_email": "dana@example.com",
            "language": "en",
            "category": "Technology",
            "show_type": "episodic",
            "funding_url": "https://example.org/support",
            "funding_text": f"Support{char} us",
        },
    }
    for url, data in posts.items():
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code in (200, 303), url
    with in_app() as session:
        stored = session.scalars(sa.select(Show)).one()
        assert (stored.title, stored.author, stored.funding_text) == (
            "Moments",
            "Dana",
            "Support us",
        )
        episode = session.get(Episode, episode.id)
        assert (episode.title, episode.description) == ("The Lighthouse", "Notes here")
        assert [c.title for c in episode.chapters] == ["Chapter"]
        assert [b.title for b in episode.soundbites] == ["Best bit"]
    show_feed, said = both_feeds(client)
    assert show_feed.feed.title == "Moments"
    assert show_feed.entries[0].title == "The Lighthouse"
    by_the_index = read_with_partytime(client.get("/feed.xml"))
    assert by_the_index["title"] == "Moments"
    assert by_the_index["items"][0]["title"] == "The Lighthouse"
    assert "Thanks!" in said.entries[0].description
    channel = etree.fromstring(client.get("/feed.xml").data).find("channel")
    assert channel.findtext(f"{ITUNES}author") == "Dana"
    assert channel.findtext(f"item/{PODCAST}soundbite") == "Best bit"
    assert channel.findtext(f"{PODCAST}funding") == "Support us"


@pytest.mark.parametrize("char", UNWANTED_STORED)
def test_rows_stored_with_any_character_never_break_the_feeds(client, char):
    """Rows no door cleaned (older ones, or written by hand) still make valid
    feeds: the renderer drops what XML cannot hold."""
    show = make_show(
        title=f"Moments{char}",
        description=f"About{char}",
        author=f"Dana{char}",
        owner_name=f"Dana{char} Reyes",
        category=f"Technology{char}",
        funding_url="https://example.org/support",
        funding_text=f"Support{char}",
        copyright=f"© Dana{char}",
        update_frequency=f"Week{char}ly",
        txt=[{"purpose": f"verify{char}", "text": f"abc{char}"}],
    )
    make_person(show=show, name=f"Dana{char} Reyes", role="host")
    episode = make_episode(
        slug="ep",
        title=f"The{char} Lighthouse",
        description=f"Notes{char}",
        artist=f"Art{char}ist",
    )
    make_person(episode, name=f"Gr{char}ace")
    make_chapter(episode, title=f"Chap{char}ter")
    make_soundbite(episode, title=f"Best{char} bit")
    make_host(email="dana@example.com", display_name=f"Dana{char} Reyes")
    make_comment(episode, author=f"Lee{char}", body=f"Wow{char}")
    make_comment(episode, author="Dana Reyes", is_host=True, body=f"Yes{char}")
    show_feed, said = both_feeds(client)
    assert show_feed.feed.title == "Moments"
    assert show_feed.entries[0].title == "The Lighthouse"
    assert show_feed.feed.rights == "© Dana"
    by_the_index = read_with_partytime(client.get("/feed.xml"))
    assert by_the_index["title"] == "Moments"
    assert by_the_index["items"][0]["title"] == "The Lighthouse"
    assert by_the_index["podcastTxt"] == [{"value": "abc", "purpose": "verify"}]
    assert [p["name"] for p in by_the_index["podcastPeople"]] == ["Dana Reyes"]
    assert [p["name"] for p in by_the_index["items"][0]["podcastPeople"]] == ["Grace"]
    assert sorted(entry.title for entry in said.entries) == [
        "Dana Reyes (host) at 12:34",
        "Lee at 12:34",
    ]
    chapters = client.get("/episodes/ep/chapters.json")
    assert chapters.status_code == 200
    assert json.loads(chapters.data)["chapters"][0]["title"] == f"Chap{char}ter"


def tag_copy(audio_file, name, char):
    """Copy an audio fixture with `char` in its title, artist and chapter tags."""
    from mutagen.flac import FLAC
    from mutagen.id3 import CHAP, CTOC, ID3, TIT2, TPE1, CTOCFlags

    path = audio_file(name)
    if name.endswith(".flac"):
        tags = FLAC(path)
        tags["title"] = f"Tag{char}ged"
        tags["artist"] = f"Art{char}ist"
        tags["CHAPTER001"] = "00:00:01.000"
        tags["CHAPTER001NAME"] = f"Chap{char}ter"
        tags.save()
        return path
    tags = ID3(path)
    # NUL separates values in ID3 text: one that is not the first is lost.
    tags.setall("TIT2", [TIT2(encoding=3, text=[f"Tag{char}ged"])])
    tags.setall("TPE1", [TPE1(encoding=3, text=[f"Art{char}ist"])])
    tags.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=["ch1"],
            sub_frames=[],
        )
    )
    tags.add(
        CHAP(
            element_id="ch1",
            start_time=1000,
            end_time=2000,
            sub_frames=[TIT2(encoding=3, text=[f"Chap{char}ter"])],
        )
    )
    tags.save(path)
    return path


@pytest.mark.parametrize("name", ["speech.mp3", "speech.flac"])
@pytest.mark.parametrize("char", UNWANTED.values(), ids=UNWANTED)
def test_audio_tags_with_any_character_keep_the_feed_valid(
    client, show, media_dir, audio_file, name, char
):
    tag_copy(audio_file, name, char)
    with in_app() as session:
        report = importer.sync(media_dir)
        assert not report.skipped
        [episode] = session.scalars(sa.select(Episode)).all()
        # NUL parts ID3 values ("Tag", "ged"), and the first one counts.
        assert episode.title in ("Tagged", "Tag ged", "Tag")
        assert episode.artist in ("Artist", "Art ist", "Art")
        chapters = [c.title for c in episode.chapters]
        assert chapters in (["Chapter"], ["Chap ter"], ["Chap"])
    show_feed, _ = both_feeds(client, episode.slug)
    assert show_feed.entries[0].title == episode.title


SIDECAR_ESCAPES = {
    "U+FFFF": "\\uFFFF",
    "U+0001": "\\u0001",
    "ESC": "\\u001b",
    "U+FFFE": "\\uFFFE",
    "NEL": "\\u0085",
    "NUL": "\\u0000",
    "DEL": "\\u007f",
}


@pytest.mark.parametrize("escape", SIDECAR_ESCAPES.values(), ids=SIDECAR_ESCAPES)
def test_sidecars_with_any_character_keep_the_feed_valid(
    client, media_dir, audio_file, escape
):
    audio_file("speech.mp3", "talk.mp3")
    (media_dir / "show.toml").write_text(
        f'title = "Moments{escape}"\n'
        f'description = "About{escape} moments"\n'
        f'author = "Da{escape}na"\n'
        f'funding_url = "https://example.org/support"\n'
        f'funding_text = "Support{escape} us"\n'
    )
    (media_dir / "talk.toml").write_text(
        f'title = "The{escape} Talk"\nnotes = "Notes{escape} here"\n'
    )
    surrogate = "\\ud800" if escape == "\\u0001" else escape
    (media_dir / "talk.chapters.json").write_text(
        '{"version": "1.2.0", "chapters": [{"startTime": 1, "title": '
        f'"Chap{surrogate}ter", "url": "https://example.org/{surrogate}x"}}]}}'
    )
    with in_app() as session:
        report = importer.sync(media_dir)
        assert not report.skipped
        stored = session.scalars(sa.select(Show)).one()
        assert (stored.title, stored.description, stored.author) == (
            "Moments",
            "About moments",
            "Dana",
        )
        talk = session.scalars(sa.select(Episode)).one()
        assert (talk.title, talk.description) == ("The Talk", "Notes here")
    show_feed, _ = both_feeds(client, "talk")
    assert show_feed.feed.title == "Moments"
    assert show_feed.entries[0].title == "The Talk"
    channel = etree.fromstring(client.get("/feed.xml").data).find("channel")
    assert channel.findtext(f"{ITUNES}author") == "Dana"
    assert channel.findtext(f"{PODCAST}funding") == "Support us"
    chapters = json.loads(client.get("/episodes/talk/chapters.json").data)["chapters"]
    assert chapters == [
        {"startTime": 1, "title": "Chapter", "url": "https://example.org/x"}
    ]


def test_a_host_created_on_the_command_line_keeps_the_feed_valid(runner, client, show):
    result = runner.invoke(
        args=[
            "hub",
            "create-host",
            "cli@example.com",
            "--name",
            "Cli\x01 Host\uffff",
            "--password-stdin",
        ],
        input="vivid lantern orbits quartz 42\n",
    )
    assert result.exit_code == 0, result.output
    with in_app() as session:
        [host] = session.scalars(sa.select(Host)).all()
    assert host.display_name == "Cli Host"
    # A dashboard account is not one of the show's people: not in the feed.
    feed = client.get("/feed.xml").data
    assert etree.fromstring(feed).find(f"channel/{PODCAST}person") is None


def test_a_hosts_comment_is_marked_so_no_listeners_can_pass_for_it(client, episode):
    host = make_host(email="dana@example.com", display_name="Dana Reyes")
    # A listener who took the host's name before names were checked.
    fake = make_comment(episode, author="Dana Reyes", body="The host here.")
    real = make_comment(
        episode,
        author="Dana Reyes",
        is_host=True,
        host_id=host.id,
        body="The host here.",
    )
    items = etree.fromstring(comments_feed(client).data).findall("channel/item")
    seen = {
        item.findtext("link"): (
            item.findtext("title"),
            [category.text for category in item.findall("category")],
        )
        for item in items
    }
    page = "http://localhost/episodes/ep"
    assert seen[f"{page}?comment={real.id}#comment-{real.id}"] == (
        "Dana Reyes (host) at 12:34",
        ["host"],
    )
    assert seen[f"{page}?comment={fake.id}#comment-{fake.id}"] == (
        "Dana Reyes at 12:34",
        [],
    )
    parsed = read_strictly(comments_feed(client).data)
    tags = {
        entry.title: [t.term for t in entry.get("tags", [])] for entry in parsed.entries
    }
    assert tags == {"Dana Reyes (host) at 12:34": ["host"], "Dana Reyes at 12:34": []}


def test_chapters_of_an_episode_imported_before_the_show_is_set_up_are_404(client):
    """`hub import` without a show.toml leaves episodes and no show."""
    make_episode(slug="orphan")
    for path in ("/episodes/orphan/chapters.json", "/feed.xml"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "The show has not been set up yet." in response.get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [{"FEED_CACHE_MB": 0.15}])
def test_rendered_feeds_kept_within_the_configured_bytes(app, client, episode, renders):
    limit = 0.15 * 1024 * 1024
    for n in range(40):
        make_comment(episode, body=f"Comment {n} " + "words " * 40)
    cache = app.extensions["podcast_hub.feeds"]
    for n in range(12):
        make_comment(episode, author=f"New {n}")
        comments = comments_feed(client)
        assert comments.data.count(b"<item>") == 41 + n
        gzipped = client.get(
            "/episodes/ep/comments.xml", headers={"Accept-Encoding": "gzip"}
        )
        assert gzip.decompress(gzipped.data) == comments.data
        # The show's feed, polled as often, stays kept: least recently used goes.
        assert client.get("/feed.xml").status_code == 200
        assert cache.size_bytes() <= limit
    assert renders.count("render") == 1
    assert renders.count("render_comments") == 12
    # Without a bound in bytes, the twelve versions would be kept: ~0.5 MB.
    assert len(comments.data) * 12 > limit * 2


def test_feed_cache_size_is_checked(tmp_path):
    from podcast_hub.config import ConfigError

    with pytest.raises(ConfigError, match="FEED_CACHE_MB"):
        make_app(
            {"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite", "FEED_CACHE_MB": "lots"}
        )


def test_last_good_bodies_stay_within_the_bound():
    cache = views._Rendered(1000)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(5):
        path = f"/episodes/e{n}/comments.xml"
        assert cache.get(f"k{n}", lambda n=n: bytes([n]) * 300, False, path)
        cache.served(path, f"k{n}", moment)
        assert cache.size_bytes() <= 1000
    # The three most recently served paths keep their last good bytes.
    assert cache.last_good("/episodes/e0/comments.xml") is None
    assert cache.last_good("/episodes/e1/comments.xml") is None
    assert cache.last_good("/episodes/e4/comments.xml") == ("k4", moment)
    assert cache.get("k4", lambda: b"never", False) == bytes([4]) * 300
    # A new version of a path replaces its last; the old body goes first.
    cache.get("k4b", lambda: b"x" * 300, False, "/episodes/e4/comments.xml")
    cache.served("/episodes/e4/comments.xml", "k4b", moment)
    assert cache.size_bytes() <= 1000
    assert cache.last_good("/episodes/e2/comments.xml") == ("k2", moment)
    assert cache.last_good("/episodes/e3/comments.xml") == ("k3", moment)
    # A body larger than the bound is served and not kept.
    assert cache.get("big", lambda: b"b" * 2000, False) == b"b" * 2000
    assert cache.size_bytes() <= 1000


def test_workers_share_the_bytes_one_of_them_rendered(app, episode, renders):
    """Two app instances on one database, as two workers or two machines."""
    other = make_app(
        {key: app.config[key] for key in ("DATABASE_URL", "MEDIA_DIR", "SECRET_KEY")}
    )
    try:
        _share_between(app, other, episode, renders)
    finally:
        with other.app_context():
            db.engine.dispose()


def _share_between(app, other, episode, renders):
    first, second = app.test_client(), other.test_client()
    make_comment(episode, author="Lee")
    for path in FEEDS:
        rendered = first.get(path)
        served = second.get(path)
        assert served.status_code == 200
        assert served.data == rendered.data
        assert served.headers["ETag"] == rendered.headers["ETag"]
    assert sorted(renders) == ["render", "render_comments"]

    # A new comment: the first poll after it renders once, on either worker.
    make_comment(episode, author="Sam")
    fresh = second.get("/episodes/ep/comments.xml")
    assert b"Sam" in fresh.data
    assert first.get("/episodes/ep/comments.xml").data == fresh.data
    assert sorted(renders) == ["render", "render_comments", "render_comments"]
    with in_app() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(RenderedFeed)) == 2


# --- polls near the floor (bench/feed.py) ---


@pytest.mark.sqlite_only("the version is kept against SQLite's data_version")
def test_a_poll_sees_a_change_another_process_wrote(app, client, episode):
    """The version a connection keeps goes when any other connection commits,
    even one that is not SQLAlchemy's (another process, the sqlite3 shell)."""
    first = client.get("/feed.xml")
    assert (
        client.get(
            "/feed.xml", headers={"If-None-Match": first.headers["ETag"]}
        ).status_code
        == 304
    )
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as elsewhere:
        elsewhere.execute(
            "UPDATE episode SET title = 'Renamed elsewhere',"
            " updated_at = '2099-01-01 00:00:00.000000' WHERE slug = 'ep'"
        )
    again = client.get("/feed.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert b"Renamed elsewhere" in again.data


@pytest.mark.parametrize(
    "config_overrides",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_DEFAULT": "2 per minute"}],
)
def test_polls_are_counted_by_no_rate_limit(client, episode):
    """Feeds and the whole thread's JSON are read again and again by podcast
    apps and players behind one address: no limit counts them (the limiter
    skips them before any work), while other routes keep the default."""
    etag = client.get("/feed.xml").headers["ETag"]
    for _ in range(4):
        assert (
            client.get("/feed.xml", headers={"If-None-Match": etag}).status_code == 304
        )
        assert client.get("/episodes/ep/comments.xml").status_code == 200
        assert client.get("/api/episodes/ep/comments").status_code == 200
    limited = [client.get("/api/episodes").status_code for _ in range(3)]
    assert limited == [200, 200, 429]


@pytest.mark.parametrize(
    "sent",
    ['"other", {etag}', "W/{etag}", '{etag}, W/"other"', " {etag}"],
    ids=["among-others", "weak", "first-of-two", "spaced"],
)
def test_a_poll_gets_a_304_for_its_etag_written_any_way(client, episode, sent):
    """An ETag sent back exactly as given needs no parsing; any other way of
    writing it is parsed and still matches."""
    etag = client.get("/feed.xml", headers={"Accept-Encoding": "gzip"}).headers["ETag"]
    again = client.get(
        "/feed.xml",
        headers={"If-None-Match": sent.format(etag=etag), "Accept-Encoding": "gzip"},
    )
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == f"public, max-age={views.MAX_AGE_S}"
    assert "Content-Type" not in again.headers
    plain = client.get("/feed.xml", headers={"If-None-Match": etag})
    assert plain.status_code == 200, "the gzip body's ETag is not the plain one's"


def test_a_rebuild_after_an_edit_writes_the_bytes_of_a_whole_build(
    app, client, show, monkeypatch
):
    for n in range(1, 7):
        episode = make_episode(slug=f"ep-{n}", title=f"Episode {n}", number=n)
        make_chapter(episode, start_s=0, title="Intro")
        make_transcript(episode)
    make_person(show=show, name="Hannah Host", role="host")
    assert client.get("/feed.xml").status_code == 200
    written = []
    monkeypatch.setattr(rss, "_item", _counting(rss._item, written))
    with in_app() as session:
        edited = session.scalar(sa.select(Episode).where(Episode.slug == "ep-3"))
        edited.title = "Episode 3: <retitled> & more"
        session.commit()
    body = client.get("/feed.xml").data
    assert len(written) == 1, "only the edited episode's item is written again"
    assert b"Episode 3: &lt;retitled&gt; &amp; more" in body
    with app.test_request_context("/feed.xml"):
        show_row, published, people = versions.feed_content()
        whole = rss.render(
            show_row, published, links.Builder(), people, stylesheet="/feed.xsl"
        )
    assert body == whole
    assert len(feedparser.parse(body).entries) == 6


def _counting(function, calls):
    def counted(*args, **kwargs):
        calls.append(args)
        return function(*args, **kwargs)

    return counted


def test_sqlite_connections_sync_the_log_at_checkpoints(tmp_path):
    """WAL with synchronous=NORMAL: a commit is atomic and survives a crash of
    the app, without a disk flush per posted comment. (The test apps skip the
    flush altogether; this app is made as production makes it.)"""
    app = create_app(
        {
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'hub.sqlite'}",
            "WORKERS": "1",
        }
    )
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
                synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
        finally:
            db.engine.dispose()
    assert journal == "wal"
    assert synchronous == 1


def test_a_worker_keeps_the_items_of_a_feed_another_worker_built(
    app, other, show, monkeypatch
):
    """The first worker to poll after a change builds the feed; another one
    serves those bytes and keeps their items, so that after the next edit it
    too writes one item, not the whole feed."""
    for n in range(1, 5):
        make_episode(slug=f"ep-{n}", title=f"Episode {n}")
    assert app.test_client().get("/feed.xml").status_code == 200
    assert other.test_client().get("/feed.xml").status_code == 200
    written = []
    monkeypatch.setattr(rss, "_item", _counting(rss._item, written))
    with in_app() as session:
        edited = session.scalar(sa.select(Episode).where(Episode.slug == "ep-2"))
        edited.title = "Episode 2, retitled"
        session.commit()
    body = other.test_client().get("/feed.xml").data
    assert b"Episode 2, retitled" in body
    assert len(written) == 1
    assert app.test_client().get("/feed.xml").data == body
