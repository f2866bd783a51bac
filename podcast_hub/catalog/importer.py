"""Sync a folder of audio files, and the metadata files beside them, into episodes."""

import dataclasses
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, cast

import sqlalchemy as sa
import sqlalchemy.orm as so

from .. import clock
from ..extensions import db
from ..library import artwork, audio, fingerprint, sidecar
from ..models import (
    DEFAULT_CATEGORY,
    AlternateAudio,
    Chapter,
    ChapterSource,
    Episode,
    EpisodeType,
    Person,
    Show,
    Transcript,
)
from ..text import rules, timecode
from . import episodes, files, identity, storage

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
_SHOW_TITLE_MAX = Show.title.type.length
_SHOW_AUTHOR_MAX = Show.author.type.length
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
    # Art the feed named whose file is gone: taken out of the feed.
    vanished: list[str] = field(default_factory=list)
    # Audio whose header gave no length: (file, counted s, header's guess in s).
    counted: list[tuple[str, int, int]] = field(default_factory=list)
    # Files offered beside an episode's enclosure: (enclosure, alternate file).
    alternates: list[tuple[str, str]] = field(default_factory=list)
    # Episodes whose file moved: (old audio file, new one, slug).
    moved: list[tuple[str, str, str]] = field(default_factory=list)
    # Episodes whose audio file is gone: (audio file, slug); `pruned` if the
    # run unpublished them (`prune=True`).
    missing: list[tuple[str, str]] = field(default_factory=list)
    pruned: bool = False
    # Episodes whose file was gone and is back: (audio file, slug, still a draft).
    returned: list[tuple[str, str, bool]] = field(default_factory=list)
    # Lines about a show made from the files (`hub import` into a new database):
    # what was taken from them, and what to add next.
    show_made: list[str] = field(default_factory=list)
    show_next: list[str] = field(default_factory=list)
    # Files copied from the folder into the media store (a bucket).
    stored: list[str] = field(default_factory=list)

    @property
    def added_files(self) -> list[str]:
        """Return the audio files of the added episodes."""
        return [self.files[slug] for slug in self.added]

    def lines(self) -> list[str]:
        """Return one human line per added, updated or skipped file, and warning."""
        show = [f"{self.show}: {sidecar.SHOW_FILE} → the show"] if self.show else []
        moved = {slug for _, _, slug in self.moved}
        return [
            *(self.show_made or show),
            *self.show_next,
            *(f"added: {self.files[s]} → episode '{s}'" for s in self.added),
            *(
                f"moved: {old} → {new}: episode '{slug}' keeps its guid, "
                "address, date and comments"
                for old, new, slug in self.moved
            ),
            *(
                f"updated: {self.files[s]} → episode '{s}'"
                for s in self.updated
                if s not in moved
            ),
            *(self._returned_line(*returned) for returned in self.returned),
            *(self._missing_line(name, slug) for name, slug in self.missing),
            *(f"stored: {name} → the media store" for name in self.stored),
            *(f"warning: {name}: {message}" for name, message in self.warnings),
            *(f"skipped: {name}: {reason}" for name, reason in self.skipped),
        ]

    def _missing_line(self, name: str, slug: str) -> str:
        if self.pruned:
            return (
                f"unpublished: {name} → episode '{slug}': the file is gone; "
                "the episode is a draft now, its comments are kept"
            )
        return (
            f"missing: {name} → episode '{slug}': the file is gone; the episode "
            "is out of the feed and the site until the file is back (put it "
            "back, or run the import with --prune to unpublish it)"
        )

    @staticmethod
    def _returned_line(name: str, slug: str, draft: bool) -> str:
        if draft:
            return (
                f"found again: {name} → episode '{slug}', a draft since it was "
                "unpublished: publish it on the dashboard"
            )
        return f"found again: {name} → episode '{slug}' is back in the feed"

    def summary(self) -> str:
        """Return the counts, as in "2 added, 1 updated, 3 unchanged, 1 skipped".

        Warnings are counted at the end when there are any.
        """
        counts = (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped"
        )
        if self.moved:
            counts += f", {len(self.moved)} moved"
        if self.missing:
            word = "unpublished" if self.pruned else "missing"
            counts += f", {len(self.missing)} {word}"
        if self.warnings:
            n = len(self.warnings)
            counts += f", {n} warning{'s' if n != 1 else ''}"
        return counts


def sync(
    directory: str | os.PathLike[str],
    *,
    prune: bool = False,
    feed_url: str | None = None,
    store: storage.Store | None = None,
) -> ImportReport:
    """Create or update an episode for each audio file under `directory`.

    Walks `directory` recursively, leaving out dotfiles and dot-folders, and
    files with a cover, notes or transcript extension (IGNORED_EXTENSIONS).
    Every other file must be readable audio, or it is skipped with the reason.

    A new file becomes an episode titled from its tags, else from its name,
    published at its sidecar's `published`, else the date in its tags (when it
    names a day), else the file's modification time; its guid is the sidecar's
    `guid`, else derived from the audio's fingerprint, so that importing the same
    folder into a new database gives the same guids. A known file (same
    `audio_file`) gets its size, duration and MIME type refreshed: slug, guid
    and title stay as hosts left them. A second run over the same files writes
    nothing.

    A file at a new place whose audio (`library.fingerprint`), or sidecar
    `guid`, is that of an episode whose file is gone is that episode, moved: it
    keeps its guid, slug, date and comments. An episode whose file is gone is
    listed in `report.missing` and is out of the feed and the site until the
    file is back (`missing_since`); with `prune` it is also unpublished (a
    draft; comments stay).

    Without a show in the database, one is made from `show.toml`, filled in
    from the files: the commonest album tag as its title (else the folder's
    name), the commonest artist as its author, and cover art that meets
    Apple's rules (`cover.jpg|png` at the top, else a picture embedded in the
    audio, saved there); `report.show_made` says what to add next. Its
    `podcast:guid` is derived from `feed_url` when given (the namespace's
    rule), else random; either way it is stored and kept.

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

    With `store` (a bucket: `storage.S3Store`), the folder is read as above,
    then each of its files that the catalogue names (audio, alternates, art,
    transcripts, the cover) is put in the store before the commit, unless a
    file of the same size is there (`report.stored`); an episode whose file is
    in the store but not in the folder (uploaded on the dashboard) is not
    missing.

    One transaction: commits once at the end; on any error nothing is written
    to the database (cover art already saved next to the audio stays, and is
    used by the next run). Raises NotADirectoryError when `directory` is not a
    folder, and storage.Unavailable when `store` does not answer.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise NotADirectoryError(f"{directory} is not a folder")
    report = ImportReport()
    try:
        new_show = _sync_show(directory, report)
        run = _Run(directory, report, collect=new_show is not None, store=store)
        for folder, names in _folders(directory, report):
            run.sync_folder(folder, names)
        run.sync_missing(prune)
        if new_show is not None:
            run.make_show(new_show, feed_url)
        run.store_files()
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


def _sync_show(directory: Path, report: ImportReport) -> dict[str, object] | None:
    """Update the show from `show.toml` at the top of `directory`.

    Without a show, return the values `show.toml` gives for the new one ({} when
    there is no file); with one, return None.
    """
    path = directory / sidecar.SHOW_FILE
    if not path.is_file():
        return {} if episodes.get_show() is None else None
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
        if people is not None:
            values = {**values, sidecar.PEOPLE: people}
        return values
    old_guid = show.podcast_guid
    if _apply_fields(show, read, path, name, "show", report) | _set_people(
        show, people, path, name, "show", report
    ):
        report.show = "updated"
        if old_guid and show.podcast_guid != old_guid:
            report.warnings.append((name, _guid_changed(old_guid, show.podcast_guid)))
    return None


def _guid_changed(old: str, new: str | None) -> str:
    return (
        f"guid: the show's podcast:guid changed from {old} to {new}: podcast "
        "apps and the Podcast Index now take it for a different show (right only "
        "when the show moved here and keeps the guid it had)"
    )


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

    def __init__(
        self,
        directory: Path,
        report: ImportReport,
        *,
        collect: bool = False,
        store: storage.Store | None = None,
    ) -> None:
        self.directory = directory
        self.report = report
        self.store = store
        self._stored: dict[str, int] | None = None
        known = db.session.scalars(
            sa.select(Episode).options(
                so.selectinload(Episode.chapters),
                so.selectinload(Episode.transcripts),
                so.selectinload(Episode.alternates),
                so.selectinload(Episode.people),
            )
        ).all()
        self.known = {episode.audio_file: episode for episode in known}
        self.alternate_of = {
            row.file: episode for episode in known for row in episode.alternates
        }
        self.taken_slugs = {episode.slug for episode in known}
        self.guids = {episode.guid: episode for episode in known}
        self.fingerprints: dict[str, list[Episode]] = {}
        for episode in known:
            if episode.fingerprint:
                self.fingerprints.setdefault(episode.fingerprint, []).append(episode)
        self.transcripts = {t.file: t for e in known for t in e.transcripts}
        # What the files say about the show, when one is to be made from them.
        self.collect = collect
        self.albums: Counter[str] = Counter()
        self.artists: Counter[str] = Counter()
        self.cover: tuple[str, audio.Artwork] | None = None

    def relative(self, path: Path) -> str:
        return path.relative_to(self.directory).as_posix()

    def stored(self) -> dict[str, int]:
        """Return {name: size} of the files in the store, listed once per run."""
        if self._stored is None:
            self._stored = self.store.sizes() if self.store is not None else {}
        return self._stored

    def has(self, name: str) -> bool:
        """Tell whether the file `name` is in the folder, or in the store."""
        if (self.directory / name).is_file():
            return True
        return self.store is not None and name in self.stored()

    def store_files(self) -> None:
        """Put in the store each file of the folder that the catalogue names and
        the store lacks (or holds at another size)."""
        if self.store is None:
            return
        names: set[str] = set()
        for episode in self.known.values():
            names.update((episode.audio_file, episode.image or ""))
            names.update(row.file for row in episode.alternates)
            names.update(row.file for row in episode.transcripts)
        show = episodes.get_show()
        names.add(show.cover or "" if show else "")
        for name in sorted(names - {""}):
            path = self.directory / name
            try:
                size = path.stat().st_size
            except OSError:
                continue
            if self.stored().get(name) != size:
                self.store.put(name, path, storage.content_type(name))
                self.stored()[name] = size
                self.report.stored.append(name)

    def warn(self, name: str, message: str) -> None:
        self.report.warnings.append((name, message))

    def sync_folder(self, folder: Path, names: set[str]) -> None:
        """Sync each audio file in `folder`; warn about sidecars of no audio file.

        Files that share a stem (`talk.mp3`, `talk.opus`) are one episode: see
        `main_file`.
        """
        candidates = sorted(
            name
            for name in names
            if PurePosixPath(name).suffix.lower() not in IGNORED_EXTENSIONS
        )
        groups: dict[str, list[str]] = {}
        for name in candidates:
            groups.setdefault(PurePosixPath(name).stem, []).append(name)
        stems = set(groups)
        root = folder == self.directory
        for group in groups.values():
            readable = [read for name in group if (read := self.read(folder, name))]
            if readable:
                self.sync_file(folder, readable, names, stems, root)
        for orphan in sidecar.unclaimed(names, stems, root=root):
            self.warn(
                self.relative(folder / orphan),
                "no audio file is named like it; ignored",
            )

    def read(self, folder: Path, file_name: str) -> "_Read | None":
        """Return the facts of an audio file, or None once it is reported skipped."""
        path = folder / file_name
        name = self.relative(path)
        if len(name) > _AUDIO_FILE_MAX:
            self.report.skipped.append(
                (name, f"path longer than {_AUDIO_FILE_MAX} characters")
            )
            return None
        try:
            facts = audio.read(path)
            modified = path.stat().st_mtime
        except audio.NotAudio as error:
            self.report.skipped.append((name, str(error)))
            return None
        except OSError as error:
            self.report.skipped.append(
                (name, f"file could not be read: {error.strerror}")
            )
            return None
        if facts.estimated_s is not None:
            self.report.counted.append((name, facts.duration_s, facts.estimated_s))
        return _Read(file_name, name, facts, modified)

    def main_file(self, group: list["_Read"]) -> "_Read":
        """Return the file of a stem that becomes the enclosure.

        A type Apple lists first (MP3, then M4A), then the file the episode
        already has, then the first by name; the others are alternates.
        """

        def rank(read: _Read) -> tuple[int, int, int, str]:
            kind = read.facts.mime_type
            return (
                0 if read.facts.apple_lists else 1,
                0 if read.name in self.known else 1,
                0 if kind == "audio/mpeg" else 1,
                read.name,
            )

        return min(group, key=rank)

    def episode_of(self, main: "_Read", group: list["_Read"]) -> Episode | None:
        """Return the known episode of a stem's files: the enclosure's first."""
        for read in (main, *group):
            episode = self.known.get(read.name) or self.alternate_of.get(read.name)
            if episode is not None:
                return episode
        return None

    def sync_file(
        self,
        folder: Path,
        group: list["_Read"],
        names: set[str],
        stems: set[str],
        root: bool,
    ) -> None:
        main = self.main_file(group)
        name, facts, modified = main.name, main.facts, main.modified
        self.report.warnings.extend((name, reason) for reason in facts.left_out)

        stem = PurePosixPath(main.file_name).stem
        found = sidecar.find(stem, names, stems, root=root)
        fields, fields_path, people = sidecar.Sidecar(), None, None
        if found.episode:
            fields_path = folder / found.episode
            fields, people = _take_people(
                sidecar.read_episode(fields_path, self.relative(fields_path))
            )
            self.report.warnings.extend(fields.warnings)

        episode = self.episode_of(main, group)
        audio_print = None
        if (
            episode is None
            or episode.audio_file != name
            or _fingerprint_stale(episode, facts)
        ):
            try:
                audio_print = fingerprint.of_file(folder / main.file_name)
            except OSError as error:
                self.report.skipped.append(
                    (name, f"file could not be read: {error.strerror}")
                )
                return
        if self.collect:
            self.collect_show_facts(name, facts)
        moved = False
        if episode is None and audio_print is not None:
            episode = self.found_again(name, audio_print, fields)
            moved = episode is not None
        if episode is None:
            assert audio_print is not None
            episode = self.new_episode(
                name, facts, modified, fields, fields_path, audio_print
            )
            db.session.add(episode)
            self.known[name] = episode
            outcome, changed = self.report.added, True
        else:
            outcome, changed = self.report.unchanged, moved
            # Before anything else changes: the sidecar is judged by updated_at.
            if fields_path:
                changed |= self.apply_sidecar(episode, fields, fields_path)
            changed |= _refresh(episode, facts)
            if episode.audio_file != name:
                self.known.pop(episode.audio_file, None)
                episode.audio_file = name
                self.known[name] = episode
                changed = True
            if audio_print is not None and episode.fingerprint != audio_print:
                self.remember_fingerprint(episode, audio_print)
                changed = True
            if episode.missing_since is not None:
                episode.missing_since = None
                draft = episode.published_at is None
                self.report.returned.append((name, episode.slug, draft))
                changed = True
        if fields_path:
            name_of = self.relative(fields_path)
            changed |= _set_people(
                episode, people, fields_path, name_of, "episode", self.report
            )
        changed |= self.sync_alternates(episode, [r for r in group if r is not main])
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

    def sync_alternates(self, episode: Episode, others: list["_Read"]) -> bool:
        """Make the episode's alternate files `others`; return True if any changed.

        An episode made earlier from one of them (before both files were there)
        is unpublished: the same audio must not be two items of the feed.
        """
        wanted = {read.name: read.facts for read in others}
        for name in wanted:
            self.report.alternates.append((episode.audio_file, name))
            twin = self.known.get(name)
            if twin is not None and twin is not episode and twin.published_at:
                twin.published_at = None
                # Its transcripts are the files beside both: the episode's now.
                for transcript in list(twin.transcripts):
                    episode.transcripts.append(transcript)
                self.warn(
                    name,
                    f"now an alternate file of episode '{episode.slug}'; its own "
                    f"episode '{twin.slug}' is unpublished (a draft: its comments "
                    "stay; delete it on the dashboard)",
                )
        changed = False
        for row in list(episode.alternates):
            if row.file not in wanted:
                episode.alternates.remove(row)
                self.alternate_of.pop(row.file, None)
                changed = True
        present = {row.file: row for row in episode.alternates}
        for name, facts in wanted.items():
            values = {
                "mime_type": facts.mime_type,
                "codec": facts.codec,
                "size_bytes": facts.size_bytes,
                "bitrate_bps": facts.bitrate_bps,
                "duration_s": facts.duration_s,
            }
            alternate = present.get(name)
            if alternate is None:
                episode.alternates.append(AlternateAudio(file=name, **values))
                self.alternate_of[name] = episode
                changed = True
                continue
            for key, value in values.items():
                if getattr(alternate, key) != value:
                    setattr(alternate, key, value)
                    changed = True
        return changed

    def found_again(
        self, name: str, audio_print: str, fields: sidecar.Sidecar
    ) -> Episode | None:
        """Return the known episode whose file is gone and that the file `name`
        is, moved: the one its sidecar's guid names, else the one with the same
        audio. It then points at `name`."""
        guid = fields.values.get("guid")
        candidates = [self.guids[guid]] if guid in self.guids else []
        candidates += self.fingerprints.get(audio_print, [])
        episode = next((c for c in candidates if self.vanished(c)), None)
        if episode is None:
            return None
        old = episode.audio_file
        del self.known[old]
        self.known[name] = episode
        episode.audio_file = name
        self.report.moved.append((old, name, episode.slug))
        return episode

    def vanished(self, episode: Episode) -> bool:
        """Tell whether the audio file of `episode` is gone from the folder."""
        return not self.has(episode.audio_file)

    def remember_fingerprint(self, episode: Episode, audio_print: str) -> None:
        if episode.fingerprint in self.fingerprints:
            self.fingerprints[episode.fingerprint].remove(episode)
        episode.fingerprint = audio_print
        self.fingerprints.setdefault(audio_print, []).append(episode)

    def sync_missing(self, prune: bool) -> None:
        """Take the episodes whose file is gone out of the feed; unpublish them
        too when `prune`. Comments stay either way."""
        self.report.pruned = prune
        now = clock.now()
        for name, episode in sorted(self.known.items()):
            if not self.vanished(episode):
                continue
            if episode.missing_since is None:
                episode.missing_since = now
            if prune and episode.published_at is not None:
                # Published again on the dashboard, it keeps the date it had.
                if episode.published_at <= now:
                    episode.first_published_at = episode.published_at
                episode.published_at = None
            self.report.missing.append((name, episode.slug))

    def unless_taken(
        self,
        value: Any,
        taken: Callable[[Any], bool],
        fields_path: Path | None,
        warning: str,
    ) -> Any:
        """Return a sidecar's `value` for a new episode, or None (with `warning`,
        formatted with the value) when another episode has it."""
        if value is None or not taken(value):
            return value
        assert fields_path is not None  # such a value comes from the sidecar only
        self.warn(self.relative(fields_path), warning.format(value))
        return None

    def new_episode(
        self,
        name: str,
        facts: audio.AudioFacts,
        modified: float,
        fields: sidecar.Sidecar,
        fields_path: Path | None,
        audio_print: str,
    ) -> Episode:
        """Return a new episode for the audio file `name`, sidecar fields applied."""
        values = dict(fields.values)
        guid = self.unless_taken(
            values.pop("guid", None),
            self.guids.__contains__,
            fields_path,
            "guid: {!r} is the guid of another episode; ignored",
        )
        guid = guid or identity.episode_guid(audio_print, self.guids.__contains__, name)
        stem = PurePosixPath(name).stem
        slug = self.unless_taken(
            values.pop("slug", None),
            self.taken_slugs.__contains__,
            fields_path,
            "slug: {!r} is taken by another episode; ignored",
        )
        slug = slug or files.unique(files.slugify(stem), self.taken_slugs.__contains__)
        self.taken_slugs.add(slug)
        title = (
            values.pop("title", None) or facts.title or files.title_from_filename(name)
        )
        episode = Episode(
            slug=slug,
            guid=guid,
            fingerprint=audio_print,
            title=title[:_TITLE_MAX],
            artist=facts.artist[:_ARTIST_MAX] if facts.artist else None,
            description="",
            audio_file=name,
            mime_type=facts.mime_type,
            size_bytes=facts.size_bytes,
            duration_s=facts.duration_s,
            published_at=facts.released or datetime.fromtimestamp(modified, UTC),
            episode_type=EpisodeType.FULL,
            explicit=False,
        )
        for attribute, value in values.items():
            setattr(episode, attribute, value)
        self.guids[guid] = episode
        self.fingerprints.setdefault(audio_print, []).append(episode)
        return episode

    def apply_sidecar(
        self, episode: Episode, fields: sidecar.Sidecar, path: Path
    ) -> bool:
        """Apply a known episode's sidecar fields (see _apply_fields); True if any."""
        name = self.relative(path)
        slug = fields.values.get("slug")
        if slug is not None and slug != episode.slug and slug in self.taken_slugs:
            self.warn(name, f"slug: {slug!r} is taken by another episode; ignored")
            fields = _without(fields, "slug")
        guid = fields.values.get("guid")
        if guid is not None and self.guids.get(guid, episode) is not episode:
            self.warn(name, f"guid: {guid!r} is the guid of another episode; ignored")
            fields = _without(fields, "guid")
        old_slug, old_guid = episode.slug, episode.guid
        changed = _apply_fields(episode, fields, path, name, "episode", self.report)
        if episode.slug != old_slug:
            self.taken_slugs.discard(old_slug)
            self.taken_slugs.add(episode.slug)
        if episode.guid != old_guid:
            del self.guids[old_guid]
            self.guids[episode.guid] = episode
            self.warn(
                name,
                f"guid: changed from {old_guid!r} to {episode.guid!r}: podcast "
                "apps take the episode for a new one",
            )
        return changed

    def collect_show_facts(self, name: str, facts: audio.AudioFacts) -> None:
        """Count the album and artist tags, and keep the first embedded picture
        that meets Apple's rules, for a show made from the files."""
        if facts.album:
            self.albums[facts.album] += 1
        if facts.artist:
            self.artists[facts.artist] += 1
        if self.cover is None and facts.artwork is not None:
            try:
                image = artwork.inspect(facts.artwork.data)
            except artwork.NotAnImage:
                return
            if image.suffix and not image.warnings(f"cover{image.suffix}"):
                self.cover = (name, facts.artwork)

    def make_show(self, values: dict[str, object], feed_url: str | None) -> None:
        """Create the show from `show.toml`'s `values`, filled in from the files."""
        made = dict(values)
        said = []
        if "title" not in made:
            if self.albums:
                made["title"] = self.albums.most_common(1)[0][0][:_SHOW_TITLE_MAX]
                said.append("title from the album tag")
            else:
                made["title"] = files.title_from_filename(self.directory.name)
                said.append("title from the folder's name")
        if "author" not in made and self.artists:
            made["author"] = self.artists.most_common(1)[0][0][:_SHOW_AUTHOR_MAX]
            said.append("author from the artist tag")
        if "cover" not in made and (cover := self.show_cover()):
            made["cover"] = cover
            said.append(f"cover art {cover}")
        made.setdefault("podcast_guid", identity.show_guid_for(feed_url))
        people = cast(
            "list[sidecar.PersonFacts] | None", made.pop(sidecar.PEOPLE, None)
        )
        show = Show(**made)
        db.session.add(show)
        path = self.directory / sidecar.SHOW_FILE
        _set_people(show, people, path, sidecar.SHOW_FILE, "show", self.report)
        self.report.show = "added" if values else None
        if said:
            source = f"{sidecar.SHOW_FILE} and the files" if values else "the files"
            self.report.show_made.append(
                f"added: the show '{show.title}' from {source} ({', '.join(said)}): "
                "its feed is at /feed.xml"
            )
        wanted = []
        if "cover" not in made:
            wanted.append(
                "cover art (a square JPEG or PNG of 1400 to 3000 px: `cover` in "
                f"{sidecar.SHOW_FILE}, or upload it)"
            )
        owner = {
            ("owner_name", "owner_email"): "the owner's name and e-mail "
            "(owner_name, owner_email)",
            ("owner_name",): "the owner's name (owner_name)",
            ("owner_email",): "the owner's e-mail (owner_email)",
        }.get(tuple(key for key in ("owner_name", "owner_email") if key not in made))
        if owner:
            wanted.append(owner)
        if "category" not in made:
            wanted.append(f"an Apple category (category; now {DEFAULT_CATEGORY!r})")
        if "description" not in made:
            wanted.append("a description")
        if "podcast_guid" not in values and not feed_url:
            # Not derived from a feed URL: a new database would make another,
            # and podcast apps would take the show for a new one.
            wanted.append(
                f'guid = "{made["podcast_guid"]}" (the show\'s podcast:guid, made '
                "at random as PODCAST_HUB_BASE_URL is not set: written down, it "
                "stays when the database is made anew)"
            )
        if wanted:
            self.report.show_next.append(
                f"next: add {'; '.join(wanted)} in {sidecar.SHOW_FILE} at the top "
                "of the folder, or on the dashboard's Show settings"
            )

    def show_cover(self) -> str | None:
        """Return the new show's cover: `cover.jpg|jpeg|png` at the top of the
        folder when it meets Apple's rules, else the embedded picture kept by
        `collect_show_facts`, saved there. None when there is neither."""
        for path in sorted(self.directory.iterdir()):
            if path.stem.lower() == "cover" and path.suffix.lower() in ART_EXTENSIONS:
                try:
                    problems = artwork.check(path, path.name)
                except artwork.NotAnImage:
                    continue
                if not problems:
                    return path.name
        if self.cover is None:
            return None
        audio_name, embedded = self.cover
        suffix = artwork.inspect(embedded.data).suffix or ".jpg"
        stem = files.unique(
            "cover", lambda s: (self.directory / f"{s}{suffix}").exists()
        )
        target = self.directory / f"{stem}{suffix}"
        try:
            files.write_new(target, embedded.data)
        except OSError as error:
            self.warn(
                audio_name,
                f"embedded cover art cannot be saved as {target.name} for the "
                f"show: {error.strerror or error}",
            )
            return None
        return target.name

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
                return self.drop_vanished_art(episode)
            names.add(PurePosixPath(image).name)
        else:
            return self.drop_vanished_art(episode)
        if episode.image == image:
            return False
        if episode.image and self.has(episode.image):
            return False
        episode.image = image
        return True

    def drop_vanished_art(self, episode: Episode) -> bool:
        """Take the episode's art out of the feed if its file is gone; True if so."""
        if not episode.image or self.has(episode.image):
            return False
        self.warn(
            episode.audio_file,
            f"episode art {episode.image} is gone; the feed no longer names it",
        )
        self.report.vanished.append(episode.image)
        episode.image = None
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


@dataclass(frozen=True)
class _Read:
    """An audio file read: its name in the folder and in the media folder, its
    facts and modification time (seconds since the epoch)."""

    file_name: str
    name: str
    facts: audio.AudioFacts
    modified: float


def _chapter_order(row: _ChapterRow) -> tuple[int, str, str, str, str, bool]:
    start_s, title, url, source, img, toc = row
    return start_s, title, url or "", source, img or "", toc


def _without(fields: sidecar.Sidecar, attribute: str) -> sidecar.Sidecar:
    """Return `fields` without the value of `attribute`."""
    values = {k: v for k, v in fields.values.items() if k != attribute}
    return sidecar.Sidecar(values=values, keys=fields.keys)


def _fingerprint_stale(episode: Episode, facts: audio.AudioFacts) -> bool:
    """Tell whether a known episode's fingerprint must be read (again): it has
    none yet, or its file changed size (new audio, or new tags)."""
    return episode.fingerprint is None or episode.size_bytes != facts.size_bytes


def _refresh(episode: Episode, facts: audio.AudioFacts) -> bool:
    """Copy what the file says about itself onto `episode`; return True if changed."""
    changed = False
    for key in ("size_bytes", "duration_s", "mime_type"):
        value = getattr(facts, key)
        if getattr(episode, key) != value:
            setattr(episode, key, value)
            changed = True
    return changed
