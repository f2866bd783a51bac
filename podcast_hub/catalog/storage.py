"""Where the media files are kept: a folder, or an S3-compatible bucket.

Every instance of the app reads and writes the same store, so each serves
every episode: the folder (`MEDIA_DIR`, the default) may be a shared mount
(NFS, SMB), as new files take their name in one step and no state lives in
the process; a bucket (`MEDIA_S3_BUCKET`) is reached with boto3, credentials
coming from AWS's usual chain (environment, shared config, instance role).
Files are named by the media folder's names (`Episode.audio_file`…), which
are the bucket's keys after `MEDIA_S3_PREFIX`.

The one module that imports boto3 (only when a bucket is configured).
"""

import contextlib
import importlib.util
import io
import logging
import mimetypes
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

from ..config import ConfigError
from . import files

# Types the store is told for each kind of file, for a CDN serving it as is.
_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/x-m4a",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".wav": "audio/wav",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".vtt": "text/vtt",
    ".srt": "application/x-subrip",
    ".json": "application/json",
}
_log = logging.getLogger(__name__)
# Where the app keeps its store (`app.extensions`), made once from its config.
EXTENSION = "podcast_hub.media"
# How long podcast apps and CDNs may keep a file: names change with content.
CACHE_CONTROL = "public, max-age=3600"


class Unavailable(Exception):
    """The store did not answer, or refused us: nothing was read or written."""


@dataclass(frozen=True)
class Stat:
    """What a stored file is: its size, a validator, when it was last written."""

    size_bytes: int
    etag: str | None
    modified: datetime | None


class Store(Protocol):
    """What the catalogue and the views need of a media store."""

    def scratch(self) -> Path:
        """Return the folder where an upload is received before it is stored."""

    def local_path(self, name: str) -> Path | None:
        """Return the path of `name` on this machine, or None (a bucket)."""

    def stat(self, name: str) -> Stat | None:
        """Return what `name` is, or None when no such file is stored."""

    def exists(self, name: str) -> bool:
        """Tell whether a file is stored under `name`."""

    def sizes(self) -> dict[str, int]:
        """Return {name: size in bytes} of every file in the store."""

    def open(
        self, name: str, known: Stat | None = None, end: int | None = None
    ) -> IO[bytes]:
        """Return `name` opened for reading (`known`: its Stat, if just read;
        `end`: the last byte likely wanted); seeking is cheap. Raises
        FileNotFoundError."""

    def read_bytes(self, name: str) -> bytes:
        """Return the content of `name` (an image, a transcript: small files)."""

    def put_new(
        self,
        temporary: Path,
        stem: str,
        suffix: str,
        taken: Callable[[str], bool],
        content_type: str | None = None,
    ) -> str:
        """Store `temporary` under the first free name `stem[-n]suffix` that
        `taken` does not claim; remove `temporary`; return the name.

        Never overwrites a stored file, even one stored meanwhile by another
        instance. Raises Unavailable, keeping `temporary`, when nothing could
        be stored. The same for every store: each says how it takes a file in
        (`_received`) and stores it under a name no file has (`_put_if_free`).
        """
        temporary = self._received(temporary)
        for base in files.numbered(stem):
            name = f"{base}{suffix}"
            if not taken(name) and self._put_if_free(name, temporary, content_type):
                temporary.unlink(missing_ok=True)
                return name
        raise AssertionError("numbered() never ends")  # pragma: no cover

    def _received(self, temporary: Path) -> Path:
        """Return where `_put_if_free` takes the file at `temporary` from."""
        return temporary

    def _put_if_free(
        self, name: str, temporary: Path, content_type: str | None
    ) -> bool:
        """Store `temporary` under `name` unless a file has that name, keeping
        `temporary`; tell whether it was stored."""
        raise NotImplementedError

    def put(self, name: str, source: Path, content_type: str | None = None) -> None:
        """Store the file at `source` under `name`, replacing what is there."""

    def delete(self, name: str) -> None:
        """Remove `name` from the store; nothing happens if it is not there."""


def content_type(name: str) -> str:
    """Return the Content-Type a file named `name` is stored with."""
    suffix = Path(name).suffix.lower()
    return (
        _TYPES.get(suffix)
        or mimetypes.guess_type(name)[0]
        or "application/octet-stream"
    )


class FolderStore(Store):
    """The media folder on this machine's disk, or a folder shared by several."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"FolderStore({str(self.root)!r})"

    def __fspath__(self) -> str:
        # Code that takes the media folder as a path takes this store too.
        return str(self.root)

    def scratch(self) -> Path:
        # In the folder itself: an upload takes its name with a hard link.
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root

    def local_path(self, name: str) -> Path | None:
        """Return the path of `name` if it is a regular file inside the folder."""
        root = os.path.realpath(self.root)
        path = os.path.realpath(os.path.join(root, name))
        if os.path.commonpath([root, path]) != root:
            return None
        return Path(path) if os.path.isfile(path) else None

    def stat(self, name: str) -> Stat | None:
        path = self.local_path(name)
        if path is None:
            return None
        facts = path.stat()
        modified = datetime.fromtimestamp(facts.st_mtime, UTC)
        return Stat(facts.st_size, f"{facts.st_mtime_ns:x}-{facts.st_size:x}", modified)

    def exists(self, name: str) -> bool:
        return self.local_path(name) is not None

    def sizes(self) -> dict[str, int]:
        found = {}
        for root, folders, names in os.walk(self.root):
            folders[:] = [f for f in folders if not f.startswith(".")]
            for name in names:
                path = Path(root) / name
                with contextlib.suppress(OSError):
                    found[path.relative_to(self.root).as_posix()] = path.stat().st_size
        return found

    def open(
        self, name: str, known: Stat | None = None, end: int | None = None
    ) -> IO[bytes]:
        path = self.local_path(name)
        if path is None:
            raise FileNotFoundError(name)
        return open(path, "rb")

    def read_bytes(self, name: str) -> bytes:
        with self.open(name) as data:
            return data.read()

    def _received(self, temporary: Path) -> Path:
        if temporary.parent == self.root:
            return temporary
        # Received elsewhere: first into the folder, under a hidden name.
        fd, name = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=self.root)
        os.close(fd)
        shutil.copyfile(temporary, name)
        temporary.unlink()
        return Path(name)

    def _put_if_free(
        self, name: str, temporary: Path, content_type: str | None
    ) -> bool:
        # The name is taken in one step: a file stored meanwhile stays.
        return files.link_new(temporary, self.root / name)

    def put(self, name: str, source: Path, content_type: str | None = None) -> None:
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        # A name no other process, on this machine or another, would choose.
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)

    def delete(self, name: str) -> None:
        path = self.local_path(name)
        if path is not None:
            path.unlink(missing_ok=True)


class S3Store(Store):
    """A bucket of an S3-compatible store (AWS S3, MinIO, Garage, R2, B2…).

    A boto3 client is made in each process on first use (gunicorn forks after
    the app is made; a client's connections must not be shared).
    """

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        timeout_s: float = 5.0,
        acl: str | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url or None
        self.region = region or None
        self.timeout_s = timeout_s
        # A canned ACL for each object ("public-read"), for buckets that still
        # use ACLs; most give public access with a bucket policy instead.
        self.acl = acl or None
        self._client: Any = None
        self._pid = 0

    def __repr__(self) -> str:
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"S3Store({self.bucket!r}{where})"

    @property
    def client(self) -> Any:
        """Return this process's boto3 client."""
        if self._client is None or self._pid != os.getpid():
            import boto3
            from botocore.config import Config

            other = {}
            if self.endpoint_url:
                other = {
                    # Stores other than AWS's (MinIO, Garage, moto…) answer on
                    # paths, and many refuse the checksums boto3 adds by default.
                    "s3": {"addressing_style": "path"},
                    "request_checksum_calculation": "when_required",
                    "response_checksum_validation": "when_required",
                }
            config = Config(
                connect_timeout=self.timeout_s,
                read_timeout=max(self.timeout_s, 30.0),
                retries={"max_attempts": 2, "mode": "standard"},
                **other,
            )
            self._client = boto3.session.Session().client(
                "s3",
                endpoint_url=self.endpoint_url,
                region_name=self.region,
                config=config,
            )
            self._pid = os.getpid()
        return self._client

    def key(self, name: str) -> str:
        """Return the bucket's key for the media file `name`."""
        return self.prefix + name

    def scratch(self) -> Path:
        return Path(tempfile.gettempdir())

    def local_path(self, name: str) -> Path | None:
        return None

    def stat(self, name: str) -> Stat | None:
        with _answering(self) as missing:
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(name))
        if missing:
            return None
        return Stat(
            int(head["ContentLength"]), head.get("ETag"), head.get("LastModified")
        )

    def exists(self, name: str) -> bool:
        return self.stat(name) is not None

    def sizes(self) -> dict[str, int]:
        found = {}
        with _answering(self):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            )
            for page in pages:
                for item in page.get("Contents", ()):
                    found[item["Key"][len(self.prefix) :]] = int(item["Size"])
        return found

    def open(
        self, name: str, known: Stat | None = None, end: int | None = None
    ) -> IO[bytes]:
        stat = known or self.stat(name)
        if stat is None:
            raise FileNotFoundError(name)
        raw = _Object(self, name, stat.size_bytes, end)
        return io.BufferedReader(raw, 1 << 16)

    def read_bytes(self, name: str) -> bytes:
        with _answering(self) as missing:
            got = self.client.get_object(Bucket=self.bucket, Key=self.key(name))
            data: bytes = got["Body"].read()
        if missing:
            raise FileNotFoundError(name)
        return data

    def _put_if_free(
        self, name: str, temporary: Path, content_type: str | None
    ) -> bool:
        if self.exists(name):
            return False
        return self._put(name, temporary, content_type, only_new=True)

    def put(self, name: str, source: Path, content_type: str | None = None) -> None:
        self._put(name, source, content_type, only_new=False)

    def _put(
        self, name: str, source: Path, kind: str | None, *, only_new: bool
    ) -> bool:
        """Upload `source` as `name`; False if `only_new` and `name` was taken."""
        extra: dict[str, str] = {}
        if only_new:
            # Where the store supports it (AWS, MinIO, moto), an object stored
            # meanwhile under this name is never overwritten.
            extra["IfNoneMatch"] = "*"
        if self.acl:
            extra["ACL"] = self.acl
        with _answering(self, taken_ok=only_new) as taken, open(source, "rb") as body:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.key(name),
                Body=body,
                ContentType=kind or content_type(name),
                CacheControl=CACHE_CONTROL,
                **extra,
            )
        return not taken

    def delete(self, name: str) -> None:
        with _answering(self):
            self.client.delete_object(Bucket=self.bucket, Key=self.key(name))

    def read_range(self, name: str, start: int, end: int) -> Any:
        """Return a stream of bytes `start` to `end` (inclusive) of `name`."""
        with _answering(self) as missing:
            got = self.client.get_object(
                Bucket=self.bucket, Key=self.key(name), Range=f"bytes={start}-{end}"
            )
        if missing:
            raise FileNotFoundError(name)
        return got["Body"]


class _Missing:
    """What `_answering` yields: true once the store said there is no such file
    (or, for a conditional upload, that the name was taken)."""

    def __init__(self) -> None:
        self.value = False

    def __bool__(self) -> bool:
        return self.value


@contextlib.contextmanager
def _answering(store: S3Store, *, taken_ok: bool = False) -> Iterator[_Missing]:
    """Turn the store's errors into ours: a missing key sets the flag yielded,
    anything else that stops the call (no answer, no credentials, refused,
    a server error) is Unavailable."""
    from botocore.exceptions import BotoCoreError, ClientError

    missing = _Missing()
    try:
        yield missing
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in {"404", "NoSuchKey", "NotFound"} or status == 404:
            missing.value = True
        elif taken_ok and (code == "PreconditionFailed" or status == 412):
            missing.value = True
        else:
            _log.warning("media store %r refused: %s", store, error)
            raise Unavailable(
                f"the media store refused the request ({code or status})"
            ) from error
    except BotoCoreError as error:
        # The details (an address, a host name) are for the operator's log.
        _log.warning("media store %r is not answering: %s", store, error)
        raise Unavailable("the media store is not answering") from error


class _Object(io.RawIOBase):
    """A stored object read in ranges: seeking costs nothing, each read after a
    seek asks the store for the object from there up to byte `end` (the end of
    the range the client asked for; else the object's), then for the rest."""

    def __init__(
        self, store: S3Store, name: str, size: int, end: int | None = None
    ) -> None:
        self.store, self.name, self.size = store, name, size
        self.end = end
        self.position = 0
        self.stream: Any = None
        self.stream_end = size - 1

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}
        position = max(0, base[whence] + offset)
        if position != self.position:
            self._drop()
            self.position = position
        return self.position

    def readinto(self, buffer: Any) -> int:
        if self.position >= self.size:
            return 0
        if self.stream is not None and self.position > self.stream_end:
            self._drop()
        if self.stream is None:
            last = self.size - 1
            if self.end is not None and self.position <= self.end:
                last = min(self.end, last)
            self.stream = self.store.read_range(self.name, self.position, last)
            self.stream_end = last
        try:
            data = self.stream.read(
                min(len(buffer), self.stream_end + 1 - self.position)
            )
        except Exception as error:
            _log.warning("media store %r stopped answering: %s", self.store, error)
            raise Unavailable("the media store stopped answering") from error
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)

    def close(self) -> None:
        self._drop()
        super().close()

    def _drop(self) -> None:
        if self.stream is not None:
            with contextlib.suppress(Exception):
                self.stream.close()
            self.stream = None


def from_config(config: Mapping[str, Any]) -> Store:
    """Return the store the configuration names: the bucket `MEDIA_S3_BUCKET`
    when set, else the folder `MEDIA_DIR`.

    Raises ConfigError for a bucket without boto3 installed.
    """
    bucket = config.get("MEDIA_S3_BUCKET")
    if not bucket:
        return FolderStore(config["MEDIA_DIR"])
    if importlib.util.find_spec("boto3") is None:
        raise ConfigError(
            "PODCAST_HUB_MEDIA_S3_BUCKET is set, but boto3, which talks to the "
            "bucket, is not installed: pip install 'podcast-hub[s3]'"
        )
    return S3Store(
        str(bucket),
        prefix=str(config.get("MEDIA_S3_PREFIX") or ""),
        endpoint_url=config.get("MEDIA_S3_ENDPOINT_URL"),
        region=config.get("MEDIA_S3_REGION"),
        timeout_s=float(config.get("MEDIA_S3_TIMEOUT_S") or 5),
        acl=config.get("MEDIA_S3_ACL"),
    )
