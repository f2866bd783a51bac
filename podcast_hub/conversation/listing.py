"""An episode's whole published conversation as the API lists it, read as rows.

The same threads, replies and fields as `comments.thread` and
`comments.to_json`, built straight from the few columns the JSON shows: no ORM
objects, no `Node`s, one prebuilt statement. Players and other sites that
show the conversation fetch it whole, again and again, and at a hundred
comments its fixed costs were most of its time (bench/README.md).
"""

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Comment, CommentStatus
from ..text import plain
from . import order

# The columns the JSON shows, and those that order threads; oldest first, as
# replies are listed. Built once: SQLAlchemy keeps its compiled form.
_ROWS = (
    sa.select(
        Comment.id,
        Comment.parent_id,
        Comment.author,
        Comment.body,
        Comment.timestamp_s,
        Comment.created_at,
        Comment.is_host,
        Comment.pinned,
    )
    .where(
        Comment.episode_id == sa.bindparam("episode_id"),
        Comment.status == CommentStatus.PUBLISHED,
    )
    .order_by(Comment.created_at, Comment.id)
)
_PUBLISHED = str(CommentStatus.PUBLISHED)


def conversation(episode_id: int) -> tuple[int, list[dict[str, Any]]]:
    """Return (how many comments, the top-level comments' JSON) of an episode.

    Each comment is the JSON `comments.to_json` gives a published one, its
    `replies` oldest first at every level; threads in `order.Sort.MOMENT`. A
    reply whose parent is not published is left out, with its own replies, as
    on the page. The keys of each object are in sorted order, as Flask writes
    them: a writer that keeps the order writes the same bytes.
    """
    rows = db.session.connection().execute(_ROWS, {"episode_id": episode_id}).all()
    found: dict[int, dict[str, Any]] = {}
    tops = []
    for id_, parent_id, author, body, timestamp_s, created_at, is_host, _ in rows:
        found[id_] = {
            "author": author,
            "body": body,
            "body_html": str(plain.paragraphs(body)),
            "created_at": created_at.isoformat().replace("+00:00", "Z"),
            "id": id_,
            "is_host": is_host,
            "parent_id": parent_id,
            "replies": [],
            "status": _PUBLISHED,
            "timestamp": timestamp_s,
        }
    # Replies in a second pass: a parent may (in imported data) be newer.
    for row in rows:
        if row.parent_id is None:
            tops.append(row)
        elif (parent := found.get(row.parent_id)) is not None:
            parent["replies"].append(found[row.id])
    threads = [found[row.id] for row in order.sorted_threads(tops)]
    return _count(threads), threads


def _count(threads: Iterable[dict[str, Any]]) -> int:
    """Return how many comments `threads` hold, replies at any depth included."""
    stack = list(threads)
    total = 0
    while stack:
        comment = stack.pop()
        total += 1
        stack.extend(comment["replies"])
    return total
