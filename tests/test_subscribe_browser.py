"""In Chromium at 1280 and 375 px: subscribing from the home page and an
episode page, copying the feed's address, playing an episode from the home
page, the show's colour, and /feed.xml opened as a page."""

from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from PIL import Image

from podcast_hub.models import Show

from .browser import make_lighthouse, require_chromium, wait_until
from .helpers import scalar, update

require_chromium()

WIDTHS = [1280, 375]
# What the home page's play buttons say, as a JavaScript list.
LABELS = (
    "[...document.querySelectorAll('button.play-episode')]"
    ".map((button) => button.textContent.trim())"
)


@pytest.fixture
def lighthouse(media_dir):
    episode = make_lighthouse(media_dir, description="A storm and a very long night.")
    Image.new("RGB", (1400, 1400), "teal").save(media_dir / "cover.png")
    update(scalar(sa.select(Show)), accent_color="#0f5c8a", cover="cover.png")
    return episode


def settled(page):
    """Wait until the page asks for nothing more (its icon, lazy art), so that
    no request is still being served when the test's server stops."""
    page.wait_for_load_state("networkidle")


def fits(page, width):
    """Tell whether the page fits its width: nothing scrolls sideways."""
    return page.evaluate("document.scrollingElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_subscribe_from_the_home_page_and_an_episode_page(
    browser, open_page, live_server, lighthouse, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    feed_url = f"{live_server}/feed.xml"
    try:
        for path in ["/", "/episodes/lighthouse"]:
            page = open_page(path, context=context)
            block = page.locator("section.subscribe-block")
            links = block.locator("a.app-link")
            names = links.all_inner_texts()
            assert names[0] == "Apple Podcasts" and names[-1] == "Any app (RSS)"
            assert {"Overcast", "Pocket Casts", "AntennaPod", "Castro"} <= set(names)
            for href in [link.get_attribute("href") for link in links.all()]:
                assert feed_url.split("://")[1] in unquote(href), href
            # Every app's button is in view of the block and big enough to tap.
            for box in [link.bounding_box() for link in links.all()]:
                assert box["height"] >= 44 and box["x"] >= 0
                assert box["x"] + box["width"] <= width
            # The address is one line in its field, not wrapped mid-address.
            field = block.get_by_label("Or paste this address into your podcast app")
            assert field.input_value() == feed_url
            assert field.bounding_box()["height"] < 60
            copy = block.get_by_role("button", name="Copy feed URL")
            copy.click()
            wait_until(
                page,
                "document.querySelector('[data-copy-feed]').textContent === '✓ Copied'",
            )
            assert page.evaluate("navigator.clipboard.readText()") == feed_url
            assert "copied" in block.locator("[data-copy-status]").inner_text()
            assert fits(page, width), path
            settled(page)
            page.close()
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_home_page_plays_an_episode_in_place(open_page, lighthouse, width):
    page = open_page("/", width=width)
    card = page.locator("li.episode-card", has_text="The Lighthouse Keeper")
    assert card.locator("img.episode-card-art").count() == 1
    assert "A storm and a very long night." in card.inner_text()
    play = card.get_by_role("button", name="Play The Lighthouse Keeper")
    play.click()
    wait_until(page, "!document.querySelector('.card-player').paused")
    wait_until(
        page, f"{LABELS}.some((label) => label.endsWith('Pause The Lighthouse Keeper'))"
    )
    wait_until(page, "document.querySelector('.card-player').currentTime > 0.2")
    # Still on the home page, with the player under the card.
    assert page.evaluate("window.stayedOnPage") is True
    assert card.locator("audio.card-player").count() == 1
    pause = card.get_by_role("button", name="Pause The Lighthouse Keeper")
    pause.click()
    wait_until(page, "document.querySelector('.card-player').paused")
    wait_until(page, f"!{LABELS}.some((label) => label.includes('Pause'))")
    assert card.get_by_role("button", name="Play The Lighthouse Keeper").is_visible()
    assert fits(page, width)
    settled(page)


def test_without_javascript_play_opens_the_episode_and_the_address_is_selectable(
    open_page, lighthouse
):
    page = open_page("/", javascript=False, width=375)
    assert page.locator("[data-copy-feed]").is_hidden()
    field = page.get_by_label("Or paste this address into your podcast app")
    field.click()
    field.press("End")
    assert field.input_value().endswith("/feed.xml")
    page.get_by_role("link", name="Play The Lighthouse Keeper").click()
    page.wait_for_url("**/episodes/lighthouse")
    assert page.locator("h1").inner_text() == "The Lighthouse Keeper"
    assert page.locator("section.subscribe-block a.app-link").count() == 7
    settled(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_show_s_colour_drives_links_and_buttons(open_page, lighthouse, width):
    page = open_page("/", width=width)
    colour = "rgb(15, 92, 138)"
    style = """(selector) => {
        const element = document.querySelector(selector);
        const style = getComputedStyle(element);
        return [style.color, style.backgroundColor, style.borderTopColor];
    }"""
    text, _, border = page.evaluate(style, "a.app-link")
    assert text == colour and border == colour
    _, background, _ = page.evaluate(style, "button.play-episode")
    assert background == colour
    assert page.evaluate(
        "getComputedStyle(document.body).getPropertyValue('--accent')"
    ) == ("#0f5c8a")
    settled(page)


def test_the_feed_opened_in_chromium_is_a_page_that_says_what_to_do(
    browser, live_server, lighthouse
):
    # Not through `open_page`: Chromium's own notice that XSLT is deprecated
    # (an inline script of the browser's, blocked by our policy) is not ours.
    context = browser.new_context(viewport={"width": 375, "height": 900})
    try:
        page = context.new_page()
        response = page.goto(f"{live_server}/feed.xml")
        assert response.headers["content-type"].startswith("application/xml")
        heading = page.get_by_role("heading", level=1)
        assert heading.inner_text() == "This is a podcast feed"
        assert "Paste this address into your podcast app" in page.inner_text("main")
        field = page.get_by_label("The feed's address")
        assert field.input_value() == f"{live_server}/feed.xml"
        episode = page.get_by_role("link", name="The Lighthouse Keeper", exact=True)
        assert episode.get_attribute("href") == f"{live_server}/episodes/lighthouse"
        # The site's style sheet is applied: the page is not the bare XML tree.
        assert (
            page.evaluate(
                "getComputedStyle(document.querySelector('.feed-intro')).borderTopStyle"
            )
            == "solid"
        )
        assert fits(page, 375)
    finally:
        context.close()
