"""The host's inbox in a real browser: Debian's Chromium driven by Playwright."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from podcast_hub.extensions import db
from podcast_hub.models import Episode

from .browser import ARTIFACTS, make_lighthouse, require_chromium, wait_until
from .helpers import make_comment, make_episode, make_show

pytestmark = pytest.mark.browser

require_chromium()


@pytest.fixture
def conversation(app, media_dir, auth):
    """A show whose inbox has three listener comments waiting, newest first."""
    episode = make_lighthouse(media_dir)
    other = make_episode(slug="welcome", title="Welcome to Moments", duration_s=30)
    now = datetime.now(UTC)
    answered = make_comment(
        episode,
        author="Jules",
        body="The storm part gave me chills.",
        timestamp_s=20,
        created_at=now - timedelta(hours=5),
    )
    make_comment(
        episode,
        author="Hannah Host",
        body="It gave us chills recording it, too.",
        parent_id=answered.id,
        is_host=True,
        timestamp_s=None,
        created_at=now - timedelta(hours=4),
    )
    make_comment(
        other,
        author="Tomás",
        body="Subscribed in AntennaPod, works great.",
        timestamp_s=None,
        created_at=now - timedelta(hours=3),
    )
    make_comment(
        episode,
        author="Priya",
        body="Which book is the keeper reading here?",
        parent_id=answered.id,
        timestamp_s=None,
        created_at=now - timedelta(hours=2),
    )
    top = make_comment(
        episode,
        author="Amara",
        body="Was the lighthouse a real place? I would love to visit it.",
        timestamp_s=35,
        created_at=now - timedelta(minutes=20),
    )
    make_comment(
        episode, author="Spammy", body="Cheap casino", status="pending", timestamp_s=3
    )
    return episode, top


def log_in(page, live_server):
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "host@example.com")
    page.fill("input[name=password]", "correct horse")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server}/dashboard")


def needs_reply_count(page):
    return int(page.locator('[data-count="needs-reply"]').inner_text())


@pytest.mark.parametrize("javascript", [True, False])
def test_answer_the_top_item_then_see_it_nested_on_the_episode_page(
    open_page, live_server, conversation, javascript
):
    episode, top = conversation
    page = open_page("/login", javascript=javascript)
    log_in(page, live_server)
    assert page.locator("[data-comment-id]").first.get_attribute(
        "data-comment-id"
    ) == str(top.id)
    item = page.locator(f'[data-comment-id="{top.id}"]')
    assert needs_reply_count(page) == 3
    following = page.locator("[data-comment-id]").nth(1)
    following_id = following.get_attribute("data-comment-id")

    item.locator("textarea[name=body]").fill("It is! Pointe du Raz, in Brittany.")
    item.locator("form[data-reply] button[type=submit]").click()
    if javascript:
        item.wait_for(state="detached")
        assert page.url == f"{live_server}/dashboard", "the host stays in the inbox"
        wait_until(
            page,
            "document.activeElement?.closest('[data-comment-id]')"
            f"?.dataset.commentId === '{following_id}'",
        )
        assert needs_reply_count(page) == 2
    else:
        page.wait_for_url(re.compile(r".*/dashboard.*"))
        assert page.locator(".flash--success").is_visible()
    page.goto(f"{live_server}/dashboard")
    ids = page.locator("[data-comment-id]").evaluate_all(
        "items => items.map(i => i.dataset.commentId)"
    )
    assert str(top.id) not in ids
    assert needs_reply_count(page) == 2

    page.goto(f"{live_server}/episodes/lighthouse")
    reply = page.locator(
        f"#comment-{top.id} .comment[data-host='true']",
        has_text="Pointe du Raz",
    )
    assert reply.count() == 1
    assert reply.locator(".badge", has_text="Host").first.is_visible()
    assert "Hannah Host" in reply.inner_text()


def test_moderating_from_the_inbox_uses_the_api_and_stays(
    open_page, live_server, conversation
):
    page = open_page("/login")
    log_in(page, live_server)
    page.goto(f"{live_server}/dashboard?tab=moderation")
    item = page.locator("[data-comment-id]", has_text="Cheap casino")
    assert item.count() == 1
    with page.expect_response(re.compile(r".*/api/comments/\d+/moderation")) as done:
        item.locator("button[value=spam]").click()
    assert done.value.status == 200
    item.wait_for(state="detached")
    assert page.locator('[data-count="moderation"]').inner_text() == "0"
    assert page.locator("p.empty").is_visible()
    page.goto(f"{live_server}/dashboard?tab=spam")
    assert "Cheap casino" in page.locator("[data-comment-id]").first.inner_text()


@pytest.mark.parametrize("width", [1280, 375])
def test_inbox_screenshots(open_page, live_server, conversation, width):
    ARTIFACTS.mkdir(exist_ok=True)
    page = open_page("/login", width=width)
    log_in(page, live_server)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, "the inbox scrolls sideways"
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{width}.png"), full_page=True)


def test_no_reply_needed_leaves_the_view_and_says_so(
    open_page, live_server, conversation
):
    _episode, top = conversation
    page = open_page("/login")
    log_in(page, live_server)
    item = page.locator(f'[data-comment-id="{top.id}"]')
    with page.expect_response(
        f"**/dashboard/comments/{top.id}/no-reply-needed"
    ) as done:
        item.locator("form[data-no-reply] button").click()
    assert done.value.status == 200
    assert done.value.headers["content-type"].startswith("application/json")
    item.wait_for(state="detached")
    assert page.url == f"{live_server}/dashboard"
    assert needs_reply_count(page) == 2
    wait_until(
        page,
        "document.getElementById('announcer').textContent.includes('needs no reply')",
    )


def test_an_empty_reply_shows_the_servers_message_under_the_box(
    open_page, live_server, conversation
):
    _episode, top = conversation
    page = open_page("/login")
    log_in(page, live_server)
    item = page.locator(f'[data-comment-id="{top.id}"]')
    item.locator("textarea[name=body]").fill("   ")
    with page.expect_response(f"**/dashboard/comments/{top.id}/reply") as done:
        item.locator("form[data-reply] button[type=submit]").click()
    assert done.value.status == 400
    error = item.locator(f"#reply-{top.id}-error")
    error.wait_for()
    assert error.inner_text() == "Write your reply first."
    assert item.locator("textarea[name=body]").get_attribute("aria-invalid") == "true"
    assert needs_reply_count(page) == 3, "the item stays in the view"


@pytest.mark.parametrize("width", [1280, 375])
def test_show_and_episode_settings_line_up_and_show_the_cover_as_it_is(
    app, open_page, live_server, auth, media_dir, audio_file, width
):
    """Fields side by side line up whatever their labels and hints; a cover
    Apple refuses (not square) is not cropped into a square that looks fine;
    the episode's other formats are named."""
    from PIL import Image

    from podcast_hub.catalog import importer

    Image.new("RGB", (1400, 1000), "navy").save(media_dir / "cover.png")
    make_show(cover="cover.png")
    audio_file("speech.mp3", "talk.mp3")
    audio_file("speech.opus", "talk.opus")
    with app.app_context():
        importer.sync(media_dir)
        episode_id = db.session.scalar(sa.select(Episode.id))
    page = open_page("/login", javascript=False, width=width)
    log_in(page, live_server)
    for path in ("/dashboard/show", f"/dashboard/episodes/{episode_id}"):
        page.goto(f"{live_server}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for row in page.locator(".field-row").all():
            controls = row.locator(":scope > .field > :is(input, select, textarea)")
            bottoms = {
                round(box["y"] + box["height"])
                for box in (control.bounding_box() for control in controls.all())
            }
            # At 1280 px each row is one line: its boxes share their bottom edge.
            if width > 1000:
                assert len(bottoms) == 1, (path, row.inner_text(), bottoms)
    page.goto(f"{live_server}/dashboard/show")
    cover = page.locator("img.cover")
    assert cover.evaluate("img => getComputedStyle(img).objectFit") == "contain"
    page.goto(f"{live_server}/dashboard/episodes/{episode_id}")
    assert "Also offered to podcast apps as talk.opus (5 KB)." in page.inner_text(
        "main"
    )
