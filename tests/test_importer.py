"""Syncing a folder of audio files into episodes, and `flask hub import`."""

import os
import shutil
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from podcast_hub import audio, importer
from podcast_hub.extensions import db
from podcast_hub.models import Episode

from .conftest import AUDIO_FIXTURES
from .helpers import make_episode

TITLE = "Café Ünïcode — 日本"
ARTIST = "Zoë Ørsted"

# One file of each format, under the name it gets in the media folder.
EACH_FORMAT = {
    "mp3-talk.mp3": ("speech.mp3", "audio/mpeg"),
    "m4a-talk.m4a": ("speech.m4a", "audio/mp4"),
    "aac-talk.aac": ("speech.aac", "audio/aac"),
    "vorbis-talk.ogg": ("speech.ogg", "audio/ogg"),
    "opus-talk.opus": ("speech.opus", "audio/ogg"),
    "flac-talk.flac": ("speech.flac", "audio/flac"),
    "wav-talk.wav": ("speech.wav", "audio/wav"),
}


def episodes():
    """Return every episode, by audio file."""
    return db.session.scalars(sa.select(Episode).order_by(Episode.audio_file)).all()


def rows():
    """Return every episode row as a dict of its columns."""
    columns = Episode.__table__.columns
    result = db.session.execute(sa.select(columns).order_by(Episode.id))
    return [dict(row) for row in result.mappings()]


@pytest.fixture
def writes(app):
    """Return the list of INSERT, UPDATE and DELETE statements run from now on."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", record)


def test_one_file_of_each_format_becomes_an_episode(app, media_dir, audio_file):
    for as_name, (fixture, _) in EACH_FORMAT.items():
        audio_file(fixture, as_name)

    report = importer.sync(media_dir)

    assert sorted(report.added_files) == sorted(EACH_FORMAT)
    assert report.skipped == [] and report.updated == [] and report.unchanged == []
    for episode in episodes():
        path = media_dir / episode.audio_file
        assert episode.slug in report.added
        assert episode.slug == path.stem
        assert episode.mime_type == EACH_FORMAT[episode.audio_file][1]
        assert episode.size_bytes == path.stat().st_size
        assert episode.duration_s == 3
        assert episode.title == TITLE
        assert episode.artist == ARTIST
        assert episode.description == ""
        assert uuid.UUID(episode.guid)
        assert episode.published_at == datetime.fromtimestamp(path.stat().st_mtime, UTC)
    assert len({episode.guid for episode in episodes()}) == len(EACH_FORMAT)


def test_report_lines_and_summary_say_what_happened(app, media_dir, audio_file):
    audio_file("speech.mp3", "talk.mp3")
    audio_file("not-audio.mp3", "notes.mp3")

    report = importer.sync(media_dir)

    assert report.lines() == [
        "added: talk.mp3 → episode 'talk'",
        "skipped: notes.mp3: not a recognised audio format",
    ]
    assert report.summary() == "1 added, 0 updated, 0 unchanged, 1 skipped"


def test_audio_file_is_the_posix_path_relative_to_the_folder(
    app, media_dir, audio_file
):
    audio_file("speech.mp3", "season-1/extras/bonus.mp3")

    importer.sync(media_dir)

    (episode,) = episodes()
    assert episode.audio_file == "season-1/extras/bonus.mp3"
    assert episode.slug == "bonus"


def test_importing_another_folder_keeps_paths_relative_to_it(app, tmp_path):
    elsewhere = tmp_path / "elsewhere" / "2024"
    elsewhere.mkdir(parents=True)
    shutil.copyfile(AUDIO_FIXTURES / "speech.ogg", elsewhere / "talk.ogg")

    report = importer.sync(elsewhere.parent)

    assert report.added_files == ["2024/talk.ogg"]
    assert episodes()[0].audio_file == "2024/talk.ogg"


def test_untagged_file_is_titled_from_its_name(app, media_dir, audio_file):
    audio_file("longer.mp3", "the-lighthouse_keeper.mp3")

    importer.sync(media_dir)

    (episode,) = episodes()
    assert episode.title == "The lighthouse keeper"
    assert episode.artist is None
    assert episode.duration_s == 6


def test_published_at_is_the_file_modification_time_in_utc(app, media_dir, audio_file):
    path = audio_file("speech.opus", "talk.opus")
    moment = datetime(2025, 3, 30, 1, 30, 15, tzinfo=UTC)
    os.utime(path, (moment.timestamp(), moment.timestamp()))

    importer.sync(media_dir)

    assert episodes()[0].published_at == moment


def test_non_audio_is_skipped_by_name_and_the_rest_still_import(
    app, media_dir, audio_file
):
    audio_file("speech.mp3", "a-first.mp3")
    audio_file("not-audio.mp3")
    audio_file("speech.ogg", "z-last.ogg")

    report = importer.sync(media_dir)

    assert report.skipped == [("not-audio.mp3", "not a recognised audio format")]
    assert report.added_files == ["a-first.mp3", "z-last.ogg"]
    assert [e.audio_file for e in episodes()] == ["a-first.mp3", "z-last.ogg"]


def test_unknown_files_are_tried_as_audio(app, media_dir, audio_file):
    """Is a file with an unfamiliar extension imported when it is audio,
    and named with the reason when it is not?"""
    audio_file("speech.aac", "raw-stream")
    (media_dir / "backup.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 40)

    report = importer.sync(media_dir)

    assert report.added_files == ["raw-stream"]
    assert episodes()[0].mime_type == "audio/aac"
    assert report.skipped == [("backup.zip", "not a recognised audio format")]


def test_hidden_files_and_folders_are_left_alone(app, media_dir, audio_file):
    audio_file("speech.mp3", ".draft.mp3")
    audio_file("not-audio.mp3", ".trash/broken.mp3")
    audio_file("speech.ogg", "drafts/.unfinished.ogg")
    (media_dir / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")

    report = importer.sync(media_dir)

    assert report.summary() == "0 added, 0 updated, 0 unchanged, 0 skipped"
    assert episodes() == []


@pytest.mark.parametrize("extension", sorted(importer.IGNORED_EXTENSIONS))
def test_covers_notes_and_transcripts_are_ignored_silently(
    app, media_dir, audio_file, extension
):
    (media_dir / f"talk{extension}").write_text("not audio, and that is fine\n")
    audio_file("speech.mp3", "talk.mp3")

    report = importer.sync(media_dir)

    assert report.skipped == []
    assert report.added_files == ["talk.mp3"]


def test_second_run_writes_nothing(app, media_dir, audio_file, writes):
    for as_name, (fixture, _) in EACH_FORMAT.items():
        audio_file(fixture, as_name)
    first = importer.sync(media_dir)
    before = rows()
    writes.clear()

    again = importer.sync(media_dir)

    assert writes == []
    assert rows() == before
    assert again.added == [] and again.updated == [] and again.lines() == []
    assert sorted(again.unchanged) == sorted(first.added)
    assert again.summary() == "0 added, 0 updated, 7 unchanged, 0 skipped"


def test_changed_file_updates_its_facts_and_keeps_what_hosts_edited(
    app, media_dir, audio_file
):
    audio_file("speech.mp3", "talk.mp3")
    importer.sync(media_dir)
    (episode,) = episodes()
    episode.title = "Edited by a host"
    db.session.commit()
    kept = {
        key: getattr(episode, key)
        for key in ("id", "guid", "slug", "title", "artist", "published_at")
    }
    edited_at = episode.updated_at

    path = audio_file("longer.mp3", "talk.mp3")
    report = importer.sync(media_dir)

    db.session.expire_all()
    (episode,) = episodes()
    assert report.updated == ["talk"]
    assert report.lines() == ["updated: talk.mp3 → episode 'talk'"]
    assert episode.size_bytes == path.stat().st_size
    assert episode.duration_s == 6
    assert {key: getattr(episode, key) for key in kept} == kept
    assert episode.updated_at >= edited_at


def test_file_replaced_by_another_format_gets_the_new_type(app, media_dir, audio_file):
    audio_file("speech.mp3", "talk.mp3")
    importer.sync(media_dir)

    audio_file("speech.m4a", "talk.mp3")
    report = importer.sync(media_dir)

    assert report.updated == ["talk"]
    assert episodes()[0].mime_type == "audio/mp4"


def test_episode_whose_file_became_unreadable_is_kept_and_reported(
    app, media_dir, audio_file
):
    audio_file("speech.mp3", "talk.mp3")
    importer.sync(media_dir)
    guid = episodes()[0].guid

    (media_dir / "talk.mp3").write_bytes(b"")
    report = importer.sync(media_dir)

    assert report.skipped == [("talk.mp3", "empty file")]
    assert episodes()[0].guid == guid


def test_slugs_are_unique(app, media_dir, audio_file):
    make_episode(slug="talk", audio_file="old/talk.mp3")
    audio_file("speech.mp3", "talk.mp3")
    audio_file("speech.ogg", "Talk!.ogg")
    audio_file("speech.flac", "season-2/talk.flac")

    report = importer.sync(media_dir)

    assert {report.files[slug]: slug for slug in report.added} == {
        "Talk!.ogg": "talk-2",
        "talk.mp3": "talk-3",
        "season-2/talk.flac": "talk-4",
    }


@pytest.mark.parametrize(
    ("as_name", "slug"),
    [
        ("Café Über — Folge 1.mp3", "cafe-uber-folge-1"),
        ("01 Welcome_to  MOMENTS.mp3", "01-welcome-to-moments"),
        ("日本.mp3", "episode"),
        ("---.mp3", "episode"),
    ],
)
def test_slug_is_lowercase_ascii_from_the_file_name(
    app, media_dir, audio_file, as_name, slug
):
    audio_file("longer.mp3", as_name)

    report = importer.sync(media_dir)

    assert report.added == [slug]
    assert episodes()[0].title


def test_slugs_that_fall_back_to_episode_stay_unique(app, media_dir, audio_file):
    audio_file("speech.mp3", "日本.mp3")
    audio_file("speech.ogg", "中文.ogg")

    report = importer.sync(media_dir)

    assert sorted(report.added) == ["episode", "episode-2"]
    assert {e.title for e in episodes()} == {TITLE}


def test_long_file_names_give_slugs_that_fit(app, media_dir, audio_file):
    audio_file("speech.mp3", "a" * 240 + ".mp3")
    audio_file("speech.ogg", "a" * 240 + ".ogg")

    report = importer.sync(media_dir)

    assert len(report.added) == 2
    assert all(len(slug) <= 200 for slug in report.added)


def test_failure_midway_writes_nothing(app, media_dir, audio_file, monkeypatch):
    audio_file("speech.mp3", "talk.mp3")
    importer.sync(media_dir)
    before = rows()
    audio_file("longer.mp3", "talk.mp3")
    audio_file("speech.ogg", "zz-new.ogg")
    real_read = audio.read

    def read_then_fail(path):
        if path.name == "zz-new.ogg":
            raise RuntimeError("disk went away")
        return real_read(path)

    monkeypatch.setattr(audio, "read", read_then_fail)
    with pytest.raises(RuntimeError, match="disk went away"):
        importer.sync(media_dir)

    assert rows() == before
    assert not db.session.dirty and not db.session.new


def test_sync_refuses_a_missing_folder(app, tmp_path):
    with pytest.raises(NotADirectoryError):
        importer.sync(tmp_path / "nowhere")


def test_cli_import_names_the_skipped_file_and_exits_1(runner, audio_file):
    audio_file("speech.mp3", "talk.mp3")
    audio_file("not-audio.mp3")

    result = runner.invoke(args=["hub", "import"])

    assert result.exit_code == 1
    assert "added: talk.mp3 → episode 'talk'" in result.stdout
    assert "skipped: not-audio.mp3: not a recognised audio format" in result.stderr
    assert "1 added, 0 updated, 0 unchanged, 1 skipped" in result.stdout
    assert [e.audio_file for e in episodes()] == ["talk.mp3"]


def test_cli_import_of_a_folder_exits_0_and_is_idempotent(runner, tmp_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    shutil.copyfile(AUDIO_FIXTURES / "speech.opus", folder / "talk.opus")

    first = runner.invoke(args=["hub", "import", str(folder)])
    again = runner.invoke(args=["hub", "import", str(folder)])

    assert first.exit_code == 0, first.output
    assert "1 added, 0 updated, 0 unchanged, 0 skipped" in first.stdout
    assert again.exit_code == 0
    assert again.stdout.strip() == "0 added, 0 updated, 1 unchanged, 0 skipped"
