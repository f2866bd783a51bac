"""Listeners' addresses: opting in, confirming, unsubscribing, and who is told
of a reply.

An address that opts in gets one confirmation mail (again only after
RESEND_AFTER, if it opts in again unconfirmed) and nothing else until it is
confirmed. "Everything from this show" stops all mail to it, confirmations
too, until it subscribes again from a link it was sent; "this thread" mutes
one thread, until the listener asks again for replies in that thread.
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from .. import clock
from ..errors import ValidationFailed
from ..extensions import db, insert_skipping_taken
from ..models import Comment, CommentStatus, MailAddress, MailMute
from . import tokens

RESEND_AFTER = timedelta(hours=24)
NOT_A_LINK = "This link is not valid: it may have been cut short in your mail."


def normal(email: str) -> str:
    """Return an address as stored: trimmed, lower-case."""
    return email.strip().lower()


def find(email: str | None) -> MailAddress | None:
    """Return the stored row of `email`, or None."""
    if not email:
        return None
    query = sa.select(MailAddress).where(MailAddress.email == normal(email))
    return db.session.scalar(query)


def opt_in(comment: Comment) -> MailAddress | None:
    """Record that `comment`'s author wants replies; return the address row if a
    confirmation mail is due now (the caller queues it), else None.

    Must run in the comment's transaction; does not commit.
    """
    assert comment.email
    address = find(comment.email)
    now = clock.now()
    if address is None:
        # Two comments from one new address at once: the second insert skips
        # the row the first wrote and both go on with that one.
        new = {"email": normal(comment.email), "created_at": now}
        db.session.execute(insert_skipping_taken(MailAddress).values(new))
        address = find(comment.email)
        assert address is not None
    if address.unsubscribed_at is not None:
        return None
    db.session.execute(
        sa.delete(MailMute).where(
            MailMute.address_id == address.id,
            MailMute.thread_id == thread_of(comment),
        )
    )
    if address.confirmed_at is not None:
        return None
    sent = address.confirmation_sent_at
    if sent is not None and now - sent < RESEND_AFTER:
        return None
    address.confirmation_sent_at = now
    return address


def thread_of(comment: Comment) -> int:
    """Return the id of the top-level comment of `comment`'s thread."""
    while comment.parent_id is not None:
        comment = db.session.get_one(Comment, comment.parent_id)
    return comment.id


@dataclass
class Recipient:
    """A listener to tell of a reply: their address and their comment it answers."""

    address_id: int
    answered: Comment


def answered_by(reply: Comment) -> list[Comment]:
    """Return the listeners' comments that `reply` answers and that asked for mail.

    The comment it replies to; and at the third level, where a deeper reply
    attaches beside the comment it answers and starts with "@Name", the latest
    earlier comment there by that name. A listener is not told of their own reply.
    """
    found: list[Comment] = []
    if reply.parent_id is None:
        return found
    parent = db.session.get_one(Comment, reply.parent_id)
    found.append(parent)
    if reply.body.startswith("@"):
        query = (
            sa.select(Comment)
            .where(
                Comment.parent_id == parent.id,
                Comment.id != reply.id,
                Comment.created_at <= reply.created_at,
                Comment.is_host.is_(False),
            )
            .order_by(Comment.created_at.desc(), Comment.id.desc())
        )
        for sibling in db.session.scalars(query):
            if reply.body.startswith(f"@{sibling.author} "):
                found.append(sibling)
                break
    own = normal(reply.email) if reply.email else None
    return [
        comment
        for comment in found
        if comment.notify and comment.email and normal(comment.email) != own
    ]


def recipients(reply: Comment) -> list[Recipient]:
    """Return who asked to be told of `reply`, one per address; confirmed or not
    (that is decided when the mail is sent)."""
    found: dict[int, Recipient] = {}
    for comment in answered_by(reply):
        address = find(comment.email)
        if address is not None and address.unsubscribed_at is None:
            found.setdefault(address.id, Recipient(address.id, comment))
    return list(found.values())


def why_not_tell(address: MailAddress, answered: Comment) -> str | None:
    """Return why `address` should not be told of a reply to `answered` now, or
    None: unconfirmed, unsubscribed, thread muted, their comment gone."""
    if address.unsubscribed_at is not None:
        return "unsubscribed"
    if address.confirmed_at is None:
        return "unconfirmed"
    if answered.status != CommentStatus.PUBLISHED or not answered.notify:
        return "their comment is no longer published"
    muted = sa.select(MailMute.id).where(
        MailMute.address_id == address.id,
        MailMute.thread_id == thread_of(answered),
    )
    if db.session.scalar(muted) is not None:
        return "thread muted"
    return None


def confirm_token(address: MailAddress) -> str:
    """Return the token of `address`'s confirmation link."""
    return tokens.make(
        tokens.CONFIRM, a=address.id, f=tokens.fingerprint(address.email)
    )


def unsubscribe_token(address: MailAddress, thread_id: int | None = None) -> str:
    """Return the token of an unsubscribe link: for `thread_id`, or the whole show."""
    return tokens.make(
        tokens.UNSUBSCRIBE,
        a=address.id,
        f=tokens.fingerprint(address.email),
        t=thread_id,
    )


@dataclass
class Link:
    """What a confirm or unsubscribe token names."""

    address: MailAddress
    thread: Comment | None = None


def read_link(purpose: str, token: str) -> Link:
    """Return the address (and thread) a token names; raise ValidationFailed
    otherwise."""
    data = tokens.read(purpose, token)
    if data is None or not isinstance(data.get("a"), int):
        raise ValidationFailed({"token": [NOT_A_LINK]}, message=NOT_A_LINK)
    address = db.session.get(MailAddress, data["a"])
    if address is None or tokens.fingerprint(address.email) != data.get("f"):
        raise ValidationFailed({"token": [NOT_A_LINK]}, message=NOT_A_LINK)
    thread_id = data.get("t")
    thread = db.session.get(Comment, thread_id) if isinstance(thread_id, int) else None
    return Link(address, thread)


def confirm(address: MailAddress) -> None:
    """Confirm `address`: replies it asked for are mailed from now on.

    Reply mails held back in the last RESEND_AFTER because it was not confirmed
    yet are queued again. Pressing "yes" also undoes an earlier "stop all mail":
    it is the listener asking again, from a link they were sent.
    """
    from . import outbox

    now = clock.now()
    address.unsubscribed_at = None
    if address.confirmed_at is None:
        address.confirmed_at = now
        outbox.release_unconfirmed(address, since=now - RESEND_AFTER)
    db.session.commit()


def unsubscribe(address: MailAddress, thread: Comment | None) -> None:
    """Stop mail to `address` about `thread`, or (None) everything from the show."""
    if thread is None:
        if address.unsubscribed_at is None:
            address.unsubscribed_at = clock.now()
    else:
        # The button pressed twice, or in two tabs, at once: one row.
        mute = {"address_id": address.id, "thread_id": thread_of(thread)}
        db.session.execute(insert_skipping_taken(MailMute).values(mute))
    db.session.commit()


def resubscribe(address: MailAddress) -> None:
    """Undo "everything from this show": replies asked for are mailed again."""
    address.unsubscribed_at = None
    db.session.commit()
