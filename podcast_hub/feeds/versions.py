"""What the feeds publish, and its version: one cheap query podcast apps can poll.

A version names the state of everything a feed shows, read from the database,
so every worker process agrees on it and a `304` needs no rendering. What is
published depends on the time (`clock.now`), so a scheduled episode going
live changes the version although no row changed.

The feed's content is read as plain rows, not ORM objects: a thousand episodes
with their chapters are then cheap enough to build at every change.
"""

import functools
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from .. import clock
from ..catalog import episodes
from ..extensions import Changes, Model, db
from ..models import (
    AlternateAudio,
    Chapter,
    Comment,
    CommentStatus,
    Episode,
    Person,
    Show,
    Soundbite,
    Transcript,
)

# The comments an episode's comments feed carries: the newest, replies too.
# Podcast apps and feed readers show the latest; a feed of every comment of a
# busy episode would be megabytes built at each new comment (README, "Feeds").
COMMENTS_IN_FEED = 200

_NOW = sa.bindparam("now", type_=Episode.published_at.type)
_SLUG = sa.bindparam("slug", type_=Episode.slug.type)
# The feed's version kept as of a data_version: (data_version, read at, the next
# scheduled episode's time, Version).
_FEED = "podcast_hub.feed_version"


@dataclass(frozen=True)
class Version:
    """The state of a feed's content: `key` changes whenever the content does."""

    key: str
    last_modified: datetime


def feed_version(now: datetime | None = None) -> Version | None:
    """Return the Version of the show's feed, or None before a show is set up.

    On a SQLite file the version is kept, and asked of the tables again only
    when the database has changed since (`extensions.Changes`) or a scheduled
    episode has gone out: a poll of an unchanged feed reads one counter.
    """
    now = now or clock.now()
    try:
        watch = Changes.of_this_database()
        seen = watch.data_version() if watch is not None else None
    except sqlite3.Error:
        # The file cannot be read: the query below meets the same trouble as
        # a database error, which the views answer (the last good feed, 503).
        watch, seen = None, None
    if watch is not None and (found := _kept_version(watch, seen, now)) is not None:
        return found
    connection = db.session.connection()
    row = connection.execute(_feed_version_query(), {"now": now}).first()
    if row is None:
        return None
    version = Version(
        key=_key(row),
        last_modified=_latest(row.updated_at, row.published, row.episode_updated),
    )
    if watch is not None:
        watch.info[_FEED] = (seen, now, row.next_out, version)
    return version


def _kept_version(watch: Changes, seen: int | None, now: datetime) -> Version | None:
    """Return the feed's version kept in `watch`, if the database is as it was
    then and no scheduled episode has gone out since."""
    kept = watch.info.get(_FEED)
    if kept is None:
        return None
    data_version, since, until, version = kept
    if data_version != seen or now < since or (until is not None and now >= until):
        return None
    return version


def feed_content(
    now: datetime | None = None,
) -> tuple[Show | None, list[Any], Sequence[Any]]:
    """Return (show, published episodes newest first, the show's people).

    Episodes are read-only records with the columns of Episode and their
    `chapters`, `transcripts`, `soundbites`, `alternates` and `people` rows, in
    the order the model gives them. The show's people are `Person` rows, in the
    order added.
    """
    now = now or clock.now()
    show = episodes.get_show()
    # Core rows through the session's connection: no ORM bookkeeping.
    connection = db.session.connection()
    rows = connection.execute(
        sa.select(Episode.__table__)
        .where(_published(now))
        .order_by(Episode.published_at.desc(), Episode.id.desc())
    )
    names = rows.keys()
    items: dict[int, Any] = {}
    for row in rows.all():
        item = SimpleNamespace(
            chapters=[], transcripts=[], soundbites=[], alternates=[], people=[]
        )
        item.__dict__.update(zip(names, row, strict=True))
        items[item.id] = item
    # Sidecars of drafts come along and are dropped: cheaper than a join.
    for name, model, order in _SIDECARS:
        lists = {key: getattr(item, name) for key, item in items.items()}
        query = sa.select(model.__table__).order_by(*order)
        for row in connection.execute(query).all():
            found = lists.get(row.episode_id)
            if found is not None:
                found.append(row)
    people = connection.execute(
        sa.select(Person.__table__)
        .where(Person.show_id.is_not(None))
        .order_by(Person.id)
    ).all()
    return show, list(items.values()), people


_SIDECARS: list[tuple[str, type[Model], tuple[Any, ...]]] = [
    ("chapters", Chapter, (Chapter.start_s, Chapter.id)),
    ("transcripts", Transcript, (Transcript.file,)),
    ("soundbites", Soundbite, (Soundbite.start_s, Soundbite.id)),
    ("alternates", AlternateAudio, (AlternateAudio.file,)),
    ("people", Person, (Person.id,)),
]


def comments_version(slug: str, now: datetime | None = None) -> Version | None:
    """Return the Version of an episode's comments feed.

    None when there is no published episode with this slug (or no show).
    """
    now = now or clock.now()
    found = db.session.connection().execute(
        _comments_version_query(), {"now": now, "slug": slug}
    )
    row = found.first()
    if row is None or row.show_updated is None:
        return None
    return Version(
        key=_key(row),
        last_modified=_latest(
            row.updated_at, row.show_updated, row.comment_created, row.comment_edited
        ),
    )


def episode_comments(episode: Episode, limit: int = COMMENTS_IN_FEED) -> list[Comment]:
    """Return the newest `limit` published comments on `episode`, replies too,
    newest first.

    The same comments as on the episode's page: a reply whose parent is not
    published is not shown there, nor here. Which ones is decided on plain
    rows (id, parent, date); only the `limit` kept are loaded as comments.
    """
    rows = (
        db.session.connection()
        .execute(
            sa.select(Comment.id, Comment.parent_id, Comment.created_at).where(
                Comment.episode_id == episode.id,
                Comment.status == CommentStatus.PUBLISHED,
            )
        )
        .all()
    )
    parents = {row.id: row.parent_id for row in rows}
    shown: dict[int, bool] = {}

    def is_shown(comment_id: int) -> bool:
        chain = []
        answer = True
        current: int | None = comment_id
        while current is not None:
            if current in shown:
                answer = shown[current]
                break
            if current not in parents:
                answer = False
                break
            chain.append(current)
            current = parents[current]
        for seen in chain:
            shown[seen] = answer
        return answer

    newest = sorted(
        (row for row in rows if is_shown(row.id)),
        key=lambda row: (row.created_at, row.id),
        reverse=True,
    )[:limit]
    if not newest:
        return []
    found = db.session.scalars(
        sa.select(Comment)
        .where(Comment.id.in_([row.id for row in newest]))
        .options(so.raiseload("*"))
    ).all()
    return sorted(found, key=lambda c: (c.created_at, c.id), reverse=True)


@functools.cache
def _feed_version_query() -> sa.Select:
    """Return the query of everything that changes the feed, built once.

    Each part is cheap with SQLite's indexes: a range of the published_at
    index, whole-table counts and maxima. The maximum of updated_at spans drafts
    too: an unpublished episode moves it. What the counts and maxima of
    chapters, transcripts, soundbites and people cannot see, an edit in place,
    moves its episode's or the show's updated_at (see `models`).
    """
    out = episodes.published_clause(_NOW)
    sidecars = [
        _scalar(aggregate, model).label(f"{model.__tablename__}_{name}")
        for model in (Chapter, Transcript, Soundbite, AlternateAudio, Person)
        for name, aggregate in (
            ("count", sa.func.count()),
            ("max", sa.func.max(model.id)),
        )
    ]
    return (
        sa.select(
            Show.id,
            Show.updated_at,
            _scalar(sa.func.count(), Episode, out).label("episodes"),
            _scalar(sa.func.max(Episode.published_at), Episode, out).label("published"),
            _scalar(sa.func.max(Episode.updated_at), Episode).label("episode_updated"),
            *sidecars,
            # When the next scheduled episode goes out: the version changes then.
            _scalar(
                sa.func.min(Episode.published_at), Episode, _NOW < Episode.published_at
            ).label("next_out"),
        )
        .order_by(Show.id)
        .limit(1)
    )


@functools.cache
def _comments_version_query() -> sa.Select:
    said = sa.and_(
        Comment.episode_id == Episode.id, Comment.status == CommentStatus.PUBLISHED
    )
    return sa.select(
        Episode.id,
        Episode.updated_at,
        _scalar(sa.func.max(Show.updated_at), Show).label("show_updated"),
        _scalar(sa.func.count(), Comment, said).label("comments"),
        _scalar(sa.func.sum(Comment.id), Comment, said).label("comment_ids"),
        _scalar(sa.func.max(Comment.created_at), Comment, said).label(
            "comment_created"
        ),
        _scalar(sa.func.max(Comment.edited_at), Comment, said).label("comment_edited"),
    ).where(Episode.slug == _SLUG, episodes.published_clause(_NOW))


def _scalar(
    aggregate: Any, model: type[Model], where: sa.ColumnElement[bool] | None = None
) -> sa.ScalarSelect[Any]:
    query = sa.select(aggregate).select_from(model)
    if where is not None:
        query = query.where(where)
    return query.scalar_subquery()


def _published(now: datetime) -> sa.ColumnElement[bool]:
    return episodes.published_clause(now)


def _key(row: sa.Row) -> str:
    return "|".join("" if value is None else str(value) for value in row)


def _latest(*moments: datetime | None) -> datetime:
    return max(moment for moment in moments if moment is not None)
