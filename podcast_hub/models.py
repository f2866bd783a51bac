"""The show, its episodes, the conversation and the hosts."""

import enum
from collections.abc import Mapping
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from sqlalchemy.ext.hybrid import hybrid_method

from . import clock
from .extensions import Model

SOUNDBITE_SECONDS = (15, 120)


class CommentStatus(enum.StrEnum):
    """Where a comment stands; the values are stored (`status_known`)."""

    PUBLISHED = "published"
    PENDING = "pending"
    HIDDEN = "hidden"
    SPAM = "spam"
    DELETED = "deleted"


class EpisodeType(enum.StrEnum):
    """An episode's `itunes:episodeType`; the values are stored."""

    FULL = "full"
    TRAILER = "trailer"
    BONUS = "bonus"


class ShowType(enum.StrEnum):
    """A show's `itunes:type`; the values are stored."""

    EPISODIC = "episodic"
    SERIAL = "serial"


class ChapterSource(enum.StrEnum):
    """Where a chapter came from; the values are stored."""

    AUDIO = "audio"
    SIDECAR = "sidecar"
    HOST = "host"


class ModerationMode(enum.StrEnum):
    """How new listener comments are held; the values are stored."""

    OPEN = "open"
    HOLD_FIRST = "hold_first"
    HOLD_ALL = "hold_all"


class BlockKind(enum.StrEnum):
    """What a block rule matches; the values are stored."""

    EMAIL = "email"
    WORD = "word"


# The largest id a row can have: what an INTEGER holds on every database
# (PostgreSQL's is 32 bits; SQLite's 64). Larger numbers name no row.
MAX_ID = 2**31 - 1


def _now() -> datetime:
    # Looked up at each call, so that a test that moves the clock dates rows too.
    return clock.now()


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Store aware datetimes as UTC and always hand them back aware."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime | None, dialect: sa.Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC one is needed")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: datetime | None, dialect: sa.Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Show(Model):
    """The podcast itself: one row."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(255))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    author: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    owner_name: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    owner_email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    language: so.Mapped[str] = so.mapped_column(sa.String(35), default="en")
    category: so.Mapped[str] = so.mapped_column(sa.String(255), default="Technology")
    explicit: so.Mapped[bool] = so.mapped_column(default=False)
    cover: so.Mapped[str | None] = so.mapped_column(sa.String(512))
    show_type: so.Mapped[str] = so.mapped_column(
        sa.String(10), default=ShowType.EPISODIC
    )
    locked: so.Mapped[bool] = so.mapped_column(default=True)
    podcast_guid: so.Mapped[str | None] = so.mapped_column(sa.String(36))
    funding_url: so.Mapped[str | None] = so.mapped_column(sa.String(512))
    funding_text: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    new_feed_url: so.Mapped[str | None] = so.mapped_column(sa.String(512))
    moderation_mode: so.Mapped[str] = so.mapped_column(
        sa.String(12), default=ModerationMode.OPEN
    )
    updated_at: so.Mapped[datetime] = so.mapped_column(
        UTCDateTime, default=_now, onupdate=_now
    )

    __table_args__ = (
        sa.CheckConstraint("length(title) > 0", name="title_not_empty"),
        sa.CheckConstraint(
            "show_type IN ('episodic', 'serial')", name="show_type_known"
        ),
        sa.CheckConstraint(
            "moderation_mode IN ('open', 'hold_first', 'hold_all')",
            name="moderation_mode_known",
        ),
    )


class Episode(Model):
    """One audio file published in the feed."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    guid: so.Mapped[str] = so.mapped_column(sa.String(255), unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(255))
    artist: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    audio_file: so.Mapped[str] = so.mapped_column(sa.String(512), unique=True)
    mime_type: so.Mapped[str] = so.mapped_column(sa.String(100))
    size_bytes: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    duration_s: so.Mapped[int]
    # None while the episode is a draft; a future moment schedules it.
    published_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    season: so.Mapped[int | None]
    number: so.Mapped[int | None]
    episode_type: so.Mapped[str] = so.mapped_column(
        sa.String(10), default=EpisodeType.FULL
    )
    explicit: so.Mapped[bool] = so.mapped_column(default=False)
    image: so.Mapped[str | None] = so.mapped_column(sa.String(512))
    comments_closed: so.Mapped[bool] = so.mapped_column(default=False)
    # Indexed: the feed's version reads the latest change on every poll.
    updated_at: so.Mapped[datetime] = so.mapped_column(
        UTCDateTime, default=_now, onupdate=_now, index=True
    )

    comments: so.WriteOnlyMapped["Comment"] = so.relationship(
        back_populates="episode", passive_deletes=True
    )
    chapters: so.Mapped[list["Chapter"]] = so.relationship(
        back_populates="episode",
        order_by="Chapter.start_s",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    transcripts: so.Mapped[list["Transcript"]] = so.relationship(
        back_populates="episode",
        order_by="Transcript.file",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    soundbites: so.Mapped[list["Soundbite"]] = so.relationship(
        back_populates="episode",
        order_by="Soundbite.start_s",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        sa.CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        sa.CheckConstraint("duration_s >= 0", name="duration_not_negative"),
        sa.CheckConstraint("length(title) > 0", name="title_not_empty"),
        sa.CheckConstraint("length(slug) > 0", name="slug_not_empty"),
        sa.CheckConstraint(
            "episode_type IN ('full', 'trailer', 'bonus')", name="episode_type_known"
        ),
        sa.CheckConstraint("season IS NULL OR season > 0", name="season_positive"),
        sa.CheckConstraint("number IS NULL OR number > 0", name="number_positive"),
    )


class Chapter(Model):
    """A named point in an episode's audio, from the file, a sidecar or the host."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    episode_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("episode.id", ondelete="CASCADE"), index=True
    )
    start_s: so.Mapped[int]
    title: so.Mapped[str] = so.mapped_column(sa.String(255))
    url: so.Mapped[str | None] = so.mapped_column(sa.String(1024))
    source: so.Mapped[str] = so.mapped_column(
        sa.String(10), default=ChapterSource.AUDIO
    )

    episode: so.Mapped[Episode] = so.relationship(back_populates="chapters")

    __table_args__ = (
        sa.CheckConstraint("start_s >= 0", name="start_not_negative"),
        sa.CheckConstraint("length(title) > 0", name="title_not_empty"),
        sa.CheckConstraint(
            "source IN ('audio', 'sidecar', 'host')", name="source_known"
        ),
    )


class Transcript(Model):
    """A transcript or captions file (WebVTT, SRT) next to an episode's audio."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    episode_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("episode.id", ondelete="CASCADE"), index=True
    )
    file: so.Mapped[str] = so.mapped_column(sa.String(512), unique=True)
    mime_type: so.Mapped[str] = so.mapped_column(sa.String(100))
    language: so.Mapped[str | None] = so.mapped_column(sa.String(35))

    episode: so.Mapped[Episode] = so.relationship(back_populates="transcripts")


class Soundbite(Model):
    """A moment the host picked to promote the episode (`podcast:soundbite`)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    episode_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("episode.id", ondelete="CASCADE"), index=True
    )
    start_s: so.Mapped[int]
    duration_s: so.Mapped[int]
    title: so.Mapped[str] = so.mapped_column(sa.String(128))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=_now)

    episode: so.Mapped[Episode] = so.relationship(back_populates="soundbites")

    __table_args__ = (
        sa.CheckConstraint("start_s >= 0", name="start_not_negative"),
        sa.CheckConstraint("duration_s BETWEEN 15 AND 120", name="duration_15_to_120"),
        sa.CheckConstraint("length(title) > 0", name="title_not_empty"),
    )


class BlockRule(Model):
    """An e-mail address or a word whose new comments go straight to spam."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(10))
    value: so.Mapped[str] = so.mapped_column(sa.String(254))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=_now)

    __table_args__ = (
        sa.UniqueConstraint("kind", "value", name="uq_block_rule_kind_value"),
        sa.CheckConstraint("kind IN ('email', 'word')", name="kind_known"),
        sa.CheckConstraint("length(value) > 0", name="value_not_empty"),
    )


class Host(UserMixin, Model):
    """Someone who answers listeners and runs the show."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(80))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    # Part of every login's session id: raising it ends all of them at once.
    session_version: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=_now)

    __table_args__ = (
        sa.CheckConstraint("length(display_name) > 0", name="display_name_not_empty"),
    )

    def get_id(self) -> str:
        """Return the session id Flask-Login keeps: `<id>:<session_version>`."""
        return f"{self.id}:{self.session_version}"


class Comment(Model):
    """A listener's or a host's words, optionally tied to a moment of the audio."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    episode_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("episode.id", ondelete="CASCADE"), index=True
    )
    parent_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    host_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("host.id", ondelete="SET NULL"), index=True
    )
    is_host: so.Mapped[bool] = so.mapped_column(default=False)
    author: so.Mapped[str] = so.mapped_column(sa.String(80))
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    timestamp_s: so.Mapped[int | None]
    status: so.Mapped[str] = so.mapped_column(
        sa.String(12), default=CommentStatus.PUBLISHED
    )
    pinned: so.Mapped[bool] = so.mapped_column(default=False)
    # The host decided this comment needs no answer: it leaves "Needs reply".
    reply_not_needed: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(
        UTCDateTime, default=_now, index=True
    )
    edited_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    deleted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The poster's key for this post, in the poster's scope (`conversation.repeats`),
    # and a digest of what they sent: the same post sent again finds this row.
    posting_key: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    posting_digest: so.Mapped[str | None] = so.mapped_column(sa.String(64))

    episode: so.Mapped[Episode] = so.relationship(back_populates="comments")
    host: so.Mapped[Host | None] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint("length(body) > 0", name="body_not_empty"),
        sa.CheckConstraint("length(author) > 0", name="author_not_empty"),
        sa.CheckConstraint(
            "timestamp_s IS NULL OR timestamp_s >= 0", name="timestamp_not_negative"
        ),
        sa.CheckConstraint(
            "status IN ('published', 'pending', 'hidden', 'spam', 'deleted')",
            name="status_known",
        ),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name="not_own_parent"
        ),
    )

    @hybrid_method
    def is_claimed_by(self, claims: Mapping[int, datetime]) -> bool:
        """Tell whether `claims`, {comment id: created_at}, names this very comment.

        The creation time is part of the claim, so that a claim to a comment that
        was purged does not carry over to a later comment that reuses its id.
        """
        return self.id in claims and claims[self.id] == self.created_at

    # A hybrid_method's `expression` changes it in place (what `inplace` is for
    # on a hybrid_property), and type checkers read it better without `inplace`.
    @is_claimed_by.expression
    @classmethod
    def _is_claimed_by_expression(
        cls, claims: Mapping[int, datetime]
    ) -> sa.ColumnElement[bool]:
        if not claims:
            return sa.false()
        pairs = sa.tuple_(cls.id, cls.created_at)
        return pairs.in_([(key, at) for key, at in claims.items()])


@sa.event.listens_for(so.Session, "before_flush")
def _touch_episodes_of_changed_sidecars(
    session: so.Session, _context: so.UOWTransaction, _instances: object
) -> None:
    """Move an episode's `updated_at` when its chapters, transcripts or soundbites
    change: the feeds' version and Last-Modified are read from the episodes.
    """
    changed = [*session.new, *session.deleted]
    changed += [obj for obj in session.dirty if session.is_modified(obj)]
    for obj in changed:
        if isinstance(obj, Chapter | Transcript | Soundbite):
            # A new row may name its episode by id only.
            episode = obj.episode
            if episode is None and obj.episode_id is not None:
                episode = session.get(Episode, obj.episode_id)
            if episode is not None and episode not in session.deleted:
                episode.updated_at = clock.now()


class Heartbeat(Model):
    """One row that `/healthz` writes: proof that the database takes writes."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    written_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=_now)
