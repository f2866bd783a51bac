"""Publishing from the dashboard: uploading and editing episodes, the show's
settings and cover, chapters and soundbites, and re-cut audio.

Uploads are written to a hidden temporary file (in the media folder, or on
this machine's disk when the store is a bucket) and read with `audio.read`
(mutagen) before anything is stored; only readable audio is put into the
store (`storage`), and a failure leaves nothing in the store or in the
database: a store that does not answer refuses the upload, a database that
fails removes the file just stored.
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
from ..errors import MediaUnavailable, ValidationFailed
from ..extensions import db
from ..library import audio, fingerprint, sidecar
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
    Transcript,
)
from ..text import categories, rules, timecode
from . import episodes, files, identity, storage

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
_CHAPTER_TITLE_MAX = Chapter.title.type.length
_ARTIST_MAX = Episode.artist.type.length
# The media folder, as a path or its name, or the store the media live in.
MediaDir = str | os.PathLike[str] | storage.Store


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


def store_of(media: MediaDir) -> storage.Store:
    """Return the store `media` is: a folder given by its path, or a store."""
    if isinstance(media, (storage.FolderStore, storage.S3Store)):
        return media
    if isinstance(media, (str, os.PathLike)):
        return storage.FolderStore(media)
    return media


def _store_down(error: storage.Unavailable, what: str) -> MediaUnavailable:
    message = (
        f"The file was not uploaded: {error}. Nothing was changed; "
        "try again in a moment."
    )
    return MediaUnavailable({what: [message]}, message=message)


def _receive(upload: Upload | None, media: MediaDir, what: str = "audio") -> Path:
    """Copy `upload` into a hidden temporary file in the store's scratch folder
    (`storage.Store.scratch`); return its path.

    Raises ValidationFailed, leaving nothing behind, for no file, an empty file
    or one larger than `upload.max_bytes`.
    """
    if upload is None or upload.stream is None or not upload.filename:
        raise _upload_error(f"Choose a file to upload as the {what}.", what)
    media_dir = store_of(media).scratch()
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


def _place(
    temporary: Path,
    media: MediaDir,
    stem: str,
    suffix: str,
    what: str = "audio",
    kind: str | None = None,
) -> str:
    """Store `temporary` under a free name `stem[-n]suffix`; return that name.

    Raises MediaUnavailable (field `what`) when the store does not answer.
    """
    try:
        return store_of(media).put_new(temporary, stem, suffix, _audio_claimed, kind)
    except storage.Unavailable as error:
        raise _store_down(error, what) from None


def _remove(media: MediaDir, name: str) -> None:
    """Remove a file that nothing names any more; a store that is away keeps
    it (an orphan, never a missing file)."""
    with contextlib.suppress(OSError, storage.Unavailable):
        store_of(media).delete(name)


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

    def __init__(self, temporary: Path, media: MediaDir) -> None:
        self.temporary = temporary
        self.media = media
        self.placed: str | None = None

    def place(self, slug: str, suffix: str, kind: str) -> str:
        """Store the file under its final name; return it (the store's name)."""
        self.placed = _place(self.temporary, self.media, slug, suffix, kind=kind)
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
            _remove(incoming.media, incoming.placed)
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
        audio_print = fingerprint.of_file(incoming.temporary)
        placed = incoming.place(
            _unique_slug(files.slugify(title)),
            _suffix_for(upload.filename, facts),
            facts.mime_type,
        )
        # Two uploads at once (the form sent twice) may each find a slug and a
        # guid free before either is stored: the later one is stored under the
        # next free ones, as it would have been one after the other.
        for attempt in range(1, _STORE_ATTEMPTS + 1):
            episode = Episode(
                slug=_unique_slug(files.slugify(title)),
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
            try:
                db.session.commit()
            except sa.exc.IntegrityError:
                db.session.rollback()
                if attempt == _STORE_ATTEMPTS:
                    raise
                continue
            break
    return episode


# How often a new episode is tried again under the next free slug and guid.
_STORE_ATTEMPTS = 3


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
        placed = incoming.place(
            episode.slug, _suffix_for(upload.filename, facts), facts.mime_type
        )
        episode.audio_file = placed
        episode.fingerprint = audio_print
        episode.missing_since = None
        episode.mime_type = facts.mime_type
        episode.size_bytes = facts.size_bytes
        episode.duration_s = facts.duration_s
        db.session.commit()
    if old_file != placed:
        _remove(media_dir, old_file)
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
        _to_draft(episode, now)
    elif publication == Publication.NOW:
        _out_now(episode, now)
    else:
        episode.published_at = publish_at
    db.session.commit()
    return episode


def publish_now(episode: Episode) -> None:
    """Publish a draft or scheduled episode at once.

    An episode that was out before and made a draft again goes out with the
    date it first had (`first_published_at`): its pubDate, and so its place in
    podcast apps and in the feed's order, do not change.
    """
    _out_now(episode, clock.now())
    db.session.commit()


def unpublish(episode: Episode) -> None:
    """Take `episode` out of the feed and the site: it becomes a draft. The date
    it went out is kept for when it is published again (`publish_now`)."""
    _to_draft(episode, clock.now())
    db.session.commit()


def kept_date(episode: Episode) -> datetime | None:
    """Return the date a draft goes out with when published now: the date it
    had when it was out before, or None for the moment of publishing."""
    kept = episode.first_published_at
    return kept if kept is not None and kept <= clock.now() else None


def _to_draft(episode: Episode, now: datetime) -> None:
    if episode.published_at is not None and episode.published_at <= now:
        episode.first_published_at = episode.published_at
    episode.published_at = None


def _out_now(episode: Episode, now: datetime) -> None:
    if episode.published_at is None or episode.published_at > now:
        kept = episode.first_published_at
        episode.published_at = kept if kept is not None and kept <= now else now


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
        # A value from before the list (free text) stays until it is changed.
        if clean["category"] != show.category and not categories.is_apple(
            clean["category"]
        ):
            fields["category"] = [
                f"“{clean['category']}” is not one of Apple's categories: choose "
                "one from the list."
            ]
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
    old = show.cover
    stem = f"cover-{secrets.token_hex(6)}"
    placed, warnings = _store_image(
        upload, media_dir, field="cover", kind="cover art", stem=stem
    )
    show.cover = placed
    _commit_or_remove(media_dir, placed)
    # Only covers uploaded here are removed: a hand-placed cover may be shared.
    if old and old != placed and _UPLOADED_COVER.match(old):
        _remove(media_dir, old)
    return warnings


def _store_image(
    upload: Upload, media_dir: MediaDir, *, field: str, kind: str, stem: str
) -> tuple[str, list[str]]:
    """Check that `upload` is a JPEG or PNG image podcast apps take and place it
    in the media folder as `stem` with its type's suffix; return its name there
    and Apple's warnings (`artwork.check`).

    Raises ValidationFailed (field `field`; `kind` names the image for the host)
    for a missing, empty, too large, non-JPEG/PNG, damaged or implausibly large
    image (`artwork.MAX_PIXELS`); then nothing is left in the folder.
    """
    from ..library import artwork

    temporary = _receive(upload, media_dir, what=field)
    try:
        with open(temporary, "rb") as fileobj:
            head = fileobj.read(8)
        suffix = next((s for m, s in COVER_TYPES.items() if head.startswith(m)), None)
        if suffix is None:
            raise _upload_error(
                f"“{upload.filename}” is not a JPEG or PNG image, "
                f"the formats podcast apps accept for {kind}.",
                field,
            )
        try:
            warnings = artwork.check(temporary, upload.filename)
        except artwork.NotAnImage as refused:
            raise _upload_error(f"{refused}.", field) from None
        return _place(temporary, media_dir, stem, suffix, field), warnings
    except BaseException:
        db.session.rollback()
        temporary.unlink(missing_ok=True)
        raise


def _commit_or_remove(media_dir: MediaDir, placed: str) -> None:
    """Commit the row that now names the file `placed`; if that fails, roll
    back and remove the file, so that nothing changes."""
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _remove(media_dir, placed)
        raise


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


# Episode art, transcripts and chapters from the dashboard: each ends up as the
# media folder's own files would (`library.sidecar`), so the import keeps it.

_UPLOADED_ART = re.compile(r"(?:^|/)art-[a-z0-9-]*-[0-9a-f]{12}\.(?:png|jpg)$")


def _audio_prefix(episode: Episode) -> str:
    """Return the folder of `episode`'s audio in the store, as a prefix for
    names ("" or "season-1/")."""
    parent = Path(episode.audio_file).parent
    return "" if str(parent) in ("", ".") else parent.as_posix() + "/"


def set_episode_art(episode: Episode, upload: Upload, media_dir: MediaDir) -> list[str]:
    """Store an uploaded JPEG or PNG as `episode`'s art (itunes:image and
    podcast:images in the feed, the episode page); return Apple's warnings.

    The same rules as the show's cover (`set_cover`): refused (field `art`)
    when missing, empty, too large, not JPEG or PNG, damaged or implausibly
    large, and then nothing changes. The file goes next to the audio, under a
    name of its own that the import leaves to the episode.
    """
    old = episode.image
    stem = f"{_audio_prefix(episode)}art-{episode.slug[:60]}-{secrets.token_hex(6)}"
    placed, warnings = _store_image(
        upload, media_dir, field="art", kind="episode art", stem=stem
    )
    episode.image = placed
    _commit_or_remove(media_dir, placed)
    _remove_uploaded_art(old, placed, media_dir)
    return warnings


def remove_episode_art(episode: Episode, media_dir: MediaDir) -> None:
    """Take `episode`'s art away: the show's cover stands in for it again. A
    file uploaded here is deleted; one the operator placed stays on disk."""
    old = episode.image
    episode.image = None
    db.session.commit()
    _remove_uploaded_art(old, None, media_dir)


def _remove_uploaded_art(old: str | None, new: str | None, media_dir: MediaDir) -> None:
    # Only art uploaded here is removed: a hand-placed image may be shared.
    if old and old != new and _UPLOADED_ART.search(old):
        _remove(media_dir, old)


TRANSCRIPT_FORMATS = "WebVTT (.vtt) or SubRip (.srt)"


def add_transcript(
    episode: Episode, upload: Upload, media_dir: MediaDir, language: str | None
) -> Transcript:
    """Store an uploaded WebVTT or SubRip file as a transcript of `episode`; return it.

    It is saved beside the audio as the media folder's sidecars are named
    (`talk.vtt`, `talk.<language>.srt`), so that the feed's podcast:transcript
    and a later `hub import` treat it as one. Uploading the same format and
    language again replaces that transcript. Raises ValidationFailed (field
    `transcript` or `language`), and then nothing changes.
    """
    language = (language or "").strip() or None
    if language is not None and not rules.is_language(language):
        raise ValidationFailed({"language": [rules.NOT_A_LANGUAGE]})
    temporary = _receive(upload, media_dir, what="transcript")
    try:
        suffix = _transcript_suffix(temporary, upload.filename)
        stem = Path(episode.audio_file).stem
        name = f"{stem}.{language}{suffix}" if language else f"{stem}{suffix}"
        relative = _audio_prefix(episode) + name
        row = next((t for t in episode.transcripts if t.file == relative), None)
        store = store_of(media_dir)
        if row is None and _stored(store, relative, "transcript"):
            raise _upload_error(
                f"The media folder already has a file named {relative} that is not "
                "this episode's transcript; nothing was replaced.",
                "transcript",
            )
        claimed = db.session.scalar(
            sa.select(Transcript).where(Transcript.file == relative)
        )
        if claimed is not None and claimed.episode_id != episode.id:
            raise _upload_error(
                f"{relative} is already another episode's transcript.", "transcript"
            )
        if row is None:
            row = Transcript(file=relative, mime_type="", language=language)
            episode.transcripts.append(row)
        row.mime_type = sidecar.TRANSCRIPT_TYPES[suffix]
        row.language = language
        db.session.flush()
        # One step: the old transcript or the new one, never half of either.
        try:
            store.put(relative, temporary, row.mime_type)
        except storage.Unavailable as error:
            raise _store_down(error, "transcript") from None
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        temporary.unlink(missing_ok=True)
    return row


def _stored(store: storage.Store, name: str, what: str) -> bool:
    """Return whether the store holds `name`; raise MediaUnavailable if it is away."""
    try:
        return store.exists(name)
    except storage.Unavailable as error:
        raise _store_down(error, what) from None


def _transcript_suffix(path: Path, filename: str) -> str:
    """Return ".vtt" or ".srt" for the transcript at `path`, read from what it
    holds (the uploaded name may say otherwise); else raise ValidationFailed."""
    given = Path(filename).suffix.lower()
    if given not in sidecar.TRANSCRIPT_TYPES:
        raise _upload_error(
            f"“{filename}” is not a transcript we publish: upload "
            f"{TRANSCRIPT_FORMATS}.",
            "transcript",
        )
    try:
        path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _upload_error(
            f"“{filename}” is not UTF-8 text; save it as UTF-8 and upload it again.",
            "transcript",
        ) from None
    problems = sidecar.check_transcript(path, filename)
    if problems:
        message = problems[0][1].removesuffix("; left out")
        raise _upload_error(f"“{filename}” {message}.", "transcript")
    return given


def remove_transcript(
    episode: Episode, transcript_id: int, media_dir: MediaDir
) -> None:
    """Remove one of `episode`'s transcripts and its file, if it is there."""
    for row in list(episode.transcripts):
        if row.id == transcript_id:
            episode.transcripts.remove(row)
            db.session.commit()
            _remove(media_dir, row.file)
            return


@dataclass
class ChapterRow:
    """A chapter as the host typed it: start ("1:05") and title."""

    start: str
    title: str


def set_chapters(episode: Episode, rows: Sequence[ChapterRow]) -> list[Chapter]:
    """Make `rows` the host's chapters of `episode` (podcast:chapters, the
    episode page), in the order of their start; empty rows are skipped.

    Chapters read from the audio or a sidecar stay as they are. Raises
    ValidationFailed with a message per row field (`chapter-<n>-start`,
    `chapter-<n>-title`, n from 0), and then nothing changes.
    """
    fields: dict[str, list[str]] = {}
    wanted: list[tuple[int, str]] = []
    starts: dict[int, int] = {}
    for index, row in enumerate(rows):
        start_text, title = (
            (row.start or "").strip(),
            " ".join((row.title or "").split()),
        )
        if not start_text and not title:
            continue
        number = f"Chapter {index + 1}"
        start: int | None = None
        try:
            start = timecode.parse(start_text)
        except timecode.TimecodeError as error:
            fields[f"chapter-{index}-start"] = [f"{number}: {error}"]
        if start is None and f"chapter-{index}-start" not in fields:
            fields[f"chapter-{index}-start"] = [f"{number}: give its start, as 1:05."]
        elif start is not None and not timecode.inside(start, episode.duration_s):
            fields[f"chapter-{index}-start"] = [
                f"{number}: start between 0:00 and "
                f"{timecode.format(episode.duration_s)}, the end of the audio."
            ]
        elif start is not None and start in starts:
            fields[f"chapter-{index}-start"] = [
                f"{number} starts at {timecode.format(start)}, as chapter "
                f"{starts[start] + 1} does: give each its own start."
            ]
        if not title:
            fields[f"chapter-{index}-title"] = [f"{number}: give it a title."]
        elif len(title) > _CHAPTER_TITLE_MAX:
            fields[f"chapter-{index}-title"] = [
                f"{number}: keep the title under {_CHAPTER_TITLE_MAX} characters."
            ]
        if start is not None:
            starts.setdefault(start, index)
            wanted.append((start, title))
    if fields:
        raise ValidationFailed(fields)
    return _replace_host_chapters(
        episode, [Chapter(start_s=s, title=t) for s, t in sorted(wanted)]
    )


def chapters_from_json(
    episode: Episode, upload: Upload, media_dir: MediaDir
) -> list[Chapter]:
    """Make the chapters of an uploaded Podcasting 2.0 JSON chapters file the
    host's chapters of `episode`; return them.

    The file must be whole: any problem `sidecar.read_chapters` finds (not
    JSON, no "chapters" list, a chapter without start or title, a link that is
    not a web link) or a chapter after the end of the audio refuses it all
    (field `chapters_file`), and then nothing changes.
    """
    temporary = _receive(upload, media_dir, what="chapters_file")
    try:
        if temporary.stat().st_size > sidecar.MAX_BYTES:
            raise _upload_error(
                f"“{upload.filename}” is larger than 1 MB; a chapters file is a "
                "few KB.",
                "chapters_file",
            )
        found, warnings = sidecar.read_chapters(temporary, upload.filename)
    finally:
        temporary.unlink(missing_ok=True)
    problems = [message for _name, message in warnings]
    late = [c for c in found if not timecode.inside(c.start_s, episode.duration_s)]
    problems += [
        f"chapter “{c.title}” starts at {timecode.format(c.start_s)}, after the "
        f"audio ends ({timecode.format(episode.duration_s)})"
        for c in late
    ]
    if not problems and not found:
        problems = ['has an empty "chapters" list']
    if problems:
        message = (
            f"“{upload.filename}”: "
            + "; ".join(
                p.removesuffix("; ignored")
                .removesuffix("; left out")
                .removesuffix("; dropped")
                for p in problems
            )
            + ". Nothing was changed."
        )
        raise _upload_error(message, "chapters_file")
    return _replace_host_chapters(
        episode,
        [
            Chapter(start_s=c.start_s, title=c.title, url=c.url, img=c.img, toc=c.toc)
            for c in sorted(found, key=lambda c: c.start_s)
        ],
    )


def _replace_host_chapters(episode: Episode, new: list[Chapter]) -> list[Chapter]:
    for chapter in new:
        chapter.source = ChapterSource.HOST
    kept = [c for c in episode.chapters if c.source != ChapterSource.HOST]
    episode.chapters = kept + new
    db.session.commit()
    return new
