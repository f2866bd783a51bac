"""Load and faults, seen from outside: gunicorn with the repository's
gunicorn.conf.py and four workers on the test's database, fifty posters each
with a session of their own, half of their comments sent through the no-JS form
(CSRF token and posting key read off the page) and half through the JSON API
(`X-CSRFToken`, `Idempotency-Key`), every body marked; the database is read
afterwards.

- Under load: every post acknowledged (303 or 201), none lost, none stored
  twice, no 5xx.
- The database away for a few seconds mid-run (PostgreSQL stopped and started
  again; on SQLite, which has no server to stop, another process holding the
  write lock past the busy timeout, as a backup or a VACUUM does): only 503s
  with Retry-After, each client's retry with the same key stores its comment
  once, and the same workers serve again.
- Workers killed in the middle of posts: each client sends its post again
  with the same key; each comment is stored once.
- Clients that give up on each post's first sending and send it again while
  the server is still answering the first: each comment stored once, no 5xx.
- SQLite under threaded workers (an operator overriding gunicorn.conf.py's
  sync workers with 4 × 16 threads): no 500, no 503.

Each test prints what it saw (requests, 503s, aborted requests, duration,
latencies): `pytest tests/test_load.py -s`.
"""

import contextlib
import http.client
import http.cookiejar
import json
import os
import re
import secrets
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from podcast_hub.models import Comment

from . import services
from .conftest import csrf_from
from .helpers import in_app, make_episode, make_show

pytestmark = pytest.mark.load

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
KEY_FIELD = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')
POSTERS = 50
POSTS_EACH = 2
# What a client waits before sending a refused post again: the tests do not
# wait the Retry-After a person's browser would.
RETRY_PAUSE_S = 0.2
# A post not acknowledged by then is counted as given up.
RUN_LIMIT_S = 90
REQUEST_TIMEOUT_S = 30
OUTAGE_S = 3
# How long an impatient client waits for an answer: less than any post takes.
IMPATIENT_S = 0.005


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Run:
    """What the posters of one run sent and saw, shared by their threads."""

    def __init__(self, base, label):
        self.base = base
        self.label = label
        self.lock = threading.Lock()
        self.statuses = Counter()
        self.aborted = Counter()
        self.without_retry_after = []
        self.latencies = []
        self.acknowledged = {}
        self.answers = {}
        self.unexpected = []
        self.given_up = []
        self.started = time.monotonic()
        self.finished = threading.Event()
        self.in_flight = Counter()
        self.duration_s = 0.0
        # Posts whose answer was lost although the comment was stored.
        self.stored_unanswered = 0
        self.look_up_cut_off = False
        # Each post first sent by a client that gives up before the answer.
        self.impatient = False

    def saw(self, method, status, headers, took):
        with self.lock:
            self.statuses[(method, status)] += 1
            self.latencies.append(took)
            if status == 503 and not str(headers.get("Retry-After", "")).isdigit():
                self.without_retry_after.append(method)

    def lost_answer(self, method):
        with self.lock:
            self.aborted[method] += 1

    def count(self, status):
        """Return how many answers had `status`, by any method."""
        return sum(n for (_, code), n in self.statuses.items() if code == status)

    @property
    def requests(self):
        return sum(self.statuses.values()) + sum(self.aborted.values())

    def summary(self):
        latencies = sorted(self.latencies) or [0.0]
        p95 = latencies[int(len(latencies) * 0.95) - 1 if len(latencies) > 1 else 0]
        by_status = dict(
            sorted(Counter(s for _, s in self.statuses.elements()).items())
        )
        return (
            f"{self.label}: {len(self.acknowledged)} posts acknowledged in "
            f"{self.duration_s:.1f} s; {self.requests} requests {by_status}, "
            f"aborted {dict(self.aborted)}; latency p50 "
            f"{statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
        )


class Poster:
    """A listener with a session of their own who posts and, when a post is
    refused (503) or its answer lost, sends it again with the same key."""

    def __init__(self, run, number):
        self.run = run
        self.number = number
        self.token = None
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
        )

    def send(self, method, path, data=None, headers=None, timeout=REQUEST_TIMEOUT_S):
        """Return (status, headers, body), or None when no answer came."""
        request = urllib.request.Request(
            self.run.base + path, data=data, headers=headers or {}, method=method
        )
        start = time.monotonic()
        self.run.in_flight[method] += 1
        try:
            try:
                with self.opener.open(request, timeout=timeout) as response:
                    answer = response.status, response.headers, response.read()
            except urllib.error.HTTPError as error:
                with error:
                    answer = error.code, error.headers, error.read()
        except (OSError, http.client.HTTPException):
            self.run.lost_answer(method)
            return None
        finally:
            self.run.in_flight[method] -= 1
        self.run.saw(method, answer[0], answer[1], time.monotonic() - start)
        return answer

    def read_page(self):
        """Return the episode page's posting key; keep its CSRF token."""
        while time.monotonic() - self.run.started < RUN_LIMIT_S:
            answer = self.send("GET", "/episodes/ep")
            if answer is not None and answer[0] == 200:
                html = answer[2].decode()
                self.token = csrf_from(html)
                return KEY_FIELD.search(html).group(1)
            time.sleep(RETRY_PAUSE_S)
        return None

    def post(self, body, via):
        """Post `body` through the form or the JSON API until it is acknowledged."""
        if via == "form" or self.token is None:
            page_key = self.read_page()
            if page_key is None:
                self.run.given_up.append(body)
                return
        key = page_key if via == "form" else secrets.token_urlsafe(18)
        if self.run.impatient:
            # Sent, and given up on before its answer comes: the server goes on.
            self._send_post(body, via, key, timeout=IMPATIENT_S)
        while time.monotonic() - self.run.started < RUN_LIMIT_S:
            answer = self._send_post(body, via, key)
            if answer is None:
                if self.run.look_up_cut_off and body in stored_comments():
                    with self.run.lock:
                        self.run.stored_unanswered += 1
                continue
            status, headers, data = answer
            if status in (201, 303):
                self._acknowledged(body, via, status, headers, data)
                return
            if status != 503:
                with self.run.lock:
                    self.run.unexpected.append((body, via, status, data[:300]))
                return
            time.sleep(RETRY_PAUSE_S)
        self.run.given_up.append(body)

    def _send_post(self, body, via, key, timeout=REQUEST_TIMEOUT_S):
        if via == "form":
            form = {
                "author": f"Poster {self.number}",
                "body": body,
                "timestamp": "1:00",
                "csrf_token": self.token,
                "idempotency_key": key,
            }
            data = urllib.parse.urlencode(form).encode()
            return self.send("POST", "/episodes/ep/comments", data, timeout=timeout)
        payload = {"author": f"Poster {self.number}", "body": body, "timestamp": 60}
        headers = {
            "Content-Type": "application/json",
            "X-CSRFToken": self.token,
            "Idempotency-Key": key,
        }
        data = json.dumps(payload).encode()
        return self.send("POST", "/api/episodes/ep/comments", data, headers, timeout)

    def _acknowledged(self, body, via, status, headers, data):
        if via == "form":
            assert status == 303, (body, status)
            comment_id = int(headers["Location"].rpartition("#comment-")[2])
        else:
            assert status == 201, (body, status)
            comment_id = json.loads(data)["id"]
        with self.run.lock:
            self.run.acknowledged[body] = comment_id


def post_all(
    base, label, posters=POSTERS, posts_each=POSTS_EACH, during=None, impatient=False
):
    """Have `posters` listeners post `posts_each` comments each, at once, half by
    the form and half by the API; run `during(run)` beside them. Return the Run.

    `impatient` posters give up on each post's first sending before its answer,
    and send it again.
    """
    run = Run(base, label)
    run.impatient = impatient
    marker = secrets.token_hex(3)

    def poster(number):
        person = Poster(run, number)
        for n in range(posts_each):
            via = "form" if (number + n) % 2 else "json"
            person.post(f"load {marker} poster {number} post {n} by {via}", via)

    with ThreadPoolExecutor(max_workers=posters + 1) as pool:
        side = pool.submit(during, run) if during else None
        try:
            list(pool.map(poster, range(posters)))
        finally:
            run.finished.set()
        run.duration_s = time.monotonic() - run.started
        if side is not None:
            side.result()
    run.sent = posters * posts_each
    print("\n" + run.summary())
    return run


def stored_comments():
    """Return {body: [ids]} of the comments in the database."""
    with in_app() as session:
        rows = session.execute(sa.select(Comment.id, Comment.body)).all()
    stored = {}
    for comment_id, body in rows:
        stored.setdefault(body, []).append(comment_id)
    return stored


def check_every_post_stored_once(run):
    """Assert that every post was acknowledged and is stored once, under the id
    its answer gave; and that nothing unexpected was answered."""
    assert run.unexpected == []
    assert run.given_up == []
    assert len(run.acknowledged) == run.sent
    stored = stored_comments()
    lost = [body for body in run.acknowledged if body not in stored]
    duplicated = {body: ids for body, ids in stored.items() if len(ids) > 1}
    assert lost == [] and duplicated == {}
    assert {body: ids[0] for body, ids in stored.items()} == run.acknowledged


class Gunicorn:
    """gunicorn started with gunicorn.conf.py; its log in a file (a pipe nobody
    reads would fill up and stop it)."""

    def __init__(self, process, base, log):
        self.process = process
        self.base = base
        self.log = log

    def workers(self):
        """Return the process ids of the master's workers."""
        found = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rpartition(")")[2].split()
                if int(fields[1]) == self.process.pid:
                    found.add(int(stat.parent.name))
        return found

    def wait_for_workers(self, count, timeout_s=30):
        deadline = time.monotonic() + timeout_s
        while len(self.workers()) < count:
            assert time.monotonic() < deadline, self.log.read_text()[-3000:]
            time.sleep(0.05)
        return self.workers()

    def log_lines(self, text):
        return [line for line in self.log.read_text().splitlines() if text in line]


@pytest.fixture
def gunicorn(app, media_dir, tmp_path):
    """Return a function starting gunicorn on the test's database, with an
    episode to comment on; `gunicorn(*args, **settings)` answers once /healthz
    says ok, with its four workers up."""
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed: pip install -e '.[serve]'")
    make_show(title="Moments")
    make_episode(slug="ep", duration_s=1800)
    started = []

    def start(*args, workers=4, **settings):
        port = services.free_port()
        log = tmp_path / f"gunicorn-{len(started)}.log"
        env = {
            **os.environ,
            "PODCAST_HUB_DATABASE_URL": app.config["DATABASE_URL"],
            "PODCAST_HUB_SECRET_KEY": "load-test",
            "PODCAST_HUB_MEDIA_DIR": str(media_dir),
            "PODCAST_HUB_BIND": f"127.0.0.1:{port}",
            # The posters all come from 127.0.0.1.
            "PODCAST_HUB_RATELIMIT_ENABLED": "false",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_ACCESSLOG": "",
            **{f"PODCAST_HUB_{k}": str(v) for k, v in settings.items()},
        }
        with log.open("wb") as output:
            process = subprocess.Popen(
                [str(GUNICORN), "--config", "gunicorn.conf.py", *args, "wsgi:app"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=output,
            )
        server = Gunicorn(process, f"http://127.0.0.1:{port}", log)
        started.append(server)
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(server.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz"
            time.sleep(0.2)
        server.wait_for_workers(workers)
        return server

    yield start
    for server in started:
        server.process.terminate()
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def no_server_errors(run, allowed=(), server=None):
    """Assert that no answer was a 5xx but those `allowed`; the message holds
    the tracebacks of `server`'s log."""
    errors = {
        key: n
        for key, n in run.statuses.items()
        if key[1] >= 500 and key[1] not in allowed
    }
    log = server.log.read_text() if server is not None else ""
    # What the server said about its 500s: each traceback, not the warnings.
    start = log.find("Traceback")
    assert errors == {}, log[max(start - 300, 0) : start + 5000]


def test_fifty_posters_on_four_workers_lose_nothing_and_store_nothing_twice(
    database, gunicorn
):
    server = gunicorn()
    run = post_all(server.base, f"{database.name}, 4 workers, 50 posters")
    no_server_errors(run, server=server)
    assert sum(run.aborted.values()) == 0
    check_every_post_stored_once(run)


def _after_a_quarter(run):
    """Wait until a quarter of the posts are acknowledged."""
    while len(run.acknowledged) < POSTERS * POSTS_EACH // 4:
        time.sleep(0.02)


def _stop_postgres(cluster):
    def fault(run):
        _after_a_quarter(run)
        cluster.stop()
        try:
            time.sleep(OUTAGE_S)
        finally:
            cluster.start()
        run.outage_ended = len(run.acknowledged)

    return fault


def _hold_the_sqlite_write_lock(url):
    """Return a fault: another process (here, a connection of the test's) takes
    SQLite's write lock for OUTAGE_S seconds, longer than the app's busy timeout."""
    path = sa.make_url(url).database

    def fault(run):
        _after_a_quarter(run)
        other = sqlite3.connect(path, isolation_level=None, timeout=30)
        try:
            other.execute("BEGIN IMMEDIATE")
            time.sleep(OUTAGE_S)
            other.execute("ROLLBACK")
        finally:
            other.close()
        run.outage_ended = len(run.acknowledged)

    return fault


def test_a_database_away_mid_run_answers_only_503s_and_loses_nothing(
    app, database, gunicorn
):
    if database.name == "postgresql":
        if database.cluster is None:
            pytest.skip("the server was given (PODCAST_HUB_TEST_DATABASE_URL)")
        server = gunicorn()
        fault = _stop_postgres(database.cluster)
    else:
        # A second of busy timeout, so that the lock outlasts it in a short test.
        server = gunicorn(DB_BUSY_TIMEOUT_S=1)
        fault = _hold_the_sqlite_write_lock(app.config["DATABASE_URL"])
    workers = server.workers()
    run = post_all(
        server.base, f"{database.name}, database away {OUTAGE_S} s", during=fault
    )
    print(
        f"503s: {run.count(503)}; acknowledged after the outage: "
        f"{len(run.acknowledged) - run.outage_ended}"
    )
    no_server_errors(run, allowed={503}, server=server)
    assert run.count(503) > 0, "the outage was not seen"
    assert run.without_retry_after == []
    assert sum(run.aborted.values()) == 0
    check_every_post_stored_once(run)
    # The same workers serve after the database is back: none was restarted.
    assert server.workers() == workers
    assert len(server.log_lines("Booting worker")) == 4


def test_posts_cut_off_by_killed_workers_are_stored_once_when_sent_again(
    database, gunicorn
):
    server = gunicorn()
    kills = []

    def kill_workers(run):
        # Every worker killed at once while posts are in flight, until a few
        # posts are cut off (a sync worker handles one request at a time; the
        # others wait for a worker and are served by the new ones).
        run.look_up_cut_off = True
        while run.aborted["POST"] < 3 and len(kills) < 60:
            if run.finished.wait(0.01):
                return
            if run.in_flight["POST"] < 8:
                continue
            for worker in server.workers():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker, signal.SIGKILL)
                    kills.append(worker)
            server.wait_for_workers(4)

    run = post_all(
        server.base, f"{database.name}, workers killed mid-post", during=kill_workers
    )
    print(
        f"workers killed: {len(kills)}; posts cut off: {run.aborted['POST']}, "
        f"of which already stored: {run.stored_unanswered}"
    )
    no_server_errors(run, server=server)
    assert run.aborted["POST"] > 0, "no post was cut off"
    check_every_post_stored_once(run)
    server.wait_for_workers(4)


def test_posts_sent_again_while_the_first_sending_is_still_served_are_stored_once(
    database, gunicorn
):
    # The second sending often reaches another worker while the first is in
    # its transaction: the posting key's unique constraint decides.
    server = gunicorn()
    run = post_all(server.base, f"{database.name}, answers given up on", impatient=True)
    print(f"sendings given up on: {run.aborted['POST']}")
    no_server_errors(run, server=server)
    assert run.aborted["POST"] > POSTERS
    check_every_post_stored_once(run)


@pytest.mark.sqlite_only("threads on SQLite: an operator overriding sync workers")
def test_sqlite_under_threaded_workers_answers_no_5xx(database, gunicorn):
    server = gunicorn("--worker-class", "gthread", "--threads", "16")
    run = post_all(
        server.base,
        "sqlite, 4 workers × 16 threads, 64 posters",
        posters=64,
        posts_each=3,
    )
    no_server_errors(run, server=server)
    check_every_post_stored_once(run)
