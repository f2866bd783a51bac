"""Absolute URLs for the feed, the API and sharing, honouring `BASE_URL`."""

from flask import current_app, url_for


def absolute(endpoint, **values):
    """Return the absolute URL of `endpoint`, on `BASE_URL` when it is set."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def site_url():
    """Return the show's home page."""
    return absolute("public.index")


def feed_url():
    """Return the podcast feed's own URL."""
    return absolute("public.feed_xml")


def page_url(episode):
    """Return an episode's page."""
    return absolute("public.episode", slug=episode.slug)


def media_url(filename):
    """Return the URL of a file in the media folder."""
    return absolute("public.media", filename=filename)


def audio_url(episode):
    """Return an episode's audio file."""
    return media_url(episode.audio_file)
