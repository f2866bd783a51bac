"""Every page, the listeners' and the host's, audited with axe-core in Debian's
Chromium at 1280 and 375 px: no serious or critical violation."""

import json
import re

import pytest
from flask import url_for

from podcast_hub.mail import addresses, invitations
from podcast_hub.models import MailAddress

from .browser import ROOT, make_lighthouse, require_chromium
from .helpers import in_app, make_chapter, make_comment, make_host, save

pytestmark = [
    pytest.mark.browser,
    pytest.mark.sqlite_only(reason="the pages' markup does not depend on the database"),
]

require_chromium()

AXE = ROOT / "tests" / "partytime" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
WIDTHS = (1280, 375)

# GET addresses that answer with something other than a page of their own:
# data, feeds, media, redirects, and fragments the episode page's script adds.
NOT_PAGES = {
    "api.get_comment",
    "api.list_episodes",
    "api.get_episode",
    "api.list_comments",
    "api.list_moments",
    "api.openapi_document",
    "feeds.chapters_json",
    "feeds.comments_xml",
    "feeds.feed_xml",
    "feeds.feed_xsl",
    "private_feeds.inbox_xml",
    "private_feeds.replies_xml",
    "public.comments_address",
    "public.conversation",
    "public.conversation_comment",
    "public.conversation_replies",
    "public.favicon",
    "public.healthz",
    "public.media",
    "static",
}

# Each page's address; `{…}` names are filled from the show made below. The
# host's pages are opened logged in.
PUBLIC_PAGES = {
    "public.index": "/",
    "public.episode": "/episodes/{slug}",
    "public.edit_comment": "/episodes/{slug}/comments/{own_comment}/edit",
    "replies.page": "/replies",
    "auth.login": "/login",
    "mail.confirm": "/mail/confirm/{confirm}",
    "mail.unsubscribe": "/mail/unsubscribe/{unsubscribe}",
    "mail.join": "/mail/join/{join}",
    "not found": "/episodes/no-such-episode",
}
HOST_PAGES = {
    "dashboard.index": "/dashboard",
    "dashboard.account": "/dashboard/account",
    "dashboard.episode_list": "/dashboard/episodes",
    "dashboard.edit_episode": "/dashboard/episodes/{episode_id}",
    "dashboard.episode_insights": "/dashboard/episodes/{episode_id}/insights",
    "dashboard.shift": "/dashboard/episodes/{episode_id}/shift",
    "dashboard.new_episode": "/dashboard/episodes/new",
    "dashboard.feed_health": "/dashboard/health",
    "dashboard.moderation_settings": "/dashboard/moderation",
    "dashboard.show_settings": "/dashboard/show",
    "dashboard.show_insights": "/dashboard/insights",
    "dashboard.range_comments": "/dashboard/episodes/{episode_id}/insights/comments"
    "?from=0&to=20",
    "dashboard.unpublish": "/dashboard/episodes/{episode_id}/unpublish",
    "dashboard.team_page": "/dashboard/team",
}


def test_every_page_is_audited(app):
    """A new page must join the audit, or say here why it is not a page."""
    endpoints = {
        rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods
    }
    audited = set(PUBLIC_PAGES) | set(HOST_PAGES)
    assert endpoints - audited - NOT_PAGES == set()


@pytest.fixture
def show(app, media_dir):
    """A show with a conversation, a held comment and a listener's mail address;
    return the values the addresses above need."""
    episode = make_lighthouse(media_dir)
    make_chapter(episode, start_s=0, title="The harbour")
    make_chapter(episode, start_s=20, title="The storm")
    top = make_comment(episode, author="Amara", body="Was it real?", timestamp_s=12)
    make_comment(
        episode, author="Hannah Host", body="It was.", parent_id=top.id, is_host=True
    )
    make_comment(episode, author="Spammy", body="Cheap pills", status="pending")
    owner = make_host(
        email="host@example.com", display_name="Hannah", password="open sesame"
    )
    address = save(MailAddress(email="listener@example.com"))
    with app.test_request_context(), in_app():
        invitation = invitations.invite("cohost@example.com", "cohost", owner)
        return {
            "slug": episode.slug,
            "episode_id": episode.id,
            "confirm": addresses.confirm_token(address),
            "unsubscribe": addresses.unsubscribe_token(address, top.id),
            "join": invitations.link_token(invitation),
            "comment_url": url_for("public.episode", slug=episode.slug),
        }


def audit(page):
    """Run axe-core on `page`; return its serious and critical violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "where": [node["target"] for node in violation["nodes"][:3]],
        }
        for violation in result["violations"]
        if violation["impact"] in BLOCKING
    ]


def post_own_comment(page, base_url, slug):
    """Post a comment from `page`'s browser; return its id (the page may edit it)."""
    page.goto(f"{base_url}/episodes/{slug}")
    page.fill("#comment-form [name=author]", "Ola")
    page.fill("#comment-form [name=body]", "Lovely episode.")
    page.click("#comment-form [type=submit]")
    page.wait_for_selector(".comment:has-text('Lovely episode.')")
    anchor = page.locator(".comment:has-text('Lovely episode.')").first
    return int(re.sub(r"\D", "", anchor.get_attribute("id")))


def log_in(page, base_url):
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", "host@example.com")
    page.fill("input[name=password]", "open sesame")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base_url}/dashboard")


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_has_a_serious_accessibility_violation(
    browser, live_server, show, width
):
    # axe's script is added to each page, which the pages' own policy forbids.
    context = browser.new_context(
        viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    values = dict(show)
    values["own_comment"] = post_own_comment(page, live_server, show["slug"])
    found = {}
    for name, path in PUBLIC_PAGES.items():
        page.goto(live_server + path.format(**values))
        found[name] = audit(page)
    log_in(page, live_server)
    for name, path in HOST_PAGES.items():
        page.goto(live_server + path.format(**values))
        found[name] = audit(page)
    context.close()
    failing = {name: problems for name, problems in found.items() if problems}
    assert failing == {}, json.dumps(failing, indent=1)
