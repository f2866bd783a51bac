"""Running the show in a real browser (Debian's Chromium driven by Playwright):
a chapter and a soundbite from the 0:00 moment, bars that open their comments,
unpublishing with and without JavaScript, the chapter list, at 1280 and 375 px."""

import re

import pytest

from .browser import ARTIFACTS, make_lighthouse, require_chromium
from .helpers import make_comment, reload

pytestmark = pytest.mark.browser

require_chromium()


@pytest.fixture
def opening(app, media_dir, auth):
    """A 12-second published episode whose listeners talk about its first
    seconds: 0:00, 0:00 and 0:02, and a general comment."""
    episode = make_lighthouse(media_dir, duration_s=12)
    make_comment(episode, author="Ana", body="What a cold open", timestamp_s=0)
    make_comment(episode, author="Bo", body="That first note!", timestamp_s=0)
    make_comment(episode, author="Cy", body="Goosebumps", timestamp_s=2)
    make_comment(episode, author="Di", body="Great show overall", timestamp_s=None)
    return episode


def log_in(page, live_server):
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "host@example.com")
    page.fill("input[name=password]", "correct horse")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server}/dashboard")


def no_sideways_scroll(page, width):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page scrolls sideways at {width} px"


@pytest.mark.parametrize("javascript", [True, False])
def test_insights_at_0_00(open_page, live_server, opening, javascript):
    """A chapter from the 0:00 moment is made; a soundbite that cannot fit
    keeps what was typed, with the reason."""
    page = open_page("/login", javascript=javascript)
    log_in(page, live_server)
    page.goto(f"{live_server}/dashboard/episodes/{opening.id}/insights")
    moment = page.locator(".moment-item").first
    assert moment.locator(".moment-range").inner_text() == "0:00–0:02"
    assert "3 comments" in moment.inner_text()

    moment.get_by_label("Chapter title").fill("Cold open")
    moment.get_by_role("button", name="Make it a chapter").click()
    page.wait_for_load_state()
    assert page.locator(".flash--success").inner_text() == (
        "Chapter “Cold open” at 0:00 added."
    )
    assert "Chapter at 0:00: Cold open" in page.locator(".marks").inner_text()

    moment = page.locator(".moment-item").first
    moment.get_by_label("Soundbite title").fill("The first note, in full")
    moment.get_by_role("button", name="Make it a soundbite").click()
    page.wait_for_load_state()
    retry = page.locator(".retry")
    assert "The soundbite must end before the episode does." in retry.inner_text()
    assert retry.get_by_label("Soundbite title").input_value() == (
        "The first note, in full"
    )
    assert retry.get_by_label("Starts at").input_value() == "0"
    # Shorter does not fit a 12-second episode either: the rule says why.
    retry.get_by_label("Seconds (15–120)").fill("15")
    retry.get_by_role("button", name="Make it a soundbite").click()
    page.wait_for_load_state()
    assert page.locator(".retry").get_by_label("Soundbite title").input_value() == (
        "The first note, in full"
    )


def test_a_bar_opens_its_comments_from_the_keyboard(open_page, live_server, opening):
    page = open_page("/login")
    log_in(page, live_server)
    page.goto(f"{live_server}/dashboard/episodes/{opening.id}/insights")
    bar = page.get_by_role("link", name="0:00, 2 comments")
    bar.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/insights/comments\?from=0&to=0$"))
    assert page.locator("h1").inner_text() == "Comments at 0:00"
    bodies = page.locator(".range-comments .comment-body").all_inner_texts()
    assert bodies == ["What a cold open", "That first note!"]


@pytest.mark.parametrize("javascript", [True, False])
def test_unpublish_asks_then_publishing_again_keeps_the_date(
    open_page, live_server, opening, javascript
):
    first = opening.published_at
    page = open_page("/login", javascript=javascript)
    log_in(page, live_server)
    page.goto(f"{live_server}/dashboard/episodes")
    page.get_by_role("link", name="Unpublish…").click()
    if javascript:
        dialog = page.get_by_role("dialog")
        assert dialog.is_visible()
        assert "Unpublish “The Lighthouse Keeper”?" in dialog.inner_text()
        dialog.get_by_role("button", name="Cancel").click()
        assert not dialog.is_visible()
        assert reload(opening).published_at == first
        page.get_by_role("link", name="Unpublish…").click()
        page.get_by_role("dialog").get_by_role("button", name="Unpublish").click()
    else:
        page.wait_for_url(re.compile(r".*/unpublish\?next=.*"))
        assert page.locator("h1").inner_text() == "Unpublish “The Lighthouse Keeper”?"
        page.get_by_role("button", name="Unpublish").click()
    page.wait_for_url(f"{live_server}/dashboard/episodes")
    assert "is a draft again" in page.locator(".flash--success").inner_text()
    assert reload(opening).published_at is None

    page.get_by_role("button", name="Publish again").click()
    page.wait_for_url(f"{live_server}/dashboard/episodes")
    assert reload(opening).published_at == first


def test_the_chapter_list_gains_and_loses_rows(open_page, live_server, opening):
    page = open_page("/login")
    log_in(page, live_server)
    page.goto(f"{live_server}/dashboard/episodes/{opening.id}")
    editor = page.locator("[data-chapter-rows]")
    rows = editor.locator(".chapter-row")
    assert rows.count() == 2
    rows.nth(0).get_by_label("Start").fill("0:00")
    rows.nth(0).get_by_label("Title").fill("Cold open")
    rows.nth(1).get_by_label("Start").fill("0:05")
    rows.nth(1).get_by_label("Title").fill("Out with this one")
    editor.get_by_role("button", name="Add a chapter").click()
    assert rows.count() == 3
    third = rows.nth(2)
    assert third.get_by_label("Start").evaluate("e => e === document.activeElement")
    third.get_by_label("Start").fill("0:08")
    third.get_by_label("Title").fill("The keeper")
    editor.get_by_role("button", name="Remove chapter 2").click()
    assert rows.count() == 2
    assert rows.nth(1).get_by_label("Title").get_attribute("name") == "chapter-1-title"
    editor.get_by_role("button", name="Save the chapters").click()
    page.wait_for_url(re.compile(r".*#chapters-title$"))
    assert (
        "2 chapters of “The Lighthouse Keeper” saved"
        in page.locator(".flash--success").inner_text()
    )
    titles = page.locator(".chapter-row input[name$='-title']").evaluate_all(
        "inputs => inputs.map(i => i.value)"
    )
    assert titles[:2] == ["Cold open", "The keeper"]


@pytest.mark.parametrize("width", [1280, 375])
def test_manage_pages_fit_and_are_photographed(open_page, live_server, opening, width):
    ARTIFACTS.mkdir(exist_ok=True)
    page = open_page("/login", width=width)
    log_in(page, live_server)
    for name, path in [
        ("show-insights", "/dashboard/insights"),
        ("episode-insights", f"/dashboard/episodes/{opening.id}/insights"),
        ("range-comments", f"/dashboard/episodes/{opening.id}/insights/comments?to=2"),
        ("episode-edit", f"/dashboard/episodes/{opening.id}"),
        ("unpublish", f"/dashboard/episodes/{opening.id}/unpublish"),
        ("show-settings", "/dashboard/show"),
        ("episodes", "/dashboard/episodes"),
    ]:
        page.goto(f"{live_server}{path}")
        no_sideways_scroll(page, width)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
