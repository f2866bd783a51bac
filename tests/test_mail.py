"""Mail, end to end with a real SMTP server: opting in, confirming, replies
mailed with the right link, unsubscribing, moderation holding mail, batching,
hosts' mail and digests, outages and concurrent deliverers."""

import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from podcast_hub.extensions import db
from podcast_hub.mail import addresses
from podcast_hub.models import Comment, Host, MailAddress, MailMute, OutboxMail

from . import mailserver
from .conftest import csrf_from
from .helpers import (
    at_once,
    in_app,
    make_comment,
    make_episode,
    make_show,
    post_at_once,
    save,
    scalars,
    writes_meet,
)
from .mailserver import html_of, link_in, text_of

BASE = "https://podcast.example.org"
LEE = "lee@example.com"
HOST = "host@example.com"


@pytest.fixture
def config_overrides(smtp):
    return mailserver.settings(
        smtp, "Moments Mailer <podcast@example.org>", BASE_URL=BASE, MAIL_BATCH_S=300
    )


@pytest.fixture
def episode(app, clock):
    make_show(title="Lighthouse Tales")
    return make_episode(slug="keeper", title="The Lighthouse Keeper", duration_s=1800)


def deliver(runner):
    """Run `hub deliver --once`; return its result."""
    return runner.invoke(args=["hub", "deliver", "--once"])


def post(client, slug="keeper", **fields):
    """Post a comment with the no-JavaScript form as a listener; return its id."""
    token = csrf_from(client.get(f"/episodes/{slug}").get_data(as_text=True))
    data = {"author": "Lee", "body": "At 12:34, the storm!", "csrf_token": token}
    data.update({k: v for k, v in fields.items() if v is not None})
    response = client.post(f"/episodes/{slug}/comments", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("comment-", 1)[1])


def host_reply(client, comment_id, body="Thanks, Lee: that storm was real."):
    """Answer comment `comment_id` from the dashboard's inbox (logged in)."""
    token = csrf_from(client.get("/dashboard").get_data(as_text=True))
    response = client.post(
        f"/dashboard/comments/{comment_id}/reply",
        data={"body": body, "csrf_token": token},
    )
    assert response.status_code == 303
    with in_app() as session:
        return session.scalar(
            sa.select(Comment.id)
            .where(Comment.parent_id == comment_id)
            .order_by(Comment.id.desc())
        )


def confirmed(email=LEE):
    """Store `email` as an address that confirmed it wants replies."""
    from podcast_hub import clock

    return save(MailAddress(email=email, confirmed_at=clock.now()))


def quiet_hosts():
    """Hosts choose no mail, so that a test counts only listeners' mail."""
    with in_app() as session:
        session.execute(sa.update(Host).values(notify="none"))
        session.commit()


# Opting in and confirming.


def test_an_address_gets_one_confirmation_and_nothing_else_until_confirmed(
    app, client, auth, episode, smtp, runner, clock
):
    """Double opt-in: one confirmation, no reply mail while unconfirmed; the
    confirmation link's GET changes nothing, its POST confirms, and the reply
    held back meanwhile goes out."""
    first = post(client, email=LEE, notify="y")
    post(client, email="LEE@example.com", notify="y", body="And at 20:00!")
    auth.login()
    quiet_hosts()
    host_reply(client, first)
    assert deliver(runner).exit_code == 0
    [confirmation] = smtp.inbox.to(LEE)
    assert (
        confirmation["Subject"]
        == "Confirm your address for replies on Lighthouse Tales"
    )
    link = link_in(text_of(confirmation), f"{BASE}/mail/confirm/")

    clock.advance(minutes=6)
    deliver(runner)
    assert len(smtp.inbox.to(LEE)) == 1, "nothing but the confirmation"

    path = link.removeprefix(BASE)
    page = client.get(path)
    assert page.status_code == 200
    assert "Yes, mail me replies" in page.get_data(as_text=True)
    assert helpers_address(LEE).confirmed_at is None, "a GET changes nothing"
    token = csrf_from(page.get_data(as_text=True))
    done = client.post(path, data={"csrf_token": token})
    assert "your address is confirmed" in done.get_data(as_text=True)
    assert helpers_address(LEE).confirmed_at is not None

    deliver(runner)
    [_, reply_mail] = smtp.inbox.to(LEE)
    assert "Thanks, Lee: that storm was real." in text_of(reply_mail)


def helpers_address(email):
    with in_app() as session:
        return session.scalar(sa.select(MailAddress).where(MailAddress.email == email))


def test_saying_yes_again_undoes_stopping_all_mail(
    app, client, auth, episode, smtp, runner, clock
):
    """The confirmation link, followed after "stop all mail", asks again and
    its button mails replies again; it never says "confirmed" while nothing
    would be sent."""
    first = post(client, email=LEE, notify="y")
    quiet_hosts()
    deliver(runner)
    [confirmation] = smtp.inbox.to(LEE)
    path = link_in(text_of(confirmation), f"{BASE}/mail/confirm/").removeprefix(BASE)
    client.post(path, data={"csrf_token": csrf_from(client.get(path).text)})
    address = helpers_address(LEE)
    with in_app() as session:
        session.execute(
            sa.update(MailAddress).values(unsubscribed_at=clock.now),
        )
        session.commit()
    page = client.get(path).get_data(as_text=True)
    assert "Yes, mail me replies" in page
    assert "your address is confirmed" not in page
    done = client.post(path, data={"csrf_token": csrf_from(page)})
    assert "your address is confirmed" in done.get_data(as_text=True)
    assert helpers_address(LEE).unsubscribed_at is None
    assert helpers_address(LEE).confirmed_at == address.confirmed_at
    auth.login()
    host_reply(client, first)
    clock.advance(minutes=5)
    deliver(runner)
    assert len(smtp.inbox.to(LEE)) == 2


def test_asking_for_replies_needs_an_address(app, client, episode):
    token = csrf_from(client.get("/episodes/keeper").get_data(as_text=True))
    response = client.post(
        "/episodes/keeper/comments",
        data={"author": "Lee", "body": "Hi", "notify": "y", "csrf_token": token},
    )
    assert response.status_code == 400
    assert "Give your e-mail address to be told of replies." in response.get_data(
        as_text=True
    )
    assert scalars(sa.select(Comment.id)) == []


MAIL_NOTE = "a mail asking you to confirm it is on its way"


def test_the_listener_who_asked_is_told_to_look_for_the_confirmation(
    app, client, episode, clock
):
    """Under their new comment, in words that give away nothing of the
    address's state; not to anyone else, not under a comment that did not ask."""
    post(client, email=LEE, notify="y")
    page = client.get("/episodes/keeper").get_data(as_text=True)
    assert page.count(MAIL_NOTE) == 1
    post(client, email=LEE, body="No mail for this one")
    post(client, email="LEE@example.com", notify="y", body="Mail again")
    page = client.get("/episodes/keeper").get_data(as_text=True)
    assert page.count(MAIL_NOTE) == 2, "the same words, confirmation sent or not"
    assert MAIL_NOTE not in app.test_client().get("/episodes/keeper").get_data(
        as_text=True
    )
    clock.advance(minutes=16)
    assert MAIL_NOTE not in client.get("/episodes/keeper").get_data(as_text=True)


def test_the_json_api_takes_notify(app, client, episode, smtp, runner):
    quiet_hosts()
    token = csrf_from(client.get("/episodes/keeper").get_data(as_text=True))
    headers = {"X-CSRFToken": token}
    url = "/api/episodes/keeper/comments"
    refused = client.post(
        url, json={"author": "Lee", "body": "Hi", "notify": True}, headers=headers
    )
    assert refused.status_code == 400
    assert "notify" in refused.get_json()["fields"]
    wrong = client.post(
        url,
        json={"author": "Lee", "body": "Hi", "email": LEE, "notify": "yes"},
        headers=headers,
    )
    assert wrong.status_code == 400
    made = client.post(
        url,
        json={"author": "Lee", "body": "Hi", "email": LEE, "notify": True},
        headers=headers,
    )
    assert made.status_code == 201
    assert "email" not in made.get_json() and "notify" not in made.get_json()
    deliver(runner)
    assert len(smtp.inbox.to(LEE)) == 1


# The reply's mail.


def test_a_host_reply_mails_the_listener_its_text_moment_and_link(
    app, client, auth, episode, smtp, runner, clock
):
    confirmed()
    first = post(client, email=LEE, notify="y", timestamp="12:34")
    # Another listener, who asked for nothing, replies too: their address is in
    # no mail.
    other = post(
        client,
        author="Sam",
        email="sam@example.com",
        parent_id=first,
        body="Me too <b>loved</b> it",
    )
    auth.login()
    quiet_hosts()
    reply = host_reply(client, first)
    deliver(runner)
    assert smtp.inbox.to(LEE) == [], "the batching window is still open"
    clock.advance(minutes=5)
    assert deliver(runner).exit_code == 0
    [(recipients, message)] = smtp.inbox.received
    assert recipients == [LEE]
    assert message["To"] == LEE
    assert message["From"].addresses[0].display_name == "Lighthouse Tales"
    assert message["From"].addresses[0].addr_spec == "podcast@example.org"
    assert message["Message-ID"].endswith("@example.org>")
    assert message["Date"].datetime.tzinfo is not None
    assert abs(message["Date"].datetime - clock.now) < timedelta(seconds=2)
    assert message.is_multipart()
    assert [p.get_content_type() for p in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert message["Subject"] == "2 replies to your comments on Lighthouse Tales"
    text = text_of(message)
    html = html_of(message)
    assert "Hannah Host (host) replied to your comment" in text
    assert 'Your comment: "At 12:34, the storm!"' in text, "which comment it answers"
    assert "Your comment: “At 12:34, the storm!”" in html
    assert "Thanks, Lee: that storm was real." in text
    assert "at 12:34" in text
    assert "Me too <b>loved</b> it" in text
    assert "Me too &lt;b&gt;loved&lt;/b&gt; it" in html
    assert "<b>loved" not in html
    assert "sam@example.com" not in message.as_string()
    link = f"{BASE}/episodes/keeper?comment={reply}#comment-{reply}"
    assert link in text
    assert link.replace("&", "&amp;") in html or link in html
    assert other
    page = client.get(link.removeprefix(BASE).split("#")[0])
    body = page.get_data(as_text=True)
    assert f'id="comment-{reply}"' in body
    assert 'data-start="754"' in body, "the player starts at the thread's moment"


def test_the_reply_mail_has_one_click_unsubscribe_that_stops_the_show(
    app, client, auth, episode, smtp, runner, clock
):
    confirmed()
    first = post(client, email=LEE, notify="y")
    second = post(client, email=LEE, notify="y", body="Another thought")
    auth.login()
    quiet_hosts()
    host_reply(client, first)
    clock.advance(minutes=5)
    deliver(runner)
    [message] = smtp.inbox.to(LEE)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"].strip("<>")
    assert url.startswith(f"{BASE}/mail/unsubscribe/")
    auth.logout()
    # What a mail provider sends: no cookie, no CSRF token.
    fresh = app.test_client()
    response = fresh.post(
        url.removeprefix(BASE), data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert LEE not in response.get_data(as_text=True)
    auth.login()
    host_reply(client, second, body="A second answer")
    clock.advance(minutes=5)
    deliver(runner)
    assert len(smtp.inbox.to(LEE)) == 1, "nothing more from this show"
    assert helpers_address(LEE).unsubscribed_at is not None


def test_the_thread_link_stops_that_thread_only(
    app, client, auth, episode, smtp, runner, clock
):
    confirmed()
    first = post(client, email=LEE, notify="y")
    second = post(client, email=LEE, notify="y", body="Another thread")
    auth.login()
    quiet_hosts()
    host_reply(client, first)
    clock.advance(minutes=5)
    deliver(runner)
    [message] = smtp.inbox.to(LEE)
    stop = link_in(text_of(message), f"{BASE}/mail/unsubscribe/")
    page = client.get(stop.removeprefix(BASE))
    html = page.get_data(as_text=True)
    assert "Stop mail about this thread" in html
    assert "Stop all mail from Lighthouse Tales" in html
    assert LEE not in html
    # Opening the link changed nothing; the button does.
    host_reply(client, first, body="More on the storm")
    clock.advance(minutes=5)
    deliver(runner)
    assert len(smtp.inbox.to(LEE)) == 2
    token = csrf_from(html)
    client.post(stop.removeprefix(BASE), data={"scope": "thread", "csrf_token": token})
    host_reply(client, first, body="Even more on the storm")
    host_reply(client, second, body="About the other thread")
    clock.advance(minutes=5)
    deliver(runner)
    [_, _, last] = smtp.inbox.to(LEE)
    assert "About the other thread" in text_of(last)
    assert "Even more" not in text_of(last)


def test_stopping_a_thread_twice_at_once_mutes_it_once(app, client, episode):
    """The button pressed in two tabs at once: each finds the thread not muted
    before either mutes it; both pages say it is done, one mute is stored."""
    confirmed()
    thread = post(client, email=LEE, notify="y")
    with app.app_context():
        address = db.session.scalar(sa.select(MailAddress))
        stop = f"/mail/unsubscribe/{addresses.unsubscribe_token(address, thread)}"
    tabs = [app.test_client() for _ in range(2)]
    answers = post_at_once(app, "mail_mute", tabs, stop, {"scope": "thread"})
    for answer in answers:
        assert answer.status_code == 200
        assert "no more mail about this thread" in answer.get_data(as_text=True)
    assert scalars(sa.select(MailMute.thread_id)) == [thread]


def test_two_comments_from_a_new_address_at_once_make_one_address(
    app, client, episode, database
):
    """Two tabs post with the same new address at once: each finds no row for
    it before either stores one. Both comments are posted and one confirmation
    is queued. (SQLite takes its write lock at the comment, before the address
    is looked for: there the two cannot overlap.)"""
    if database.name == "sqlite":
        pytest.skip("SQLite orders the two posts whole")
    tabs = [app.test_client() for _ in range(2)]
    tokens = [csrf_from(t.get("/episodes/keeper").get_data(as_text=True)) for t in tabs]
    sends = [
        lambda tab=tab, token=token: tab.post(
            "/episodes/keeper/comments",
            data={
                "author": "Lee",
                "email": LEE,
                "notify": "y",
                "body": f"Thought {token[-6:]}",
                "csrf_token": token,
            },
        )
        for tab, token in zip(tabs, tokens, strict=True)
    ]
    with writes_meet(app, "mail_address"):
        answers = at_once(*sends)
    assert [a.status_code for a in answers] == [303, 303]
    assert len(scalars(sa.select(Comment.id))) == 2
    assert scalars(sa.select(MailAddress.email)) == [LEE]
    assert (
        len(scalars(sa.select(OutboxMail.id).where(OutboxMail.kind == "confirm"))) == 1
    )


def test_the_mail_pages_buttons_are_styled_by_the_public_stylesheet(
    app, client, auth, episode, smtp, runner, clock
):
    """The pages a listener opens from a mail use only classes the site's own
    style sheet draws (the dashboard's `quiet` once left a second, lesser
    choice looking like the first)."""
    confirmed()
    first = post(client, email=LEE, notify="y")
    auth.login()
    quiet_hosts()
    host_reply(client, first)
    clock.advance(minutes=5)
    deliver(runner)
    [message] = smtp.inbox.to(LEE)
    stop = link_in(text_of(message), f"{BASE}/mail/unsubscribe/").removeprefix(BASE)
    every = message["List-Unsubscribe"].strip("<>").removeprefix(BASE)
    style = (Path(app.static_folder) / "style.css").read_text()
    pages = [client.get(stop).get_data(as_text=True)]
    token = csrf_from(pages[0])
    client.post(every, data={"scope": "show", "csrf_token": token})
    pages.append(client.get(every).get_data(as_text=True))
    assert "Mail me replies again" in pages[1]
    for page in pages:
        assert "style.css" in page
        for classes in re.findall(r'<button[^>]*class="([^"]+)"', page):
            for name in classes.split():
                assert f".{name}" in style, f"{name} is not in style.css"


def test_a_forged_unsubscribe_link_changes_nothing(app, client, episode):
    confirmed()
    response = app.test_client().post(
        "/mail/unsubscribe/eyJhIjoxfQ.forged", data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 400
    assert helpers_address(LEE).unsubscribed_at is None


# Moderation decides.


def test_a_held_reply_mails_only_once_approved_and_a_hidden_one_never(
    app, client, auth, episode, smtp, runner, clock
):
    confirmed()
    first = post(client, email=LEE, notify="y")
    with in_app() as session:
        session.execute(sa.text("UPDATE show SET moderation_mode = 'hold_all'"))
        session.commit()
    held = post(client, author="Sam", parent_id=first, body="Held words")
    hidden = post(client, author="Kim", parent_id=first, body="Words hidden later")
    auth.login()
    quiet_hosts()
    clock.advance(minutes=10)
    deliver(runner)
    assert smtp.inbox.to(LEE) == [], "held replies send nothing"
    token = csrf_from(client.get("/dashboard").get_data(as_text=True))
    for comment_id in (held, hidden):
        answer = client.post(
            f"/api/comments/{comment_id}/moderation",
            json={"action": "approve"},
            headers={"X-CSRFToken": token},
        )
        assert answer.status_code == 200
    # Hidden within the batching window: decided when the mail is sent.
    client.post(
        f"/api/comments/{hidden}/moderation",
        json={"action": "hide"},
        headers={"X-CSRFToken": token},
    )
    clock.advance(minutes=5)
    deliver(runner)
    [message] = smtp.inbox.to(LEE)
    assert "Held words" in text_of(message)
    assert "Words hidden later" not in message.as_string()
    # Hidden and restored, approved again: the same reply never mails twice.
    for action in ("hide", "restore"):
        client.post(
            f"/api/comments/{held}/moderation",
            json={"action": action},
            headers={"X-CSRFToken": token},
        )
    clock.advance(minutes=5)
    deliver(runner)
    assert len(smtp.inbox.to(LEE)) == 1


def test_replies_within_minutes_make_one_mail(
    app, client, auth, episode, smtp, runner, clock
):
    confirmed()
    first = post(client, email=LEE, notify="y")
    auth.login()
    quiet_hosts()
    host_reply(client, first, body="One")
    clock.advance(minutes=2)
    host_reply(client, first, body="Two")
    clock.advance(minutes=2)
    host_reply(client, first, body="Three")
    clock.advance(minutes=1, seconds=1)
    deliver(runner)
    [message] = smtp.inbox.to(LEE)
    text = text_of(message)
    assert all(word in text for word in ("One", "Two", "Three"))
    assert message["Subject"] == "3 replies to your comments on Lighthouse Tales"
    clock.advance(minutes=10)
    deliver(runner)
    assert len(smtp.inbox.to(LEE)) == 1


# Hosts' mail.


def test_a_host_gets_a_mail_per_comment_that_needs_something(
    app, client, auth, episode, smtp, runner, clock
):
    auth.logout()
    first = post(client, email=LEE, timestamp="12:34", body="Was that <real>?")
    answered = post(client, body="Answered before the mail goes")
    auth.login()
    host_reply(client, answered, body="Yes")
    deliver(runner)
    mails = smtp.inbox.to(HOST)
    assert len(mails) == 1, "the answered one needs nothing any more"
    [message] = mails
    assert message["Subject"] == "Lee on The Lighthouse Keeper: a comment needs a reply"
    text = text_of(message)
    assert "Was that <real>?" in text and "at 12:34" in text
    assert "Was that &lt;real&gt;?" in html_of(message)
    assert LEE not in message.as_string(), "a listener's address is never shown"
    assert f"{BASE}/episodes/keeper?comment={first}#comment-{first}" in text


def test_a_host_who_chose_a_digest_gets_one_a_day_oldest_first(
    app, client, auth, episode, smtp, runner, clock
):
    auth.login()
    account = client.get("/dashboard/account").get_data(as_text=True)
    assert "the digest comes once a day, from 08:00 UTC" in account
    token = csrf_from(account)
    response = client.post(
        "/dashboard/account/mail", data={"notify": "digest", "csrf_token": token}
    )
    assert response.status_code == 303
    auth.logout()
    make_comment(
        episode,
        author="Old",
        body="The oldest",
        timestamp_s=60,
        created_at=clock.now - timedelta(hours=3),
    )
    make_comment(
        episode,
        author="New",
        body="The newest",
        timestamp_s=120,
        created_at=clock.now - timedelta(hours=1),
    )
    post(client, body="Posted now")
    deliver(runner)
    # Tomorrow after the digest hour: one digest, whatever the passes.
    clock.now = clock.now.replace(hour=0, minute=0) + timedelta(days=1, hours=9)
    deliver(runner)
    deliver(runner)
    [digest] = smtp.inbox.to(HOST)
    assert digest["Subject"] == "Lighthouse Tales: 3 comments need a reply"
    text = text_of(digest)
    assert (
        text.index("The oldest") < text.index("The newest") < text.index("Posted now")
    )
    assert "at 1:00" in text and "at 2:00" in text
    clock.advance(hours=12)
    deliver(runner)
    assert len(smtp.inbox.to(HOST)) == 1


def test_the_dashboard_says_mail_waits_without_smtp(app, client, auth, episode):
    app.config["SMTP_URL"] = None
    post(client, email=LEE, notify="y")
    auth.login()
    page = client.get("/dashboard").get_data(as_text=True)
    assert "PODCAST_HUB_SMTP_URL is not set: mail waits in the outbox." in page
    account = client.get("/dashboard/account").get_data(as_text=True)
    assert "2 mails wait to be sent" in account
    assert LEE not in account


def test_deliver_without_smtp_says_so_and_keeps_the_mail(app, client, episode, runner):
    app.config["SMTP_URL"] = None
    post(client, email=LEE, notify="y")
    result = deliver(runner)
    assert result.exit_code == 2
    assert "PODCAST_HUB_SMTP_URL is not set" in result.output
    queued = sa.select(OutboxMail.kind).where(OutboxMail.status == "queued")
    assert scalars(queued) == ["confirm"]


# Outages and concurrency.


def test_smtp_down_then_back_delivers_once(
    app, client, auth, episode, smtp, runner, clock
):
    quiet_hosts()
    post(client, email=LEE, notify="y")
    smtp.stop()
    result = deliver(runner)
    assert result.exit_code == 1
    assert "refused the connection" in result.output
    [row] = scalars(sa.select(OutboxMail).where(OutboxMail.kind == "confirm"))
    assert row.status == "queued" and row.attempts == 1
    auth.login()
    account = client.get("/dashboard/account").get_data(as_text=True)
    assert "The last try failed: <q>The SMTP server refused the connection.</q>" in (
        account
    )
    assert "1 mail waits: The SMTP server refused the connection." in client.get(
        "/dashboard"
    ).get_data(as_text=True)
    smtp.start()
    deliver(runner)
    assert smtp.inbox.received == [], "not before the backoff"
    clock.advance(minutes=1, seconds=1)
    assert deliver(runner).exit_code == 0
    deliver(runner)
    clock.advance(hours=1)
    deliver(runner)
    assert len(smtp.inbox.to(LEE)) == 1
    account = client.get("/dashboard/account").get_data(as_text=True)
    assert "The last try failed" not in account
    assert "mail-notice" not in client.get("/dashboard").get_data(as_text=True)


def test_the_host_is_told_when_no_deliverer_takes_the_mail(
    app, client, auth, episode, clock
):
    post(client, email=LEE, notify="y")
    auth.login()
    assert "mail-notice" not in client.get("/dashboard").get_data(as_text=True)
    clock.advance(minutes=16)
    account = client.get("/dashboard/account").get_data(as_text=True)
    assert "has not been sent: is <code>flask --app wsgi hub deliver</code>" in account
    assert (
        "2 mails wait to be sent: the mail deliverer (flask hub deliver) does not "
        "seem to be running."
    ) in client.get("/dashboard").get_data(as_text=True)


def test_a_slow_smtp_server_times_out_and_the_mail_is_retried(
    app, client, episode, smtp, runner, clock
):
    quiet_hosts()
    post(client, email=LEE, notify="y")
    smtp.inbox.delay_s = 3
    result = deliver(runner)
    assert result.exit_code == 1
    assert "did not answer in time" in result.output
    smtp.inbox.delay_s = 0
    clock.advance(minutes=2)
    deliver(runner)
    # The slow server may have kept the first copy after the client gave up:
    # that one is SMTP's doing; ours sends the mail once more, never again.
    assert 1 <= len(smtp.inbox.to(LEE)) <= 2
    clock.advance(hours=1)
    deliver(runner)
    assert len(smtp.inbox.to(LEE)) <= 2
    [row] = scalars(sa.select(OutboxMail).where(OutboxMail.kind == "confirm"))
    assert row.status == "sent"


def test_a_refused_address_fails_for_good_and_the_host_sees_it(
    app, client, auth, episode, smtp, runner
):
    quiet_hosts()

    async def refuse(server, session, envelope, address, rcpt_options):
        return f"550 5.1.1 <{address}>: Recipient address rejected"

    smtp.inbox.handle_RCPT = refuse
    post(client, email=LEE, notify="y")
    result = deliver(runner)
    assert result.exit_code == 1
    [row] = scalars(sa.select(OutboxMail))
    assert row.status == "failed"
    assert "550" in row.last_error and LEE not in row.last_error
    auth.login()
    account = client.get("/dashboard/account").get_data(as_text=True)
    assert "Recipient address rejected" in account
    assert LEE not in account
    assert "refused by the mail server" in client.get("/dashboard").get_data(
        as_text=True
    )


def test_two_deliverers_at_once_send_each_mail_once(app, client, episode, smtp, clock):
    """Two `hub deliver` passes race over the same outbox on a slow server."""
    quiet_hosts()
    for n in range(6):
        post(client, author=f"Listener {n}", email=f"l{n}@example.com", notify="y")
    smtp.inbox.delay_s = 0.1
    from podcast_hub.mail import deliver as delivering

    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            with app.app_context():
                settings = delivering.Settings.from_config()
                barrier.wait()
                delivering.deliver_once(settings, limit=2)
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    recipients = sorted(r for rcpts, _m in smtp.inbox.received for r in rcpts)
    assert recipients == sorted(f"l{n}@example.com" for n in range(6))
