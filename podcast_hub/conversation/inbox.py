"""The host's inbox: comments by tab, with counts, pages and thread context."""

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

import sqlalchemy as sa

from .. import clock
from ..extensions import db
from ..models import Comment, CommentStatus, Episode, Host
from . import answers, secrets

TABS = {
    "needs-reply": "Needs reply",
    "moderation": "Awaiting moderation",
    "spam": "Spam",
    "all": "All",
}
DEFAULT_TAB = "needs-reply"
PER_PAGE = 20


@dataclass
class Row:
    """One inbox item: the comment, its episode, and the comments above it."""

    comment: Comment
    episode: Episode
    context: list[Comment] = field(default_factory=list)


@dataclass
class Page:
    """One page of a tab."""

    rows: list[Row]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """Return how many pages the tab has; at least one."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def _tab_condition(tab: str) -> sa.ColumnElement[bool]:
    if tab == "needs-reply":
        return sa.and_(
            Comment.is_host.is_(False),
            Comment.status == CommentStatus.PUBLISHED,
            Comment.reply_not_needed.is_(False),
            ~answers.comment_answered(),
        )
    if tab == "moderation":
        return Comment.status == CommentStatus.PENDING
    if tab == "spam":
        return Comment.status == CommentStatus.SPAM
    if tab == "all":
        return sa.true()
    raise ValueError(f"unknown inbox tab {tab!r}")


# What asks something of a host: the tabs the unread count and the feed read.
WAITING = ("needs-reply", "moderation")
# Items in the private inbox feed, newest first.
FEED_ITEMS = 50


def _waiting() -> sa.ColumnElement[bool]:
    return sa.or_(*(_tab_condition(tab) for tab in WAITING))


def _episode_condition(episode_id: int | None) -> sa.ColumnElement[bool]:
    return sa.true() if episode_id is None else Comment.episode_id == episode_id


def counts(episode_id: int | None = None) -> dict[str, int]:
    """Return {tab: number of comments} for every tab, in one query."""
    columns = [
        sa.func.coalesce(sa.func.sum(sa.case((_tab_condition(tab), 1), else_=0)), 0)
        for tab in TABS
    ]
    query = sa.select(*columns).where(_episode_condition(episode_id))
    return dict(zip(TABS, db.session.execute(query).one(), strict=True))


def page(
    tab: str = DEFAULT_TAB,
    *,
    episode_id: int | None = None,
    number: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """Return one Page of `tab`, newest first, each row with its thread context.

    A page number past the end gives the last page. Raises ValueError for an
    unknown tab.
    """
    where = sa.and_(_tab_condition(tab), _episode_condition(episode_id))
    count = sa.select(sa.func.count(Comment.id)).where(where)
    total = db.session.execute(count).scalar_one()
    number = min(max(1, number), max(1, math.ceil(total / per_page)))
    query = (
        sa.select(Comment, Episode)
        .join(Episode, Comment.episode_id == Episode.id)
        .where(where)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .offset((number - 1) * per_page)
        .limit(per_page)
    )
    rows = [Row(comment, episode) for comment, episode in db.session.execute(query)]
    _add_context(rows)
    return Page(rows=rows, number=number, per_page=per_page, total=total)


def _add_context(rows: Sequence[Row]) -> None:
    """Fill each row's context with its ancestors, the thread's start first.

    One query per level of depth, whatever the number of rows.
    """
    known = {row.comment.id: row.comment for row in rows}
    wanted = {row.comment.parent_id for row in rows} - {None} - known.keys()
    while wanted:
        found = db.session.scalars(sa.select(Comment).where(Comment.id.in_(wanted)))
        for comment in found:
            known[comment.id] = comment
        wanted = {known[i].parent_id for i in wanted if i in known}
        wanted = wanted - {None} - known.keys()
    for row in rows:
        chain, parent_id = [], row.comment.parent_id
        while parent_id is not None and parent_id in known:
            chain.append(known[parent_id])
            parent_id = known[parent_id].parent_id
        row.context = chain[::-1]


def mark_reply_not_needed(comment_ids: Collection[int], not_needed: bool = True) -> int:
    """Take these comments out of "Needs reply" (or put them back); return how many."""
    if not comment_ids:
        return 0
    query = (
        sa.update(Comment)
        .where(Comment.id.in_(set(comment_ids)))
        .values(reply_not_needed=not_needed)
        .execution_options(synchronize_session="fetch")
    )
    changed = cast(sa.CursorResult, db.session.execute(query)).rowcount
    db.session.commit()
    return changed


def episode_choices() -> Sequence[sa.Row]:
    """Return (id, title) of every episode, drafts and newest first, for the filter."""
    query = sa.select(Episode.id, Episode.title).order_by(
        Episode.published_at.desc().nulls_first(), Episode.id.desc()
    )
    return db.session.execute(query).all()


def is_in(comment_id: int, tab: str) -> bool:
    """Tell whether comment `comment_id` is in `tab` now ("needs-reply", …)."""
    query = sa.select(Comment.id).where(Comment.id == comment_id, _tab_condition(tab))
    return db.session.scalar(query) is not None


def oldest(tab: str, limit: int) -> list[Row]:
    """Return up to `limit` rows of `tab`, oldest first, each with its context."""
    query = (
        sa.select(Comment, Episode)
        .join(Episode, Comment.episode_id == Episode.id)
        .where(_tab_condition(tab))
        .order_by(Comment.created_at, Comment.id)
        .limit(limit)
    )
    rows = [Row(comment, episode) for comment, episode in db.session.execute(query)]
    _add_context(rows)
    return rows


def unread_count(seen_at: datetime | None) -> int:
    """Return how many comments that need a reply or moderation came after
    `seen_at`, when the host last opened the inbox (all of them if never)."""
    query = sa.select(sa.func.count(Comment.id)).where(_waiting())
    if seen_at is not None:
        query = query.where(Comment.created_at > seen_at)
    return db.session.execute(query).scalar_one()


def looked(host: Host) -> datetime | None:
    """Note that `host` opened the inbox now; return when they had before."""
    before = host.inbox_seen_at
    host.inbox_seen_at = clock.now()
    db.session.commit()
    return before


@dataclass
class Waiting:
    """An item of the host's private inbox feed: a Row and its tab."""

    row: Row
    tab: str


def waiting(limit: int = FEED_ITEMS) -> list[Waiting]:
    """Return the comments that need a reply or moderation, newest first, each
    with its thread context and the tab that shows it."""
    tab_of = sa.case(
        (_tab_condition("moderation"), "moderation"), else_="needs-reply"
    ).label("tab")
    query = (
        sa.select(Comment, Episode, tab_of)
        .join(Episode, Comment.episode_id == Episode.id)
        .where(_waiting())
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    )
    found = [
        Waiting(Row(comment, episode), tab)
        for comment, episode, tab in db.session.execute(query)
    ]
    _add_context([item.row for item in found])
    return found


def feed_host(secret: str | None) -> Host | None:
    """Return the host whose private inbox feed has the secret `secret`, or None."""
    if not secrets.looks_right(secret):
        return None
    digest = secrets.digest(secret or "")
    return db.session.scalar(sa.select(Host).where(Host.inbox_feed_hash == digest))


def renew_feed_secret(host: Host) -> str:
    """Give `host` a new private inbox feed address; return its secret.

    The secret is stored only as a hash: show it to the host now. An earlier
    address stops working.
    """
    secret = secrets.new_secret()
    host.inbox_feed_hash = secrets.digest(secret)
    db.session.commit()
    return secret


def stop_feed(host: Host) -> None:
    """Revoke `host`'s private inbox feed: its address stops working."""
    host.inbox_feed_hash = None
    db.session.commit()
