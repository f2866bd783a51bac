"""Small factories for test data, each with keyword overrides.

A factory writes in the test's app context when the test holds one (the
`app_context` fixture, or a `with app.app_context():` block); otherwise it opens
an app context of its own for that one write, as a request would, and returns
the row with its columns loaded and no session behind it.
"""

import contextlib
import itertools
import struct
import threading
import uuid
import zlib
from datetime import UTC, datetime, timedelta

import flask
import sqlalchemy as sa

from podcast_hub.auth import hosts
from podcast_hub.extensions import db
from podcast_hub.models import (
    Chapter,
    Comment,
    Episode,
    Person,
    Show,
    Soundbite,
    Transcript,
)

_counter = itertools.count(1)
_app = None


def use_app(app):
    """Make the factories write to `app`'s database (the `app` fixture calls this)."""
    global _app
    _app = app


@contextlib.contextmanager
def in_app():
    """Run the block in the test's app context, or else in a short one of its
    own, as a request would; yield `db.session`.

    Rows handed out of a short one are loaded first, so that a test can read
    their columns after it closes.
    """
    if flask.has_app_context():
        yield db.session
        return
    assert _app is not None, "the factories need the `app` fixture"
    with _app.app_context():
        yield db.session
        for instance in list(db.session.identity_map.values()):
            if sa.inspect(instance).expired_attributes:
                db.session.refresh(instance)


def save(instance):
    """Store `instance` in one transaction and return it."""
    with in_app() as session:
        session.add(instance)
        session.commit()
    return instance


def get(model, ident):
    """Return the row of `model` with id `ident` as stored now, or `None`."""
    with in_app() as session:
        return session.get(model, ident, populate_existing=True)


def reload(instance):
    """Return `instance` as the database holds it now (`None` once deleted)."""
    return get(type(instance), instance.id)


def scalar(statement):
    """Return the first column of the first row `statement` selects."""
    with in_app() as session:
        return session.scalar(statement)


def scalars(statement):
    """Return the first column of every row `statement` selects, as a list."""
    with in_app() as session:
        return session.scalars(statement).all()


def update(instance, **values):
    """Change columns of a stored row in one transaction; return the row."""
    with in_app() as session:
        row = session.get(type(instance), instance.id)
        for name, value in values.items():
            setattr(row, name, value)
        session.commit()
    return row


def make_show(**overrides):
    values = {
        "title": "Moments Test Show",
        "description": "A show about testing moments.",
        "author": "Hannah Host",
        "owner_name": "Hannah Host",
        "owner_email": "owner@example.com",
        "language": "en",
        "category": "Technology",
        "explicit": False,
        "cover": "cover.png",
    }
    values.update(overrides)
    return save(Show(**values))


def make_episode(**overrides):
    n = next(_counter)
    values = {
        "slug": f"episode-{n}",
        "guid": str(uuid.uuid4()),
        "title": f"Episode {n}",
        "description": "Show notes.",
        "audio_file": f"episode-{n}.mp3",
        "mime_type": "audio/mpeg",
        "size_bytes": 1000,
        "duration_s": 1800,
        "published_at": datetime.now(UTC) - timedelta(days=n),
        "episode_type": "full",
        "explicit": False,
    }
    values.update(overrides)
    return save(Episode(**values))


def make_comment(episode, **overrides):
    values = {
        "episode_id": episode.id,
        "author": "Lee Listener",
        "email": "lee@example.com",
        "body": "That story about the lighthouse!",
        "timestamp_s": 754,
        "status": "published",
    }
    values.update(overrides)
    return save(Comment(**values))


def make_host(
    email="host@example.com", display_name="Hannah Host", password="correct horse"
):
    with in_app():
        return hosts.create_host(
            email=email, display_name=display_name, password=password
        )


def make_chapter(episode, **overrides):
    values = {"episode_id": episode.id, "start_s": 0, "title": "Intro"}
    values.update(overrides)
    return save(Chapter(**values))


def make_transcript(episode, **overrides):
    values = {
        "episode_id": episode.id,
        "file": f"{episode.slug}.vtt",
        "mime_type": "text/vtt",
        "language": None,
    }
    values.update(overrides)
    return save(Transcript(**values))


def make_person(episode=None, show=None, **overrides):
    """Save a podcast:person of `episode`, else of `show`; return it."""
    values = {"name": "Grace Guest", "role": "guest", "group_name": "cast"}
    if episode is not None:
        values["episode_id"] = episode.id
    else:
        values["show_id"] = show.id
    values.update(overrides)
    return save(Person(**values))


def make_soundbite(episode, **overrides):
    values = {
        "episode_id": episode.id,
        "start_s": 60,
        "duration_s": 30,
        "title": "The best bit",
    }
    values.update(overrides)
    return save(Soundbite(**values))


def make_thread(episode, replies, branch_every=10, hosts_at=(), **overrides):
    """Store a thread of `replies` replies in one statement; return its top
    comment and the replies' ids in thread order.

    Every `branch_every`th reply answers the top comment, the others the latest
    of those; they are written in thread order, a second apart after the top
    comment. Replies number `hosts_at` (from 0) are a host's.
    """
    root = make_comment(episode, **overrides)
    first = root.id + 1
    rows = []
    for n in range(replies):
        if n % branch_every == 0:
            branch = first + n
        rows.append(
            {
                "id": first + n,
                "episode_id": episode.id,
                "parent_id": root.id if n % branch_every == 0 else branch,
                "author": f"Listener {n}",
                "is_host": n in hosts_at,
                "body": f"Reply {n + 1}",
                "timestamp_s": None,
                "status": "published",
                "created_at": root.created_at + timedelta(seconds=n + 1),
            }
        )
    with in_app() as session:
        session.execute(sa.insert(Comment), rows)
        _ids_follow(session, Comment)
        session.commit()
    return root, [first + n for n in range(replies)]


def _ids_follow(session, model):
    """Move PostgreSQL's id sequence of `model` past the ids written by hand
    (SQLite takes the highest id + 1 by itself)."""
    if session.get_bind().dialect.name == "postgresql":
        table = model.__table__.name
        session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        )


def png_claiming(width, height):
    """Return a PNG of a hundred bytes whose header claims `width` × `height`."""

    def chunk(kind, data):
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)


@contextlib.contextmanager
def writes_meet(app, table=None, parties=2, timeout_s=20):
    """Hold each thread's first INSERT into `table` (with None, its first
    INSERT, UPDATE or DELETE of any table) until `parties` threads have come to
    theirs, then let them all go.

    Whatever each one checked before writing, it checked before any of them
    wrote: two requests at once, the race every time rather than now and then.
    The hold comes before the statement reaches the database, and before SQLite's
    write lock is taken (`extensions.OneWriterPerProcess`), so that it is the
    database that orders the inserts.
    """
    with app.app_context():
        engine = db.engine
    barrier = threading.Barrier(parties, timeout=timeout_s)
    met = threading.local()

    def meet(_conn, statement, *_args):
        if table is None:
            writing = isinstance(statement, sa.Insert | sa.Update | sa.Delete)
        else:
            writing = isinstance(statement, sa.Insert) and statement.table.name == table
        if writing and not getattr(met, "done", False):
            met.done = True
            barrier.wait()

    sa.event.listen(engine, "before_execute", meet)
    try:
        yield barrier
    finally:
        sa.event.remove(engine, "before_execute", meet)


def tabs_of(app, client, count=2, cookies=("session",)):
    """Return `count` clients holding `client`'s `cookies`: other tabs of the same
    browser (take a CSRF token before: getting one may change the session)."""
    tabs = [app.test_client() for _ in range(count)]
    for name in cookies:
        if (cookie := client.get_cookie(name)) is not None:
            for tab in tabs:
                tab.set_cookie(name, cookie.value)
    return tabs


def post_at_once(app, table, tabs, path, data):
    """POST `data` to `path` from each of `tabs` at once, their first writes
    into `table` meeting (`writes_meet`); return the answers, in order."""
    with writes_meet(app, table):
        return at_once(*(lambda tab=tab: tab.post(path, data=data) for tab in tabs))


def at_once(*calls):
    """Run each call in a thread of its own, all started together; return what
    they returned, in order, or raise the first error one of them raised."""
    start = threading.Barrier(len(calls))
    results = [None] * len(calls)
    errors = []

    def run(index, call):
        start.wait()
        try:
            results[index] = call()
        except BaseException as error:  # noqa: BLE001 - raised below
            errors.append(error)

    threads = [
        threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
