"""Queries about the show and its published episodes."""

import sqlalchemy as sa

from .extensions import db
from .models import Comment, Episode, Show, Transcript, utcnow


def get_show():
    """Return the show, or None before one is set up."""
    return db.session.scalar(sa.select(Show).order_by(Show.id).limit(1))


def _published(now=None):
    return Episode.published_at <= (now or utcnow())


def published_episodes(now=None):
    """Return the published episodes, newest first."""
    query = (
        sa.select(Episode)
        .where(_published(now))
        .order_by(Episode.published_at.desc(), Episode.id.desc())
    )
    return db.session.scalars(query).all()


def get_published(slug, now=None):
    """Return the published episode with this slug, or None."""
    query = sa.select(Episode).where(Episode.slug == slug, _published(now))
    return db.session.scalar(query)


def comment_counts(episodes):
    """Return {episode id: number of published comments} in one query."""
    ids = [episode.id for episode in episodes]
    if not ids:
        return {}
    query = (
        sa.select(Comment.episode_id, sa.func.count(Comment.id))
        .where(Comment.episode_id.in_(ids), Comment.status == "published")
        .group_by(Comment.episode_id)
    )
    counts = dict(db.session.execute(query).all())
    return {episode_id: counts.get(episode_id, 0) for episode_id in ids}


def by_audio_file(filename):
    """Return the episode whose audio is `filename`, published or not, or None."""
    return db.session.scalar(sa.select(Episode).where(Episode.audio_file == filename))


def media_owners(filename):
    """Return the episodes whose audio, art or transcript is `filename`."""
    transcript_of = sa.select(Transcript.episode_id).where(Transcript.file == filename)
    query = sa.select(Episode).where(
        sa.or_(
            Episode.audio_file == filename,
            Episode.image == filename,
            Episode.id.in_(transcript_of),
        )
    )
    return db.session.scalars(query).all()


def is_published(episode, now=None):
    """Tell whether `episode` is out: not a draft, and its publication time passed."""
    return episode.published_at is not None and episode.published_at <= (
        now or utcnow()
    )
