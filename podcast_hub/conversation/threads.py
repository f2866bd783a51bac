"""The conversation as the episode page reads it: pages of threads, sorted and
filtered, pages of one thread's replies, where a given comment shows, and the
moments for the timeline.

Each function costs the same few queries whatever the size of the conversation:
a page loads its top-level comments, then a bounded window of their replies in
one recursive query. Threads and replies come in the order `order` defines.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, cast

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..extensions import db
from ..models import Comment, CommentStatus, Episode
from . import answers, order
from .comments import MAX_DEPTH, Node
from .order import Sort

SORTS = tuple(Sort)
# Replies a thread shows on a page of threads; a link shows or loads the rest.
SHOWN_REPLIES = 5
# Replies on a page of one thread, and loaded at a time into a page.
REPLIES_PER_PAGE = 50
# No thread holds this many replies: offsets stay far from SQL's integer limits.
_MAX_START = 2**31
# Statuses the author of a comment sees as "awaiting moderation": spam looks held.
HELD = (CommentStatus.PENDING, CommentStatus.SPAM)
# What a visitor's cookie claims: {comment id: created_at} (`Comment.is_claimed_by`).
Claims = Mapping[int, datetime]
NO_CLAIMS: Claims = MappingProxyType({})


@dataclass
class Page:
    """One page of top-level threads and where it sits in the conversation.

    With `thread`, the page of that one thread's replies instead: `threads`
    holds its top comment, `number` and `pages` count pages of replies.
    """

    threads: list[Node]
    number: int
    pages: int
    total_threads: int
    sort: str
    host_only: bool
    thread: int | None = None


@dataclass
class Place:
    """Where a comment shows: a page of threads, or a page of its thread's replies."""

    page: int
    thread: int | None = None


def visible(
    own_ids: Claims = NO_CLAIMS, entity: Any = Comment
) -> sa.ColumnElement[bool]:
    """Return the condition for comments a visitor sees.

    Published comments, and the visitor's own awaiting moderation: `own_ids` maps
    their ids to their `created_at` (see `Comment.is_claimed_by`).
    """
    published = entity.status == CommentStatus.PUBLISHED
    if not own_ids:
        return published
    held = sa.and_(entity.status.in_(HELD), entity.is_claimed_by(own_ids))
    return sa.or_(published, held)


def is_visible(comment: Comment, own_ids: Claims = NO_CLAIMS) -> bool:
    """Tell whether a visitor sees `comment`, as `visible` says in SQL."""
    return comment.status == CommentStatus.PUBLISHED or (
        comment.status in HELD and comment.is_claimed_by(own_ids)
    )


def page(
    episode: Episode,
    *,
    number: int = 1,
    sort: Sort = Sort.MOMENT,
    host_only: bool = False,
    own_ids: Claims = NO_CLAIMS,
    per_page: int,
) -> Page:
    """Return Page `number` (from 1; clamped) of the threads on `episode`.

    `sort` is a `Sort`: by moment or newest first, pinned threads first either
    way (`order`). `host_only` keeps the threads in which a host wrote.
    """
    starts = _thread_starts(episode, own_ids, host_only)
    total = db.session.execute(
        sa.select(sa.func.count()).select_from(starts.subquery())
    ).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    number = min(max(1, number), pages)
    query = (
        starts.order_by(*order.order_by(order.thread_keys(sort)))
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
    episode: Episode,
    comment_id: int,
    *,
    sort: Sort = Sort.MOMENT,
    host_only: bool = False,
    own_ids: Claims = NO_CLAIMS,
    per_page: int,
) -> int | None:
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
    keys, values = order.thread_keys(sort), order.thread_values(root, sort)
    earlier = starts.where(order.before(keys, values))
    count = db.session.execute(
        sa.select(sa.func.count()).select_from(earlier.subquery())
    ).scalar_one()
    return count // per_page + 1


def place_of(
    episode: Episode,
    comment_id: int,
    *,
    sort: Sort = Sort.MOMENT,
    host_only: bool = False,
    own_ids: Claims = NO_CLAIMS,
    per_page: int,
    shown: int = SHOWN_REPLIES,
    replies_per_page: int = REPLIES_PER_PAGE,
) -> Place | None:
    """Return the Place that shows comment `comment_id`, or None.

    A top-level comment, or one of the first `shown` replies of its thread, is on
    the page of threads that holds the thread (`page_of`); a later reply is on
    the page of its thread's replies that holds it. None as for `page_of`.
    """
    chain = _visible_chain(episode, comment_id, own_ids)
    if chain is None:
        return None
    root = chain[-1]
    if root.id != comment_id:
        position = _position(chain, own_ids)
        if position > shown:
            return Place((position - 1) // replies_per_page + 1, thread=root.id)
    number = page_of(
        episode,
        root.id,
        sort=sort,
        host_only=host_only,
        own_ids=own_ids,
        per_page=per_page,
    )
    return None if number is None else Place(number)


def moment_of(
    episode: Episode, comment_id: int, own_ids: Claims = NO_CLAIMS
) -> int | None:
    """Return the moment comment `comment_id` is about: its own, else the nearest
    one above it. None when it has none, or the visitor cannot see it."""
    chain = _visible_chain(episode, comment_id, own_ids)
    moments = [c.timestamp_s for c in chain or [] if c.timestamp_s is not None]
    return moments[0] if moments else None


def thread_page(
    episode: Episode,
    root_id: int,
    *,
    number: int = 1,
    sort: Sort = Sort.MOMENT,
    host_only: bool = False,
    own_ids: Claims = NO_CLAIMS,
    per_page: int = REPLIES_PER_PAGE,
) -> Page | None:
    """Return Page `number` (from 1; clamped) of the replies of thread `root_id`.

    The page holds the thread's top comment with `per_page` of its replies in
    thread order (and the second-level reply above the first of them, so that
    every reply shows inside its parent). `sort` and `host_only` are kept for
    the way back to the page of threads. None when `root_id` is not a top-level
    comment of `episode` that this visitor sees.
    """
    root = _visible_root(episode, root_id, own_ids)
    if root is None or root.id != root_id:
        return None
    number = max(1, number)
    [node] = _grow([root], own_ids, start=(number - 1) * per_page, count=per_page)
    pages = max(1, math.ceil(node.reply_count / per_page))
    if number > pages:
        number = pages
        [node] = _grow([root], own_ids, start=(number - 1) * per_page, count=per_page)
    return Page(
        threads=[node],
        number=number,
        pages=pages,
        total_threads=1,
        sort=sort,
        host_only=host_only,
        thread=root.id,
    )


def thread_replies(
    episode: Episode,
    root_id: int,
    *,
    start: int = 0,
    count: int = REPLIES_PER_PAGE,
    own_ids: Claims = NO_CLAIMS,
) -> Node | None:
    """Return thread `root_id` as a Node holding `count` replies after the first
    `start`, in thread order; None when it is not a visible top-level comment."""
    root = _visible_root(episode, root_id, own_ids)
    if root is None or root.id != root_id:
        return None
    [node] = _grow([root], own_ids, start=start, count=count)
    return node


def find(nodes: Iterable[Node], comment_id: int) -> Node | None:
    """Return the Node of comment `comment_id` among `nodes` and below, or None."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if node.comment.id == comment_id:
            return node
        stack.extend(node.replies)
    return None


def subtree(
    episode: Episode, comment_id: int, own_ids: Claims = NO_CLAIMS
) -> Node | None:
    """Return comment `comment_id` as a Node with its first SHOWN_REPLIES replies.

    None if the visitor cannot see it.
    """
    root = _visible_root(episode, comment_id, own_ids)
    if root is None:
        return None
    comment = db.session.get_one(Comment, comment_id)
    depth = 1
    parent_id = comment.parent_id
    while parent_id is not None and depth < MAX_DEPTH:
        depth += 1
        parent_id = db.session.get_one(Comment, parent_id).parent_id
    [node] = _grow([comment], own_ids, depth=depth)
    return node


def moments(episode: Episode) -> list[tuple[int, int, int]]:
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
            Comment.status == CommentStatus.PUBLISHED,
            Comment.timestamp_s.is_not(None),
        )
        .group_by(Comment.timestamp_s)
        .order_by(Comment.timestamp_s)
    )
    # No column is NULL: comments without a moment are left out.
    rows = db.session.execute(query)
    return [cast("tuple[int, int, int]", tuple(row)) for row in rows]


def slices(episode: Episode, parts: int) -> list[tuple[int, int, int, int]]:
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
            Comment.status == CommentStatus.PUBLISHED,
            Comment.timestamp_s.is_not(None),
        )
        .group_by("slice")
        .order_by("slice")
    )
    rows = db.session.execute(query)
    return [cast("tuple[int, int, int, int]", tuple(row)) for row in rows]


def _thread_starts(episode: Episode, own_ids: Claims, host_only: bool) -> sa.Select:
    query = sa.select(Comment).where(
        Comment.episode_id == episode.id,
        Comment.parent_id.is_(None),
        visible(own_ids),
    )
    if host_only:
        host_wrote = sa.or_(Comment.is_host.is_(True), answers.thread_answered())
        query = query.where(host_wrote)
    return query


def _visible_root(episode: Episode, comment_id: int, own_ids: Claims) -> Comment | None:
    """Return the top-level comment above `comment_id` if all the way up is visible."""
    chain = _visible_chain(episode, comment_id, own_ids)
    return chain[-1] if chain else None


def _visible_chain(
    episode: Episode, comment_id: int, own_ids: Claims
) -> list[Comment] | None:
    """Return comment `comment_id` and those above it, up to its top-level comment,
    if all of them are visible; else None."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.episode_id != episode.id:
        return None
    chain = []
    for _ in range(64):
        if not is_visible(comment, own_ids):
            return None
        chain.append(comment)
        if comment.parent_id is None:
            return chain
        comment = db.session.get_one(Comment, comment.parent_id)
    return None


def _position(chain: Sequence[Comment], own_ids: Claims) -> int:
    """Return the place (from 1) in its thread's order of the reply that starts
    `chain` (`_visible_chain`).

    Counts the replies before it, which needs no sorting however long the thread.
    """
    reply, branch, root = chain[0], chain[-2], chain[-1]
    below = _below([root], own_ids)
    keys = [(column, True) for column in order.reply_order(below)]
    level = 2 if branch is reply else MAX_DEPTH
    values = [branch.created_at, branch.id, level, reply.created_at, reply.id]
    earlier = (
        sa.select(sa.func.count()).select_from(below).where(order.before(keys, values))
    )
    return db.session.execute(earlier).scalar_one() + 1


def _grow(
    tops: Sequence[Comment],
    own_ids: Claims,
    *,
    depth: int = 1,
    start: int = 0,
    count: int = SHOWN_REPLIES,
) -> list[Node]:
    """Return Nodes for `tops` (comments shown at `depth`), each holding a window
    of its visible replies: `count` of them after the first `start`, in thread
    order, and the second-level reply above the first of them.

    Each Node also learns how many replies it has in all and who gave its first
    answer (`answers`), whatever the window. One query, returning at most
    `len(tops) * (count + 3)` rows however long the threads are.
    """
    nodes = {top.id: Node(top, depth=depth) for top in tops}
    start = min(max(0, start), _MAX_START)
    for node in nodes.values():
        node.reply_total = 0
        node.shown_to = start
    if not tops or depth >= MAX_DEPTH:
        return list(nodes.values())
    numbered = _numbered(_below(tops, own_ids, depth)).cte("numbered")
    first_in_window = sa.select(numbered.c.branch_id).where(
        numbered.c.position == start + 1
    )
    first_answer = sa.and_(
        numbered.c.is_answer.is_(True), numbered.c.answer_rank == 1
    ).label("first_answer")
    query = (
        sa.select(
            Comment,
            numbered.c.top_id,
            numbered.c.branch_id,
            numbered.c.level,
            numbered.c.position,
            numbered.c.total,
            first_answer,
        )
        .join(numbered, numbered.c.id == Comment.id)
        .where(
            sa.or_(
                numbered.c.position.between(start + 1, start + count),
                numbered.c.id.in_(first_in_window),
                # The last reply, so that the total is known beyond the end.
                numbered.c.position == numbered.c.total,
                first_answer,
            )
        )
        .order_by(numbered.c.top_id, numbered.c.position)
        .options(so.raiseload("*"))
    )
    above_window: dict[int, Node] = {}
    rows = db.session.execute(query)
    for comment, top_id, branch_id, level, position, total, first in rows:
        top = nodes[top_id]
        top.reply_total = total
        if first:
            top.answerer = comment.author
        node = Node(comment, depth=level)
        if position <= start:
            # Perhaps the parent of the window's first reply: shown if it is.
            above_window[comment.id] = node
            continue
        if position > start + count:
            continue
        top.shown_to = position
        parent = top if level == depth + 1 else nodes.get(branch_id)
        if parent is None:
            parent = nodes[branch_id] = above_window[branch_id]
            top.replies.append(parent)
        parent.replies.append(node)
        nodes[comment.id] = node
    return [nodes[top.id] for top in tops]


def _below(tops: Sequence[Comment], own_ids: Claims, depth: int = 1) -> sa.CTE:
    """Return a recursive CTE of the visible replies below `tops`, shown at `depth`.

    Columns: `id`; `top_id`, the comment of `tops` above it; `level`, the depth
    it shows at; `branch_id` and `branch_at`, the second-level reply it shows
    under (itself at the second level; when `tops` are second-level comments,
    the top, with no time); its `created_at`; `is_answer` (`answers.answer`).
    (Each comment has one parent, so no walk down from a top can come round to a
    comment twice.)
    """
    first_level = min(depth + 1, MAX_DEPTH)
    at_second = first_level == 2
    anchor = sa.select(
        Comment.id.label("id"),
        Comment.parent_id.label("top_id"),
        sa.literal_column(str(first_level), sa.Integer).label("level"),
        (Comment.id if at_second else Comment.parent_id).label("branch_id"),
        (
            Comment.created_at
            if at_second
            else sa.cast(sa.null(), Comment.created_at.type)
        ).label("branch_at"),
        Comment.created_at.label("created_at"),
        answers.answer(Comment).label("is_answer"),
    ).where(
        Comment.parent_id.in_([top.id for top in tops]),
        visible(own_ids),
    )
    below = anchor.cte("below", recursive=True)
    reply = so.aliased(Comment)
    return below.union_all(
        sa.select(
            reply.id,
            below.c.top_id,
            sa.literal_column(str(MAX_DEPTH), sa.Integer),
            below.c.branch_id,
            below.c.branch_at,
            reply.created_at,
            answers.answer(reply),
        ).where(reply.parent_id == below.c.id, visible(own_ids, entity=reply))
    )


def _numbered(below: sa.CTE) -> sa.Select:
    """Return `below` with each reply's `position` (from 1) in thread order, its
    thread's `total` number of replies, and the `answer_rank` (from 1, by time)
    of each answer in its thread."""
    return sa.select(
        below.c.id,
        below.c.top_id,
        below.c.branch_id,
        below.c.level,
        below.c.is_answer,
        sa.func.row_number()
        .over(partition_by=below.c.top_id, order_by=order.reply_order(below))
        .label("position"),
        sa.func.count().over(partition_by=below.c.top_id).label("total"),
        sa.func.row_number()
        .over(
            partition_by=(below.c.top_id, below.c.is_answer),
            order_by=(below.c.created_at, below.c.id),
        )
        .label("answer_rank"),
    )
