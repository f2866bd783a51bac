"""Rendered feeds kept in the database, read by every worker and machine.

One row per feed path holds the bytes of the version last rendered there. A
worker that finds the row at the version it is about to serve sends those
bytes; one that does not renders the feed and writes the row. So the first poll
after a change renders the feed once, not once per worker; each worker then
keeps the bytes in its own memory (`views._Rendered`) as before.

A row that cannot be written (the database takes no writes, another worker
wrote it first) costs nothing but this sharing: the feed is served all the same.
"""

from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app

from .. import clock
from ..extensions import db
from ..models import RenderedFeed


def body(
    path: str,
    key: str,
    render: Callable[[], bytes],
    stored: Callable[[bytes], None] | None = None,
) -> bytes:
    """Return the feed's bytes at `key`: the stored ones, else rendered and stored.

    `stored` is called with bytes another worker rendered, when they are found.
    """
    table = RenderedFeed.__table__
    found = (
        db.session.connection()
        .execute(
            sa.select(table.c.body).where(table.c.path == path, table.c.key == key)
        )
        .scalar()
    )
    if found is not None:
        if stored is not None:
            stored(bytes(found))
        return bytes(found)
    rendered = render()
    _store(path, key, rendered)
    return rendered


def _store(path: str, key: str, rendered: bytes) -> None:
    table = RenderedFeed.__table__
    values = {"key": key, "body": rendered, "rendered_at": clock.now()}
    try:
        # A GET's session has only read: ending its transaction loses nothing.
        connection = db.session.connection()
        updated = connection.execute(
            sa.update(RenderedFeed).where(table.c.path == path).values(**values)
        )
        if updated.rowcount == 0:
            connection.execute(sa.insert(RenderedFeed).values(path=path, **values))
        db.session.commit()
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        current_app.logger.warning("feed %s not shared: %s", path, error)
