"""Taking back what an inbox action did: each comment's state before and after
it, and the block or trust decisions it made.

A record is plain JSON (lists, strings, numbers), so that the dashboard can keep
it in the host's session. Undoing puts back only the comments that are still as
the action left them: a change made since is never overwritten.
"""

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa

from ..extensions import db
from ..models import Comment, PersonRule
from . import events

# [status, reply_not_needed, pinned, deleted_at (ISO 8601) or None]
State = list[Any]
Record = dict[str, Any]


def _state(comment: Comment) -> State:
    deleted = comment.deleted_at.isoformat() if comment.deleted_at else None
    return [
        comment.status,
        bool(comment.reply_not_needed),
        bool(comment.pinned),
        deleted,
    ]


def _load(comment_ids: Collection[int]) -> list[Comment]:
    if not comment_ids:
        return []
    query = sa.select(Comment).where(Comment.id.in_(set(comment_ids)))
    return list(db.session.scalars(query))


def snapshot(comment_ids: Collection[int]) -> dict[int, State]:
    """Return the state of these comments now, before an action."""
    return {comment.id: _state(comment) for comment in _load(comment_ids)}


def record(before: dict[int, State], rules: Iterable[PersonRule | None] = ()) -> Record:
    """Return what changed since `before` (from `snapshot`), with the decisions
    the action made, as a record `undo` takes back."""
    changed = []
    for comment in _load(before.keys()):
        after = _state(comment)
        if after != before[comment.id]:
            changed.append([comment.id, before[comment.id], after])
    return {"comments": changed, "rules": [rule.id for rule in rules if rule]}


def is_empty(change: Record) -> bool:
    """Tell whether a record holds nothing to take back."""
    return not change.get("comments") and not change.get("rules")


def undo(change: Record) -> int:
    """Put back what `change` did; return how many comments and decisions were
    taken back. One transaction."""
    rows = {row[0]: row for row in change.get("comments", [])}
    undone = 0
    for comment in _load(rows.keys()):
        _id, before, after = rows[comment.id]
        if _state(comment) != after:
            continue
        status, not_needed, pinned, deleted_at = before
        was = comment.status
        comment.status = status
        comment.reply_not_needed = not_needed
        comment.pinned = pinned
        comment.deleted_at = datetime.fromisoformat(deleted_at) if deleted_at else None
        if comment.status != was:
            events.changed(comment, was)
        undone += 1
    rule_ids = [int(i) for i in change.get("rules", [])]
    if rule_ids:
        query = sa.delete(PersonRule).where(PersonRule.id.in_(rule_ids))
        undone += cast(sa.CursorResult, db.session.execute(query)).rowcount
    db.session.commit()
    return undone
