"""Replies to a listener: the answers below the comments one browser posted,
which of them it has seen, and the private feed that lists them.

Listeners have no accounts. A browser is known by the comments it claims (its
ownership tokens, `Comment.is_claimed_by`) and, once it posts, by a `ReplyFeed`:
a row found by the hash of a secret the browser keeps in a cookie and that is
also the address of its private feed. A reply to a listener is a published
comment, not theirs, below one of their published comments in a visible
thread; at the third level, where deeper replies attach beside the comment they
answer (`comments.MAX_DEPTH`), one posted after theirs that starts with
"@<their name>", as `comments.post_comment` writes it.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from .. import clock
from ..catalog import episodes
from ..extensions import db, insert_skipping_taken
from ..models import (
    Comment,
    CommentStatus,
    Episode,
    ReplyFeed,
    ReplyFeedComment,
    SeenReply,
)
from . import secrets

Claims = Mapping[int, datetime]
# Replies the feed and the page of replies list, newest first.
LISTED = 50


@dataclass(frozen=True)
class Reply:
    """A reply to the listener: the reply, the listener's comment it answers, the
    episode, the moment of the thread, and whether the listener has seen it."""

    comment: Comment
    answered: Comment
    episode: Episode
    moment_s: int | None
    seen: bool


def find_feed(secret: str | None) -> ReplyFeed | None:
    """Return the ReplyFeed whose secret is `secret`, or None."""
    if not secrets.looks_right(secret):
        return None
    return db.session.scalar(_FEED_BY_HASH, {"hash": secrets.digest(secret or "")})


# A listener's pages look up their feed, and a post adds a row to it, finding
# the feed by its secret: these statements are built once (SQLAlchemy keeps
# their compiled form).
_FEED_BY_HASH = sa.select(ReplyFeed).where(ReplyFeed.token_hash == sa.bindparam("hash"))
_FEEDS: sa.Table = ReplyFeed.__table__  # type: ignore[assignment]
_FOLLOWED: sa.Table = ReplyFeedComment.__table__  # type: ignore[assignment]
_FOLLOW = sa.insert(_FOLLOWED)
_FOLLOW_SECRET = (
    sa.insert(_FOLLOWED)
    .from_select(
        ["feed_id", "comment_id"],
        sa.select(
            _FEEDS.c.id, sa.bindparam("comment_id", type_=_FOLLOWED.c.comment_id.type)
        ).where(_FEEDS.c.token_hash == sa.bindparam("hash")),
    )
    .returning(_FOLLOWED.c.feed_id)
)


def start_feed(
    claims: Claims, comment: Comment | None = None, *, commit: bool = True
) -> tuple[ReplyFeed, str]:
    """Store a new ReplyFeed holding the claimed comments and `comment`.

    Return it and its secret, which is stored only as a hash: the caller gives
    it to the browser. With `commit=False` the rows join the session's
    transaction (the comment's own, when it is just being posted).
    """
    secret = secrets.new_secret()
    feed = ReplyFeed(token_hash=secrets.digest(secret))
    db.session.add(feed)
    db.session.flush()
    ids = set(_claimed_ids(claims))
    if comment is not None:
        ids.add(comment.id)
    _attach(feed.id, ids)
    if commit:
        db.session.commit()
    return feed, secret


def follow_secret(secret: str, comment: Comment, *, commit: bool = True) -> bool:
    """Count `comment`, just posted, among the comments of the feed whose secret
    is `secret`; return False when there is no such feed.

    One statement, as it runs for most posts: the feed is found by the insert.
    With `commit=False`, the row joins the transaction storing `comment`.
    """
    if not secrets.looks_right(secret):
        return False
    params = {"hash": secrets.digest(secret), "comment_id": comment.id}
    if db.session.connection().execute(_FOLLOW_SECRET, params).first() is None:
        return False
    if commit:
        db.session.commit()
    return True


def follow(feed_id: int, comment: Comment, *, commit: bool = True) -> None:
    """Count `comment` among the comments of feed `feed_id`'s listener.

    With `commit=False`, `comment` is being posted in the session's
    transaction: it cannot be counted yet, and the row joins that transaction.
    """
    if commit:
        _attach(feed_id, {comment.id})
        db.session.commit()
    else:
        db.session.connection().execute(
            _FOLLOW, {"feed_id": feed_id, "comment_id": comment.id}
        )


def renew_secret(feed: ReplyFeed) -> str:
    """Give `feed` a new secret and return it: the old address stops working."""
    secret = secrets.new_secret()
    feed.token_hash = secrets.digest(secret)
    db.session.commit()
    return secret


def stop_feed(feed: ReplyFeed) -> None:
    """Delete `feed`: its address stops working, its record of seen replies goes."""
    db.session.delete(feed)
    db.session.commit()


def _claimed_ids(claims: Claims) -> list[int]:
    if not claims:
        return []
    query = sa.select(Comment.id).where(Comment.is_claimed_by(claims))
    return list(db.session.scalars(query))


def _attach(feed_id: int, comment_ids: Collection[int]) -> None:
    """Count `comment_ids` among feed `feed_id`'s; those counted already stay.

    Two requests may attach one comment at once (a post sent again while the
    first sending is still being answered): the insert skips a row that is
    there, or that the other request is writing, rather than failing on the
    key.
    """
    if not comment_ids:
        return
    rows = [{"feed_id": feed_id, "comment_id": i} for i in sorted(set(comment_ids))]
    db.session.execute(insert_skipping_taken(ReplyFeedComment), rows)


def _theirs(entity: Any, feed_id: int | None, claims: Claims) -> Any:
    """Return the SQL condition that `entity` is a comment of this listener."""
    conditions = []
    if feed_id is not None:
        posted = sa.select(ReplyFeedComment.comment_id).where(
            ReplyFeedComment.feed_id == feed_id
        )
        conditions.append(entity.id.in_(posted))
    if claims:
        conditions.append(entity.is_claimed_by(claims))
    return sa.or_(*conditions)


def replies_to(
    feed_id: int | None,
    claims: Claims,
    *,
    unseen_only: bool = False,
    limit: int = LISTED,
    only: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[Reply]:
    """Return the replies to the listener of feed `feed_id` and of `claims`.

    Newest first, at most `limit`; with `unseen_only`, those not marked seen;
    with `only`, those among these comment ids. Only published replies in
    visible threads of published episodes count. One query.
    """
    if feed_id is None and not claims:
        return []
    reply = so.aliased(Comment, name="reply")
    parent = so.aliased(Comment, name="parent")
    grand = so.aliased(Comment, name="grand")
    mine = so.aliased(Comment, name="mine")
    published = CommentStatus.PUBLISHED
    mention = sa.func.substr(reply.body, 1, sa.func.length(mine.author) + 1) == (
        sa.literal("@") + mine.author
    )
    answers_mine = sa.or_(
        mine.id == parent.id,
        sa.and_(
            mine.parent_id == parent.id,
            parent.parent_id.is_not(None),
            mine.id != reply.id,
            mine.created_at <= reply.created_at,
            mention,
        ),
    )
    if feed_id is None:
        seen: Any = sa.false()
    else:
        seen = (
            sa.select(SeenReply.comment_id)
            .where(SeenReply.feed_id == feed_id, SeenReply.comment_id == reply.id)
            .exists()
        )
    query = (
        sa.select(reply, mine, Episode, parent.timestamp_s, grand.timestamp_s, seen)
        .join(parent, reply.parent_id == parent.id)
        .outerjoin(grand, parent.parent_id == grand.id)
        .join(mine, answers_mine)
        .join(Episode, reply.episode_id == Episode.id)
        .where(
            reply.status == published,
            parent.status == published,
            sa.or_(grand.id.is_(None), grand.status == published),
            mine.status == published,
            _theirs(mine, feed_id, claims),
            ~_theirs(reply, feed_id, claims),
            episodes.published_condition(now or clock.now()),
        )
        .order_by(reply.created_at.desc(), reply.id.desc())
        # A reply may answer two of the listener's comments: one row each.
        .limit(2 * limit)
    )
    if unseen_only:
        query = query.where(~seen)
    if only is not None:
        query = query.where(reply.id.in_(set(only)))
    found: dict[int, Reply] = {}
    for row in db.session.execute(query):
        answer, answered, episode, parent_s, grand_s, was_seen = row
        if answer.id in found:
            continue
        moments = (answer.timestamp_s, answered.timestamp_s, parent_s, grand_s)
        moment = next((m for m in moments if m is not None), None)
        found[answer.id] = Reply(answer, answered, episode, moment, bool(was_seen))
    return list(found.values())[:limit]


def mark_seen(feed: ReplyFeed, claims: Claims, reply_ids: Collection[int]) -> int:
    """Mark these replies to `feed`'s listener seen; return how many were new.

    Ids that name no reply to this listener are left alone.
    """
    if not reply_ids:
        return 0
    unseen = replies_to(
        feed.id, claims, unseen_only=True, only=reply_ids, limit=len(set(reply_ids))
    )
    if not unseen:
        db.session.rollback()
        return 0
    # Two tabs may put the same reply away at once: the insert skips a row that
    # is there, or that the other request is writing, and counts only its own.
    rows = [{"feed_id": feed.id, "comment_id": reply.comment.id} for reply in unseen]
    insert = insert_skipping_taken(SeenReply).values(rows)
    marked = db.session.scalars(insert.returning(SeenReply.comment_id)).all()
    db.session.commit()
    return len(marked)


def last_name(feed_id: int | None, claims: Claims) -> str | None:
    """Return the name the listener signed their latest comment with, or None."""
    if feed_id is None and not claims:
        return None
    query = (
        sa.select(Comment.author)
        .where(_theirs(Comment, feed_id, claims), Comment.is_host.is_(False))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)
