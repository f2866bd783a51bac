"""Whether a host answered: one rule for the inbox, the threads, the episode page
and insights.

An answer is a host's published comment. It answers the comment it replies to;
at the third level, where deeper replies attach beside the comment they answer
(`comments.MAX_DEPTH`), it also answers the comments beside it posted before it.
A thread is answered when an answer stands among its replies, below published
comments only; its first answer, by time, says who answered and how soon.
"""

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..models import Comment, CommentStatus


def is_answer(comment: Comment) -> bool:
    """Tell whether `comment` answers what it replies to: a host's, published."""
    return comment.is_host and comment.status == CommentStatus.PUBLISHED


def answer(entity: Any = Comment) -> Any:
    """Return the SQL condition that `entity` is an answer (see `is_answer`)."""
    return sa.and_(entity.is_host.is_(True), entity.status == CommentStatus.PUBLISHED)


def first_answer(replies: Iterable[Comment]) -> Comment | None:
    """Return the earliest answer among `replies`, or None."""
    answers = [reply for reply in replies if is_answer(reply)]
    return min(answers, key=lambda c: (c.created_at, c.id), default=None)


def comment_answered() -> Any:
    """Return the SQL condition: an answer answers this `Comment`.

    Directly below it; or, for a comment at the third level, beside it (under
    the same parent) and posted at the same time or later.
    """
    reply = so.aliased(Comment)
    parent = so.aliased(Comment)
    at_third_level = (
        sa.select(parent.id)
        .where(parent.id == Comment.parent_id, parent.parent_id.is_not(None))
        .exists()
    )
    return (
        sa.select(reply.id)
        .where(
            answer(reply),
            sa.or_(
                reply.parent_id == Comment.id,
                sa.and_(
                    at_third_level,
                    reply.parent_id == Comment.parent_id,
                    reply.created_at >= Comment.created_at,
                ),
            ),
        )
        .exists()
    )


def thread_answered() -> Any:
    """Return the SQL condition: an answer stands in the thread this top-level
    `Comment` starts, at the second level or below a published second-level one."""
    reply = so.aliased(Comment)
    middle = so.aliased(Comment)
    under_root = (
        sa.select(middle.id)
        .where(
            middle.parent_id == Comment.id,
            middle.status == CommentStatus.PUBLISHED,
        )
        .correlate(Comment)
    )
    return (
        sa.select(reply.id)
        .where(
            answer(reply),
            sa.or_(reply.parent_id == Comment.id, reply.parent_id.in_(under_root)),
        )
        .correlate(Comment)
        .exists()
    )
