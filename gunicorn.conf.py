"""gunicorn's settings for Podcast Hub: `gunicorn --config gunicorn.conf.py wsgi:app`
(what `make serve` runs). Every value can be changed from the environment.

- `PODCAST_HUB_BIND` (default 127.0.0.1:8000): where to listen; a proxy in
  front (nginx, Caddy) sets X-Forwarded-* and PODCAST_HUB_PROXY_COUNT says how
  many proxies to trust.
- `WEB_CONCURRENCY` (default 2 × cores + 1): worker processes.
- On SQLite, sync workers, one request at a time each: SQLite has one writer,
  so threads buy little. (Given `--worker-class gthread --threads N` anyway,
  the threads of a worker take turns at writing, `extensions.OneWriterPerProcess`,
  and stay under the busy timeout: tests/test_load.py runs 4 × 16.) On
  PostgreSQL, gthread workers with `GUNICORN_THREADS` threads (default 4) are
  allowed; each worker's pool (DB_POOL_SIZE + DB_MAX_OVERFLOW) must cover its
  threads, and workers × that must stay under the server's max_connections.
- The app is loaded once before forking (`preload_app`), and each worker then
  drops the database connections it inherited (`post_fork`), so that no two
  processes share a socket to the database.
- What the app made while loading (about 150,000 objects: modules, models,
  routes, prebuilt statements) is set aside from Python's garbage collector before
  each fork (`pre_fork`, `gc.freeze`): a worker's full collections then walk
  only what its requests made (a fifth of a millisecond a post), and the pages
  the workers share with the master stay shared.
"""

import gc
import multiprocessing
import os

_database = os.environ.get("PODCAST_HUB_DATABASE_URL", "sqlite")
_on_sqlite = _database.startswith("sqlite")

bind = os.environ.get("PODCAST_HUB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
if _on_sqlite:
    worker_class = "sync"
    threads = 1
else:
    worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
    threads = int(os.environ.get("GUNICORN_THREADS", 4))

# A request that takes longer is stuck: the worker is killed and replaced. A
# comment posted with an Idempotency-Key and retried is still stored once.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Workers are replaced now and then (at different times), which bounds what a
# slow leak or a fragmented heap can cost.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 1000))
max_requests_jitter = max_requests // 10

preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
# The app reads X-Forwarded-* itself, for PODCAST_HUB_PROXY_COUNT hops.
forwarded_allow_ips = "*" if os.environ.get("PODCAST_HUB_PROXY_COUNT") else "127.0.0.1"


def pre_fork(server, worker):
    """Keep the loaded app out of the workers' garbage collections."""
    gc.freeze()


def post_fork(server, worker):
    """Drop the database connections the app opened before the fork."""
    app = worker.app.wsgi()
    from podcast_hub.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
