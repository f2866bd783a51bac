"""Benchmark the episode page of a big conversation against a small one.

Run from the project folder (not a test; about twenty seconds):

    .venv/bin/python bench/episode_page.py [--big 5000] [--small 50] \
        [--thread 5000] [--repeats 30]

It stores three episodes of one hour in a temporary SQLite file: one with
`--big` comments, one with `--small`, 30% of each being replies (some replies
to replies, a few by the host), top-level comments spread over the audio with
moments, links and times in their words; and one with `--small` such comments
plus a single thread of `--thread` replies (a third answering the thread's
first comment, the rest answering those). Requests go through the app in this
process (Flask's test client), so the times are the server's own. Printed,
medians over the repeats, against the small episode:

(a) GET /episodes/<slug>: time and size of the page, big against small, and
    the page holding the long thread against small (target for both: ratio
    <= 3; the page must not grow with the conversation or with one thread);
(b) GET /episodes/<slug>?comment=<id>: a link to reply number 4,000 of that
    thread (or its last), which lands on the page of the thread holding it
    (reported, no target: finding its place counts the thread in SQL);
(c) GET /api/episodes/<slug>/comments: the whole conversation as JSON, which
    does grow with it (reported, no target), and one page of it (`?page=1`);
(d) GET /api/episodes/<slug>/moments: the timeline's compact JSON.
"""

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from podcast_hub import create_app  # noqa: E402
from podcast_hub.extensions import db  # noqa: E402
from podcast_hub.models import Comment, Episode, Host, Show  # noqa: E402

PAGE_TARGET = 3.0
REPLY_SHARE = 0.3
DURATION_S = 3600
WORDS = (
    "the storm keeper light night sea letters ship fog bell lamp harbour tide "
    "wind cliff story voice quiet remember listen again moment favourite"
).split()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=5000)
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--thread", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        ok = run(Path(folder), args.big, args.small, args.thread, args.repeats)
    sys.exit(0 if ok else 1)


def run(folder, big, small, thread, repeats):
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
            "MEDIA_DIR": str(folder),
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        fill({"big": big, "small": small, "thread": small})
        deep = grow_thread("thread", thread)
        per_page = app.config["COMMENTS_PER_PAGE"]
    client = app.test_client()
    rows = []
    for name, path, slugs in [
        ("page", "/episodes/{slug}", ("small", "big")),
        ("page, long thread", "/episodes/{slug}", ("small", "thread")),
        ("link to reply #4,000", f"/episodes/{{slug}}?comment={deep}", ("thread",)),
        ("comments JSON, all", "/api/episodes/{slug}/comments", ("small", "big")),
        ("comments JSON, ?page=1", "/api/episodes/{slug}/comments?page=1", SIZES),
        ("moments JSON", "/api/episodes/{slug}/moments", ("small", "big")),
    ]:
        measured = {}
        for slug in dict.fromkeys(("small", *slugs)):
            url = path.format(slug=slug if slug in slugs else "small")
            body = client.get(url).get_data()  # warm up: caches, CSRF session
            measured[slug] = (median_ms(client, url, repeats), len(body))
        rows.append((name, measured))
    return report(rows, big, small, thread, per_page, repeats)


SIZES = ("small", "big", "thread")


def grow_thread(slug, count):
    """Add a thread of `count` replies to episode `slug`; return reply 4,000's id.

    A third of the replies answer the thread's first comment, the others one of
    those; one in ten is the host's. Inserted in one statement, oldest first.
    """
    rng = random.Random(5)
    episode = db.session.scalar(sa.select(Episode).where(Episode.slug == slug))
    host = db.session.scalar(sa.select(Host))
    start = datetime(2026, 2, 1, tzinfo=UTC)
    root = Comment(
        episode_id=episode.id,
        author="Listener 1",
        body="Who else stayed up for the storm? " + words(rng),
        timestamp_s=754,
        status="published",
        created_at=start,
    )
    db.session.add(root)
    db.session.flush()
    first_id = db.session.scalar(sa.select(sa.func.max(Comment.id))) + 1
    rows, answers = [], []
    for n in range(count):
        parent = root.id
        if answers and rng.random() < 2 / 3:
            parent = rng.choice(answers)
        else:
            answers.append(first_id + n)
        by_host = rng.random() < 0.1
        rows.append(
            {
                "id": first_id + n,
                "episode_id": episode.id,
                "parent_id": parent,
                "host_id": host.id if by_host else None,
                "is_host": by_host,
                "author": "Hannah Host" if by_host else f"Listener {n % 400}",
                "email": f"listener{n % 400}@example.org",
                "body": words(rng),
                "timestamp_s": None,
                "status": "published",
                "created_at": start + timedelta(seconds=n + 1),
            }
        )
    db.session.execute(sa.insert(Comment), rows)
    db.session.commit()
    return first_id + min(count, 4000) - 1


def fill(sizes):
    """Store the show, a host and one episode per entry of `sizes` with comments."""
    rng = random.Random(4)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    db.session.add(Show(title="Bench", cover="cover.png"))
    host = Host(email="host@example.com", display_name="Hannah Host", password_hash="-")
    db.session.add(host)
    for number, (slug, count) in enumerate(sizes.items(), start=1):
        episode = Episode(
            slug=slug,
            guid=str(uuid.uuid4()),
            title=f"Episode {number}: the lighthouse keepers",
            description="Keepers, storms and letters. The storm begins at 12:34.",
            audio_file=f"{slug}.mp3",
            mime_type="audio/mpeg",
            size_bytes=40_000_000,
            duration_s=DURATION_S,
            published_at=start - timedelta(days=number),
        )
        db.session.add(episode)
        db.session.flush()
        roots, replies = [], []
        for n in range(count):
            reply = bool(roots) and rng.random() < REPLY_SHARE
            parent = None
            if reply:
                parent = rng.choice(replies) if replies and rng.random() < 0.3 else None
                parent = parent or rng.choice(roots)
            by_host = reply and rng.random() < 0.1
            result = db.session.execute(
                sa.insert(Comment).values(
                    episode_id=episode.id,
                    parent_id=parent,
                    host_id=host.id if by_host else None,
                    is_host=by_host,
                    author="Hannah Host" if by_host else f"Listener {n % 400}",
                    email=f"listener{n % 400}@example.org",
                    body=words(rng),
                    timestamp_s=None if reply else rng.randrange(DURATION_S),
                    status="published",
                    created_at=start + timedelta(minutes=n),
                )
            )
            new_id = result.inserted_primary_key[0]
            (replies if reply else roots).append(new_id)
    db.session.commit()


def words(rng):
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(8, 60)))
    if rng.random() < 0.3:
        text += f" at {rng.randrange(60)}:{rng.randrange(60):02d}"
    if rng.random() < 0.1:
        text += " https://example.org/lighthouse"
    return text.capitalize() + "."


def median_ms(client, url, repeats):
    # Start each series clean: the big JSON leaves garbage for the next one.
    gc.collect()
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        response = client.get(url)
        response.get_data()
        times.append(time.perf_counter() - began)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000


def report(rows, big, small, thread, per_page, repeats):
    print(
        f"Episode page: {big} comments, and {small} plus a thread of {thread} "
        f"replies, against {small} (30% replies); {per_page} threads a page, "
        f"median of {repeats}"
    )
    heading = f"{'':24} {'':7} {'small':>10} {'other':>10} {'ratio':>7}"
    print(f"{heading}   size small / other")
    ok = True
    for name, measured in rows:
        small_ms, small_size = measured["small"]
        for slug in [slug for slug in SIZES if slug in measured and slug != "small"]:
            other_ms, other_size = measured[slug]
            ratio = other_ms / small_ms
            size_ratio = other_size / small_size
            line = (
                f"{name:24} {slug:7} {small_ms:8.2f}ms {other_ms:8.2f}ms "
                f"{ratio:6.2f}x   {small_size:,} / {other_size:,} B "
                f"({size_ratio:.2f}x)"
            )
            if name.startswith("page"):
                met = ratio <= PAGE_TARGET and size_ratio <= PAGE_TARGET
                ok = ok and met
                line += f"   target <= {PAGE_TARGET:g}: {'met' if met else 'MISSED'}"
            print(line)
    return ok


if __name__ == "__main__":
    main()
