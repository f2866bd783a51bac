"""The episode page in a real browser: Debian's Chromium driven by Playwright."""

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from .helpers import make_comment, make_episode, make_show

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
DEMO_AUDIO = (
    Path(__file__).resolve().parent.parent / "episodes" / "02-the-lighthouse-keeper.m4a"
)

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(
            f"{CHROMIUM} is missing: .ci/run must install Debian's chromium"
        )
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def episode(app, media_dir):
    shutil.copyfile(DEMO_AUDIO, media_dir / "lighthouse.m4a")
    make_show(title="Moments", cover=None)
    episode = make_episode(
        slug="lighthouse",
        title="The Lighthouse Keeper",
        audio_file="lighthouse.m4a",
        mime_type="audio/mp4",
        size_bytes=DEMO_AUDIO.stat().st_size,
        duration_s=40,
        description="A story about a lighthouse.",
    )
    first = make_comment(
        episode, author="Jules", body="The storm part!", timestamp_s=20
    )
    make_comment(
        episode,
        author="Hannah Host",
        body="Thanks, Jules.",
        parent_id=first.id,
        is_host=True,
        timestamp_s=None,
    )
    make_comment(episode, author="Amara", body="Real place?", timestamp_s=30)
    return episode


def open_page(browser, url, javascript=True, width=1280):
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.goto(url)
    return page


def wait_for_metadata(page):
    page.wait_for_function("document.getElementById('player').readyState >= 1")


def current_time(page):
    return page.evaluate("document.getElementById('player').currentTime")


def test_timestamp_link_seeks_the_player(browser, live_server, episode):
    page = open_page(browser, f"{live_server}/episodes/lighthouse")
    wait_for_metadata(page)
    page.click('a[data-seek="30"]')
    page.wait_for_function(
        "Math.abs(document.getElementById('player').currentTime - 30) < 1"
    )
    assert abs(current_time(page) - 30) < 1
    assert page.url.endswith("/episodes/lighthouse")


@pytest.mark.parametrize("query", ["t=25", "t=0:25"])
def test_deep_link_starts_the_player_there(browser, live_server, episode, query):
    page = open_page(browser, f"{live_server}/episodes/lighthouse?{query}")
    wait_for_metadata(page)
    page.wait_for_function(
        "Math.abs(document.getElementById('player').currentTime - 25) < 1"
    )
    assert abs(current_time(page) - 25) < 1


def test_timestamp_field_follows_the_player_and_can_be_cleared(
    browser, live_server, episode
):
    page = open_page(browser, f"{live_server}/episodes/lighthouse")
    wait_for_metadata(page)
    field = page.locator("#comment-form input[name=timestamp]")
    assert field.input_value() == ""
    page.evaluate("document.getElementById('player').currentTime = 12.4")
    page.wait_for_function(
        "document.querySelector('#comment-form input[name=timestamp]').value === '0:12'"
    )
    page.click("[data-timestamp-clear]")
    assert field.input_value() == ""
    page.evaluate("document.getElementById('player').currentTime = 18")
    page.wait_for_timeout(300)
    assert field.input_value() == "", "a cleared field stops following the player"
    page.click("[data-timestamp-now]")
    assert field.input_value() == "0:18"

    page.fill("#comment-form input[name=author]", "Robin")
    page.fill("#comment-form textarea[name=body]", "Right here, the waves.")
    page.click("#comment-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/episodes/lighthouse#comment-\d+$"))
    posted = page.locator(".comment", has_text="Right here, the waves.")
    assert posted.get_attribute("data-timestamp") == "18"


def test_posting_and_replying_work_with_javascript_off(browser, live_server, episode):
    page = open_page(browser, f"{live_server}/episodes/lighthouse", javascript=False)
    page.fill("#comment-form input[name=author]", "No-JS Nia")
    page.fill("#comment-form input[name=timestamp]", "0:33")
    page.fill("#comment-form textarea[name=body]", "Typed the moment by hand.")
    page.click("#comment-form button[type=submit]")
    page.wait_for_url(re.compile(r".*#comment-\d+$"))
    comment = page.locator(".comment", has_text="Typed the moment by hand.")
    assert comment.get_attribute("data-timestamp") == "33"
    comment_id = comment.get_attribute("id")

    page.click(f"#{comment_id} > details.reply > summary")
    reply_form = page.locator(f"#{comment_id} > details.reply form")
    reply_form.locator("input[name=author]").fill("Sam")
    reply_form.locator("textarea[name=body]").fill("Me too.")
    reply_form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*#comment-\d+$"))
    assert (
        page.locator(f"#{comment_id} .replies .comment", has_text="Me too.").count()
        == 1
    )

    page.fill("#comment-form input[name=author]", "Nia")
    page.fill("#comment-form input[name=timestamp]", "9:99")
    page.fill("#comment-form textarea[name=body]", "Kept text")
    page.click("#comment-form button[type=submit]")
    assert page.locator("#comment-form .error").first.is_visible()
    assert (
        page.locator("#comment-form textarea[name=body]").input_value() == "Kept text"
    )


@pytest.mark.parametrize("width", [1280, 375])
def test_episode_page_screenshots(browser, live_server, episode, width):
    ARTIFACTS.mkdir(exist_ok=True)
    page = open_page(browser, f"{live_server}/episodes/lighthouse", width=width)
    wait_for_metadata(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, "the page scrolls sideways"
    page.screenshot(path=str(ARTIFACTS / f"episode-{width}.png"), full_page=True)
