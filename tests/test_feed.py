"""The podcast feed as podcast apps fetch and read it."""

import io
import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import podcastparser
import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from lxml import etree

from podcast_hub.feeds import rss
from podcast_hub.library import audio
from podcast_hub.models import Episode, Host, Show

from .helpers import (
    in_app,
    make_chapter,
    make_episode,
    make_host,
    make_person,
    make_show,
    make_soundbite,
    make_transcript,
    save,
    update,
)

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
ATOM = "{http://www.w3.org/2005/Atom}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
WFW = "{http://wellformedweb.org/CommentAPI/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
PARTYTIME = Path(__file__).parent / "partytime"


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


def read_with_partytime(response):
    """Parse the feed with the Podcast Index's `podcast-partytime`, run by node."""
    return read_with_node("parse.mjs", response)


def read_with_node(script, response):
    """Parse the feed with a script in tests/partytime: partytime or rss-parser."""
    node = shutil.which("node")
    installed = all(
        (PARTYTIME / "node_modules" / name).is_dir()
        for name in ("podcast-partytime", "rss-parser")
    )
    if node is None or not installed:
        if os.environ.get("CI"):
            pytest.fail("the npm feed parsers are not installed: run `make test`")
        pytest.skip("the npm feed parsers are not installed: run `make test`")
    done = subprocess.run(
        [node, str(PARTYTIME / script)],
        input=response.data,
        capture_output=True,
        check=True,
        timeout=60,
    )
    parsed = json.loads(done.stdout)
    assert parsed, done.stderr
    return parsed


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
    assert parsed["description"] == "<p>A show about testing moments.</p>"
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
        mime_type="audio/x-m4a",
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
    assert item.findtext("description") == "<p>Keepers and storms.</p>"
    assert item.findtext(f"{CONTENT}encoded") == "<p>Keepers and storms.</p>"
    assert item.findtext(f"{ITUNES}summary") == "Keepers and storms."
    guid = item.find("guid")
    assert (guid.text, guid.get("isPermaLink")) == (episode.guid, "false")
    enclosure = item.find("enclosure")
    assert enclosure.attrib == {
        "url": "http://localhost/media/lighthouse.m4a",
        "length": "123456",
        "type": "audio/x-m4a",
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
            "mime_type": "audio/x-m4a",
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


@pytest.mark.parametrize(
    ("feed_url", "guid"),
    [
        # The namespace's own examples.
        (
            "https://mp3s.nashownotes.com/pc20rss.xml",
            "917393e3-1b1e-5cef-ace4-edaa54e1f810",
        ),
        (
            "http://mp3s.nashownotes.com/pc20rss.xml",
            "917393e3-1b1e-5cef-ace4-edaa54e1f810",
        ),
        ("https://podnews.net/rss", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
        ("https://podnews.net/rss//", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
    ],
)
def test_podcast_guid_is_derived_from_the_feed_url_as_the_namespace_says(
    feed_url, guid
):
    assert rss.podcast_guid(Show(podcast_guid=None), feed_url) == guid


def test_podcast_guid_of_the_show_wins(client, app):
    make_show(podcast_guid="2d6fa1b4-5e3f-5b2a-9c47-0f1d1e1c7a11")
    channel = channel_of(fetch(client))
    assert channel.findtext(f"{PODCAST}guid") == "2d6fa1b4-5e3f-5b2a-9c47-0f1d1e1c7a11"


@pytest.mark.parametrize(
    "config_overrides", [{"BASE_URL": "https://podcast.example.org"}]
)
def test_podcast_guid_of_a_show_without_one_seeds_from_the_feed_url(client, show):
    """Only a show stored before guids were has none; see test_identity."""
    show = update(show, podcast_guid=None)
    expected = rss.podcast_guid(show, "podcast.example.org/feed.xml")
    assert channel_of(fetch(client)).findtext(f"{PODCAST}guid") == expected


@pytest.mark.parametrize(("locked", "text"), [(True, "yes"), (False, "no")])
def test_locked_names_the_owner(client, app, locked, text):
    make_show(locked=locked, owner_email="owner@example.com")
    [tag] = channel_of(fetch(client)).findall(f"{PODCAST}locked")
    assert (tag.text, tag.get("owner")) == (text, "owner@example.com")


def test_channel_type_funding_and_new_feed_url(client, app):
    make_show(
        show_type="serial",
        funding_url="https://example.org/support",
        funding_text="Buy us a coffee ☕",
        new_feed_url="https://new.example.org/feed.xml",
    )
    channel = channel_of(fetch(client))
    assert channel.findtext(f"{ITUNES}type") == "serial"
    assert channel.findtext(f"{ITUNES}new-feed-url") == (
        "https://new.example.org/feed.xml"
    )
    [funding] = channel.findall(f"{PODCAST}funding")
    assert funding.get("url") == "https://example.org/support"
    assert funding.text == "Buy us a coffee ☕"


def test_funding_and_new_feed_url_are_left_out_unless_set(client, app):
    make_show(funding_url=None, new_feed_url=None)
    channel = channel_of(fetch(client))
    assert channel.findtext(f"{ITUNES}type") == "episodic"
    assert channel.find(f"{PODCAST}funding") is None
    assert channel.find(f"{ITUNES}new-feed-url") is None


def test_the_shows_chosen_people_are_persons_and_accounts_are_not(client, show):
    make_host(email="first-secret@example.net", display_name="Moderator Max")
    make_person(
        show=show,
        name="Zoë Ødegård",
        role="host",
        img="https://example.org/zoe.jpg",
        href="https://example.org/zoe",
    )
    make_person(
        show=show,
        name="Ed Itor",
        role="audio editor",
        group_name="audio post-production",
    )
    response = fetch(client)
    persons = channel_of(response).findall(f"{PODCAST}person")
    assert [(p.text, dict(p.attrib)) for p in persons] == [
        (
            "Zoë Ødegård",
            {
                "role": "host",
                "group": "cast",
                "img": "https://example.org/zoe.jpg",
                "href": "https://example.org/zoe",
            },
        ),
        ("Ed Itor", {"role": "audio editor", "group": "audio post-production"}),
    ]
    assert b"secret" not in response.data
    assert b"Moderator Max" not in response.data


def test_item_links_its_comments_feed_and_numbers(client, show):
    make_episode(slug="lighthouse", season=3, number=12)
    [item] = channel_of(fetch(client)).iter("item")
    assert item.findtext(f"{WFW}commentRss") == (
        "http://localhost/episodes/lighthouse/comments.xml"
    )
    assert item.findtext(f"{PODCAST}season") == "3"
    assert item.findtext(f"{PODCAST}episode") == "12"


def test_item_without_numbers_has_no_podcast_numbers(client, show):
    make_episode(season=None, number=None)
    [item] = channel_of(fetch(client)).iter("item")
    assert item.find(f"{PODCAST}season") is None
    assert item.find(f"{PODCAST}episode") is None


def test_chapters_are_linked_only_when_the_episode_has_some(client, show):
    with_chapters = make_episode(slug="with")
    make_chapter(with_chapters, start_s=0, title="Intro")
    make_episode(slug="without")
    items = {
        item.findtext("link"): item.find(f"{PODCAST}chapters")
        for item in channel_of(fetch(client)).iter("item")
    }
    chapters = items["http://localhost/episodes/with"]
    assert chapters.attrib == {
        "url": "http://localhost/episodes/with/chapters.json",
        "type": "application/json+chapters",
    }
    assert items["http://localhost/episodes/without"] is None


@pytest.mark.parametrize(
    ("file", "stored_type", "language", "expected"),
    [
        (
            "ep.vtt",
            "text/vtt",
            "en",
            {"type": "text/vtt", "language": "en", "rel": "captions"},
        ),
        ("ep.srt", "application/x-subrip", None, {"type": "application/x-subrip"}),
        ("ep.srt", "application/srt", None, {"type": "application/x-subrip"}),
        ("ep.html", "text/html", "fr", {"type": "text/html", "language": "fr"}),
    ],
)
def test_transcripts_carry_the_namespace_types(
    client, show, file, stored_type, language, expected
):
    episode = make_episode(slug="ep")
    make_transcript(episode, file=file, mime_type=stored_type, language=language)
    [item] = channel_of(fetch(client)).iter("item")
    [tag] = item.findall(f"{PODCAST}transcript")
    timed = expected["type"] in ("text/vtt", "application/x-subrip")
    assert tag.attrib == {
        "url": f"http://localhost/media/{file}",
        **expected,
        **({"rel": "captions"} if timed else {}),
    }


def test_soundbites_are_written_in_order(client, show):
    episode = make_episode()
    make_soundbite(episode, start_s=300, duration_s=45, title="Later — ☕")
    make_soundbite(episode, start_s=73, duration_s=60, title="Earlier")
    [item] = channel_of(fetch(client)).iter("item")
    bites = [
        (b.get("startTime"), b.get("duration"), b.text)
        for b in item.findall(f"{PODCAST}soundbite")
    ]
    assert bites == [("73", "60", "Earlier"), ("300", "45", "Later — ☕")]


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("art/ep.jpg", "http://localhost/media/art/ep.jpg"),
        ("ep.png", "http://localhost/media/ep.png"),
        ("ep.webp", None),
        (None, None),
    ],
)
def test_episode_art_is_its_itunes_image(client, show, image, expected):
    make_episode(image=image)
    [item] = channel_of(fetch(client)).iter("item")
    tag = item.find(f"{ITUNES}image")
    assert (tag.get("href") if tag is not None else None) == expected


def test_apple_required_tags_are_present(client, show):
    """Apple's list: channel title, description, artwork, language, category,
    explicit; item title, enclosure with URL, length and type, and a guid."""
    make_episode()
    channel = channel_of(fetch(client))
    for tag in ("title", "description", "language", "link"):
        assert channel.findtext(tag), tag
    assert channel.find(f"{ITUNES}image").get("href").endswith((".jpg", ".png"))
    assert channel.find(f"{ITUNES}category").get("text")
    assert channel.findtext(f"{ITUNES}explicit") in ("true", "false")
    assert channel.findtext(f"{ITUNES}author")
    assert channel.find(f"{ITUNES}owner").findtext(f"{ITUNES}email")
    for item in channel.iter("item"):
        assert item.findtext("title")
        assert item.findtext("guid")
        assert item.findtext("pubDate")
        enclosure = item.find("enclosure")
        assert {"url", "length", "type"} <= set(enclosure.attrib)
        assert int(enclosure.get("length")) > 0
        assert enclosure.get("type").startswith("audio/")


FORMATS = [
    "speech.mp3",
    "speech.m4a",
    "speech.aac",
    "speech.ogg",
    "speech.opus",
    "speech.flac",
    "speech.wav",
]


SHOW_NOTES = """Gespräche über **Momente**, die [bleiben](https://example.org/ueber).

Typed in angle brackets: <voices>, and <script>alert("show")</script>."""
EPISODE_NOTES = """## Notizen zu {name}

Ein **Leuchtturm**, ein [Sturm](https://example.org/sturm) & <voices> ab 0:01.

<script>alert(1)</script>"""


class Shown(HTMLParser):
    """What an app that renders HTML shows: the tags it makes, the text, links."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self.links, self.parts = [], [], []
        self.feed(html)
        self.close()
        # The word joiner after a typed "<" is invisible.
        self.text = "".join(self.parts).replace("\u2060", "")

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [value for name, value in attrs if name == "href"]

    def handle_data(self, data):
        self.parts.append(data)


APP_TAGS = {"p", "ol", "ul", "li", "a", "b", "i", "strong", "em", "br"}


def assert_app_html(html, episode):
    """Assert that `html` shows EPISODE_NOTES as podcast apps must: the tags
    Apple allows only, no script, angle brackets as text, moments absolute."""
    shown = Shown(html)
    assert set(shown.tags) <= APP_TAGS and "strong" in shown.tags
    assert "script" not in shown.tags and "<script" not in html
    assert "Ein Leuchtturm, ein Sturm & <voices> ab 0:01." in shown.text
    assert "<script>alert(1)</script>" in shown.text
    assert shown.links == [
        "https://example.org/sturm",
        f"http://localhost/episodes/{episode.slug}?t=1",
    ]


def assert_app_text(text, episode):
    """Assert that `text` is EPISODE_NOTES as plain text, no markup anywhere."""
    shown = Shown(text)
    assert shown.tags == []
    assert shown.text.startswith(f"Notizen zu {episode.audio_file}\n\nEin Leuchtturm")
    assert "<voices>" in shown.text and "**" not in shown.text
    assert "<script" not in text


def assert_no_script_anywhere(parsed):
    assert "<script" not in json.dumps(parsed, ensure_ascii=False, default=str)


@pytest.fixture
def rich_show(app, audio_file, media_dir):
    """A show using every tag we write, one episode per audio format.

    Returns (show, episodes newest first).
    """
    show = make_show(
        title="Café Gespräche — 東京",
        description=SHOW_NOTES,
        author="Zoë Ødegård",
        owner_name="Zoë Ødegård",
        owner_email="zoe@example.com",
        language="de",
        category="Society & Culture > Philosophy",
        cover="cover.jpg",
        show_type="serial",
        locked=True,
        funding_url="https://example.org/unterstuetzen",
        funding_text="Unterstütze uns ☕",
        medium="podcast",
        copyright="© 2026 Zoë Ødegård",
        license="CC-BY-4.0",
        update_frequency="Wöchentlich",
        update_rrule="FREQ=WEEKLY;BYDAY=MO",
        txt=[
            {"purpose": "applepodcastsverify", "text": "a1b2c3d4-e5f6"},
            {"purpose": None, "text": "naked text"},
        ],
    )
    make_person(
        show=show,
        name="Zoë Ødegård",
        role="host",
        img="https://example.org/zoe.jpg",
        href="https://example.org/zoe",
    )
    make_person(show=show, name="Hannah Høst", role="co-host")
    # Hosts without a real password: hashing one takes longer than the test.
    for name in ("Hannah Høst", "Zoë 東"):
        save(
            Host(
                email=f"{name}-private@example.net",
                display_name=name,
                password_hash="-",
            )
        )
    now = datetime.now(UTC).replace(microsecond=0)
    made = []
    for n, name in enumerate(FORMATS, start=1):
        facts = audio.read(audio_file(name))
        episode = make_episode(
            slug=f"folge-{n}",
            title=f"Folge {n}: Ünïcode — ☕ «{name}»",
            description=EPISODE_NOTES.format(name=name),
            artist=f"Sprecherin {n}",
            episode_type="trailer" if n == len(FORMATS) else "full",
            audio_file=name,
            mime_type=facts.mime_type,
            size_bytes=facts.size_bytes,
            duration_s=facts.duration_s,
            season=2,
            number=n,
            image=f"art-{n}.jpg",
            published_at=now - timedelta(days=n),
        )
        make_chapter(episode, start_s=0, title="Anfang — Café")
        make_chapter(episode, start_s=1, title="東京", url="https://example.org/tokyo")
        make_chapter(
            episode,
            start_s=2,
            title="Bildwechsel",
            img="https://example.org/bild.jpg",
            toc=False,
        )
        make_person(
            episode,
            name=f"Gast {n} ☕",
            role="guest",
            img=f"https://example.org/gast-{n}.jpg",
            href=f"https://example.org/gast-{n}",
        )
        for kind, mime_type, language in [
            ("vtt", "text/vtt", "de"),
            ("srt", "application/x-subrip", None),
        ]:
            transcript = media_dir / f"folge-{n}.{kind}"
            transcript.write_text("WEBVTT\n" if kind == "vtt" else "1\n", "utf-8")
            make_transcript(
                episode,
                file=transcript.name,
                mime_type=mime_type,
                language=language,
            )
        # partytime drops a soundbite at 0:00 (it tests startTime for truth).
        make_soundbite(episode, start_s=1, duration_s=15, title=f"Höhepunkt {n} ✨")
        made.append(episode.id)
    with in_app() as session:
        # Loaded with what hangs off them, for the tests to read afterwards.
        loaded = so.selectinload
        episodes = session.scalars(
            sa.select(Episode)
            .where(Episode.id.in_(made))
            .options(
                loaded(Episode.chapters),
                loaded(Episode.transcripts),
                loaded(Episode.soundbites),
                loaded(Episode.people),
            )
            .order_by(Episode.published_at.desc())
        ).all()
    return show, episodes


def test_every_format_and_tag_comes_through_partytime(client, rich_show):
    show, episodes = rich_show
    parsed = read_with_partytime(fetch(client))
    assert parsed["title"] == show.title
    assert parsed["language"] == "de"
    assert parsed["itunesType"] == "serial"
    assert parsed["guid"] == rss.podcast_guid(show, "http://localhost/feed.xml")
    assert (parsed["locked"], parsed["podcastOwner"]) == (True, "zoe@example.com")
    assert parsed["podcastFunding"] == [
        {"message": "Unterstütze uns ☕", "url": "https://example.org/unterstuetzen"}
    ]
    # The show's chosen people; the dashboard's accounts are not listed.
    assert parsed["podcastPeople"] == [
        {
            "name": "Zoë Ødegård",
            "role": "Host",
            "group": "Cast",
            "img": "https://example.org/zoe.jpg",
            "href": "https://example.org/zoe",
        },
        {"name": "Hannah Høst", "role": "Co-Host", "group": "Cast"},
    ]
    assert_no_script_anywhere(parsed)
    assert "<voices>" in Shown(parsed["description"]).text
    assert parsed["medium"] == "podcast"
    assert parsed["copyright"] == "© 2026 Zoë Ødegård"
    assert parsed["license"]["identifier"] == "CC-BY-4.0"
    assert parsed["podcastTxt"] == [
        {"value": "a1b2c3d4-e5f6", "purpose": "applepodcastsverify"},
        {"value": "naked text"},
    ]
    trailer = episodes[-1]
    assert parsed["trailers"] == [
        {
            "title": trailer.title,
            "url": f"http://localhost/media/{trailer.audio_file}",
            "pubdate": trailer.published_at.isoformat().replace("+00:00", ".000Z"),
            "type": trailer.mime_type,
            "length": trailer.size_bytes,
            "season": 2,
        }
    ]
    assert (parsed["itunesBlock"], parsed["itunesComplete"]) == (False, False)
    assert parsed["itunesImage"] == "http://localhost/media/cover.jpg"
    assert len(parsed["items"]) == len(FORMATS)
    for item, episode in zip(parsed["items"], episodes, strict=True):
        base = f"http://localhost/episodes/{episode.slug}"
        assert item["title"] == episode.title
        assert item["guid"] == episode.guid
        assert_app_html(item["description"], episode)
        assert_app_html(item["content"], episode)
        assert_app_text(item["summary"], episode)
        assert item["author"] == episode.artist
        assert item["podcastPeople"] == [
            {
                "name": f"Gast {episode.number} ☕",
                "role": "Guest",
                "group": "Cast",
                "img": f"https://example.org/gast-{episode.number}.jpg",
                "href": f"https://example.org/gast-{episode.number}",
            }
        ]
        assert item["enclosure"] == {
            "url": f"http://localhost/media/{episode.audio_file}",
            "length": episode.size_bytes,
            "type": episode.mime_type,
        }
        assert item["duration"] == episode.duration_s
        assert item["pubDate"] == episode.published_at.isoformat().replace(
            "+00:00", ".000Z"
        )
        assert item["itunesImage"] == f"http://localhost/media/{episode.image}"
        assert (item["itunesSeason"], item["itunesEpisode"]) == (2, episode.number)
        assert item["podcastSeason"] == {"number": 2}
        assert item["podcastEpisode"] == {"number": episode.number}
        assert item["podcastChapters"] == {
            "url": f"{base}/chapters.json",
            "type": "application/json+chapters",
        }
        assert item["podcastTranscripts"] == [
            {
                "url": f"http://localhost/media/{t.file}",
                # partytime names SRT application/srt, whichever name it reads.
                "type": {"text/vtt": "text/vtt"}.get(t.mime_type, "application/srt"),
                "language": t.language or "de",
                "rel": "captions",
            }
            for t in sorted(episode.transcripts, key=lambda t: t.file)
        ]
        assert item["podcastSoundbites"] == [
            {"startTime": b.start_s, "duration": b.duration_s, "title": b.title}
            for b in episode.soundbites
        ]


def test_every_format_and_tag_comes_through_feedparser(client, rich_show):
    show, episodes = rich_show
    parsed = read_with_feedparser(fetch(client))
    assert parsed.feed.title == show.title
    assert parsed.feed.podcast_guid == rss.podcast_guid(
        show, "http://localhost/feed.xml"
    )
    assert parsed.feed.podcast_locked == {"owner": "zoe@example.com"}
    assert parsed.feed.itunes_type == "serial"
    assert [(t.term, t.scheme) for t in parsed.feed.tags][:1] == [
        ("Society & Culture", "http://www.itunes.com/")
    ]
    assert parsed.feed.rights == "© 2026 Zoë Ødegård"
    assert parsed.feed.podcast_medium == "podcast"
    assert parsed.feed.podcast_license == "CC-BY-4.0"
    assert parsed.feed.podcast_updatefrequency == {"rrule": "FREQ=WEEKLY;BYDAY=MO"}
    assert "<voices>" in Shown(parsed.feed.summary).text
    assert_no_script_anywhere(parsed)
    for entry, episode in zip(parsed.entries, episodes, strict=True):
        assert entry.title == episode.title
        assert entry.id == episode.guid
        [content] = entry.content
        assert_app_html(content.value, episode)
        assert_app_text(entry.summary, episode)
        assert entry.author == episode.artist
        [enclosure] = entry.enclosures
        assert (enclosure.href, int(enclosure.length), enclosure.type) == (
            f"http://localhost/media/{episode.audio_file}",
            episode.size_bytes,
            episode.mime_type,
        )
        assert entry.image.href == f"http://localhost/media/{episode.image}"
        assert (entry.itunes_season, entry.itunes_episode) == ("2", str(episode.number))
        assert (entry.podcast_season, entry.podcast_episode) == (
            "2",
            str(episode.number),
        )
        assert entry.wfw_commentrss == (
            f"http://localhost/episodes/{episode.slug}/comments.xml"
        )
        assert entry.podcast_chapters["url"] == (
            f"http://localhost/episodes/{episode.slug}/chapters.json"
        )


def test_every_format_and_tag_comes_through_podcastparser(client, rich_show):
    show, episodes = rich_show
    parsed = read_with_podcastparser(fetch(client))
    assert parsed["title"] == show.title
    assert parsed["type"] == "serial"
    assert parsed["itunes_categories"] == [["Society & Culture", "Philosophy"]]
    assert parsed["itunes_owner"] == {"name": "Zoë Ødegård", "email": "zoe@example.com"}
    # podcastparser lists a serial show's episodes oldest first.
    assert_no_script_anywhere(parsed)
    assert "<voices>" in Shown(parsed["description"]).text
    for read, episode in zip(parsed["episodes"], episodes[::-1], strict=True):
        assert read["title"] == episode.title
        assert read["guid"] == episode.guid
        assert_app_html(read["description_html"], episode)
        assert_app_text(read["description"], episode)
        assert read["itunes_author"] == episode.artist
        assert read["total_time"] == episode.duration_s
        assert read["published"] == int(episode.published_at.timestamp())
        assert read["enclosures"] == [
            {
                "url": f"http://localhost/media/{episode.audio_file}",
                "file_size": episode.size_bytes,
                "mime_type": episode.mime_type,
            }
        ]
        assert read["episode_art_url"] == f"http://localhost/media/{episode.image}"
        assert (read["season"], read["number"]) == (2, episode.number)


def test_every_format_and_tag_comes_through_rss_parser(client, rich_show):
    show, episodes = rich_show
    parsed = read_with_node("rss-parser.mjs", fetch(client))
    assert parsed["title"] == show.title
    assert parsed["copyright"] == "© 2026 Zoë Ødegård"
    assert parsed["podcast:medium"] == "podcast"
    assert parsed["podcast:license"] == "CC-BY-4.0"
    assert parsed["podcast:updateFrequency"] == "Wöchentlich"
    assert parsed["podcastPeople"] == [
        {
            "_": "Zoë Ødegård",
            "$": {
                "role": "host",
                "group": "cast",
                "img": "https://example.org/zoe.jpg",
                "href": "https://example.org/zoe",
            },
        },
        {"_": "Hannah Høst", "$": {"role": "co-host", "group": "cast"}},
    ]
    assert parsed["podcastTxt"] == [
        {"_": "a1b2c3d4-e5f6", "$": {"purpose": "applepodcastsverify"}},
        "naked text",
    ]
    [trailer] = parsed["podcastTrailers"]
    assert trailer["_"] == episodes[-1].title
    assert "<voices>" in Shown(parsed["description"]).text
    assert "<voices>" in Shown(parsed["itunes"]["summary"]).text
    assert_no_script_anywhere(parsed)
    assert parsed["itunes"]["owner"] == {
        "name": "Zoë Ødegård",
        "email": "zoe@example.com",
    }
    for item, episode in zip(parsed["items"], episodes, strict=True):
        assert item["title"] == episode.title
        assert item["guid"] == episode.guid
        assert item["enclosure"] == {
            "url": f"http://localhost/media/{episode.audio_file}",
            "length": str(episode.size_bytes),
            "type": episode.mime_type,
        }
        assert_app_html(item["content"], episode)
        assert_app_html(item["content:encoded"], episode)
        assert_app_text(item["itunes"]["summary"], episode)
        assert item["itunes"]["author"] == episode.artist
        assert item["itunes"]["subtitle"] == f"Notizen zu {episode.audio_file}"
        [guest] = item["podcastPeople"]
        assert guest["_"] == f"Gast {episode.number} ☕"
        assert guest["$"]["role"] == "guest"


def test_what_the_feed_links_to_is_served_as_announced(client, rich_show):
    """Enclosures, chapters and transcripts answer with the type and length the
    feed gives, and hold what the database and the media folder hold."""
    _, episodes = rich_show
    channel = channel_of(fetch(client))
    assert len(channel.findall("item")) == len(episodes)
    for item in channel.iter("item"):
        enclosure = item.find("enclosure")
        with client.get(enclosure.get("url")) as served:
            assert served.status_code == 200
            assert served.headers["Content-Type"] == enclosure.get("type")
            assert served.headers["Content-Length"] == enclosure.get("length")
        chapters = client.get(item.find(f"{PODCAST}chapters").get("url"))
        assert chapters.mimetype == "application/json+chapters"
        assert json.loads(chapters.data)["chapters"] == [
            {"startTime": 0, "title": "Anfang — Café"},
            {"startTime": 1, "title": "東京", "url": "https://example.org/tokyo"},
            {
                "startTime": 2,
                "title": "Bildwechsel",
                "img": "https://example.org/bild.jpg",
                "toc": False,
            },
        ]
        for tag in item.findall(f"{PODCAST}transcript"):
            with client.get(tag.get("url")) as served:
                assert served.status_code == 200
                assert served.mimetype == tag.get("type")


def import_folder(app, media_dir):
    """Import the media folder as `hub import` does; return the report."""
    from podcast_hub.catalog import importer

    with app.app_context():
        return importer.sync(media_dir)


def square_image(path, fmt, side=1400):
    from PIL import Image

    Image.new("RGB", (side, side), (51, 102, 204)).save(path, fmt)
    return path


@pytest.mark.parametrize(
    ("name", "fmt", "linked"),
    [
        ("cover.jpeg", "JPEG", "cover.jpg"),
        ("cover.JPG", "JPEG", "cover.jpg"),
        ("cover.Jpeg", "JPEG", "cover.jpg"),
        ("cover.PNG", "PNG", "cover.png"),
        ("cover.png", "PNG", "cover.png"),
    ],
)
def test_cover_art_of_any_spelling_is_in_the_feed(
    client, app, media_dir, name, fmt, linked
):
    """`.jpeg`, `.JPG`, `.PNG` covers used to drop itunes:image: the feed links
    them with the ending Apple wants, and /media/ serves them there."""
    square_image(media_dir / name, fmt)
    make_show(cover=name)
    make_episode(image=name)

    response = fetch(client)
    channel = channel_of(response)
    url = f"http://localhost/media/{linked}"
    assert channel.find(f"{ITUNES}image").get("href") == url
    assert channel.find("image").findtext("url") == url
    assert channel.find(f"item/{ITUNES}image").get("href") == url
    assert read_with_podcastparser(response)["cover_url"] == url
    assert read_with_feedparser(response).feed.image.href == url
    with client.get(f"/media/{linked}") as served:
        assert served.status_code == 200
        assert served.data == (media_dir / name).read_bytes()
        assert served.mimetype == ("image/png" if fmt == "PNG" else "image/jpeg")
    with client.get(f"/media/{name}") as served:
        assert served.status_code == 200


def test_the_apple_spelling_of_art_serves_only_published_art(client, app, media_dir):
    square_image(media_dir / "draft.jpeg", "JPEG")
    square_image(media_dir / "other.jpeg", "JPEG")
    make_show(cover=None)
    make_episode(image="draft.jpeg", published_at=None)

    assert client.get("/media/draft.jpg").status_code == 404
    assert client.get("/media/other.jpg").status_code == 404
    assert client.get("/media/DRAFT.jpg").status_code == 404


def test_owner_email_without_a_name_still_writes_the_owner(client, app):
    """Apple and Spotify write to itunes:owner's e-mail; a missing name used to
    drop the whole tag. The author's name stands in."""
    make_show(owner_name="", author="Dana Reyes", owner_email="dana@example.com")
    response = fetch(client)
    owner = channel_of(response).find(f"{ITUNES}owner")
    assert owner.findtext(f"{ITUNES}name") == "Dana Reyes"
    assert owner.findtext(f"{ITUNES}email") == "dana@example.com"
    assert read_with_feedparser(response).feed.publisher_detail.email == (
        "dana@example.com"
    )


def test_files_sharing_a_name_are_one_item_with_alternate_enclosures(
    client, app, media_dir, audio_file
):
    """talk.mp3 + talk.opus + talk.flac: one item; the MP3 is the enclosure and
    every file a podcast:alternateEnclosure, as the Podcast Index reads it."""
    make_show()
    audio_file("speech.mp3", "talk.mp3")
    audio_file("speech.opus", "talk.opus")
    audio_file("speech.flac", "talk.flac")
    import_folder(app, media_dir)

    response = fetch(client)
    (item,) = channel_of(response).iter("item")
    assert item.find("enclosure").get("url") == "http://localhost/media/talk.mp3"
    alternates = [
        (
            element.get("type"),
            element.get("codecs"),
            element.get("default"),
            int(element.get("length")),
            int(element.get("bitrate")),
            element.find(f"{PODCAST}source").get("uri"),
        )
        for element in item.findall(f"{PODCAST}alternateEnclosure")
    ]
    size = {n: (media_dir / n).stat().st_size for n in os.listdir(media_dir)}
    assert [a[:4] for a in alternates] == [
        ("audio/mpeg", None, "true", size["talk.mp3"]),
        ("audio/flac", "flac", None, size["talk.flac"]),
        ("audio/ogg", "opus", None, size["talk.opus"]),
    ]
    assert all(a[4] > 1000 for a in alternates)
    for *_, uri in alternates:
        with client.get(uri.removeprefix("http://localhost")) as served:
            assert served.status_code == 200
            assert served.mimetype.startswith("audio/")

    (episode,) = read_with_partytime(response)["items"]
    sources = [
        [source["uri"] for source in alternate["source"]]
        for alternate in episode["alternativeEnclosures"]
    ]
    assert sources == [
        ["http://localhost/media/talk.mp3"],
        ["http://localhost/media/talk.flac"],
        ["http://localhost/media/talk.opus"],
    ]
    assert len(read_with_podcastparser(response)["episodes"]) == 1
    assert len(read_with_feedparser(response).entries) == 1


def test_episode_art_that_vanished_leaves_the_feed_at_the_next_import(
    client, app, media_dir, audio_file
):
    make_show()
    audio_file("speech.mp3", "talk.mp3")
    square_image(media_dir / "talk.jpg", "JPEG")
    import_folder(app, media_dir)
    assert channel_of(fetch(client)).find(f"item/{ITUNES}image") is not None

    (media_dir / "talk.jpg").unlink()
    report = import_folder(app, media_dir)

    assert report.vanished == ["talk.jpg"]
    assert (
        "talk.mp3",
        "episode art talk.jpg is gone; the feed no longer names it",
    ) in (report.warnings)
    assert channel_of(fetch(client)).find(f"item/{ITUNES}image") is None
