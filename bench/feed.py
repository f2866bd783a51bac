"""Benchmark the feed of a show of 1,000 episodes: build, warm GET, 304, memory.

Run from the project folder (not a test; about half a minute):

    .venv/bin/python bench/feed.py [--episodes 1000] [--repeats 15]

It builds the show in a temporary SQLite file (every episode with three
chapters and a transcript, every tenth with a soundbite), serves the app with
werkzeug on 127.0.0.1 and fetches as a podcast app polls: a new connection per
request. Printed, medians over the repeats, all measured in this run:

(a) cold build: the feed from the database to bytes, no cache, against a bare
    feedgen build of the same XML from values already at hand (target <= 1.5);
(b) warm GET /feed.xml against GET of a static file of the same size served by
    the same app with `send_from_directory` (target <= 1.5);
(c) conditional GET answered 304, as a fraction of (b) (target <= 0.2), with
    the floor of this server: a bare Flask 304 against a bare Flask response
    of the same bytes;
(d) peak memory: Python allocations traced during one cold build, and the
    process's maximum resident set size.
"""

import argparse
import gc
import http.client
import logging
import resource
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Response, send_from_directory
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feedgen.ext.base import BaseEntryExtension, BaseExtension  # noqa: E402
from feedgen.feed import FeedGenerator  # noqa: E402
from feedgen.util import xml_elem  # noqa: E402

from podcast_hub import create_app, timecode  # noqa: E402
from podcast_hub.extensions import db  # noqa: E402
from podcast_hub.feeds import rss, versions, views
from podcast_hub.models import (  # noqa: E402
    Chapter,
    Episode,
    Host,
    Show,
    Soundbite,
    Transcript,
)

TARGETS = {"build": 1.5, "warm": 1.5, "not_modified": 0.2}
SITE = "http://localhost"
NOTES = (
    "Keepers, storms and the light that never goes out: a conversation about "
    "the people who kept the coast safe, the letters they wrote and the ships "
    "they saw. Café talk, «quotes» and 東京 included. "
) * 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        missed = run(Path(folder), args.episodes, args.repeats)
    sys.exit(1 if missed else 0)


def run(folder, count, repeats):
    media, static = folder / "media", folder / "static"
    media.mkdir()
    static.mkdir()
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
            "MEDIA_DIR": str(media),
            "BASE_URL": SITE,
            "RATELIMIT_ENABLED": False,
        }
    )
    app.add_url_rule(
        "/bench/static/<path:name>",
        "bench_static",
        lambda name: send_from_directory(static, name),
    )
    floor = {}
    app.add_url_rule("/bench/bytes", "bench_bytes", lambda: Response(floor["body"]))
    app.add_url_rule("/bench/304", "bench_304", lambda: Response(status=304))
    m = {"count": count, "repeats": repeats}
    with app.app_context():
        db.create_all()
        fill(count)

        def cold_build(build=views.build_feed):
            db.session.remove()
            with app.test_request_context("/feed.xml"):
                return build(datetime.now(UTC))

        body = cold_build()
        values = plain_values(app)
        assert bare_feedgen(values) == body, "the bare build writes the same feed"
        times = interleaved(
            {
                "build": cold_build,
                "bare": lambda: bare_feedgen(values),
                # The same build with Python's cycle collector left running.
                "collecting": lambda: cold_build(views.build_feed.__wrapped__),
            },
            repeats,
        )
        m.update(times)

        gc.collect()
        tracemalloc.start()
        cold_build()
        m["traced_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        db.session.remove()

    (static / "feed.xml").write_bytes(body)
    floor["body"] = body
    m["size"] = len(body)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_port
        status, headers, served = fetch(port, "/feed.xml")
        assert (status, served) == (200, body), "the served feed is the built one"
        assert fetch(port, "/bench/static/feed.xml")[2] == body
        etag = headers["ETag"]
        gzip = {"Accept-Encoding": "gzip"}
        m["gz_size"] = len(fetch(port, "/feed.xml", gzip)[2])
        conditional = {"If-None-Match": etag}
        times = interleaved(
            {
                "warm": lambda: fetch(port, "/feed.xml"),
                "static_file": lambda: fetch(port, "/bench/static/feed.xml"),
                "not_modified": lambda: fetch(port, "/feed.xml", conditional, 304),
                "gzipped": lambda: fetch(port, "/feed.xml", gzip),
                "floor_bytes": lambda: fetch(port, "/bench/bytes"),
                "floor_304": lambda: fetch(port, "/bench/304", expect=304),
            },
            repeats * 4,
        )
        m.update(times)
    finally:
        server.shutdown()
        thread.join()
    return report(m)


def fill(count):
    """Store a show of `count` episodes, their chapters, transcripts, soundbites."""
    now = datetime.now(UTC).replace(microsecond=0)
    db.session.add(
        Show(
            title="Bench Show — Café",
            description="A show of many episodes.",
            author="Hannah Host",
            owner_name="Hannah Host",
            owner_email="owner@example.com",
            category="Society & Culture > Philosophy",
            cover="cover.jpg",
            funding_url="https://example.org/support",
            funding_text="Support the show",
        )
    )
    db.session.add(
        Host(email="host@example.com", display_name="Hannah Host", password_hash="-")
    )
    for n in range(1, count + 1):
        episode = Episode(
            slug=f"episode-{n}",
            guid=str(uuid.uuid4()),
            title=f"Episode {n}: the lighthouse keepers ☕",
            description=NOTES,
            audio_file=f"episode-{n}.mp3",
            mime_type="audio/mpeg",
            size_bytes=40_000_000 + n,
            duration_s=3600 + n,
            published_at=now - timedelta(days=n),
            season=1 + n // 100,
            number=n,
            image=f"episode-{n}.jpg",
        )
        episode.chapters = [
            Chapter(start_s=0, title="Intro"),
            Chapter(start_s=600, title="The storm", url="https://example.org/storm"),
            Chapter(start_s=1800, title="Letters"),
        ]
        episode.transcripts = [
            Transcript(file=f"episode-{n}.vtt", mime_type="text/vtt", language="en")
        ]
        if n % 10 == 0:
            episode.soundbites = [
                Soundbite(start_s=60, duration_s=30, title="Best bit")
            ]
        db.session.add(episode)
    db.session.commit()


def plain_values(app):
    """Return everything the feed says as plain strings and datetimes."""
    with app.test_request_context("/feed.xml"):
        show, episodes, host_names = versions.feed_content()
        podcast = f"{{{rss.NAMESPACES['podcast']}}}"
        channel_extras = [
            (f"{{{rss.NAMESPACES['itunes']}}}explicit", "false", {}),
            (f"{podcast}guid", rss.podcast_guid(show, f"{SITE}/feed.xml"), {}),
            (f"{podcast}locked", "yes", {"owner": show.owner_email}),
            (f"{podcast}funding", show.funding_text, {"url": show.funding_url}),
            *[(f"{podcast}person", name, {"role": "host"}) for name in host_names],
        ]
        items = []
        for e in episodes:
            page = f"{SITE}/episodes/{e.slug}"
            extras = [
                (f"{{{rss.NAMESPACES['itunes']}}}explicit", "false", {}),
                (
                    f"{{{rss.NAMESPACES['wfw']}}}commentRss",
                    f"{page}/comments.xml",
                    {},
                ),
                (f"{podcast}season", str(e.season), {}),
                (f"{podcast}episode", str(e.number), {}),
                (
                    f"{podcast}chapters",
                    None,
                    {"url": f"{page}/chapters.json", "type": rss.CHAPTERS_TYPE},
                ),
                *[
                    (
                        f"{podcast}transcript",
                        None,
                        {
                            "url": f"{SITE}/media/{t.file}",
                            "type": t.mime_type,
                            "language": t.language,
                            "rel": "captions",
                        },
                    )
                    for t in e.transcripts
                ],
                *[
                    (
                        f"{podcast}soundbite",
                        b.title,
                        {"startTime": str(b.start_s), "duration": str(b.duration_s)},
                    )
                    for b in e.soundbites
                ],
            ]
            items.append(
                {
                    "title": e.title,
                    "link": page,
                    "description": e.description,
                    "guid": e.guid,
                    "published_at": e.published_at,
                    "audio_url": f"{SITE}/media/{e.audio_file}",
                    "size": str(e.size_bytes),
                    "mime_type": e.mime_type,
                    "duration": timecode.itunes(e.duration_s),
                    "season": e.season,
                    "number": e.number,
                    "image": f"{SITE}/media/{e.image}",
                    "extras": extras,
                }
            )
        return {
            "show": show,
            "last_build": rss.last_change(show, episodes),
            "channel_extras": channel_extras,
            "items": items,
        }


class _Extras:
    def __init__(self):
        self.extras = []

    def extend_ns(self):
        return dict(rss.NAMESPACES)

    def extend_rss(self, parent):
        target = parent.find("channel") if parent.tag == "rss" else parent
        for tag, text, attributes in self.extras:
            element = xml_elem(tag, target)
            element.attrib.update(attributes)
            element.text = text
        return parent


class _ChannelExtras(_Extras, BaseExtension):
    pass


class _ItemExtras(_Extras, BaseEntryExtension):
    pass


def bare_feedgen(values):
    """Build the same feed with feedgen alone, from values already at hand."""
    show = values["show"]
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("hub", _ChannelExtras, _ItemExtras, atom=False)
    fg.title(show.title)
    fg.description(show.description)
    fg.language(show.language)
    fg.generator(rss.GENERATOR)
    fg.link(href=f"{SITE}/feed.xml", rel="self", type=rss.RSS_TYPE)
    fg.link(href=f"{SITE}/", rel="alternate")
    fg.lastBuildDate(values["last_build"])
    fg.podcast.itunes_author(show.author)
    fg.podcast.itunes_owner(name=show.owner_name, email=show.owner_email)
    fg.podcast.itunes_summary(show.description)
    fg.podcast.itunes_category(
        {"cat": "Society & Culture", "sub": "Philosophy"}, replace=True
    )
    fg.podcast.itunes_image(f"{SITE}/media/{show.cover}")
    fg.image(url=f"{SITE}/media/{show.cover}", title=show.title, link=f"{SITE}/")
    fg.podcast.itunes_type("episodic")
    fg.hub.extras = values["channel_extras"]
    for item in values["items"]:
        fe = fg.add_entry(order="append")
        fe.title(item["title"])
        fe.link(href=item["link"])
        fe.description(item["description"])
        fe.guid(item["guid"], permalink=False)
        fe.pubDate(item["published_at"])
        fe.enclosure(item["audio_url"], item["size"], item["mime_type"])
        fe.comments(item["link"])
        fe.podcast.itunes_duration(item["duration"])
        fe.podcast.itunes_author(show.author)
        fe.podcast.itunes_episode_type("full")
        fe.podcast.itunes_season(item["season"])
        fe.podcast.itunes_episode(item["number"])
        fe.podcast.itunes_image(item["image"])
        fe.hub.extras = item["extras"]
    return fg.rss_str(pretty=False, encoding="UTF-8", xml_declaration=True)


def fetch(port, path, headers=None, expect=200):
    """GET `path` on a new connection, as a polling podcast app does."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == expect, (path, response.status)
    return response.status, response.headers, body


def interleaved(works, repeats):
    """Return {name: median wall time in seconds} of each of `works`.

    The works take turns, so a busy machine slows them alike; one warm-up run
    of each first.
    """
    times = {name: [] for name in works}
    for work in works.values():
        work()
    for _ in range(repeats):
        for name, work in works.items():
            start = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(found) for name, found in times.items()}


def report(m):
    """Print the figures; return the names of the targets missed."""
    ratios = {
        "build": m["build"] / m["bare"],
        "warm": m["warm"] / m["static_file"],
        "not_modified": m["not_modified"] / m["warm"],
    }
    ms = 1000
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def target(name):
        ok = "ok" if ratios[name] <= TARGETS[name] else "MISSED"
        return f"ratio {ratios[name]:5.2f}  (target <= {TARGETS[name]}: {ok})"

    print(
        f"Feed of {m['count']} episodes: {m['size'] / 1e6:.2f} MB "
        f"({m['gz_size'] / 1e6:.2f} MB gzipped). Medians of {m['repeats']} "
        f"builds and {m['repeats'] * 4} requests, new connection each."
    )
    print(
        f"(a) cold build   {m['build'] * ms:7.1f} ms  bare feedgen "
        f"{m['bare'] * ms:7.1f} ms  {target('build')}"
    )
    print(
        f"    the same build, cycle collector running: {m['collecting'] * ms:.1f} ms,"
        f" ratio {m['collecting'] / m['bare']:.2f}"
    )
    print(
        f"(b) warm GET     {m['warm'] * ms:7.2f} ms  static file  "
        f"{m['static_file'] * ms:7.2f} ms  {target('warm')}"
    )
    print(
        f"(c) 304          {m['not_modified'] * ms:7.2f} ms  of (b)      "
        f"          {target('not_modified')}"
    )
    print(
        f"    floor here:  bare Flask 304 {m['floor_304'] * ms:.2f} ms, bare "
        f"Flask {m['size'] / 1e6:.2f} MB {m['floor_bytes'] * ms:.2f} ms, ratio "
        f"{m['floor_304'] / m['floor_bytes']:.2f}"
    )
    print(
        f"    304 against the static file {m['not_modified'] / m['static_file']:.2f},"
        f" against a cold build {m['not_modified'] / m['build']:.3f}"
    )
    print(f"    warm GET gzip {m['gzipped'] * ms:7.2f} ms")
    print(
        f"(d) peak memory  {m['traced_peak'] / 1e6:7.1f} MB traced in one cold "
        f"build; process max RSS {rss_mb:.0f} MB"
    )
    missed = [name for name, ratio in ratios.items() if ratio > TARGETS[name]]
    print("all targets met" if not missed else f"missed: {', '.join(missed)}")
    return missed


if __name__ == "__main__":
    main()
