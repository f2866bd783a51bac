"""While the database is away: 503 with Retry-After (never 500), the comment
said to be not posted, the no-JS form given back with what was typed, feeds
from their last good bytes, `/healthz` naming the part that failed; and after
a restart the first request succeeds."""

import re

import pytest
import sqlalchemy as sa

from podcast_hub.errors import COMMENT_NOT_POSTED
from podcast_hub.extensions import db
from podcast_hub.models import Comment, Heartbeat

from .conftest import csrf_from, make_app
from .helpers import make_episode, make_show, scalar, scalars

KEY_FIELD = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')


@pytest.fixture
def episode(app):
    make_show()
    return make_episode(slug="ep", duration_s=1800)


@pytest.fixture
def cluster(database):
    """The PostgreSQL cluster the tests started, to stop and start mid-test."""
    if database.name != "postgresql":
        pytest.skip("stops a PostgreSQL server: SQLite has none")
    if database.cluster is None:
        pytest.skip("the server was given (PODCAST_HUB_TEST_DATABASE_URL)")
    yield database.cluster
    if database.cluster.data.joinpath("postmaster.pid").exists() is False:
        database.cluster.start()


def test_healthz_writes_a_heartbeat(client, episode):
    response = client.get("/healthz")
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert scalar(sa.select(sa.func.count(Heartbeat.id))) == 1
    assert client.get("/healthz").status_code == 200
    assert scalar(sa.select(sa.func.count(Heartbeat.id))) == 1


def test_healthz_says_the_database_takes_no_writes(database, tmp_path, media_dir):
    url = database.for_test(tmp_path)
    if database.name == "sqlite":
        path = url.removeprefix("sqlite:///")
        read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
        app = make_app({"DATABASE_URL": read_only, "MEDIA_DIR": str(media_dir)})
        response = app.test_client().get("/healthz")
    else:
        name = sa.make_url(url).database
        with database.admin.connect() as conn:
            conn.execute(
                sa.text(f'ALTER DATABASE "{name}" SET default_transaction_read_only=on')
            )
        try:
            app = make_app({"DATABASE_URL": url, "MEDIA_DIR": str(media_dir)})
            response = app.test_client().get("/healthz")
        finally:
            with app.app_context():
                from podcast_hub.extensions import db

                db.engine.dispose()
            with database.admin.connect() as conn:
                conn.execute(
                    sa.text(
                        f'ALTER DATABASE "{name}" RESET default_transaction_read_only'
                    )
                )
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "read-only"}


def test_without_a_database_posts_are_503_and_say_not_posted(media_dir):
    app = make_app(
        {
            "DATABASE_URL": "sqlite:////nonexistent-dir/nope/db.sqlite",
            "MEDIA_DIR": str(media_dir),
        }
    )
    client = app.test_client()
    page = client.get("/episodes/ep")
    assert page.status_code == 503 and page.headers["Retry-After"]
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(
        "/api/episodes/ep/comments",
        json={"author": "Lee", "body": "Hello"},
        headers={"X-CSRFToken": token, "Idempotency-Key": "k" * 24},
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.get_json() == {"error": COMMENT_NOT_POSTED, "fields": {}}
    form = client.post(
        "/episodes/ep/comments",
        data={
            "author": "Lee",
            "body": "Words I typed",
            "timestamp": "1:00",
            "csrf_token": token,
            "idempotency_key": "f" * 24,
        },
    )
    html = form.get_data(as_text=True)
    assert form.status_code == 503 and form.headers["Retry-After"]
    assert "NOT posted" in html and "Words I typed" in html
    assert 'value="Lee"' in html and 'value="1:00"' in html
    assert KEY_FIELD.findall(html) == ["f" * 24]
    assert client.get("/feed.xml").status_code == 503
    assert client.get("/healthz").get_json()["database"] == "unreachable"


def _post(client, token, body, key):
    return client.post(
        "/api/episodes/ep/comments",
        json={"author": "Lee", "body": body},
        headers={"X-CSRFToken": token, "Idempotency-Key": key},
    )


def test_a_stopped_database_is_503_and_feeds_come_from_memory(client, episode, cluster):
    token = csrf_from(client.get("/episodes/ep").get_data(as_text=True))
    assert _post(client, token, "Before", "a" * 24).status_code == 201
    feed = client.get("/feed.xml")
    assert feed.status_code == 200
    cluster.stop()
    try:
        refused = _post(client, token, "During", "b" * 24)
        assert refused.status_code == 503
        assert refused.get_json()["error"] == COMMENT_NOT_POSTED
        assert refused.headers["Retry-After"].isdigit()
        assert client.get("/episodes/ep").status_code == 503
        stale = client.get("/feed.xml")
        assert stale.status_code == 200 and stale.data == feed.data
        assert stale.headers["ETag"] == feed.headers["ETag"]
        assert client.get("/episodes/ep/comments.xml").status_code == 503
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.get_json() == {"status": "error", "database": "unreachable"}
    finally:
        cluster.start()
    # Back without restarting the app; the retry with the same key stores it once.
    assert _post(client, token, "During", "b" * 24).status_code == 201
    assert _post(client, token, "During", "b" * 24).status_code == 201
    assert scalars(sa.select(Comment.body).order_by(Comment.id)) == ["Before", "During"]


def test_the_first_request_after_a_database_restart_succeeds(client, episode, cluster):
    token = csrf_from(client.get("/episodes/ep").get_data(as_text=True))
    assert _post(client, token, "Before", "a" * 24).status_code == 201
    # Every pooled connection now points at a server that is gone.
    cluster.stop()
    cluster.start()
    assert _post(client, token, "After", "c" * 24).status_code == 201
    assert client.get("/episodes/ep").status_code == 200
    assert scalars(sa.select(Comment.body).order_by(Comment.id)) == ["Before", "After"]


def test_a_connection_dropped_before_the_requests_end_is_not_a_500(
    client, episode, monkeypatch
):
    """A database restart can drop a connection after the answer is made, when
    the session's closing ROLLBACK fails: the answer stands, the connection is
    thrown away, and the next request gets a fresh one."""
    with client.application.app_context():
        dialect = type(db.engine.dialect)
    real = dialect.do_rollback
    dropped = []

    def drop_once(self, dbapi_connection):
        if not dropped:
            dropped.append(dbapi_connection)
            raise self.loaded_dbapi.OperationalError("server closed the connection")
        return real(self, dbapi_connection)

    real_is_disconnect = dialect.is_disconnect

    def is_disconnect(self, error, connection, cursor):
        # As psycopg says of a connection the server closed (`broken`).
        if "server closed the connection" in str(error):
            return True
        return real_is_disconnect(self, error, connection, cursor)

    monkeypatch.setattr(dialect, "do_rollback", drop_once)
    monkeypatch.setattr(dialect, "is_disconnect", is_disconnect)
    assert client.get(f"/episodes/{episode.slug}").status_code == 200
    assert dropped, "the request's ROLLBACK ran"
    assert client.get(f"/episodes/{episode.slug}").status_code == 200
