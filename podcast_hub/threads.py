"""The conversation as the episode page reads it: pages of threads, sorted and
filtered, the page that holds a given comment, and the moments for the timeline.

Each function costs the same few queries whatever the size of the conversation:
a page loads its top-level comments, then their replies in one recursive query.
"""

import math
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from .comments import MAX_DEPTH, Node
from .extensions import db
from .models import Comment

SORTS = ("moment", "newest")
# Statuses the author of a comment sees as "awaiting moderation": spam looks held.
HELD = ("pending", "spam")


@dataclass
class Page:
    """One page of top-level threads and where it sits in the conversation."""

    threads: list[Node]
    number: int
    pages: int
    total_threads: int
    sort: str
    host_only: bool


def visible(own_ids=(), entity=Comment):
    """Return the condition for comments a visitor sees.

    Published comments, and the visitor's own awaiting moderation: `own_ids` maps
    their ids to their `created_at` (see `Comment.is_claimed_by`).
    """
    published = entity.status == "published"
    if not own_ids:
        return published
    held = sa.and_(entity.status.in_(HELD), entity.is_claimed_by(own_ids))
    return sa.or_(published, held)


def page(episode, *, number=1, sort="moment", host_only=False, own_ids=(), per_page):
    """Return Page `number` (from 1; clamped) of the threads on `episode`.

    `sort` is "moment" (pinned threads, then by moment, general comments last)
    or "newest" (pinned threads, then newest first). `host_only` keeps the
    threads in which a host wrote.
    """
    starts = _thread_starts(episode, own_ids, host_only)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(starts.subquery()))
    pages = max(1, math.ceil(total / per_page))
    number = min(max(1, number), pages)
    query = (
        starts.order_by(*_ordering(sort))
        .limit(per_page)
        .offset((number - 1) * per_page)
        .options(so.raiseload("*"))
    )
    roots = db.session.scalars(query).all()
    return Page(
        threads=_grow(roots, own_ids),
        number=number,
        pages=pages,
        total_threads=total,
        sort=sort,
        host_only=host_only,
    )


def page_of(
    episode, comment_id, *, sort="moment", host_only=False, own_ids=(), per_page
):
    """Return the number of the page that holds comment `comment_id`, or None.

    None when the comment is not on this episode, is not visible to this visitor,
    or its thread is left out by `host_only`.
    """
    root = _visible_root(episode, comment_id, own_ids)
    if root is None:
        return None
    starts = _thread_starts(episode, own_ids, host_only)
    listed = starts.where(Comment.id == root.id).with_only_columns(Comment.id)
    if db.session.scalar(listed) is None:
        return None
    earlier = starts.where(_before(_keys(sort), _values(root, sort)))
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(earlier.subquery())
    )
    return count // per_page + 1


def subtree(episode, comment_id, own_ids=()):
    """Return comment `comment_id` as a Node with its replies; None if not visible."""
    root = _visible_root(episode, comment_id, own_ids)
    if root is None:
        return None
    comment = db.session.get(Comment, comment_id)
    depth = 1
    parent_id = comment.parent_id
    while parent_id is not None and depth < MAX_DEPTH:
        depth += 1
        parent_id = db.session.get(Comment, parent_id).parent_id
    [node] = _grow([comment], own_ids, depth=depth)
    return node


def moments(episode):
    """Return `(second, count, first comment id)` for each moment with comments.

    Published comments only, in the order of the audio. One row per second,
    whatever the number of comments.
    """
    query = (
        sa.select(
            Comment.timestamp_s, sa.func.count(Comment.id), sa.func.min(Comment.id)
        )
        .where(
            Comment.episode_id == episode.id,
            Comment.status == "published",
            Comment.timestamp_s.is_not(None),
        )
        .group_by(Comment.timestamp_s)
        .order_by(Comment.timestamp_s)
    )
    return [tuple(row) for row in db.session.execute(query)]


def slices(episode, parts):
    """Return `(slice, first second, count, first comment id)` per slice with comments.

    The audio is cut into `parts` equal slices; published comments with a moment
    are counted in theirs. At most `parts` rows, whatever the conversation.
    """
    index = (Comment.timestamp_s * parts) // max(episode.duration_s, 1)
    query = (
        sa.select(
            index.label("slice"),
            sa.func.min(Comment.timestamp_s),
            sa.func.count(Comment.id),
            sa.func.min(Comment.id),
        )
        .where(
            Comment.episode_id == episode.id,
            Comment.status == "published",
            Comment.timestamp_s.is_not(None),
        )
        .group_by("slice")
        .order_by("slice")
    )
    return [tuple(row) for row in db.session.execute(query)]


def _thread_starts(episode, own_ids, host_only):
    query = sa.select(Comment).where(
        Comment.episode_id == episode.id,
        Comment.parent_id.is_(None),
        visible(own_ids),
    )
    if host_only:
        query = query.where(sa.or_(Comment.is_host.is_(True), _host_replied()))
    return query


def _host_replied():
    """Return the condition: a host's published reply sits in this thread."""
    reply = so.aliased(Comment)
    middle = so.aliased(Comment)
    under_root = (
        sa.select(middle.id)
        .where(middle.parent_id == Comment.id, middle.status == "published")
        .correlate(Comment)
    )
    return (
        sa.select(reply.id)
        .where(
            reply.is_host.is_(True),
            reply.status == "published",
            sa.or_(reply.parent_id == Comment.id, reply.parent_id.in_(under_root)),
        )
        .correlate(Comment)
        .exists()
    )


def _keys(sort):
    """Return the (expression, ascending) pairs that order threads for `sort`."""
    pinned_first = sa.case((Comment.pinned.is_(True), 0), else_=1)
    if sort == "newest":
        return [(pinned_first, True), (Comment.created_at, False), (Comment.id, False)]
    general_last = sa.case((Comment.timestamp_s.is_(None), 1), else_=0)
    return [
        (pinned_first, True),
        (general_last, True),
        (sa.func.coalesce(Comment.timestamp_s, 0), True),
        (Comment.created_at, True),
        (Comment.id, True),
    ]


def _values(comment, sort):
    """Return `comment`'s values for the keys of `_keys(sort)`."""
    pinned_first = 0 if comment.pinned else 1
    if sort == "newest":
        return [pinned_first, comment.created_at, comment.id]
    return [
        pinned_first,
        1 if comment.timestamp_s is None else 0,
        comment.timestamp_s or 0,
        comment.created_at,
        comment.id,
    ]


def _ordering(sort):
    return [expr if ascending else expr.desc() for expr, ascending in _keys(sort)]


def _before(keys, values):
    """Return the condition: a row sorts before one with `values` under `keys`."""
    either = []
    for i, ((expr, ascending), value) in enumerate(zip(keys, values, strict=True)):
        ties = [
            key == earlier
            for (key, _), earlier in zip(keys[:i], values[:i], strict=True)
        ]
        either.append(sa.and_(*ties, expr < value if ascending else expr > value))
    return sa.or_(*either)


def _visible_root(episode, comment_id, own_ids):
    """Return the top-level comment above `comment_id` if all the way up is visible."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.episode_id != episode.id:
        return None
    for _ in range(64):
        if not (
            comment.status == "published"
            or (comment.status in HELD and comment.is_claimed_by(own_ids))
        ):
            return None
        if comment.parent_id is None:
            return comment
        comment = db.session.get(Comment, comment.parent_id)
    return None


def _grow(roots, own_ids, depth=1):
    """Return Nodes for `roots` holding every visible reply below them.

    Replies deeper than MAX_DEPTH are shown at MAX_DEPTH, in the order written.
    """
    nodes = {root.id: Node(root) for root in roots}
    if not roots:
        return []
    below = (
        sa.select(Comment.id)
        .where(Comment.parent_id.in_(list(nodes)), visible(own_ids))
        .cte("below", recursive=True)
    )
    reply = so.aliased(Comment)
    below = below.union(
        sa.select(reply.id).where(
            reply.parent_id == below.c.id, visible(own_ids, entity=reply)
        )
    )
    query = (
        sa.select(Comment)
        .where(Comment.id.in_(sa.select(below.c.id)))
        .order_by(Comment.created_at, Comment.id)
        .options(so.raiseload("*"))
    )
    replies = db.session.scalars(query).all()
    nodes.update((comment.id, Node(comment)) for comment in replies)
    for comment in replies:
        parent = nodes.get(comment.parent_id)
        if parent is not None:
            parent.replies.append(nodes[comment.id])
    top = [nodes[root.id] for root in roots]
    for node in top:
        _settle(node, depth)
    return top


def _settle(node, depth):
    node.depth = depth
    if depth >= MAX_DEPTH - 1:
        # Everything below sits at the last level, oldest first.
        flat = sorted(_descendants(node), key=_written_order)
        for reply in flat:
            reply.replies = []
            reply.depth = min(depth + 1, MAX_DEPTH)
        node.replies = flat if depth < MAX_DEPTH else []
        return
    for reply in node.replies:
        _settle(reply, depth + 1)


def _written_order(node):
    return (node.comment.created_at, node.comment.id)


def _descendants(node):
    found = []
    stack = list(node.replies)
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(current.replies)
    return found
