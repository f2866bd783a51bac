"""Absolute URLs for the feeds, the API and sharing, honouring `BASE_URL`.

Media files point at `MEDIA_BASE_URL` (a CDN or object store) when it is set.
A feed needs thousands of URLs: a `Builder` makes each kind once and then only
fills in the episode's slug or the file's name.
"""

import re
from typing import Any
from urllib.parse import quote

from flask import current_app, url_for

from ..models import Comment, Episode

# What werkzeug's converters leave unquoted in a path (BaseConverter.to_url).
_PATH_SAFE = "!$&'()*+,/:;=@"
_NEEDS_NO_QUOTING = re.compile(r"[A-Za-z0-9_.~!$&'()*+,/:;=@-]*").fullmatch
_MARK = "PODCASTHUBLINKMARK"


def absolute(endpoint: str, **values: Any) -> str:
    """Return the absolute URL of `endpoint`, on `BASE_URL` when it is set."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def page_url(episode: Episode) -> str:
    """Return an episode's page."""
    return Builder().page_url(episode)


def media_url(filename: str) -> str:
    """Return the URL of a file in the media folder, on `MEDIA_BASE_URL` if set."""
    return Builder().media_url(filename)


def player_url(episode: Episode) -> str:
    """Return the audio for the page's player: on `MEDIA_BASE_URL` if set, else a
    path on this site."""
    if current_app.config.get("MEDIA_BASE_URL"):
        return audio_url(episode)
    return url_for("public.media", filename=episode.audio_file)


def audio_url(episode: Episode) -> str:
    """Return an episode's audio file."""
    return Builder().audio_url(episode)


class Builder:
    """The URLs above for one request, each kind built once around its value.

    Make one per request (the host may differ between requests) and use it
    for many URLs, as a feed does.
    """

    def __init__(self) -> None:
        self._media_base = current_app.config.get("MEDIA_BASE_URL")
        self._templates: dict[str, tuple[str, str]] = {}

    def site_url(self) -> str:
        """Return the show's home page."""
        return absolute("public.index")

    def feed_url(self) -> str:
        """Return the podcast feed's own URL."""
        return absolute("feeds.feed_xml")

    def comments_feed_url(self, episode: Episode) -> str:
        """Return the RSS feed of an episode's comments."""
        return self._around("feeds.comments_xml", "slug", episode.slug)

    def chapters_url(self, episode: Episode) -> str:
        """Return an episode's JSON chapters."""
        return self._around("feeds.chapters_json", "slug", episode.slug)

    def page_url(self, episode: Episode) -> str:
        """Return an episode's page."""
        return self._around("public.episode", "slug", episode.slug)

    def comment_url(self, episode: Episode, comment: Comment) -> str:
        """Return the permalink of a comment: its place on the episode's page.

        `?comment=` opens the page of threads that holds it, with or without
        JavaScript.
        """
        return f"{self.page_url(episode)}?comment={comment.id}#comment-{comment.id}"

    def media_url(self, filename: str) -> str:
        """Return the URL of a file in the media folder, or on MEDIA_BASE_URL."""
        if self._media_base:
            return f"{self._media_base}/{quote(filename, safe='/')}"
        return self._around("public.media", "filename", filename)

    def audio_url(self, episode: Episode) -> str:
        """Return an episode's audio file."""
        return self.media_url(episode.audio_file)

    def _around(self, endpoint: str, name: str, value: str) -> str:
        try:
            head, tail = self._templates[endpoint]
        except KeyError:
            head, tail = absolute(endpoint, **{name: _MARK}).split(_MARK)
            self._templates[endpoint] = head, tail
        if _NEEDS_NO_QUOTING(value) is None:
            value = quote(value, safe=_PATH_SAFE)
        return head + value + tail
