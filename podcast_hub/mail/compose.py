"""Composing mail from what the database says at the time of sending: plain
text and HTML (escaped by Jinja) from `templates/mail/`, the show's name in the
sender and subject, `Date`, `Message-ID` and the unsubscribe headers.

Links are absolute on `BASE_URL`, made when the mail is composed.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from flask import current_app, render_template

from .. import clock
from ..auth import roles
from ..catalog import episodes
from ..conversation import inbox
from ..extensions import db
from ..models import (
    Comment,
    CommentStatus,
    Episode,
    Host,
    HostNotify,
    Invitation,
    MailAddress,
    MailKind,
    OutboxMail,
    Show,
)
from . import addresses, invitations

DIGEST_LIMIT = 50


@dataclass
class Draft:
    """A mail ready to become a message: one recipient, its words and links."""

    to: str
    subject: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    # The one-click unsubscribe URL of a listener's mail.
    unsubscribe: str | None = None


class Skip(Exception):
    """The mail is no longer wanted; the message says why (never an address)."""


class Links:
    """Absolute URLs on `base_url` for the app's endpoints, outside a request."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")
        self.adapter = current_app.url_map.bind("localhost")

    def url(self, endpoint: str, _anchor: str | None = None, **values: Any) -> str:
        """Return the absolute URL of `endpoint` with `values` (and `#_anchor`)."""
        path = self.adapter.build(endpoint, values)
        return self.base + path + (f"#{_anchor}" if _anchor else "")

    def comment(self, episode: Episode, comment: Comment) -> str:
        """Return the link that opens `episode` at `comment`, in view."""
        return self.url(
            "public.episode",
            slug=episode.slug,
            comment=comment.id,
            _anchor=f"comment-{comment.id}",
        )


def draft(mails: Sequence[OutboxMail], links: Links) -> Draft:
    """Return the mail that `mails` (one, or replies to one address) make now.

    Raises Skip when nothing is left to say.
    """
    kind = mails[0].kind
    if kind == MailKind.CONFIRM:
        return _confirm(mails[0], links)
    if kind == MailKind.REPLY:
        return _replies(mails, links)
    if kind == MailKind.HOST_COMMENT:
        return _host_comment(mails[0], links)
    if kind == MailKind.INVITE:
        return _invite(mails[0], links)
    return _digest(mails[0], links)


def _show() -> Show:
    show = episodes.get_show()
    if show is None:
        raise Skip("the show is not set up")
    return show


def _address(mail: OutboxMail) -> MailAddress:
    address = db.session.get(MailAddress, mail.address_id)
    if address is None:
        raise Skip("the address is gone")
    return address


def _confirm(mail: OutboxMail, links: Links) -> Draft:
    show = _show()
    address = _address(mail)
    if address.unsubscribed_at is not None:
        raise Skip("unsubscribed")
    if address.confirmed_at is not None:
        raise Skip("already confirmed")
    comment = db.session.get(Comment, mail.comment_id) if mail.comment_id else None
    episode = db.session.get(Episode, comment.episode_id) if comment else None
    unsubscribe = links.url(
        "mail.unsubscribe", token=addresses.unsubscribe_token(address)
    )
    return Draft(
        to=address.email,
        subject=f"Confirm your address for replies on {show.title}",
        template="confirm",
        context={
            "show": show,
            "episode": episode,
            "confirm_url": links.url(
                "mail.confirm", token=addresses.confirm_token(address)
            ),
            "unsubscribe_url": unsubscribe,
        },
        unsubscribe=unsubscribe,
    )


@dataclass
class ReplyItem:
    """One reply in a listener's mail, with the comment of theirs it answers."""

    reply: Comment
    answered: Comment
    episode: Episode
    moment: int | None
    url: str
    stop_thread_url: str


def _replies(mails: Sequence[OutboxMail], links: Links) -> Draft:
    show = _show()
    address = _address(mails[0])
    items: list[ReplyItem] = []
    reasons: list[str] = []
    for mail in mails:
        try:
            items.append(_reply_item(mail, address, links))
        except Skip as skip:
            reasons.append(str(skip))
    if not items:
        raise Skip(reasons[0] if len(set(reasons)) == 1 else "; ".join(reasons))
    first = items[0]
    if len(items) == 1:
        who = _who(first.reply)
        subject = f"{who} replied to your comment on {first.episode.title}"
    else:
        subject = f"{len(items)} replies to your comments on {show.title}"
    unsubscribe = links.url(
        "mail.unsubscribe", token=addresses.unsubscribe_token(address)
    )
    return Draft(
        to=address.email,
        subject=subject,
        template="replies",
        context={
            "show": show,
            "items": items,
            "who": _who,
            "unsubscribe_url": unsubscribe,
        },
        unsubscribe=unsubscribe,
    )


def _reply_item(mail: OutboxMail, address: MailAddress, links: Links) -> ReplyItem:
    reply = db.session.get(Comment, mail.comment_id) if mail.comment_id else None
    if reply is None or reply.status != CommentStatus.PUBLISHED:
        raise Skip("the reply is no longer published")
    episode = db.session.get_one(Episode, reply.episode_id)
    if not episodes.is_published(episode):
        raise Skip("the episode is not published")
    answered = [
        comment
        for comment in addresses.answered_by(reply)
        if addresses.normal(comment.email or "") == address.email
    ]
    if not answered:
        raise Skip("the reply answers none of their comments")
    reason = addresses.why_not_tell(address, answered[0])
    if reason is not None:
        raise Skip(reason)
    thread_id = addresses.thread_of(answered[0])
    moment = _moment(reply, answered[0])
    return ReplyItem(
        reply=reply,
        answered=answered[0],
        episode=episode,
        moment=moment,
        url=links.comment(episode, reply),
        stop_thread_url=links.url(
            "mail.unsubscribe", token=addresses.unsubscribe_token(address, thread_id)
        ),
    )


def _moment(reply: Comment, answered: Comment) -> int | None:
    """Return the moment a reply is about: its own, else its thread's."""
    comment: Comment | None = reply
    while comment is not None:
        if comment.timestamp_s is not None:
            return comment.timestamp_s
        if comment is reply:
            comment = answered
        elif comment.parent_id is not None:
            comment = db.session.get(Comment, comment.parent_id)
        else:
            comment = None
    return None


def _who(comment: Comment) -> str:
    return f"{comment.author} (host)" if comment.is_host else comment.author


def _host(mail: OutboxMail) -> Host:
    host = db.session.get(Host, mail.host_id)
    if host is None:
        raise Skip("the host is gone")
    return host


def _host_comment(mail: OutboxMail, links: Links) -> Draft:
    show = _show()
    host = _host(mail)
    if host.notify != HostNotify.EACH:
        raise Skip("the host no longer wants a mail per comment")
    comment = db.session.get(Comment, mail.comment_id) if mail.comment_id else None
    if comment is None:
        raise Skip("the comment is gone")
    if inbox.is_in(comment.id, "moderation"):
        tab = "moderation"
    elif inbox.is_in(comment.id, "needs-reply"):
        tab = "needs-reply"
    else:
        raise Skip("the comment needs nothing any more")
    episode = db.session.get_one(Episode, comment.episode_id)
    held = tab == "moderation"
    what = "awaits your approval" if held else "needs a reply"
    return Draft(
        to=host.email,
        subject=f"{comment.author} on {episode.title}: a comment {what}",
        template="host_comment",
        context={
            "show": show,
            "host": host,
            "comment": comment,
            "episode": episode,
            "held": held,
            "inbox_url": links.url(
                "dashboard.index", tab="moderation" if held else None
            ),
            "page_url": None if held else links.comment(episode, comment),
            "account_url": links.url("dashboard.account"),
        },
    )


def _digest(mail: OutboxMail, links: Links) -> Draft:
    show = _show()
    host = _host(mail)
    if host.notify != HostNotify.DIGEST:
        raise Skip("the host no longer wants a digest")
    rows = inbox.oldest("needs-reply", DIGEST_LIMIT + 1)
    held = inbox.counts()["moderation"]
    if not rows and not held:
        raise Skip("nothing needs a reply")
    total = inbox.counts()["needs-reply"]
    items = [(row, links.comment(row.episode, row.comment)) for row in rows]
    return Draft(
        to=host.email,
        subject=(
            f"{show.title}: 1 comment needs a reply"
            if total == 1
            else f"{show.title}: {total:,} comments need a reply"
        ),
        template="digest",
        context={
            "show": show,
            "host": host,
            "items": items[:DIGEST_LIMIT],
            "total": total,
            "held": held,
            "inbox_url": links.url("dashboard.index"),
            "moderation_url": links.url("dashboard.index", tab="moderation"),
            "account_url": links.url("dashboard.account"),
        },
    )


def _invite(mail: OutboxMail, links: Links) -> Draft:
    show = _show()
    invitation = db.session.get(Invitation, mail.invitation_id)
    if invitation is None or not invitations.is_pending(invitation):
        raise Skip("the invitation was answered or withdrawn")
    if invitations.is_expired(invitation):
        raise Skip("the invitation expired")
    if mail.created_at < invitation.sent_at:
        raise Skip("the invitation was sent again since")
    inviter = invitation.invited_by
    return Draft(
        to=invitation.email,
        subject=f"You are invited to host {show.title}",
        template="invite",
        context={
            "show": show,
            "inviter": inviter.display_name if inviter else None,
            "role": roles.label(invitation.role),
            "role_description": roles.DESCRIPTIONS[invitation.role],
            "join_url": links.url(
                "mail.join", token=invitations.link_token(invitation)
            ),
            "expires_at": invitation.expires_at,
        },
    )


def message(draft: Draft, mail_from: str) -> EmailMessage:
    """Return `draft` as a multipart message (plain text, then HTML) from
    `mail_from`'s address under the show's name."""
    show = episodes.get_show()
    name, sender = parseaddr(mail_from)
    local, _, domain = sender.rpartition("@")
    display = _one_line(show.title if show else name)
    msg = EmailMessage()
    msg["From"] = Address(display_name=display, username=local, domain=domain)
    msg["To"] = draft.to
    msg["Subject"] = _one_line(draft.subject)
    msg["Date"] = format_datetime(clock.now())
    msg["Message-ID"] = make_msgid(domain=domain or None)
    msg["Auto-Submitted"] = "auto-generated"
    if draft.unsubscribe:
        msg["List-Unsubscribe"] = f"<{draft.unsubscribe}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    context = {**draft.context, "subject": draft.subject}
    msg.set_content(render_template(f"mail/messages/{draft.template}.txt", **context))
    msg.add_alternative(
        render_template(f"mail/messages/{draft.template}.html", **context),
        subtype="html",
    )
    return msg


def _one_line(text: str) -> str:
    return " ".join(text.split())
