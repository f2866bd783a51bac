"""The feeds podcast apps poll: the show's RSS, each episode's comments, chapters.

Polling is cheap: the content's version comes from the database in one query
(`syndication`), a conditional GET is answered `304` from it without rendering,
and a rendered feed is kept per process under that version, within
`FEED_CACHE_MB`, so it is built once per change in each worker.
"""

import contextlib
import functools
import gc
import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, current_app, jsonify, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from werkzeug.http import (
    http_date,
    is_resource_modified,
    parse_accept_header,
    remove_entity_headers,
)
from werkzeug.wrappers import Response

from .. import clock, errors
from ..catalog import episodes, identity
from ..extensions import unlimited
from ..models import Show
from ..web import links
from ..web.loading import (
    NO_PUBLISHED_EPISODE,
    load_published_episode,
    redirect_renamed,
)
from ..web.sessions import sessionless
from . import push, rss, shared, versions

bp = Blueprint("feeds", __name__)

MAX_AGE_S = 300
# How long a feed served from memory while the database is away may be kept.
STALE_MAX_AGE_S = 60
NO_SHOW = "The show has not been set up yet."
XSL_TYPE = "text/xsl"
# The type of the show's feed for a browser: XML it styles with the XSLT.
PAGE_TYPE = "application/xml"


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a feed is built.

    A build allocates a hundred thousand short-lived objects and makes no
    cycles; the collector would walk the whole heap for nothing, a third of the
    build's time for a big feed. Objects are freed by reference counting as
    usual, and whatever cycles there are wait for the next collection.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@bp.route("/feed.xml", methods=["GET", "HEAD"])
@sessionless
@unlimited
def feed_xml() -> Response:
    now = clock.now()
    version = versions.feed_version(now)
    if version is None:
        abort(404, description=NO_SHOW)
    return _feed_response(
        version, lambda: build_feed(now), lambda body: _adopt_items(now, body)
    )


@bp.route("/episodes/<slug>/comments.xml", methods=["GET", "HEAD"])
@sessionless
@unlimited
def comments_xml(slug: str) -> Response:
    now = clock.now()
    version = versions.comments_version(slug, now)
    if version is None:
        redirect_renamed(slug, now)
        abort(404, description=NO_PUBLISHED_EPISODE)
    return _feed_response(version, lambda: _render_comments(slug, now))


@bp.route("/episodes/<slug>/chapters.json", methods=["GET", "HEAD"])
@sessionless
@unlimited
def chapters_json(slug: str) -> Response:
    episode = load_published_episode(slug)
    show = episodes.get_show()
    if show is None:
        abort(404, description=NO_SHOW)
    response = jsonify(rss.chapters(show, episode))
    response.mimetype = rss.CHAPTERS_TYPE
    _shareable(response)
    response.add_etag()
    return response.make_conditional(request)


@_collector_paused()
def build_feed(now: datetime) -> bytes:
    """Return the show's feed as of `now`, built from the database; the items
    of episodes unchanged since this process's last build are reused."""
    show, published, people = versions.feed_content(now)
    builder = links.Builder()
    identity.ensure_show_guid(_the_show(show), builder.feed_url())
    hub_url = current_app.config.get("WEBSUB_HUB") or None
    items = current_app.extensions["podcast_hub.feed_items"]
    stylesheet = url_for("feeds.feed_xsl")
    return rss.render(
        _the_show(show), published, builder, people, hub_url, items, stylesheet
    )


@_collector_paused()
def _adopt_items(now: datetime, body: bytes) -> None:
    """Keep the items of a feed another worker built, if this one keeps none:
    its next build after an edit then writes only what changed."""
    items = current_app.extensions["podcast_hub.feed_items"]
    if len(items):
        return
    show, published, people = versions.feed_content(now)
    if show is not None:
        items.adopt(show, published, links.Builder(), body)


@bp.route("/feed.xsl", methods=["GET", "HEAD"])
@sessionless
@unlimited
def feed_xsl() -> Response:
    """Serve the XSLT that shows the feed as a page in a browser."""
    response = current_app.send_static_file("feed.xsl")
    response.mimetype = XSL_TYPE
    return response


@_collector_paused()
def _render_comments(slug: str, now: datetime) -> bytes:
    episode = load_published_episode(slug, now)
    said = versions.episode_comments(episode)
    show = _the_show(episodes.get_show())
    builder = links.Builder()
    identity.ensure_show_guid(show, builder.feed_url())
    return rss.render_comments(show, episode, said, builder)


def _the_show(show: Show | None) -> Show:
    # A feed's version is found only when there is a show: this never stops.
    if show is None:
        abort(404, description=NO_SHOW)
    return show


@bp.errorhandler(sa.exc.SQLAlchemyError)
def database_failed(error: sa.exc.SQLAlchemyError) -> ResponseReturnValue:
    """While the database is away, serve a feed's last bytes this process built
    (podcast apps keep their subscription); without them, 503."""
    if not errors.is_database_away(error):
        raise error
    last = _rendered(current_app).last_good(request.path)
    if last is None:
        return errors.database_away(error)
    key, last_modified = last
    current_app.logger.warning("feed %s served from memory: %s", request.path, error)
    response = _feed_response_for(key, last_modified, _no_render)
    response.cache_control.max_age = STALE_MAX_AGE_S
    return response


def _no_render() -> bytes:
    raise LookupError("a feed served from memory is never rendered")


def _feed_response(
    version: versions.Version,
    render: Callable[[], bytes],
    stored: Callable[[bytes], None] | None = None,
) -> Response:
    """Return the feed at `version`: 304 when the client has it, else the body.

    `render` is called only when no worker has built this version yet: this
    process keeps the bytes it served, all of them find those in the database.
    """
    key = _representation(version)
    last_modified = version.last_modified.replace(microsecond=0)
    path = request.path
    return _feed_response_for(
        key, last_modified, lambda: shared.body(path, key, render, stored)
    )


def _feed_response_for(
    key: str, last_modified: datetime, render: Callable[[], bytes]
) -> Response:
    headers_in = request.headers
    gzipped = _takes_gzip(headers_in.get("Accept-Encoding", ""))
    page = _opened_as_a_page()
    etag = key + ("-gz" if gzipped else "") + ("-page" if page else "")
    quoted = f'"{etag}"'
    # A podcast app sends back the ETag it was given, as it was given: that
    # needs no parsing of the conditional headers.
    if headers_in.get("If-None-Match") != quoted and is_resource_modified(
        request.environ, etag=etag, last_modified=last_modified
    ):
        body = _rendered(current_app).get(key, render, gzipped, request.path)
        _rendered(current_app).served(request.path, key, last_modified)
        mimetype = PAGE_TYPE if page else rss.RSS_TYPE
        response = current_app.response_class(body, mimetype=mimetype)
        if gzipped:
            response.content_encoding = "gzip"
    else:
        response = current_app.response_class(status=304)
        remove_entity_headers(response.headers)
    # The show's feed is a page to a browser (`_opened_as_a_page`).
    feed = request.endpoint == "feeds.feed_xml"
    # Added as a list: werkzeug's header objects, set one by one, cost a 304
    # more than the rest of it. None of these is set before.
    response.headers.extend(
        [
            ("ETag", quoted),
            ("Last-Modified", _http_date(last_modified)),
            ("Vary", "Accept-Encoding, Accept" if feed else "Accept-Encoding"),
            *_SHAREABLE_HEADERS,
        ]
    )
    return response


@functools.lru_cache(maxsize=64)
def _takes_gzip(accept_encoding: str) -> bool:
    # Podcast apps send a handful of different headers, again and again.
    return parse_accept_header(accept_encoding).quality("gzip") > 0


@functools.lru_cache(maxsize=256)
def _http_date(moment: datetime) -> str:
    return http_date(moment)


def _opened_as_a_page() -> bool:
    """Tell whether a browser opens the show's feed as a page.

    Browsers show `application/rss+xml` as text; as `application/xml` they
    apply the feed's XSLT (`/feed.xsl`) and show a page. Only a request that
    prefers HTML gets that type, with the same bytes; podcast apps ask for
    RSS, XML or anything, and get `application/rss+xml`.
    """
    if request.endpoint != "feeds.feed_xml":
        return False
    # Most polls name no HTML at all: they need not have their Accept parsed.
    if "html" not in request.headers.get("Accept", ""):
        return False
    best = request.accept_mimetypes.best_match([rss.RSS_TYPE, "text/html"])
    return best == "text/html"


def _representation(version: versions.Version) -> str:
    """Return the strong ETag of a feed's content at `version`, as served here.

    The same in every worker with the same configuration: it includes the URLs
    the feed is written with (the WebSub hub's too) and the feed format.
    """
    config = current_app.config
    base = config.get("BASE_URL") or request.url_root
    media = config.get("MEDIA_BASE_URL") or ""
    hub = config.get("WEBSUB_HUB") or ""
    return _digest(rss.FORMAT, request.path, base, media, hub, version.key)


@functools.lru_cache(maxsize=256)
def _digest(*parts: str) -> str:
    # Kept: a poll of an unchanged feed asks for the same one again.
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]


_SHAREABLE_HEADERS = (
    ("Cache-Control", f"public, max-age={MAX_AGE_S}"),
    # Web players fetch feeds and chapters from other sites.
    ("Access-Control-Allow-Origin", "*"),
)


def _shareable(response: Response) -> None:
    # Written as headers: werkzeug's `cache_control` object writes the header
    # again at each attribute set, a good part of a 304's time.
    for name, value in _SHAREABLE_HEADERS:
        response.headers[name] = value


@bp.record_once
def _keep_rendered_feeds(state: BlueprintSetupState) -> None:
    limit = float(state.app.config["FEED_CACHE_MB"]) * 1024 * 1024
    state.app.extensions["podcast_hub.feeds"] = _Rendered(int(limit))
    # The show feed's items as last written, reused by the next build.
    state.app.extensions["podcast_hub.feed_items"] = rss.Items()


# After every request of the app: a change may be for the WebSub hub to hear.
bp.after_app_request(push.after_request)


def _rendered(app: Flask) -> "_Rendered":
    return app.extensions["podcast_hub.feeds"]


class _Rendered:
    """Rendered feeds by representation key, and the last version served at
    each feed's path (for when the database is away), within `limit` bytes.

    Bodies are dropped least recently used first; a path's last good body goes
    only when the other bodies are not enough, the least recently served path
    first. A body larger than the whole limit is served and not kept.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._bodies: OrderedDict[str, dict[str, bytes]] = OrderedDict()
        self._last: OrderedDict[str, tuple[str, datetime, dict[str, bytes]]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def size_bytes(self) -> int:
        """Return the bytes of the bodies kept, each counted once."""
        with self._lock:
            return self._kept_bytes()

    def served(self, path: str, key: str, last_modified: datetime) -> None:
        """Keep the body of `key`, just served at `path`, as that path's last."""
        with self._lock:
            entry = self._bodies.get(key)
            if entry is None:
                return
            self._last[path] = (key, last_modified, entry)
            self._last.move_to_end(path)
            self._shrink(keep=key)

    def last_good(self, path: str) -> tuple[str, datetime] | None:
        """Return the key and date of the last body served at `path`, or None;
        that body is in the cache again for the response to read."""
        with self._lock:
            last = self._last.get(path)
            if last is None:
                return None
            key, last_modified, entry = last
            self._bodies[key] = entry
            self._bodies.move_to_end(key)
            return key, last_modified

    def get(
        self,
        key: str,
        render: Callable[[], bytes],
        gzipped: bool,
        path: str | None = None,
    ) -> bytes:
        """Return the body for `key`, gzip-compressed if asked, rendering it if new.

        A new body for `path` replaces that path's last good one: that one is
        dropped first if room is needed."""
        with self._lock:
            entry = self._bodies.get(key)
            if entry is not None:
                self._bodies.move_to_end(key)
        if entry is None:
            entry = {"identity": render()}
        if gzipped and "gzip" not in entry:
            # mtime=0 keeps the bytes, and so the strong ETag, the same everywhere.
            entry = {**entry, "gzip": gzip.compress(entry["identity"], mtime=0)}
        with self._lock:
            self._bodies[key] = entry
            self._bodies.move_to_end(key)
            for served, (last_key, moment, _) in list(self._last.items()):
                if last_key == key:
                    self._last[served] = (key, moment, entry)
            if path is not None and path in self._last and self._last[path][0] != key:
                self._last.move_to_end(path, last=False)
            self._shrink(keep=key)
        return entry["gzip" if gzipped else "identity"]

    def _kept_bytes(self) -> int:
        entries = {id(entry): entry for entry in self._bodies.values()}
        entries.update((id(last[2]), last[2]) for last in self._last.values())
        return sum(_entry_bytes(entry) for entry in entries.values())

    def _shrink(self, keep: str | None = None) -> None:
        """Drop bodies until those kept fit the limit; `keep`, just rendered,
        goes last (when it alone is larger than the limit)."""
        total = self._kept_bytes()
        while total > self._limit:
            kept = self._bodies.get(keep) if keep is not None else None
            lasts = {id(last[2]) for last in self._last.values()}
            spare = next(
                (
                    key
                    for key, entry in self._bodies.items()
                    if id(entry) not in lasts and key != keep
                ),
                None,
            )
            if spare is not None:
                total -= _entry_bytes(self._bodies.pop(spare))
                continue
            path = next(
                (path for path, last in self._last.items() if last[2] is not kept),
                None,
            )
            if path is None:
                self._bodies.pop(keep or "", None)
                for path in [p for p, last in self._last.items() if last[0] == keep]:
                    del self._last[path]
                return
            key, _, entry = self._last.pop(path)
            if all(last[2] is not entry for last in self._last.values()):
                if key != keep:
                    self._bodies.pop(key, None)
                total = self._kept_bytes()


def _entry_bytes(entry: dict[str, bytes]) -> int:
    return sum(len(body) for body in entry.values())
