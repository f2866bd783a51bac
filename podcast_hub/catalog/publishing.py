"""Publishing from the dashboard: uploading and editing episodes, the show's
settings and cover, chapters and soundbites, and re-cut audio.

Uploads are written to a hidden temporary file in the media folder and read
with `audio.read` (mutagen) before anything is stored; only readable audio is
renamed into place, and a failure leaves nothing on disk or in the database.
"""

import contextlib
import enum
import os
import re
import secrets
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from .. import clock
from ..errors import ValidationFailed
from ..extensions import db
from ..library import audio, fingerprint
from ..models import (
    SOUNDBITE_SECONDS,
    Chapter,
    ChapterSource,
    Comment,
    Episode,
    EpisodeType,
    Person,
    Show,
    ShowType,
    Soundbite,
)
from ..text import rules, timecode
from . import episodes, files, identity

CHUNK_BYTES = 1 << 20
# Extensions podcast apps expect for each format we read.
CANONICAL_EXTENSIONS = {
    "audio/mpeg": ".mp3",
    audio.M4A_TYPE: ".m4a",
    "audio/aac": ".aac",
    "audio/ogg": ".ogg",
    "audio/flac": ".flac",
    "audio/wav": ".wav",
}
COVER_TYPES = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg"}
_UPLOADED_COVER = re.compile(r"^cover-[0-9a-f]{12}\.(?:png|jpg)$")
_SLUG_MAX = Episode.slug.type.length
_CHAPTER_URL_MAX = Chapter.url.type.length
_ARTIST_MAX = Episode.artist.type.length
# The media folder, as a path or its name.
MediaDir = str | os.PathLike[str]


class Publication(enum.StrEnum):
    """When an edited episode is out: never (a draft), now, or at a moment."""

    DRAFT = "draft"
    NOW = "now"
    AT = "at"


@dataclass
class Upload:
    """A file a host sent: its stream, the name it had, and the size limit."""

    stream: IO[bytes] | None
    filename: str
    max_bytes: int


@dataclass
class Shift:
    """What shifting an episode's moments did."""

    offset_s: int
    moved: int = 0
    # (comment, the moment it would have moved to): left where they were.
    outside: list[tuple[Comment, int]] = field(default_factory=list)


def _upload_error(message: str, name: str = "audio") -> ValidationFailed:
    return ValidationFailed({name: [message]}, message=message)


def _receive(upload: Upload | None, media_dir: MediaDir, what: str = "audio") -> Path:
    """Copy `upload` into a hidden temporary file in `media_dir`; return its path.

    Raises ValidationFailed, leaving nothing behind, for no file, an empty file
    or one larger than `upload.max_bytes`.
    """
    if upload is None or upload.stream is None or not upload.filename:
        raise _upload_error(f"Choose a file to upload as the {what}.", what)
    media_dir = Path(media_dir)
    media_dir.mkdir(parents=True, exist_ok=True)
    fd, name = _temporary(media_dir)
    path = Path(name)
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := upload.stream.read(CHUNK_BYTES):
                size += len(chunk)
                if size > upload.max_bytes:
                    limit = upload.max_bytes // (1024 * 1024)
                    raise _upload_error(
                        f"“{upload.filename}” is larger than {limit} MB, "
                        "the largest upload allowed.",
                        what,
                    )
                out.write(chunk)
        if size == 0:
            raise _upload_error(f"“{upload.filename}” is empty.", what)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _temporary(media_dir: Path) -> tuple[int, str]:
    # A dotfile, so that `hub import` leaves it alone.
    return tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=media_dir)


def _read_audio(path: Path, filename: str) -> audio.AudioFacts:
    try:
        return audio.read(path)
    except audio.NotAudio as error:
        raise _upload_error(
            f"“{filename}” is not audio we can read: {error}. Upload {audio.SUPPORTED}."
        ) from None


def _place(temporary: Path, media_dir: MediaDir, stem: str, suffix: str) -> str:
    """Move `temporary` to a free name `stem[-n]suffix`; return that name."""
    return files.place(temporary, Path(media_dir), stem, suffix, _audio_claimed)


def _audio_claimed(name: str) -> bool:
    return episodes.by_audio_file(name) is not None


def _guid_taken(guid: str) -> bool:
    return (
        db.session.scalar(sa.select(Episode.id).where(Episode.guid == guid)) is not None
    )


def _suffix_for(filename: str, facts: audio.AudioFacts) -> str:
    """Keep the uploaded name's extension when it matches the format read."""
    suffix = Path(filename).suffix.lower()
    if audio.EXTENSION_TYPES.get(suffix) == facts.mime_type:
        return suffix
    return CANONICAL_EXTENSIONS[facts.mime_type]


def _unique_slug(base: str, episode: Episode | None = None) -> str:
    """Return `base`, numbered if need be, as a slug no other episode has."""

    def taken(slug: str) -> bool:
        other = db.session.scalar(sa.select(Episode).where(Episode.slug == slug))
        return other is not None and other is not episode

    return files.unique(base, taken)


class _Incoming:
    """An upload received into the media folder, not yet an episode's audio."""

    def __init__(self, temporary: Path, media_dir: MediaDir) -> None:
        self.temporary = temporary
        self.media_dir = Path(media_dir)
        self.placed: str | None = None

    def place(self, slug: str, suffix: str) -> str:
        """Give the file its final name; return it, relative to the media folder."""
        self.placed = _place(self.temporary, self.media_dir, slug, suffix)
        return self.placed


@contextlib.contextmanager
def _incoming(upload: Upload, media_dir: MediaDir) -> Iterator[_Incoming]:
    """Receive `upload`; on any failure inside, roll back and leave no file behind."""
    incoming = _Incoming(_receive(upload, media_dir), media_dir)
    try:
        yield incoming
    except BaseException:
        db.session.rollback()
        incoming.temporary.unlink(missing_ok=True)
        if incoming.placed:
            (incoming.media_dir / incoming.placed).unlink(missing_ok=True)
        raise


def create_episode(
    upload: Upload, media_dir: MediaDir, *, title: str | None = None
) -> Episode:
    """Store an uploaded audio file as a new draft episode and return it.

    The title is `title`, else the file's tag, else its name. Raises
    ValidationFailed (field `audio`) for a missing, empty, too large or
    unreadable file; then nothing is stored.
    """
    with _incoming(upload, media_dir) as incoming:
        facts = _read_audio(incoming.temporary, upload.filename)
        title = title or facts.title or files.title_from_filename(upload.filename)
        title = title[:255]
        slug = _unique_slug(files.slugify(title))
        audio_print = fingerprint.of_file(incoming.temporary)
        placed = incoming.place(slug, _suffix_for(upload.filename, facts))
        episode = Episode(
            slug=slug,
            guid=identity.episode_guid(audio_print, _guid_taken, placed),
            fingerprint=audio_print,
            title=title,
            artist=facts.artist[:255] if facts.artist else None,
            description="",
            audio_file=placed,
            mime_type=facts.mime_type,
            size_bytes=facts.size_bytes,
            duration_s=facts.duration_s,
            published_at=None,
        )
        db.session.add(episode)
        db.session.commit()
    return episode


def replace_audio(episode: Episode, upload: Upload, media_dir: MediaDir) -> int:
    """Swap `episode`'s audio for an uploaded file, keeping its guid; return the
    previous duration in seconds.

    The old file is removed once the episode points at the new one. Raises
    ValidationFailed like `create_episode`; then nothing changes.
    """
    old_file, old_duration = episode.audio_file, episode.duration_s
    with _incoming(upload, media_dir) as incoming:
        facts = _read_audio(incoming.temporary, upload.filename)
        audio_print = fingerprint.of_file(incoming.temporary)
        placed = incoming.place(episode.slug, _suffix_for(upload.filename, facts))
        episode.audio_file = placed
        episode.fingerprint = audio_print
        episode.missing_since = None
        episode.mime_type = facts.mime_type
        episode.size_bytes = facts.size_bytes
        episode.duration_s = facts.duration_s
        db.session.commit()
    if old_file != placed:
        with contextlib.suppress(OSError):
            (Path(media_dir) / old_file).unlink(missing_ok=True)
    return old_duration


def update_episode(
    episode: Episode,
    *,
    title: str | None,
    slug: str | None,
    description: str | None,
    season: int | None,
    number: int | None,
    episode_type: str,
    explicit: bool,
    publication: str,
    publish_at: datetime | None = None,
    author: str | None = None,
) -> Episode:
    """Save the host's edits to `episode`.

    `publication` is `draft` (out of the feed), `now` (keeps the date of an
    episode that is already out) or `at` (`publish_at`, an aware datetime: a
    future one schedules the episode). `author` is the episode's
    itunes:author: None keeps it, "" clears it (the show's author goes out).
    Raises ValidationFailed.
    """
    now = clock.now()
    fields: dict[str, list[str]] = {}
    title = (title or "").strip()
    slug = (slug or "").strip().lower()
    if not 1 <= len(title) <= 255:
        fields["title"] = ["Give a title of 1 to 255 characters."]
    if not rules.is_slug(slug) or len(slug) > _SLUG_MAX:
        fields["slug"] = [rules.NOT_A_SLUG]
    elif _unique_slug(slug, episode) != slug:
        fields["slug"] = ["Another episode already has this slug."]
    for name, value in (("season", season), ("number", number)):
        if value is not None and value < 1:
            fields[name] = ["Give a whole number from 1, or leave it empty."]
    if episode_type not in tuple(EpisodeType):
        fields["episode_type"] = ["Choose full, trailer or bonus."]
    if author is not None and len(author.strip()) > _ARTIST_MAX:
        fields["author"] = [f"Keep it under {_ARTIST_MAX} characters."]
    if publication not in tuple(Publication):
        fields["publication"] = ["Choose draft, now or a date."]
    elif publication == Publication.AT and publish_at is None:
        fields["publish_at"] = ["Give the date and time to publish at (UTC)."]
    if fields:
        raise ValidationFailed(fields)
    episode.title = title
    episode.slug = slug
    episode.description = description or ""
    episode.season = season
    episode.number = number
    episode.episode_type = episode_type
    episode.explicit = bool(explicit)
    if author is not None:
        episode.artist = author.strip() or None
    if publication == Publication.DRAFT:
        episode.published_at = None
    elif publication == Publication.NOW:
        if episode.published_at is None or episode.published_at > now:
            episode.published_at = now
    else:
        episode.published_at = publish_at
    db.session.commit()
    return episode


def publish_now(episode: Episode) -> None:
    """Publish a draft or scheduled episode at once."""
    now = clock.now()
    if episode.published_at is None or episode.published_at > now:
        episode.published_at = now
    db.session.commit()


def unpublish(episode: Episode) -> None:
    """Take `episode` out of the feed and the site: it becomes a draft."""
    episode.published_at = None
    db.session.commit()


def all_episodes() -> Sequence[Episode]:
    """Return every episode, drafts first, then newest first."""
    query = sa.select(Episode).order_by(
        Episode.published_at.desc().nulls_first(), Episode.id.desc()
    )
    return db.session.scalars(query).all()


def get_episode(episode_id: int) -> Episode | None:
    """Return the episode with this id, published or not, or None."""
    return db.session.get(Episode, episode_id)


def comment_totals(episodes: Iterable[Episode]) -> dict[int, dict[str, int]]:
    """Return {episode id: {status: count}} for `episodes`, in one query."""
    ids = [episode.id for episode in episodes]
    totals: dict[int, dict[str, int]] = {episode_id: {} for episode_id in ids}
    if not ids:
        return totals
    query = (
        sa.select(Comment.episode_id, Comment.status, sa.func.count(Comment.id))
        .where(Comment.episode_id.in_(ids))
        .group_by(Comment.episode_id, Comment.status)
    )
    for episode_id, status, count in db.session.execute(query):
        totals[episode_id][status] = count
    return totals


SHOW_TEXT_FIELDS = {
    "title": 255,
    "description": None,
    "author": 255,
    "owner_name": 255,
    "owner_email": None,  # as long as an e-mail address may be (`rules`)
    "language": 35,
    "category": 255,
    "funding_text": 128,
    "copyright": 255,
    "license": 128,
    "update_frequency": 128,
    "update_rrule": 255,
}
SHOW_URL_FIELDS = {"funding_url": 512, "new_feed_url": 512, "license_url": 512}
# Fields stored as None rather than "" when left empty.
_SHOW_OPTIONAL = {
    "funding_text",
    "copyright",
    "license",
    "update_frequency",
    "update_rrule",
}


def update_show(show: Show, values: Mapping[str, Any]) -> Show:
    """Save the show's feed settings from `values` (a dict of field → value).

    Raises ValidationFailed with a message per field that breaks a rule.
    """
    fields: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for name in {**SHOW_TEXT_FIELDS, **SHOW_URL_FIELDS}:
        clean[name] = (values.get(name) or "").strip()
    for name, limit in SHOW_TEXT_FIELDS.items():
        if limit and len(clean[name]) > limit:
            fields[name] = [f"Keep it under {limit} characters."]
    if not clean["title"]:
        fields["title"] = ["The show needs a title."]
    if clean["owner_email"] and (problem := rules.email_problem(clean["owner_email"])):
        fields["owner_email"] = [problem]
    if not rules.is_language(clean["language"]):
        fields["language"] = [rules.NOT_A_LANGUAGE]
    parts = [part.strip() for part in clean["category"].split(">")]
    if not clean["category"] or len(parts) > 2 or not all(parts):
        fields["category"] = ["Use an Apple category, as in Arts or Arts > Books."]
    else:
        clean["category"] = " > ".join(parts)
    for name, limit in SHOW_URL_FIELDS.items():
        if clean[name] and (problem := rules.url_problem(clean[name], limit)):
            fields[name] = [problem]
    if clean["funding_text"] and not clean["funding_url"]:
        fields.setdefault("funding_url", []).append(
            "Give the address the funding text links to."
        )
    show_type = values.get("show_type") or ""
    if show_type not in tuple(ShowType):
        fields["show_type"] = ["Choose episodic or serial."]
    guid = _show_guid(show, values, fields)
    medium = (values.get("medium") or "podcast").strip()
    txt = _check_modern_show_fields(clean, medium, values.get("txt") or "", fields)
    subscribing = _subscribe_settings(values, fields)
    if fields:
        raise ValidationFailed(fields)
    for name, setting in subscribing.items():
        setattr(show, name, setting)
    show.podcast_guid = guid
    value: str | None
    for name, value in clean.items():
        if name in SHOW_URL_FIELDS or name in _SHOW_OPTIONAL:
            value = value or None
        setattr(show, name, value)
    show.show_type = show_type
    show.explicit = bool(values.get("explicit"))
    show.locked = bool(values.get("locked"))
    show.block = bool(values.get("block"))
    show.complete = bool(values.get("complete"))
    show.medium = medium
    show.txt = txt or None
    db.session.commit()
    return show


def _subscribe_settings(
    values: Mapping[str, Any], fields: dict[str, list[str]]
) -> dict[str, str | None]:
    """Return the show's Apple id, Spotify address and accent colour from
    `values`, each None when left empty; note what is wrong in `fields`."""
    found: dict[str, str | None] = {}
    apple = (values.get("apple_podcasts_id") or "").strip()
    found["apple_podcasts_id"] = rules.apple_podcasts_id(apple) if apple else None
    if apple and found["apple_podcasts_id"] is None:
        fields["apple_podcasts_id"] = [rules.NOT_AN_APPLE_ID]
    spotify = (values.get("spotify_url") or "").strip()
    found["spotify_url"] = rules.spotify_show_url(spotify) if spotify else None
    if spotify and found["spotify_url"] is None:
        fields["spotify_url"] = [rules.NOT_A_SPOTIFY_SHOW]
    accent = (values.get("accent_color") or "").strip()
    found["accent_color"] = rules.colour(accent) if accent else None
    if accent and (problem := rules.accent_problem(accent)):
        fields["accent_color"] = [problem]
    return found


GUID_CHANGE = (
    "Changing the guid tells podcast apps and the Podcast Index that this is a "
    "different show. Change it only when the show moves here from another host "
    "and keeps the guid it had there, and tick the box to confirm."
)


def _show_guid(
    show: Show, values: Mapping[str, Any], fields: dict[str, list[str]]
) -> str | None:
    """Return the show's guid from `values` (empty keeps the current one), or
    note in `fields` why it cannot be that: no UUID, or a change not confirmed
    with `change_guid`."""
    given = (values.get("podcast_guid") or "").strip()
    if not given:
        return show.podcast_guid
    guid = rules.show_guid(given)
    if guid is None:
        fields["podcast_guid"] = [rules.NOT_A_SHOW_GUID]
    elif show.podcast_guid and guid != show.podcast_guid:
        if not values.get("change_guid"):
            fields["podcast_guid"] = [GUID_CHANGE]
    return guid


def _check_modern_show_fields(
    clean: dict[str, str], medium: str, txt: str, fields: dict[str, list[str]]
) -> list[dict[str, str | None]]:
    """Check medium, licence, update frequency and txt records (`rules`); return
    the txt records. Each problem goes into `fields`."""
    if problem := rules.medium_problem(medium):
        fields["medium"] = [problem]
    if clean["license"]:
        url = clean["license_url"] or None
        if problem := rules.license_problem(clean["license"], url):
            fields.setdefault("license", []).append(problem)
    elif clean["license_url"]:
        fields.setdefault("license", []).append("Name the licence the address is for.")
    if clean["license_url"] and (
        problem := rules.https_problem(clean["license_url"], 512)
    ):
        fields["license_url"] = [problem]
    if clean["update_rrule"] and (
        problem := rules.rrule_problem(clean["update_rrule"])
    ):
        fields["update_rrule"] = [problem]
    records, problems = rules.parse_txt_lines(txt)
    if problems:
        fields["txt"] = problems
    return records


def add_person(
    owner: Show | Episode,
    *,
    name: str | None,
    role: str | None,
    group: str | None,
    img: str | None = None,
    href: str | None = None,
) -> Person:
    """Credit a person (podcast:person) on the show or on one episode; return it.

    `role` and `group` are from the Podcast Taxonomy (`rules.PERSON_ROLES`);
    `img` and `href` are optional https addresses. Raises ValidationFailed.
    """
    name = (name or "").strip()
    role, group = (role or "").strip().lower(), (group or "").strip().lower()
    img, href = (img or "").strip() or None, (href or "").strip() or None
    problems = rules.person_problems(name, role, group, img, href)
    if problems:
        raise ValidationFailed(
            {field: [message] for field, message in problems.items()}
        )
    person = Person(name=name, role=role, group_name=group, img=img, href=href)
    owner.people.append(person)
    db.session.commit()
    return person


def remove_person(owner: Show | Episode, person_id: int) -> None:
    """Remove a person from the show's or the episode's credits, if there."""
    for person in list(owner.people):
        if person.id == person_id:
            owner.people.remove(person)
    db.session.commit()


def set_cover(show: Show, upload: Upload, media_dir: MediaDir) -> list[str]:
    """Store an uploaded JPEG or PNG as the show's cover; return Apple's warnings.

    The warnings (size, colour space…) come from `artwork.check`; a cover with
    warnings is still stored, as the host may have no better one yet. Raises
    ValidationFailed (field `cover`) for a missing, empty, too large,
    non-JPEG/PNG, damaged or implausibly large image (`artwork.MAX_PIXELS`);
    then nothing changes.
    """
    from ..library import artwork

    temporary = _receive(upload, media_dir, what="cover")
    placed = None
    old = show.cover
    try:
        with open(temporary, "rb") as fileobj:
            head = fileobj.read(8)
        suffix = next((s for m, s in COVER_TYPES.items() if head.startswith(m)), None)
        if suffix is None:
            raise _upload_error(
                f"“{upload.filename}” is not a JPEG or PNG image, "
                "the formats podcast apps accept for cover art.",
                "cover",
            )
        try:
            warnings = artwork.check(temporary, upload.filename)
        except artwork.NotAnImage as refused:
            raise _upload_error(f"{refused}.", "cover") from None
        stem = f"cover-{secrets.token_hex(6)}"
        placed = _place(temporary, media_dir, stem, suffix)
        show.cover = placed
        db.session.commit()
    except BaseException:
        db.session.rollback()
        temporary.unlink(missing_ok=True)
        if placed:
            (Path(media_dir) / placed).unlink(missing_ok=True)
        raise
    # Only covers uploaded here are removed: a hand-placed cover may be shared.
    if old and old != placed and _UPLOADED_COVER.match(old):
        with contextlib.suppress(OSError):
            (Path(media_dir) / old).unlink(missing_ok=True)
    return warnings


def shift_moments(episode: Episode, offset_s: int | None) -> Shift:
    """Move every comment's moment on `episode` by `offset_s` seconds.

    For re-cut audio: a new 20-second intro is an offset of 20, a cut one of
    -20. Comments whose moment would fall before 0:00 or after the end keep
    their moment and are listed in the returned Shift; none is lost. One
    transaction.
    """
    if not isinstance(offset_s, int) or isinstance(offset_s, bool) or not offset_s:
        raise ValidationFailed({"offset": ["Give an offset other than 0:00."]})
    shift = Shift(offset_s=offset_s)
    query = (
        sa.select(Comment)
        .where(Comment.episode_id == episode.id, Comment.timestamp_s.is_not(None))
        .order_by(Comment.timestamp_s, Comment.id)
    )
    for comment in db.session.scalars(query):
        assert comment.timestamp_s is not None  # the query leaves out the others
        moved = comment.timestamp_s + offset_s
        if timecode.inside(moved, episode.duration_s):
            comment.timestamp_s = moved
            shift.moved += 1
        else:
            shift.outside.append((comment, moved))
    db.session.commit()
    return shift


def moments_past_the_end(episode: Episode) -> Sequence[Comment]:
    """Return the comments whose moment lies after the end of `episode`'s audio."""
    query = (
        sa.select(Comment)
        .where(
            Comment.episode_id == episode.id,
            Comment.timestamp_s > episode.duration_s,
        )
        .order_by(Comment.timestamp_s, Comment.id)
    )
    return db.session.scalars(query).all()


def _check_moment(
    episode: Episode, start_s: int | None, fields: dict[str, list[str]]
) -> None:
    if not timecode.inside(start_s, episode.duration_s):
        fields["start"] = [
            f"Give a moment between 0:00 and {timecode.format(episode.duration_s)}."
        ]


def add_chapter(
    episode: Episode, *, start_s: int | None, title: str | None, url: str | None = None
) -> Chapter:
    """Add a host chapter to `episode` at `start_s`; return it."""
    fields: dict[str, list[str]] = {}
    _check_moment(episode, start_s, fields)
    title = (title or "").strip()
    if not 1 <= len(title) <= 255:
        fields["title"] = ["Give the chapter a title of 1 to 255 characters."]
    url = (url or "").strip() or None
    if url and (problem := rules.url_problem(url, _CHAPTER_URL_MAX)):
        fields["url"] = [problem]
    if fields:
        raise ValidationFailed(fields)
    chapter = Chapter(
        episode_id=episode.id,
        start_s=start_s,
        title=title,
        url=url,
        source=ChapterSource.HOST,
    )
    db.session.add(chapter)
    db.session.commit()
    return chapter


def add_soundbite(
    episode: Episode, *, start_s: int | None, duration_s: int | None, title: str | None
) -> Soundbite:
    """Add a `podcast:soundbite` of 15 to 120 seconds to `episode`; return it."""
    shortest, longest = SOUNDBITE_SECONDS
    fields: dict[str, list[str]] = {}
    _check_moment(episode, start_s, fields)
    if duration_s is None or not shortest <= duration_s <= longest:
        fields["duration"] = [f"A soundbite lasts {shortest} to {longest} seconds."]
    elif start_s is not None and "start" not in fields:
        if start_s + duration_s > episode.duration_s:
            fields["duration"] = ["The soundbite must end before the episode does."]
    title = (title or "").strip()
    if not 1 <= len(title) <= 128:
        fields["title"] = ["Give the soundbite a title of 1 to 128 characters."]
    if fields:
        raise ValidationFailed(fields)
    soundbite = Soundbite(
        episode_id=episode.id, start_s=start_s, duration_s=duration_s, title=title
    )
    db.session.add(soundbite)
    db.session.commit()
    return soundbite


def remove_chapter(episode: Episode, chapter_id: int) -> None:
    """Remove one of the host's chapters from `episode`, if it is there."""
    db.session.execute(
        sa.delete(Chapter).where(
            Chapter.id == chapter_id,
            Chapter.episode_id == episode.id,
            Chapter.source == ChapterSource.HOST,
        )
    )
    db.session.commit()


def remove_soundbite(episode: Episode, soundbite_id: int) -> None:
    """Remove a soundbite from `episode`, if it is there."""
    db.session.execute(
        sa.delete(Soundbite).where(
            Soundbite.id == soundbite_id, Soundbite.episode_id == episode.id
        )
    )
    db.session.commit()
