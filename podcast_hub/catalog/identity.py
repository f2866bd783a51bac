"""What keeps the show and its episodes themselves for podcast apps: the show's
`podcast:guid`, episodes' guids, and the guids of comments in comment feeds.

A guid is made once and stored; nothing here reads a request's host. Where one
is derived rather than random, it is derived from what does not change: the
audio's fingerprint (`library.fingerprint`), a comment's id and date.
"""

import uuid
from collections.abc import Callable
from datetime import datetime

from ..extensions import db
from ..models import Show

# The Podcast Index namespace's own UUID: podcast:guid is the UUIDv5 of the feed
# URL without its scheme and trailing slashes.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
# Ours, for episode guids derived from the audio (uuid5 of a fixed URL).
EPISODE_GUID_NAMESPACE = uuid.uuid5(
    uuid.NAMESPACE_URL, "https://podcast-hub.invalid/episode-guid"
)


def show_guid_for(feed_url: str | None) -> str:
    """Return a new show's `podcast:guid`: derived from its feed URL as the
    namespace says, else (no URL known yet) a random UUID."""
    if not feed_url:
        return str(uuid.uuid4())
    seed = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, seed))


def ensure_show_guid(show: Show, feed_url: str) -> str:
    """Return the show's `podcast:guid`, storing it first if the show has none.

    Only a show made before guids were stored has none. Its feed carried the
    guid derived from the feed URL it was read at: with BASE_URL set (as in
    production) that is the same in every worker, and is kept as it was.
    """
    if show.podcast_guid is None:
        show.podcast_guid = show_guid_for(feed_url)
        db.session.commit()
    return show.podcast_guid


def episode_guid(fingerprint: str, taken: Callable[[str], bool], name: str) -> str:
    """Return the guid of a new episode whose audio has `fingerprint`.

    The same audio gives the same guid, so importing a folder into a new
    database gives each episode the guid it had before. A second copy of the
    same audio (`taken` says the guid is used) is told apart by its file `name`.
    """
    guid = str(uuid.uuid5(EPISODE_GUID_NAMESPACE, fingerprint))
    if taken(guid):
        guid = str(uuid.uuid5(EPISODE_GUID_NAMESPACE, f"{fingerprint}\n{name}"))
    return guid


def comment_guid(show_guid: str, comment_id: int, created_at: datetime) -> str:
    """Return a comment's `<guid>` in comment feeds: a `urn:uuid:` that stays the
    same whatever the episode's slug or the site's address.

    The date keeps a comment apart from a later one that reuses a purged id.
    """
    try:
        namespace = uuid.UUID(show_guid)
    except ValueError:
        namespace = uuid.uuid5(uuid.NAMESPACE_URL, show_guid)
    name = f"comment/{comment_id}/{created_at.isoformat()}"
    return f"urn:uuid:{uuid.uuid5(namespace, name)}"
