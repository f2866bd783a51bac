"""The app as the benchmarks serve it behind gunicorn, with bare views beside it.

`gunicorn --config gunicorn.conf.py --pythonpath bench serve:app`, configured
from `PODCAST_HUB_*` variables as in production. Beside the product's routes:

- `/bench/304`: a bare Flask view answering 304, no database (the floor of a
  conditional GET on this server); `/bench/304-quiet`, the same marked
  `sessionless` and `unlimited` as the feeds are, so that it skips the session
  and the rate limiter as they do (a stricter floor);
- `/bench/feedgen`: the feed built by feedgen alone from values prepared
  beforehand (`BENCH_FEEDGEN_VALUES`, a pickle `bench/feed.py` writes), the
  floor of a rebuild;
- `POST /bench/insert`: a bare view that inserts the request's body as one row
  with sqlite3 (WAL, `synchronous=NORMAL`, as the app's connections) and
  commits, no CSRF, no form, no ORM (the floor of a post on this server,
  `bench/comments.py --floor`);
- every response says which worker process answered (`X-Bench-Worker`).

Not part of the product: nothing imports it.
"""

import os
import pickle
import sqlite3

from flask import Response, request

from podcast_hub import create_app
from podcast_hub.extensions import csrf, unlimited
from podcast_hub.web.sessions import sessionless

app = create_app()
_prepared: dict[str, object] = {}
# The floor's sqlite3 connection, one a worker process.
_connections: dict[int, sqlite3.Connection] = {}


def _not_modified() -> Response:
    return Response(status=304)


def _feedgen() -> Response:
    from feed import bare_feedgen  # bench/feed.py, beside this file

    if "values" not in _prepared:
        with open(os.environ["BENCH_FEEDGEN_VALUES"], "rb") as found:
            _prepared["values"] = pickle.load(found)
    return Response(bare_feedgen(_prepared["values"]), mimetype="application/rss+xml")


def _quiet_not_modified() -> Response:
    return Response(status=304)


def _insert() -> Response:
    connection = _connections.get(os.getpid())
    if connection is None:
        # One connection a worker, opened after the fork.
        path = os.environ["PODCAST_HUB_DATABASE_URL"].removeprefix("sqlite:///")
        connection = sqlite3.connect(path, timeout=5)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS bench_floor"
            " (id INTEGER PRIMARY KEY, body TEXT NOT NULL, created_at TEXT)"
        )
        connection.commit()
        _connections[os.getpid()] = connection
    cursor = connection.execute(
        "INSERT INTO bench_floor (body, created_at) VALUES (?, datetime('now'))",
        (request.get_data(as_text=True),),
    )
    connection.commit()
    return Response(str(cursor.lastrowid), status=201)


app.add_url_rule("/bench/304", "bench_304", _not_modified)
app.add_url_rule(
    "/bench/304-quiet", "bench_304_quiet", sessionless(unlimited(_quiet_not_modified))
)
app.add_url_rule("/bench/feedgen", "bench_feedgen", _feedgen)
app.add_url_rule(
    "/bench/insert", "bench_insert", csrf.exempt(_insert), methods=["POST"]
)


class _Worker:
    """Add the worker's process id to every response."""

    def __init__(self, wsgi):
        self.wsgi = wsgi

    def __call__(self, environ, start_response):
        def started(status, headers, exc_info=None):
            headers.append(("X-Bench-Worker", str(os.getpid())))
            return start_response(status, headers, exc_info)

        return self.wsgi(environ, started)


app.wsgi_app = _Worker(app.wsgi_app)  # type: ignore[method-assign]
