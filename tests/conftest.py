import contextlib
import re
import shutil
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flask
import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from podcast_hub import create_app
from podcast_hub.extensions import db

from .helpers import make_host

FIXTURES = Path(__file__).parent / "fixtures"
AUDIO_FIXTURES = FIXTURES / "audio"
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


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


@pytest.fixture
def app(tmp_path, media_dir, config_overrides):
    """Return an app with a fresh SQLite file and media folder."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite'}",
            "MEDIA_DIR": str(media_dir),
            "RATELIMIT_ENABLED": False,
            # Cheap to hash: the real default (scrypt) takes a fifth of a second.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            **config_overrides,
        }
    )
    # In production every request has its own app context; the one held here
    # would carry `g` (Flask-Login's loaded host, Flask-WTF's token) from one
    # request to the next, so each request starts without it.
    flask.request_started.connect(_forget_request_globals, app)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def _forget_request_globals(_app, **_extra):
    for name in list(flask.g):
        flask.g.pop(name)


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
    make_host(
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
    """Freeze the app's clock at the real time; `clock.advance(seconds=3)`."""
    frozen = Clock(datetime.now(UTC))
    monkeypatch.setattr("podcast_hub.clock.now", frozen)
    return frozen


@pytest.fixture
def comment_clock(monkeypatch):
    """Freeze the app's clock, which times comment edits too;
    `comment_clock.advance(minutes=16)`.

    Works for the live server of the browser tests too: it runs in this process.
    """
    frozen = Clock(datetime.now(UTC))
    monkeypatch.setattr("podcast_hub.clock.now", frozen)
    return frozen


class QueryCounter:
    def __init__(self):
        self.statements = []

    def __len__(self):
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Return a context manager that records the SQL statements run inside it."""

    @contextlib.contextmanager
    def counting():
        counter = QueryCounter()

        def record(_conn, _cursor, statement, *_args):
            counter.statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)

    return counting


@pytest.fixture
def live_server(app):
    """Serve `app` on a free loopback port for a real browser; return its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser():
    """Launch Debian's Chromium through Playwright, once per test module."""
    from playwright.sync_api import sync_playwright

    from .browser import CHROMIUM, LAUNCH_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()
