"""Whole threads' JSON kept by each process while the database is unchanged.

On a SQLite file, the JSON of an episode's whole conversation is kept as of the
database's `data_version` (`extensions.Changes`), which moves at every commit
of any connection: a post, an edit, a deletion, a moderation, a pin, a host's
reply or block, in this worker or another. The next read after any of them
builds the JSON again; until then every read serves the same bytes. Elsewhere
(PostgreSQL) nothing is kept and every read builds.

Either way the JSON's ETag is a digest of its bytes, the same in every worker,
so a client that sends it back gets a 304.
"""

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable

from ..extensions import Changes

# The most a process keeps, all episodes together. One conversation of 5,000
# comments is about 3 MB; a larger one is served and not kept.
LIMIT_BYTES = 8 * 1024 * 1024
_INFO = "podcast_hub.whole_threads"


class _Kept:
    """Bodies and ETags by (episode id, slug), all as of one data_version."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.data_version: int | None = None
        self.bodies: OrderedDict[tuple[int, str], tuple[bytes, str]] = OrderedDict()
        self.size = 0

    def get(self, data_version: int, key: tuple[int, str]) -> tuple[bytes, str] | None:
        with self.lock:
            if data_version != self.data_version:
                return None
            found = self.bodies.get(key)
            if found is not None:
                self.bodies.move_to_end(key)
            return found

    def put(
        self, data_version: int, key: tuple[int, str], body: bytes, etag: str
    ) -> None:
        if len(body) > LIMIT_BYTES:
            return
        with self.lock:
            if data_version != self.data_version:
                # Everything kept is of an older state: none of it is good now.
                self.data_version = data_version
                self.bodies.clear()
                self.size = 0
            old = self.bodies.pop(key, None)
            if old is not None:
                self.size -= len(old[0])
            self.bodies[key] = (body, etag)
            self.size += len(body)
            while self.size > LIMIT_BYTES:
                _, (dropped, _) = self.bodies.popitem(last=False)
                self.size -= len(dropped)


def whole_thread(
    episode_id: int, slug: str, build: Callable[[], bytes]
) -> tuple[bytes, str]:
    """Return (the JSON of the whole conversation of the episode `episode_id`
    at `slug`, its ETag).

    `build` makes the JSON from the database; it is called unless this process
    kept the JSON of the database as it is now. The data_version is read before
    `build` reads the rows: a commit in between leaves the JSON kept under an
    older number than the database's, and the next read builds it again.
    """
    try:
        watch = Changes.of_this_database()
        seen = watch.data_version() if watch is not None else None
    except sqlite3.Error:
        watch, seen = None, None
    kept = None
    if watch is not None and seen is not None:
        kept = watch.info.get(_INFO)
        if kept is None:
            kept = watch.info.setdefault(_INFO, _Kept())
        if (found := kept.get(seen, (episode_id, slug))) is not None:
            return found
    body = build()
    etag = hashlib.blake2b(body, digest_size=16).hexdigest()
    if kept is not None and seen is not None:
        kept.put(seen, (episode_id, slug), body, etag)
    return body, etag
