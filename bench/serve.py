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
- every response says which worker process answered (`X-Bench-Worker`).

Not part of the product: nothing imports it.
"""

import os
import pickle

from flask import Response

from podcast_hub import create_app
from podcast_hub.extensions import unlimited
from podcast_hub.web.sessions import sessionless

app = create_app()
_prepared: dict[str, object] = {}


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


app.add_url_rule("/bench/304", "bench_304", _not_modified)
app.add_url_rule(
    "/bench/304-quiet", "bench_304_quiet", sessionless(unlimited(_quiet_not_modified))
)
app.add_url_rule("/bench/feedgen", "bench_feedgen", _feedgen)


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
