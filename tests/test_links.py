"""Absolute URLs: pages and feeds on `BASE_URL`, media on `MEDIA_BASE_URL`."""

from types import SimpleNamespace

import pytest
from lxml import etree

from podcast_hub.web import links

from .helpers import make_episode, make_show, make_transcript

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
CDN = "https://cdn.example.net/podcast"


@pytest.fixture
def episode(app):
    make_show(cover="cover.jpg")
    episode = make_episode(
        slug="ep", audio_file="season 1/ep ü+1.mp3", image="art/ep.jpg"
    )
    make_transcript(episode, file="ep.vtt")
    return episode


@pytest.mark.parametrize(
    "config_overrides",
    [
        {"MEDIA_BASE_URL": CDN, "BASE_URL": "https://podcast.example.org"},
        {"MEDIA_BASE_URL": f"{CDN}/", "BASE_URL": "https://podcast.example.org"},
    ],
)
def test_media_point_at_the_media_base_url(client, episode):
    channel = etree.fromstring(client.get("/feed.xml").data).find("channel")
    [item] = channel.iter("item")
    audio = f"{CDN}/season%201/ep%20%C3%BC%2B1.mp3"
    assert item.find("enclosure").get("url") == audio
    assert item.find(f"{ITUNES}image").get("href") == f"{CDN}/art/ep.jpg"
    assert item.find(f"{PODCAST}transcript").get("url") == f"{CDN}/ep.vtt"
    assert channel.find(f"{ITUNES}image").get("href") == f"{CDN}/cover.jpg"
    # Pages and feeds stay on the site.
    assert item.findtext("link") == "https://podcast.example.org/episodes/ep"
    assert item.find(f"{PODCAST}chapters") is None
    [api] = client.get("/api/episodes").get_json()
    assert api["audio_url"] == audio
    assert api["page_url"] == "https://podcast.example.org/episodes/ep"


def test_media_are_served_by_the_app_without_a_media_base_url(client, episode):
    [item] = etree.fromstring(client.get("/feed.xml").data).iter("item")
    assert item.find("enclosure").get("url") == (
        "http://localhost/media/season%201/ep%20%C3%BC+1.mp3"
    )


@pytest.mark.parametrize(
    "name",
    [
        "ep.mp3",
        "season 1/ep ü+1.mp3",
        "a&b=c;d,e!$'()*@~.ogg",
        "100%/x?y#z.mp3",
        "東京.mp3",
    ],
)
def test_builder_writes_what_url_for_writes(app, name):
    with app.test_request_context("/", base_url="https://example.org/podcast/"):
        builder = links.Builder()
        assert builder.media_url(name) == links.absolute("public.media", filename=name)
        episode = SimpleNamespace(slug=name.replace("/", "-"))
        assert builder.page_url(episode) == links.absolute(
            "public.episode", slug=episode.slug
        )
