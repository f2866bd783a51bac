"""The show, its episodes, the conversation and the hosts."""

import enum
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from sqlalchemy.ext.hybrid import hybrid_method

from . import clock
from .extensions import Model

SOUNDBITE_SECONDS = (15, 120)
# A new show's Apple category until the host chooses one.
DEFAULT_CATEGORY = "Technology"


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

    # The default: plain comments appear at once, what looks like spam is held.
    FILTER = "filter"
    OPEN = "open"
    HOLD_FIRST = "hold_first"
    HOLD_ALL = "hold_all"


class HostNotify(enum.StrEnum):
    """What mail a host gets about new comments; the values are stored."""

    EACH = "each"
    DIGEST = "digest"
    NONE = "none"


class MailKind(enum.StrEnum):
    """What an outbox row is for; the values are stored."""

    CONFIRM = "confirm"
    REPLY = "reply"
    HOST_COMMENT = "host_comment"
    DIGEST = "digest"
    INVITE = "invite"


class HostRole(enum.StrEnum):
    """What a host may do in the dashboard (`auth.roles` says what each allows);
    the values are stored."""

    OWNER = "owner"
    COHOST = "cohost"
    MODERATOR = "moderator"


class MailStatus(enum.StrEnum):
    """Where an outbox row stands; the values are stored.

    `skipped`: at the time of sending, the mail was no longer wanted (the reply
    was hidden, the address unsubscribed); `failed`: the SMTP server refused
    it for good.
    """

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"


class BlockKind(enum.StrEnum):
    """What a block rule matches; the values are stored."""

    EMAIL = "email"
    WORD = "word"


class PersonKind(enum.StrEnum):
    """What the host decided about a listener; the values are stored."""

    BLOCK = "block"
    TRUST = "trust"


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
    category: so.Mapped[str] = so.mapped_column(
        sa.String(255), default=DEFAULT_CATEGORY
    )
    explicit: so.Mapped[bool] = so.mapped_column(default=False)
    cover: so.Mapped[str | None] = so.mapped_column(sa.String(512))
    show_type: so.Mapped[str] = so.mapped_column(
        sa.String(10), default=ShowType.EPISODIC
    )
    locked: so.Mapped[bool] = so.mapped_column(default=True)
    # Made once (`catalog.identity`) and kept: apps and the Podcast Index know
    # the show by it. None only in a show that predates it, until its feed is read.
    podcast_guid: so.Mapped[str | None] = so.mapped_column(
        sa.String(36), default=lambda: str(uuid.uuid4())
    )
    funding_url: so.Mapped[str | None] = so.mapped_column(sa.String(512))
    funding_text: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    new_feed_url: so.Mapped[str | None] = so.mapped_column(sa.String(512))
    moderation_mode: so.Mapped[str] = so.mapped_column(
        sa.String(12), default=ModerationMode.FILTER
    )
    # itunes:block and podcast:block: keep the show out of directories.
    block: so.Mapped[bool] = so.mapped_column(default=False)
    # itunes:complete: no episode will ever be added.
    complete: so.Mapped[bool] = so.mapped_column(default=False)
    medium: so.Mapped[str] = so.mapped_column(sa.String(12), default="podcast")
    copyright: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    # podcast:license: an SPDX identifier, or a name with `license_url`.
    license: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    license_url: so.Mapped[str | None] = so.mapped_column(sa.String(512))
    # podcast:updateFrequency: words for people, an iCalendar RRULE for apps.
    update_frequency: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    update_rrule: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    # podcast:txt records: [{"purpose": str | None, "text": str}, ...].
    txt: so.Mapped[list[dict[str, Any]] | None] = so.mapped_column(sa.JSON)
    # Where listeners subscribe (`catalog.subscribing`): the show's id on Apple
    # Podcasts (digits) and its address on Spotify.
    apple_podcasts_id: so.Mapped[str | None] = so.mapped_column(sa.String(12))
    spotify_url: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    # The pages' accent, `#rrggbb` readable on them (`rules.accent_problem`);
    # None: the default.
    accent_color: so.Mapped[str | None] = so.mapped_column(sa.String(7))
    updated_at: so.Mapped[datetime] = so.mapped_column(
        UTCDateTime, default=_now, onupdate=_now
    )

    # The show's people (hosts and crew) as podcast:person; not the dashboard's
    # accounts, which are people who answer listeners.
    people: so.Mapped[list["Person"]] = so.relationship(
        back_populates="show",
        order_by="Person.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        sa.CheckConstraint("length(title) > 0", name="title_not_empty"),
        sa.CheckConstraint(
            "show_type IN ('episodic', 'serial')", name="show_type_known"
        ),
        sa.CheckConstraint(
            "moderation_mode IN ('filter', 'open', 'hold_first', 'hold_all')",
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
    # When the episode first went out, kept while it is a draft again: publishing
    # it once more brings back this date (its pubDate), not the moment of the click.
    first_published_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    season: so.Mapped[int | None]
    number: so.Mapped[int | None]
    episode_type: so.Mapped[str] = so.mapped_column(
        sa.String(10), default=EpisodeType.FULL
    )
    explicit: so.Mapped[bool] = so.mapped_column(default=False)
    image: so.Mapped[str | None] = so.mapped_column(sa.String(512))
    comments_closed: so.Mapped[bool] = so.mapped_column(default=False)
    # What the audio holds, whatever its tags and name (`library.fingerprint`):
    # finds the episode again when its file moves or the database is rebuilt.
    fingerprint: so.Mapped[str | None] = so.mapped_column(sa.String(64), index=True)
    # Set when an import no longer finds the audio file: out of the feed and the
    # site (`catalog.episodes`) until the file is back.
    missing_since: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
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
    alternates: so.Mapped[list["AlternateAudio"]] = so.relationship(
        back_populates="episode",
        order_by="AlternateAudio.file",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    # Guests and anyone else credited on this episode (podcast:person).
    people: so.Mapped[list["Person"]] = so.relationship(
        back_populates="episode",
        order_by="Person.id",
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


class FormerSlug(Model):
    """A slug an episode had before: its old addresses redirect to the new one."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    episode_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("episode.id", ondelete="CASCADE"), index=True
    )
    slug: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=_now)

    episode: so.Mapped[Episode] = so.relationship()

    __table_args__ = (sa.CheckConstraint("length(slug) > 0", name="slug_not_empty"),)


class Chapter(Model):
    """A named point in an episode's audio, from the file, a sidecar or the host."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    episode_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("episode.id", ondelete="CASCADE"), index=True
    )
    start_s: so.Mapped[int]
    title: so.Mapped[str] = so.mapped_column(sa.String(255))
    url: so.Mapped[str | None] = so.mapped_column(sa.String(1024))
    # The chapter's picture, shown by apps while it plays.
    img: so.Mapped[str | None] = so.mapped_column(sa.String(1024))
    # False: a picture change only, left out of tables of contents.
    toc: so.Mapped[bool] = so.mapped_column(default=True)
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


class AlternateAudio(Model):
    """Another file of an episode's audio, beside its enclosure: `talk.opus` next
    to `talk.mp3`, offered as a `podcast:alternateEnclosure`."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    episode_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("episode.id", ondelete="CASCADE"), index=True
    )
    file: so.Mapped[str] = so.mapped_column(sa.String(512), unique=True)
    mime_type: so.Mapped[str] = so.mapped_column(sa.String(100))
    # "opus", "vorbis", "flac", "pcm", "aac", "mp3": the codecs attribute.
    codec: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    size_bytes: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    bitrate_bps: so.Mapped[int | None]
    duration_s: so.Mapped[int]

    episode: so.Mapped[Episode] = so.relationship(back_populates="alternates")

    __table_args__ = (
        sa.CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        sa.CheckConstraint("duration_s >= 0", name="duration_not_negative"),
    )


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


class Person(Model):
    """Someone credited on the show or on one episode (`podcast:person`).

    Exactly one of `show_id` (a host or crew of the show) and `episode_id` (a
    guest, or anyone on that episode only) is set. `role` and `group_name` are
    from the Podcast Taxonomy (`rules.PERSON_ROLES`), lowercase.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    show_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("show.id", ondelete="CASCADE"), index=True
    )
    episode_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("episode.id", ondelete="CASCADE"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(128))
    role: so.Mapped[str] = so.mapped_column(sa.String(40), default="host")
    group_name: so.Mapped[str] = so.mapped_column(sa.String(40), default="cast")
    img: so.Mapped[str | None] = so.mapped_column(sa.String(512))
    href: so.Mapped[str | None] = so.mapped_column(sa.String(512))

    show: so.Mapped[Show | None] = so.relationship(back_populates="people")
    episode: so.Mapped[Episode | None] = so.relationship(back_populates="people")

    __table_args__ = (
        sa.CheckConstraint("length(name) > 0", name="name_not_empty"),
        sa.CheckConstraint(
            "(show_id IS NULL) <> (episode_id IS NULL)", name="show_or_episode"
        ),
    )


class WebSubPing(Model):
    """What a WebSub hub was told, or is still to be told, about one feed.

    One row per hub and feed URL: `version` is the feed's last announced
    version; `due_at` is when the next ping is to be sent (None: nothing to
    send). Failed pings are tried again later (`attempts`, `last_error`).
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    hub_url: so.Mapped[str] = so.mapped_column(sa.String(512))
    topic_url: so.Mapped[str] = so.mapped_column(sa.String(512))
    version: so.Mapped[str] = so.mapped_column(sa.String(64))
    due_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(255))

    __table_args__ = (
        sa.UniqueConstraint("hub_url", "topic_url", name="uq_web_sub_ping_hub_topic"),
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


class PersonRule(Model):
    """A listener the host blocked (new comments go to spam) or trusted (new
    comments skip holding), decided from one of their comments.

    The listener is known by that comment's e-mail address, which is never shown,
    or by the browser that posted it (its ownership token). The host sees the
    name and the comment.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(10))
    # The name on the comment, as the host sees it.
    person: so.Mapped[str] = so.mapped_column(sa.String(80))
    # The comment's address, lower-case: never shown.
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254), index=True)
    comment_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("comment.id", ondelete="SET NULL"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=_now)

    __table_args__ = (
        sa.CheckConstraint("kind IN ('block', 'trust')", name="kind_known"),
        sa.CheckConstraint("length(person) > 0", name="person_not_empty"),
        # One decision of a kind from a comment, however often it is pressed.
        sa.UniqueConstraint("kind", "comment_id", name="uq_person_rule_kind_comment"),
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
    # Mail about new comments: one each, a daily digest, or none.
    notify: so.Mapped[str] = so.mapped_column(sa.String(10), default=HostNotify.EACH)
    # When the last daily digest was made (sent, or found nothing to say).
    digest_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # When the host last opened the inbox: what came after is unread.
    inbox_seen_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # SHA-256 of the secret in the address of the host's private inbox feed;
    # None when there is no such feed.
    inbox_feed_hash: so.Mapped[str | None] = so.mapped_column(
        sa.String(64), unique=True
    )
    # What the host may do: see `auth.roles`. Hosts made before roles are owners.
    role: so.Mapped[str] = so.mapped_column(
        sa.String(10), default=HostRole.OWNER, server_default=HostRole.OWNER.value
    )

    __table_args__ = (
        sa.CheckConstraint("length(display_name) > 0", name="display_name_not_empty"),
        sa.CheckConstraint("notify IN ('each', 'digest', 'none')", name="notify_known"),
        sa.CheckConstraint(
            "role IN ('owner', 'cohost', 'moderator')", name="role_known"
        ),
    )

    def get_id(self) -> str:
        """Return the session id Flask-Login keeps: `<id>:<session_version>`."""
        return f"{self.id}:{self.session_version}"


# An invitation neither answered nor withdrawn (expired or not).
WAITING = "accepted_at IS NULL AND revoked_at IS NULL"


class Invitation(Model):
    """An owner's invitation to join the team with a role, sent by mail.

    The link in the mail carries the row's id and `nonce` (signed, `mail.tokens`):
    sending it again draws a new nonce, so only the latest link works. It works
    once (`accepted_at`), until `expires_at`, and not after `revoked_at`.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # Stored lower-case, as hosts' addresses are.
    email: so.Mapped[str] = so.mapped_column(sa.String(254), index=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(10))
    nonce: so.Mapped[str] = so.mapped_column(sa.String(32))
    invited_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("host.id", ondelete="SET NULL"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=_now)
    # When the latest link was made (the invitation, or sending it again).
    sent_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=_now)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    accepted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    invited_by: so.Mapped[Host | None] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint("length(email) > 0", name="email_not_empty"),
        sa.CheckConstraint(
            "role IN ('owner', 'cohost', 'moderator')", name="role_known"
        ),
        # One invitation waiting per address, however often "Invite" is pressed.
        sa.Index(
            "uq_invitation_email_waiting",
            "email",
            unique=True,
            sqlite_where=sa.text(WAITING),
            postgresql_where=sa.text(WAITING),
        ),
    )


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
    # The listener asked to be mailed replies (at `email`, once confirmed).
    notify: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(
        UTCDateTime, default=_now, index=True
    )
    edited_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    deleted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The poster's key for this post, in the poster's scope (`conversation.repeats`),
    # and a digest of what they sent: the same post sent again finds this row.
    posting_key: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    posting_digest: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # A digest of the words as the spam filter compares them (`spam.body_key`):
    # the same words on other episodes are found by this index, not by reading
    # every recent comment.
    body_key: so.Mapped[str | None] = so.mapped_column(sa.String(64), index=True)
    # Why moderation held it or sent it to spam, for the host ("Held: first
    # comment with a link"); None for a comment published as it came.
    moderation_reason: so.Mapped[str | None] = so.mapped_column(sa.String(255))

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
        # The spam filter counts a name's comments of the last minutes.
        sa.Index("ix_comment_author_created_at", "author", "created_at"),
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


def claimed(
    table: sa.Table | sa.TableClause, name: str = "claims"
) -> sa.ColumnElement[bool]:
    """Return `Comment.is_claimed_by` for a statement built once: the claims are
    the expanding bind parameter `name`, given as `claim_pairs(claims)` (never
    empty) when the statement runs. `table` is the comment table or an alias."""
    pairs = sa.tuple_(table.c.id, table.c.created_at)
    return pairs.in_(sa.bindparam(name, expanding=True))


def claim_pairs(claims: Mapping[int, datetime]) -> list[tuple[int, datetime]]:
    """Return `claims`, {comment id: created_at}, as `claimed` binds them."""
    return list(claims.items())


class MailAddress(Model):
    """A listener's address that asked for mail: whether it is confirmed, and
    whether it stopped everything from the show. Never shown to anyone."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # Stored lower-case: one row per address however it is typed.
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=_now)
    confirmation_sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    confirmed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    unsubscribed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    __table_args__ = (sa.CheckConstraint("length(email) > 0", name="email_not_empty"),)


class MailMute(Model):
    """A thread an address asked to hear no more about."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    address_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("mail_address.id", ondelete="CASCADE"), index=True
    )
    # The thread's top-level comment.
    thread_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=_now)

    __table_args__ = (
        sa.UniqueConstraint("address_id", "thread_id", name="uq_mail_mute_thread"),
    )


class OutboxMail(Model):
    """One mail to send, written in the transaction of the event that causes it.

    What it says is composed when it is sent, from the rows it names, so that a
    reply hidden in the meantime sends nothing. `key` names the event and its
    recipient: the same event never queues a second mail.
    """

    __tablename__ = "outbox"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default=MailStatus.QUEUED)
    address_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("mail_address.id", ondelete="CASCADE"), index=True
    )
    host_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("host.id", ondelete="CASCADE"), index=True
    )
    comment_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    invitation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("invitation.id", ondelete="CASCADE"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=_now)
    # Not to be sent before: the batching window, or the next retry.
    due_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=_now)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    # Which deliverer holds the row, and until when (a crashed one lets go).
    claim: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    claimed_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    message_id: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    # The SMTP server's answer, or why the mail was not sent; no address in it.
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)

    __table_args__ = (
        sa.Index("ix_outbox_status_due_at", "status", "due_at"),
        sa.CheckConstraint(
            "kind IN ('confirm', 'reply', 'host_comment', 'digest', 'invite')",
            name="kind_known",
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'skipped', 'failed')",
            name="status_known",
        ),
        sa.CheckConstraint(
            "address_id IS NOT NULL OR host_id IS NOT NULL "
            "OR invitation_id IS NOT NULL",
            name="has_recipient",
        ),
    )


@sa.event.listens_for(so.Session, "before_flush")
def _keep_former_slugs(
    session: so.Session, _context: so.UOWTransaction, _instances: object
) -> None:
    """Keep each slug an episode leaves, so that its old addresses redirect; a
    slug taken again (by any episode) stops redirecting.

    Here rather than in each door that sets a slug (dashboard, import, upload).
    """
    for obj in [*session.new, *session.dirty]:
        if not isinstance(obj, Episode):
            continue
        history = so.attributes.get_history(obj, "slug")
        if not history.added:
            continue
        session.execute(sa.delete(FormerSlug).where(FormerSlug.slug == obj.slug))
        for old in history.deleted:
            if old and old != obj.slug:
                session.add(FormerSlug(episode=obj, slug=old))


class ReplyFeed(Model):
    """A listener's browser, known by the secret in its cookie and in the address
    of its private feed of replies: the comments it posted, the replies it saw."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # SHA-256 of the secret: the database alone opens no feed.
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=_now)


class ReplyFeedComment(Model):
    """A comment posted from the browser of a ReplyFeed."""

    feed_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("reply_feed.id", ondelete="CASCADE"), primary_key=True
    )
    comment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SeenReply(Model):
    """A reply the listener of a ReplyFeed opened or put away: no longer news."""

    feed_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("reply_feed.id", ondelete="CASCADE"), primary_key=True
    )
    comment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    seen_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=_now)


@sa.event.listens_for(so.Session, "before_flush")
def _touch_episodes_of_changed_sidecars(
    session: so.Session, _context: so.UOWTransaction, _instances: object
) -> None:
    """Move an episode's `updated_at` when its chapters, transcripts, soundbites or
    alternate files or people change, and the show's when its people do: the
    feeds' version and Last-Modified are read from those rows.
    """
    changed = [*session.new, *session.deleted]
    changed += [obj for obj in session.dirty if session.is_modified(obj)]
    for obj in changed:
        if isinstance(obj, Person) and obj.episode_id is None and obj.show_id:
            show = obj.show or session.get(Show, obj.show_id)
            if show is not None and show not in session.deleted:
                show.updated_at = clock.now()
        elif isinstance(
            obj, Chapter | Transcript | Soundbite | Person | AlternateAudio
        ):
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


class RenderedFeed(Model):
    """The bytes of a feed at its current version, shared by every worker: the
    first to poll after a change renders it, the others serve these bytes."""

    __tablename__ = "rendered_feed"

    path: so.Mapped[str] = so.mapped_column(sa.String(500), primary_key=True)
    # The feed's representation key (its ETag without the gzip suffix).
    key: so.Mapped[str] = so.mapped_column(sa.String(64))
    body: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    rendered_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=_now)
