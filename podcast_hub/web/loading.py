"""Loading what a public URL names, or answering 404: one message for every
door (pages, the JSON API, the feeds)."""

from datetime import datetime

from flask import abort

from ..catalog import episodes
from ..models import Episode

NO_PUBLISHED_EPISODE = "There is no published episode at this address."


def load_published_episode(slug: str, now: datetime | None = None) -> Episode:
    """Return the published episode at `slug` (as of `now`); else stop with 404."""
    episode = episodes.get_published(slug, now)
    if episode is None:
        abort(404, description=NO_PUBLISHED_EPISODE)
    return episode
