"""A show and its episodes stay themselves: when files move, vanish or come
back, when the database is rebuilt, when a slug changes, whatever host the feed
is read at; and a first import ends in a working feed."""

import io
import os
import shutil
import uuid
from datetime import UTC, datetime

import feedparser
import pytest
import sqlalchemy as sa
from mutagen.id3 import ID3, TALB, TDRC, TIT2, TPE1
from PIL import Image

from podcast_hub.catalog import importer, publishing
from podcast_hub.catalog.episodes import get_show
from podcast_hub.extensions import db
from podcast_hub.models import Comment, Episode, Show

from .conftest import AUDIO_FIXTURES, csrf_from
from .helpers import (
    make_comment,
    make_episode,
    make_show,
    reload,
    scalar,
    scalars,
    update,
)

OLD_MTIME = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()


def all_episodes():
    return scalars(sa.select(Episode).order_by(Episode.id))


def sync(media_dir, **options):
    with db.session.no_autoflush:
        return importer.sync(media_dir, **options)


def feed(client):
    response = client.get("/feed.xml")
    assert response.status_code == 200
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def enclosures(parsed):
    return {entry.id: entry.enclosures[0].href for entry in parsed.entries}


def import_cli(runner, *args):
    return runner.invoke(args=["hub", "import", *args])


@pytest.fixture
def folder(app, media_dir, audio_file):
    """A show and three episodes imported from real files, one with a comment."""
    make_show()
    for name in ("ep1.mp3", "ep2.ogg", "ep3.opus"):
        fixture = {"mp3": "speech.mp3", "ogg": "speech.ogg", "opus": "speech.opus"}
        path = audio_file(fixture[name.rsplit(".", 1)[1]], name)
        os.utime(path, (OLD_MTIME, OLD_MTIME))
    with app.app_context():
        importer.sync(media_dir)
    episode = scalar(sa.select(Episode).where(Episode.audio_file == "ep3.opus"))
    make_comment(episode, body="At 0:02 the storm starts.", timestamp_s=2)
    return episode


def test_a_moved_file_stays_the_same_episode(app, client, runner, media_dir, folder):
    """ep3.opus → season2/ep3.opus: one item, same guid, slug, date and
    comments, and the enclosure points at the file where it is now."""
    before = feed(client)
    (media_dir / "season2").mkdir()
    (media_dir / "ep3.opus").rename(media_dir / "season2" / "ep3.opus")

    result = import_cli(runner)

    assert result.exit_code == 0, result.output
    assert (
        "moved: ep3.opus → season2/ep3.opus: episode 'ep3' keeps its guid, "
        "address, date and comments"
    ) in result.output
    assert "0 added, 1 updated, 2 unchanged, 0 skipped, 1 moved" in result.output
    assert len(all_episodes()) == 3
    moved = reload(folder)
    assert moved.audio_file == "season2/ep3.opus"
    assert (moved.guid, moved.slug, moved.published_at) == (
        folder.guid,
        folder.slug,
        folder.published_at,
    )
    assert scalar(sa.select(sa.func.count()).where(Comment.episode_id == folder.id))
    after = feed(client)
    assert set(enclosures(after)) == set(enclosures(before))
    url = enclosures(after)[folder.guid]
    assert url.endswith("/media/season2/ep3.opus")
    with client.get(url.removeprefix("http://localhost")) as served:
        assert served.status_code == 200
    assert client.get("/episodes/ep3").status_code == 200


def test_a_moved_and_retagged_file_is_found_by_its_audio(
    app, client, media_dir, folder
):
    path = media_dir / "ep1.mp3"
    episode = scalar(sa.select(Episode).where(Episode.audio_file == "ep1.mp3"))
    tags = ID3(path)
    tags.add(TIT2(encoding=3, text=["A new title in the tags"]))
    tags.add(TALB(encoding=3, text=["An album " * 40]))
    tags.save(path)
    (media_dir / "archive").mkdir()
    path.rename(media_dir / "archive" / "first.mp3")

    with app.app_context():
        report = sync(media_dir)

    assert report.added == [] and report.moved == [
        ("ep1.mp3", "archive/first.mp3", "ep1")
    ]
    assert reload(episode).guid == episode.guid


def test_a_deleted_file_leaves_the_feed_until_it_is_back(
    app, client, runner, media_dir, folder
):
    kept = media_dir.parent / "kept.opus"
    shutil.move(media_dir / "ep3.opus", kept)

    result = import_cli(runner)

    assert result.exit_code == 0
    assert (
        "missing: ep3.opus → episode 'ep3': the file is gone; the episode is out "
        "of the feed and the site until the file is back (put it back, or run "
        "the import with --prune to unpublish it)"
    ) in result.output
    summary = result.output.partition("\n\nFeed health")[0]
    assert summary.endswith("0 skipped, 1 missing")
    assert folder.guid not in enclosures(feed(client))
    assert len(feed(client).entries) == 2
    assert client.get("/episodes/ep3").status_code == 404
    assert client.get("/media/ep3.opus").status_code == 404
    stored = reload(folder)
    assert stored.published_at == folder.published_at
    assert stored.missing_since is not None

    shutil.move(kept, media_dir / "ep3.opus")
    result = import_cli(runner)

    assert "found again: ep3.opus → episode 'ep3' is back in the feed" in (
        result.output
    )
    assert folder.guid in enclosures(feed(client))
    assert reload(folder).missing_since is None


def test_prune_unpublishes_a_vanished_episode_and_keeps_its_comments(
    app, client, runner, media_dir, folder
):
    (media_dir / "ep3.opus").unlink()

    result = import_cli(runner, "--prune")

    assert (
        "unpublished: ep3.opus → episode 'ep3': the file is gone; the episode is "
        "a draft now, its comments are kept"
    ) in result.output
    assert "1 unpublished" in result.output
    stored = reload(folder)
    assert stored.published_at is None
    assert scalar(sa.select(sa.func.count()).where(Comment.episode_id == folder.id))
    assert folder.guid not in enclosures(feed(client))


def test_a_rebuilt_database_gives_the_same_guids_and_dates(
    app, tmp_path, media_dir, audio_file
):
    """The same folder imported into a fresh database: guids from the audio,
    dates from the sidecar, else the tags, else the file's time."""
    tagged = audio_file("speech.mp3", "tagged.mp3")
    tags = ID3(tagged)
    tags.add(TDRC(encoding=3, text=["2023-04-05T06:07:08"]))
    tags.save(tagged)
    audio_file("speech.ogg", "noted.ogg")
    (media_dir / "noted.toml").write_text("published = 2022-02-02T10:00:00Z\n")
    bare = audio_file("speech.opus", "bare.opus")
    for path in media_dir.iterdir():
        os.utime(path, (OLD_MTIME, OLD_MTIME))
    os.utime(bare, (OLD_MTIME + 3600, OLD_MTIME + 3600))

    def imported():
        with app.app_context():
            importer.sync(media_dir)
            rows = db.session.execute(
                sa.select(Episode.audio_file, Episode.guid, Episode.published_at)
            ).all()
            return {name: (guid, published) for name, guid, published in rows}

    first = imported()
    with app.app_context():
        db.session.execute(sa.delete(Episode))
        db.session.execute(sa.delete(Show))
        db.session.commit()
    second = imported()

    assert first == second
    assert first["tagged.mp3"][1] == datetime(2023, 4, 5, 6, 7, 8, tzinfo=UTC)
    assert first["noted.ogg"][1] == datetime(2022, 2, 2, 10, tzinfo=UTC)
    assert first["bare.opus"][1] == datetime.fromtimestamp(OLD_MTIME + 3600, UTC)
    assert len({guid for guid, _ in first.values()}) == 3


def test_a_copy_of_the_same_audio_is_another_episode(app, media_dir, audio_file):
    audio_file("speech.mp3", "one.mp3")
    audio_file("speech.mp3", "two.mp3")
    with app.app_context():
        report = sync(media_dir)
    assert sorted(report.added) == ["one", "two"]
    assert len({episode.guid for episode in all_episodes()}) == 2


def test_a_sidecar_sets_the_guid(app, client, media_dir, audio_file):
    make_show()
    audio_file("speech.mp3", "talk.mp3")
    (media_dir / "talk.toml").write_text('guid = "https://old-host.example/ep/42"\n')
    with app.app_context():
        report = sync(media_dir)
    assert report.warnings == []
    [episode] = all_episodes()
    assert episode.guid == "https://old-host.example/ep/42"
    [entry] = feed(client).entries
    assert entry.id == "https://old-host.example/ep/42"


def test_a_sidecar_guid_of_another_episode_is_refused(app, media_dir, audio_file):
    make_show()
    make_episode(guid="taken", audio_file="other.mp3")
    (media_dir / "other.mp3").write_bytes((AUDIO_FIXTURES / "speech.ogg").read_bytes())
    audio_file("speech.mp3", "talk.mp3")
    (media_dir / "talk.toml").write_text('guid = "taken"\n')
    with app.app_context():
        report = sync(media_dir)
    assert ("talk.toml", "guid: 'taken' is the guid of another episode; ignored") in (
        report.warnings
    )
    assert scalar(sa.select(Episode.guid).where(Episode.audio_file == "talk.mp3")) != (
        "taken"
    )


def test_a_moved_file_with_its_sidecar_guid_is_the_same_episode(
    app, media_dir, audio_file
):
    """Re-encoded audio has another fingerprint; the sidecar's guid still says
    which episode it is."""
    make_show()
    audio_file("speech.mp3", "talk.mp3")
    (media_dir / "talk.toml").write_text('guid = "show-ep-7"\n')
    with app.app_context():
        sync(media_dir)
    (media_dir / "talk.mp3").unlink()
    (media_dir / "talk.toml").rename(media_dir / "talk-v2.toml")
    audio_file("speech.ogg", "talk-v2.ogg")
    with app.app_context():
        report = sync(media_dir)
    assert report.moved == [("talk.mp3", "talk-v2.ogg", "talk")]
    [episode] = all_episodes()
    assert (episode.guid, episode.mime_type) == ("show-ep-7", "audio/ogg")


def test_first_import_makes_the_show_from_the_files(
    app, client, runner, media_dir, audio_file
):
    """No show and no show.toml: album → title, artist → author, embedded art
    that meets Apple's rules → the cover, and the feed works at once."""
    for name in ("one.mp3", "two.mp3"):
        path = audio_file("chapters.mp3", name)
        tags = ID3(path)
        tags.add(TALB(encoding=3, text=["Harbour Lights"]))
        tags.add(TPE1(encoding=3, text=["Hannah Keeper"]))
        tags.add(TIT2(encoding=3, text=[name]))
        tags.save(path)
    assert client.get("/feed.xml").status_code == 404

    result = import_cli(runner)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "added: the show 'Harbour Lights' from the files (title from the album "
        "tag, author from the artist tag, cover art cover.jpg): its feed is at "
        "/feed.xml"
    )
    show = get_show_outside()
    assert lines[1] == (
        "next: add the owner's name and e-mail (owner_name, owner_email); an "
        "Apple category (category; now 'Technology'); a description; "
        f'guid = "{show.podcast_guid}" (the show\'s podcast:guid, made at random '
        "as PODCAST_HUB_BASE_URL is not set: written down, it stays when the "
        "database is made anew) in show.toml at the top of the folder, or on the "
        "dashboard's Show settings"
    )
    assert sum(line.startswith("added: the show") for line in lines) == 1
    assert (show.title, show.author, show.cover) == (
        "Harbour Lights",
        "Hannah Keeper",
        "cover.jpg",
    )
    with Image.open(media_dir / "cover.jpg") as cover:
        assert cover.size == (1400, 1400)
    parsed = feed(client)
    assert parsed.feed.title == "Harbour Lights"
    assert parsed.feed.image.href.endswith("/media/cover.jpg")
    assert len(parsed.entries) == 2
    with client.get("/media/cover.jpg") as served:
        assert served.status_code == 200


def get_show_outside():
    return scalar(sa.select(Show))


def test_first_import_without_tags_names_the_show_after_the_folder(
    app, client, media_dir, audio_file
):
    """Art that Apple would refuse (600×400) is not made the show's cover."""
    path = audio_file("art.flac", "talk.flac")
    with app.app_context():
        report = sync(media_dir)
    show = get_show_outside()
    assert (show.title, show.cover) == ("Media", None)
    assert "cover art (a square JPEG or PNG" in report.lines()[1]
    assert not (media_dir / "cover.jpg").exists() and path.exists()
    assert feed(client).feed.title == "Media"


def test_the_guid_the_first_import_names_keeps_the_show_in_a_new_database(
    app, runner, media_dir, audio_file
):
    """Without BASE_URL the show's podcast:guid is random; the import says
    which it is, and written into show.toml it survives a rebuilt database."""
    audio_file("speech.mp3", "talk.mp3")
    (media_dir / "show.toml").write_text('title = "Mine"\n')
    os.utime(media_dir / "show.toml", (OLD_MTIME, OLD_MTIME))
    output = import_cli(runner).output
    guid = get_show_outside().podcast_guid
    assert f'guid = "{guid}" (the show\'s podcast:guid' in output

    with (media_dir / "show.toml").open("a") as show_toml:
        show_toml.write(f'guid = "{guid}"\n')
    with app.app_context():
        db.session.execute(sa.delete(Episode))
        db.session.execute(sa.delete(Show))
        db.session.commit()
    output = import_cli(runner).output
    assert get_show_outside().podcast_guid == guid
    assert "podcast:guid" not in output


def test_show_toml_wins_over_the_files_for_a_new_show(app, media_dir, audio_file):
    audio_file("chapters.mp3", "talk.mp3")
    image = io.BytesIO()
    Image.new("RGB", (1400, 1400), "navy").save(image, "PNG")
    (media_dir / "art.png").write_bytes(image.getvalue())
    (media_dir / "show.toml").write_text(
        'title = "Mine"\ncover = "art.png"\n'
        'guid = "917393E3-1B1E-5CEF-ACE4-EDAA54E1F810"\n'
    )
    with app.app_context():
        sync(media_dir)
    show = get_show_outside()
    assert (show.title, show.cover, show.podcast_guid) == (
        "Mine",
        "art.png",
        "917393e3-1b1e-5cef-ace4-edaa54e1f810",
    )
    assert not (media_dir / "cover.jpg").exists()


@pytest.mark.parametrize(
    "config_overrides", [{"BASE_URL": "https://podcast.example.org"}]
)
def test_first_import_derives_the_show_guid_from_the_feed_url(app, runner, audio_file):
    audio_file("speech.mp3", "talk.mp3")
    assert import_cli(runner).exit_code == 0
    expected = uuid.uuid5(
        uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"),
        "podcast.example.org/feed.xml",
    )
    assert get_show_outside().podcast_guid == str(expected)


def podcast_guid_at(client, host):
    response = client.get("/feed.xml", headers={"Host": host})
    assert response.status_code == 200
    return feedparser.parse(response.data).feed.podcast_guid


def test_podcast_guid_is_the_same_at_every_host(app, client):
    show = make_show()
    hosts = ["127.0.0.1", "localhost", "podcast.example.org", "www.example.org"]
    assert {podcast_guid_at(client, host) for host in hosts} == {show.podcast_guid}


@pytest.mark.parametrize(
    "config_overrides", [{"BASE_URL": "https://podcast.example.org"}]
)
def test_a_show_without_a_stored_guid_keeps_the_one_its_feed_had(app, client):
    """A show from before guids were stored gets, once, the guid its feed
    carried (the namespace's UUIDv5 of BASE_URL's feed), and keeps it."""
    show = update(make_show(), podcast_guid=None)
    expected = str(
        uuid.uuid5(
            uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"),
            "podcast.example.org/feed.xml",
        )
    )
    assert podcast_guid_at(client, "localhost") == expected
    assert reload(show).podcast_guid == expected
    assert podcast_guid_at(client, "www.example.org") == expected


def test_show_toml_changes_the_guid_with_a_warning(app, media_dir):
    show = make_show(podcast_guid="2d6fa1b4-5e3f-5b2a-9c47-0f1d1e1c7a11")
    path = media_dir / "show.toml"
    path.write_text(
        'title = "Moments Test Show"\nguid = "917393e3-1b1e-5cef-ace4-edaa54e1f810"\n'
    )
    later = reload(show).updated_at.timestamp() + 60
    os.utime(path, (later, later))
    with app.app_context():
        report = sync(media_dir)
    assert reload(show).podcast_guid == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert (
        "show.toml",
        "guid: the show's podcast:guid changed from "
        "2d6fa1b4-5e3f-5b2a-9c47-0f1d1e1c7a11 to "
        "917393e3-1b1e-5cef-ace4-edaa54e1f810: podcast apps and the Podcast Index "
        "now take it for a different show (right only when the show moved here "
        "and keeps the guid it had)",
    ) in report.warnings


def test_show_toml_refuses_a_guid_that_is_no_uuid(app, media_dir):
    make_show()
    (media_dir / "show.toml").write_text('guid = "my-show"\n')
    with app.app_context():
        report = sync(media_dir)
    assert report.warnings == [
        (
            "show.toml",
            "guid: 'my-show' is not a UUID (the show's podcast:guid); ignored",
        )
    ]


@pytest.fixture
def settings(client, auth):
    show = make_show(podcast_guid="2d6fa1b4-5e3f-5b2a-9c47-0f1d1e1c7a11")
    auth.login()
    page = client.get("/dashboard/show").get_data(as_text=True)
    assert 'value="2d6fa1b4-5e3f-5b2a-9c47-0f1d1e1c7a11"' in page
    values = {
        "title": show.title,
        "description": show.description,
        "author": show.author,
        "owner_name": show.owner_name,
        "owner_email": show.owner_email,
        "language": "en",
        "category": "Technology",
        "show_type": "episodic",
        "csrf_token": csrf_from(page),
    }

    def post(**changes):
        return client.post("/dashboard/show", data={**values, **changes})

    return show, post


NEW_GUID = "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def test_dashboard_refuses_a_guid_change_that_is_not_confirmed(client, settings):
    show, post = settings
    response = post(podcast_guid=NEW_GUID)
    assert response.status_code == 400
    assert publishing.GUID_CHANGE in response.get_data(as_text=True)
    assert reload(show).podcast_guid == "2d6fa1b4-5e3f-5b2a-9c47-0f1d1e1c7a11"


def test_dashboard_changes_the_guid_when_confirmed_and_warns(client, settings):
    show, post = settings
    response = post(podcast_guid=NEW_GUID.upper(), change_guid="y")
    assert response.status_code == 303
    assert reload(show).podcast_guid == NEW_GUID
    page = client.get("/dashboard/show").get_data(as_text=True)
    assert "now take it for a different show" in page
    assert feed(client).feed.podcast_guid == NEW_GUID


@pytest.mark.parametrize("guid", ["", "2d6fa1b4-5e3f-5b2a-9c47-0f1d1e1c7a11"])
def test_dashboard_keeps_the_guid_when_it_is_left_alone(client, settings, guid):
    show, post = settings
    assert post(podcast_guid=guid, title="Renamed").status_code == 303
    assert reload(show).podcast_guid == "2d6fa1b4-5e3f-5b2a-9c47-0f1d1e1c7a11"


def test_dashboard_refuses_a_guid_that_is_no_uuid(client, settings):
    show, post = settings
    response = post(podcast_guid="not-a-uuid", change_guid="y")
    assert response.status_code == 400
    assert "Use a UUID" in response.get_data(as_text=True)


@pytest.fixture
def renamed(app, client):
    """An episode with a comment whose slug changed from `old` to `new`."""
    make_show()
    episode = make_episode(slug="old", title="The Lighthouse")
    comment = make_comment(episode)
    before = feedparser.parse(client.get("/episodes/old/comments.xml").data)
    with app.app_context():
        row = db.session.get(Episode, episode.id)
        row.slug = "new"
        db.session.commit()
    return episode, comment, before


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/episodes/old?t=754", "/episodes/new?t=754"),
        ("/episodes/old/comments.xml", "/episodes/new/comments.xml"),
        ("/episodes/old/chapters.json", "/episodes/new/chapters.json"),
        ("/api/episodes/old", "/api/episodes/new"),
        ("/api/episodes/old/comments?page=1", "/api/episodes/new/comments?page=1"),
        ("/episodes/old/conversation", "/episodes/new/conversation"),
    ],
)
def test_an_old_slug_redirects_for_good(client, renamed, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response.headers["Location"] == new
    assert client.get(new).status_code == 200


def test_a_comment_posted_to_an_old_slug_is_sent_on(client, renamed, csrf):
    token = csrf("/episodes/new")
    response = client.post(
        "/episodes/old/comments",
        data={"author": "Lee", "body": "Hello", "timestamp": "", "csrf_token": token},
    )
    assert response.status_code == 308
    assert response.headers["Location"] == "/episodes/new/comments"


def test_comment_feed_guids_survive_a_slug_change(client, renamed):
    _, comment, before = renamed
    after = feedparser.parse(client.get("/episodes/new/comments.xml").data)
    assert [e.id for e in after.entries] == [e.id for e in before.entries]
    assert after.entries[0].id.startswith("urn:uuid:")
    assert after.entries[0].link.startswith("http://localhost/episodes/new")


def test_a_slug_taken_again_stops_redirecting(app, client, renamed):
    make_episode(slug="old", title="Another")
    assert client.get("/episodes/old").status_code == 200
    assert client.get("/episodes/new").status_code == 200


def test_a_sidecar_slug_change_redirects_too(app, client, media_dir, audio_file):
    make_show()
    audio_file("speech.mp3", "talk.mp3")
    with app.app_context():
        sync(media_dir)
    path = media_dir / "talk.toml"
    path.write_text('slug = "the-talk"\n')
    later = datetime.now(UTC).timestamp() + 60
    os.utime(path, (later, later))
    with app.app_context():
        sync(media_dir)
    response = client.get("/episodes/talk")
    assert (response.status_code, response.headers["Location"]) == (
        301,
        "/episodes/the-talk",
    )


def test_an_upload_derives_its_guid_from_the_audio(app, media_dir):
    """A rebuilt database gives an uploaded episode the same guid too."""
    make_show()
    data = (AUDIO_FIXTURES / "speech.mp3").read_bytes()
    with app.app_context():
        episode = publishing.create_episode(
            publishing.Upload(io.BytesIO(data), "talk.mp3", len(data)), media_dir
        )
        guid = episode.guid
        db.session.execute(sa.delete(Episode))
        db.session.commit()
        report = sync(media_dir)
        [again] = db.session.scalars(sa.select(Episode)).all()
    assert report.added == [again.slug] and again.guid == guid


def test_a_failed_run_leaves_no_show_behind(app, media_dir, audio_file, monkeypatch):
    """One transaction: an error after the show is made writes nothing."""
    audio_file("speech.mp3", "talk.mp3")
    original = importer._Run.make_show

    def broken(self, values, feed_url):
        original(self, values, feed_url)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importer._Run, "make_show", broken)
    with app.app_context():
        with pytest.raises(RuntimeError):
            importer.sync(media_dir)
        assert get_show() is None
        assert db.session.scalar(sa.select(sa.func.count(Episode.id))) == 0


def test_the_dashboard_says_which_episode_lost_its_file(
    app, client, auth, media_dir, folder
):
    (media_dir / "ep3.opus").unlink()
    with app.app_context():
        sync(media_dir)
    auth.login()
    page = client.get("/dashboard/episodes").get_data(as_text=True)
    assert "Audio file missing: ep3.opus" in page
    assert "Out of the feed until the file is back" in page
