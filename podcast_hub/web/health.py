"""Whether the database answers and takes writes, for `/healthz`."""

import sqlalchemy as sa

from .. import clock
from ..extensions import db
from ..models import Heartbeat

HEARTBEAT_ID = 1


def database_health() -> str:
    """Return "ok", or the part that failed: "unreachable" (no answer to a
    read) or "read-only" (a write fails: a full disk, a read-only server).

    The write is the heartbeat row's time, committed: one small row however
    often the probe runs, and a real commit, which is what a full disk stops.
    """
    try:
        db.session.execute(sa.select(1))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return "unreachable"
    try:
        now = clock.now()
        changed = db.session.execute(
            sa.update(Heartbeat)
            .where(Heartbeat.id == HEARTBEAT_ID)
            .values(written_at=now)
        )
        if not getattr(changed, "rowcount", 0):
            db.session.add(Heartbeat(id=HEARTBEAT_ID, written_at=now))
        db.session.commit()
    except sa.exc.IntegrityError:
        # Another worker wrote the first heartbeat at the same moment.
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return "read-only"
    return "ok"
