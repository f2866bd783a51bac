"""Inviting a moderator in a real browser (Debian's Chromium, Playwright): the
owner's Team page, the mailed link, the join form, the moderator's dashboard;
at a desktop's width and a phone's."""

import pytest

from . import mailserver
from .browser import ARTIFACTS, make_lighthouse, require_chromium
from .mailserver import link_in, text_of

pytestmark = pytest.mark.browser

require_chromium()

BASE = "https://podcast.example.org"


@pytest.fixture
def config_overrides(smtp):
    return mailserver.settings(smtp, BASE_URL=BASE)


@pytest.mark.parametrize("width", [1280, 375])
def test_an_owner_invites_a_moderator_who_joins_from_the_mail(
    open_page, live_server, app, auth, media_dir, runner, smtp, width
):
    make_lighthouse(media_dir)
    page = open_page("/login", width=width)
    page.fill("input[name=email]", "host@example.com")
    page.fill("input[name=password]", "correct horse")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server}/dashboard")

    page.get_by_role("navigation", name="Dashboard").get_by_role(
        "link", name="Team"
    ).click()
    page.wait_for_url(f"{live_server}/dashboard/team")
    page.get_by_label("E-mail address").fill("mona@example.com")
    page.get_by_label("Role", exact=True).select_option("moderator")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_url(f"{live_server}/dashboard/team")
    assert (
        page.locator(".flash[role=status]")
        .inner_text()
        .startswith("Invitation sent to mona@example.com as Moderator")
    )
    waiting = page.locator("[data-invitation-id]")
    assert "mona@example.com" in waiting.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"team-{width}.png"), full_page=True)

    assert runner.invoke(args=["hub", "deliver", "--once"]).exit_code == 0
    [message] = smtp.inbox.to("mona@example.com")
    link = link_in(text_of(message), f"{BASE}/mail/join/").removeprefix(BASE)

    # The invitee, in another browser, with JavaScript off: the form needs none.
    joining = open_page(link, width=width, javascript=False)
    assert joining.get_by_role("heading", level=1).inner_text() == (
        "Join the team of Moments"
    )
    joining.get_by_label("Display name").fill("Mona Moderator")
    joining.get_by_label("Password", exact=True).fill("lantern quietly folds maps")
    joining.get_by_label("Password again").fill("lantern quietly folds maps")
    joining.get_by_role("button", name="Join the team").click()
    joining.wait_for_url(f"{live_server}/dashboard")
    assert "you are Moderator" in joining.get_by_role("status").first.inner_text()
    tabs = joining.get_by_role("navigation", name="Dashboard").inner_text()
    assert "Moderation" in tabs
    assert "Episodes" not in tabs and "Team" not in tabs and "Show" not in tabs
    assert joining.evaluate("document.documentElement.scrollWidth") <= width

    page.reload()
    assert page.locator("[data-invitation-id]").count() == 0
    assert "Mona Moderator" in page.locator(".team-list").first.inner_text()
