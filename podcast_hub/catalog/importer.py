"""Sync a folder of audio files, and the metadata files beside them, into episodes."""

import dataclasses
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
import sqlalchemy.orm as so

from .. import clock
from ..extensions import db
from ..library import artwork, audio, sidecar
from ..models import (
    Chapter,
    ChapterSource,
    Episode,
    EpisodeType,
    Person,
    Show,
    Transcript,
)
from ..text import rules, timecode
from . import episodes, files

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
# Episode art a host puts next to `talk.mp3`: `talk.jpg`, `talk.jpeg`, `talk.png`.
ART_EXTENSIONS = (".jpg", ".jpeg", ".png")

_TITLE_MAX = Episode.title.type.length
_ARTIST_MAX = Episode.artist.type.length
_AUDIO_FILE_MAX = Episode.audio_file.type.length
_CHAPTER_TITLE_MAX = Chapter.title.type.length
_CHAPTER_URL_MAX = Chapter.url.type.length
# A chapter as stored: start in seconds, title, link, source, picture, in toc.
_ChapterRow = tuple[int, str, str | None, str, str | None, bool]


@dataclass
class ImportReport:
    """What one sync did: episode slugs by outcome, files skipped, and warnings."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # slug → audio file
    # Problems that did not stop a file from importing: (file, message).
    warnings: list[tuple[str, str]] = field(default_factory=list)
    show: str | None = None  # "added" or "updated" when show.toml changed the show

    @property
    def added_files(self) -> list[str]:
        """Return the audio files of the added episodes."""
        return [self.files[slug] for slug in self.added]

    def lines(self) -> list[str]:
        """Return one human line per added, updated or skipped file, and warning."""
        show = [f"{self.show}: {sidecar.SHOW_FILE} → the show"] if self.show else []
        return [
            *show,
            *(f"added: {self.files[s]} → episode '{s}'" for s in self.added),
            *(f"updated: {self.files[s]} → episode '{s}'" for s in self.updated),
            *(f"warning: {name}: {message}" for name, message in self.warnings),
            *(f"skipped: {name}: {reason}" for name, reason in self.skipped),
        ]

    def summary(self) -> str:
        """Return the counts, as in "2 added, 1 updated, 3 unchanged, 1 skipped".

        Warnings are counted at the end when there are any.
        """
        counts = (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped"
        )
        if self.warnings:
            n = len(self.warnings)
            counts += f", {n} warning{'s' if n != 1 else ''}"
        return counts


def sync(directory: str | os.PathLike[str]) -> ImportReport:
    """Create or update an episode for each audio file under `directory`.

    Walks `directory` recursively, leaving out dotfiles and dot-folders, and
    files with a cover, notes or transcript extension (IGNORED_EXTENSIONS).
    Every other file must be readable audio, or it is skipped with the reason.

    A new file becomes an episode published at the file's modification time and
    titled from its tags, else from its name. A known file (same `audio_file`)
    gets its size, duration and MIME type refreshed: slug, guid and title stay
    as hosts left them. A second run over the same files writes nothing.

    Beside `talk.mp3` (see `sidecar` and episodes/README.md): `talk.toml` sets
    episode fields, for a known episode only when the file was saved after the
    episode last changed (so edits made on the dashboard since then stay);
    chapters come from the audio, else from `talk.chapters.json` (a host's own
    chapters stay beside them); `talk.vtt` and `talk.<lang>.srt` become
    transcripts; `talk.jpg` or `talk.png` is the episode image, else the art
    embedded in the audio is saved under that name (never over a file).
    `show.toml` at the top of `directory` sets the show's fields, likewise.
    Problems in those files become `report.warnings`, never skips.

    `Episode.audio_file` is the path relative to `directory`, in POSIX form.
    The media route serves files from MEDIA_DIR, so episodes imported from
    another folder play only once their files sit at the same place under
    MEDIA_DIR.

    One transaction: commits once at the end; on any error nothing is written
    to the database (cover art already saved next to the audio stays, and is
    used by the next run). Raises NotADirectoryError when `directory` is not a
    folder.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise NotADirectoryError(f"{directory} is not a folder")
    report = ImportReport()
    try:
        _sync_show(directory, report)
        run = _Run(directory, report)
        for folder, names in _folders(directory, report):
            run.sync_folder(folder, names)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


def _folders(directory: Path, report: ImportReport) -> Iterator[tuple[Path, set[str]]]:
    """Yield (folder, set of file names) for each folder, dotfiles left out."""

    def unreadable(error: OSError) -> None:
        name = Path(error.filename).relative_to(directory).as_posix()
        report.skipped.append((f"{name}/", f"folder cannot be read: {error.strerror}"))

    for root, folders, names in os.walk(directory, onerror=unreadable):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        yield Path(root), {name for name in names if not name.startswith(".")}


def _file_changed_since(path: Path, moment: datetime) -> bool:
    """Return True if the file at `path` was saved after `moment`."""
    return datetime.fromtimestamp(path.stat().st_mtime, UTC) > moment


def _sync_show(directory: Path, report: ImportReport) -> None:
    """Create or update the show from `show.toml` at the top of `directory`."""
    path = directory / sidecar.SHOW_FILE
    if not path.is_file():
        return
    name = sidecar.SHOW_FILE
    read, people = _take_people(sidecar.read_show(path, name, directory))
    report.warnings.extend(read.warnings)
    values = read.values
    show = episodes.get_show()
    refused_cover = None
    if "cover" in values:
        cover = values["cover"]
        is_new = show is None or show.cover != cover
        try:
            problems = artwork.check(
                directory / cover, f"cover art {cover}", decode=is_new
            )
        except artwork.NotAnImage as refused:
            report.warnings.append((name, f"{refused}; not used"))
            refused_cover = values.pop("cover")
        else:
            report.warnings.extend((name, problem) for problem in problems)
    if show is not None and refused_cover is not None and show.cover == refused_cover:
        # The file changed since it was taken: it must not stay in the feed.
        show.cover = None
        report.show = "updated"
    if show is None:
        if "title" not in values:
            report.warnings.append(
                (name, "title: needed to create the show; the show was not created")
            )
            return
        show = Show(**values)
        db.session.add(show)
        _set_people(show, people, path, name, "show", report)
        report.show = "added"
    elif _apply_fields(show, read, path, name, "show", report) | _set_people(
        show, people, path, name, "show", report
    ):
        report.show = "updated"


def _take_people(
    read: sidecar.Sidecar,
) -> tuple[sidecar.Sidecar, list[sidecar.PersonFacts] | None]:
    """Return the sidecar without its `person` entries, and those (None if none)."""
    values = dict(read.values)
    people = values.pop(sidecar.PEOPLE, None)
    return dataclasses.replace(read, values=values), people


def _set_people(
    row: Episode | Show,
    people: list[sidecar.PersonFacts] | None,
    path: Path,
    name: str,
    what: str,
    report: ImportReport,
) -> bool:
    """Make `row`'s people those of its sidecar; True if they changed.

    As with `_apply_fields`, a row edited after the file was saved keeps its
    people, and a warning says so.
    """
    if people is None:
        return False
    wanted = [(p.name, p.role, p.group, p.img, p.href) for p in people]
    current = [(p.name, p.role, p.group_name, p.img, p.href) for p in row.people]
    if wanted == current:
        return False
    if row.updated_at is not None and not _file_changed_since(path, row.updated_at):
        report.warnings.append(
            (
                name,
                f"person: the {what} was edited after this file was saved; the "
                f"{what} keeps its people (save the file again to apply it)",
            )
        )
        return False
    row.people = [
        Person(name=n, role=role, group_name=group, img=img, href=href)
        for n, role, group, img, href in wanted
    ]
    return True


def _apply_fields(
    row: Episode | Show,
    read: sidecar.Sidecar,
    path: Path,
    name: str,
    what: str,
    report: ImportReport,
) -> bool:
    """Set the sidecar's values that differ on `row`; return True if any did.

    Only when the file was saved after the row last changed: otherwise someone
    edited the row since (on the dashboard), and a warning says what differs.
    """
    differing = {
        attribute: value
        for attribute, value in read.values.items()
        if getattr(row, attribute) != value
    }
    if not differing:
        return False
    if not _file_changed_since(path, row.updated_at):
        keys = ", ".join(read.keys[attribute] for attribute in differing)
        report.warnings.append(
            (
                name,
                f"{keys}: the {what} was edited after this file was saved; "
                f"the {what} keeps its values (save the file again to apply it)",
            )
        )
        return False
    for attribute, value in differing.items():
        setattr(row, attribute, value)
    return True


class _Run:
    """One sync of a folder: the episodes known and what is claimed so far."""

    def __init__(self, directory: Path, report: ImportReport) -> None:
        self.directory = directory
        self.report = report
        known = db.session.scalars(
            sa.select(Episode).options(
                so.selectinload(Episode.chapters),
                so.selectinload(Episode.transcripts),
                so.selectinload(Episode.people),
            )
        ).all()
        self.known = {episode.audio_file: episode for episode in known}
        self.taken_slugs = {episode.slug for episode in known}
        self.transcripts = {t.file: t for e in known for t in e.transcripts}

    def relative(self, path: Path) -> str:
        return path.relative_to(self.directory).as_posix()

    def warn(self, name: str, message: str) -> None:
        self.report.warnings.append((name, message))

    def sync_folder(self, folder: Path, names: set[str]) -> None:
        """Sync each audio file in `folder`; warn about sidecars of no audio file."""
        candidates = sorted(
            name
            for name in names
            if PurePosixPath(name).suffix.lower() not in IGNORED_EXTENSIONS
        )
        stems = {PurePosixPath(name).stem for name in candidates}
        root = folder == self.directory
        for name in candidates:
            self.sync_file(folder, name, names, stems, root)
        for orphan in sidecar.unclaimed(names, stems, root=root):
            self.warn(
                self.relative(folder / orphan),
                "no audio file is named like it; ignored",
            )

    def sync_file(
        self, folder: Path, file_name: str, names: set[str], stems: set[str], root: bool
    ) -> None:
        path = folder / file_name
        name = self.relative(path)
        if len(name) > _AUDIO_FILE_MAX:
            self.report.skipped.append(
                (name, f"path longer than {_AUDIO_FILE_MAX} characters")
            )
            return
        try:
            facts = audio.read(path)
            modified = path.stat().st_mtime
        except audio.NotAudio as error:
            self.report.skipped.append((name, str(error)))
            return
        except OSError as error:
            self.report.skipped.append(
                (name, f"file could not be read: {error.strerror}")
            )
            return
        self.report.warnings.extend((name, reason) for reason in facts.left_out)

        stem = PurePosixPath(file_name).stem
        found = sidecar.find(stem, names, stems, root=root)
        fields, fields_path, people = sidecar.Sidecar(), None, None
        if found.episode:
            fields_path = folder / found.episode
            fields, people = _take_people(
                sidecar.read_episode(fields_path, self.relative(fields_path))
            )
            self.report.warnings.extend(fields.warnings)

        episode = self.known.get(name)
        if episode is None:
            episode = self.new_episode(name, facts, modified, fields, fields_path)
            db.session.add(episode)
            self.known[name] = episode
            outcome, changed = self.report.added, True
        else:
            outcome, changed = self.report.unchanged, False
            # Before anything else changes: the sidecar is judged by updated_at.
            if fields_path:
                changed = self.apply_sidecar(episode, fields, fields_path)
            changed |= _refresh(episode, facts)
        if fields_path:
            name_of = self.relative(fields_path)
            changed |= _set_people(
                episode, people, fields_path, name_of, "episode", self.report
            )
        listed = self.sync_chapters(episode, facts, folder, found)
        listed |= self.sync_transcripts(episode, folder, found)
        changed |= self.sync_image(episode, facts, folder, stem, names)
        if outcome is not self.report.added and (changed or listed):
            outcome = self.report.updated
            if not changed:
                # Only other rows changed; the feed's freshness follows updated_at.
                episode.updated_at = clock.now()
        outcome.append(episode.slug)
        self.report.files[episode.slug] = name

    def new_episode(
        self,
        name: str,
        facts: audio.AudioFacts,
        modified: float,
        fields: sidecar.Sidecar,
        fields_path: Path | None,
    ) -> Episode:
        """Return a new episode for the audio file `name`, sidecar fields applied."""
        values = dict(fields.values)
        stem = PurePosixPath(name).stem
        slug = values.pop("slug", None)
        if slug in self.taken_slugs:
            assert fields_path is not None  # a slug comes from the sidecar only
            self.warn(
                self.relative(fields_path),
                f"slug: {slug!r} is taken by another episode; ignored",
            )
            slug = None
        slug = slug or files.unique(files.slugify(stem), self.taken_slugs.__contains__)
        self.taken_slugs.add(slug)
        title = (
            values.pop("title", None) or facts.title or files.title_from_filename(name)
        )
        episode = Episode(
            slug=slug,
            guid=str(uuid.uuid4()),
            title=title[:_TITLE_MAX],
            artist=facts.artist[:_ARTIST_MAX] if facts.artist else None,
            description="",
            audio_file=name,
            mime_type=facts.mime_type,
            size_bytes=facts.size_bytes,
            duration_s=facts.duration_s,
            published_at=datetime.fromtimestamp(modified, UTC),
            episode_type=EpisodeType.FULL,
            explicit=False,
        )
        for attribute, value in values.items():
            setattr(episode, attribute, value)
        return episode

    def apply_sidecar(
        self, episode: Episode, fields: sidecar.Sidecar, path: Path
    ) -> bool:
        """Apply a known episode's sidecar fields (see _apply_fields); True if any."""
        name = self.relative(path)
        slug = fields.values.get("slug")
        if slug is not None and slug != episode.slug and slug in self.taken_slugs:
            self.warn(name, f"slug: {slug!r} is taken by another episode; ignored")
            fields = sidecar.Sidecar(
                values={k: v for k, v in fields.values.items() if k != "slug"},
                keys=fields.keys,
            )
        old_slug = episode.slug
        changed = _apply_fields(episode, fields, path, name, "episode", self.report)
        if episode.slug != old_slug:
            self.taken_slugs.discard(old_slug)
            self.taken_slugs.add(episode.slug)
        return changed

    def sync_chapters(
        self,
        episode: Episode,
        facts: audio.AudioFacts,
        folder: Path,
        found: sidecar.Found,
    ) -> bool:
        """Make the episode's imported chapters those of the audio, else of the
        sidecar. Chapters a host added on the dashboard (`ChapterSource.HOST`) stay.
        """
        wanted, source = list(facts.chapters), ChapterSource.AUDIO
        if found.chapters:
            name = self.relative(folder / found.chapters)
            if wanted:
                self.warn(name, "not used: the audio file has chapters of its own")
            else:
                wanted, warnings = sidecar.read_chapters(folder / found.chapters, name)
                self.report.warnings.extend(warnings)
                source = ChapterSource.SIDECAR
        rows: list[_ChapterRow] = []
        for chapter in wanted:
            if not timecode.inside(chapter.start_s, facts.duration_s):
                self.warn(
                    name if source == ChapterSource.SIDECAR else episode.audio_file,
                    f"chapter {chapter.title!r} starts at {chapter.start_s} s, "
                    f"after the audio ends; left out",
                )
                continue
            url = rules.safe_url(chapter.url, _CHAPTER_URL_MAX)
            img = rules.safe_url(chapter.img, _CHAPTER_URL_MAX)
            title = chapter.title[:_CHAPTER_TITLE_MAX]
            rows.append((chapter.start_s, title, url, source, img, chapter.toc))
        hosts = [c for c in episode.chapters if c.source == ChapterSource.HOST]
        current = [
            (c.start_s, c.title, c.url, c.source, c.img, c.toc is not False)
            for c in episode.chapters
            if c.source != ChapterSource.HOST
        ]
        if sorted(current, key=_chapter_order) == sorted(rows, key=_chapter_order):
            return False
        episode.chapters = hosts + [
            Chapter(
                start_s=start_s, title=title, url=url, source=source, img=img, toc=toc
            )
            for start_s, title, url, source, img, toc in rows
        ]
        return True

    def sync_transcripts(
        self, episode: Episode, folder: Path, found: sidecar.Found
    ) -> bool:
        """Make the episode's transcripts the valid transcript files beside it."""
        wanted: dict[str, tuple[str, str | None]] = {}
        for transcript in found.transcripts:
            name = self.relative(folder / transcript.name)
            problems = sidecar.check_transcript(folder / transcript.name, name)
            if problems:
                self.report.warnings.extend(problems)
                continue
            owner = self.transcripts.get(name)
            if owner is not None and owner not in episode.transcripts:
                self.warn(name, "already the transcript of another episode; ignored")
                continue
            wanted[name] = (transcript.mime_type, transcript.language)

        changed = False
        for row in list(episode.transcripts):
            if row.file not in wanted:
                episode.transcripts.remove(row)
                del self.transcripts[row.file]
                changed = True
            elif (row.mime_type, row.language) != wanted[row.file]:
                row.mime_type, row.language = wanted[row.file]
                changed = True
        present = {row.file for row in episode.transcripts}
        for name, (mime_type, language) in wanted.items():
            if name not in present:
                row = Transcript(file=name, mime_type=mime_type, language=language)
                episode.transcripts.append(row)
                self.transcripts[name] = row
                changed = True
        return changed

    def sync_image(
        self,
        episode: Episode,
        facts: audio.AudioFacts,
        folder: Path,
        stem: str,
        names: set[str],
    ) -> bool:
        """Point the episode at its art: `<stem>.jpg|.png`, else the embedded art.

        Embedded art is saved as `<stem>.jpg` or `.png`, never over a file.
        An image chosen on the dashboard (any other file that exists) stays.
        """
        audio_name = episode.audio_file
        art = next(
            (
                name
                for name in sorted(names)
                if PurePosixPath(name).stem == stem
                and PurePosixPath(name).suffix.lower() in ART_EXTENSIONS
            ),
            None,
        )
        image: str | None
        if art is not None:
            image = self.relative(folder / art)
            try:
                problems = artwork.check(
                    folder / art, f"cover art {image}", decode=episode.image != image
                )
            except artwork.NotAnImage as refused:
                self.warn(audio_name, f"{refused}; not used")
                if episode.image != image:
                    return False
                # The file changed since it was taken: it must not stay in the feed.
                episode.image = None
                return True
            self.report.warnings.extend((audio_name, p) for p in problems)
        elif facts.artwork is not None:
            image = self.save_embedded_art(facts.artwork, folder, stem, audio_name)
            if image is None:
                return False
            names.add(PurePosixPath(image).name)
        else:
            return False
        if episode.image == image:
            return False
        if episode.image and (self.directory / episode.image).is_file():
            return False
        episode.image = image
        return True

    def save_embedded_art(
        self, embedded: audio.Artwork, folder: Path, stem: str, audio_name: str
    ) -> str | None:
        """Save embedded art next to the audio; return its name, or None."""
        try:
            facts = artwork.inspect(embedded.data)
        except artwork.NotAnImage as error:
            self.warn(audio_name, f"embedded cover art {error}; not used")
            return None
        if facts.suffix is None:
            self.warn(
                audio_name,
                f"embedded cover art is {facts.format}; not used, "
                "Apple wants JPEG or PNG",
            )
            return None
        target = folder / f"{stem}{facts.suffix}"
        image = self.relative(target)
        try:
            files.write_new(target, embedded.data)
        except OSError as error:
            self.warn(
                audio_name,
                f"embedded cover art cannot be saved as {image}: "
                f"{error.strerror or error}",
            )
            return None
        self.report.warnings.extend(
            (audio_name, problem) for problem in facts.warnings(f"cover art {image}")
        )
        return image


def _chapter_order(row: _ChapterRow) -> tuple[int, str, str, str, str, bool]:
    start_s, title, url, source, img, toc = row
    return start_s, title, url or "", source, img or "", toc


def _refresh(episode: Episode, facts: audio.AudioFacts) -> bool:
    """Copy what the file says about itself onto `episode`; return True if changed."""
    changed = False
    for key in ("size_bytes", "duration_s", "mime_type"):
        value = getattr(facts, key)
        if getattr(episode, key) != value:
            setattr(episode, key, value)
            changed = True
    return changed
