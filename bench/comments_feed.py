"""Benchmark an episode's comments feed: build time, bytes, and the rendered-feed
cache's memory as comments land.

Run from the project folder (not a test; under a minute):

    .venv/bin/python bench/comments_feed.py [--comments 6300] [--new 40]

It fills a temporary SQLite file with one episode and `--comments` comments
(a reply every fifth), then prints, medians over five cold builds: the time to
build `/episodes/<slug>/comments.xml` from the database to bytes and its size.
Then `--new` comments land one by one, each followed by a GET of the feed
(plain and gzip, as podcast apps ask) in the same process: printed are the
bytes the process's rendered-feed cache holds and the growth of its resident
set size (ru_maxrss).
"""

import argparse
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from podcast_hub import create_app  # noqa: E402
from podcast_hub.extensions import db  # noqa: E402
from podcast_hub.feeds import views  # noqa: E402
from podcast_hub.models import Comment, Episode, Show  # noqa: E402

BODY = (
    "That story about the lighthouse keeper and the storm of 1893 — I looked "
    "it up afterwards and found the letters in the county archive. "
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=6300)
    parser.add_argument("--new", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(Path(folder), args.comments, args.new)


def run(folder, count, new):
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
            "MEDIA_DIR": str(folder),
            "BASE_URL": "http://localhost",
            "RATELIMIT_ENABLED": False,
        }
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with app.app_context():
        db.create_all()
        db.session.add(Show(title="Bench", description="A show", author="Bench"))
        episode = Episode(
            slug="ep",
            title="The Lighthouse",
            description="Notes",
            guid="bench-episode",
            audio_file="ep.mp3",
            mime_type="audio/mpeg",
            size_bytes=1000,
            duration_s=3600,
            published_at=start,
            episode_type="full",
            explicit=False,
        )
        db.session.add(episode)
        db.session.flush()
        for n in range(count):
            db.session.add(_comment(episode.id, n, start))
        db.session.commit()
        episode_id = episode.id

    times = []
    for _ in range(5):
        with app.test_request_context("/episodes/ep/comments.xml"):
            began = time.perf_counter()
            body = views._render_comments("ep", datetime.now(UTC))
            times.append(time.perf_counter() - began)
            db.session.remove()
    print(f"comments in the database:      {count}")
    print(f"comments.xml build (median):   {statistics.median(times) * 1000:.0f} ms")
    print(f"comments.xml size:             {len(body) / 1e6:.2f} MB")

    client = app.test_client()
    rss_before = _rss_mb()
    for n in range(new):
        with app.app_context():
            db.session.add(_comment(episode_id, count + n, start))
            db.session.commit()
        assert client.get("/episodes/ep/comments.xml").status_code == 200
        gz = client.get(
            "/episodes/ep/comments.xml", headers={"Accept-Encoding": "gzip"}
        )
        assert gz.status_code == 200
    cache = app.extensions["podcast_hub.feeds"]
    print(f"after {new} new comments, each polled (plain + gzip):")
    print(f"  rendered-feed cache holds:   {cache.size_bytes() / 1e6:.2f} MB")
    print(f"  resident set size grew:      {_rss_mb() - rss_before:.0f} MB")


def _comment(episode_id, n, start):
    return Comment(
        episode_id=episode_id,
        parent_id=None,
        author=f"Listener {n % 97}",
        email="lee@example.com",
        body=f"{BODY}#{n}",
        timestamp_s=n % 3600,
        status="published",
        created_at=start + timedelta(minutes=n),
    )


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
