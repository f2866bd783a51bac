"""What an audio file holds, whatever its name and tags: a fingerprint.

The fingerprint is the SHA-256 of the audio payload only, found by reading the
container (no mutagen: only the byte layout matters here):

- MP3 and ADTS AAC: everything after the ID3v2 tags in front and before an
  APEv2 or ID3v1 tag at the end;
- FLAC: the frames after the metadata blocks (tags, pictures, padding);
- Ogg Vorbis and Opus: the packets after the header packets, which hold the
  comments (page headers, which number pages, are left out);
- MP4/M4A: the contents of the `mdat` boxes;
- WAV: the `data` chunk.

So retagging a file, renaming it or moving it to another folder keeps its
fingerprint, and a re-encoded or re-cut file gets another. A file whose layout
cannot be followed (cut short, an unknown container) is hashed whole.

The whole payload is read: about a second per 500 MB. The import computes it
once per new file and keeps it (`Episode.fingerprint`).
"""

import hashlib
import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

CHUNK_BYTES = 1 << 20
_VERSION = b"podcast-hub audio fingerprint 1\n"
# Header packets before the audio of an Ogg stream, by its first packet's start.
_OGG_HEADER_PACKETS = {b"\x01vorbis": 3, b"OpusHead": 2}


class _Unfollowable(ValueError):
    """The container's layout cannot be followed: hash the whole file."""


def of_file(path: str | os.PathLike[str]) -> str:
    """Return the fingerprint (64 hex digits) of the audio file at `path`.

    Raises OSError when the file cannot be read.
    """
    with open(path, "rb") as fileobj:
        size = os.fstat(fileobj.fileno()).st_size
        digest = hashlib.sha256(_VERSION)
        try:
            for piece in _payload(fileobj, size):
                digest.update(piece)
        except (_Unfollowable, struct.error):
            digest = hashlib.sha256(_VERSION + b"whole\n")
            for piece in _ranges(fileobj, [(0, size)]):
                digest.update(piece)
        return digest.hexdigest()


def _payload(fileobj: BinaryIO, size: int) -> Iterator[bytes]:
    start = _after_id3v2(fileobj)
    fileobj.seek(start)
    head = fileobj.read(12)
    if head.startswith(b"fLaC"):
        yield from _ranges(fileobj, [(_flac_frames(fileobj, start), size)])
    elif head.startswith(b"OggS"):
        yield from _ogg_packets(fileobj, start, size)
    elif head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        yield from _ranges(fileobj, _riff_data(fileobj, start, size))
    elif head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide"):
        yield from _ranges(fileobj, _mp4_mdat(fileobj, start, size))
    else:
        yield from _ranges(fileobj, [(start, _before_trailing_tags(fileobj, size))])


def _ranges(fileobj: BinaryIO, ranges: list[tuple[int, int]]) -> Iterator[bytes]:
    """Yield the bytes of each (start, end) range of the file, in pieces."""
    for start, end in ranges:
        fileobj.seek(start)
        left = end - start
        while left > 0:
            piece = fileobj.read(min(CHUNK_BYTES, left))
            if not piece:
                raise _Unfollowable("cut short")
            left -= len(piece)
            yield piece


def _after_id3v2(fileobj: BinaryIO) -> int:
    """Return where the ID3v2 tags at the start of the file end (0 if none)."""
    offset = 0
    while True:
        fileobj.seek(offset)
        head = fileobj.read(10)
        if len(head) < 10 or not head.startswith(b"ID3"):
            return offset
        size = 0
        for byte in head[6:10]:
            size = (size << 7) | (byte & 0x7F)
        offset += 10 + size + (10 if head[5] & 0x10 else 0)


def _before_trailing_tags(fileobj: BinaryIO, end: int) -> int:
    """Return where the audio ends before an ID3v1 and an APEv2 tag at the end."""
    if end >= 128:
        fileobj.seek(end - 128)
        if fileobj.read(3) == b"TAG":
            end -= 128
    if end >= 32:
        fileobj.seek(end - 32)
        footer = fileobj.read(32)
        if footer.startswith(b"APETAGEX"):
            tag_size, flags = struct.unpack_from("<II", footer, 12)
            has_header = flags & 0x80000000
            end -= tag_size + (32 if has_header else 0)
    if end < 0:
        raise _Unfollowable("tags larger than the file")
    return end


def _flac_frames(fileobj: BinaryIO, start: int) -> int:
    """Return where the frames start, after the metadata blocks."""
    offset = start + 4
    while True:
        fileobj.seek(offset)
        header = fileobj.read(4)
        if len(header) < 4:
            raise _Unfollowable("metadata cut short")
        offset += 4 + int.from_bytes(header[1:4], "big")
        if header[0] & 0x80:
            return offset


def _riff_data(fileobj: BinaryIO, start: int, size: int) -> list[tuple[int, int]]:
    """Return the range of the WAV file's `data` chunk."""
    offset = start + 12
    while offset + 8 <= size:
        fileobj.seek(offset)
        chunk_id, length = struct.unpack("<4sI", fileobj.read(8))
        if chunk_id == b"data":
            return [(offset + 8, min(offset + 8 + length, size))]
        offset += 8 + length + (length & 1)
    raise _Unfollowable("no data chunk")


def _mp4_mdat(fileobj: BinaryIO, start: int, size: int) -> list[tuple[int, int]]:
    """Return the ranges of the contents of the top-level `mdat` boxes."""
    found = []
    offset = start
    while offset + 8 <= size:
        fileobj.seek(offset)
        length, kind = struct.unpack(">I4s", fileobj.read(8))
        header = 8
        if length == 1:
            (length,) = struct.unpack(">Q", fileobj.read(8))
            header = 16
        elif length == 0:
            length = size - offset
        if length < header:
            raise _Unfollowable("box smaller than its header")
        if kind == b"mdat":
            found.append((offset + header, min(offset + length, size)))
        offset += length
    if not found:
        raise _Unfollowable("no mdat box")
    return found


def _ogg_packets(fileobj: BinaryIO, start: int, size: int) -> Iterator[bytes]:
    """Yield the bytes of the packets after the header packets of an Ogg stream."""
    offset = start
    headers: int | None = None
    packets = 0
    while offset < size:
        fileobj.seek(offset)
        page = fileobj.read(27)
        if len(page) < 27 or not page.startswith(b"OggS"):
            raise _Unfollowable("not an Ogg page")
        lacing = fileobj.read(page[26])
        data = fileobj.read(sum(lacing))
        if len(data) < sum(lacing):
            raise _Unfollowable("page cut short")
        if headers is None:
            headers = next(
                (n for mark, n in _OGG_HEADER_PACKETS.items() if data.startswith(mark)),
                0,
            )
        position = 0
        for value in lacing:
            if packets >= headers:
                yield data[position : position + value]
            position += value
            if value < 255:
                packets += 1
        offset += 27 + len(lacing) + len(data)
