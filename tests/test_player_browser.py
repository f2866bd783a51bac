"""The player bar in a real browser: scrubber and timeline in one, docked at the
bottom of a phone's screen, keyboard shortcuts, the moment of a new comment
pinned on its first keystroke, the word that it was posted, relative times."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from podcast_hub.models import Comment

from .browser import make_lighthouse, require_chromium, seek, wait_until
from .helpers import make_chapter, make_comment, scalar

pytestmark = [
    pytest.mark.browser,
]

require_chromium()

PLAYER = "document.getElementById('player')"
BAR = "document.getElementById('player-bar')"


@pytest.fixture
def episode(app, media_dir):
    episode = make_lighthouse(media_dir, description="A story about a lighthouse.")
    make_chapter(episode, start_s=0, title="Arrival")
    make_chapter(episode, start_s=20, title="The storm")
    make_comment(episode, author="Jules", body="The storm part!", timestamp_s=20)
    for n in range(10):
        make_comment(
            episode, author=f"Listener {n}", body="A long thought. " * 12, timestamp_s=5
        )
    make_comment(episode, author="Amara", body="Real place?", timestamp_s=35)
    return episode


def wait_for_metadata(page):
    wait_until(page, f"{PLAYER}.readyState >= 1")


def current_time(page):
    return page.evaluate(f"{PLAYER}.currentTime")


def centre_x(page, selector):
    # Read in one script task: the timeline redraws its markers as new elements
    # (the moments arriving, a resize), and a locator's box of one replaced
    # in between is None.
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.x + box.width / 2;
        }""",
        selector,
    )


def test_the_bar_replaces_the_native_control_and_the_slider_speaks_time(
    open_page, episode
):
    page = open_page("/episodes/lighthouse")
    wait_for_metadata(page)
    assert page.evaluate(f"{PLAYER}.controls") is False
    assert page.locator("#player").is_hidden()
    assert page.locator("#player").count() == 1, "the audio stays underneath"
    slider = page.locator("#timeline [role=slider]")
    assert slider.get_attribute("aria-valuetext") == "0:00 of 0:40"
    slider.focus()
    page.keyboard.press("ArrowRight")
    wait_until(page, f"{PLAYER}.currentTime === 5")
    wait_until(
        page,
        "document.getElementById('scrubber').getAttribute('aria-valuetext')"
        " === '0:05 of 0:40'",
    )
    page.keyboard.press("End")
    wait_until(page, f"{PLAYER}.currentTime > 39")
    page.keyboard.press("Home")
    wait_until(page, f"{PLAYER}.currentTime === 0")
    label = "document.getElementById('player-play').getAttribute('aria-label')"
    page.click("#player-play")
    wait_until(page, f"{label} === 'Pause' && !{PLAYER}.paused")
    page.click("#player-play")
    wait_until(page, f"{label} === 'Play' && {PLAYER}.paused")
    page.click("#player-speed")
    assert page.evaluate(f"{PLAYER}.playbackRate") == 1.25
    assert page.locator("#player-speed").get_attribute("aria-label") == (
        "Playback speed: 1.25×"
    )


@pytest.mark.parametrize("width", [1280, 375])
def test_markers_line_up_with_the_scrubber(open_page, episode, width):
    page = open_page("/episodes/lighthouse", width=width)
    wait_for_metadata(page)
    wait_until(page, "document.querySelector('#timeline .marker[data-seek=\"20\"]')")
    seek(page, 20)
    marker = centre_x(page, '#timeline .marker[data-seek="20"]')
    assert abs(centre_x(page, "#scrubber") - marker) < 1.5
    progress = page.locator("#timeline .progress").bounding_box()
    assert abs(progress["x"] + progress["width"] - marker) < 1.5
    chapter = page.locator('.chapter-segment[data-start="20"]').bounding_box()
    assert abs(chapter["x"] - marker) < 3, "the chapter starts under its moment"


def test_chapters_are_labelled_stretches_of_the_bar(open_page, episode):
    page = open_page("/episodes/lighthouse")
    wait_for_metadata(page)
    arrival = page.locator('.chapter-segment[data-start="0"]')
    storm = page.locator('.chapter-segment[data-start="20"]')
    assert arrival.inner_text() == "Arrival" and storm.inner_text() == "The storm"
    assert arrival.is_visible() and storm.is_visible()
    track = page.locator("#timeline").bounding_box()
    half = storm.bounding_box()["width"] / track["width"]
    assert abs(half - 0.5) < 0.02, "20 s of 40 is half the bar"
    assert "is-current" in arrival.get_attribute("class")
    storm.click()
    wait_until(page, f"{PLAYER}.currentTime === 20")
    wait_until(
        page,
        "document.querySelector('.chapter-segment.is-current').dataset.start === '20'",
    )


def test_shortcuts_work_on_the_page_but_not_in_the_comment_box(open_page, episode):
    page = open_page("/episodes/lighthouse")
    wait_for_metadata(page)
    page.click("h1")
    page.keyboard.press("l")
    wait_until(page, f"{PLAYER}.currentTime === 10")
    page.keyboard.press("ArrowRight")
    wait_until(page, f"{PLAYER}.currentTime === 15")
    page.keyboard.press("j")
    wait_until(page, f"{PLAYER}.currentTime === 5")
    page.keyboard.press("k")
    wait_until(page, f"!{PLAYER}.paused")
    page.keyboard.press(" ")
    wait_until(page, f"{PLAYER}.paused")
    moment = current_time(page)
    body = page.locator("#comment-form textarea[name=body]")
    body.click()
    page.keyboard.type("jk l")
    page.keyboard.press("ArrowLeft")
    assert body.input_value() == "jk l"
    assert page.evaluate(f"{PLAYER}.paused")
    assert current_time(page) == moment
    author = page.locator("#comment-form input[name=author]")
    author.click()
    page.keyboard.type("k")
    assert author.input_value().endswith("k") and page.evaluate(f"{PLAYER}.paused")


def test_a_comment_pins_its_moment_on_the_first_keystroke(open_page, episode):
    page = open_page("/episodes/lighthouse")
    wait_for_metadata(page)
    chip = page.locator("[data-timestamp-status]")
    assert chip.inner_text() == "No moment: play the episode to comment on one"
    assert "12:34" not in page.locator("#comment-form").inner_text()
    page.evaluate(f"{PLAYER}.currentTime = 2.2; {PLAYER}.play()")
    wait_until(page, f"!{PLAYER}.paused && {PLAYER}.currentTime >= 2.2")
    page.fill("#comment-form input[name=author]", "Robin")
    page.locator("#comment-form textarea[name=body]").press("H")
    pinned = chip.inner_text()
    assert pinned.startswith("Commenting at 0:0")
    moment = int(pinned.rsplit(":", 1)[1])
    assert 2 <= moment <= 4, "where the listener was at the first keystroke"
    # The audio goes on while the listener writes; the moment stays.
    wait_until(page, f"{PLAYER}.currentTime >= {moment + 5}", timeout_s=30)
    page.locator("#comment-form textarea[name=body]").press_sequentially("ere!")
    assert chip.inner_text() == pinned
    page.click("#comment-form button[type=submit]")
    posted = page.locator("#comments .comment", has_text="Here!")
    posted.wait_for()
    assert posted.get_attribute("data-timestamp") == str(moment)
    stored = scalar(sa.select(Comment.timestamp_s).where(Comment.author == "Robin"))
    assert stored == moment


def test_change_types_takes_now_or_clears_the_moment(open_page, episode):
    page = open_page("/episodes/lighthouse")
    wait_for_metadata(page)
    field = page.locator("#comment-form input[name=timestamp]")
    assert field.is_hidden()
    seek(page, 12)
    chip = page.locator("[data-timestamp-status]")
    assert chip.inner_text() == "Commenting at 0:12 (now)"
    page.click("[data-timestamp-change]")
    assert field.is_visible() and field.input_value() == "0:12"
    field.fill("0:07")
    assert chip.inner_text() == "Commenting at 0:07"
    seek(page, 18)
    assert field.input_value() == "0:07", "a typed moment stays"
    page.click("[data-timestamp-clear]")
    assert chip.inner_text() == "General comment, no moment"
    assert field.input_value() == ""
    page.click("[data-timestamp-now]")
    assert chip.inner_text() == "Commenting at 0:18"


def test_phone_player_stays_in_view_when_a_comment_time_is_tapped(open_page, episode):
    page = open_page("/episodes/lighthouse", width=375)
    wait_for_metadata(page)
    link = page.locator('.comment a[data-seek="35"]')
    link.scroll_into_view_if_needed()
    assert page.evaluate("scrollY") > 1000, "the comment is far down the page"
    link.click()
    wait_until(page, f"Math.abs({PLAYER}.currentTime - 35) < 1")
    bar = page.locator("#player-bar").bounding_box()
    assert bar["y"] >= 0 and bar["y"] + bar["height"] <= 900 + 0.5
    assert page.evaluate(f"getComputedStyle({BAR}).position") == "fixed"
    assert page.locator("#player-play").is_visible()
    # The end of the page scrolls clear of the bar.
    page.evaluate("scrollTo(0, document.documentElement.scrollHeight)")
    last = page.evaluate(
        "[...document.querySelectorAll('main *')]"
        ".filter((e) => e.offsetParent && e.offsetHeight > 1)"
        ".filter((e) => !e.closest('#player-bar'))"
        ".map((e) => [e.getBoundingClientRect().bottom, e.outerHTML.slice(0, 80)])"
        ".sort((a, b) => b[0] - a[0])[0]"
    )
    assert last[0] <= page.locator("#player-bar").bounding_box()["y"] + 0.5, last


def test_wide_bar_docks_once_scrolled_past(open_page, episode):
    page = open_page("/episodes/lighthouse")
    wait_for_metadata(page)
    assert page.evaluate(f"getComputedStyle({BAR}).position") != "fixed"
    page.locator('.comment a[data-seek="35"]').click()
    wait_until(page, f"getComputedStyle({BAR}).position === 'fixed'")
    page.evaluate("scrollTo(0, 0)")
    wait_until(page, f"getComputedStyle({BAR}).position !== 'fixed'")


def test_posting_shows_a_confirmation_and_remembers_the_name(open_page, episode):
    page = open_page("/episodes/lighthouse")
    wait_for_metadata(page)
    page.fill("#comment-form input[name=author]", "Robin")
    page.fill("#comment-form textarea[name=body]", "Lovely.")
    page.click("#comment-form button[type=submit]")
    note = page.locator("#comments .comment", has_text="Lovely.").locator(
        ".posted-note"
    )
    note.wait_for()
    assert note.inner_text() == "✓ Posted. Thank you!"
    # The page scrolls to it (smoothly).
    rect = "document.querySelector('.posted-note').getBoundingClientRect()"
    wait_until(page, f"{rect}.top >= 0 && {rect}.bottom <= innerHeight")
    again = open_page("/episodes/lighthouse", context=page.context)
    assert again.input_value("#comment-form input[name=author]") == "Robin"
    again.locator(".comment a[data-reply]").first.click()
    assert again.input_value("#reply-author") == "Robin"


def test_comment_times_are_relative_and_exact_on_hover(
    browser, open_page, app, episode
):
    written = datetime.now(UTC) - timedelta(hours=3, minutes=5)
    make_comment(
        episode,
        author="Early",
        body="Three hours ago",
        timestamp_s=None,
        created_at=written,
    )
    # A listener in New York: the exact time is theirs, not UTC.
    context = browser.new_context(
        timezone_id="America/New_York", viewport={"width": 1280, "height": 900}
    )
    page = open_page("/episodes/lighthouse?sort=newest", context=context)
    time = page.locator(".comment", has_text="Three hours ago").locator("time").first
    wait_until(
        page,
        "[...document.querySelectorAll('time')].some("
        "(t) => t.textContent === '3 hours ago')",
    )
    assert time.inner_text() == "3 hours ago"
    local = written.astimezone(ZoneInfo("America/New_York"))
    title = time.get_attribute("title")
    assert local.strftime("%-I:%M") in title and ("EST" in title or "EDT" in title)
    assert time.get_attribute("datetime").endswith("Z")
    plain = open_page("/episodes/lighthouse?sort=newest", javascript=False)
    shown = plain.locator(".comment", has_text="Three hours ago").locator("time")
    assert shown.first.inner_text().endswith("UTC")
    context.close()


def test_without_javascript_the_native_control_and_the_timeline_show(
    open_page, episode
):
    page = open_page("/episodes/lighthouse", javascript=False)
    assert page.evaluate("document.getElementById('player').controls") is True
    assert page.locator("#player").is_visible()
    assert page.locator("#player-play").is_hidden()
    assert page.locator('.chapter-segment[data-start="20"]').inner_text() == (
        "The storm"
    )
    assert page.locator('#comment-form input[name="timestamp"]').is_visible()
    assert page.locator("#comment-form [data-timestamp-status]").is_hidden()


@pytest.mark.parametrize("width", [1280, 375])
def test_player_screenshots(open_page, episode, width, tmp_path_factory):
    """Screenshots of the bar, for people to look at (outside the repository)."""
    page = open_page("/episodes/lighthouse", width=width)
    wait_for_metadata(page)
    seek(page, 22)
    out = tmp_path_factory.getbasetemp()
    page.screenshot(path=str(out / f"player-top-{width}.png"))
    page.locator('.comment a[data-seek="35"]').click()
    wait_until(page, f"Math.abs({PLAYER}.currentTime - 35) < 1")
    page.screenshot(path=str(out / f"player-docked-{width}.png"))
    assert page.locator("#player-bar").is_visible()
    form = page.locator("#comment-form")
    form.locator("textarea[name=body]").fill("Wow")
    form.locator("[data-timestamp-change]").click()
    form.screenshot(path=str(out / f"player-form-{width}.png"))
    plain = open_page("/episodes/lighthouse", javascript=False, width=width)
    plain.screenshot(path=str(out / f"player-nojs-{width}.png"))
