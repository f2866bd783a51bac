"""The podcast feed as podcast apps fetch and read it."""

import io
import os
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import feedparser
import podcastparser
import pytest
from lxml import etree

from .helpers import make_episode, make_show

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
ATOM = "{http://www.w3.org/2005/Atom}"


def fetch(client):
    response = client.get("/feed.xml")
    assert response.status_code == 200
    return response


def channel_of(response):
    return etree.fromstring(response.data).find("channel")


def read_with_feedparser(response):
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    return parsed


def read_with_podcastparser(response):
    return podcastparser.parse("http://localhost/feed.xml", io.BytesIO(response.data))


@pytest.fixture
def show(app):
    return make_show(
        title="Moments Test Show",
        description="A show about testing moments.",
        author="Hannah Host",
        owner_name="Olive Owner",
        owner_email="owner@example.com",
        language="en-gb",
        category="Technology",
        cover="cover.png",
    )


def test_feed_is_rss_with_its_content_type(client, show):
    response = fetch(client)
    assert response.mimetype == "application/rss+xml"
    assert response.mimetype_params == {"charset": "utf-8"}
    assert response.data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")


def test_feed_without_a_show_is_not_found(client):
    assert client.get("/feed.xml").status_code == 404


def test_channel_describes_the_show_to_feedparser(client, show):
    parsed = read_with_feedparser(fetch(client))
    assert parsed.feed.title == "Moments Test Show"
    assert parsed.feed.link == "http://localhost/"
    assert parsed.feed.subtitle == "A show about testing moments."
    assert parsed.feed.language == "en-gb"
    assert parsed.feed.image.href == "http://localhost/media/cover.png"
    assert parsed.feed.publisher_detail == {
        "name": "Olive Owner",
        "email": "owner@example.com",
    }
    assert [tag.term for tag in parsed.feed.tags] == ["Technology"]
    assert parsed.feed.generator == "Podcast Hub"


def test_channel_describes_the_show_to_podcastparser(client, show):
    parsed = read_with_podcastparser(fetch(client))
    assert parsed["title"] == "Moments Test Show"
    assert parsed["link"] == "http://localhost/"
    assert parsed["description"] == "A show about testing moments."
    assert parsed["language"] == "en-gb"
    assert parsed["cover_url"] == "http://localhost/media/cover.png"
    assert parsed["itunes_author"] == "Hannah Host"
    assert parsed["itunes_owner"] == {
        "name": "Olive Owner",
        "email": "owner@example.com",
    }
    assert parsed["itunes_categories"] == [["Technology"]]


def test_channel_links_to_itself_and_names_its_author(client, show):
    channel = channel_of(fetch(client))
    [self_link] = channel.findall(f"{ATOM}link")
    assert self_link.get("rel") == "self"
    assert self_link.get("href") == "http://localhost/feed.xml"
    assert channel.findtext("generator") == "Podcast Hub"
    assert channel.findtext(f"{ITUNES}author") == "Hannah Host"


def test_empty_show_description_falls_back_to_the_title(client, app):
    make_show(title="Just a Title", description="")
    channel = channel_of(fetch(client))
    assert channel.findtext("description") == "Just a Title"
    assert channel.find(f"{ITUNES}summary") is None
    assert not read_with_feedparser(fetch(client)).bozo


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("Technology", [("Technology", [])]),
        ("Society & Culture > Philosophy", [("Society & Culture", ["Philosophy"])]),
        ("Arts>Design", [("Arts", ["Design"])]),
        ("Made-up Genre > Nonsense", [("Made-up Genre", ["Nonsense"])]),
        ("", []),
        (" > Orphan", []),
    ],
)
def test_category_may_name_a_subcategory(client, app, category, expected):
    make_show(category=category)
    channel = channel_of(fetch(client))
    written = [
        (outer.get("text"), [inner.get("text") for inner in outer])
        for outer in channel.findall(f"{ITUNES}category")
    ]
    assert written == expected


@pytest.mark.parametrize("cover", [None, "cover.webp", "cover.gif"])
def test_cover_apps_cannot_use_is_left_out(client, app, cover):
    """Apple and feedgen take only .jpg and .png artwork; the feed still works."""
    make_show(cover=cover)
    response = fetch(client)
    channel = channel_of(response)
    assert channel.find(f"{ITUNES}image") is None
    assert channel.find("image") is None
    assert read_with_podcastparser(response)["title"] == "Moments Test Show"


@pytest.mark.parametrize(("explicit", "text"), [(True, "true"), (False, "false")])
def test_explicit_is_written_true_or_false(client, app, explicit, text):
    make_show(explicit=explicit)
    make_episode(explicit=explicit)
    make_episode(explicit=not explicit)
    response = fetch(client)
    channel = channel_of(response)
    assert [e.text for e in channel.findall(f"{ITUNES}explicit")] == [text]
    items = [
        [e.text for e in item.findall(f"{ITUNES}explicit")]
        for item in channel.iter("item")
    ]
    assert items == [[text], ["false" if explicit else "true"]]
    parsed = read_with_podcastparser(response)
    assert parsed["explicit"] is explicit
    assert [e["explicit"] for e in parsed["episodes"]] == [explicit, not explicit]


def test_item_describes_the_episode(client, show):
    episode = make_episode(
        slug="lighthouse",
        title="The Lighthouse",
        description="Keepers and storms.",
        audio_file="lighthouse.m4a",
        mime_type="audio/mp4",
        size_bytes=123_456,
        duration_s=3723,
        season=2,
        number=7,
        episode_type="bonus",
        artist="Guest Voice",
        published_at=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
    )
    response = fetch(client)
    [item] = channel_of(response).iter("item")
    page = "http://localhost/episodes/lighthouse"
    assert item.findtext("title") == "The Lighthouse"
    assert item.findtext("link") == page
    assert item.findtext("comments") == page
    assert item.findtext("description") == "Keepers and storms."
    guid = item.find("guid")
    assert (guid.text, guid.get("isPermaLink")) == (episode.guid, "false")
    enclosure = item.find("enclosure")
    assert enclosure.attrib == {
        "url": "http://localhost/media/lighthouse.m4a",
        "length": "123456",
        "type": "audio/mp4",
    }
    assert parsedate_to_datetime(item.findtext("pubDate")) == episode.published_at
    assert item.findtext(f"{ITUNES}duration") == "01:02:03"
    assert item.findtext(f"{ITUNES}author") == "Guest Voice"
    assert item.findtext(f"{ITUNES}episodeType") == "bonus"
    assert item.findtext(f"{ITUNES}season") == "2"
    assert item.findtext(f"{ITUNES}episode") == "7"

    [read] = read_with_podcastparser(response)["episodes"]
    assert read["guid"] == episode.guid
    assert read["link"] == page
    assert read["total_time"] == 3723
    assert read["published"] == int(episode.published_at.timestamp())
    assert read["enclosures"] == [
        {
            "url": "http://localhost/media/lighthouse.m4a",
            "file_size": 123_456,
            "mime_type": "audio/mp4",
        }
    ]
    assert (read["season"], read["number"], read["type"]) == (2, 7, "bonus")


def test_item_without_extras_falls_back_sensibly(client, show):
    make_episode(description="", artist=None, season=None, number=None, title="Bare")
    response = fetch(client)
    [item] = channel_of(response).iter("item")
    assert item.findtext("description") == "Bare"
    assert item.findtext(f"{ITUNES}author") == "Hannah Host"
    assert item.findtext(f"{ITUNES}episodeType") == "full"
    assert item.find(f"{ITUNES}season") is None
    assert item.find(f"{ITUNES}episode") is None
    read_with_feedparser(response)


def test_enclosure_length_is_the_size_of_the_audio_file(client, show, media_dir):
    path = media_dir / "real.mp3"
    path.write_bytes(os.urandom(4321))
    make_episode(audio_file="real.mp3", size_bytes=os.path.getsize(path))
    [entry] = read_with_feedparser(fetch(client)).entries
    [enclosure] = entry.enclosures
    assert int(enclosure.length) == os.path.getsize(path) == 4321
    with client.get(enclosure.href) as audio:
        assert audio.data == path.read_bytes()


def test_items_come_newest_first(client, show):
    now = datetime.now(UTC)
    make_episode(slug="middle", published_at=now - timedelta(days=2))
    make_episode(slug="newest", published_at=now - timedelta(hours=1))
    make_episode(slug="oldest", published_at=now - timedelta(days=30))
    links = [entry.link for entry in read_with_feedparser(fetch(client)).entries]
    assert links == [
        "http://localhost/episodes/newest",
        "http://localhost/episodes/middle",
        "http://localhost/episodes/oldest",
    ]


def test_future_episodes_are_not_in_the_feed(client, show):
    make_episode(slug="out-now")
    make_episode(slug="next-week", published_at=datetime.now(UTC) + timedelta(days=7))
    body = fetch(client).get_data(as_text=True)
    assert "/episodes/out-now" in body
    assert "next-week" not in body


def test_non_ascii_text_comes_through_intact(client, app):
    make_show(title="Café Gespräche", author="Zoë Ødegård")
    make_episode(title="Ünïcode — ☕ 東京", description="Ça marche «très» bien.")
    response = fetch(client)
    entry = read_with_feedparser(response).entries[0]
    assert entry.title == "Ünïcode — ☕ 東京"
    assert entry.summary == "Ça marche «très» bien."
    parsed = read_with_podcastparser(response)
    assert parsed["title"] == "Café Gespräche"
    assert parsed["itunes_author"] == "Zoë Ødegård"
    assert parsed["episodes"][0]["title"] == "Ünïcode — ☕ 東京"


@pytest.mark.parametrize(
    "config_overrides",
    [
        {"BASE_URL": "https://cdn.example.org/show"},
        {"BASE_URL": "https://cdn.example.org/show/"},
    ],
)
def test_urls_use_the_configured_base_url(client, show):
    make_episode(slug="lighthouse", audio_file="lighthouse.mp3")
    response = fetch(client)
    channel = channel_of(response)
    base = "https://cdn.example.org/show"
    assert channel.findtext("link") == f"{base}/"
    assert channel.find(f"{ATOM}link").get("href") == f"{base}/feed.xml"
    assert channel.find(f"{ITUNES}image").get("href") == f"{base}/media/cover.png"
    [item] = channel.iter("item")
    assert item.findtext("link") == f"{base}/episodes/lighthouse"
    assert item.find("enclosure").get("url") == f"{base}/media/lighthouse.mp3"
    assert "localhost" not in response.get_data(as_text=True)


def test_feed_is_the_same_until_something_changes(client, show):
    make_episode()
    first, second = fetch(client), fetch(client)
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]


def test_conditional_get_with_etag_is_not_modified(client, show):
    make_episode()
    response = fetch(client)
    assert response.headers["ETag"]
    assert response.headers["Last-Modified"]
    again = client.get("/feed.xml", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


def test_conditional_get_after_a_new_episode_sends_the_feed(client, show):
    make_episode(slug="first")
    etag = fetch(client).headers["ETag"]
    make_episode(slug="second", published_at=datetime.now(UTC))
    again = client.get("/feed.xml", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert b"/episodes/second" in again.data


def test_head_sends_headers_without_a_body(client, show):
    make_episode()
    full = fetch(client)
    head = client.head("/feed.xml")
    assert head.status_code == 200
    assert head.data == b""
    assert head.mimetype == "application/rss+xml"
    assert head.headers["Content-Length"] == str(len(full.data))
    assert head.headers["ETag"] == full.headers["ETag"]
