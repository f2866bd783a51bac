"""Queries about the show and its published episodes."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so

from .. import clock
from ..extensions import db
from ..models import (
    AlternateAudio,
    Comment,
    CommentStatus,
    Episode,
    FormerSlug,
    Show,
    Transcript,
)
from . import files


def get_show() -> Show | None:
    """Return the show, or None before one is set up."""
    return db.session.scalar(sa.select(Show).order_by(Show.id).limit(1))


def published_clause(
    now: datetime | sa.BindParameter[datetime],
) -> sa.ColumnElement[bool]:
    """Return the rule of what is out as SQL: its publication time has passed
    (None is a draft) and its audio file is there (`Episode.missing_since`)."""
    return sa.and_(Episode.published_at <= now, Episode.missing_since.is_(None))


def _published(now: datetime | None = None) -> sa.ColumnElement[bool]:
    return published_clause(now or clock.now())


def published_condition(now: datetime | None = None) -> sa.ColumnElement[bool]:
    """Return the SQL condition that an `Episode` is out at `now` (default: now)."""
    return _published(now)


def published_episodes() -> Sequence[Episode]:
    """Return the published episodes, newest first."""
    query = (
        sa.select(Episode)
        .where(_published())
        .order_by(Episode.published_at.desc(), Episode.id.desc())
    )
    return db.session.scalars(query).all()


def get_published(slug: str, now: datetime | None = None) -> Episode | None:
    """Return the published episode with this slug, or None.

    `now`, when given, is the moment that decides what is published (a feed
    reads the clock once for its version and its content).
    """
    return db.session.scalar(_GET_PUBLISHED, {"slug": slug, "now": now or clock.now()})


class Commentable(NamedTuple):
    """What posting a comment needs of a published episode, read in one narrow
    statement where an ORM `Episode` costs several times more to load."""

    id: int
    slug: str
    comments_closed: bool
    duration_s: int


def commentable(slug: str, now: datetime | None = None) -> Commentable | None:
    """Return what a post needs of the published episode at `slug`, or None."""
    row = (
        db.session.connection()
        .execute(_COMMENTABLE, {"slug": slug, "now": now or clock.now()})
        .first()
    )
    return None if row is None else Commentable(*row)


def published_id(slug: str, now: datetime | None = None) -> int | None:
    """Return the id of the published episode with this slug, or None: one
    narrow statement, for readers that need no more of the episode."""
    found = db.session.connection().execute(
        _PUBLISHED_ID, {"slug": slug, "now": now or clock.now()}
    )
    return found.scalar()


# Built once: the request that loads an episode by its address is the most
# common, and SQLAlchemy keeps a prebuilt statement's compiled form by its key.
_AT_SLUG = sa.and_(
    Episode.slug == sa.bindparam("slug", type_=Episode.slug.type),
    published_clause(sa.bindparam("now", type_=Episode.published_at.type)),
)
_GET_PUBLISHED = sa.select(Episode).where(_AT_SLUG)
_PUBLISHED_ID = sa.select(Episode.id).where(_AT_SLUG)
_COMMENTABLE = sa.select(
    Episode.id, Episode.slug, Episode.comments_closed, Episode.duration_s
).where(_AT_SLUG)


def renamed(slug: str, now: datetime | None = None) -> Episode | None:
    """Return the published episode that had `slug` before its current one, or None."""
    query = (
        sa.select(Episode)
        .join(FormerSlug, FormerSlug.episode_id == Episode.id)
        .where(FormerSlug.slug == slug, _published(now))
    )
    return db.session.scalar(query)


def comment_counts(episodes: Iterable[Episode]) -> dict[int, int]:
    """Return {episode id: number of published comments} in one query."""
    ids = [episode.id for episode in episodes]
    if not ids:
        return {}
    query = (
        sa.select(Comment.episode_id, sa.func.count(Comment.id))
        .where(Comment.episode_id.in_(ids), Comment.status == CommentStatus.PUBLISHED)
        .group_by(Comment.episode_id)
    )
    counts: dict[int, int] = dict(db.session.execute(query).all())
    return {episode_id: counts.get(episode_id, 0) for episode_id in ids}


def by_audio_file(filename: str) -> Episode | None:
    """Return the episode whose audio is `filename`, published or not, or None."""
    return db.session.scalar(sa.select(Episode).where(Episode.audio_file == filename))


# The longest name a media column stores; a longer path names nothing.
MEDIA_NAME_MAX = 512


class MediaFile(NamedTuple):
    """A file /media/ serves: its stored name, what it is, the type stored with it.

    `kind` is "audio", "alternate", "art", "transcript" or "cover"; `mime_type`
    is the audio file's type or the transcript's, None for images.
    """

    name: str
    kind: str
    mime_type: str | None


def published_media(name: str) -> MediaFile | None:
    """Return the media file stored under exactly `name` that may be served, or None.

    Only the audio, art and transcripts of published episodes and the show's
    cover are served; a draft's or a scheduled episode's files are not, and a
    name spelled otherwise than stored (`./a.mp3`, `a.mp3/`, `A.MP3`) matches
    nothing, except art under the name the feed gives it (`files.art_name`:
    `talk.jpeg` is also `talk.jpg`). One query, two for that.
    """
    if len(name) > MEDIA_NAME_MAX or "\0" in name:
        return None
    out = _published()
    show_id = sa.select(sa.func.min(Show.id)).scalar_subquery()
    no_type = sa.cast(sa.null(), sa.String)
    kinds = [
        sa.select(*_row(1, "audio"), Episode.mime_type).where(
            Episode.audio_file == name, out
        ),
        sa.select(*_row(2, "transcript"), Transcript.mime_type)
        .join(Episode, Transcript.episode_id == Episode.id)
        .where(Transcript.file == name, out),
        sa.select(*_row(3, "art"), no_type).where(Episode.image == name, out),
        sa.select(*_row(4, "cover"), no_type).where(
            Show.cover == name, Show.id == show_id
        ),
        sa.select(*_row(5, "alternate"), AlternateAudio.mime_type)
        .join(Episode, AlternateAudio.episode_id == Episode.id)
        .where(AlternateAudio.file == name, out),
    ]
    query = sa.union_all(*kinds).order_by("rank").limit(1)
    row = db.session.execute(query).first()
    if row:
        return MediaFile(name, row.kind, row.mime_type)
    return _art_named(name, out, show_id)


def _art_named(
    name: str, out: sa.ColumnElement[bool], show_id: sa.ScalarSelect[int]
) -> MediaFile | None:
    """Return the art or cover whose `files.art_name` is `name`, or None."""
    stem, suffixes = files.art_spellings(name)
    if not suffixes:
        return None

    def spelled(column: so.InstrumentedAttribute[str | None]) -> sa.ColumnElement[bool]:
        return sa.and_(
            sa.func.substr(column, 1, len(stem)) == stem,
            sa.func.lower(sa.func.substr(column, len(stem) + 1)).in_(suffixes),
        )

    kinds = [
        sa.select(Episode.image.label("name"), *_row(1, "art")).where(
            spelled(Episode.image), out
        ),
        sa.select(Show.cover.label("name"), *_row(2, "cover")).where(
            spelled(Show.cover), Show.id == show_id
        ),
    ]
    query = sa.union_all(*kinds).order_by("rank", "name").limit(1)
    row = db.session.execute(query).first()
    return MediaFile(row.name, row.kind, None) if row else None


def _row(rank: int, kind: str) -> tuple[sa.Label[int], sa.Label[str]]:
    """Return the columns that tell the union's rows apart, in the order wanted."""
    return (
        sa.literal_column(str(rank)).label("rank"),
        sa.literal_column(f"'{kind}'").label("kind"),
    )


def is_published(episode: Episode) -> bool:
    """Tell whether `episode` is out: not a draft, its publication time passed,
    and its audio file there."""
    return (
        episode.published_at is not None
        and episode.published_at <= clock.now()
        and episode.missing_since is None
    )
