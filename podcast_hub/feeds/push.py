"""WebSub: tell the hub in `WEBSUB_HUB` whenever the show's feed changes.

The feed links the hub (`atom:link rel="hub"`); apps that subscribed there
hear of a new episode at once instead of at their next poll. A ping is a
form-encoded `POST` of `hub.mode=publish` and `hub.url=<feed URL>`.

What changed is decided by the feed's version (`versions.feed_version`): a
`WebSubPing` row per hub and feed URL keeps the version last announced and
when the next ping is due, so every process agrees and nothing is sent twice
for one change. Pings are sent after the response by a background thread in
each web process (`Pusher`), which also wakes when a scheduled episode goes
live; `flask hub tick` and `hub import` do the same from the command line. A
hub that is down is tried again after 30 s, 1 min, 2 min… (at most an hour
apart, `MAX_ATTEMPTS` times); one that refuses the ping (4xx) is not asked
again until the next change.
"""

import hashlib
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, Response, current_app, request

from .. import clock
from ..extensions import db, insert_skipping_taken
from ..models import Episode, WebSubPing
from ..web import links
from . import versions

log = logging.getLogger(__name__)

RETRY_FIRST_S = 30.0
RETRY_MAX_S = 3600.0
MAX_ATTEMPTS = 12
TIMEOUT_S = 10.0
# A web process looks at the feed's version at least this often while it
# serves requests, so that changes made elsewhere (another process, the
# command line) are announced too.
CHECK_EVERY_S = 60.0
USER_AGENT = "Podcast Hub (WebSub publisher)"
_EXTENSION = "podcast_hub.push"


class PingFailed(Exception):
    """The hub did not take the ping; `retry` tells whether to try again."""

    def __init__(self, message: str, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


Post = Callable[[str, str], None]


def post(hub_url: str, topic_url: str) -> None:
    """Send one publish ping for `topic_url` to `hub_url`; raise PingFailed."""
    body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": topic_url})
    ping = urllib.request.Request(
        hub_url,
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": USER_AGENT,
        },
    )
    try:
        with urllib.request.urlopen(ping, timeout=TIMEOUT_S) as answer:
            answer.read(1024)
    except urllib.error.HTTPError as error:
        # 408 and 429 say "later"; other 4xx say this ping will never do.
        later = error.code >= 500 or error.code in (408, 429)
        raise PingFailed(f"the hub answered {error.code}", retry=later) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        raise PingFailed(f"the hub cannot be reached: {reason}") from None


def announce(hub_url: str, topic_url: str, now: datetime | None = None) -> bool:
    """Make a ping to `hub_url` due if the feed changed since it was last told.

    Return True when a ping became due. One transaction; nothing happens
    before a show is set up.
    """
    now = now or clock.now()
    version = versions.feed_version(now)
    if version is None:
        return False
    key = hashlib.sha256(version.key.encode()).hexdigest()
    row = _ping_row(hub_url, topic_url)
    if row is None:
        # Each web process announces, and `hub tick` too: another may be making
        # this row at this moment. Its insert then skips, and the row made by
        # the other is compared like any row.
        new = {"hub_url": hub_url, "topic_url": topic_url, "version": key}
        insert = insert_skipping_taken(WebSubPing).values(**new, due_at=now, attempts=0)
        if db.session.scalar(insert.returning(WebSubPing.id)) is not None:
            db.session.commit()
            return True
        row = _ping_row(hub_url, topic_url)
        assert row is not None
    if row.version == key:
        db.session.rollback()
        return False
    row.version, row.due_at, row.attempts, row.last_error = key, now, 0, None
    db.session.commit()
    return True


def _ping_row(hub_url: str, topic_url: str) -> WebSubPing | None:
    query = sa.select(WebSubPing).where(
        WebSubPing.hub_url == hub_url, WebSubPing.topic_url == topic_url
    )
    return db.session.scalar(query)


@dataclass
class Delivery:
    """What one round of sending did, and when the next ping is due (or None)."""

    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    next_due: datetime | None = None


def deliver(
    hub_url: str, now: datetime | None = None, send: Post = post, retry_s: float = 0
) -> Delivery:
    """Send the pings to `hub_url` that are due; return what happened.

    The database is not held while the hub answers. A failed ping is due
    again after `retry_s` seconds (RETRY_FIRST_S by default), doubling with
    each attempt up to RETRY_MAX_S; after MAX_ATTEMPTS, or when the hub
    refuses it, it waits for the next change.
    """
    now = now or clock.now()
    first_wait = retry_s or RETRY_FIRST_S
    due = db.session.execute(
        sa.select(WebSubPing.id, WebSubPing.topic_url, WebSubPing.version).where(
            WebSubPing.hub_url == hub_url, WebSubPing.due_at <= now
        )
    ).all()
    db.session.rollback()
    delivery = Delivery()
    for ping_id, topic_url, version in due:
        try:
            send(hub_url, topic_url)
        except PingFailed as failure:
            _failed(ping_id, version, failure, now, first_wait)
            delivery.failed.append((topic_url, str(failure)))
        else:
            _sent(ping_id, version, now)
            delivery.sent.append(topic_url)
    delivery.next_due = db.session.scalar(
        sa.select(sa.func.min(WebSubPing.due_at)).where(WebSubPing.hub_url == hub_url)
    )
    db.session.rollback()
    return delivery


def _sent(ping_id: int, version: str, now: datetime) -> None:
    # A newer change that came in while the hub answered stays due.
    db.session.execute(
        sa.update(WebSubPing)
        .where(WebSubPing.id == ping_id, WebSubPing.version == version)
        .values(due_at=None, sent_at=now, attempts=0, last_error=None)
    )
    db.session.commit()


def _failed(
    ping_id: int, version: str, failure: PingFailed, now: datetime, first_wait: float
) -> None:
    row = db.session.get(WebSubPing, ping_id)
    if row is None or row.version != version:
        db.session.rollback()
        return
    row.attempts += 1
    row.last_error = str(failure)[:255]
    if failure.retry and row.attempts < MAX_ATTEMPTS:
        wait = min(first_wait * 2 ** (row.attempts - 1), RETRY_MAX_S)
        row.due_at = now + timedelta(seconds=wait)
    else:
        row.due_at = None
    db.session.commit()


def next_going_live(now: datetime | None = None) -> datetime | None:
    """Return when the next scheduled episode goes live, or None."""
    now = now or clock.now()
    found = db.session.scalar(
        sa.select(sa.func.min(Episode.published_at)).where(Episode.published_at > now)
    )
    db.session.rollback()
    return found


def tick(
    hub_url: str, topic_url: str, now: datetime | None = None, send: Post = post
) -> Delivery:
    """Announce a change of the feed (a scheduled episode that went live, an
    import) and send what is due: what `flask hub tick` does."""
    now = now or clock.now()
    announce(hub_url, topic_url, now)
    return deliver(hub_url, now, send, current_app.config.get("WEBSUB_RETRY_S", 0))


def topic_url() -> str | None:
    """Return the feed's URL to announce outside a request: on BASE_URL, else
    the one last announced to the hub; None when neither is known."""
    base = current_app.config.get("BASE_URL")
    if base:
        with current_app.test_request_context(base_url=base):
            return links.absolute("feeds.feed_xml")
    return db.session.scalar(
        sa.select(WebSubPing.topic_url)
        .where(WebSubPing.hub_url == current_app.config["WEBSUB_HUB"])
        .order_by(WebSubPing.id.desc())
        .limit(1)
    )


class Pusher:
    """The background thread of one web process that announces and sends pings.

    `kick` wakes it with the feed's URL as the request saw it; it also wakes by
    itself when a ping is to be retried or a scheduled episode goes live.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.topic: str | None = None
        self.next_live: datetime | None = None
        self.checked_at = -CHECK_EVERY_S
        self.next_wake: float | None = None
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.rounds = 0

    def wanted(self, now: datetime) -> bool:
        """Tell whether a request at `now` should wake the thread."""
        if time.monotonic() - self.checked_at >= CHECK_EVERY_S:
            return True
        return self.next_live is not None and now >= self.next_live

    def kick(self, topic: str) -> None:
        """Wake the thread to announce the feed at `topic` and send pings."""
        self.topic = topic
        self.checked_at = time.monotonic()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stopping = False
                self._thread = threading.Thread(
                    target=self._run, name="websub-pusher", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread, waiting for the round it is in."""
        self._stopping = True
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(self._sleep_s())
            self._wake.clear()
            if self._stopping:
                break
            try:
                with self.app.app_context():
                    self._round()
            except Exception:
                # A broken round must not end the thread: the next one retries.
                log.exception("WebSub: announcing the feed failed")
                self.next_wake = time.monotonic() + RETRY_FIRST_S

    def _round(self) -> None:
        hub_url = self.app.config.get("WEBSUB_HUB")
        topic = self.topic
        if not hub_url or not topic:
            return
        try:
            now = clock.now()
            announce(hub_url, topic, now)
            retry_s = self.app.config.get("WEBSUB_RETRY_S", 0)
            delivery = deliver(hub_url, now, post, retry_s)
            for url, reason in delivery.failed:
                log.warning("WebSub: ping for %s failed: %s", url, reason)
            self.next_live = next_going_live(now)
            wakes = [m for m in (delivery.next_due, self.next_live) if m is not None]
            soonest = min(wakes, default=None)
            self.next_wake = (
                None
                if soonest is None
                else time.monotonic() + max((soonest - now).total_seconds(), 0.0)
            )
        finally:
            db.session.remove()
            self.rounds += 1

    def _sleep_s(self) -> float | None:
        if self.next_wake is None:
            return None
        return max(self.next_wake - time.monotonic(), 0.0)


def pusher(app: Flask) -> Pusher:
    """Return the app's Pusher, made on first use."""
    found = app.extensions.get(_EXTENSION)
    if found is None:
        found = app.extensions.setdefault(_EXTENSION, Pusher(app))
    return found


_QUIET_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def after_request(response: Response) -> Response:
    """Wake the app's Pusher after a change, or when it is time to look again.

    Only sets an event: the response is never held up by the hub.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("WEBSUB_HUB"):
        return response
    worker = pusher(app)
    changed = request.method not in _QUIET_METHODS and response.status_code < 400
    if changed or worker.wanted(clock.now()):
        worker.kick(links.absolute("feeds.feed_xml"))
    return response
