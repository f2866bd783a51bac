"""The conversation as the episode page reads it: pages of threads, sorted and
filtered, pages of one thread's replies, where a given comment shows, and the
moments for the timeline.

Each function costs the same few queries whatever the size of the conversation:
a page loads its top-level comments, then a bounded window of their replies in
one recursive query. Replies are read in *thread order*: each second-level reply,
oldest first, followed by everything below it, oldest first (deeper replies show
at the third level).
"""

import math
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..extensions import db
from ..models import Comment
from .comments import MAX_DEPTH, Node

SORTS = ("moment", "newest")
# Replies a thread shows on a page of threads; a link shows or loads the rest.
SHOWN_REPLIES = 5
# Replies on a page of one thread, and loaded at a time into a page.
REPLIES_PER_PAGE = 50
# No thread holds this many replies: offsets stay far from SQL's integer limits.
_MAX_START = 2**31
# Statuses the author of a comment sees as "awaiting moderation": spam looks held.
HELD = ("pending", "spam")


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


def place_of(
    episode,
    comment_id,
    *,
    sort="moment",
    host_only=False,
    own_ids=(),
    per_page,
    shown=SHOWN_REPLIES,
    replies_per_page=REPLIES_PER_PAGE,
):
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


def thread_page(
    episode,
    root_id,
    *,
    number=1,
    sort="moment",
    host_only=False,
    own_ids=(),
    per_page=REPLIES_PER_PAGE,
):
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


def thread_replies(episode, root_id, *, start=0, count=REPLIES_PER_PAGE, own_ids=()):
    """Return thread `root_id` as a Node holding `count` replies after the first
    `start`, in thread order; None when it is not a visible top-level comment."""
    root = _visible_root(episode, root_id, own_ids)
    if root is None or root.id != root_id:
        return None
    [node] = _grow([root], own_ids, start=start, count=count)
    return node


def find(nodes, comment_id):
    """Return the Node of comment `comment_id` among `nodes` and below, or None."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if node.comment.id == comment_id:
            return node
        stack.extend(node.replies)
    return None


def subtree(episode, comment_id, own_ids=()):
    """Return comment `comment_id` as a Node with its first SHOWN_REPLIES replies.

    None if the visitor cannot see it.
    """
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
    chain = _visible_chain(episode, comment_id, own_ids)
    return chain[-1] if chain else None


def _visible_chain(episode, comment_id, own_ids):
    """Return comment `comment_id` and those above it, up to its top-level comment,
    if all of them are visible; else None."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.episode_id != episode.id:
        return None
    chain = []
    for _ in range(64):
        if not (
            comment.status == "published"
            or (comment.status in HELD and comment.is_claimed_by(own_ids))
        ):
            return None
        chain.append(comment)
        if comment.parent_id is None:
            return chain
        comment = db.session.get(Comment, comment.parent_id)
    return None


def _position(chain, own_ids):
    """Return the place (from 1) in its thread's order of the reply that starts
    `chain` (`_visible_chain`).

    Counts the replies before it, which needs no sorting however long the thread.
    """
    reply, branch, root = chain[0], chain[-2], chain[-1]
    below = _below([root], own_ids)
    keys = [
        (below.c.branch_at, True),
        (below.c.branch_id, True),
        (below.c.level, True),
        (below.c.created_at, True),
        (below.c.id, True),
    ]
    level = 2 if branch is reply else MAX_DEPTH
    values = [branch.created_at, branch.id, level, reply.created_at, reply.id]
    earlier = sa.select(sa.func.count()).select_from(below).where(_before(keys, values))
    return db.session.scalar(earlier) + 1


def _grow(tops, own_ids, *, depth=1, start=0, count=SHOWN_REPLIES):
    """Return Nodes for `tops` (comments shown at `depth`), each holding a window
    of its visible replies: `count` of them after the first `start`, in thread
    order, and the second-level reply above the first of them.

    Each Node also learns how many replies it has in all and which host answered
    first (in thread order), whatever the window. One query, returning at most
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
    first_hosts = (
        sa.select(numbered.c.top_id, sa.func.min(numbered.c.position))
        .where(numbered.c.is_host.is_(True))
        .group_by(numbered.c.top_id)
    )
    query = (
        sa.select(
            Comment,
            numbered.c.top_id,
            numbered.c.branch_id,
            numbered.c.level,
            numbered.c.position,
            numbered.c.total,
        )
        .join(numbered, numbered.c.id == Comment.id)
        .where(
            sa.or_(
                numbered.c.position.between(start + 1, start + count),
                numbered.c.id.in_(first_in_window),
                # The last reply, so that the total is known beyond the end.
                numbered.c.position == numbered.c.total,
                sa.tuple_(numbered.c.top_id, numbered.c.position).in_(first_hosts),
            )
        )
        .order_by(numbered.c.top_id, numbered.c.position)
        .options(so.raiseload("*"))
    )
    above_window = {}
    for comment, top_id, branch_id, level, position, total in db.session.execute(query):
        top = nodes[top_id]
        top.reply_total = total
        if comment.is_host and top.answerer is None:
            # Rows come in thread order: the first host's is the answer.
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


def _below(tops, own_ids, depth=1):
    """Return a recursive CTE of the visible replies below `tops`, shown at `depth`.

    Columns: `id`; `top_id`, the comment of `tops` above it; `level`, the depth
    it shows at; `branch_id` and `branch_at`, the second-level reply it shows
    under (itself at the second level; when `tops` are second-level comments,
    the top, with no time); its `created_at` and `is_host`. (Each comment has
    one parent, so no walk down from a top can come round to a comment twice.)
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
        Comment.is_host.label("is_host"),
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
            reply.is_host,
        ).where(reply.parent_id == below.c.id, visible(own_ids, entity=reply))
    )


def _numbered(below):
    """Return `below` with each reply's `position` (from 1) in thread order and
    its thread's `total` number of replies."""
    thread_order = (
        below.c.branch_at,
        below.c.branch_id,
        below.c.level,
        below.c.created_at,
        below.c.id,
    )
    return sa.select(
        below.c.id,
        below.c.top_id,
        below.c.branch_id,
        below.c.level,
        below.c.is_host,
        sa.func.row_number()
        .over(partition_by=below.c.top_id, order_by=thread_order)
        .label("position"),
        sa.func.count().over(partition_by=below.c.top_id).label("total"),
    )
