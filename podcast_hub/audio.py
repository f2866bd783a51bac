"""Audio facts read from the files themselves, with mutagen (stub: being written)."""

from dataclasses import dataclass

EXTENSION_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".m4b": "audio/mp4",
    ".mp4": "audio/mp4",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".wav": "audio/wav",
}


class NotAudio(ValueError):
    """The file is not audio we can read; the message says why."""


@dataclass(frozen=True)
class AudioFacts:
    duration_s: int
    mime_type: str
    size_bytes: int
    title: str | None
    artist: str | None


def read(path):
    """Return the AudioFacts of the file at `path`; raise NotAudio."""
    raise NotImplementedError


def mime_type_for(filename):
    """Return the MIME type for a media file name, by its extension."""
    import mimetypes
    from pathlib import PurePosixPath

    suffix = PurePosixPath(filename).suffix.lower()
    return EXTENSION_TYPES.get(suffix) or mimetypes.guess_type(filename)[0]
