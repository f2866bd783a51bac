"""Audio facts read from the files themselves, with mutagen.

The only module that imports mutagen. The format is recognised from the first
bytes of the file, never from its name, and then read by the matching mutagen
class.

Chapters come from ID3 CHAP/CTOC frames (MP3, AAC, WAV), the Nero chapter list
of MP4 files (`moov/udta/chpl`) and CHAPTERxxx comments (Ogg, FLAC). mutagen
does not read QuickTime chapter tracks, which Apple's tools write into M4A
files; such chapters go unseen (ffmpeg writes both kinds). Cover art comes from
ID3 APIC frames, MP4 `covr`, FLAC pictures and Ogg METADATA_BLOCK_PICTURE.
"""

import base64
import binascii
import math
import mimetypes
import mmap
import os
import re
import stat
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any, BinaryIO, NamedTuple

from mutagen import FileType, MutagenError
from mutagen.aac import AAC
from mutagen.flac import FLAC, Picture
from mutagen.id3 import ID3, CTOCFlags, PictureType
from mutagen.mp3 import MP3, BitrateMode
from mutagen.mp4 import MP4, MP4Chapters, MP4Cover
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from ..text import rules
from ..text.plain import xml_safe

# Apple's type for M4A audio (AAC in MP4): what the feed announces and /media/
# serves. Apple's list has no audio/mp4.
M4A_TYPE = "audio/x-m4a"
EXTENSION_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": M4A_TYPE,
    ".m4b": M4A_TYPE,
    ".mp4": M4A_TYPE,
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".wav": "audio/wav",
}

SUPPORTED = "MP3, M4A, AAC, Ogg Vorbis, Opus, FLAC or WAV"
# The audio types Apple Podcasts lists (M4A, MP3, MOV, MP4, M4V): it skips
# episodes whose only enclosure is another type. Spotify plays these too.
APPLE_TYPES = frozenset(
    {"audio/mpeg", M4A_TYPE, "audio/mp4", "video/mp4", "video/quicktime"}
)
APPLE_FORMATS = "M4A, MP3, MOV, MP4 or M4V"

# Real audio, even speech at the lowest bit rate podcasts use (Opus at 6 kbit/s),
# takes more than this many bytes per second. A file that claims a longer
# duration than its size allows has a header that lies: 130 bytes claiming six
# days of WAV.
MIN_BYTES_PER_SECOND = 500
# A file holding less than this share of the bytes its declared bit rate
# promises for its duration is cut short or lying. Generous: the nominal bit
# rate of variable-rate Vorbis can be twice the real one.
MIN_SHARE_OF_BITRATE = 1 / 8


class NotAudio(ValueError):
    """The file is not audio we can read; the message says why."""


class Chapter(NamedTuple):
    """A named point of the audio: whole seconds from the start, title, link,
    picture, and whether it belongs in a table of contents (`toc`)."""

    start_s: int
    title: str
    url: str | None = None
    img: str | None = None
    toc: bool = True


@dataclass(frozen=True)
class Artwork:
    """Cover art embedded in an audio file, as stored there."""

    data: bytes = field(repr=False)
    mime_type: str


@dataclass(frozen=True)
class AudioFacts:
    duration_s: int
    mime_type: str
    size_bytes: int
    title: str | None
    artist: str | None
    chapters: tuple[Chapter, ...] = ()
    artwork: Artwork | None = None
    # What the file holds that was not taken, each a reason for a host to read.
    left_out: tuple[str, ...] = ()
    # The average bit rate, bits per second; None when nothing says.
    bitrate_bps: int | None = None
    # The codec inside the container: "mp3", "aac", "vorbis", "opus", "flac", "pcm".
    codec: str | None = None
    # The header gave no length (an MP3 without a Xing or VBRI header, an ADTS
    # stream): `duration_s` was counted frame by frame, and this is what the
    # header's bit rate guessed instead, in whole seconds.
    estimated_s: int | None = None

    @property
    def apple_lists(self) -> bool:
        """Tell whether Apple Podcasts plays this type of file (APPLE_TYPES)."""
        return self.mime_type in APPLE_TYPES

    album: str | None = None
    # The release (else recording) date of the tags, when it names a day.
    released: datetime | None = None


class _TolerantMP4Chapters(MP4Chapters):
    """The Nero chapter list, or none when it is damaged."""

    def load(self, atoms: Any, fileobj: BinaryIO) -> None:
        try:
            super().load(atoms, fileobj)
        except Exception:
            self._chapters = []


class _TolerantMP4(MP4):
    """MP4 that reads a file whose chapter list is damaged, without its chapters.

    mutagen refuses the whole file when a chapter title is not UTF-8 (titles
    cut at 255 bytes in the middle of a character are), yet the audio plays.
    """

    MP4Chapters = _TolerantMP4Chapters


@dataclass(frozen=True)
class _Format:
    kind: type
    mime_type: str
    what: str
    title_keys: tuple[str, ...]
    artist_keys: tuple[str, ...]
    codec: str | None = None


_ID3_KEYS = {"title_keys": ("TIT2",), "artist_keys": ("TPE1", "TPE2")}
_VORBIS_KEYS = {"title_keys": ("title",), "artist_keys": ("artist", "albumartist")}

_MP3 = _Format(MP3, "audio/mpeg", "MP3 frames", **_ID3_KEYS, codec="mp3")
_MP4 = _Format(
    _TolerantMP4, M4A_TYPE, "MP4 container", ("\xa9nam",), ("\xa9ART", "aART")
)
_AAC = _Format(AAC, "audio/aac", "AAC stream", **_ID3_KEYS, codec="aac")
_VORBIS = _Format(
    OggVorbis, "audio/ogg", "Ogg Vorbis stream", **_VORBIS_KEYS, codec="vorbis"
)
_OPUS = _Format(OggOpus, "audio/ogg", "Ogg Opus stream", **_VORBIS_KEYS, codec="opus")
_FLAC = _Format(FLAC, "audio/flac", "FLAC stream", **_VORBIS_KEYS, codec="flac")
_WAV = _Format(WAVE, "audio/wav", "WAV file", **_ID3_KEYS, codec="pcm")

# Codecs inside an Ogg stream, by the start of their first packet.
_OGG_CODECS: dict[bytes, _Format | str] = {
    b"\x01vorbis": _VORBIS,
    b"OpusHead": _OPUS,
    b"\x7fFLAC": "Ogg FLAC",
    b"Speex   ": "Speex",
    b"\x80theora": "Ogg Theora video",
}
# Formats people may drop in the folder that podcast apps do not play.
_UNSUPPORTED_MAGIC = {
    b"FORM": "AIFF",
    b"RF64": "RF64 WAV",
    b"wvpk": "WavPack",
    b"MAC ": "Monkey's Audio",
    b"MPCK": "Musepack",
    b"TTA1": "TrueAudio",
    b"#!AMR": "AMR",
    b"MThd": "MIDI",
    b"0&\xb2u\x8ef\xcf\x11": "WMA",
}
_RIFF_INFO_KEYS = {"title": b"INAM", "artist": b"IART"}
_RIFF_INFO_MAX_BYTES = 1 << 20

# Image types by their first bytes: declared MIME types are often wrong.
_IMAGE_MAGIC = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
    b"BM": "image/bmp",
}
_MP4_COVER_TYPES = {
    MP4Cover.FORMAT_JPEG: "image/jpeg",
    MP4Cover.FORMAT_PNG: "image/png",
}
# CHAPTER001=00:01:02.500 in Vorbis comments (the Matroska/OGM convention).
_VORBIS_CHAPTER_KEY = re.compile(r"chapter(\d{1,3})", re.IGNORECASE)
_VORBIS_CHAPTER_TIME = re.compile(r"(\d+):([0-5]?\d):([0-5]?\d(?:\.\d+)?)")
# A chapter as a file gives it: start in seconds, title, link.
_RawChapter = tuple[float, str | None, str | None]
# A picture as a file gives it: picture type, bytes, declared MIME type.
_RawPicture = tuple[int, bytes, str]


def read(path: str | os.PathLike[str]) -> AudioFacts:
    """Return the AudioFacts of the file at `path`.

    `duration_s` is the length rounded to whole seconds, `size_bytes` the exact
    size of the file. `chapters` start at whole seconds, rounded down; untitled
    ones are called "Chapter 3". `artwork` is the front cover if one is marked,
    else the first picture, with the MIME type its bytes show. Damaged chapter
    or picture data leaves those empty; it never makes the file unreadable.
    Raises NotAudio, with a reason a host can act on, for anything that is not
    readable MP3, M4A, AAC, Ogg Vorbis, Opus, FLAC or WAV.
    """
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise NotAudio("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise NotAudio("not a regular file")
        if info.st_size == 0:
            raise NotAudio("empty file")
        with open(path, "rb") as fileobj:
            size_bytes = os.fstat(fileobj.fileno()).st_size
            audio_format = _sniff(fileobj)
            return _read_facts(fileobj, audio_format, size_bytes)
    except FileNotFoundError:
        raise NotAudio("file not found") from None
    except PermissionError:
        raise NotAudio("permission denied: the file cannot be opened") from None
    except OSError as error:
        raise NotAudio(f"file could not be read: {error.strerror or error}") from None


def mime_type_for(filename: str) -> str | None:
    """Return the MIME type for a media file name, by its extension."""
    suffix = PurePosixPath(filename).suffix.lower()
    return EXTENSION_TYPES.get(suffix) or mimetypes.guess_type(filename)[0]


def _read_facts(
    fileobj: BinaryIO, audio_format: _Format, size_bytes: int
) -> AudioFacts:
    fileobj.seek(0)
    try:
        loaded = audio_format.kind(fileobj)
    # mutagen's parsers raise more than MutagenError on damaged files
    # (struct.error, IndexError, UnicodeDecodeError, ...): all mean "not audio".
    except Exception as error:
        reason = str(error) if isinstance(error, MutagenError) else ""
        reason = reason.replace(repr(fileobj.name), "the file")
        if not reason or reason == "error":
            reason = "the data is damaged or cut short"
        raise NotAudio(f"{audio_format.what} could not be read: {reason}") from None

    length = getattr(loaded.info, "length", None)
    bitrate = getattr(loaded.info, "bitrate", None)
    estimated = None
    counted = _counted_length(fileobj, audio_format, loaded.info)
    if counted is not None and length is not None and round(counted) != round(length):
        estimated, length = round(length), counted
        bitrate = size_bytes * 8 / counted if counted else bitrate
    if not length or not math.isfinite(length) or length < 0:
        raise NotAudio("no audio duration")
    if audio_format is _MP4 and not getattr(loaded.info, "codec", ""):
        raise NotAudio("MP4 container has no audio track")
    _check_plausible(length, bitrate, size_bytes)

    tags = loaded.tags
    if audio_format is _AAC:
        tags = _id3_in_front(fileobj)
    title = _first_text(tags, audio_format.title_keys)
    artist = _first_text(tags, audio_format.artist_keys)
    if audio_format is _WAV and (title is None or artist is None):
        info = _riff_info(fileobj)
        title = title or info.get("title")
        artist = artist or info.get("artist")
    chapters, left_out = _chapters(loaded, tags)
    album_keys, date_keys = _ALBUM_AND_DATE_KEYS[audio_format.title_keys[0]]
    return AudioFacts(
        duration_s=round(length),
        mime_type=audio_format.mime_type,
        size_bytes=size_bytes,
        title=title,
        artist=artist,
        chapters=chapters,
        artwork=_artwork(loaded, tags),
        left_out=left_out,
        bitrate_bps=_bitrate(bitrate, size_bytes, length),
        codec=audio_format.codec or _mp4_codec(loaded.info),
        estimated_s=estimated,
        album=_first_text(tags, album_keys),
        released=_release_date(_first_text(tags, date_keys)),
    )


def _bitrate(declared: float | None, size_bytes: int, length: float) -> int | None:
    """Return the bit rate in bits per second: the declared one, else size / time."""
    if declared and math.isfinite(declared) and declared > 0:
        return round(declared)
    return round(size_bytes * 8 / length) if length > 0 else None


def _mp4_codec(info: Any) -> str | None:
    """Return "aac" or "alac" for an MP4 audio track ("mp4a.40.2" is AAC)."""
    codec = str(getattr(info, "codec", "") or "")
    if codec.startswith("mp4a"):
        return "aac"
    return codec or None


# MPEG audio frame headers: bit rates in kbit/s by (MPEG-1 or not, layer), and
# sample rates by version, as ISO 11172-3 and 13818-3 give them.
_MPEG_KBPS = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MPEG_RATES = {
    3: (44100, 48000, 32000),
    2: (22050, 24000, 16000),
    0: (11025, 12000, 8000),
}
_ADTS_RATES = (
    96000,
    88200,
    64000,
    48000,
    44100,
    32000,
    24000,
    22050,
    16000,
    12000,
    11025,
    8000,
    7350,
)
# A frame as counted: its length in bytes, its samples, its sample rate.
_Frame = tuple[int, int, int]


def _counted_length(
    fileobj: BinaryIO, audio_format: _Format, info: Any
) -> float | None:
    """Return the length in seconds counted frame by frame, or None.

    Only where mutagen guesses the length from the first frame's bit rate and
    the file's size: an MP3 without a Xing or VBRI header (a VBR file without
    one reports a fraction of its length) and an ADTS AAC stream.
    """
    if audio_format is _MP3 and info.bitrate_mode == BitrateMode.UNKNOWN:
        start, frame = getattr(info, "frame_offset", 0), _mpeg_frame
    elif audio_format is _AAC and getattr(info, "_type", "") == "ADTS":
        fileobj.seek(0)
        start, frame = _id3_end(fileobj.read(16)), _adts_frame
    else:
        return None
    try:
        data = mmap.mmap(fileobj.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    with data:
        return _count_frames(data, start, frame)


def _count_frames(data: mmap.mmap, at: int, frame: Any) -> float | None:
    """Return the seconds of audio in the frames from `at` on, until one is not.

    Whatever follows the last frame (an ID3v1 or APE tag, junk) ends the count.
    """
    samples = 0
    rate = 0
    end = len(data)
    while at + 8 <= end:
        found = frame(data, at)
        if found is None or at + found[0] > end:
            break
        size, count, frame_rate = found
        rate = rate or frame_rate
        samples += count
        at += size
    return samples / rate if rate else None


def _mpeg_frame(data: mmap.mmap, at: int) -> _Frame | None:
    """Return the MPEG audio frame whose header is at `at`, or None."""
    if data[at] != 0xFF:
        return None
    b1, b2 = data[at + 1], data[at + 2]
    version, layer_bits = (b1 >> 3) & 3, (b1 >> 1) & 3
    kbps_index, rate_index, padding = b2 >> 4, (b2 >> 2) & 3, (b2 >> 1) & 1
    if b1 & 0xE0 != 0xE0 or version == 1 or layer_bits == 0:
        return None
    if kbps_index in (0, 15) or rate_index == 3:
        return None
    layer, mpeg1 = 4 - layer_bits, version == 3
    bitrate = _MPEG_KBPS[mpeg1, layer if mpeg1 else min(layer, 2)][kbps_index] * 1000
    rate = _MPEG_RATES[version][rate_index]
    if layer == 1:
        return (12 * bitrate // rate + padding) * 4, 384, rate
    if layer == 3 and not mpeg1:
        return 72 * bitrate // rate + padding, 576, rate
    return 144 * bitrate // rate + padding, 1152, rate


def _adts_frame(data: mmap.mmap, at: int) -> _Frame | None:
    """Return the ADTS AAC frame whose header is at `at`, or None."""
    b1, b2 = data[at + 1], data[at + 2]
    if data[at] != 0xFF or b1 & 0xF6 != 0xF0:
        return None
    rate_index = (b2 >> 2) & 0x0F
    size = ((data[at + 3] & 0x03) << 11) | (data[at + 4] << 3) | (data[at + 5] >> 5)
    if rate_index >= len(_ADTS_RATES) or size < 7:
        return None
    blocks = (data[at + 6] & 0x03) + 1
    return size, 1024 * blocks, _ADTS_RATES[rate_index]


# Album and date keys, by the format's first title key (ID3, MP4, Vorbis).
_ALBUM_AND_DATE_KEYS = {
    "TIT2": (("TALB",), ("TDRL", "TDRC")),
    "\xa9nam": (("\xa9alb",), ("\xa9day",)),
    "title": (("album",), ("date",)),
}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


def _release_date(text: str | None) -> datetime | None:
    """Return a tag's date as an aware UTC datetime when it names a day, else None.

    A year alone ("2024") says too little to date an episode. A time without an
    offset is UTC.
    """
    text = (text or "").strip()
    if not (match := _DAY.match(text)):
        return None
    moment = None
    for candidate in (text, match.group()):
        try:
            moment = datetime.fromisoformat(candidate)
            break
        except ValueError:
            continue
    if moment is None:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _check_plausible(length: float, bitrate: float | None, size_bytes: int) -> None:
    """Raise NotAudio when the file is too small for the duration it claims.

    `length` is in seconds, `bitrate` in bits per second (None or 0 when the
    format does not say).
    """
    claimed = _seconds_in_words(length)
    if size_bytes < length * MIN_BYTES_PER_SECOND:
        raise NotAudio(
            f"claims to last {claimed} but holds only {size_bytes:,} bytes, "
            "too little for that much audio: its header is damaged or false"
        )
    if bitrate and math.isfinite(bitrate) and bitrate > 0:
        promised = bitrate / 8 * length
        if size_bytes < promised * MIN_SHARE_OF_BITRATE:
            raise NotAudio(
                f"claims to last {claimed} at {round(bitrate / 1000)} kbit/s "
                f"but holds only {size_bytes:,} bytes of the {round(promised):,} "
                "that takes: it is cut short or its header is false"
            )


def _seconds_in_words(length: float) -> str:
    if length >= 2 * 86400:
        return f"{length / 86400:,.1f} days"
    if length >= 3600:
        return f"{length / 3600:,.1f} hours"
    return f"{round(length)} seconds"


def _chapters(
    loaded: FileType, tags: Any
) -> tuple[tuple[Chapter, ...], tuple[str, ...]]:
    """Return the chapters of a loaded file, in the order the file gives them,
    and what was left out of them.

    A chapter link that is not a web address (`javascript:`, `data:`) is
    dropped, with a reason in the second list.
    """
    # Damaged chapter data must not make playable audio unreadable.
    try:
        found: list[_RawChapter]
        if isinstance(tags, ID3):
            found = _id3_chapters(tags)
        elif isinstance(loaded, MP4):
            found = [(c.start, c.title, None) for c in loaded.chapters or ()]
        elif tags is not None:
            found = _vorbis_chapters(tags)
        else:
            found = []
    except Exception:
        return (), ()
    chapters = []
    left_out = []
    for number, (start, title, url) in enumerate(found, start=1):
        if not math.isfinite(start) or start < 0:
            continue
        title = _clean(title) or f"Chapter {number}"
        url = _clean(url)
        link = rules.safe_url(url)
        if url and link is None:
            left_out.append(
                f"chapter {title[:60]!r}: link {url[:60]!r} is not an http(s) "
                "address; dropped"
            )
        chapters.append(
            # Whole seconds, rounded down: a jump lands before the first word.
            Chapter(start_s=math.floor(start), title=title, url=link)
        )
    return tuple(chapters), tuple(left_out)


def _id3_chapters(tags: ID3) -> list[_RawChapter]:
    """Return (start in seconds, title, url) of each CHAP frame.

    The order is the top-level table of contents (CTOC, following nested ones);
    chapters it leaves out follow by start time. Titles come from TIT2
    sub-frames, links from WXXX (or any other URL) sub-frames.
    """
    chapters = {frame.element_id: frame for frame in tags.getall("CHAP")}
    tocs = {frame.element_id: frame for frame in tags.getall("CTOC")}
    order: dict[str, None] = {}  # element id → None, in table-of-contents order
    seen_tocs = set()

    def follow(toc: Any) -> None:
        seen_tocs.add(toc.element_id)
        for child in toc.child_element_ids:
            if child in chapters:
                order.setdefault(child)
            elif child in tocs and child not in seen_tocs:
                follow(tocs[child])

    top_level_first = sorted(
        tocs.values(), key=lambda toc: not toc.flags & CTOCFlags.TOP_LEVEL
    )
    for toc in top_level_first:
        if toc.element_id not in seen_tocs:
            follow(toc)
    ordered = [chapters[element_id] for element_id in order]
    rest = sorted(
        (frame for key, frame in chapters.items() if key not in order),
        key=lambda frame: frame.start_time,
    )
    return [
        (
            frame.start_time / 1000,
            _first_text(frame.sub_frames, ("TIT2",)),
            _id3_url(frame.sub_frames),
        )
        for frame in ordered + rest
    ]


def _id3_url(frames: Any) -> str | None:
    """Return the first link among ID3 sub-frames, WXXX first, or None."""
    links = frames.getall("WXXX") + [
        frame
        for frame in frames.values()
        if frame.FrameID.startswith("W") and frame.FrameID != "WXXX"
    ]
    return next((frame.url for frame in links if frame.url), None)


def _vorbis_chapters(tags: Any) -> list[_RawChapter]:
    """Return (start in seconds, title, url) of each CHAPTERxxx comment, by number."""
    found = []
    for key in tags.keys():
        match = _VORBIS_CHAPTER_KEY.fullmatch(key)
        if not match:
            continue
        time = _VORBIS_CHAPTER_TIME.fullmatch(_first_text(tags, (key,)) or "")
        if not time:
            continue
        hours, minutes, seconds = time.groups()
        start = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
        title = _first_text(tags, (f"{key}name",))
        url = _first_text(tags, (f"{key}url",))
        found.append((int(match.group(1)), start, title, url))
    found.sort(key=lambda chapter: chapter[0])
    return [(start, title, url) for _, start, title, url in found]


def _artwork(loaded: FileType, tags: Any) -> Artwork | None:
    """Return the embedded cover art, the front cover when marked, or None."""
    try:
        pictures: list[_RawPicture]
        if isinstance(tags, ID3):
            pictures = [(f.type, f.data, f.mime) for f in tags.getall("APIC")]
        elif isinstance(loaded, MP4):
            pictures = [
                (
                    PictureType.COVER_FRONT,
                    bytes(cover),
                    _MP4_COVER_TYPES.get(cover.imageformat, ""),
                )
                for cover in (tags or {}).get("covr", ())
            ]
        elif isinstance(loaded, FLAC):
            pictures = [(p.type, p.data, p.mime) for p in loaded.pictures]
            pictures += _vorbis_pictures(tags)
        elif tags is not None:
            pictures = _vorbis_pictures(tags)
        else:
            pictures = []
    except Exception:
        return None
    # "-->" is an ID3 link to an image elsewhere, not an image.
    pictures = [p for p in pictures if p[1] and p[2] != "-->"]
    if not pictures:
        return None
    fronts = [p for p in pictures if p[0] == PictureType.COVER_FRONT]
    _, data, declared = (fronts or pictures)[0]
    return Artwork(data=bytes(data), mime_type=_image_mime(data, declared))


def _vorbis_pictures(tags: Any) -> list[_RawPicture]:
    """Return (type, data, MIME type) of pictures in Vorbis comments.

    METADATA_BLOCK_PICTURE holds a base64 FLAC picture block; the older
    COVERART holds base64 image bytes, with COVERARTMIME beside it.
    """
    if tags is None:
        return []
    pictures = []
    for encoded in tags.get("metadata_block_picture", []):
        try:
            picture = Picture(base64.b64decode(encoded))
        except (binascii.Error, ValueError, MutagenError, struct.error):
            continue
        pictures.append((picture.type, picture.data, picture.mime))
    declared = _first_text(tags, ("coverartmime",)) or ""
    for encoded in tags.get("coverart", []):
        try:
            pictures.append((PictureType.OTHER, base64.b64decode(encoded), declared))
        except (binascii.Error, ValueError):
            continue
    return pictures


def _image_mime(data: bytes, declared: str | None) -> str:
    """Return the MIME type of image bytes, by their first bytes when known."""
    for magic, mime_type in _IMAGE_MAGIC.items():
        if data.startswith(magic):
            return mime_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    declared = (declared or "").strip().lower()
    if declared in ("jpg", "jpeg", "image/jpg"):
        return "image/jpeg"
    if declared and "/" not in declared:
        declared = f"image/{declared}"
    return declared or "application/octet-stream"


def _sniff(fileobj: BinaryIO) -> _Format:
    """Return the _Format announced by the first bytes; raise NotAudio.

    mutagen.File is not used because its guess weighs the file name, and it
    takes an ADTS stream with an ID3 tag in front for MP3.
    """
    head = fileobj.read(16)
    id3_end = _id3_end(head)
    if id3_end:
        fileobj.seek(id3_end)
        head = fileobj.read(16)

    if head.startswith(b"fLaC"):
        return _FLAC
    if head.startswith(b"ADIF"):
        return _AAC
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        # An MPEG sync word: layer bits 00 mean ADTS (AAC), others MP1/2/3.
        if head[1] & 0x06:
            return _MP3
        if head[1] & 0xF0 == 0xF0:
            return _AAC
    if id3_end:
        # What follows an ID3 tag is nearly always MP3 (sometimes after
        # padding); MP3 reports the frames it cannot find.
        return _MP3

    if head.startswith(b"OggS"):
        return _ogg_codec(fileobj)
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return _WAV
    if head[4:8] in (b"ftyp", b"moov"):
        return _MP4
    for magic, name in _UNSUPPORTED_MAGIC.items():
        if head.startswith(magic):
            raise NotAudio(f"{name} audio is not supported; use {SUPPORTED}")
    raise NotAudio("not a recognised audio format")


def _id3_end(head: bytes) -> int:
    """Return where the ID3v2 tag at the start of `head` ends, or 0."""
    if len(head) < 10 or not head.startswith(b"ID3"):
        return 0
    size = 0
    for byte in head[6:10]:
        size = (size << 7) | (byte & 0x7F)
    has_footer = head[5] & 0x10
    return 10 + size + (10 if has_footer else 0)


def _ogg_codec(fileobj: BinaryIO) -> _Format:
    fileobj.seek(0)
    first_page = fileobj.read(512)
    for marker, codec in _OGG_CODECS.items():
        if marker in first_page:
            if isinstance(codec, str):
                raise NotAudio(f"{codec} is not supported; use {SUPPORTED}")
            return codec
    raise NotAudio("Ogg stream with an unknown codec")


def _id3_in_front(fileobj: BinaryIO) -> ID3 | None:
    """Return the ID3 tag in front of an ADTS stream, or None."""
    fileobj.seek(0)
    if not fileobj.read(3) == b"ID3":
        return None
    fileobj.seek(0)
    try:
        return ID3(fileobj)
    # A broken tag does not make the audio unplayable: read it without tags.
    except Exception:
        return None


def _first_text(tags: Any, keys: Iterable[str]) -> str | None:
    """Return the first non-blank text under `keys` in a mutagen tag, or None."""
    if tags is None:
        return None
    for key in keys:
        try:
            value = tags.get(key)
        except (KeyError, ValueError):
            continue
        values = getattr(value, "text", value)  # ID3 frames keep text in .text
        if isinstance(values, str | bytes):
            values = [values]
        for item in values or ():
            text = _clean(item)
            if text:
                return text
    return None


def _clean(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        raw = value
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            value = raw.decode("latin-1")
    # NUL separates values in some tags; other controls are dropped (`xml_safe`).
    return xml_safe(str(value).replace("\x00", " ")).strip() or None


def _riff_info(fileobj: BinaryIO) -> dict[str, str]:
    """Return title and artist from the RIFF INFO list of a WAV file, if any.

    mutagen reads only the "id3 " chunk of a WAV file; many tools (ffmpeg,
    sox, Windows) write INFO instead.
    """
    found: dict[str, str] = {}
    fileobj.seek(12)
    while True:
        header = fileobj.read(8)
        if len(header) < 8:
            return found
        chunk_id, size = struct.unpack("<4sI", header)
        start = fileobj.tell()
        if chunk_id == b"LIST" and fileobj.read(4) == b"INFO":
            body = fileobj.read(max(0, min(size - 4, _RIFF_INFO_MAX_BYTES)))
            return _parse_info_list(body)
        fileobj.seek(start + size + (size & 1))


def _parse_info_list(body: bytes) -> dict[str, str]:
    values: dict[bytes, bytes] = {}
    offset = 0
    while offset + 8 <= len(body):
        item_id, size = struct.unpack_from("<4sI", body, offset)
        values[item_id] = body[offset + 8 : offset + 8 + size].split(b"\x00")[0]
        offset += 8 + size + (size & 1)
    found = {}
    for key, item_id in _RIFF_INFO_KEYS.items():
        text = _clean(values.get(item_id, b""))
        if text:
            found[key] = text
    return found
