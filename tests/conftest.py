"""Fixtures: an app per test on a database of its own (SQLite: a copy of a
schema file made once; PostgreSQL: one database per worker, emptied before each
test), requests that each open their own app context as in production, a host
who logs in through the form, one clock, one SQL recorder, and a live server for
the browser tests.

Every test that uses a database runs on SQLite and on PostgreSQL: `--database`
chooses one (`sqlite`, `postgresql`) or both (`all`, the default). PostgreSQL is
a throwaway cluster each worker starts (`tests/services.py`), or the server
named by `PODCAST_HUB_TEST_DATABASE_URL` (a URL of a database the tests may
create databases beside, e.g. postgresql+psycopg://hub@localhost/postgres).
"""

import atexit
import contextlib
import itertools
import os
import re
import shutil
import threading
import time
import weakref
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flask
import jinja2
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.routing import Rule
from werkzeug.serving import WSGIRequestHandler, make_server

from podcast_hub import create_app
from podcast_hub.extensions import db

from . import helpers, services
from .mailserver import MailServer

FIXTURES = Path(__file__).parent / "fixtures"
AUDIO_FIXTURES = FIXTURES / "audio"
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "RATELIMIT_ENABLED": False,
    # Cheap to hash: the real default (scrypt) takes a fifth of a second.
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
}
_HELD = (
    "an app context is held: the app would share it, its session and `g` with "
    "the test; open app contexts only around the test's own database work"
)


class Client(FlaskClient):
    """The test client; each request opens an app context of its own."""

    def open(self, *args, **kwargs):
        assert not flask.has_app_context(), _HELD
        return super().open(*args, **kwargs)


class CliRunner(FlaskCliRunner):
    """The CLI runner; each command runs in an app context of its own, which
    `flask` pushes for the app's commands."""

    def invoke(self, *args, **kwargs):
        assert not flask.has_app_context(), _HELD
        with self.app.app_context():
            return super().invoke(*args, **kwargs)


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates shared by every test's app; a changed source is
    compiled again (Jinja compares checksums)."""

    def __init__(self):
        self.code = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _CompiledTemplates()


@pytest.fixture(scope="session", autouse=True)
def _shared_url_builders():
    """Let every test's app reuse the URL builders Werkzeug compiled for the
    first one.

    Each app compiles the same rules into the same code, which is half of what
    making an app costs; a builder is a pure function of its rule's parts and
    finds all else on the rule it is bound to.
    """
    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None:
        yield
        return
    built = {}

    def shared(rule, append_unknown=True):
        key = (
            rule.rule,
            repr(rule.defaults),
            tuple(rule._trace),
            append_unknown,
        )
        if key not in built:
            built[key] = compile_builder(rule, append_unknown)
        return built[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", shared)
        yield


class _CompiledSQL:
    """One dialect and one cache of compiled statements for every test app's
    engine on one kind of database.

    In production one engine compiles each statement once; an engine per test
    would compile every statement again in each test, which is half of what
    the tests' requests cost. SQLAlchemy keys compiled statements by dialect,
    so the engines share the first one's (all are of one database through the
    same driver; the statements compiled are the same).
    """

    def __init__(self):
        self.dialect = None
        self.cache = sa.util.LRUCache(10_000)

    def share_with(self, engine):
        if self.dialect is None:
            self.dialect = engine.dialect
        engine.dialect = self.dialect
        engine.update_execution_options(compiled_cache=self.cache)


_COMPILED_SQL = {name: _CompiledSQL() for name in ("sqlite", "postgresql")}


def _skip_fsync(dbapi_connection, _record):
    # A test's database lives as long as the test: durability buys nothing.
    dbapi_connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture
def media_dir(tmp_path):
    """Return an empty media folder for one test."""
    path = tmp_path / "media"
    path.mkdir()
    return path


@pytest.fixture
def config_overrides():
    """Return extra configuration; parametrize this name to change it per test."""
    return {}


DATABASES = ("sqlite", "postgresql")
TEST_DATABASE_URL = "PODCAST_HUB_TEST_DATABASE_URL"


def pytest_addoption(parser):
    parser.addoption(
        "--database",
        choices=(*DATABASES, "all"),
        default="all",
        help="run the tests that use a database on this one, or on both (all)",
    )


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sqlite_only(reason): the test checks something only SQLite has"
    )


def pytest_generate_tests(metafunc):
    if "database" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("database")
        names = DATABASES if chosen == "all" else (chosen,)
        metafunc.parametrize("database", names, indirect=True, scope="session")


def pytest_collection_modifyitems(config, items):
    for item in items:
        callspec = getattr(item, "callspec", None)
        on = callspec.params.get("database") if callspec else None
        marker = item.get_closest_marker("sqlite_only")
        if on == "postgresql" and marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args or ["SQLite only"])[0]
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


class SQLiteDatabases:
    """A schema file made once; each test gets a copy of it."""

    name = "sqlite"

    def __init__(self, folder):
        self.folder = folder
        self.schema = folder / "schema.sqlite"
        app = make_app(
            {"DATABASE_URL": f"sqlite:///{self.schema}", "MEDIA_DIR": str(folder)}
        )
        with app.app_context():
            db.create_all()
            db.engine.dispose()

    def for_test(self, tmp_path):
        """Return the URL of a new database holding the empty schema."""
        database = tmp_path / "test.sqlite"
        shutil.copyfile(self.schema, database)
        return f"sqlite:///{database}"

    def empty(self, tmp_path, name="empty"):
        """Return the URL of a new database with no tables at all."""
        return f"sqlite:///{tmp_path / name}.sqlite"

    def close(self):
        pass


class PostgresDatabases:
    """One database per worker holding the schema, emptied before each test;
    empty databases made on demand and dropped at the end."""

    name = "postgresql"

    def __init__(self, worker):
        given = os.environ.get(TEST_DATABASE_URL)
        self.cluster = None if given else services.PostgresCluster()
        self.server = sa.make_url(given or self.cluster.url())
        self.prefix = f"hub_test_{worker}"
        self.made = []
        self.counter = itertools.count(1)
        self.admin = sa.create_engine(
            self.server, isolation_level="AUTOCOMMIT", pool_pre_ping=True
        )
        self.schema_url = self.create(self.prefix)
        app = make_app({"DATABASE_URL": self.schema_url, "MEDIA_DIR": "."})
        with app.app_context():
            db.create_all()
            tables = [table.name for table in reversed(db.metadata.sorted_tables)]
            db.engine.dispose()
        self.reset_engine = sa.create_engine(self.schema_url, pool_pre_ping=True)
        with self.reset_engine.connect() as conn:
            sequences = conn.scalars(
                sa.text(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
                )
            ).all()
        # DELETE and a restart of each id sequence: a third of what TRUNCATE
        # costs on tables this small.
        self.emptying = "; ".join(
            ["SET LOCAL lock_timeout = '2s'"]
            + [f'DELETE FROM "{name}"' for name in tables]
            + [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
        )

    def create(self, name):
        """Create database `name` (dropping one left by an earlier run)."""
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        self.made.append(name)
        return self.server.set(database=name).render_as_string(hide_password=False)

    def for_test(self, _tmp_path):
        """Return the URL of the worker's database, emptied of every row, its
        ids starting from 1 again.

        A connection a test left inside a transaction would hold locks on the
        rows: after a short wait it is ended, and the emptying done again.
        """
        try:
            with self.reset_engine.begin() as conn:
                conn.exec_driver_sql(self.emptying)
        except sa.exc.OperationalError:
            with self.reset_engine.begin() as conn:
                conn.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid()"
                    )
                )
            with self.reset_engine.begin() as conn:
                conn.exec_driver_sql(self.emptying)
        return self.schema_url

    def empty(self, _tmp_path, name="empty"):
        """Return the URL of a new database with no tables at all."""
        return self.create(f"{self.prefix}_{name}_{next(self.counter)}")

    def close(self):
        self.reset_engine.dispose()
        with self.admin.connect() as conn:
            for name in self.made:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()
        if self.cluster is not None:
            self.cluster.remove()


class _Stores:
    """The databases this test process made, each made once when first asked
    for: a session fixture with two values would tear one down and make it
    again each time xdist hands the worker a test of the other."""

    def __init__(self):
        self.made = {}

    def get(self, name, tmp_path_factory, worker):
        if name not in self.made:
            if name == "sqlite":
                self.made[name] = SQLiteDatabases(tmp_path_factory.mktemp("schema"))
            else:
                self.made[name] = PostgresDatabases(worker)
        return self.made[name]

    def close(self):
        for store in self.made.values():
            store.close()
        self.made.clear()


_STORES = _Stores()
# A run stopped before its session ends still stops its PostgreSQL clusters.
atexit.register(_STORES.close)


@pytest.fixture(scope="session", autouse=True)
def _close_databases():
    yield
    _STORES.close()


@pytest.fixture(scope="session")
def database(request, tmp_path_factory, worker_id):
    """Return the databases of this run for one kind: `sqlite` or `postgresql`.

    `database.name` says which; `database.for_test(tmp_path)` gives the URL of a
    database holding the empty schema, `database.empty(tmp_path)` one with no
    tables. On PostgreSQL `database.cluster` is the cluster the tests started
    (None when `PODCAST_HUB_TEST_DATABASE_URL` names the server).
    """
    name = getattr(request, "param", "sqlite")
    try:
        return _STORES.get(name, tmp_path_factory, worker_id)
    except RuntimeError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no {name} database: {error}")


def make_app(config):
    """Return an app made for tests from `config` over `TEST_CONFIG`."""
    app = create_app({**TEST_CONFIG, **config})
    app.test_client_class = Client
    app.test_cli_runner_class = CliRunner
    app.jinja_env.bytecode_cache = _TEMPLATES
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _skip_fsync)
    else:
        # sqlite3's connections take no weak reference; psycopg's do.
        opened = _OPENED.setdefault(engine, weakref.WeakSet())
        sa.event.listen(engine, "connect", lambda conn, _record: opened.add(conn))
    _COMPILED_SQL[engine.dialect.name].share_with(engine)
    return app


@pytest.fixture
def app(database, tmp_path, media_dir, config_overrides):
    """Return an app on a database holding the empty schema, with its own media
    folder.

    No app context is held: each request opens its own, as in production.
    """
    app = make_app(
        {
            "DATABASE_URL": database.for_test(tmp_path),
            "MEDIA_DIR": str(media_dir),
            "DEMO_PASSWORD_FILE": str(tmp_path / "demo-password"),
            **config_overrides,
        }
    )
    helpers.use_app(app)
    yield app
    helpers.use_app(None)
    with app.app_context():
        engine = db.engine
    _all_connections_returned(engine)
    engine.dispose()
    _all_connections_closed(engine)


# The DB-API connections each test app's engine opened.
_OPENED: "weakref.WeakKeyDictionary[sa.Engine, weakref.WeakSet]" = (
    weakref.WeakKeyDictionary()
)


def _all_connections_closed(engine):
    """Fail the test that let a connection out of the pool's hands, open."""
    left = [c for c in _OPENED.pop(engine, ()) if not c.closed]
    for connection in left:
        connection.close()
    assert not left, f"{len(left)} database connection(s) left open: {left}"


def _all_connections_returned(engine, wait_s=10):
    """Fail the test that leaves a connection checked out of the pool.

    `dispose` closes only the connections in the pool: one still out (a request
    of a live server's thread not yet finished, a session never closed) would be
    closed by the garbage collector later, on PostgreSQL with a ResourceWarning
    charged to whichever test runs then. A request still running gets
    `wait_s` to finish.
    """
    out = getattr(engine.pool, "checkedout", lambda: 0)
    deadline = time.monotonic() + wait_s
    while out() and time.monotonic() < deadline:
        time.sleep(0.02)
    out = out()
    assert not out, f"{out} database connection(s) still out of the pool"


@pytest.fixture
def app_context(app):
    """Hold an app context for a test that calls the domain directly.

    The test client and CLI runner refuse to run inside it: a request would
    share its session.
    """
    with app.app_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_from(html):
    """Return the CSRF token in a page's `<meta name="csrf-token">`."""
    match = _CSRF_META.search(html)
    assert match, "page has no csrf-token meta tag"
    return match.group(1)


@pytest.fixture
def csrf(client):
    """Return a function giving a CSRF token valid for `client`'s session."""

    def token(path="/login"):
        return csrf_from(client.get(path).get_data(as_text=True))

    return token


class Auth:
    def __init__(self, client, csrf):
        self.client = client
        self.csrf = csrf

    def login(self, email="host@example.com", password="correct horse"):
        return self.client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": self.csrf()},
        )

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": self.csrf("/")})


@pytest.fixture
def auth(app, client, csrf):
    """Log in through the real form as a host created for the test."""
    helpers.make_host(
        email="host@example.com", display_name="Hannah Host", password="correct horse"
    )
    return Auth(client, csrf)


@pytest.fixture
def audio_file(media_dir):
    """Copy an audio fixture into the media folder and return its path."""

    def copy(name, as_name=None):
        target = media_dir / (as_name or name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(AUDIO_FIXTURES / name, target)
        return target

    return copy


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on a free loopback port, started; stopped
    after the test. `mailserver.settings(smtp)` points the app at it."""
    server = MailServer(services.free_port())
    server.start()
    yield server
    server.stop()


class Clock:
    """The time the app sees (`podcast_hub.clock.now`), frozen until advanced."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """Freeze the app's clock at the real time; `clock.advance(minutes=16)`.

    The live server of the browser tests sees it too: it runs in this process.
    """
    frozen = Clock(datetime.now(UTC))
    monkeypatch.setattr("podcast_hub.clock.now", frozen)
    return frozen


class QueryCounter:
    """The SQL statements run while it records; `len()` counts them."""

    def __init__(self):
        self.statements = []

    def __len__(self):
        return len(self.statements)

    @property
    def writes(self):
        """Return the INSERT, UPDATE and DELETE statements."""
        changes = ("INSERT", "UPDATE", "DELETE")
        return [s for s in self.statements if s.lstrip().upper().startswith(changes)]


@pytest.fixture
def count_queries(app):
    """Return a context manager recording the SQL that `app` runs inside it, in
    the test's own work and in its requests alike."""
    with app.app_context():
        engine = db.engine

    @contextlib.contextmanager
    def counting():
        counter = QueryCounter()

        def record(_conn, _cursor, statement, *_args):
            counter.statements.append(statement)

        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)

    return counting


_ANSWER = "tests.answer"


class _RequestHandler(WSGIRequestHandler):
    # Headers and body go out in several writes; with Nagle's algorithm each
    # small one after the first waits for the browser's delayed ACK.
    disable_nagle_algorithm = True

    def connection_dropped(self, error, environ=None):
        """Close the answer of a connection the browser dropped.

        Werkzeug's server reads what is left of the request before it closes
        the answer; when Chromium resets a media request mid-way that read
        raises, `close()` is skipped, and the file being sent stays open until
        the garbage collector warns in whichever test runs then.
        """
        answer = environ.pop(_ANSWER, None) if environ else None
        if answer is not None and hasattr(answer, "close"):
            answer.close()


def _keeping_answers(app):
    """Wrap `app` so that `_RequestHandler` can find each request's answer."""

    def serve(environ, start_response):
        answer = environ[_ANSWER] = app(environ, start_response)
        return answer

    return serve


@pytest.fixture
def live_server(app):
    """Serve `app` on a free loopback port for a real browser; return its URL."""
    server = make_server(
        "127.0.0.1",
        0,
        _keeping_answers(app),
        threaded=True,
        request_handler=_RequestHandler,
    )
    # A short poll interval lets `shutdown` return at once.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture
def open_page(browser, live_server):
    """Return a function opening a path of the live server in a fresh page:
    `open_page(path, javascript=True, width=1280, context=None)`.

    Uncaught script errors and anything the Content-Security-Policy blocks fail
    the test; the pages close before the server stops.
    """
    from .browser import Pages

    pages = Pages(browser, live_server)
    yield pages
    pages.check()


@pytest.fixture(scope="session")
def browser():
    """Launch Debian's Chromium through Playwright, once per test session."""
    from playwright.sync_api import sync_playwright

    from .browser import CHROMIUM, LAUNCH_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()
