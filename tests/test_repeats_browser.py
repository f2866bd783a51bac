"""The page's posting script after a lost answer: it checks with the same key
instead of inviting a second copy of the comment."""

import pytest
import sqlalchemy as sa

from podcast_hub.models import Comment

from .browser import make_lighthouse, require_chromium, wait_until
from .helpers import scalars

pytestmark = [
    pytest.mark.browser,
]

require_chromium()

KEY = "document.querySelector('#comment-form input[name=idempotency_key]').value"


def test_a_lost_answer_is_checked_with_the_same_key_and_stored_once(
    open_page, app, media_dir
):
    make_lighthouse(media_dir)
    page = open_page("/episodes/lighthouse")
    sent = []

    def lose_the_first_answer(route):
        sent.append(route.request.header_value("Idempotency-Key"))
        if len(sent) == 1:
            # The server stores the comment; its answer never reaches the page.
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/episodes/lighthouse/comments", lose_the_first_answer)
    first_key = page.evaluate(KEY)
    page.fill("#comment-form input[name=author]", "Robin")
    page.fill("#comment-form textarea[name=body]", "Sent through a tunnel.")
    page.click("#comment-form button[type=submit]")
    page.locator(".error", has_text="may not have been posted — checking").wait_for()
    posted = page.locator("#comments .comment", has_text="Sent through a tunnel.")
    posted.wait_for()
    assert sent == [first_key, first_key]
    assert scalars(sa.select(Comment.body)) == ["Sent through a tunnel."]
    assert posted.count() == 1
    wait_until(page, f"{KEY} !== {first_key!r}")

    # The next comment is a new one: a new key.
    page.fill("#comment-form textarea[name=body]", "And another.")
    page.click("#comment-form button[type=submit]")
    page.locator("#comments .comment", has_text="And another.").wait_for()
    assert len(set(sent)) == 2
    assert len(scalars(sa.select(Comment.id))) == 2
