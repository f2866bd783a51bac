"""Feed health: what Apple Podcasts, Spotify and the Podcast Index need of the
show, as a checklist of items that pass, warn or fail, each with how to fix it.

Read from the database and the media folder (file sizes, image headers); the
audio itself is read by the import, which hands in what it found (`Findings`).
"""

import enum
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..extensions import db
from ..library import artwork, audio
from ..models import Episode, EpisodeType, Show, ShowType
from ..text import categories, timecode
from . import episodes as catalog
from . import storage

# Enough of an image for its header: format, size, colour space.
_IMAGE_HEAD_BYTES = 256 * 1024

# Apple cuts a description at this many bytes (UTF-8), the show's and each
# episode's.
DESCRIPTION_MAX_BYTES = 4000
APPLE = "Apple Podcasts"
SPOTIFY = "Spotify"
INDEX = "Podcast Index"
_EVERYONE = (APPLE, SPOTIFY, INDEX)
_SETTINGS = "in show.toml or under Show settings on the dashboard"


class Status(enum.StrEnum):
    """How an item stands."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Item:
    """One line of the checklist: what was checked, for whom, what was found,
    and how to fix it when it does not pass; `details` name files or episodes."""

    key: str
    title: str
    status: Status
    found: str
    fix: str | None = None
    needed_by: tuple[str, ...] = _EVERYONE
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Findings:
    """What an import saw that the database does not keep."""

    # Audio whose header gave no length: (file, counted s, header's guess in s).
    counted: Sequence[tuple[str, int, int]] = ()
    # Art the feed named whose file was gone, taken out of the feed.
    vanished: Sequence[str] = ()


@dataclass(frozen=True)
class Checklist:
    """The items, in the order a host fixes them."""

    items: list[Item] = field(default_factory=list)

    def count(self, status: Status) -> int:
        """Return how many items have `status`."""
        return sum(1 for item in self.items if item.status == status)

    @property
    def failed(self) -> bool:
        """Tell whether an item fails."""
        return self.count(Status.FAIL) > 0

    def summary(self) -> str:
        """Return the counts: "2 fail, 1 warn, 9 pass"."""
        return ", ".join(f"{self.count(status)} {status}" for status in _WORST_FIRST)

    def lines(self) -> list[str]:
        """Return the checklist as text lines for a terminal."""
        lines = []
        for item in self.items:
            lines.append(f"  {item.status:<4}  {item.title}: {item.found}")
            lines += [f"          {detail}" for detail in item.details]
            if item.fix:
                lines.append(f"          fix: {item.fix}")
        return lines


_WORST_FIRST = (Status.FAIL, Status.WARN, Status.PASS)


def feed_health(
    media_dir: str | os.PathLike[str] | storage.Store,
    findings: Findings | None = None,
) -> Checklist:
    """Return the checklist of the show and the episodes in its feed.

    Episodes in the feed are the published and the scheduled ones whose audio
    file is there; drafts are left out, and so are episodes whose file the
    import found gone (they are out of the feed until it is back: listed as a
    warning). `media_dir` is where the show's files are looked for: a folder,
    or the media store (a bucket).
    """
    show = catalog.get_show()
    published = db.session.scalars(
        sa.select(Episode)
        .where(Episode.published_at.is_not(None))
        .options(so.selectinload(Episode.alternates))
        .order_by(Episode.published_at, Episode.id)
    ).all()
    listed = [e for e in published if e.missing_since is None]
    gone = [e for e in published if e.missing_since is not None]
    return check(show, listed, media_dir, findings or Findings(), gone)


class _Files:
    """The files the checks look at: in a folder, or in a bucket (listed once,
    images read no further than their header)."""

    def __init__(self, media: str | os.PathLike[str] | storage.Store) -> None:
        self.bucket: storage.S3Store | None = None
        self.root = Path()
        if isinstance(media, storage.S3Store):
            self.bucket = media
        elif isinstance(media, (str, os.PathLike)):
            self.root = Path(media)
        self._sizes: dict[str, int] | None = None

    def is_file(self, name: str) -> bool:
        if self.bucket is None:
            return (self.root / name).is_file()
        if self._sizes is None:
            self._sizes = self.bucket.sizes()
        return name in self._sizes

    def image(self, name: str) -> artwork.ImageSource:
        if self.bucket is None:
            return self.root / name
        if not self.is_file(name):
            return b""
        head = self.bucket.read_range(name, 0, _IMAGE_HEAD_BYTES - 1)
        try:
            data: bytes = head.read()
        finally:
            head.close()
        return data


def check(
    show: Show | None,
    listed: Sequence[Episode],
    media_dir: str | os.PathLike[str] | storage.Store,
    findings: Findings,
    gone: Sequence[Episode] = (),
) -> Checklist:
    """Return the checklist of `show` with the episodes `listed` in its feed;
    `gone` are published episodes kept out of it because their file is gone."""
    files = _Files(media_dir)
    if show is None:
        return Checklist(
            [
                Item(
                    "show",
                    "Show set up",
                    Status.FAIL,
                    "there is no show yet, so there is no feed",
                    "add show.toml with at least `title` at the top of the media "
                    "folder and run `hub import`",
                )
            ]
        )
    items = [
        *_cover(show, files),
        _category(show),
        _owner(show),
        _descriptions(show, listed),
        _episodes(listed),
        _serial(show, listed),
        _formats(listed),
        _durations(listed, findings),
        _files(listed, files, findings, gone),
        _episode_art(listed, files),
    ]
    return Checklist(items)


def _cover(show: Show, files: _Files) -> list[Item]:
    title = "Cover art"
    fix = (
        "use a square JPEG or PNG of 1400 to 3000 px in RGB: `cover = "
        f'"cover.jpg"` {_SETTINGS}'
    )
    if not show.cover:
        return [Item("cover", title, Status.FAIL, "the show has no cover art", fix)]
    try:
        facts = artwork.inspect(files.image(show.cover), decode=False)
    except artwork.NotAnImage as error:
        found = f"{show.cover} {error}"
        if not files.is_file(show.cover):
            found = f"{show.cover} is gone from the media folder: apps get a 404"
        return [Item("cover", title, Status.FAIL, found, fix)]
    items = [Item("cover", title, Status.PASS, f"{show.cover} is in the feed")]
    items += _image_items("cover", "Cover art", show.cover, facts, Status.FAIL)
    return items


def _image_items(
    key: str, what: str, name: str, facts: artwork.ImageFacts, severity: Status
) -> list[Item]:
    """Return the format, size and colour items of one image."""
    kind = facts.format if facts.format != "MPO" else "JPEG"
    named = facts.suffix
    items = []
    if kind not in ("JPEG", "PNG"):
        items.append(
            Item(
                f"{key}-format",
                f"{what} is JPEG or PNG",
                severity,
                f"{name} holds {kind} data",
                "save it as JPEG or PNG",
                (APPLE, SPOTIFY),
            )
        )
    elif not name.lower().endswith(_ENDINGS[kind]):
        items.append(
            Item(
                f"{key}-format",
                f"{what} is JPEG or PNG",
                Status.WARN,
                f"{name} holds {kind} data under another name",
                f"rename it to end with {named}",
                (APPLE, SPOTIFY),
            )
        )
    else:
        items.append(Item(f"{key}-format", f"{what} is JPEG or PNG", Status.PASS, kind))
    width, height = facts.width_px, facts.height_px
    size_ok = width == height and artwork.MIN_SIDE_PX <= width <= artwork.MAX_SIDE_PX
    items.append(
        Item(
            f"{key}-size",
            f"{what} is square, {artwork.MIN_SIDE_PX}–{artwork.MAX_SIDE_PX} px",
            Status.PASS if size_ok else severity,
            f"{width}×{height} px",
            None
            if size_ok
            else f"make it square, {artwork.MIN_SIDE_PX} to {artwork.MAX_SIDE_PX} px "
            "on a side (3000×3000 looks sharp everywhere)",
            (APPLE, SPOTIFY),
        )
    )
    if facts.mode not in ("RGB", "RGBA", "RGBX", "P", "PA"):
        items.append(
            Item(
                f"{key}-colour",
                f"{what} in RGB",
                Status.WARN,
                f"{name} uses the {facts.mode} colour space",
                "save it in RGB (sRGB)",
                (APPLE,),
            )
        )
    return items


_ENDINGS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",)}


def _category(show: Show) -> Item:
    title = "Category from Apple's list"
    category = (show.category or "").strip()
    if categories.is_apple(category):
        return Item("category", title, Status.PASS, category)
    nearest = categories.nearest(category)
    found = (
        f"{category!r} is not one of Apple's categories"
        if category
        else "the show has no category"
    )
    if nearest:
        fix = f'use "{nearest}" (`category = "{nearest}"` {_SETTINGS})'
    else:
        fix = f'use one of Apple\'s, e.g. "Technology" or "Arts > Books" ({_SETTINGS})'
    return Item("category", title, Status.FAIL, found, fix)


def _owner(show: Show) -> Item:
    title = "Owner name and e-mail"
    if not show.owner_email:
        return Item(
            "owner",
            title,
            Status.FAIL,
            "no owner e-mail: Spotify and the Podcast Index cannot confirm that "
            "the show is yours",
            f"set `owner_email` (and `owner_name`) {_SETTINGS}",
        )
    if not show.owner_name:
        stand_in = show.author or show.title
        return Item(
            "owner",
            title,
            Status.WARN,
            f"no owner name: the feed names {stand_in!r} beside the e-mail",
            f"set `owner_name` {_SETTINGS}",
        )
    return Item("owner", title, Status.PASS, f"{show.owner_name}, e-mail set")


def _bytes(text: str | None) -> int:
    return len((text or "").encode("utf-8"))


def _descriptions(show: Show, listed: Sequence[Episode]) -> Item:
    title = f"Descriptions up to {DESCRIPTION_MAX_BYTES:,} bytes"
    size = _bytes(show.description)
    long = [e for e in listed if _bytes(e.description) > DESCRIPTION_MAX_BYTES]
    details = tuple(
        f"episode {e.slug!r}: {_bytes(e.description):,} bytes" for e in long
    )
    if not show.description.strip():
        return Item(
            "descriptions",
            title,
            Status.FAIL,
            "the show has no description (Apple requires one)",
            f"write `description` {_SETTINGS}",
            details=details,
        )
    if size > DESCRIPTION_MAX_BYTES:
        return Item(
            "descriptions",
            title,
            Status.FAIL,
            f"the show's description is {size:,} bytes",
            f"shorten it to {DESCRIPTION_MAX_BYTES:,} bytes",
            details=details,
        )
    if long:
        return Item(
            "descriptions",
            title,
            Status.WARN,
            f"{_count(long, 'episode')} with longer show notes: Apple cuts them",
            f"shorten their notes to {DESCRIPTION_MAX_BYTES:,} bytes",
            details=details,
        )
    return Item("descriptions", title, Status.PASS, f"the show's is {size:,} bytes")


def _episodes(listed: Sequence[Episode]) -> Item:
    if not listed:
        return Item(
            "episodes",
            "At least one episode",
            Status.FAIL,
            "the feed has no episode: directories refuse an empty show",
            "add audio to the media folder and run `hub import`, or upload an "
            "episode on the dashboard",
        )
    return Item(
        "episodes", "At least one episode", Status.PASS, _count(listed, "episode")
    )


def _serial(show: Show, listed: Sequence[Episode]) -> Item:
    title = "Serial show numbered"
    if show.show_type != ShowType.SERIAL:
        return Item(
            "serial",
            title,
            Status.PASS,
            "episodic show: numbers are optional",
            None,
            (APPLE,),
        )
    unnumbered = [
        e for e in listed if e.episode_type == EpisodeType.FULL and not e.number
    ]
    if not unnumbered:
        return Item(
            "serial", title, Status.PASS, "every episode has a number", None, (APPLE,)
        )
    return Item(
        "serial",
        title,
        Status.FAIL,
        f"a serial show, and {_count(unnumbered, 'episode')} without a number: "
        "Apple cannot put them in order",
        "give each a `number` in its sidecar (talk.toml) or on the dashboard",
        (APPLE,),
        tuple(f"episode {e.slug!r} ({e.audio_file})" for e in unnumbered),
    )


def _formats(listed: Sequence[Episode]) -> Item:
    title = f"Audio in a format Apple lists ({audio.APPLE_FORMATS})"
    others = [e for e in listed if e.mime_type not in audio.APPLE_TYPES]
    offered = sum(1 for e in listed if e.alternates)
    if others:
        return Item(
            "formats",
            title,
            Status.WARN,
            f"{_count(others, 'episode')} only in a format Apple Podcasts skips",
            "put an MP3 or M4A of the same name beside each (talk.mp3 next to "
            "talk.opus) and run `hub import`: it becomes the enclosure, and the "
            "other file an alternate enclosure",
            (APPLE, SPOTIFY),
            tuple(f"{e.audio_file} ({e.mime_type})" for e in others),
        )
    found = "every episode is MP3 or M4A"
    if offered:
        found += f"; other formats offered beside it for {_count(offered, 'episode')}"
    return Item("formats", title, Status.PASS, found, None, (APPLE, SPOTIFY))


def _durations(listed: Sequence[Episode], findings: Findings) -> Item:
    title = "Durations"
    silent = [e for e in listed if e.duration_s <= 0]
    details = tuple(
        f"{name}: no length in its header (a VBR MP3 without a Xing header?); "
        f"counted {timecode.format(counted)} frame by frame, where the header "
        f"suggested {timecode.format(guessed)}"
        for name, counted, guessed in findings.counted
    )
    if silent:
        return Item(
            "durations",
            title,
            Status.FAIL,
            f"{_count(silent, 'episode')} of no length",
            "replace the audio and run `hub import`",
            details=details + tuple(e.audio_file for e in silent),
        )
    found = "read from each file"
    if findings.counted:
        found += f"; {_count(findings.counted, 'file')} counted frame by frame"
    return Item("durations", title, Status.PASS, found, details=details)


def _files(
    listed: Sequence[Episode],
    files: _Files,
    findings: Findings,
    gone: Sequence[Episode],
) -> Item:
    title = "Episode files in place"
    missing = [
        name
        for e in listed
        for name in (e.audio_file, *(a.file for a in e.alternates), e.image)
        if name and not files.is_file(name)
    ]
    vanished = tuple(f"{name}: taken out of the feed" for name in findings.vanished)
    out = tuple(
        f"episode {e.slug!r}: {e.audio_file} is gone; the episode is out of the "
        "feed until the file is back"
        for e in gone
    )
    if missing:
        return Item(
            "files",
            title,
            Status.FAIL,
            f"{_count(missing, 'file')} the feed names "
            f"{'is' if len(missing) == 1 else 'are'} gone: apps get a 404",
            "put the files back, or run `hub import`: it takes episodes whose "
            "audio is gone and vanished art out of the feed",
            details=tuple(missing) + out + vanished,
        )
    if out or vanished:
        found = []
        if out:
            found.append(
                f"{_count(out, 'episode')} out of the feed: the audio file is gone"
            )
        if vanished:
            found.append(f"{_count(vanished, 'image')} had vanished and left the feed")
        fix = "put the art back beside its audio if it was not meant to go"
        if out:
            fix = (
                "put the files back if they were not meant to go; else run "
                "`hub import --prune` to make those episodes drafts"
            )
        return Item(
            "files", title, Status.WARN, "; ".join(found), fix, details=out + vanished
        )
    return Item("files", title, Status.PASS, "every file the feed names is there")


def _episode_art(listed: Sequence[Episode], files: _Files) -> Item:
    title = "Episode art"
    problems = []
    with_art = [e for e in listed if e.image and files.is_file(e.image)]
    for episode in with_art:
        assert episode.image is not None
        try:
            facts = artwork.inspect(files.image(episode.image), decode=False)
        except artwork.NotAnImage as error:
            problems.append(f"{episode.image} {error}")
            continue
        problems += [
            f"{episode.image}: {item.found}"
            for item in _image_items("art", "art", episode.image, facts, Status.WARN)
            if item.status != Status.PASS
        ]
    if problems:
        return Item(
            "episode-art",
            title,
            Status.WARN,
            f"{_count(problems, 'problem')}: apps show the show's cover instead",
            "use square JPEG or PNG images of 1400 to 3000 px",
            (APPLE, SPOTIFY),
            tuple(problems),
        )
    found = f"{_count(with_art, 'episode')} with art of their own, all fit"
    if not with_art:
        found = "no episode has art of its own: apps show the cover"
    return Item("episode-art", title, Status.PASS, found, None, (APPLE, SPOTIFY))


def _count(things: Sequence[object] | int, noun: str) -> str:
    n = things if isinstance(things, int) else len(things)
    return f"{n} {noun}{'' if n == 1 else 's'}"
