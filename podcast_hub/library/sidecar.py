"""Metadata files next to the audio: episode and show TOML, chapters, transcripts.

For an audio file `talk.mp3` the import looks, in the same folder, for
`talk.toml` (episode fields), `talk.chapters.json` (Podcasting 2.0 JSON
chapters) and `talk.vtt`, `talk.srt`, `talk.<language>.vtt` or `.srt`
(transcripts). `show.toml` at the root of the folder describes the show.

Reading never raises on bad content: each problem becomes a warning
(file, message) naming the field, and the fields that are valid still count.
Control characters and what XML cannot hold are dropped from every text.
"""

import difflib
import json
import math
import os
import re
import tomllib
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path, PurePosixPath
from typing import Any, TypeGuard

from ..models import Chapter, Episode, EpisodeType, Show, ShowType
from ..text import rules
from ..text.plain import xml_safe
from . import audio

SHOW_FILE = "show.toml"
CHAPTERS_SUFFIX = ".chapters.json"
TRANSCRIPT_TYPES = {".vtt": "text/vtt", ".srt": "application/x-subrip"}
MAX_BYTES = 1 << 20  # a sidecar is a few KB; anything over a MB is a mistake

_HEAD_BYTES = 1024
_COUNT_MAX = 2**31 - 1  # what every database's INTEGER holds


@dataclass
class Sidecar:
    """Valid values read from a sidecar, by model attribute, and the warnings."""

    values: dict[str, Any] = field(default_factory=dict)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # attribute → key in file


@dataclass(frozen=True)
class PersonFacts:
    """A `podcast:person` from a sidecar: name, taxonomy role and group, links."""

    name: str
    role: str
    group: str
    img: str | None = None
    href: str | None = None


# The key `person` reads into this attribute of Sidecar.values (not a column).
PEOPLE = "people"


@dataclass(frozen=True)
class TranscriptFile:
    """A transcript next to the audio: its name, MIME type and language."""

    name: str
    mime_type: str
    language: str | None


@dataclass(frozen=True)
class Found:
    """The sidecar files of one audio file, as names in its folder."""

    episode: str | None
    chapters: str | None
    transcripts: tuple[TranscriptFile, ...]


def find(
    stem: str,
    names: Collection[str],
    audio_stems: Collection[str],
    *,
    root: bool = False,
) -> Found:
    """Return the sidecars of the audio file with `stem` among `names`.

    `names` are the file names in the audio's folder; `audio_stems` the stems
    of every audio file there, so that `talk.en.vtt` goes to `talk.en.mp3`
    when there is one, and to `talk.mp3` (as English) only otherwise. In the
    `root` folder, `show.toml` is the show's, never an episode's.
    """
    transcripts = []
    for name in sorted(names):
        transcript = _transcript_of(name, stem, audio_stems)
        if transcript:
            transcripts.append(transcript)
    episode: str | None
    episode, chapters = f"{stem}.toml", f"{stem}{CHAPTERS_SUFFIX}"
    if root and episode == SHOW_FILE:
        episode = None
    return Found(
        episode=episode if episode in names else None,
        chapters=chapters if chapters in names else None,
        transcripts=tuple(transcripts),
    )


def unclaimed(
    names: Iterable[str], audio_stems: Collection[str], *, root: bool = False
) -> list[str]:
    """Return the names that look like sidecars but belong to no audio file."""
    orphans = []
    for name in sorted(names):
        if name.endswith(CHAPTERS_SUFFIX):
            claimed = name.removesuffix(CHAPTERS_SUFFIX) in audio_stems
        elif name.endswith(".toml"):
            claimed = (root and name == SHOW_FILE) or (
                name.removesuffix(".toml") in audio_stems
            )
        elif PurePosixPath(name).suffix.lower() in TRANSCRIPT_TYPES:
            claimed = any(_transcript_of(name, s, audio_stems) for s in audio_stems)
        else:
            continue
        if not claimed:
            orphans.append(name)
    return orphans


def _transcript_of(
    name: str, stem: str, audio_stems: Collection[str]
) -> TranscriptFile | None:
    """Return the TranscriptFile if `name` is a transcript of `stem`, else None."""
    path = PurePosixPath(name)
    mime_type = TRANSCRIPT_TYPES.get(path.suffix.lower())
    if mime_type is None:
        return None
    base = path.stem
    if base == stem:
        return TranscriptFile(name, mime_type, None)
    language = base[len(stem) + 1 :]
    if (
        base.startswith(f"{stem}.")
        and rules.is_language(language)
        and base not in audio_stems
    ):
        return TranscriptFile(name, mime_type, language)
    return None


def check_transcript(path: str | os.PathLike[str], name: str) -> list[tuple[str, str]]:
    """Return warnings if the file at `path` is not the transcript it claims to be.

    Only the start is read: a WebVTT file starts with "WEBVTT", an SRT file has
    a "-->" timing line near the top.
    """
    try:
        with open(path, "rb") as fileobj:
            head = fileobj.read(_HEAD_BYTES)
    except OSError as error:
        return [(name, f"cannot be read: {error.strerror}; left out")]
    text = head.removeprefix(b"\xef\xbb\xbf")
    if not text.strip():
        return [(name, "is empty; left out")]
    if name.lower().endswith(".vtt"):
        if not re.match(rb"WEBVTT(?:[ \t\r\n]|$)", text):
            return [(name, 'is not WebVTT (it must start with "WEBVTT"); left out')]
    elif b"-->" not in text:
        return [(name, 'is not SRT (no "00:00:01,000 --> ..." timing); left out')]
    return []


def read_episode(path: str | os.PathLike[str], name: str) -> Sidecar:
    """Return the episode fields of the TOML file at `path`, and warnings.

    Keys: title, published (TOML date or datetime; a date is midnight UTC, a
    datetime without offset is UTC), season, number, type (full, trailer or
    bonus), explicit, notes (the show notes), slug, guid (the item's `<guid>`,
    kept for good), author (the episode's itunes:author) and person (guests:
    see `_people`). `name` is the file's name in warnings.
    """
    return _read_fields(
        path,
        name,
        [
            ("title", Episode.title, _text),
            ("published", Episode.published_at, _moment),
            ("season", Episode.season, _count),
            ("number", Episode.number, _count),
            ("type", Episode.episode_type, _choice(tuple(EpisodeType))),
            ("explicit", Episode.explicit, _flag),
            ("notes", Episode.description, _notes),
            ("slug", Episode.slug, _slug),
            ("guid", Episode.guid, _item_guid),
            ("author", Episode.artist, _text),
            ("person", _PEOPLE_FIELD, _people("guest")),
        ],
    )


def read_show(path: str | os.PathLike[str], name: str, directory: Path) -> Sidecar:
    """Return the show fields of `show.toml` at `path`, and warnings.

    Keys: title, description, author, owner_name, owner_email, language,
    category ("Parent > Child"), explicit, type (episodic or serial), cover (an
    image file, relative to `directory`), funding_url, funding_text,
    new_feed_url, locked, guid (the show's `podcast:guid`, a UUID), block,
    complete, medium, copyright, license, license_url, update_frequency,
    update_rrule, txt and person (the show's hosts and crew: see `_people`).
    """
    read = _read_fields(
        path,
        name,
        [
            ("title", Show.title, _text),
            ("description", Show.description, _notes),
            ("author", Show.author, _text),
            ("owner_name", Show.owner_name, _text),
            ("owner_email", Show.owner_email, _email),
            ("language", Show.language, _language),
            ("category", Show.category, _category),
            ("explicit", Show.explicit, _flag),
            ("type", Show.show_type, _choice(tuple(ShowType))),
            ("cover", Show.cover, _file_in(directory)),
            ("funding_url", Show.funding_url, _url),
            ("funding_text", Show.funding_text, _text),
            ("new_feed_url", Show.new_feed_url, _url),
            ("locked", Show.locked, _flag),
            ("guid", Show.podcast_guid, _show_guid),
            ("block", Show.block, _flag),
            ("complete", Show.complete, _flag),
            ("medium", Show.medium, _medium),
            ("copyright", Show.copyright, _text),
            ("license", Show.license, _license),
            ("license_url", Show.license_url, _https),
            ("update_frequency", Show.update_frequency, _text),
            ("update_rrule", Show.update_rrule, _rrule),
            ("txt", Show.txt, _txt),
            ("person", _PEOPLE_FIELD, _people("host")),
        ],
    )
    licence = read.values.get("license")
    if licence is not None and (
        problem := rules.license_problem(licence, read.values.get("license_url"))
    ):
        read.warnings.append((name, f"license: {problem}; ignored"))
        del read.values["license"]
    return read


def read_chapters(
    path: str | os.PathLike[str], name: str
) -> tuple[list[audio.Chapter], list[tuple[str, str]]]:
    """Return the chapters of a Podcasting 2.0 JSON chapters file, and warnings.

    Each chapter needs `startTime` (seconds, rounded down) and `title`; `url`
    and `img` are kept when they are web links. Chapters marked `"toc": false`
    (a picture change, left out of tables of contents) are kept as such.
    """
    result = Sidecar()
    data = _read_text(path, name, result)
    if data is None:
        return [], result.warnings
    try:
        document = json.loads(data)
    except json.JSONDecodeError as error:
        result.warnings.append((name, f"is not valid JSON: {error}; ignored"))
        return [], result.warnings
    entries = document.get("chapters") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        result.warnings.append((name, 'has no "chapters" list; ignored'))
        return [], result.warnings

    chapters = []
    title_max = _length(Chapter.title)
    url_max = _length(Chapter.url)
    for number, entry in enumerate(entries, start=1):
        where = f"chapter {number}"
        if not isinstance(entry, dict):
            result.warnings.append((name, f"{where}: not an object; left out"))
            continue
        start = entry.get("startTime")
        if not _is_number(start) or not math.isfinite(start) or start < 0:
            result.warnings.append(
                (name, f"{where}: startTime must be seconds, 0 or more; left out")
            )
            continue
        title = _clean(entry.get("title"))
        if not isinstance(title, str) or not title.strip():
            result.warnings.append((name, f"{where}: has no title; left out"))
            continue
        title = title.strip()
        if len(title) > title_max:
            result.warnings.append(
                (name, f"{where}: title longer than {title_max} characters; cut")
            )
            title = title[:title_max].rstrip()
        url, img = (
            _chapter_link(entry, key, f"{where}: {key}", url_max, result, name)
            for key in ("url", "img")
        )
        toc = entry.get("toc") is not False
        chapters.append(audio.Chapter(math.floor(start), title, url, img, toc))
    return chapters, result.warnings


def _chapter_link(
    entry: dict[str, Any],
    key: str,
    where: str,
    max_length: int,
    result: Sidecar,
    name: str,
) -> str | None:
    """Return the chapter's `key` if it is a web link; else None, with a warning."""
    value = entry.get(key)
    if value is None:
        return None
    link = rules.safe_url(_clean(value), max_length)
    if link is None:
        result.warnings.append((name, f"{where} is not a web link; dropped"))
    return link


def _length(column: Any) -> int:
    return column.type.length


def _read_text(path: str | os.PathLike[str], name: str, result: Sidecar) -> str | None:
    """Return the UTF-8 text of a sidecar, or None with a warning."""
    try:
        with open(path, "rb") as fileobj:
            data = fileobj.read(MAX_BYTES + 1)
    except OSError as error:
        result.warnings.append((name, f"cannot be read: {error.strerror}; ignored"))
        return None
    if len(data) > MAX_BYTES:
        result.warnings.append((name, "is larger than 1 MB; ignored"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.warnings.append((name, "is not UTF-8 text; ignored"))
        return None


def _read_fields(
    path: str | os.PathLike[str],
    name: str,
    keys: Sequence[tuple[str, Any, Callable[[object], object]]],
) -> Sidecar:
    """Return the valid values of a TOML file's keys, and a warning for each other.

    `keys` lists (key, model column, parse); parse returns the value to store
    or raises _Invalid. Warnings follow the order of the keys in the file.
    """
    result = Sidecar()
    text = _read_text(path, name, result)
    if text is None:
        return result
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        result.warnings.append((name, f"is not valid TOML: {error}; ignored"))
        return result

    problems: dict[str, str] = {}  # key → message
    for key, column, parse in keys:
        if key not in table:
            continue
        max_length = getattr(column.type, "length", None)
        try:
            value = parse(_clean(table[key]))
            if max_length and isinstance(value, str) and len(value) > max_length:
                raise _Invalid(f"longer than {max_length} characters")
        except _Invalid as problem:
            problems[key] = f"{key}: {problem}; ignored"
        else:
            result.values[column.key] = value
            result.keys[column.key] = key
    known = [key for key, _, _ in keys]
    for key in table:
        if key not in known:
            guess = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""
            problems[key] = f"unknown field {key!r}{hint}; ignored"
    result.warnings.extend((name, problems[key]) for key in table if key in problems)
    return result


def _clean(value: object) -> object:
    """Return text without control characters (`xml_safe`); other values as they are."""
    return xml_safe(value) if isinstance(value, str) else value


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Invalid(ValueError):
    """A sidecar value that cannot be used; the message says why."""


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid("must be text in quotes")
    if not value.strip():
        raise _Invalid("is empty")
    return value.strip()


def _notes(value: object) -> str:
    """Return text that may be empty (show notes, a description)."""
    if not isinstance(value, str):
        raise _Invalid("must be text in quotes")
    return value.strip()


def _moment(value: object) -> datetime:
    """Return a TOML date or datetime (or ISO text) as an aware UTC datetime."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise _Invalid(
                f"{value!r} is not a date like 2024-05-01T09:00:00Z"
            ) from None
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        try:
            return aware.astimezone(UTC)
        except OverflowError:
            raise _Invalid(f"{value.isoformat()} is out of range") from None
    if isinstance(value, date):
        return datetime.combine(value, time(), UTC)
    raise _Invalid("must be a date like 2024-05-01 or 2024-05-01T09:00:00Z")


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _Invalid(f"must be a whole number from 1, not {value!r}")
    if value > _COUNT_MAX:
        raise _Invalid(f"{value} is too large")
    return value


def _choice(choices: Sequence[str]) -> Callable[[object], str]:
    def parse(value: object) -> str:
        if isinstance(value, str) and value.strip().lower() in choices:
            return value.strip().lower()
        options = ", ".join(choices[:-1]) + f" or {choices[-1]}"
        raise _Invalid(f"must be {options}, not {value!r}")

    return parse


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"must be true or false, not {value!r}")
    return value


def _slug(value: object) -> str:
    if not isinstance(value, str) or not rules.is_slug(value):
        raise _Invalid(f"{value!r} must be lowercase letters, digits and single dashes")
    return value


def _item_guid(value: object) -> str:
    if isinstance(value, str) and rules.is_item_guid(value.strip()):
        return value.strip()
    raise _Invalid(
        f"{value!r} must be text of up to {rules.ITEM_GUID_MAX} characters "
        "without spaces"
    )


def _show_guid(value: object) -> str:
    guid = rules.show_guid(value)
    if guid is None:
        raise _Invalid(f"{value!r} is not a UUID (the show's podcast:guid)")
    return guid


def _email(value: object) -> str:
    if not isinstance(value, str) or not rules.is_email(value.strip()):
        raise _Invalid(f"{value!r} is not an e-mail address")
    return value.strip()


def _language(value: object) -> str:
    if not isinstance(value, str) or not rules.is_language(value.strip()):
        raise _Invalid(f"{value!r} is not a language code like en or pt-BR")
    return value.strip()


def _category(value: object) -> str:
    """Return "Parent" or "Parent > Child", spaced the one way."""
    parts = [p.strip() for p in value.split(">")] if isinstance(value, str) else []
    if not parts or len(parts) > 2 or not all(parts):
        raise _Invalid(f'{value!r} must be "Category" or "Category > Subcategory"')
    return " > ".join(parts)


def _url(value: object) -> str:
    url = rules.safe_url(value)
    if url is None:
        raise _Invalid(f"{value!r} is not a web link (https://...)")
    return url


def _file_in(directory: Path) -> Callable[[object], str]:
    def parse(value: object) -> str:
        if (
            not isinstance(value, str)
            or not value.strip()
            or (relative := PurePosixPath(value)).is_absolute()
            or ".." in relative.parts
        ):
            raise _Invalid(f"{value!r} must be a file name inside the folder")
        if not (directory / relative).is_file():
            raise _Invalid(f"there is no file {value} in the folder")
        return relative.as_posix()

    return parse


class _PeopleField:
    """Stands for a column in `_read_fields`: `person` fills `values["people"]`."""

    key = PEOPLE
    type = None


_PEOPLE_FIELD = _PeopleField()


def _people(default_role: str) -> Callable[[object], list[PersonFacts]]:
    """Return the parser of `person`: a name, or a table, or a list of either.

    A table has `name` and optional `role` (default `default_role`), `group`
    (default the role's group in the Podcast Taxonomy), `img` and `href`
    (https addresses).
    """

    def parse(value: object) -> list[PersonFacts]:
        entries = value if isinstance(value, list) else [value]
        people = []
        for number, entry in enumerate(entries, start=1):
            where = f"person {number}: " if len(entries) > 1 else ""
            if isinstance(entry, str):
                entry = {"name": entry}
            if not isinstance(entry, dict):
                raise _Invalid(f"{where}give a name or a table with name = ...")
            people.append(_person(entry, default_role, where))
        return people

    return parse


def _person(entry: dict[str, Any], default_role: str, where: str) -> PersonFacts:
    unknown = set(entry) - {"name", "role", "group", "img", "href"}
    if unknown:
        raise _Invalid(f"{where}unknown key {sorted(unknown)[0]!r}")
    values = {key: _clean(entry.get(key)) for key in entry}
    if not all(isinstance(v, str) for v in values.values()):
        raise _Invalid(f"{where}every value must be text in quotes")
    name = str(values.get("name") or "").strip()
    role = str(values.get("role") or default_role).strip().lower()
    group = str(values.get("group") or _group_of(role)).strip().lower()
    img = str(values.get("img") or "").strip() or None
    href = str(values.get("href") or "").strip() or None
    problems = rules.person_problems(name, role, group, img, href)
    if problems:
        key, message = next(iter(problems.items()))
        raise _Invalid(f"{where}{key}: {message}")
    return PersonFacts(name, role, group, img, href)


def _group_of(role: str) -> str:
    """Return the first taxonomy group that has `role`, else "cast"."""
    return next(
        (group for group, roles in rules.PERSON_ROLES.items() if role in roles),
        "cast",
    )


def _medium(value: object) -> str:
    if not isinstance(value, str) or rules.medium_problem(value.strip()):
        raise _Invalid(f"{value!r}: {rules.NOT_A_MEDIUM}")
    return value.strip()


def _license(value: object) -> str:
    text = _text(value)
    # Whether an address is needed too is checked with license_url (read_show).
    problem = rules.license_problem(text, url=None, needs_url=False)
    if problem:
        raise _Invalid(f"{value!r}: {problem}")
    return text


def _https(value: object) -> str:
    if not isinstance(value, str) or rules.https_problem(value, 512):
        raise _Invalid(f"{value!r} is not an https:// address")
    return value.strip()


def _rrule(value: object) -> str:
    if not isinstance(value, str) or rules.rrule_problem(value.strip()):
        raise _Invalid(f"{value!r}: {rules.NOT_AN_RRULE}")
    return value.strip()


def _txt(value: object) -> list[dict[str, Any]]:
    """Return podcast:txt records from text, a table or a list of either."""
    entries = value if isinstance(value, list) else [value]
    records: list[dict[str, Any]] = []
    for entry in entries:
        if isinstance(entry, str):
            entry = {"text": entry}
        if not isinstance(entry, dict) or set(entry) - {"purpose", "text"}:
            raise _Invalid('give text, or tables with text = "..." and purpose')
        purpose, text = _clean(entry.get("purpose")), _clean(entry.get("text"))
        if not isinstance(text, str) or not (
            purpose is None or isinstance(purpose, str)
        ):
            raise _Invalid("purpose and text must be text in quotes")
        problem = rules.txt_problem(purpose, text.strip())
        if problem:
            raise _Invalid(problem)
        records.append({"purpose": purpose, "text": text.strip()})
    return records
