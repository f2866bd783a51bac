"""What mail each host gets about new comments, and the daily digests."""

from datetime import datetime, time
from typing import cast

import sqlalchemy as sa

from .. import clock
from ..errors import ValidationFailed
from ..extensions import db
from ..models import Host, HostNotify, MailKind
from . import outbox

CHOICES = {
    HostNotify.EACH: "A mail for every new comment that needs a reply or approval",
    HostNotify.DIGEST: "A daily digest of what needs a reply, oldest first",
    HostNotify.NONE: "No mail: I check the dashboard",
}


def set_notify(host: Host, choice: str) -> None:
    """Choose what mail `host` gets; raise ValidationFailed for an unknown choice."""
    if choice not in tuple(HostNotify):
        raise ValidationFailed({"notify": ["Choose one of the kinds of mail."]})
    if choice == HostNotify.DIGEST and host.notify != HostNotify.DIGEST:
        # The first digest comes at the next digest hour, not at once.
        host.digest_at = clock.now()
    host.notify = choice
    db.session.commit()


def queue_digests(hour: int) -> int:
    """Queue today's digest for each host who chose one and has not had it;
    return how many were queued. From `hour` (UTC) on, once a day.

    A host's digest is taken by one UPDATE of their `digest_at`: of two
    deliverers at once, one queues it.
    """
    now = clock.now()
    start = datetime.combine(now.date(), time(hour), tzinfo=now.tzinfo)
    if now < start:
        return 0
    query = sa.select(Host.id).where(
        Host.notify == HostNotify.DIGEST,
        sa.or_(Host.digest_at.is_(None), Host.digest_at < start),
    )
    queued = 0
    for host_id in db.session.scalars(query).all():
        taken = db.session.execute(
            sa.update(Host)
            .where(
                Host.id == host_id,
                sa.or_(Host.digest_at.is_(None), Host.digest_at < start),
            )
            .values(digest_at=now)
            .execution_options(synchronize_session=False)
        )
        if cast(sa.CursorResult, taken).rowcount:
            key = f"digest:{host_id}:{now.date().isoformat()}"
            if outbox.queue(key, MailKind.DIGEST, host_id=host_id) is not None:
                queued += 1
        db.session.commit()
    return queued
