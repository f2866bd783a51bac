"""The conversation comes back, end to end: a listener opts in to mail and
confirms, the host answers from the dashboard, `hub deliver --once` hands a real
SMTP server (aiosmtpd) one mail whose link lands on the reply at its moment; a
listener without e-mail sees the "replied to you" banner and the reply in their
private feed; the host gets a mail per comment; an SMTP outage loses nothing
and duplicates nothing.

Real Chromium on the live server, the real CLI, a real SMTP server, feedparser.
"""

import re
import urllib.request
from datetime import timedelta

import feedparser
import pytest
import sqlalchemy as sa

from podcast_hub.models import MailAddress, MailStatus, OutboxMail

from . import mailserver
from .browser import make_lighthouse, require_chromium, wait_until
from .helpers import save, scalars
from .mailserver import html_of, link_in, text_of
from .test_dashboard_browser import log_in

pytestmark = [
    pytest.mark.browser,
]

require_chromium()

LEE = "lee@example.com"
HOST = "host@example.com"
SENDER = "podcast@example.org"
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@pytest.fixture
def config_overrides(smtp):
    return mailserver.settings(smtp, f"Mailer Daemon <{SENDER}>")


@pytest.fixture
def site(app, live_server, media_dir, auth, clock):
    """The live server, which mail links point at, with the Lighthouse episode."""
    # Mail is composed by `hub deliver`, outside any request: its links are made
    # on BASE_URL, here the live server the browser opens.
    app.config["BASE_URL"] = live_server
    make_lighthouse(media_dir)
    return live_server


def deliver(runner):
    """Run `flask hub deliver --once` through the CLI; return its result."""
    return runner.invoke(args=["hub", "deliver", "--once"])


def addresses_shown(message):
    """Return every e-mail address a reader can see in `message`: headers but
    the Message-ID (an id, not an address), and both bodies."""
    seen = set()
    for name, value in message.items():
        if name.lower() != "message-id":
            seen.update(ADDRESS.findall(str(value)))
    seen.update(ADDRESS.findall(text_of(message)))
    seen.update(ADDRESS.findall(html_of(message)))
    return {address.lower() for address in seen}


def post_comment(page, author, body, moment, email=None):
    """Fill and send the episode page's comment form; return the comment's id."""
    form = page.locator("#comment-form")
    form.locator("input[name=author]").fill(author)
    if email:
        form.locator("input[name=email]").fill(email)
        form.get_by_label("Mail me when someone replies").check()
    change = form.locator("[data-timestamp-change]")
    if change.is_visible():
        change.click()  # With a script the moment's field opens on "change".
    form.locator("input[name=timestamp]").fill(moment)
    form.locator("textarea[name=body]").fill(body)
    form.locator("button[type=submit]").click()
    mine = page.locator(".comment", has_text=body)
    mine.wait_for()
    return int(mine.get_attribute("id").removeprefix("comment-"))


def answer(host, live_server, comment_id, body):
    """Answer `comment_id` from the dashboard inbox's reply form."""
    host.goto(f"{live_server}/dashboard")
    item = host.locator(f'[data-comment-id="{comment_id}"]')
    item.locator("details.reply > summary").click()
    item.locator("textarea[name=body]").fill(body)
    item.locator("form[data-reply] button[type=submit]").click()
    item.wait_for(state="hidden")


def queued_replies():
    return scalars(
        sa.select(OutboxMail).where(
            OutboxMail.kind == "reply", OutboxMail.status == MailStatus.QUEUED
        )
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_a_reply_comes_back_to_the_listener_by_mail_banner_and_feed(
    open_page, site, smtp, runner, clock, javascript
):
    """The listeners' browsers run the pages' scripts, or none; the host's does."""
    live = site
    received = smtp.inbox.received

    # A listener asks to be told of replies: one confirmation, and the host
    # hears of the new comment.
    lee = open_page("/episodes/lighthouse", javascript=javascript)
    first = post_comment(
        lee, "Lee", "The foghorn at 0:20 made me jump.", "0:20", email=LEE
    )
    assert LEE not in lee.content(), "the address is never shown, not even to Lee"
    note = lee.locator(f"#comment-{first} .mail-note")
    assert "a mail asking you to confirm it is on its way" in note.inner_text()
    result = deliver(runner)
    assert result.exit_code == 0, result.output
    assert sorted(rcpts[0] for rcpts, _m in received) == [HOST, LEE]
    [confirmation] = smtp.inbox.to(LEE)
    assert confirmation["Subject"] == "Confirm your address for replies on Moments"
    [host_mail] = smtp.inbox.to(HOST)
    assert host_mail["Subject"] == (
        "Lee on The Lighthouse Keeper: a comment needs a reply"
    )
    assert f"{live}/episodes/lighthouse?comment={first}#comment-{first}" in (
        text_of(host_mail)
    )
    assert "at 0:20" in text_of(host_mail)
    assert LEE not in host_mail.as_string(), "the host never sees Lee's address"

    # Lee follows the confirmation link: the page asks, the button confirms.
    lee.goto(link_in(text_of(confirmation), f"{live}/mail/confirm/"))
    lee.get_by_role("button", name="Yes, mail me replies").click()
    lee.get_by_text("your address is confirmed").wait_for()

    # The host answers from the dashboard's inbox; after the few minutes that
    # gather replies into one mail, exactly one mail goes to Lee.
    host = open_page("/login")
    log_in(host, live)
    answer(host, live, first, "It still sounds every night, Lee.")
    assert deliver(runner).exit_code == 0
    assert len(received) == 2, "replies wait a few minutes to go out together"
    clock.advance(minutes=5)
    result = deliver(runner)
    assert result.exit_code == 0, result.output
    assert len(received) == 3
    [_confirmation, mail] = smtp.inbox.to(LEE)
    [(recipients, _)] = received[2:]
    assert recipients == [LEE]
    assert mail["Subject"] == (
        "Hannah Host (host) replied to your comment on The Lighthouse Keeper"
    )
    assert mail["From"].addresses[0].display_name == "Moments"
    assert mail["From"].addresses[0].addr_spec == SENDER
    assert mail["To"] == LEE
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["List-Unsubscribe"].startswith(f"<{live}/mail/unsubscribe/")
    assert mail.is_multipart()
    assert [p.get_content_type() for p in mail.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert addresses_shown(mail) == {LEE, SENDER}
    assert HOST not in mail.as_string()
    text = text_of(mail)
    assert "It still sounds every night, Lee." in text
    assert "at 0:20" in text
    assert 'Your comment: "The foghorn at 0:20 made me jump."' in text
    assert "It still sounds every night, Lee." in html_of(mail)

    # The mail's link opens the episode on the reply, in view, the player at
    # the thread's moment.
    lee.goto(link_in(text, f"{live}/episodes/lighthouse?comment="))
    reply = lee.locator(".comment[data-host='true']", has_text="every night, Lee")
    reply_id = reply.get_attribute("id").removeprefix("comment-")
    assert lee.url.endswith(f"?comment={reply_id}#comment-{reply_id}")
    assert lee.locator(f"#comment-{first} #comment-{reply_id}").count() == 1
    assert lee.evaluate(
        "(id) => { const box = document.getElementById(id).getBoundingClientRect();"
        " return box.top >= 0 && box.bottom <= innerHeight; }",
        f"comment-{reply_id}",
    )
    assert lee.locator("#player").get_attribute("data-start") == "20"
    if javascript:
        wait_until(
            lee, "Math.abs(document.getElementById('player').currentTime - 20) < 1"
        )
    else:
        assert lee.locator("#player").get_attribute("src").endswith("#t=20")
    assert deliver(runner).exit_code == 0
    assert len(received) == 3, "nothing more to send"

    # A listener without e-mail: the banner on the home page, then the reply
    # in their private feed.
    sam = open_page("/episodes/lighthouse", javascript=javascript)
    second = post_comment(sam, "Sam", "Who rings the bell at 0:30?", "0:30")
    # Right after posting, with or without the page's script: the feed's link.
    feed_link = sam.locator("#replies-feed a[type='application/rss+xml']")
    assert feed_link.inner_text() == "your private feed of replies"
    feed_url = feed_link.get_attribute("href")
    assert feed_url.startswith(f"{live}/replies/")
    if javascript:
        assert sam.evaluate("window.stayedOnPage")
    answer(host, live, second, "The keeper's daughter, Sam.")
    sam.goto(f"{live}/")
    banner = sam.locator("aside.replied")
    text = " ".join(banner.locator(".replied-item").inner_text().split())
    assert text == (
        "Hannah Host Host replied to you on The Lighthouse Keeper at 0:30 →"
    )
    banner.locator(".replied-item a").click()
    sam.wait_for_url("**/episodes/lighthouse?comment=*")
    sams_answer = sam.locator(".comment[data-host='true']", has_text="daughter")
    assert sams_answer.is_visible()
    assert sam.locator("aside.replied").count() == 0, "seen now"
    assert sam.locator("#replies-feed a").first.get_attribute("href") == feed_url
    with urllib.request.urlopen(feed_url) as response:
        feed = feedparser.parse(response.read())
    assert not feed.bozo, feed.bozo_exception
    [entry] = feed.entries
    assert "The keeper's daughter, Sam." in entry.summary
    assert "Hannah Host" in entry.title
    answer_id = sams_answer.get_attribute("id")
    number = answer_id.removeprefix("comment-")
    assert entry.link == f"{live}/episodes/lighthouse?comment={number}#{answer_id}"
    # Sam gave no address and the host answered before any mail went: nothing.
    clock.advance(minutes=5)
    assert deliver(runner).exit_code == 0
    assert len(received) == 3

    # An outage: the SMTP server is down when the next reply is due.
    third = post_comment(
        lee, "Lee", "And the lamp at 0:10, is it the real one?", "0:10", email=LEE
    )
    answer(host, live, third, "The real lamp, Lee.")
    smtp.stop()
    clock.advance(minutes=5)
    result = deliver(runner)
    assert result.exit_code == 1
    assert "refused the connection" in result.output
    [waiting] = queued_replies()
    assert waiting.attempts == 1
    host.goto(f"{live}/dashboard")
    notice = host.locator(".mail-notice").inner_text()
    assert "1 mail waits: The SMTP server refused the connection." in notice
    # Back up, after the backoff: exactly one mail, and never again.
    smtp.start()
    clock.advance(minutes=1, seconds=1)
    result = deliver(runner)
    assert result.exit_code == 0, result.output
    assert len(received) == 4
    [(recipients, again)] = received[3:]
    assert recipients == [LEE]
    assert "The real lamp, Lee." in text_of(again)
    assert "at 0:10" in text_of(again)
    assert deliver(runner).exit_code == 0
    clock.advance(hours=3)
    assert deliver(runner).exit_code == 0
    assert len(received) == 4
    assert queued_replies() == []
    host.goto(f"{live}/dashboard")
    assert host.locator(".mail-notice").count() == 0


LONG_ERROR = (
    "500 Error: (FileNotFoundError) [Errno 2] No such file or directory: "
    "'/var/spool/mail/new/1796317204.M103739P30002Q10.mailhost.example.org'"
)


def test_the_outbox_fits_a_phone_with_long_smtp_errors(
    open_page, live_server, auth, clock
):
    """What an SMTP server says may hold paths and ids with no place to break:
    at 375 px the account page still needs no sideways scrolling."""
    address = save(MailAddress(email=LEE, created_at=clock.now))
    mail = {"kind": "confirm", "address_id": address.id, "last_error": LONG_ERROR}
    save(OutboxMail(key="failed", status=MailStatus.FAILED, **mail))
    due = clock.now + timedelta(minutes=1)
    save(OutboxMail(key="retried", attempts=1, due_at=due, **mail))
    host = open_page("/login", width=375)
    log_in(host, live_server)
    for path in ("/dashboard/account", "/dashboard"):
        host.goto(f"{live_server}{path}")
        assert host.evaluate(
            "document.documentElement.scrollWidth"
            " <= document.documentElement.clientWidth"
        ), path
    host.goto(f"{live_server}/dashboard/account")
    assert host.get_by_text("the mail server refused").is_visible()
    assert host.get_by_text("The last try failed").is_visible()
