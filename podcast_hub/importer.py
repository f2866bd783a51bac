"""Sync a folder of audio files into episodes."""

import os
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import sqlalchemy as sa

from . import audio
from .extensions import db
from .models import Episode

AUDIO_EXTENSIONS = frozenset(audio.EXTENSION_TYPES) | {".wave"}
# Cover art, show notes and transcripts live next to the audio: not episodes.
IGNORED_EXTENSIONS = frozenset(
    {
        ".md",
        ".txt",
        ".toml",
        ".yaml",
        ".yml",
        ".json",
        ".vtt",
        ".srt",
        ".jpg",
        ".jpeg",
        ".png",
        ".webp",
        ".gif",
        ".html",
    }
)

_SLUG_MAX = Episode.slug.type.length
_TITLE_MAX = Episode.title.type.length
_ARTIST_MAX = Episode.artist.type.length
_AUDIO_FILE_MAX = Episode.audio_file.type.length


@dataclass
class ImportReport:
    """What one sync did: episode slugs by outcome, and the files skipped and why."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # slug → audio file

    @property
    def added_files(self):
        """Return the audio files of the added episodes."""
        return [self.files[slug] for slug in self.added]

    @property
    def updated_files(self):
        """Return the audio files of the updated episodes."""
        return [self.files[slug] for slug in self.updated]

    def lines(self):
        """Return one human line per added, updated or skipped file."""
        return [
            *(f"added: {self.files[s]} → episode '{s}'" for s in self.added),
            *(f"updated: {self.files[s]} → episode '{s}'" for s in self.updated),
            *(f"skipped: {name}: {reason}" for name, reason in self.skipped),
        ]

    def summary(self):
        """Return the counts, as in "2 added, 1 updated, 3 unchanged, 1 skipped"."""
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped"
        )


def sync(directory):
    """Create or update an episode for each audio file under `directory`.

    Walks `directory` recursively, leaving out dotfiles and dot-folders, and
    files with a cover, notes or transcript extension (IGNORED_EXTENSIONS).
    Every other file must be readable audio, or it is skipped with the reason.

    A new file becomes an episode published at the file's modification time and
    titled from its tags, else from its name. A known file (same `audio_file`)
    only gets its size, duration and MIME type refreshed: slug, guid and title
    stay as hosts left them. A second run over the same files writes nothing.

    `Episode.audio_file` is the path relative to `directory`, in POSIX form.
    The media route serves files from MEDIA_DIR, so episodes imported from
    another folder play only once their files sit at the same place under
    MEDIA_DIR.

    One transaction: commits once at the end; on any error nothing is written.
    Raises NotADirectoryError when `directory` is not a folder.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise NotADirectoryError(f"{directory} is not a folder")
    report = ImportReport()
    try:
        known = {e.audio_file: e for e in db.session.scalars(sa.select(Episode))}
        taken_slugs = {episode.slug for episode in known.values()}
        for path, name in _audio_candidates(directory, report):
            _sync_file(path, name, known, taken_slugs, report)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


def _slugify(text):
    """Return a lowercase ASCII slug for `text`; "episode" if nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.decode("ascii").lower())
    # Room for a "-123" suffix when the slug is taken.
    return slug.strip("-")[: _SLUG_MAX - 10].strip("-") or "episode"


def _audio_candidates(directory, report):
    """Yield (path, relative POSIX name) for each file that may be audio, sorted."""

    def unreadable(error):
        name = Path(error.filename).relative_to(directory).as_posix()
        report.skipped.append((f"{name}/", f"folder cannot be read: {error.strerror}"))

    for root, folders, files in os.walk(directory, onerror=unreadable):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for file in sorted(files):
            if file.startswith("."):
                continue
            path = Path(root, file)
            if path.suffix.lower() in IGNORED_EXTENSIONS:
                continue
            yield path, path.relative_to(directory).as_posix()


def _sync_file(path, name, known, taken_slugs, report):
    if len(name) > _AUDIO_FILE_MAX:
        report.skipped.append((name, f"path longer than {_AUDIO_FILE_MAX} characters"))
        return
    try:
        facts = audio.read(path)
        modified = path.stat().st_mtime
    except audio.NotAudio as error:
        report.skipped.append((name, str(error)))
        return
    except OSError as error:
        report.skipped.append((name, f"file could not be read: {error.strerror}"))
        return

    episode = known.get(name)
    if episode is None:
        episode = _new_episode(name, facts, modified, taken_slugs)
        db.session.add(episode)
        known[name] = episode
        report.added.append(episode.slug)
    elif _refresh(episode, facts):
        report.updated.append(episode.slug)
    else:
        report.unchanged.append(episode.slug)
    report.files[episode.slug] = name


def _new_episode(name, facts, modified, taken_slugs):
    stem = PurePosixPath(name).stem
    slug = _unique_slug(_slugify(stem), taken_slugs)
    taken_slugs.add(slug)
    return Episode(
        slug=slug,
        guid=str(uuid.uuid4()),
        title=(facts.title or _title_from_stem(stem))[:_TITLE_MAX],
        artist=facts.artist[:_ARTIST_MAX] if facts.artist else None,
        description="",
        audio_file=name,
        mime_type=facts.mime_type,
        size_bytes=facts.size_bytes,
        duration_s=facts.duration_s,
        published_at=datetime.fromtimestamp(modified, UTC),
    )


def _refresh(episode, facts):
    """Copy what the file says about itself onto `episode`; return True if changed."""
    changed = False
    for key in ("size_bytes", "duration_s", "mime_type"):
        value = getattr(facts, key)
        if getattr(episode, key) != value:
            setattr(episode, key, value)
            changed = True
    return changed


def _unique_slug(base, taken):
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _title_from_stem(stem):
    """Return a file stem as a title: "the-lighthouse_keeper" → "The lighthouse keeper".

    Never empty, as the title column demands.
    """
    words = re.sub(r"[\s_.-]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "Untitled episode"
