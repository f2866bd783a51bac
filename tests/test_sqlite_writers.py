"""SQLite has one writer: the threads of one process (threaded workers, the
development server) queue for it in turn instead of polling past the busy
timeout; one that waits its turn too long is a 503, its comment not posted.
tests/test_load.py drives the same through gunicorn at 4 workers × 16 threads."""

import threading
import time

import pytest
import sqlalchemy as sa

from podcast_hub.errors import COMMENT_NOT_POSTED
from podcast_hub.extensions import db
from podcast_hub.models import Comment, Heartbeat

from .conftest import csrf_from
from .helpers import make_episode, make_show, scalar, scalars

pytestmark = pytest.mark.sqlite_only("the writers of one SQLite file")


@pytest.mark.parametrize("config_overrides", [{"DB_BUSY_TIMEOUT_S": 0.3}])
def test_threads_writing_at_once_take_turns_past_the_busy_timeout(app):
    with app.app_context():
        engine = db.engine
    writers = 6
    start = threading.Barrier(writers)
    stored, refused = [], []

    def write(number):
        start.wait()
        try:
            with engine.begin() as conn:
                conn.execute(sa.insert(Heartbeat))
                # Six turns of 0.15 s: the last waits far past the busy timeout.
                time.sleep(0.15)
        except sa.exc.OperationalError as error:
            refused.append(str(error.orig))
        else:
            stored.append(number)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert refused == []
    assert sorted(stored) == list(range(writers))
    assert scalar(sa.select(sa.func.count(Heartbeat.id))) == writers


def _post(client, token, body):
    return client.post(
        "/api/episodes/ep/comments",
        json={"author": "Lee", "body": body},
        headers={"X-CSRFToken": token, "Idempotency-Key": "q" * 24},
    )


@pytest.mark.parametrize("config_overrides", [{"DB_WRITE_QUEUE_S": 0.2}])
def test_a_post_that_waits_too_long_for_its_turn_is_503_and_not_posted(app, client):
    make_show()
    make_episode(slug="ep", duration_s=1800)
    token = csrf_from(client.get("/episodes/ep").get_data(as_text=True))
    with app.app_context():
        engine = db.engine
    # Another thread of this process in the middle of a write.
    writing = engine.connect()
    try:
        writing.execute(sa.insert(Heartbeat))
        started = time.monotonic()
        refused = _post(client, token, "Waited too long")
        waited = time.monotonic() - started
    finally:
        writing.rollback()
        writing.close()
    assert refused.status_code == 503
    assert refused.headers["Retry-After"].isdigit()
    assert refused.get_json()["error"] == COMMENT_NOT_POSTED
    assert waited < 3
    assert scalars(sa.select(Comment.body)) == []
    # Its turn comes once the other write is done; the retry stores it once.
    assert _post(client, token, "Waited too long").status_code == 201
    assert _post(client, token, "Waited too long").status_code == 201
    assert scalars(sa.select(Comment.body)) == ["Waited too long"]
