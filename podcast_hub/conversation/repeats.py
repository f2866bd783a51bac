"""A post sent again — a double click, a retry after a lost answer — is stored
once: each composed comment carries a key, and a repeat finds the first post.

A key arrives already bound to its poster (`web.commenting.posting_key`), so a
key copied from another visitor's page finds nothing of theirs. Beside it the
comment keeps a digest of what was sent: the same key with other words is a
mistake (a form used twice), answered with KeyReused, never the first comment
in place of the new one.
"""

import hashlib
import json

import sqlalchemy as sa

from ..errors import ValidationFailed
from ..extensions import db
from ..models import Comment

KEY_REUSED = (
    "This form was already used for another comment. Your words are below: "
    "post them again to add them as a new comment."
)


class KeyReused(ValidationFailed):
    """A posting key came back with different words (422 Unprocessable)."""

    status = 422

    def __init__(self) -> None:
        super().__init__({}, message=KEY_REUSED)


def digest(**sent: object) -> str:
    """Return a digest of what a poster sent, field by field."""
    text = json.dumps(sent, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def earlier_post(key: str, sent_digest: str) -> Comment | None:
    """Return the comment stored under `key`, or None.

    Raises KeyReused when it was stored from different words.
    """
    # Nearly every key is new: look for it by its unique index alone, and load
    # the comment only when it is there.
    found = db.session.connection().execute(_BY_KEY, {"key": key}).first()
    if found is None:
        return None
    if found.posting_digest != sent_digest:
        raise KeyReused()
    return db.session.get_one(Comment, found.id)


# Run for every post: built once (SQLAlchemy keeps its compiled form), on the
# table itself, which spares the ORM's work for two plain columns.
_TABLE: sa.Table = Comment.__table__  # type: ignore[assignment]
_BY_KEY = sa.select(_TABLE.c.id, _TABLE.c.posting_digest).where(
    _TABLE.c.posting_key == sa.bindparam("key")
)
