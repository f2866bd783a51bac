"""The episode page in a real browser: Debian's Chromium driven by Playwright."""

import re

import pytest
import sqlalchemy as sa

from podcast_hub.models import Comment

from .browser import (
    ARTIFACTS,
    click_far_down,
    make_lighthouse,
    require_chromium,
    seek,
    wait_until,
)
from .helpers import get, make_comment, make_thread, scalar

pytestmark = [
    pytest.mark.browser,
]

require_chromium()


@pytest.fixture
def episode(app, media_dir):
    episode = make_lighthouse(media_dir, description="A story about a lighthouse.")
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


TIMESTAMP_FIELD = "document.querySelector('#comment-form input[name=timestamp]')"


def wait_for_metadata(page):
    wait_until(page, "document.getElementById('player').readyState >= 1")


def wait_for_time(page, seconds):
    wait_until(
        page, f"Math.abs(document.getElementById('player').currentTime - {seconds}) < 1"
    )


def current_time(page):
    return page.evaluate("document.getElementById('player').currentTime")


def set_time(page, seconds):
    page.evaluate(f"document.getElementById('player').currentTime = {seconds}")


def stayed(page):
    return page.evaluate("window.stayedOnPage === true")


def comment_id(author):
    return scalar(
        sa.select(Comment.id).where(Comment.author == author).order_by(Comment.id)
    )


def test_timestamp_link_seeks_the_player(open_page, episode):
    page = open_page("/episodes/lighthouse")
    wait_for_metadata(page)
    page.click('.comment a[data-seek="30"]')
    wait_for_time(page, 30)
    assert abs(current_time(page) - 30) < 1
    assert page.url.endswith("/episodes/lighthouse")
    assert stayed(page)


@pytest.mark.parametrize("address", ["?t=25", "?t=0:25", "#t=25", "#t=0:25"])
def test_deep_link_starts_the_player_there(open_page, episode, address):
    page = open_page(f"/episodes/lighthouse{address}")
    wait_for_metadata(page)
    wait_for_time(page, 25)
    assert abs(current_time(page) - 25) < 1


@pytest.mark.parametrize("config_overrides", [{"COMMENTS_PER_PAGE": 1}])
def test_marker_seeks_and_brings_its_comment_into_view_from_another_page(
    open_page, episode
):
    amara = comment_id("Amara")
    page = open_page("/episodes/lighthouse")
    wait_for_metadata(page)
    assert page.locator(f"#comment-{amara}").count() == 0, "Amara is on page 2"
    marker = page.locator('#timeline .marker[data-seek="30"]')
    marker.click()
    wait_for_time(page, 30)
    comment = page.locator(f"#comment-{amara}")
    comment.wait_for()
    box = f"document.getElementById('comment-{amara}').getBoundingClientRect()"
    wait_until(page, f"{box}.top >= 0 && {box}.bottom <= innerHeight")
    assert "is-target" in comment.get_attribute("class")
    assert stayed(page)


def test_timeline_works_from_the_keyboard_with_a_preview(open_page, episode):
    page = open_page("/episodes/lighthouse")
    wait_for_metadata(page)
    wait_until(page, "document.querySelectorAll('#timeline .marker').length === 2")
    page.focus("#scrubber")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.dataset.seek")
    assert focused == "20", "one Tab from the scrubber reaches the first marker"
    preview = page.locator("#timeline-preview")
    preview.wait_for()
    wait_until(
        page,
        "document.getElementById('timeline-preview').textContent.includes('Jules')",
    )
    assert "1 comment at 0:20" in preview.text_content()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.seek") == "30"
    wait_until(
        page,
        "document.getElementById('timeline-preview').textContent.includes('Amara')",
    )
    page.keyboard.press("Enter")
    wait_for_time(page, 30)
    page.keyboard.press("Escape")
    assert preview.is_hidden()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid", "focus is visible"


def test_the_timeline_keeps_keyboard_focus_when_its_moments_arrive(
    browser, live_server, open_page, episode
):
    """The moments come by script after the page: markers redrawn then must not
    drop a keyboard user who already tabbed onto the timeline."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    held = []
    context.route("**/api/episodes/lighthouse/moments", lambda r: held.append(r))
    page = open_page("/episodes/lighthouse", context=context)
    wait_until(page, "document.querySelectorAll('#timeline .marker').length === 2")
    page.focus("#scrubber")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.seek") == "20"
    page.evaluate("window.drawn = document.querySelector('#timeline .marker')")
    assert held, "the page asks for the moments"
    held[0].continue_()
    # The markers are drawn again from the moments.
    wait_until(page, "document.querySelector('#timeline .marker') !== window.drawn")
    assert page.evaluate("document.activeElement.dataset.seek") == "20"
    context.close()


def test_the_moment_follows_the_player_until_the_comment_is_begun(open_page, episode):
    page = open_page("/episodes/lighthouse")
    wait_for_metadata(page)
    field = page.locator("#comment-form input[name=timestamp]")
    assert field.input_value() == ""
    set_time(page, 12.4)
    wait_until(page, f"{TIMESTAMP_FIELD}.value === '0:12'")
    page.fill("#comment-form textarea[name=body]", "W")
    seek(page, 16)
    assert field.input_value() == "0:12", "the first keystroke pins the moment"
    page.click("[data-timestamp-change]")
    page.click("[data-timestamp-clear]")
    assert field.input_value() == ""
    seek(page, 18)
    assert field.input_value() == "", "a cleared moment stays cleared"
    page.click("[data-timestamp-now]")
    assert field.input_value() == "0:18"
    field.fill("0:00:07")
    seek(page, 19)
    assert field.input_value() == "0:00:07", "a typed moment stays"


def test_posting_a_timestamped_comment_appears_without_reload(open_page, episode):
    page = open_page("/episodes/lighthouse")
    wait_for_metadata(page)
    wait_until(page, "document.querySelectorAll('#timeline .marker').length === 2")
    set_time(page, 12.4)
    wait_until(page, f"{TIMESTAMP_FIELD}.value === '0:12'")
    page.fill("#comment-form input[name=author]", "Robin")
    page.fill("#comment-form textarea[name=body]", "Right here, the waves.")
    page.click("#comment-form button[type=submit]")
    posted = page.locator("#comments > .comment", has_text="Right here, the waves.")
    posted.wait_for()
    assert posted.get_attribute("data-timestamp") == "12"
    first = page.locator("#comments > .comment").first
    assert first.get_attribute("id") == posted.get_attribute("id"), "in moment order"
    assert page.locator('#timeline .marker[data-seek="12"]').count() == 1
    assert page.text_content("#conversation-title") == "4 comments"
    assert page.input_value("#comment-form textarea[name=body]") == ""
    assert stayed(page)
    assert page.url.endswith("/episodes/lighthouse")


@pytest.mark.parametrize("sort", ["moment", "newest"])
def test_a_posted_thread_stands_where_the_server_lists_it(open_page, episode, sort):
    make_comment(episode, author="Pat", body="Welcome!", timestamp_s=40, pinned=True)
    make_comment(episode, author="Sam", body="Loved it all.", timestamp_s=None)
    address = "/episodes/lighthouse" + ("?sort=newest" if sort == "newest" else "")
    page = open_page(address)
    page.fill("#comment-form input[name=author]", "Robin")
    page.click("[data-timestamp-change]")
    page.fill("#comment-form input[name=timestamp]", "0:25")
    page.fill("#comment-form textarea[name=body]", "Between the two.")
    page.click("#comment-form button[type=submit]")
    page.locator("#comments > .comment", has_text="Between the two.").wait_for()
    threads = "[...document.querySelectorAll('#comments > .comment')].map((c) => c.id)"
    placed = page.evaluate(threads)
    page.reload()
    assert page.evaluate(threads) == placed
    expected = {
        "moment": ["Pat", "Jules", "Robin", "Amara", "Sam"],
        "newest": ["Pat", "Robin", "Sam", "Amara", "Jules"],
    }
    assert placed == [f"comment-{comment_id(name)}" for name in expected[sort]]


def test_errors_appear_next_to_the_fields_with_javascript(open_page, episode):
    page = open_page("/episodes/lighthouse")
    page.click("[data-timestamp-change]")
    page.fill("#comment-form input[name=timestamp]", "9:99")
    page.fill("#comment-form textarea[name=body]", "Kept text")
    page.click("#comment-form button[type=submit]")
    page.locator("#author-error").wait_for()
    assert page.text_content("#author-error") == "Tell us your name."
    assert "up to 59" in page.text_content("#timestamp-error")
    assert (
        page.locator("#comment-form [role=alert]")
        .text_content()
        .startswith("Your comment was not posted: please fix the marked fields.")
    )
    assert page.get_attribute("#author", "aria-invalid") == "true"
    assert "author-error" in page.get_attribute("#author", "aria-describedby")
    assert page.evaluate("document.activeElement.id") == "author"
    assert page.input_value("#comment-form textarea[name=body]") == "Kept text"
    assert stayed(page)


def focused_id(page):
    return page.evaluate("document.activeElement.id")


def test_inline_reply_appears_in_its_thread(open_page, episode):
    jules, amara = comment_id("Jules"), comment_id("Amara")
    page = open_page("/episodes/lighthouse")
    assert page.locator("form:has(input[name=parent_id])").count() == 1
    assert page.is_hidden("#reply-form")

    # Reply moves the page's one form under the comment; Escape puts it away.
    page.click(f"#comment-{jules} > .comment-actions a.reply-link")
    page.locator(f"#comment-{jules} > #reply-form").wait_for()
    assert focused_id(page) == "reply-body"
    assert "Reply to Jules" in page.text_content("#reply-form .replying")
    page.keyboard.press("Escape")
    assert page.is_hidden("#reply-form")
    assert page.evaluate("document.activeElement.dataset.reply") == str(jules)

    page.click(f"#comment-{amara} > .comment-actions a.reply-link")
    reply_form = page.locator(f"#comment-{amara} > #reply-form")
    reply_form.wait_for()
    assert reply_form.locator("input[name=parent_id]").input_value() == str(amara)
    assert focused_id(page) == "reply-body"
    reply_form.locator("input[name=author]").fill("Sam")
    reply_form.locator("textarea[name=body]").fill("It is, in Brittany.")
    reply_form.locator("button[type=submit]").click()
    reply = page.locator(f"#comment-{amara} > .replies > .comment", has_text="Brittany")
    reply.wait_for()
    assert reply.get_attribute("data-timestamp") == ""
    assert page.is_hidden("#reply-form")
    assert page.locator("form:has(input[name=parent_id])").count() == 1
    assert stayed(page)


def test_more_replies_load_in_place_and_open_a_page_without_javascript(
    open_page, episode
):
    root, ids = make_thread(episode, 60, timestamp_s=35)
    page = open_page("/episodes/lighthouse")
    thread = page.locator(f"#comment-{root.id}")
    assert thread.locator(".comment").count() == 5
    click_far_down(page, thread.locator(".more-replies a", has_text="55 more replies"))
    page.locator(f"#comment-{ids[54]}").wait_for()
    assert thread.locator(".comment").count() == 55
    assert focused_id(page) == f"comment-{ids[5]}"
    # Reply 6 answers reply 1, and shows inside it.
    assert page.locator(f"#comment-{ids[0]} > .replies > #comment-{ids[5]}").count()
    click_far_down(page, thread.locator(".more-replies a", has_text="5 more replies"))
    page.locator(f"#comment-{ids[59]}").wait_for()
    assert thread.locator(".comment").count() == 60
    assert thread.locator(".more-replies").count() == 0
    assert stayed(page)

    page = open_page("/episodes/lighthouse", javascript=False)
    page.click(".more-replies a")
    page.wait_for_url(re.compile(r".*thread=\d+.*"))
    assert page.locator(f"#comment-{ids[49]}").count() == 1
    assert "Page 1 of 2" in page.text_content(".pager:not(.thread-nav)")
    page.click(".pager a[rel=next]")
    page.wait_for_url(re.compile(r".*page=2.*"))
    assert page.locator(f"#comment-{ids[59]}").count() == 1
    assert page.locator("#comment-" + str(comment_id("Jules"))).count() == 0
    page.click("text=← All comments")
    # The whole conversation again, with the other threads: wait for it to load.
    page.locator("#comment-" + str(comment_id("Jules"))).wait_for()
    assert page.locator(f"#comment-{root.id}").count() == 1


def test_edit_within_the_window_and_refusal_after_it(open_page, episode, clock):
    page = open_page("/episodes/lighthouse")
    page.fill("#comment-form input[name=author]", "Robin")
    page.fill("#comment-form textarea[name=body]", "Frist!")
    page.click("#comment-form button[type=submit]")
    mine = page.locator("#comments > .comment", has_text="Frist!")
    mine.wait_for()
    mine_id = mine.get_attribute("id")

    page.click(f"#{mine_id} a[data-edit]")
    editor = page.locator(f"#{mine_id} form.edit-form")
    assert editor.locator("textarea").input_value() == "Frist!"
    editor.locator("textarea").fill("First!")
    editor.locator("input[name=timestamp]").fill("0:05")
    editor.locator("button[type=submit]").click()
    page.locator(f"#{mine_id} .comment-body", has_text="First!").wait_for()
    assert page.get_attribute(f"#{mine_id}", "data-timestamp") == "5"
    assert page.locator(f"#{mine_id} .edited").count() == 1

    clock.advance(minutes=16)
    page.click(f"#{mine_id} a[data-edit]")
    editor = page.locator(f"#{mine_id} form.edit-form")
    editor.locator("textarea").fill("Too late")
    editor.locator("button[type=submit]").click()
    alert = editor.locator("[role=alert]")
    alert.wait_for()
    assert "15 minutes after posting it; that time is over" in alert.text_content()
    editor.locator("button[data-delete]").click()
    editor.locator("button[data-delete]").click()
    wait_until(
        page,
        f"document.querySelector('#{mine_id} button[data-delete]')"
        ".textContent === 'Delete'",
    )
    assert "that time is over" in editor.locator("[role=alert]").text_content()
    stored = get(Comment, int(mine_id.removeprefix("comment-")))
    assert (stored.body, stored.status) == ("First!", "published")
    assert stayed(page)


def test_delete_own_comment_in_place(open_page, episode):
    page = open_page("/episodes/lighthouse")
    page.fill("#comment-form input[name=author]", "Robin")
    page.fill("#comment-form textarea[name=body]", "Oops, wrong episode")
    page.click("#comment-form button[type=submit]")
    mine = page.locator("#comments > .comment", has_text="Oops")
    mine.wait_for()
    mine_id = mine.get_attribute("id")
    page.click(f"#{mine_id} a[data-edit]")
    delete = page.locator(f"#{mine_id} button[data-delete]")
    delete.click()
    assert delete.text_content() == "Really delete it?"
    delete.click()
    mine.wait_for(state="detached")
    assert page.text_content("#conversation-title") == "3 comments"
    assert stayed(page)


def test_the_whole_flow_works_with_javascript_off(
    open_page, live_server, episode, clock
):
    page = open_page("/episodes/lighthouse", javascript=False)
    assert page.locator("#timeline .marker").count() == 2
    # Controls that only work with JavaScript are not offered without it.
    assert not page.locator("#comment-form .timestamp-tools").is_visible()
    page.fill("#comment-form input[name=author]", "No-JS Nia")
    page.fill("#comment-form input[name=timestamp]", "0:33")
    page.fill("#comment-form textarea[name=body]", "Typed the moment by hand.")
    page.click("#comment-form button[type=submit]")
    page.wait_for_url(re.compile(r".*#comment-\d+$"))
    comment = page.locator(".comment", has_text="Typed the moment by hand.")
    assert comment.get_attribute("data-timestamp") == "33"
    nia = comment.get_attribute("id")

    # Reply opens the page with its one reply form under the comment, in focus.
    page.click(f"#{nia} > .comment-actions a.reply-link")
    page.wait_for_url(re.compile(r".*reply=\d+$"))
    reply_form = page.locator(f"#{nia} > #reply-form")
    assert reply_form.is_visible()
    assert page.locator("form:has(input[name=parent_id])").count() == 1
    assert focused_id(page) == "reply-body"
    # The name typed last is filled in; a listener who clears it is told.
    author = reply_form.locator("input[name=author]")
    assert author.input_value() == "No-JS Nia"
    author.fill("")
    reply_form.locator("textarea[name=body]").fill("Me too.")
    reply_form.locator("button[type=submit]").click()
    # A reply that was not posted comes back in place, with what was typed.
    assert page.text_content("#reply-author-error").strip() == "Tell us your name."
    reply_form = page.locator(f"#{nia} > #reply-form")
    assert reply_form.locator("textarea[name=body]").input_value() == "Me too."
    assert focused_id(page) == "reply-author"
    reply_form.locator("input[name=author]").fill("Sam")
    reply_form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*#comment-\d+$"))
    assert page.locator(f"#{nia} .replies .comment", has_text="Me too.").count() == 1

    sam = page.locator(f"#{nia} .replies .comment").get_attribute("id")
    page.click(f"#{sam} a.edit-link")
    page.fill("textarea[name=body]", "Me too, at 0:35.")
    page.click("text=Save changes")
    page.wait_for_url(re.compile(rf".*#{sam}$"))
    assert page.locator(f"#{sam} .comment-body a[data-seek='35']").count() == 1

    page.click(f"#{sam} a.edit-link")
    page.click("text=Delete this comment")
    # The click only starts the form's navigation: wait for the page it brings.
    page.locator(".flash", has_text="Your comment is deleted.").wait_for()
    assert page.locator(".flash", has_text="Your comment is deleted.").count() == 1
    assert page.locator(f"#{sam}").count() == 0

    clock.advance(minutes=16)
    response = page.goto(f"{live_server}/episodes/lighthouse/comments/{nia[8:]}/edit")
    assert response.status == 403
    assert "that time is over" in page.text_content("main")

    page.goto(f"{live_server}/episodes/lighthouse")
    page.fill("#comment-form input[name=author]", "")
    page.fill("#comment-form input[name=timestamp]", "9:99")
    page.fill("#comment-form textarea[name=body]", "Kept text")
    page.click("#comment-form button[type=submit]")
    assert page.text_content("#author-error").strip() == "Tell us your name."
    assert "up to 59" in page.text_content("#timestamp-error")
    assert (
        page.locator("#comment-form [role=alert]")
        .text_content()
        .strip()
        .startswith("Your comment was not posted: please fix the marked fields.")
    )
    assert (
        page.locator("#comment-form textarea[name=body]").input_value() == "Kept text"
    )

    page.select_option("#sort", "newest")
    page.check("#conversation-tools input[name=host]")
    page.click("#conversation-tools button[type=submit]")
    page.wait_for_url(re.compile(r".*host=1.*"))
    assert page.locator("#comments > .comment").count() == 1


def test_no_spoilers_and_the_position_are_remembered(
    open_page, browser, request, episode
):
    jules, amara = comment_id("Jules"), comment_id("Amara")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    request.addfinalizer(context.close)
    page = open_page("/episodes/lighthouse", context=context)
    wait_for_metadata(page)
    page.check("#no-spoilers")
    assert page.is_hidden(f"#comment-{jules} > .comment-body")
    assert page.is_hidden(f"#comment-{amara} > .comment-body")
    set_time(page, 25)
    wait_until(
        page,
        f"!document.getElementById('comment-{jules}').classList.contains('is-ahead')",
    )
    assert page.is_visible(f"#comment-{jules} > .comment-body")
    assert page.is_hidden(f"#comment-{amara} > .comment-body")
    page.evaluate("document.getElementById('player').pause()")
    wait_until(
        page,
        "JSON.parse(localStorage['podcast-hub:episode:lighthouse']).position === 25",
    )

    again = open_page("/episodes/lighthouse", context=context)
    wait_for_metadata(again)
    wait_for_time(again, 25)
    assert again.is_checked("#no-spoilers")
    assert "Picked up where you left off, at 0:25" in again.text_content(
        "#player-status"
    )
    assert again.is_hidden(f"#comment-{amara} > .comment-body")
    again.click("text=Start from the beginning")
    wait_for_time(again, 0)


def test_follow_along_highlights_the_comments_of_the_moment(open_page, episode):
    jules = comment_id("Jules")
    page = open_page("/episodes/lighthouse")
    wait_for_metadata(page)
    page.check("#follow-along")
    set_time(page, 21)
    wait_until(
        page, f"document.getElementById('comment-{jules}').classList.contains('is-now')"
    )
    assert "1 comment on 0:20" in page.text_content("#now-playing")
    set_time(page, 36)
    wait_until(
        page,
        f"!document.getElementById('comment-{jules}').classList.contains('is-now')",
    )


def test_share_this_moment_copies_a_link(
    open_page, browser, live_server, request, episode
):
    context = browser.new_context()
    request.addfinalizer(context.close)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = open_page("/episodes/lighthouse", context=context)
    wait_for_metadata(page)
    set_time(page, 12.6)
    page.click("#share-moment")
    wait_until(
        page, "document.getElementById('player-status').textContent.includes('copied')"
    )
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server}/episodes/lighthouse?t=12"


@pytest.mark.parametrize("config_overrides", [{"COMMENTS_PER_PAGE": 1}])
def test_comment_links_land_on_their_page_and_pages_load_in_place(open_page, episode):
    amara = comment_id("Amara")
    url = f"/episodes/lighthouse#comment-{amara}"
    page = open_page(url)
    page.locator(f"#comment-{amara}").wait_for()
    assert "Page 2 of 2" in page.text_content(".pager")

    page.click(".pager a[rel=prev]")
    page.locator(".pager", has_text="Page 1 of 2").wait_for()
    assert page.locator(f"#comment-{amara}").count() == 0
    assert "Jules" in page.text_content("#comments")
    assert stayed(page)
    page.go_back()
    page.locator(".pager", has_text="Page 2 of 2").wait_for()


def test_sort_and_filter_without_reload(open_page, episode):
    page = open_page("/episodes/lighthouse")
    authors = (
        "[...document.querySelectorAll('#comments > .comment')]"
        ".map(c => c.querySelector('.author').textContent)"
    )
    assert page.evaluate(authors) == ["Jules", "Amara"]
    page.select_option("#sort", "newest")
    wait_until(page, f"{authors}[0] === 'Amara'")
    page.check("#conversation-tools input[name=host]")
    wait_until(page, f"{authors}.length === 1")
    assert page.evaluate(authors) == ["Jules"]
    assert "host=1" in page.url and "sort=newest" in page.url
    assert stayed(page)


@pytest.mark.parametrize("width", [1280, 375])
def test_episode_page_screenshots(open_page, episode, width):
    ARTIFACTS.mkdir(exist_ok=True)
    page = open_page("/episodes/lighthouse", width=width)
    wait_for_metadata(page)
    wait_until(page, "document.querySelectorAll('#timeline .marker').length === 2")
    seek(page, 21)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, "the page scrolls sideways"
    page.screenshot(path=str(ARTIFACTS / f"episode-{width}.png"), full_page=True)
