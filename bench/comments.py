"""Benchmark posting and reading comments behind gunicorn, against Isso if given.

Run from the project folder (not a test; a few minutes):

    .venv/bin/python bench/comments.py [--posts 2000] [--clients 8] [--rounds 3]
        [--threads 100,1000,5000] [--reads 5]
        [--isso http://127.0.0.1:8080 | --isso-venv /tmp/isso-venv] [--profile 300]
        [--floor]

Podcast Hub runs in a temporary SQLite file behind gunicorn with the
project's `gunicorn.conf.py` and 2 sync workers (`bench/serve.py`). Isso is
measured the same way when asked: `--isso URL` names one already running
(its SQLite file given with `--isso-db`), `--isso-venv` names a virtualenv
holding Isso 0.14 and gunicorn, from which the script starts Isso with 2 sync
workers on a temporary database. Isso is not a dependency: without these
options only Podcast Hub is measured.

Each round, `--clients` clients post `--posts` comments between them, 30 % of
them replies to comments already posted, each on a new connection as gunicorn's
sync workers want. On Podcast Hub half the clients post with the episode
page's form (no JavaScript: a 303), half with the JSON API (201), each with the
session cookie and CSRF token of the page they loaded first and a posting key,
as the page does; on Isso every client posts JSON to `/new`. Every body is
marked; afterwards every body answered as stored is looked for in the database:
missing ones are "lost", ones stored twice "duplicated". Rounds of the two
take turns. Then threads of `--threads` comments (posted the same way) are read
as a whole, `--reads` times each, taking turns: the API's
`GET /api/episodes/<slug>/comments` and Isso's `GET /?uri=`. With
`--read-after-change`, the script commits a change to Podcast Hub's database
(`PRAGMA user_version`) before each of its reads, so that no worker serves the
JSON it kept (api/kept.py) and every read builds it.

`--floor` adds a third poster taking turns in each round: the same clients
posting each body to `POST /bench/insert` on Podcast Hub's server, a bare view
that inserts it as one row with sqlite3 and commits (`bench/serve.py`): the
floor of a post behind this gunicorn, printed beside the product's rate.

`--profile N` posts N comments in-process (Flask's test client, a SQLite file)
under cProfile and prints where a POST's time goes. `--read-profile N` reads a
thread of N comments in-process: while the database is unchanged (the JSON
kept), and each time after another connection committed (the JSON built), and
prints where a built read's time goes.

Printed: comments/s (median of rounds), p50/p95 of a POST, lost, duplicated,
errors; the median time of reading each thread; the ratios to Isso. Exit status
1 if, with Isso measured, posting is under 1.5× Isso's comments/s or reading a
thread takes more than 0.1× Isso's time.
"""

import argparse
import configparser
import cProfile
import http.client
import itertools
import json
import os
import pstats
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

TARGETS = {"post": 1.5, "read": 0.1}
SITE = "http://localhost"
REPLIES = 0.3
WORDS = (
    "the storm came in at night and the keeper climbed the stairs again "
    "with a lamp and a letter from the mainland about ships and weather"
).split()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", default="100,1000,5000")
    parser.add_argument("--reads", type=int, default=5)
    parser.add_argument("--isso", help="URL of a running Isso")
    parser.add_argument("--isso-db", help="its SQLite file (with --isso)")
    parser.add_argument("--isso-venv", help="a virtualenv holding Isso and gunicorn")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--read-profile", type=int, default=0, metavar="N")
    parser.add_argument(
        "--read-after-change",
        action="store_true",
        help="commit to Podcast Hub's database before each of its reads",
    )
    parser.add_argument("--floor", action="store_true")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    # Stopped, it stops its servers too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    args.thread_sizes = [int(n) for n in args.threads.split(",") if n]
    random.seed(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        if args.profile:
            profile(folder / "profile", args.profile)
        if args.read_profile:
            read_profile(folder / "read-profile", args.read_profile)
        # `--rounds 0 --threads ''` with a profile: the profile alone.
        missed = run(folder, args) if args.rounds or args.thread_sizes else []
    sys.exit(1 if missed else 0)


# --- the two servers ---------------------------------------------------------


def settings(folder):
    return {
        "SECRET_KEY": "bench",
        "DATABASE_URL": f"sqlite:///{folder / 'hub.sqlite'}",
        "MEDIA_DIR": str(folder / "media"),
        "BASE_URL": SITE,
        # No rate limit, as Isso runs without its guard: 2,000 comments from
        # one address. (With memory:// storage, counting costs a thread start
        # a request: README, "Benchmarks".)
        "RATELIMIT_ENABLED": False,
    }


def prepare_hub(folder, slugs):
    """Make the database: a show, one published episode per slug."""
    from podcast_hub import create_app
    from podcast_hub.extensions import db
    from podcast_hub.models import Episode, Host, Show

    (folder / "media").mkdir(parents=True, exist_ok=True)
    app = create_app(settings(folder))
    with app.app_context():
        db.create_all()
        db.session.add(Show(title="Bench Show", author="Hannah Host"))
        db.session.add(
            Host(
                email="host@example.com", display_name="Hannah Host", password_hash="-"
            )
        )
        now = datetime.now(UTC).replace(microsecond=0)
        for n, slug in enumerate(slugs):
            db.session.add(
                Episode(
                    slug=slug,
                    guid=str(uuid.uuid4()),
                    title=f"Episode {slug}",
                    description="Notes.",
                    audio_file=f"{slug}.mp3",
                    mime_type="audio/mpeg",
                    size_bytes=1000,
                    duration_s=3600,
                    published_at=now - timedelta(days=n + 1),
                )
            )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return app


class Server:
    """A gunicorn serving a WSGI app with 2 sync workers, stopped on exit."""

    def __init__(self, command, env, probe, cwd=ROOT):
        self.command, self.env, self.probe, self.cwd = command, env, probe, cwd

    def __enter__(self):
        with socket.socket() as free:
            free.bind(("127.0.0.1", 0))
            self.port = free.getsockname()[1]
        command = [part.format(port=self.port) for part in self.command]
        env = {**os.environ, **self.env}
        env = {key: value.format(port=self.port) for key, value in env.items()}
        self.process = subprocess.Popen(command, cwd=self.cwd, env=env)
        deadline = time.monotonic() + 60
        while True:
            try:
                request(self.port, "GET", self.probe)
                return self.port
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.process.kill()
                    raise RuntimeError(f"{command[0]} did not start") from None
                time.sleep(0.2)

    def __exit__(self, *_):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)


def hub_server(folder):
    env = {
        f"PODCAST_HUB_{key}": value if isinstance(value, str) else json.dumps(value)
        for key, value in settings(folder).items()
    }
    env.update(
        PODCAST_HUB_BIND="127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        GUNICORN_ACCESSLOG="",
        GUNICORN_MAX_REQUESTS="0",
    )
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "--config", str(ROOT / "gunicorn.conf.py")]
    command += ["--pythonpath", str(HERE), "--log-level", "warning", "serve:app"]
    return Server(command, env, "/bench/304")


def isso_server(folder, venv):
    """Isso with 2 sync workers: no guard (rate limits), no moderation."""
    config = configparser.ConfigParser()
    config["general"] = {
        "dbpath": str(folder / "isso.sqlite"),
        "host": SITE,
        "notify": "stdout",
        "log-file": str(folder / "isso.log"),
    }
    config["moderation"] = {"enabled": "false"}
    config["guard"] = {"enabled": "false"}
    config["server"] = {"listen": "http://127.0.0.1:{port}"}
    with open(folder / "isso.cfg", "w") as out:
        config.write(out)
    gunicorn = str(Path(venv) / "bin" / "gunicorn")
    command = [gunicorn, "-w", "2", "-k", "sync", "-b", "127.0.0.1:{port}"]
    command += ["--log-level", "warning", "isso.run"]
    # Elsewhere than the project folder, whose gunicorn.conf.py gunicorn would read.
    env = {"ISSO_SETTINGS": str(folder / "isso.cfg")}
    return Server(command, env, "/info", cwd=folder)


# --- HTTP ----------------------------------------------------------------------


def request(port, method, path, body=None, headers=None):
    """Send one request on a new connection; return (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


class Cookies:
    """A browser's cookies for one site: kept from Set-Cookie, sent back."""

    def __init__(self, ignore=()):
        self.jar = {}
        self.ignore = set(ignore)

    def keep(self, headers):
        for line in headers.get_all("Set-Cookie") or []:
            name, _, value = line.split(";", 1)[0].partition("=")
            if name.strip() not in self.ignore:
                self.jar[name.strip()] = value.strip()

    def header(self):
        return "; ".join(f"{name}={value}" for name, value in self.jar.items())


# --- posting -------------------------------------------------------------------


class HubPoster:
    """One listener's browser on Podcast Hub: loads the page, then posts by
    form (no JavaScript) or by the API (JSON)."""

    def __init__(self, port, slug, by_form, number):
        self.port, self.slug, self.by_form = port, slug, by_form
        self.number, self.posted = number, itertools.count()
        # A browser many listeners share: its comments' ownership tokens are
        # not kept, or the spam filter would see one listener's flood.
        self.cookies = Cookies(ignore={"own_comments"})
        status, headers, page = request(port, "GET", f"/episodes/{slug}")
        assert status == 200, status
        self.cookies.keep(headers)
        self.token = re.search(rb'name="csrf-token" content="([^"]+)"', page)[1]

    def post(self, body, parent):
        # A new name for every post of the run (rounds included): the spam
        # filter holds a sixth comment under one name within ten minutes.
        name = f"Listener {self.slug} {self.number}-{next(self.posted)}"
        headers = {"Cookie": self.cookies.header()}
        key = uuid.uuid4().hex
        path = f"/episodes/{self.slug}/comments"
        if self.by_form:
            fields = {
                "csrf_token": self.token.decode(),
                "idempotency_key": key,
                "author": name,
                "body": body,
                "timestamp": str(random.randrange(3600)),
                "parent_id": "" if parent is None else str(parent),
            }
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            data = urllib.parse.urlencode(fields)
            status, answer, _ = request(self.port, "POST", path, data, headers)
            self.cookies.keep(answer)
            if status != 303:
                return status, None
            return status, int(answer["Location"].rpartition("comment-")[2])
        fields = {
            "author": name,
            "body": body,
            "timestamp": random.randrange(3600),
            "parent_id": parent,
        }
        headers.update(
            {
                "Content-Type": "application/json",
                "X-CSRFToken": self.token.decode(),
                "Idempotency-Key": key,
            }
        )
        status, answer, data = request(
            self.port, "POST", "/api" + path, json.dumps(fields), headers
        )
        self.cookies.keep(answer)
        if status != 201:
            return status, None
        return status, json.loads(data)["id"]


class FloorPoster:
    """A client of the floor: each body to the bare insert view, on a new
    connection; the answer is the new row's id."""

    def __init__(self, port):
        self.port = port

    def post(self, body, parent):
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        status, _, data = request(self.port, "POST", "/bench/insert", body, headers)
        if status != 201:
            return status, None
        return status, int(data)


class IssoPoster:
    """One reader's browser on Isso: every comment is JSON to /new."""

    def __init__(self, port, slug, number):
        self.port, self.uri = port, f"/{slug}"
        self.number, self.posted = number, itertools.count()

    def post(self, body, parent):
        fields = {
            "text": body,
            "author": f"Listener {self.uri[1:]} {self.number}-{next(self.posted)}",
            "parent": parent,
            "title": self.uri,
        }
        headers = {
            "Content-Type": "application/json",
            "Origin": SITE,
            "Referer": SITE + self.uri,
        }
        path = "/new?" + urllib.parse.urlencode({"uri": self.uri})
        status, _, data = request(self.port, "POST", path, json.dumps(fields), headers)
        if status != 201:
            return status, None
        return status, json.loads(data)["id"]


def post_many(make_poster, count, clients, tag):
    """`clients` threads post `count` comments between them; return the figures.

    A reply answers a comment already answered as stored (any client's).
    """
    stored_ids, lock = [], threading.Lock()
    sent = {}  # body -> the id answered, or None when refused
    latencies, errors = [], []
    numbers = itertools.count()
    posters = [make_poster(n) for n in range(clients)]

    def client(poster):
        while (n := next(numbers)) < count:
            body = f"{tag}-{n:06d}: " + " ".join(random.sample(WORDS, 8))
            with lock:
                parent = (
                    random.choice(stored_ids)
                    if stored_ids and random.random() < REPLIES
                    else None
                )
            start = time.perf_counter()
            try:
                status, comment_id = poster.post(body, parent)
            except OSError as error:
                status, comment_id = repr(error), None
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                sent[body] = comment_id
                if comment_id is None:
                    errors.append(status)
                else:
                    stored_ids.append(comment_id)

    # One first post alone, not timed: Isso makes its thread then, and two
    # clients making it at once fail (a unique constraint).
    first = f"{tag}-first: " + " ".join(random.sample(WORDS, 8))
    sent[first] = posters[0].post(first, None)[1]
    start = time.perf_counter()
    workers = [threading.Thread(target=client, args=(p,)) for p in posters]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - start
    latencies.sort()
    return {
        "rate": count / wall,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "errors": errors,
        "sent": sent,
    }


def percentile(ordered, p):
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def check_stored(result, stored_bodies):
    """Count bodies answered as stored but missing, and bodies stored twice."""
    counts = {}
    for body in stored_bodies:
        counts[body] = counts.get(body, 0) + 1
    acknowledged = [body for body, found in result["sent"].items() if found]
    result["lost"] = sum(1 for body in acknowledged if not counts.get(body))
    result["duplicated"] = sum(n - 1 for n in counts.values() if n > 1)


def hub_bodies(folder, slug):
    with sqlite3.connect(folder / "hub.sqlite") as db:
        rows = db.execute(
            "SELECT body FROM comment JOIN episode ON episode.id = comment.episode_id"
            " WHERE episode.slug = ?",
            (slug,),
        )
        # A reply below the third level starts with "@name ": the mark follows.
        return [re.sub(r"^@Listener [\w-]+ [\d-]+ ", "", body) for (body,) in rows]


def isso_bodies(path, slug):
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT text FROM comments JOIN threads ON threads.id = comments.tid"
            " WHERE threads.uri = ?",
            (f"/{slug}",),
        )
        return [text for (text,) in rows]


# --- the run -------------------------------------------------------------------


def run(folder, args):
    rounds = [f"round-{n}" for n in range(args.rounds)]
    threads = [f"thread-{size}" for size in args.thread_sizes]
    prepare_hub(folder, rounds + threads)
    systems = {"hub": hub_server(folder)}
    isso_db = None
    if args.isso_venv:
        systems["isso"] = isso_server(folder, args.isso_venv)
        isso_db = folder / "isso.sqlite"
    elif args.isso:
        systems["isso"] = None
        isso_db = args.isso_db
    ports = {}
    started = []
    try:
        for name, server in systems.items():
            if server is None:
                ports[name] = urllib.parse.urlsplit(args.isso).port
            else:
                ports[name] = server.__enter__()
                started.append(server)
        if args.floor:
            ports["floor"] = ports["hub"]
        return measure(folder, args, ports, isso_db, rounds, threads)
    finally:
        for server in started:
            server.__exit__()


def poster_maker(name, port, slug):
    if name == "hub":
        return lambda n: HubPoster(port, slug, by_form=n % 2 == 0, number=n)
    if name == "floor":
        return lambda n: FloorPoster(port)
    return lambda n: IssoPoster(port, slug, n)


def bodies_of(name, folder, isso_db, slug):
    if name == "floor":
        with sqlite3.connect(folder / "hub.sqlite") as db:
            rows = db.execute(
                "SELECT body FROM bench_floor WHERE body LIKE ?", (f"floor-{slug}-%",)
            )
            return [body for (body,) in rows]
    return hub_bodies(folder, slug) if name == "hub" else isso_bodies(isso_db, slug)


def measure(folder, args, ports, isso_db, rounds, threads):
    names = list(ports)
    posting = {name: [] for name in names}
    for n, slug in enumerate(rounds):
        order = names if n % 2 == 0 else names[::-1]
        for name in order:
            result = post_many(
                poster_maker(name, ports[name], slug),
                args.posts,
                args.clients,
                f"{name}-{slug}",
            )
            check_stored(result, bodies_of(name, folder, isso_db, slug))
            posting[name].append(result)
            print(
                f"  {name:4} {slug}: {result['rate']:6.1f} comments/s, p50 "
                f"{result['p50'] * 1000:.1f} ms, p95 {result['p95'] * 1000:.1f} ms, "
                f"lost {result['lost']}, duplicated {result['duplicated']}, "
                f"errors {len(result['errors'])}",
                flush=True,
            )
    names = [name for name in names if name != "floor"]
    reading = {name: {} for name in names}
    for slug, size in zip(threads, args.thread_sizes, strict=True):
        for name in names:
            post_many(
                poster_maker(name, ports[name], slug),
                size,
                args.clients,
                f"{name}-{slug}",
            )
        paths = {
            "hub": f"/api/episodes/{slug}/comments",
            "isso": "/?" + urllib.parse.urlencode({"uri": f"/{slug}"}),
        }
        times = {name: [] for name in names}
        for n in range(args.reads + 1):
            for name in names if n % 2 == 0 else names[::-1]:
                if name == "hub" and args.read_after_change:
                    commit_elsewhere(folder)
                start = time.perf_counter()
                status, _, body = request(ports[name], "GET", paths[name])
                elapsed = time.perf_counter() - start
                assert status == 200, (name, slug, status)
                if n:  # the first read of each warms up
                    times[name].append(elapsed)
                else:
                    reading[name][f"{slug}-size"] = len(body)
        for name in names:
            reading[name][slug] = statistics.median(times[name])
        print(
            f"  read {slug}: "
            + ", ".join(
                f"{name} {reading[name][slug] * 1000:.1f} ms" for name in names
            ),
            flush=True,
        )
    return report(args, posting, reading, rounds, threads)


def commit_elsewhere(folder):
    """Commit a change to Podcast Hub's database from outside: every worker's
    kept JSON is then of the past, and the next read builds it."""
    with sqlite3.connect(folder / "hub.sqlite", isolation_level=None) as db:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        db.execute(f"PRAGMA user_version = {version + 1}")
    # (`with` on a sqlite3 connection does not close it.)
    db.close()


def report(args, posting, reading, rounds, threads):
    ms = 1000
    print(
        f"\n{args.clients} clients posting {args.posts} comments a round "
        f"({REPLIES:.0%} replies), {len(rounds)} rounds taking turns, gunicorn "
        "with 2 sync workers each:"
    )
    rates = {}
    for name, results in posting.items():
        rates[name] = statistics.median(r["rate"] for r in results)
        print(
            f"  {name:4}: {rates[name]:6.1f} comments/s (rounds: "
            + ", ".join(f"{r['rate']:.1f}" for r in results)
            + f"), p50 {statistics.median(r['p50'] for r in results) * ms:.1f} ms,"
            f" p95 {statistics.median(r['p95'] for r in results) * ms:.1f} ms, lost "
            f"{sum(r['lost'] for r in results)}, duplicated "
            f"{sum(r['duplicated'] for r in results)}, errors "
            f"{sum(len(r['errors']) for r in results)}"
        )
    missed = []
    if "isso" in posting:
        pairs = [
            h["rate"] / i["rate"]
            for h, i in zip(posting["hub"], posting["isso"], strict=True)
        ]
        ratio = rates["hub"] / rates["isso"]
        ok = "ok" if ratio >= TARGETS["post"] else "MISSED"
        print(
            f"  posting: {ratio:.2f}x Isso's comments/s (per round: "
            + ", ".join(f"{p:.2f}" for p in pairs)
            + f"; target >= {TARGETS['post']}: {ok})"
        )
        if ratio < TARGETS["post"]:
            missed.append("post")
    if "floor" in posting:
        pairs = [
            h["rate"] / f["rate"]
            for h, f in zip(posting["hub"], posting["floor"], strict=True)
        ]
        floor = rates["hub"] / rates["floor"]
        print(
            f"  the floor: hub at {floor:.2f}x the bare insert's comments/s"
            " (per round: " + ", ".join(f"{p:.2f}" for p in pairs) + ")"
        )
    print(f"Reading a whole thread, median of {args.reads} reads:")
    for slug in threads:
        line = f"  {slug}: " + ", ".join(
            f"{name} {reading[name][slug] * ms:.1f} ms"
            f" ({reading[name][slug + '-size'] / 1e3:.0f} kB)"
            for name in reading
        )
        if "isso" in reading:
            ratio = reading["hub"][slug] / reading["isso"][slug]
            ok = "ok" if ratio <= TARGETS["read"] else "MISSED"
            line += f"; {ratio:.3f}x Isso's time (target <= {TARGETS['read']}: {ok})"
            if ratio > TARGETS["read"]:
                missed.append(f"read {slug}")
        print(line)
    if "isso" in posting:
        print("all targets met" if not missed else f"missed: {', '.join(missed)}")
    return missed


# --- where a POST's time goes ----------------------------------------------------

# (label, how to find its functions in cProfile's table: file part, function)
PARTS = [
    ("CSRF check", "flask_wtf/csrf.py", "protect"),
    ("rate limit", "flask_limiter/", "_check_request_limit"),
    ("session load (cookie)", "flask/sessions.py", "open_session"),
    ("the form's fields, read", "web/commenting.py", "read_comment"),
    ("the comment form (refusals)", "wtforms/form.py", "validate"),
    ("JSON body to fields", "api/views.py", "_json_formdata"),
    ("posting key (idempotency)", "conversation/repeats.py", "earlier_post"),
    ("host-name check", "conversation/comments.py", "listener_name"),
    ("rules, mode, hosts' names", "conversation/moderation.py", "house_rules"),
    ("moderation and spam", "conversation/moderation.py", "judge_new_comment"),
    ("parent lookup", "conversation/comments.py", "_published_comment"),
    ("insert", "conversation/comments.py", "_insert"),
    ("events, mail queue", "conversation/events.py", "changed"),
    ("commit", "sqlalchemy/orm/session.py", "commit"),
    ("listener's follow-up", "web/listener.py", "follow"),
    ("serialisation (JSON)", "conversation/comments.py", "to_json"),
    ("ownership cookie", "web/ownership.py", "remember"),
    ("session cookie signing", "flask/sessions.py", "save_session"),
    ("whole request", "flask/app.py", "wsgi_app"),
]


def profile(folder, count):
    """Post `count` comments in-process under cProfile; print where time goes."""
    app = prepare_hub(folder, ["profiled"])
    browsers = []
    for _ in range(2):
        client = app.test_client()
        page = client.get("/episodes/profiled").get_data()
        token = re.search(rb'name="csrf-token" content="([^"]+)"', page)[1].decode()
        browsers.append((client, token))
    ids = []

    def post(n):
        client, token = browsers[n % 2]
        parent = random.choice(ids) if ids and random.random() < REPLIES else None
        body = f"profile-{n}: " + " ".join(random.sample(WORDS, 8))
        if n % 2 == 0:
            response = client.post(
                "/episodes/profiled/comments",
                data={
                    "csrf_token": token,
                    "idempotency_key": uuid.uuid4().hex,
                    "author": f"Listener {n}",
                    "body": body,
                    "timestamp": "12",
                    "parent_id": "" if parent is None else str(parent),
                },
            )
            assert response.status_code == 303, response.status_code
            ids.append(int(response.location.rpartition("comment-")[2]))
        else:
            response = client.post(
                "/api/episodes/profiled/comments",
                json={
                    "author": f"Listener {n}",
                    "body": body,
                    "timestamp": 12,
                    "parent_id": parent,
                },
                headers={"X-CSRFToken": token, "Idempotency-Key": uuid.uuid4().hex},
            )
            assert response.status_code == 201, response.status_code
            ids.append(response.get_json()["id"])
        client.delete_cookie("own_comments")

    for n in range(20):
        post(n)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for n in range(count):
        post(n)
    profiler.disable()
    wall = time.perf_counter() - start
    stats = pstats.Stats(profiler).stats
    print(
        f"Where a POST's time goes: {count} posts in-process (half form, half JSON, "
        f"{REPLIES:.0%} replies) under cProfile, {wall / count * 1000:.2f} ms each "
        "(profiled: slower than served); cumulative ms per post, parts overlap "
        "(commit holds the flush):"
    )
    whole = None
    for label, file_part, function, *_ in PARTS:
        total = sum(
            entry[3]
            for (path, _line, name), entry in stats.items()
            if name == function and file_part in path
        )
        if label == "whole request":
            whole = total
        print(f"  {label:28} {total / count * 1000:7.3f} ms")
    if whole:
        print("  top functions by own time:")
        own = sorted(stats.items(), key=lambda item: -item[1][2])[:12]
        for (path, line, name), entry in own:
            short = "/".join(Path(path).parts[-2:])
            print(f"    {entry[2] / count * 1000:7.3f} ms  {name} ({short}:{line})")
    print()


def read_profile(folder, size):
    """Read a thread of `size` comments in-process; print medians and where a
    built read's time goes."""
    import sqlalchemy as sa

    from podcast_hub.extensions import db
    from podcast_hub.models import Comment, CommentStatus, Episode

    app = prepare_hub(folder, ["profiled"])
    start = datetime.now(UTC) - timedelta(days=1)
    with app.app_context():
        episode = db.session.scalar(sa.select(Episode))
        ids = []
        for n in range(size):
            parent = random.choice(ids) if ids and random.random() < REPLIES else None
            comment = Comment(
                episode_id=episode.id,
                parent_id=parent,
                author=f"Listener {n}",
                body=f"read-{n}: " + " ".join(random.sample(WORDS, 8)),
                timestamp_s=random.randrange(3600),
                status=CommentStatus.PUBLISHED,
                created_at=start + timedelta(seconds=n),
            )
            db.session.add(comment)
            db.session.flush()
            ids.append(comment.id)
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    path = "/api/episodes/profiled/comments"
    elsewhere = sqlite3.connect(folder / "hub.sqlite", isolation_level=None)
    writes = itertools.count(1)

    def changed():
        # Any commit of any connection: what a worker kept is of the past.
        elsewhere.execute(f"PRAGMA user_version = {next(writes)}")

    def read():
        response = client.get(path)
        assert response.status_code == 200, response.status_code

    for _ in range(20):
        read()
    times = {"kept": [], "built": []}
    for _ in range(300):
        for name in times:
            if name == "built":
                changed()
            started = time.perf_counter()
            read()
            times[name].append(time.perf_counter() - started)
    print(
        f"Reading a thread of {size} comments in-process ({REPLIES:.0%} replies), "
        "median of 300 each: "
        + ", ".join(
            f"{name} {statistics.median(found) * 1000:.2f} ms"
            for name, found in times.items()
        )
    )
    profiler = cProfile.Profile()
    for _ in range(200):
        changed()
        profiler.enable()
        read()
        profiler.disable()
    stats = pstats.Stats(profiler).stats
    print("  a built read, top functions by cumulative time (profiled):")
    ranked = sorted(stats.items(), key=lambda item: -item[1][3])
    for (file, line, name), entry in ranked[:25]:
        short = "/".join(Path(file).parts[-2:])
        print(f"    {entry[3] / 200 * 1000:7.3f} ms  {name} ({short}:{line})")
    print()


if __name__ == "__main__":
    main()
