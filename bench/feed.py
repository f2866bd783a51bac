"""Benchmark feed polls of a show of 1,000 episodes behind gunicorn, against floors.

Run from the project folder (not a test; a minute or two):

    .venv/bin/python bench/feed.py [--episodes 1000] [--rounds 15] [--polls 200]

It builds the show in a temporary SQLite file (every episode with notes, art,
three chapters and a transcript, every tenth with a soundbite), starts
gunicorn with the project's `gunicorn.conf.py` and 2 sync workers on
127.0.0.1, serving the app with two bare views beside it (`bench/serve.py`),
and fetches as a podcast app polls: a new connection per request. Both sides
of each pair take turns in the same run; medians are printed.

(a) a conditional GET of /feed.xml answered 304, against a bare Flask view
    on the same server answering 304 with no database (target <= 1.2);
(b) the first poll of /feed.xml after a host edits one episode, on every
    worker (each worker's first answer with the new ETag), against a bare
    feedgen build of the same feed served by the same server, from values
    prepared beforehand (target <= 1.5). The script checks that the bare
    build writes the very bytes the product serves.

Exit status 1 if a target is missed.
"""

import argparse
import functools
import http.client
import os
import pickle
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from feedgen.ext.base import BaseEntryExtension, BaseExtension  # noqa: E402
from feedgen.feed import FeedGenerator  # noqa: E402
from feedgen.util import xml_elem  # noqa: E402

TARGETS = {"not_modified": 1.2, "first_poll": 1.5}
SITE = "http://localhost"
NOTES = (
    "Keepers, storms and the light that never goes out: a conversation about "
    "the people who kept the coast safe, the letters they wrote and the ships "
    "they saw. Café talk, «quotes» and 東京 included. "
) * 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=15, help="edits, for (b)")
    parser.add_argument("--polls", type=int, default=200, help="304s, for (a)")
    args = parser.parse_args()
    # Stopped, it stops its servers too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    with tempfile.TemporaryDirectory() as folder:
        missed = run(Path(folder), args)
    sys.exit(1 if missed else 0)


def settings(folder):
    return {
        "SECRET_KEY": "bench",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
        "MEDIA_DIR": str(folder / "media"),
        "BASE_URL": SITE,
    }


def run(folder, args):
    from podcast_hub import create_app
    from podcast_hub.extensions import db

    (folder / "media").mkdir()
    app = create_app(settings(folder))
    with app.app_context():
        db.create_all()
        fill(args.episodes)
        values = plain_values(app)
        body = bare_feedgen(values)
        db.session.remove()
    (folder / "values.pickle").write_bytes(pickle.dumps(values))
    m = {"count": args.episodes, "size": len(body)}
    with gunicorn(folder) as port:
        status, headers, served = fetch(port, "/feed.xml")
        assert served == body, "the bare feedgen build writes the product's bytes"
        for _ in range(6):
            fetch(port, "/bench/feedgen")  # each worker reads the prepared values
        m.update(polls(port, args.polls))
        m.update(edits(app, port, args.rounds))
        with app.app_context():
            final = bare_feedgen(plain_values(app))
            db.session.remove()
        assert fetch(port, "/feed.xml")[2] == final, "still the same bytes"
    return report(m, args)


class gunicorn:
    """Serve bench/serve.py with gunicorn.conf.py and 2 sync workers."""

    def __init__(self, folder):
        self.folder = folder

    def __enter__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = dict(os.environ)
        env.update(
            {
                f"PODCAST_HUB_{key}": value
                for key, value in settings(self.folder).items()
            }
        )
        env.update(
            PODCAST_HUB_BIND=f"127.0.0.1:{self.port}",
            WEB_CONCURRENCY="2",
            GUNICORN_ACCESSLOG="",
            # No worker replaced in the middle of a measurement.
            GUNICORN_MAX_REQUESTS="0",
            BENCH_FEEDGEN_VALUES=str(self.folder / "values.pickle"),
        )
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "--pythonpath",
                str(HERE),
                "--log-level",
                "warning",
                "serve:app",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                fetch(self.port, "/bench/304", expect=304)
                break
            except (OSError, AssertionError):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.process.kill()
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        return self.port

    def __exit__(self, *_):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)


def polls(port, count):
    """(a): the product's 304 and the bare 304, taking turns."""
    etag = fetch(port, "/feed.xml")[1]["ETag"]
    works = {
        "not_modified": lambda: fetch(port, "/feed.xml", {"If-None-Match": etag}, 304),
        "floor_304": lambda: fetch(port, "/bench/304", expect=304),
        "quiet_304": lambda: fetch(port, "/bench/304-quiet", expect=304),
    }
    return interleaved(works, count)


def edits(app, port, rounds):
    """(b): edit one episode, then poll until every worker has answered the new
    version; against the bare feedgen build, taking turns."""
    from podcast_hub.catalog import publishing
    from podcast_hub.extensions import db
    from podcast_hub.models import Episode

    first, others, bare, workers = [], [], [], set()
    etag = fetch(port, "/feed.xml")[1]["ETag"]
    for n in range(rounds):
        with app.app_context():
            episode = db.session.get(
                Episode, 1 + (n * 37) % db.session.query(Episode).count()
            )
            publishing.update_episode(
                episode,
                title=f"Episode {episode.number}: the lighthouse keepers, take {n}",
                slug=episode.slug,
                description=episode.description,
                season=episode.season,
                number=episode.number,
                episode_type=episode.episode_type,
                explicit=episode.explicit,
                publication="now",
            )
            db.session.remove()
        if n % 2:
            bare.append(timed(lambda: fetch(port, "/bench/feedgen"))[0])
        seen = {}
        # An idle machine may hand one worker many connections in a row.
        for _ in range(2000):
            elapsed, (status, headers, _body) = timed(
                functools.partial(fetch, port, "/feed.xml", {"If-None-Match": etag})
            )
            worker = headers["X-Bench-Worker"]
            assert status == 200, "an edit changes the feed"
            seen.setdefault(worker, (elapsed, headers["ETag"]))
            if len(seen) == 2:
                break
        else:
            raise RuntimeError("one worker never answered")
        workers.update(seen)
        (first_time, new_etag), (other_time, other_etag) = sorted(
            seen.values(), key=lambda found: -found[0]
        )
        assert new_etag == other_etag, "one ETag on every worker"
        etag = new_etag
        first.append(first_time)
        others.append(other_time)
        if not n % 2:
            bare.append(timed(lambda: fetch(port, "/bench/feedgen"))[0])
    return {
        "first_poll": statistics.median(first),
        "other_worker": statistics.median(others),
        "bare_build": statistics.median(bare),
        "worst_first": max(first),
        "workers": len(workers),
    }


def timed(work):
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def fill(count):
    """Store a show of `count` episodes, their chapters, transcripts, soundbites."""
    from podcast_hub.extensions import db
    from podcast_hub.models import (
        Chapter,
        Episode,
        Host,
        Person,
        Show,
        Soundbite,
        Transcript,
    )

    now = datetime.now(UTC).replace(microsecond=0)
    show = Show(
        title="Bench Show — Café",
        description="A show of many episodes. About *keepers* of lights.",
        author="Hannah Host",
        owner_name="Hannah Host",
        owner_email="owner@example.com",
        category="Society & Culture > Philosophy",
        cover="cover.jpg",
        funding_url="https://example.org/support",
        funding_text="Support the show",
        podcast_guid=str(uuid.uuid4()),
    )
    show.people = [Person(name="Hannah Host", role="host")]
    db.session.add(show)
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
    """Return everything the feed says as plain strings and datetimes.

    The show notes are made HTML and text here, by the product's own functions:
    the bare build pays for neither the database, nor Markdown, nor URLs.
    """
    from podcast_hub.feeds import rss, versions
    from podcast_hub.text import markdown, timecode

    itunes = f"{{{rss.NAMESPACES['itunes']}}}"
    podcast = f"{{{rss.NAMESPACES['podcast']}}}"
    with app.test_request_context("/feed.xml"):
        show, episodes, people = versions.feed_content()
        channel_extras = [
            (f"{itunes}explicit", "false", {}),
            (f"{podcast}guid", show.podcast_guid, {}),
            (f"{podcast}locked", "yes", {"owner": show.owner_email}),
            (f"{podcast}funding", show.funding_text, {"url": show.funding_url}),
            *[
                (f"{podcast}person", p.name, {"role": p.role, "group": p.group_name})
                for p in people
            ],
            (f"{podcast}medium", "podcast", {}),
        ]
        summary = markdown.as_text(show.description)
        channel = SimpleNamespace(
            title=show.title,
            description=markdown.for_apps(show.description, f"{SITE}/"),
            language=show.language,
            author=show.author,
            owner_name=show.owner_name,
            owner_email=show.owner_email,
            summary=summary,
            subtitle=markdown.first_sentence(summary, rss.SUBTITLE_MAX),
            cover=f"{SITE}/media/{show.cover}",
            last_build=rss.last_change(show, episodes),
            extras=channel_extras,
        )
        items = []
        for e in episodes:
            page = f"{SITE}/episodes/{e.slug}"
            notes = markdown.for_apps(e.description, page, e.duration_s)
            text = markdown.text_of(notes)
            extras = [
                (f"{itunes}explicit", "false", {}),
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
                SimpleNamespace(
                    title=e.title,
                    link=page,
                    notes=notes,
                    summary=text[: rss.SUMMARY_MAX],
                    subtitle=markdown.first_sentence(text, rss.SUBTITLE_MAX),
                    guid=e.guid,
                    published_at=e.published_at,
                    audio_url=f"{SITE}/media/{e.audio_file}",
                    size=str(e.size_bytes),
                    mime_type=e.mime_type,
                    duration=timecode.itunes(e.duration_s),
                    episode_type=e.episode_type,
                    season=e.season,
                    number=e.number,
                    image=f"{SITE}/media/{e.image}",
                    extras=extras,
                )
            )
        return {"show": channel, "items": items, "generator": rss.GENERATOR}


class _Extras:
    def __init__(self):
        self.extras = []

    def extend_ns(self):
        return {
            "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
            "podcast": "https://podcastindex.org/namespace/1.0",
            "wfw": "http://wellformedweb.org/CommentAPI/",
            "dc": "http://purl.org/dc/elements/1.1/",
            "atom": "http://www.w3.org/2005/Atom",
        }

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
    fg.generator(values["generator"])
    fg.link(href=f"{SITE}/feed.xml", rel="self", type="application/rss+xml")
    fg.link(href=f"{SITE}/", rel="alternate")
    fg.lastBuildDate(show.last_build)
    fg.podcast.itunes_author(show.author)
    fg.podcast.itunes_owner(name=show.owner_name, email=show.owner_email)
    fg.podcast.itunes_summary(show.summary)
    fg.podcast.itunes_subtitle(show.subtitle)
    fg.podcast.itunes_category(
        {"cat": "Society & Culture", "sub": "Philosophy"}, replace=True
    )
    fg.podcast.itunes_image(show.cover)
    fg.image(url=show.cover, title=show.title, link=f"{SITE}/")
    fg.podcast.itunes_type("episodic")
    fg.hub.extras = show.extras
    for item in values["items"]:
        fe = fg.add_entry(order="append")
        fe.title(item.title)
        fe.link(href=item.link)
        fe.description(item.notes)
        fe.content(item.notes, type="CDATA")
        fe.guid(item.guid, permalink=False)
        fe.pubDate(item.published_at)
        fe.enclosure(item.audio_url, item.size, item.mime_type)
        fe.comments(item.link)
        fe.podcast.itunes_duration(item.duration)
        fe.podcast.itunes_author(show.author)
        fe.podcast.itunes_episode_type(item.episode_type)
        fe.podcast.itunes_summary(item.summary)
        fe.podcast.itunes_subtitle(item.subtitle)
        fe.podcast.itunes_season(item.season)
        fe.podcast.itunes_episode(item.number)
        fe.podcast.itunes_image(item.image)
        fe.hub.extras = item.extras
    body = fg.rss_str(pretty=False, encoding="UTF-8", xml_declaration=True)
    # The line that shows the feed as a page in a browser, as the product adds.
    from podcast_hub.feeds import rss

    return rss.with_stylesheet(body, "/feed.xsl")


def fetch(port, path, headers=None, expect=None):
    """GET `path` on a new connection, as a polling podcast app does."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if expect is not None:
        assert response.status == expect, (path, response.status)
    return response.status, response.headers, body


def interleaved(works, repeats):
    """Return {name: median wall time in seconds} of each of `works`, taking
    turns so that a busy machine slows them alike; a few warm-up runs first."""
    times = {name: [] for name in works}
    for _ in range(4):
        for work in works.values():
            work()
    for _ in range(repeats):
        for name, work in works.items():
            times[name].append(timed(work)[0])
    return {name: statistics.median(found) for name, found in times.items()}


def report(m, args):
    """Print the figures; return the names of the targets missed."""
    ratios = {
        "not_modified": m["not_modified"] / m["floor_304"],
        "first_poll": m["first_poll"] / m["bare_build"],
    }
    ms = 1000

    def target(name):
        ok = "ok" if ratios[name] <= TARGETS[name] else "MISSED"
        return f"ratio {ratios[name]:5.2f}  (target <= {TARGETS[name]}: {ok})"

    print(
        f"Feed of {m['count']} episodes, {m['size'] / 1e6:.2f} MB, gunicorn with "
        f"2 sync workers; a new connection per request, medians."
    )
    print(
        f"(a) 304 of /feed.xml   {m['not_modified'] * ms:7.2f} ms  bare Flask 304 "
        f"{m['floor_304'] * ms:7.2f} ms  {target('not_modified')}"
        f"  [{args.polls} each]"
    )
    print(
        f"    against a bare 304 that skips the session and the limiter as the "
        f"feed does: {m['quiet_304'] * ms:.2f} ms, ratio "
        f"{m['not_modified'] / m['quiet_304']:.2f}"
    )
    print(
        f"(b) first poll after an edit {m['first_poll'] * ms:7.1f} ms  bare feedgen "
        f"{m['bare_build'] * ms:7.1f} ms  {target('first_poll')}"
        f"  [{args.rounds} edits]"
    )
    print(
        f"    the other worker's first poll {m['other_worker'] * ms:.1f} ms "
        f"(ratio {m['other_worker'] / m['bare_build']:.2f}); slowest first poll "
        f"{m['worst_first'] * ms:.1f} ms; {m['workers']} workers seen"
    )
    missed = [name for name, ratio in ratios.items() if ratio > TARGETS[name]]
    print("all targets met" if not missed else f"missed: {', '.join(missed)}")
    return missed


if __name__ == "__main__":
    main()
