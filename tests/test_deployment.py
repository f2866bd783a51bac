"""The deployment the README writes down, run: gunicorn with gunicorn.conf.py,
two worker processes, on the test's database; comment limits shared through a
Redis server the test starts, and kept in memory while Redis is down."""

import http.cookiejar
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from podcast_hub.models import Comment

from . import services
from .conftest import csrf_from
from .helpers import make_episode, make_show, scalars

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A visitor with cookies, who sees redirects rather than following them."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
        )

    def send(self, path, data=None, headers=None):
        request = urllib.request.Request(
            self.base + path, data=data, headers=headers or {}
        )
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def token(self):
        status, _, body = self.send("/episodes/ep")
        assert status == 200
        return csrf_from(body.decode())

    def post_json(self, token, body):
        data = json.dumps({"author": "Lee", "body": body}).encode()
        headers = {"Content-Type": "application/json", "X-CSRFToken": token}
        return self.send("/api/episodes/ep/comments", data, headers)[0]


@pytest.fixture
def redis_server():
    try:
        server = services.RedisServer()
    except RuntimeError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(error))
    yield server
    server.remove()


@pytest.fixture
def serve(app, media_dir):
    """Return a function starting gunicorn with the repository's configuration on
    the test's database; it answers the base URL once /healthz says ok."""
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed: pip install -e '.[serve]'")
    make_show(title="Moments")
    make_episode(slug="ep", duration_s=1800)
    started = []

    def start(**settings):
        port = services.free_port()
        env = {
            **os.environ,
            "PODCAST_HUB_DATABASE_URL": app.config["DATABASE_URL"],
            "PODCAST_HUB_SECRET_KEY": "deployment-test",
            "PODCAST_HUB_MEDIA_DIR": str(media_dir),
            "PODCAST_HUB_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_ACCESSLOG": "",
            **{f"PODCAST_HUB_{k}": v for k, v in settings.items()},
        }
        process = subprocess.Popen(
            [str(GUNICORN), "--config", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read().decode()
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return base
            except OSError:
                time.sleep(0.2)
        raise AssertionError("gunicorn did not answer /healthz")

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)
        process.stderr.close()


def test_gunicorn_serves_a_page_and_a_posted_comment(serve):
    visitor = Browser(serve())
    status, _, page = visitor.send("/episodes/ep")
    assert status == 200 and b"Moments" in page
    form = {
        "author": "Lee",
        "body": "Posted through gunicorn",
        "timestamp": "1:00",
        "csrf_token": csrf_from(page.decode()),
    }
    data = urllib.parse.urlencode(form).encode()
    status, headers, _ = visitor.send("/episodes/ep/comments", data)
    assert status == 303
    assert headers["Location"].startswith("/episodes/ep#comment-")
    status, _, page = visitor.send("/episodes/ep")
    assert b"Posted through gunicorn" in page
    assert visitor.send("/feed.xml")[0] == 200
    assert scalars(sa.select(Comment.body)) == ["Posted through gunicorn"]


def test_comment_limits_are_shared_by_workers_and_kept_in_memory_without_redis(
    serve, redis_server
):
    base = serve(RATELIMIT_STORAGE_URI=redis_server.url, RATELIMIT_COMMENTS="4/minute")
    visitor = Browser(base)
    token = visitor.token()
    # Each post on a new connection, which either worker may take.
    answers = [visitor.post_json(token, f"Shared {n}") for n in range(7)]
    assert answers == [201] * 4 + [429] * 3

    redis_server.stop()
    answers = [visitor.post_json(token, f"In memory {n}") for n in range(12)]
    assert 500 not in answers
    assert answers[0] == 201
    # Each of the two workers counts 4 on its own now: at most 8 get through.
    assert 4 <= answers.count(201) <= 8 and answers.count(429) >= 4
