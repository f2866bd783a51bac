"""Replies to you in a real browser: a listener posts, the host answers from the
dashboard, the listener comes back, sees who replied and follows the link to the
reply at its moment. Debian's Chromium driven by Playwright, at 375 px."""

import pytest

from .browser import make_lighthouse, require_chromium, wait_until
from .test_dashboard_browser import log_in, open_reply

pytestmark = [
    pytest.mark.browser,
]

require_chromium()

PHONE = 375


@pytest.fixture
def episode(app, media_dir, auth):
    return make_lighthouse(media_dir)


def fits(page):
    """Tell whether the page is no wider than its viewport (no sideways scroll)."""
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_the_listener_comes_back_to_the_hosts_answer(
    open_page, live_server, episode, javascript
):
    listener = open_page("/episodes/lighthouse", javascript=javascript, width=PHONE)
    form = listener.locator("#comment-form")
    form.locator("input[name=author]").fill("Lee")
    if javascript:
        form.locator("[data-timestamp-change]").click()
    form.locator("input[name=timestamp]").fill("0:20")
    form.locator("textarea[name=body]").fill("The foghorn at 0:20 made me jump.")
    form.locator("button[type=submit]").click()
    mine = listener.locator(".comment", has_text="The foghorn")
    mine.wait_for()
    comment_id = mine.get_attribute("id").removeprefix("comment-")

    host = open_page("/login")
    log_in(host, live_server)
    item = host.locator(f'[data-comment-id="{comment_id}"]')
    open_reply(item)
    item.locator("textarea[name=body]").fill("It still sounds every night.")
    item.locator("form[data-reply] button[type=submit]").click()
    item.wait_for(state="hidden")

    listener.goto(f"{live_server}/")
    banner = listener.locator("aside.replied")
    assert banner.is_visible()
    text = " ".join(banner.locator(".replied-item").inner_text().split())
    assert text == (
        "Hannah Host Host replied to you on The Lighthouse Keeper at 0:20 →"
    )
    assert banner.locator(".badge", has_text="Host").is_visible()
    assert fits(listener)

    banner.locator(".replied-item a").click()
    listener.wait_for_url("**/episodes/lighthouse?comment=*")
    reply = listener.locator(".comment[data-host='true']", has_text="every night")
    reply_id = reply.get_attribute("id").removeprefix("comment-")
    assert listener.url.endswith(f"?comment={reply_id}#comment-{reply_id}")
    assert reply.is_visible()
    assert listener.evaluate(
        "(id) => { const box = document.getElementById(id).getBoundingClientRect();"
        " return box.top >= 0 && box.top < innerHeight; }",
        f"comment-{reply_id}",
    )
    assert listener.locator("aside.replied").count() == 0
    if javascript:
        wait_until(
            listener,
            "Math.abs(document.getElementById('player').currentTime - 20) < 1",
        )
    else:
        audio = listener.locator("#player").get_attribute("src")
        assert audio.endswith("#t=20")
    # The name typed last is there for the next comment.
    assert listener.locator("#comment-form input[name=author]").input_value() == "Lee"
    assert fits(listener)

    listener.goto(f"{live_server}/")
    assert listener.locator("aside.replied").count() == 0
