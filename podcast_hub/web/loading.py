"""Loading what a public URL names, or answering 404: one message for every
door (pages, the JSON API, the feeds). An episode's former slug redirects."""

from datetime import datetime
from typing import TypeVar

from flask import abort, redirect, request, url_for

from ..catalog import episodes
from ..models import Episode

NO_PUBLISHED_EPISODE = "There is no published episode at this address."

T = TypeVar("T")


def load_published_episode(slug: str, now: datetime | None = None) -> Episode:
    """Return the published episode at `slug` (as of `now`); else stop with a
    redirect to its current slug when `slug` is a former one, or with 404."""
    return _found_or_stop(episodes.get_published(slug, now), slug, now)


def load_commentable(slug: str) -> episodes.Commentable:
    """Return what a post needs of the published episode at `slug`; else stop as
    `load_published_episode` does (a redirect from a former slug, or 404)."""
    return _found_or_stop(episodes.commentable(slug), slug)


def load_published_episode_id(slug: str) -> int:
    """Return the id of the published episode at `slug`; else stop as
    `load_published_episode` does (a redirect from a former slug, or 404)."""
    return _found_or_stop(episodes.published_id(slug), slug)


def _found_or_stop(found: T | None, slug: str, now: datetime | None = None) -> T:
    """Return `found`, what was read of the episode at `slug`; when nothing was,
    stop with a redirect from a former slug, or with 404."""
    if found is None:
        redirect_renamed(slug, now)
        abort(404, description=NO_PUBLISHED_EPISODE)
    return found


def redirect_renamed(slug: str, now: datetime | None = None) -> None:
    """Stop with a redirect to the same address under the episode's current slug
    when `slug` is one it had before; else return.

    `301` for GET and HEAD; `308` otherwise, so that a form posted from a page
    loaded before the change is posted again, body and all, to the new address.
    """
    episode = episodes.renamed(slug, now)
    if episode is None or request.endpoint is None:
        return
    arguments = {**(request.view_args or {}), "slug": episode.slug}
    target = url_for(request.endpoint, **arguments)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    code = 301 if request.method in ("GET", "HEAD") else 308
    abort(redirect(target, code=code))
