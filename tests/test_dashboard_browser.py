"""The host's inbox in a real browser: Debian's Chromium driven by Playwright."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from podcast_hub.extensions import db
from podcast_hub.models import Comment, Episode

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


def open_reply(item):
    """Open a card's reply (a disclosure, with or without JavaScript)."""
    item.locator("details.reply > summary").click()
    item.locator("textarea[name=body]").wait_for()


def update_comment(comment_id, **values):
    comment = db.session.get(Comment, comment_id)
    for name, value in values.items():
        setattr(comment, name, value)
    db.session.commit()


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

    open_reply(item)
    item.locator("textarea[name=body]").fill("It is! Pointe du Raz, in Brittany.")
    item.locator("form[data-reply] button[type=submit]").click()
    if javascript:
        item.wait_for(state="hidden")
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


def test_moderating_from_the_inbox_stays_on_the_page(
    open_page, live_server, conversation
):
    page = open_page("/login")
    log_in(page, live_server)
    page.goto(f"{live_server}/dashboard?tab=moderation")
    page.evaluate("window.stayedOnPage = true")
    item = page.locator("[data-comment-id]", has_text="Cheap casino")
    assert item.count() == 1
    with page.expect_response(
        re.compile(r".*/dashboard/comments/\d+/moderate")
    ) as done:
        item.locator("button[value=spam]").click()
    assert done.value.status == 200
    item.wait_for(state="hidden")
    assert page.evaluate("window.stayedOnPage") is True
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
    # A card reads from its left edge: who and the words start beside the
    # checkbox, and Reply opens from a button as wide as its word.
    card = page.locator(".inbox-item").first
    left = card.bounding_box()["x"]
    for part in (".meta", ".comment-body", ".reply > summary"):
        x = card.locator(part).bounding_box()["x"]
        assert x - left < 80, f"{part} starts {x - left:.0f} px into the card"
    summary = card.locator(".reply > summary").bounding_box()
    assert summary["width"] < 160, "Reply is a button, not a whole row"
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
    item.wait_for(state="hidden")
    assert page.url == f"{live_server}/dashboard"
    assert needs_reply_count(page) == 2
    toast = page.locator("#toast[role=status]")
    assert "needs no reply" in toast.inner_text()


def test_an_empty_reply_shows_the_servers_message_under_the_box(
    open_page, live_server, conversation
):
    _episode, top = conversation
    page = open_page("/login")
    log_in(page, live_server)
    item = page.locator(f'[data-comment-id="{top.id}"]')
    open_reply(item)
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


SCREENSHOTS = Path("/tmp/inbox")


def shot(page, name):
    """Keep a screenshot of what the test saw, outside the repository."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def status_of(comment_id):
    return db.session.get(Comment, comment_id).status


def fresh_status(app, comment_id):
    with app.app_context():
        return status_of(comment_id)


def test_hide_then_undo_in_the_toast_puts_the_card_back(
    app, open_page, live_server, conversation
):
    _episode, top = conversation
    page = open_page("/login")
    log_in(page, live_server)
    page.evaluate("window.stayedOnPage = true")
    item = page.locator(f'[data-comment-id="{top.id}"]')
    item.locator("button[value=hide]").click()
    item.wait_for(state="hidden")
    assert needs_reply_count(page) == 2
    toast = page.locator("#toast [data-toast]")
    toast.wait_for()
    assert "Amara’s comment hidden." in toast.inner_text()
    assert page.locator("#toast").get_attribute("role") == "status"
    assert fresh_status(app, top.id) == "hidden"
    shot(page, "undo-toast-1280")

    with page.expect_response("**/dashboard/undo") as undone:
        toast.get_by_role("button", name="Undo").click()
    assert undone.value.status == 200
    item.wait_for(state="visible")
    assert needs_reply_count(page) == 3
    assert fresh_status(app, top.id) == "published"
    wait_until(page, "document.getElementById('toast').textContent.includes('Undone')")
    assert page.evaluate("window.stayedOnPage") is True
    page.reload()
    assert page.locator(f'[data-comment-id="{top.id}"]').is_visible()


def test_without_javascript_the_action_page_offers_undo(
    app, open_page, live_server, conversation
):
    _episode, top = conversation
    page = open_page("/login", javascript=False)
    log_in(page, live_server)
    page.locator(f'[data-comment-id="{top.id}"] button[value=spam]').click()
    page.wait_for_url(f"{live_server}/dashboard")
    assert page.locator(f'[data-comment-id="{top.id}"]').count() == 0
    toast = page.locator("#toast[role=status] [data-toast]")
    assert "Amara’s comment marked as spam." in toast.inner_text()
    assert fresh_status(app, top.id) == "spam"
    toast.get_by_role("button", name="Undo").click()
    page.wait_for_url(f"{live_server}/dashboard")
    assert page.locator(f'[data-comment-id="{top.id}"]').is_visible()
    assert "Undone" in page.locator("main").inner_text()
    assert fresh_status(app, top.id) == "published"


def test_select_all_then_spam_sends_every_card_to_spam_and_undo_brings_them_back(
    app, open_page, live_server, conversation
):
    page = open_page("/login")
    log_in(page, live_server)
    cards = page.locator(".inbox-item")
    ids = [int(i) for i in cards.evaluate_all("c => c.map(i => i.dataset.commentId)")]
    assert len(ids) == 3
    bulk = page.locator("#bulk-form")
    assert bulk.locator("[data-bulk-buttons]").is_hidden(), "nothing selected yet"
    page.get_by_label("Select all on this page").check()
    assert "With 3 selected" in bulk.inner_text()
    shot(page, "bulk-selected-1280")
    bulk.locator("button[value=spam]").click()
    page.locator("p.empty").wait_for()
    assert cards.evaluate_all("c => c.filter(i => !i.hidden).length") == 0
    assert needs_reply_count(page) == 0
    assert {fresh_status(app, i) for i in ids} == {"spam"}
    assert "3 comments marked as spam." in page.locator("#toast").inner_text()

    page.locator("#toast").get_by_role("button", name="Undo").click()
    wait_until(page, "document.getElementById('toast').textContent.includes('Undone')")
    assert needs_reply_count(page) == 3
    assert {fresh_status(app, i) for i in ids} == {"published"}
    page.goto(f"{live_server}/dashboard?tab=spam")
    assert page.locator(".inbox-item").count() == 0


def test_without_javascript_select_all_is_a_link_and_bulk_is_a_form(
    app, open_page, live_server, conversation
):
    page = open_page("/login", javascript=False)
    log_in(page, live_server)
    page.get_by_role("link", name="Select all on this page").click()
    # A click does not wait for the page it opens to be parsed; `expect` does.
    page.wait_for_url(f"{live_server}/dashboard?select=all")
    boxes = page.locator(".inbox-item .select")
    expect(boxes).to_have_count(3)
    assert all(box.is_checked() for box in boxes.all())
    page.locator("#bulk-form button[value=spam]").click()
    page.wait_for_url(f"{live_server}/dashboard")
    expect(page.locator("#toast")).to_contain_text("3 comments marked as spam.")
    assert page.locator(".inbox-item").count() == 0
    page.locator("#toast").get_by_role("button", name="Undo").click()
    expect(page.locator(".inbox-item")).to_have_count(3)


@pytest.mark.parametrize("javascript", [True, False])
def test_block_and_trust_a_person_from_a_card(
    app, open_page, live_server, conversation, javascript
):
    """Blocking sends the card to spam and the person's next comment too; trusting
    a held comment publishes it and their next link is not held. Neither shows
    the listener's address."""
    episode, top = conversation
    with app.app_context():
        update_comment(top.id, email="amara@example.org")
        held_id = make_comment(
            episode,
            author="Noor",
            email="noor@example.org",
            body="Notes at example.com/notes",
            status="pending",
            timestamp_s=8,
        ).id
    page = open_page("/login", javascript=javascript)
    log_in(page, live_server)
    item = page.locator(f'[data-comment-id="{top.id}"]')
    item.get_by_role("button", name="Block this person").click()
    if javascript:
        item.wait_for(state="hidden")
        assert "Amara is blocked" in page.locator("#toast").inner_text()
    else:
        page.wait_for_url(f"{live_server}/dashboard")
        assert item.count() == 0
    assert fresh_status(app, top.id) == "spam"

    page.goto(f"{live_server}/dashboard?tab=moderation")
    card = page.locator(f'[data-comment-id="{held_id}"]')
    card.get_by_role("button", name="Trust this person").click()
    if javascript:
        card.wait_for(state="hidden")
    else:
        page.wait_for_url(f"{live_server}/dashboard?tab=moderation")
        assert card.count() == 0
    assert fresh_status(app, held_id) == "published"

    with app.app_context():
        from podcast_hub.conversation import moderation

        def verdict(email):
            return moderation.judge_new_comment(
                episode=db.session.get(Episode, episode.id),
                author="Anyone",
                email=email,
                body="More at example.com/more",
            )

        assert verdict("AMARA@example.org").status == "spam"
        assert verdict("noor@example.org").status == "published"
        assert verdict("new@example.org").status == "pending"

    page.goto(f"{live_server}/dashboard/moderation")
    people = page.locator(".people-rules").inner_text()
    assert "Amara" in people and "Noor" in people
    assert f"from comment #{top.id}" in people
    page.goto(f"{live_server}/dashboard?tab=spam")
    spam_card = page.locator(f'[data-comment-id="{top.id}"]')
    assert "blocked" in spam_card.locator(".meta").inner_text()
    for path in ("/dashboard/moderation", "/dashboard?tab=spam", "/dashboard?tab=all"):
        page.goto(f"{live_server}{path}")
        html = page.content()
        assert "amara@example.org" not in html and "noor@example.org" not in html
    page.goto(f"{live_server}/dashboard?tab=spam")
    spam_card.get_by_role("button", name="Unblock").click()
    page.wait_for_url(re.compile(r".*/dashboard\?tab=spam"))
    with app.app_context():
        assert verdict("amara@example.org").status == "pending"


def test_reply_opens_in_place_and_plays_the_listeners_moment_for_15_seconds(
    open_page, live_server, conversation
):
    _episode, top = conversation  # Amara's moment is 0:35 of 40 s: 0:35–0:40.
    page = open_page("/login")
    log_in(page, live_server)
    jules = page.locator(".inbox-item", has_text="Which book")
    assert jules.locator("textarea").is_hidden(), "the reply starts folded"
    item = page.locator(f'[data-comment-id="{top.id}"]')
    assert item.locator("textarea").is_hidden()
    open_reply(item)
    wait_until(page, "document.activeElement?.name === 'body'")
    play = item.locator(".clip-play")
    assert "0:35–0:40" in play.inner_text()
    shot(page, "reply-open-1280")
    play.click()
    audio = f"document.querySelector('[data-comment-id=\"{top.id}\"] audio')"
    wait_until(page, f"!{audio}.paused && {audio}.currentTime >= 35")
    wait_until(page, f"{audio}.paused", timeout_s=20)
    stopped = page.evaluate(f"{audio}.currentTime")
    assert 39 <= stopped <= 40.5
    # Pressed again, it plays the moment from its start.
    play.click()
    wait_until(page, f"!{audio}.paused")
    assert 35 <= page.evaluate(f"{audio}.currentTime") < 37


def test_a_longer_episode_stops_the_clip_15_seconds_after_the_moment(
    app, open_page, live_server, conversation
):
    episode, top = conversation
    with app.app_context():
        update_comment(top.id, timestamp_s=10)
    page = open_page("/login")
    log_in(page, live_server)
    item = page.locator(f'[data-comment-id="{top.id}"]')
    open_reply(item)
    assert "0:10–0:25" in item.locator(".clip-label").inner_text()
    audio = f"document.querySelector('[data-comment-id=\"{top.id}\"] audio')"
    item.locator(".clip-play").click()
    wait_until(page, f"!{audio}.paused")
    page.evaluate(f"{audio}.playbackRate = 4")
    wait_until(page, f"{audio}.paused", timeout_s=20)
    assert 24.5 <= page.evaluate(f"{audio}.currentTime") <= 25.2


def test_without_javascript_the_reply_opens_and_the_clip_is_a_player(
    open_page, live_server, conversation
):
    _episode, top = conversation
    page = open_page("/login", javascript=False)
    log_in(page, live_server)
    item = page.locator(f'[data-comment-id="{top.id}"]')
    open_reply(item)
    audio = item.locator(".clip audio")
    assert audio.get_attribute("src").endswith("/media/lighthouse.m4a#t=35,40")
    assert audio.get_attribute("controls") is not None
    general = page.locator(".inbox-item", has_text="AntennaPod")
    assert general.locator(".clip").count() == 0, "a general comment has no clip"


def test_on_a_phone_the_first_card_is_on_the_first_screen(
    open_page, live_server, conversation
):
    page = open_page("/login", width=375)
    page.set_viewport_size({"width": 375, "height": 667})
    log_in(page, live_server)
    first = page.locator(".inbox-item").first
    box = first.bounding_box()
    assert box["y"] + 120 <= 667, f"the first card starts at {box['y']} px"
    assert page.locator("#episode-filter").is_hidden(), "the filter is folded"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "inbox-375")
    open_reply(first)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "reply-open-375")
