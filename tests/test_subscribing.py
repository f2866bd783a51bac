"""Subscribing in one tap: each podcast app's link, the show's ids and colour
in the dashboard, the subscribe block on the pages, and /feed.xml as a page."""

import re
from html.parser import HTMLParser
from urllib.parse import unquote

import feedparser
import pytest
from lxml import etree, html

from podcast_hub.catalog import subscribing
from podcast_hub.text import rules

from .conftest import csrf_from
from .helpers import make_episode, make_show, reload

FEED = "https://pod.example.org/feed.xml"
ACCEPT_PAGE = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def select(element, selector):
    """Return the elements under `element` matching `tag.class`, `tag[attr]`,
    `tag[attr="value"]` or `tag` (a small CSS subset, as XPath)."""
    tag, _, rest = re.match(r"([a-z0-9]*)(.*)", selector).group(1, 0, 2)
    path = f".//{tag or '*'}"
    for kind, name, value in re.findall(r'(\.|\[)([\w-]+)(?:="([^"]*)")?\]?', rest):
        if kind == ".":
            path += f"[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
        elif value:
            path += f'[@{name}="{value}"]'
        else:
            path += f"[@{name}]"
    return element.xpath(path)


def links_by_app(**settings):
    return {
        link.key: link.url
        for link in subscribing.app_links(FEED, "Moments & More", **settings)
    }


def test_without_ids_every_app_opens_the_feed_by_its_own_scheme():
    links = links_by_app()
    assert links == {
        "apple": "podcast://pod.example.org/feed.xml",
        "overcast": "overcast://x-callback-url/add?url=https%3A%2F%2Fpod.example.org%2Ffeed.xml",
        "pocketcasts": "pktc://subscribe/pod.example.org/feed.xml",
        "antennapod": "https://antennapod.org/deeplink/subscribe?url=https%3A%2F%2Fpod.example.org%2Ffeed.xml&title=Moments+%26+More",
        "podcastaddict": "podcastaddict://pod.example.org/feed.xml",
        "castro": "castro://subscribe/pod.example.org/feed.xml",
        "rss": FEED,
    }


def test_with_the_apple_id_apps_that_know_it_take_their_https_links():
    links = links_by_app(
        apple_id="1234567890",
        spotify_url="https://open.spotify.com/show/4rOoJ6Egrf8K2IrywzwOMk",
    )
    assert links["apple"] == "https://podcasts.apple.com/podcast/id1234567890"
    assert links["spotify"] == "https://open.spotify.com/show/4rOoJ6Egrf8K2IrywzwOMk"
    assert links["overcast"] == "https://overcast.fm/itunes1234567890"
    assert links["pocketcasts"] == "https://pca.st/itunes/1234567890"
    assert links["castro"] == "https://castro.fm/itunes/1234567890"
    # Apps that never look the show up on Apple still take the feed.
    assert links["podcastaddict"] == "podcastaddict://pod.example.org/feed.xml"
    assert "url=https%3A%2F%2Fpod.example.org" in links["antennapod"]


def test_the_apps_come_in_the_order_of_the_block_spotify_only_with_its_address():
    keys = [link.key for link in subscribing.app_links(FEED)]
    assert keys == [
        "apple",
        "overcast",
        "pocketcasts",
        "antennapod",
        "podcastaddict",
        "castro",
        "rss",
    ]
    with_spotify = subscribing.app_links(
        FEED, spotify_url="https://open.spotify.com/show/x"
    )
    assert [link.key for link in with_spotify][:2] == ["apple", "spotify"]


def test_a_plain_http_feed_loses_its_scheme_only_where_the_app_wants_that():
    links = {
        link.key: link.url
        for link in subscribing.app_links("http://localhost:5000/feed.xml")
    }
    assert links["pocketcasts"] == "pktc://subscribe/localhost:5000/feed.xml"
    assert links["rss"] == "http://localhost:5000/feed.xml"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1234567890", "1234567890"),
        ("id1234567890", "1234567890"),
        (" https://podcasts.apple.com/us/podcast/moments/id1234567890 ", "1234567890"),
        (
            "https://podcasts.apple.com/gb/podcast/moments/id1234567890?i=1000",
            "1234567890",
        ),
        ("https://itunes.apple.com/podcast/id98765", "98765"),
        ("moments", None),
        ("12", None),
        ("https://example.org/id1234567890", None),
    ],
)
def test_apple_podcasts_id_from_the_id_or_the_address(typed, stored):
    assert rules.apple_podcasts_id(typed) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (
            "https://open.spotify.com/show/4rOoJ6Egrf8K2IrywzwOMk?si=abc123",
            "https://open.spotify.com/show/4rOoJ6Egrf8K2IrywzwOMk",
        ),
        (
            "https://open.spotify.com/intl-de/show/4rOoJ6Egrf8K2IrywzwOMk",
            "https://open.spotify.com/show/4rOoJ6Egrf8K2IrywzwOMk",
        ),
        (
            "spotify:show:4rOoJ6Egrf8K2IrywzwOMk",
            "https://open.spotify.com/show/4rOoJ6Egrf8K2IrywzwOMk",
        ),
        ("https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk", None),
        ("https://evil.example/show/4rOoJ6Egrf8K2IrywzwOMk", None),
        ("http://open.spotify.com/show/4rOoJ6Egrf8K2IrywzwOMk", None),
    ],
)
def test_spotify_show_address(typed, stored):
    assert rules.spotify_show_url(typed) == stored


@pytest.mark.parametrize(
    ("typed", "found"),
    [("#5A2EA6", "#5a2ea6"), ("0f6b4f", "#0f6b4f"), ("#fff", None), ("purple", None)],
)
def test_colour_is_written_rrggbb(typed, found):
    assert rules.colour(typed) == found


def test_contrast_ratio_is_wcag_s():
    assert rules.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert rules.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    # WCAG's own example: #777777 on white is just under 4.5:1.
    assert rules.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_a_dark_accent_passes_and_a_light_one_is_refused_with_a_darker_one():
    assert rules.accent_problem("#5a2ea6") is None
    problem = rules.accent_problem("#ffcc00")
    assert problem is not None
    assert "#ffcc00 is too light" in problem and "4.5:1" in problem
    suggested = re.search(r"darker, (#[0-9a-f]{6})", problem).group(1)
    assert rules.accent_problem(suggested) is None
    # The same hue: each channel scaled by the same factor.
    red, green, blue = (int(suggested[i : i + 2], 16) for i in (1, 3, 5))
    assert blue == 0 and green / red == pytest.approx(0xCC / 0xFF, abs=0.02)
    assert rules.accent_problem("#zzzzzz") == rules.NOT_A_COLOUR


@pytest.fixture
def token(client, auth):
    make_show(title="Moments", cover=None)
    auth.login()
    return csrf_from(client.get("/dashboard/show").get_data(as_text=True))


def show_values(**changes):
    values = {
        "title": "Moments",
        "language": "en",
        "category": "Arts",
        "show_type": "episodic",
        "medium": "podcast",
        "podcast_guid": "",
    }
    values.update(changes)
    return values


def post_show(client, token, **changes):
    return client.post(
        "/dashboard/show", data={**show_values(**changes), "csrf_token": token}
    )


def current_show(client):
    from podcast_hub.catalog import episodes

    with client.application.app_context():
        return episodes.get_show()


def test_the_host_saves_the_apple_id_spotify_address_and_colour(client, token):
    response = post_show(
        client,
        token,
        apple_podcasts_id="https://podcasts.apple.com/us/podcast/moments/id1234567890",
        spotify_url="https://open.spotify.com/show/4rOoJ6Egrf8K2IrywzwOMk?si=x",
        accent_color="#0F6B4F",
    )
    assert response.status_code == 303
    show = current_show(client)
    assert show.apple_podcasts_id == "1234567890"
    assert show.spotify_url == "https://open.spotify.com/show/4rOoJ6Egrf8K2IrywzwOMk"
    assert show.accent_color == "#0f6b4f"
    page = client.get("/").get_data(as_text=True)
    assert '<body style="--accent: #0f6b4f">' in page
    assert 'href="https://podcasts.apple.com/podcast/id1234567890"' in page
    assert 'href="https://open.spotify.com/show/4rOoJ6Egrf8K2IrywzwOMk"' in page
    # Emptied, each setting goes back to its default.
    assert post_show(client, token).status_code == 303
    show = current_show(client)
    assert (show.apple_podcasts_id, show.spotify_url, show.accent_color) == (None,) * 3
    page = client.get("/").get_data(as_text=True)
    assert "--accent" not in page and "Spotify" not in page
    assert 'href="podcast://localhost/feed.xml"' in page


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("apple_podcasts_id", "moments", "Give the show's Apple Podcasts id"),
        (
            "spotify_url",
            "https://open.spotify.com/episode/x",
            "Give the show's Spotify address",
        ),
        ("accent_color", "purple", "Use a colour written #rrggbb"),
        ("accent_color", "#ffcc00", "#ffcc00 is too light for text"),
    ],
)
def test_a_wrong_setting_is_refused_by_name_and_nothing_is_saved(
    client, token, field, typed, message
):
    response = post_show(client, token, title="Renamed", **{field: typed})
    assert response.status_code == 400
    page = html.fromstring(response.get_data(as_text=True))
    error = page.get_element_by_id(f"{field}-error")
    assert message in error.text_content()
    assert page.get_element_by_id(field).get("value") == typed
    assert current_show(client).title == "Moments"


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = []

    def handle_starttag(self, tag, attrs):
        self.ids += [value for name, value in attrs if name == "id"]


@pytest.mark.parametrize("path", ["/", "/episodes/lighthouse"])
def test_the_block_works_without_javascript(client, path):
    make_show(title="Moments", cover=None)
    make_episode(slug="lighthouse", title="The Lighthouse Keeper")
    body = client.get(path).get_data(as_text=True)
    page = html.fromstring(body)
    block = select(page, "section.subscribe-block")
    assert len(block) == 1
    apps = {a.get("data-app"): a for a in select(block[0], "a.app-link")}
    assert [a.text_content() for a in apps.values()] == [
        "Apple Podcasts",
        "Overcast",
        "Pocket Casts",
        "AntennaPod",
        "Podcast Addict",
        "Castro",
        "Any app (RSS)",
    ]
    assert all("localhost/feed.xml" in unquote(a.get("href")) for a in apps.values())
    # The address to select: a read-only field, labelled, one line.
    field = page.get_element_by_id("subscribe-feed-url")
    assert field.get("readonly") is not None and field.get("type") == "text"
    assert field.get("value") == "http://localhost/feed.xml"
    label = select(page, 'label[for="subscribe-feed-url"]')[0]
    assert "paste this address into your podcast app" in label.text_content()
    # The copy button waits for the script.
    assert select(page, "button[data-copy-feed]")[0].get("hidden") is not None
    parser = _Ids()
    parser.feed(body)
    assert len(parser.ids) == len(set(parser.ids))


def test_the_home_page_lists_episodes_with_art_teaser_and_a_play_link(client):
    make_show(title="Moments", cover="cover.png")
    make_episode(
        slug="lighthouse",
        title="The Lighthouse Keeper",
        description="A story about a **lighthouse**, a storm and a very long night. "
        + "More words. " * 40,
        image="lighthouse.jpg",
    )
    make_episode(slug="plain", title="Plain", description="")
    page = html.fromstring(client.get("/").get_data(as_text=True))
    cards = select(page, "li.episode-card")
    assert len(cards) == 2
    card = next(c for c in cards if "Lighthouse" in c.text_content())
    assert select(card, "img.episode-card-art")[0].get("src") == "/media/lighthouse.jpg"
    teaser = select(card, ".teaser")[0].text_content()
    assert teaser.startswith("A story about a lighthouse, a storm")
    assert teaser.endswith("...") and len(teaser) <= 183
    play = select(card, "a.play-episode")[0]
    assert play.get("href") == "/episodes/lighthouse"
    assert play.get("data-play").startswith("/media/")
    assert (
        "Play" in play.text_content() and "The Lighthouse Keeper" in play.text_content()
    )
    plain = next(c for c in cards if "Plain" in c.text_content())
    # Without its own art, an episode shows the show's cover.
    assert select(plain, "img.episode-card-art")[0].get("src") == "/media/cover.png"
    assert select(plain, ".teaser") == []


def test_the_feed_links_its_xslt_and_apps_read_the_same_rss(client):
    make_show(title="Moments", cover=None)
    make_episode(slug="lighthouse", title="The Lighthouse Keeper")
    response = client.get("/feed.xml")
    assert response.mimetype == "application/rss+xml"
    lines = response.data.split(b"\n")
    assert lines[0].startswith(b"<?xml version=")
    assert lines[1] == b'<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>'
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo and parsed.feed.title == "Moments"
    with client.get("/feed.xsl") as stylesheet:
        assert stylesheet.status_code == 200 and stylesheet.mimetype == "text/xsl"
        assert etree.XSLT(etree.fromstring(stylesheet.data))


def test_a_browser_gets_the_same_bytes_as_xml_and_its_own_etag(client):
    make_show(title="Moments", cover=None)
    make_episode(slug="lighthouse", title="The Lighthouse Keeper")
    app = client.get("/feed.xml", headers={"Accept": "application/rss+xml, */*"})
    anything = client.get("/feed.xml", headers={"Accept": "*/*"})
    browser = client.get("/feed.xml", headers={"Accept": ACCEPT_PAGE})
    assert app.mimetype == anything.mimetype == "application/rss+xml"
    assert browser.mimetype == "application/xml"
    assert browser.data == app.data
    assert "Accept" in browser.headers["Vary"] and "Accept" in app.headers["Vary"]
    assert browser.headers["ETag"] != app.headers["ETag"]
    again = client.get(
        "/feed.xml",
        headers={"Accept": ACCEPT_PAGE, "If-None-Match": browser.headers["ETag"]},
    )
    assert again.status_code == 304
    # The page's ETag is not the app's: an app holding it gets the feed again.
    crossed = client.get(
        "/feed.xml", headers={"If-None-Match": browser.headers["ETag"]}
    )
    assert crossed.status_code == 200 and crossed.mimetype == "application/rss+xml"


def test_the_xslt_makes_the_feed_a_page_that_says_what_to_do(client):
    make_show(title="Moments", cover="cover.png", author="Dana Reyes")
    make_episode(
        slug="lighthouse",
        title="The Lighthouse Keeper",
        description="A story about a lighthouse.",
        duration_s=57,
    )
    feed = etree.fromstring(client.get("/feed.xml").data)
    with client.get("/feed.xsl") as stylesheet:
        transform = etree.XSLT(etree.fromstring(stylesheet.data))
    page = html.fromstring(str(transform(feed)))
    assert select(page, "h1")[0].text_content() == "This is a podcast feed"
    intro = select(page, ".feed-intro")[0].text_content()
    assert "Paste this address into your podcast app" in intro
    field = page.get_element_by_id("feed-page-address")
    assert field.get("value") == "http://localhost/feed.xml"
    assert field.get("readonly") is not None
    assert len(select(page, "main")) == 1 and page.get("lang") == "en"
    episode = select(page, "li.episode-card")[0]
    assert select(episode, "a.episode-title")[0].get("href") == (
        "http://localhost/episodes/lighthouse"
    )
    assert "0:57" in select(episode, ".meta")[0].text_content()
    assert select(episode, "img")[0].get("src") == "http://localhost/media/cover.png"
    assert select(page, 'link[rel="stylesheet"]')[0].get("href") == "static/style.css"


def test_the_show_form_keeps_the_subscribe_fields_in_their_own_fieldset(client, token):
    page = html.fromstring(client.get("/dashboard/show").get_data(as_text=True))
    fieldset = page.get_element_by_id("subscribe-settings")
    names = {field.get("name") for field in select(fieldset, "input")}
    assert names == {"apple_podcasts_id", "spotify_url", "accent_color"}


def test_the_accent_colour_reaches_the_episode_page(client, token):
    make_episode(slug="lighthouse", title="The Lighthouse Keeper")
    assert post_show(client, token, accent_color="#8a1c1c").status_code == 303
    body = client.get("/episodes/lighthouse").get_data(as_text=True)
    assert '<body style="--accent: #8a1c1c">' in body
    assert '<meta name="theme-color" content="#8a1c1c">' in body
    assert reload(current_show(client)).accent_color == "#8a1c1c"
