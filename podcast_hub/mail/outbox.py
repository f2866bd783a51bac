"""The outbox: a row per mail, queued in the transaction of the event that
causes it, claimed by one deliverer at a time, retried with backoff.

Claiming is one UPDATE of rows still `queued` (or `sending` past a dead
deliverer's lease) to `sending` under the deliverer's claim id: SQLite runs
it alone, and PostgreSQL re-checks the condition on rows another deliverer
changed meanwhile and skips the rows it has locked (`FOR UPDATE SKIP LOCKED`).
A row whose claim id is yours is yours alone.
"""

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from .. import clock
from ..conversation import events
from ..extensions import db, insert_skipping_taken, skips_taken
from ..models import (
    Comment,
    CommentStatus,
    Host,
    HostNotify,
    MailAddress,
    MailKind,
    MailStatus,
    OutboxMail,
    UTCDateTime,
)
from . import addresses

# How long a claim holds: longer than a pass of sends, each within the timeout.
LEASE = timedelta(minutes=15)
# Retries wait 1, 2, 4 … minutes, at most MAX_BACKOFF; after GIVE_UP a mail fails.
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=2)
GIVE_UP = timedelta(days=3)
FAILED_SHOWN = 20
# Mail due this long ago and still queued means no deliverer is running.
OVERDUE = timedelta(minutes=15)


def queue(
    key: str,
    kind: MailKind,
    *,
    address_id: int | None = None,
    host_id: int | None = None,
    comment_id: int | None = None,
    invitation_id: int | None = None,
    due_at: datetime | None = None,
) -> OutboxMail | None:
    """Add a mail to the session unless `key` was queued before; return it.

    Does not commit: the caller's transaction holds the event and its mail.
    """
    known = sa.select(OutboxMail.id).where(OutboxMail.key == key)
    if db.session.scalar(known) is not None:
        return None
    now = clock.now()
    mail = OutboxMail(
        key=key,
        kind=kind,
        address_id=address_id,
        host_id=host_id,
        comment_id=comment_id,
        invitation_id=invitation_id,
        created_at=now,
        due_at=due_at or now,
    )
    db.session.add(mail)
    return mail


@events.listen
def on_comment(comment: Comment, before: str | None) -> None:
    """Queue the mail a new comment, or one moderation let through, causes."""
    published = comment.status == CommentStatus.PUBLISHED
    if before is None and not comment.is_host:
        if comment.notify and comment.email and comment.status != CommentStatus.SPAM:
            address = addresses.opt_in(comment)
            if address is not None:
                stamp = clock.now().strftime("%Y%m%d%H%M%S")
                queue(
                    f"confirm:{address.id}:{stamp}",
                    MailKind.CONFIRM,
                    address_id=address.id,
                    comment_id=comment.id,
                )
        if published or comment.status == CommentStatus.PENDING:
            _tell_hosts(comment)
    if published and before != CommentStatus.PUBLISHED:
        _tell_listeners(comment)


def _tell_listeners(reply: Comment) -> None:
    due = clock.now() + timedelta(seconds=current_app.config["MAIL_BATCH_S"])
    for recipient in addresses.recipients(reply):
        queue(
            f"reply:{recipient.address_id}:{reply.id}",
            MailKind.REPLY,
            address_id=recipient.address_id,
            comment_id=reply.id,
            due_at=due,
        )


def _tell_hosts(comment: Comment) -> None:
    """Queue a mail about `comment` for each host who wants one mail a comment.

    It runs for every post: one INSERT … SELECT that skips a key already queued
    writes the rows `queue` would (key `host:<host id>:<comment id>`).
    """
    dialect = db.session.get_bind().dialect.name
    if not skips_taken(dialect):
        hosts = sa.select(Host.id).where(Host.notify == HostNotify.EACH)
        for host_id in db.session.scalars(hosts):
            queue(
                f"host:{host_id}:{comment.id}",
                MailKind.HOST_COMMENT,
                host_id=host_id,
                comment_id=comment.id,
            )
        return
    params = {"key_end": f":{comment.id}", "comment_id": comment.id, "now": clock.now()}
    db.session.connection().execute(_host_mail_insert(dialect), params)


@functools.cache
def _host_mail_insert(dialect: str) -> Any:
    """Return `_tell_hosts`'s INSERT … SELECT for `dialect`, built once: bound
    are `key_end` (":<comment id>"), `comment_id` and `now`."""
    hosts: sa.Table = Host.__table__  # type: ignore[assignment]
    now = sa.bindparam("now", type_=UTCDateTime())
    rows = sa.select(
        sa.literal("host:")
        + sa.cast(hosts.c.id, sa.String)
        + sa.bindparam("key_end", type_=sa.String),
        sa.literal(MailKind.HOST_COMMENT, sa.String),
        sa.literal(MailStatus.QUEUED, sa.String),
        hosts.c.id,
        sa.bindparam("comment_id", type_=sa.Integer),
        now,
        now,
        sa.literal(0, sa.Integer),
    ).where(hosts.c.notify == HostNotify.EACH)
    columns = [
        "key",
        "kind",
        "status",
        "host_id",
        "comment_id",
        "created_at",
        "due_at",
        "attempts",
    ]
    insert = insert_skipping_taken(OutboxMail.__table__, dialect)
    return insert.from_select(columns, rows)


def _claimable(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(OutboxMail.status == MailStatus.QUEUED, OutboxMail.due_at <= now),
        sa.and_(
            OutboxMail.status == MailStatus.SENDING, OutboxMail.claimed_until < now
        ),
    )


def _take(claim: str, now: datetime, where: sa.ColumnElement[bool], limit: int) -> int:
    chosen = (
        sa.select(OutboxMail.id)
        .where(where)
        .order_by(OutboxMail.due_at, OutboxMail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    update = (
        sa.update(OutboxMail)
        .where(OutboxMail.id.in_(chosen.scalar_subquery()), where)
        .values(
            status=MailStatus.SENDING,
            claim=claim,
            claimed_until=now + LEASE,
            attempts=OutboxMail.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    taken = cast(sa.CursorResult, db.session.execute(update)).rowcount
    db.session.commit()
    return taken


def claim(claim: str, limit: int = 50) -> list[OutboxMail]:
    """Claim up to `limit` due mails for deliverer `claim`; return them.

    A reply claimed brings along the other replies queued for its address, due
    or not: they go out in one mail.
    """
    now = clock.now()
    _take(claim, now, _claimable(now), limit)
    mine = _mine(claim)
    for address_id in {m.address_id for m in mine if m.kind == MailKind.REPLY}:
        batch = sa.and_(
            OutboxMail.status == MailStatus.QUEUED,
            OutboxMail.kind == MailKind.REPLY,
            OutboxMail.address_id == address_id,
        )
        if _take(claim, now, batch, 1000):
            mine = _mine(claim)
    return list(mine)


def _mine(claim: str) -> Sequence[OutboxMail]:
    query = (
        sa.select(OutboxMail)
        .where(OutboxMail.claim == claim, OutboxMail.status == MailStatus.SENDING)
        .order_by(OutboxMail.due_at, OutboxMail.id)
    )
    return db.session.scalars(query).all()


def sent(mails: Sequence[OutboxMail], message_id: str) -> None:
    """Record `mails` as sent in one message `message_id`."""
    now = clock.now()
    for mail in mails:
        mail.status = MailStatus.SENT
        mail.sent_at = now
        mail.message_id = message_id
        mail.claim = None
        mail.claimed_until = None
        mail.last_error = None
    db.session.commit()


def skipped(mails: Sequence[OutboxMail], reason: str) -> None:
    """Record that `mails` are no longer wanted, and why."""
    _settle(mails, MailStatus.SKIPPED, reason)


def failed(mails: Sequence[OutboxMail], error: str) -> None:
    """Record that the SMTP server refused `mails` for good."""
    _settle(mails, MailStatus.FAILED, error)


def _settle(mails: Sequence[OutboxMail], status: MailStatus, why: str) -> None:
    """Give `mails` their last status and why; their claim is let go."""
    for mail in mails:
        mail.status = status
        mail.last_error = why
        mail.claim = None
        mail.claimed_until = None
    db.session.commit()


def retry_later(mails: Sequence[OutboxMail], error: str) -> None:
    """Put `mails` back in the queue after a backoff; fail those too old."""
    now = clock.now()
    for mail in mails:
        mail.claim = None
        mail.claimed_until = None
        if now - mail.created_at > GIVE_UP:
            mail.status = MailStatus.FAILED
            mail.last_error = f"Gave up after {mail.attempts} attempts: {error}"
            continue
        mail.status = MailStatus.QUEUED
        mail.last_error = error
        mail.due_at = now + backoff(mail.attempts)
    db.session.commit()


def backoff(attempts: int) -> timedelta:
    """Return how long to wait after `attempts` failed attempts."""
    return min(FIRST_BACKOFF * 2 ** max(0, attempts - 1), MAX_BACKOFF)


def release_unconfirmed(address: MailAddress, since: datetime) -> None:
    """Queue again the replies held back from `address` since `since` because it
    was not confirmed yet. Does not commit."""
    db.session.execute(
        sa.update(OutboxMail)
        .where(
            OutboxMail.address_id == address.id,
            OutboxMail.kind == MailKind.REPLY,
            OutboxMail.status == MailStatus.SKIPPED,
            OutboxMail.last_error == "unconfirmed",
            OutboxMail.created_at >= since,
        )
        .values(status=MailStatus.QUEUED, due_at=clock.now(), last_error=None)
        .execution_options(synchronize_session=False)
    )


@dataclass
class Summary:
    """What the host sees of the outbox: waiting mail, and mail that failed."""

    waiting: int
    oldest_waiting: datetime | None
    failed: list[OutboxMail]
    failed_total: int
    # Why waiting mail failed at its last try (the server down, slow, busy).
    retry_error: str | None = None
    # When the mail due longest ago was due, if no deliverer has taken it since.
    overdue_since: datetime | None = None


def summary() -> Summary:
    """Return the outbox as the dashboard shows it."""
    # The latest error of mail put back in the queue, in the same statement.
    retried = so.aliased(OutboxMail)
    latest_error = (
        sa.select(retried.last_error)
        .where(retried.status == MailStatus.QUEUED, retried.last_error.is_not(None))
        .order_by(retried.due_at.desc(), retried.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    waiting = sa.select(
        sa.func.count(OutboxMail.id),
        sa.func.min(OutboxMail.created_at),
        sa.func.min(OutboxMail.due_at).filter(OutboxMail.status == MailStatus.QUEUED),
        latest_error,
    )
    count, oldest, first_due, retry_error = db.session.execute(
        waiting.where(OutboxMail.status.in_((MailStatus.QUEUED, MailStatus.SENDING)))
    ).one()
    overdue = first_due if first_due and first_due < clock.now() - OVERDUE else None
    failed_rows = sa.select(OutboxMail).where(OutboxMail.status == MailStatus.FAILED)
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(failed_rows.subquery())
    )
    shown = db.session.scalars(
        failed_rows.order_by(OutboxMail.created_at.desc()).limit(FAILED_SHOWN)
    ).all()
    return Summary(count, oldest, list(shown), total or 0, retry_error, overdue)


def send_again(mail_id: int) -> bool:
    """Queue a failed mail again, due now; return whether there was one."""
    mail = db.session.get(OutboxMail, mail_id)
    if mail is None or mail.status != MailStatus.FAILED:
        return False
    mail.status = MailStatus.QUEUED
    mail.due_at = clock.now()
    mail.created_at = clock.now()
    db.session.commit()
    return True
