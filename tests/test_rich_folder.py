"""End to end: a rich media folder, imported with `hub import`, read by four
feed parsers (feedparser, podcastparser, podcast-partytime, rss-parser) as it
goes through a moved file, a changed slug, a deleted file, `--prune` and a
rebuilt database; and `hub check` telling the truth about what is wrong with it
until each thing is fixed.

The folder holds every audio format of the fixtures (MP3, M4A, raw AAC, Ogg
Vorbis, Opus, FLAC, WAV), episodes in two formats, art named `.jpeg`, `.JPG`,
`.PNG` and art embedded in the audio, a VBR MP3 without a Xing header, an
episode sidecar with every key, a chapters file with `img` and `toc: false`,
transcripts, and a `show.toml` with every key. One journey through it runs
once for the module; each test reads what one step left.
"""

import calendar
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from podcast_hub.extensions import db
from podcast_hub.models import Comment, Episode
from podcast_hub.text import timecode

from . import helpers
from .conftest import _STORES, AUDIO_FIXTURES, FIXTURES, Clock, make_app
from .test_feed import (
    APP_TAGS,
    Shown,
    assert_no_script_anywhere,
    read_with_feedparser,
    read_with_node,
    read_with_partytime,
    read_with_podcastparser,
)

SIDECARS = FIXTURES / "sidecars"
BASE = "http://localhost"
# The app's clock while the journey runs; the files were saved before it.
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)

# stem → {extension: fixture}; the first extension Apple lists is the enclosure.
FOLDER = {
    "01-leuchtturm": {"mp3": "speech.mp3", "opus": "speech.opus"},
    "02-kapitel": {"m4a": "chapters.m4a", "flac": "speech.flac"},
    "03-rauschen": {"mp3": "vbr-no-xing.mp3", "wav": "speech.wav"},
    "04-nur-ogg": {"ogg": "speech.ogg"},
    "05-roh": {"mp3": "longer.mp3", "aac": "speech.aac"},
    "06-eingebettet": {"mp3": "chapters.mp3", "flac": "art.flac"},
    "07-id3": {"m4a": "speech.m4a", "wav": "id3.wav"},
}
MAIN = {"mp3": 0, "m4a": 1}
TYPES = {
    "mp3": "audio/mpeg",
    "m4a": "audio/x-m4a",
    "aac": "audio/aac",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "flac": "audio/flac",
    "wav": "audio/wav",
}
# Episode art of every spelling, and how the feed links it (Apple's endings).
ART = {
    "01-leuchtturm.jpeg": ("JPEG", "01-leuchtturm.jpg"),
    "02-kapitel.JPG": ("JPEG", "02-kapitel.jpg"),
    "03-rauschen.PNG": ("PNG", "03-rauschen.png"),
}
MOVED = "03-rauschen"
DELETED = "05-roh"
SHOW_GUID = "917393e3-1b1e-5cef-ace4-edaa54e1f810"

NOTES = """## Notizen zu {title}

Ein **Leuchtturm**, ein [Sturm](https://example.org/sturm) & <voices> ab 0:02.

<script>alert("{stem}")</script>
"""

# Every key an episode's sidecar takes (episodes/README.md).
EVERY_KEY = '''title = "Die Leuchtturmwärterin — 灯台"
published = 2025-03-30T09:15:00+02:00
season = 2
number = 5
type = "bonus"
explicit = true
slug = "lighthouse-keeper"
guid = "momente-2-5"
author = "Ada Gast & Zoë Ørsted"
notes = """{notes}"""

[[person]]
name = "Ada Gast"
img = "https://example.com/ada.jpg"
href = "https://example.com/ada"

[[person]]
name = "Ben Ton"
role = "Audio Editor"
group = "Audio Post-production"
'''


def title_of(stem):
    return (
        "Die Leuchtturmwärterin — 灯台" if stem == "01-leuchtturm" else f"Folge {stem}"
    )


def saved_at(n):
    """Return when the files of the n-th episode were saved (their mtime)."""
    return datetime(2025, 4, n, 8, 30, tzinfo=UTC)


def set_mtime(path, moment):
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def edit_toml(path, **changes):
    """Replace (or with None remove, or else append) one-line `key = value`s."""
    text = path.read_text("utf-8")
    for key, value in changes.items():
        line = f"{key} = {value}\n" if value is not None else ""
        text, found = re.subn(rf"(?m)^{key} = .*\n", line, text)
        if not found:
            text += line
    path.write_text(text, "utf-8")


def build_folder(media):
    """Lay out the rich folder in `media` from the committed fixtures."""
    for n, (stem, formats) in enumerate(FOLDER.items(), start=1):
        for extension, fixture in formats.items():
            shutil.copyfile(AUDIO_FIXTURES / fixture, media / f"{stem}.{extension}")
        notes = NOTES.format(title=title_of(stem), stem=stem)
        if stem == "01-leuchtturm":
            sidecar = EVERY_KEY.format(notes=notes)
            for name in ("talk.chapters.json", "talk.vtt", "talk.es.srt"):
                target = name.replace("talk", stem)
                shutil.copyfile(SIDECARS / name, media / target)
        else:
            sidecar = (
                f'title = "{title_of(stem)}"\nseason = 1\nnumber = {n}\n'
                f'notes = """{notes}"""\n'
            )
        (media / f"{stem}.toml").write_text(sidecar, "utf-8")
    for name, (fmt, _) in ART.items():
        Image.new("RGB", (1400, 1400), (51, 102, 204)).save(media / name, fmt)
    for n, stem in enumerate(FOLDER, start=1):
        for path in media.glob(f"{stem}.*"):
            set_mtime(path, saved_at(n))
    # Deliberate problems: a cover that is not square, a category Apple does not
    # list, no owner name (and 04-nur-ogg only in Ogg).
    Image.new("RGB", (1400, 1000), (204, 102, 51)).save(media / "cover.PNG", "PNG")
    show = media / "show.toml"
    shutil.copyfile(SIDECARS / "show.toml", show)
    edit_toml(
        show,
        category='"Tech"',
        owner_name=None,
        cover='"cover.PNG"',
        license_url='"https://example.com/licence"',
        license='"momente-lizenz-1.0"',
    )
    set_mtime(show, saved_at(1))


# What each parser reads, in one shape: {"channel": {...}, "items": {guid: {...}}},
# with only the fields that parser exposes.


def _shown(html):
    """Return what an app that renders `html` shows: tags, text and links
    (parsers differ in how much they decode; what is shown must not)."""
    shown = Shown(html)
    return tuple(shown.tags), shown.text, tuple(shown.links)


def _epoch(iso):
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def _person(name, role, group, href=None, img=None):
    return (name, role.lower(), group.lower(), href, img)


def from_feedparser(parsed):
    feed = parsed.feed
    channel = {
        "title": feed.title,
        "podcast_guid": feed.podcast_guid,
        "medium": feed.podcast_medium,
        # With a url attribute, feedparser keeps the attributes, not the text.
        **(
            {"license_url": feed.podcast_license["url"]}
            if isinstance(feed.podcast_license, dict)
            else {"license": feed.podcast_license}
        ),
        "copyright": feed.rights,
        "type": feed.itunes_type,
        "owner": (feed.publisher_detail.name, feed.publisher_detail.email),
        "cover": feed.image.href,
        "category": [t.term for t in feed.tags if t.scheme == "http://www.itunes.com/"],
        "update_rrule": feed.podcast_updatefrequency["rrule"],
        "html": [feed.summary],
    }
    items = {}
    for entry in parsed.entries:
        [enclosure] = entry.enclosures
        items[entry.id] = {
            "title": entry.title,
            "link": entry.link,
            "enclosure": (enclosure.href, int(enclosure.length), enclosure.type),
            "published": calendar.timegm(entry.published_parsed),
            "notes_html": _shown(entry.content[0].value),
            "html": [entry.content[0].value],
            "duration": timecode.parse(entry.itunes_duration),
            "image": entry.get("image", {}).get("href"),
            "numbers": (int(entry.itunes_season), int(entry.itunes_episode)),
            "author": entry.author,
            # feedparser keeps the last of repeated namespaced tags only.
            "alternate_last": (
                entry.podcast_source["uri"],
                entry.podcast_alternateenclosure["type"],
                int(entry.podcast_alternateenclosure["length"]),
            )
            if "podcast_source" in entry
            else None,
        }
    return {"channel": channel, "items": items}


def from_podcastparser(parsed):
    channel = {
        "title": parsed["title"],
        "type": parsed["type"],
        "owner": (parsed["itunes_owner"]["name"], parsed["itunes_owner"]["email"]),
        "cover": parsed["cover_url"],
        "category": [" > ".join(c) for c in parsed["itunes_categories"]],
        "html": [parsed["description"]],
    }
    items = {}
    for episode in parsed["episodes"]:
        [enclosure] = episode["enclosures"]
        items[episode["guid"]] = {
            "title": episode["title"],
            "link": episode["link"],
            "enclosure": (
                enclosure["url"],
                enclosure["file_size"],
                enclosure["mime_type"],
            ),
            "published": episode["published"],
            "notes_html": _shown(episode["description_html"]),
            "html": [episode["description_html"]],
            "duration": episode["total_time"],
            "image": episode.get("episode_art_url"),
            "numbers": (episode["season"], episode["number"]),
            "author": episode["itunes_author"],
        }
    return {"channel": channel, "items": items}


def from_partytime(parsed):
    channel = {
        "title": parsed["title"],
        "podcast_guid": parsed["guid"],
        "medium": parsed["medium"],
        "license": parsed["license"]["identifier"],
        "license_url": parsed["license"].get("url"),
        "copyright": parsed["copyright"],
        "type": parsed["itunesType"],
        "owner": (parsed["owner"]["name"], parsed["owner"]["email"]),
        "cover": parsed["itunesImage"],
        "people": [
            _person(p["name"], p["role"], p["group"], p.get("href"), p.get("img"))
            for p in parsed["podcastPeople"]
        ],
        "txt": [(t.get("purpose"), t["value"]) for t in parsed["podcastTxt"]],
        "html": [parsed["description"]],
    }
    items = {}
    for item in parsed["items"]:
        alternates = [
            (a["source"][0]["uri"], a["type"], a["length"], a.get("default", False))
            for a in item.get("alternativeEnclosures", [])
        ]
        items[item["guid"]] = {
            "title": item["title"],
            "link": item["link"],
            "enclosure": tuple(item["enclosure"][k] for k in ("url", "length", "type")),
            "published": _epoch(item["pubDate"]),
            "notes_html": _shown(item["content"]),
            "html": [item["content"], item["description"]],
            "duration": item["duration"],
            "image": item.get("itunesImage"),
            "numbers": (item.get("itunesSeason"), item.get("itunesEpisode")),
            "author": item["author"],
            "people": [
                _person(p["name"], p["role"], p["group"], p.get("href"), p.get("img"))
                for p in item.get("podcastPeople", [])
            ],
            "alternates": alternates,
            "alternate_last": alternates[-1][:3] if alternates else None,
        }
    return {"channel": channel, "items": items}


def from_rss_parser(parsed):
    itunes = parsed["itunes"]
    channel = {
        "title": parsed["title"],
        "podcast_guid": parsed["podcast:guid"],
        "medium": parsed["podcast:medium"],
        "license": parsed["podcast:license"],
        "copyright": parsed["copyright"],
        "type": parsed["itunes:type"],
        "owner": (itunes["owner"]["name"], itunes["owner"]["email"]),
        "cover": itunes["image"],
        "category": [
            " > ".join([c["name"], *(s["name"] for s in c["subs"] or [])])
            for c in itunes["categoriesWithSubs"]
        ],
        "people": [
            _person(p["_"], p["$"]["role"], p["$"]["group"], *_href_img(p))
            for p in parsed["podcastPeople"]
        ],
        "txt": [
            (t["$"].get("purpose"), t["_"]) if isinstance(t, dict) else (None, t)
            for t in parsed["podcastTxt"]
        ],
        "html": [parsed["description"]],
    }
    items = {}
    for item in parsed["items"]:
        enclosure = item["enclosure"]
        items[item["guid"]] = {
            "title": item["title"],
            "link": item["link"],
            "enclosure": (
                enclosure["url"],
                int(enclosure["length"]),
                enclosure["type"],
            ),
            "published": _epoch(item["isoDate"]),
            "notes_html": _shown(item["content:encoded"]),
            "html": [item["content:encoded"], item["content"]],
            "duration": timecode.parse(item["itunes"]["duration"]),
            "image": item["itunes"].get("image"),
            "numbers": (int(item["itunes"]["season"]), int(item["itunes"]["episode"])),
            "author": item["itunes"]["author"],
            "people": [
                _person(p["_"], p["$"]["role"], p["$"]["group"], *_href_img(p))
                for p in item.get("podcastPeople", [])
            ],
        }
    return {"channel": channel, "items": items}


def _href_img(person):
    return person["$"].get("href"), person["$"].get("img")


@dataclass
class Feed:
    """The feed at one step, as each parser read it, and what they agree on."""

    data: bytes
    views: dict
    channel: dict = field(default_factory=dict)
    items: dict = field(default_factory=dict)


def read_feed(client):
    """Fetch /feed.xml, read it with all four parsers, assert that they agree
    on every field two or more of them expose; return the agreed feed."""
    response = client.get("/feed.xml")
    assert response.status_code == 200
    raw = {
        "feedparser": read_with_feedparser(response),
        "podcastparser": read_with_podcastparser(response),
        "partytime": read_with_partytime(response),
        "rss-parser": read_with_node("rss-parser.mjs", response),
    }
    for parsed in raw.values():
        assert_no_script_anywhere(parsed)
    views = {
        "feedparser": from_feedparser(raw["feedparser"]),
        "podcastparser": from_podcastparser(raw["podcastparser"]),
        "partytime": from_partytime(raw["partytime"]),
        "rss-parser": from_rss_parser(raw["rss-parser"]),
    }
    feed = Feed(response.data, views)
    feed.channel = _agreed({name: view["channel"] for name, view in views.items()})
    guids = {name: set(view["items"]) for name, view in views.items()}
    assert len({frozenset(g) for g in guids.values()}) == 1, guids
    for guid in guids["feedparser"]:
        feed.items[guid] = _agreed(
            {name: view["items"][guid] for name, view in views.items()}
        )
    return feed


# Fields a parser reads its own way: compared with what is expected, not across.
_OWN = {"html", "category"}


def _agreed(readings):
    agreed = {}
    keys = {key for reading in readings.values() for key in reading}
    for key in sorted(keys - _OWN):
        values = {name: r[key] for name, r in readings.items() if key in r}
        first = next(iter(values.values()))
        assert all(v == first for v in values.values()), (key, values)
        agreed[key] = first
    for key in _OWN & keys:
        agreed[key] = {name: r[key] for name, r in readings.items() if key in r}
    return agreed


@dataclass
class Step:
    """What one step of the journey left: the import's and the check's output,
    and the feed."""

    imported: object
    checked: object
    feed: Feed
    # The media folder then: each file's path and size.
    files: dict
    # What /media/ answered then to HEAD of each file the feed named: status,
    # Content-Length, type.
    served: dict


@dataclass
class Journey:
    media: Path
    steps: dict = field(default_factory=dict)
    apps: list = field(default_factory=list)
    comment_guid: dict = field(default_factory=dict)
    redirect: object = None
    # Guids and slugs of episodes by stem, as the first import made them.
    first: dict = field(default_factory=dict)


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["hub", *args])


def _step(journey, name, app, *import_args):
    imported = _run(app, "import", *import_args)
    assert imported.exception is None or isinstance(imported.exception, SystemExit)
    checked = _run(app, "check")
    files = {
        path.relative_to(journey.media).as_posix(): path.stat().st_size
        for path in journey.media.rglob("*")
        if path.is_file()
    }
    client = app.test_client()
    feed = read_feed(client)
    served = {}
    for item in [*feed.items.values(), {"enclosure": [feed.channel["cover"]]}]:
        urls = [item["enclosure"][0], *(a[0] for a in item.get("alternates", []))]
        for url in [*urls, *filter(None, [item.get("image")])]:
            with client.head(url.removeprefix(BASE)) as response:
                served[url] = (
                    response.status_code,
                    response.headers.get("Content-Length"),
                    response.mimetype,
                )
    journey.steps[name] = Step(imported, checked, feed, files, served)


def _episodes(app):
    with app.app_context():
        return {
            Path(e.audio_file).name.rsplit(".", 1)[0]: e
            for e in db.session.scalars(sa.select(Episode)).all()
        }


def _comments_feed_guids(client, slug):
    response = client.get(f"/episodes/{slug}/comments.xml")
    assert response.status_code == 200
    return re.findall(rb"<guid[^>]*>([^<]+)</guid>", response.data)


@pytest.fixture(scope="module")
def journey(tmp_path_factory, worker_id):
    """Walk the rich folder through every step once; return what each left.

    On SQLite only: the journey is about files, parsers and guids, and its apps
    outlive single tests, which PostgreSQL's one database per worker does not
    allow."""
    sqlite = _STORES.get("sqlite", tmp_path_factory, worker_id)
    root = tmp_path_factory.mktemp("rich")
    media = root / "media"
    media.mkdir()
    build_folder(media)
    result = Journey(media)

    def new_app(name):
        folder = root / name
        folder.mkdir()
        url = sqlite.for_test(folder)
        app = make_app({"DATABASE_URL": url, "MEDIA_DIR": media})
        result.apps.append(app)
        helpers.use_app(app)
        return app

    with pytest.MonkeyPatch.context() as patch:
        clock = Clock(NOW)
        patch.setattr("podcast_hub.clock.now", clock)
        app = new_app("first")
        _step(result, "first", app)
        result.first = {
            stem: (e.guid, e.slug, e.published_at) for stem, e in _episodes(app).items()
        }
        moved = _episodes(app)[MOVED]
        helpers.make_comment(moved, body="Bei 0:02 fängt es an.", timestamp_s=2)
        client = app.test_client()
        result.comment_guid["before"] = _comments_feed_guids(client, moved.slug)

        # The moved episode's files go to season2/; episode 1 gets a new slug.
        (media / "season2").mkdir()
        for path in media.glob(f"{MOVED}.*"):
            path.rename(media / "season2" / path.name)
        sidecar = media / "01-leuchtturm.toml"
        edit_toml(sidecar, slug='"die-leuchtturmwaerterin"')
        set_mtime(sidecar, NOW + timedelta(minutes=5))
        clock.advance(hours=1)
        _step(result, "moved", app)
        result.comment_guid["after"] = _comments_feed_guids(client, moved.slug)
        result.redirect = client.get("/episodes/lighthouse-keeper")

        for path in media.glob(f"{DELETED}.*"):
            path.unlink()
        _step(result, "deleted", app)
        _step(result, "pruned", app, "--prune")

        # A new database, the same folder.
        app = new_app("rebuilt")
        _step(result, "rebuilt", app)

        # Each deliberate problem fixed.
        Image.new("RGB", (1400, 1400), (204, 102, 51)).save(media / "cover.PNG", "PNG")
        show = media / "show.toml"
        edit_toml(show, category='"Technology"', owner_name='"Zoë Ørsted"')
        set_mtime(show, clock.now + timedelta(minutes=5))
        shutil.copyfile(AUDIO_FIXTURES / "qt-chapters.m4a", media / "04-nur-ogg.m4a")
        clock.advance(hours=1)
        _step(result, "fixed", app)
    yield result
    helpers.use_app(None)
    for app in result.apps:
        with app.app_context():
            db.engine.dispose()


def expected_items(files):
    """Return the enclosure and alternate enclosures the feed must give each
    episode, read from `files` (the folder at one step: path → size)."""
    groups = {}
    for path, size in files.items():
        stem, _, extension = path.rpartition(".")
        if extension in TYPES:
            groups.setdefault(stem, []).append((extension, size))
    items = {}
    for stem, formats in groups.items():
        formats.sort(key=lambda f: (MAIN.get(f[0], 9), f[0]))
        sources = [
            (f"{BASE}/media/{stem}.{ext}", TYPES[ext], size) for ext, size in formats
        ]
        url, kind, size = sources[0]
        items[stem.rpartition("/")[2]] = {
            "enclosure": (url, size, kind),
            "alternates": sources if len(sources) > 1 else [],
        }
    return items


def by_stem(feed):
    """Return the feed's items keyed by the stem of their enclosure's file."""
    return {
        item["enclosure"][0].rsplit("/", 1)[1].rsplit(".", 1)[0]: dict(item, guid=guid)
        for guid, item in feed.items.items()
    }


STEPS_BEFORE_REBUILD = ("first", "moved", "deleted", "pruned")
ALL_STEPS = (*STEPS_BEFORE_REBUILD, "rebuilt", "fixed")


def present_in(step):
    return [s for s in FOLDER if s != DELETED or step in ("first", "moved")]


@pytest.mark.parametrize("step", ALL_STEPS)
def test_every_parser_reads_every_episode_and_file(journey, step):
    """Items, enclosures and alternate enclosures are the files in the folder,
    by all four parsers alike (`read_feed` asserts they agree)."""
    feed = journey.steps[step].feed
    items = by_stem(feed)
    assert sorted(items) == present_in(step)
    expected = expected_items(journey.steps[step].files)
    assert sorted(expected) == sorted(items)
    for stem, item in items.items():
        assert item["enclosure"] == expected[stem]["enclosure"], stem
        alternates = [a[:3] for a in item["alternates"]]
        assert sorted(alternates) == sorted(expected[stem]["alternates"]), stem
        # The enclosure is the default one among the alternates.
        assert [a[0] for a in item["alternates"] if a[3]] == (
            [item["enclosure"][0]] if alternates else []
        )
        url, length, kind = item["enclosure"]
        assert journey.steps[step].served[url] == (200, str(length), kind)
        for url, kind, length, _ in item["alternates"]:
            assert journey.steps[step].served[url] == (200, str(length), kind)
        if item["image"]:
            assert journey.steps[step].served[item["image"]][0] == 200


@pytest.mark.parametrize("step", ALL_STEPS)
def test_guids_dates_and_numbers_never_change(journey, step):
    """Through a move, a new slug, a deletion, --prune and a new database, each
    episode keeps its guid and pubDate, in every parser."""
    first = by_stem(journey.steps["first"].feed)
    items = by_stem(journey.steps[step].feed)
    for stem, item in items.items():
        assert item["guid"] == first[stem]["guid"], stem
        assert item["published"] == first[stem]["published"], stem
        assert item["numbers"] == first[stem]["numbers"], stem
        assert item["title"] == title_of(stem)
    assert first["01-leuchtturm"]["guid"] == "momente-2-5"
    expected = {
        stem: int(saved_at(n).timestamp()) for n, stem in enumerate(FOLDER, start=1)
    }
    expected["01-leuchtturm"] = int(
        datetime(2025, 3, 30, 7, 15, tzinfo=UTC).timestamp()
    )
    assert {s: i["published"] for s, i in items.items()} == {
        s: expected[s] for s in items
    }


def test_a_moved_file_is_the_same_episode_with_its_comments(journey):
    imported = journey.steps["moved"].imported
    assert imported.exit_code == 0, imported.output
    assert f"moved: {MOVED}.mp3 → season2/{MOVED}.mp3" in imported.output
    item = by_stem(journey.steps["moved"].feed)[MOVED]
    assert item["enclosure"][0] == f"{BASE}/media/season2/{MOVED}.mp3"
    assert item["image"] == f"{BASE}/media/season2/{MOVED}.png"
    # The comment feed's guids stay whatever the file's place or the slug.
    assert journey.comment_guid["before"] == journey.comment_guid["after"]
    assert len(journey.comment_guid["after"]) == 1


def test_a_new_slug_redirects_the_old_address(journey):
    assert journey.redirect.status_code == 301
    assert journey.redirect.location.endswith("/episodes/die-leuchtturmwaerterin")
    before = by_stem(journey.steps["first"].feed)["01-leuchtturm"]
    after = by_stem(journey.steps["moved"].feed)["01-leuchtturm"]
    assert before["link"] == f"{BASE}/episodes/lighthouse-keeper"
    assert after["link"] == f"{BASE}/episodes/die-leuchtturmwaerterin"
    assert after["guid"] == before["guid"]


def test_a_deleted_file_leaves_the_feed_and_prune_unpublishes_it(journey):
    deleted = journey.steps["deleted"].imported
    assert deleted.exit_code == 0, deleted.output
    assert f"missing: {DELETED}.mp3 → episode '{DELETED}'" in deleted.output
    pruned = journey.steps["pruned"].imported
    assert f"unpublished: {DELETED}.mp3 → episode '{DELETED}'" in pruned.output
    for step in ("deleted", "pruned"):
        assert DELETED not in by_stem(journey.steps[step].feed)
        assert "pass  At least one episode: 6 episodes" in (
            journey.steps[step].checked.output
        )
    # Nothing the feed names is gone: the checklist says what left it, until
    # --prune makes the episode a draft.
    checked = journey.steps["deleted"].checked.output
    assert (
        "warn  Episode files in place: 1 episode out of the feed: the audio file "
        "is gone\n"
        f"          episode '{DELETED}': {DELETED}.mp3 is gone; the episode is out "
        "of the feed until the file is back\n"
        "          fix: put the files back if they were not meant to go; else run "
        "`hub import --prune` to make those episodes drafts"
    ) in checked, checked
    checked = journey.steps["pruned"].checked.output
    assert "pass  Episode files in place: every file the feed names is there" in (
        checked
    )


def test_the_rebuilt_database_makes_the_same_feed(journey):
    """A new database from the same folder: the same show guid, items, guids,
    dates, notes, people; only what belongs to the old database is gone."""
    imported = journey.steps["rebuilt"].imported
    assert imported.exit_code == 0, imported.output
    before = journey.steps["pruned"].feed
    after = journey.steps["rebuilt"].feed
    assert after.channel["podcast_guid"] == before.channel["podcast_guid"] == SHOW_GUID
    assert set(after.items) == set(before.items)
    for guid, item in after.items.items():
        assert item == before.items[guid], guid


@pytest.mark.parametrize("step", ALL_STEPS)
def test_notes_are_app_html_in_every_parser(journey, step):
    """description and content:encoded: only the tags apps allow, a typed
    <script> shown as text and never a tag, the moment link absolute."""
    items = by_stem(journey.steps[step].feed)
    for stem, item in items.items():
        slug = item["link"].rsplit("/", 1)[1]
        for parser, html in item["html"].items():
            for one in html:
                shown = Shown(one)
                assert set(shown.tags) <= APP_TAGS, (parser, stem, shown.tags)
                assert "strong" in shown.tags, (parser, stem)
                assert "script" not in shown.tags and "<script" not in one
                assert f'<script>alert("{stem}")</script>' in shown.text
                assert "Ein Leuchtturm, ein Sturm & <voices> ab 0:02." in shown.text
                assert shown.links == [
                    "https://example.org/sturm",
                    f"{BASE}/episodes/{slug}?t=2",
                ], (parser, stem)


@pytest.mark.parametrize("step", ALL_STEPS)
def test_the_channel_and_people_in_every_parser(journey, step):
    feed = journey.steps[step].feed
    channel = feed.channel
    assert channel["title"] == "Momente — 瞬間"
    assert channel["podcast_guid"] == SHOW_GUID
    assert channel["medium"] == "podcast"
    assert channel["license"] == "momente-lizenz-1.0"
    assert channel["license_url"] == "https://example.com/licence"
    assert channel["copyright"] == "© 2025 Zoë Ørsted"
    assert channel["type"] == "serial"
    assert channel["update_rrule"] == "FREQ=WEEKLY;INTERVAL=2"
    assert channel["txt"] == [
        ("applepodcastsverify", "abc123"),
        (None, "a note for robots"),
    ]
    assert channel["people"] == [
        _person("Zoë Ørsted", "host", "cast", "https://example.com/zoe")
    ]
    assert channel["cover"] == f"{BASE}/media/cover.png"
    # cover.PNG, served under the name Apple wants.
    size = journey.steps[step].files["cover.PNG"]
    assert journey.steps[step].served[channel["cover"]] == (
        200,
        str(size),
        "image/png",
    )
    owner = "Zoë Ørsted"
    assert channel["owner"] == (owner, "zoe@example.com")
    episode = by_stem(feed)["01-leuchtturm"]
    assert episode["people"] == [
        _person(
            "Ada Gast",
            "guest",
            "cast",
            "https://example.com/ada",
            "https://example.com/ada.jpg",
        ),
        _person("Ben Ton", "audio editor", "audio post-production"),
    ]
    assert episode["author"] == "Ada Gast & Zoë Ørsted"
    assert episode["image"] == f"{BASE}/media/01-leuchtturm.jpg"
    assert episode["duration"] == 3
    assert by_stem(feed)[MOVED]["duration"] == 27
    for stem, (_, linked) in ART.items():
        where = "season2/" if stem.startswith(MOVED) and step != "first" else ""
        assert by_stem(feed)[stem.split(".")[0]]["image"] == (
            f"{BASE}/media/{where}{linked}"
        )
    assert by_stem(feed)["06-eingebettet"]["image"] == (
        f"{BASE}/media/06-eingebettet.jpg"
    )


def test_the_category_reaches_apps_only_once_it_is_apples(journey):
    before = journey.steps["first"].feed.channel["category"]
    after = journey.steps["fixed"].feed.channel["category"]
    assert before == {
        "feedparser": ["Tech"],
        "podcastparser": ["Tech"],
        "rss-parser": ["Tech"],
    }
    assert after == {
        "feedparser": ["Technology"],
        "podcastparser": ["Technology"],
        "rss-parser": ["Technology"],
    }


def test_chapters_keep_img_and_toc_false(journey):
    client = journey.apps[-1].test_client()
    slug = by_stem(journey.steps["fixed"].feed)["01-leuchtturm"]["link"]
    response = client.get(slug.removeprefix(BASE) + "/chapters.json")
    assert response.status_code == 200
    chapters = json.loads(response.data)["chapters"]
    assert {"startTime": 2, "title": "Cover change only", "toc": False} in chapters
    assert {
        "startTime": 2,
        "title": "Zoë’s outro",
        "img": "https://example.com/outro.jpg",
    } in chapters


def check_lines(output):
    return [line for line in output.splitlines() if line.startswith("  ")]


def test_hub_check_names_each_planted_problem(journey):
    checked = journey.steps["first"].checked
    assert checked.exit_code == 1
    out = checked.output
    assert "fail  Cover art is square, 1400–3000 px: 1400×1000 px" in out
    assert "fail  Category from Apple's list: 'Tech' is not one of Apple's" in out
    assert 'fix: use "Technology"' in out
    assert "warn  Owner name and e-mail: no owner name" in out
    assert "warn  Audio in a format Apple lists" in out
    assert "04-nur-ogg.ogg (audio/ogg)" in out
    assert "Feed health (2 fail, 2 warn," in out
    # The import shows the same checklist, with the frame count it did; it
    # asks for what show.toml leaves out, and only that.
    imported = journey.steps["first"].imported.output
    assert imported.splitlines()[:2] == [
        "added: show.toml → the show",
        "next: add the owner's name (owner_name) in show.toml at the top of the "
        "folder, or on the dashboard's Show settings",
    ]
    assert check_lines(out)[:3] == check_lines(imported.split("Feed health")[1])[:3]
    assert "03-rauschen.mp3: no length in its header" in imported
    assert "counted 0:27 frame by frame" in imported


def test_hub_check_passes_once_each_problem_is_fixed(journey):
    checked = journey.steps["fixed"].checked
    assert checked.exit_code == 0, checked.output
    assert "(0 fail, 0 warn," in checked.output, checked.output
    items = by_stem(journey.steps["fixed"].feed)
    assert items["04-nur-ogg"]["enclosure"][0] == f"{BASE}/media/04-nur-ogg.m4a"
    assert items["04-nur-ogg"]["guid"] == journey.first["04-nur-ogg"][0]


def test_comments_survive_every_step_before_the_rebuild(journey):
    app = journey.apps[0]
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Comment))
    assert count == 1
