"""Syncing a folder of audio files into episodes, and `flask hub import`."""

import json
import os
import shutil
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from podcast_hub.catalog import importer, publishing
from podcast_hub.catalog.episodes import get_show
from podcast_hub.extensions import db
from podcast_hub.library import audio
from podcast_hub.models import Episode

from .conftest import AUDIO_FIXTURES, FIXTURES
from .helpers import (
    make_chapter,
    make_episode,
    make_show,
    make_transcript,
    png_claiming,
)

TITLE = "Café Ünïcode — 日本"
ARTIST = "Zoë Ørsted"

# One file of each format, under the name it gets in the media folder.
EACH_FORMAT = {
    "mp3-talk.mp3": ("speech.mp3", "audio/mpeg"),
    "m4a-talk.m4a": ("speech.m4a", "audio/x-m4a"),
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


def test_one_file_of_each_format_becomes_an_episode(app_context, media_dir, audio_file):
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


def test_report_lines_and_summary_say_what_happened(app_context, media_dir, audio_file):
    make_show()
    audio_file("speech.mp3", "talk.mp3")
    audio_file("not-audio.mp3", "notes.mp3")

    report = importer.sync(media_dir)

    assert report.lines() == [
        "added: talk.mp3 → episode 'talk'",
        "skipped: notes.mp3: not a recognised audio format",
    ]
    assert report.summary() == "1 added, 0 updated, 0 unchanged, 1 skipped"


def test_audio_file_is_the_posix_path_relative_to_the_folder(
    app_context, media_dir, audio_file
):
    audio_file("speech.mp3", "season-1/extras/bonus.mp3")

    importer.sync(media_dir)

    (episode,) = episodes()
    assert episode.audio_file == "season-1/extras/bonus.mp3"
    assert episode.slug == "bonus"


def test_importing_another_folder_keeps_paths_relative_to_it(app_context, tmp_path):
    elsewhere = tmp_path / "elsewhere" / "2024"
    elsewhere.mkdir(parents=True)
    shutil.copyfile(AUDIO_FIXTURES / "speech.ogg", elsewhere / "talk.ogg")

    report = importer.sync(elsewhere.parent)

    assert report.added_files == ["2024/talk.ogg"]
    assert episodes()[0].audio_file == "2024/talk.ogg"


def test_untagged_file_is_titled_from_its_name(app_context, media_dir, audio_file):
    audio_file("longer.mp3", "the-lighthouse_keeper.mp3")

    importer.sync(media_dir)

    (episode,) = episodes()
    assert episode.title == "The lighthouse keeper"
    assert episode.artist is None
    assert episode.duration_s == 6


def test_published_at_is_the_file_modification_time_in_utc(
    app_context, media_dir, audio_file
):
    path = audio_file("speech.opus", "talk.opus")
    moment = datetime(2025, 3, 30, 1, 30, 15, tzinfo=UTC)
    os.utime(path, (moment.timestamp(), moment.timestamp()))

    importer.sync(media_dir)

    assert episodes()[0].published_at == moment


def test_non_audio_is_skipped_by_name_and_the_rest_still_import(
    app_context, media_dir, audio_file
):
    audio_file("speech.mp3", "a-first.mp3")
    audio_file("not-audio.mp3")
    audio_file("speech.ogg", "z-last.ogg")

    report = importer.sync(media_dir)

    assert report.skipped == [("not-audio.mp3", "not a recognised audio format")]
    assert report.added_files == ["a-first.mp3", "z-last.ogg"]
    assert [e.audio_file for e in episodes()] == ["a-first.mp3", "z-last.ogg"]


def test_unknown_files_are_tried_as_audio(app_context, media_dir, audio_file):
    """Is a file with an unfamiliar extension imported when it is audio,
    and named with the reason when it is not?"""
    audio_file("speech.aac", "raw-stream")
    (media_dir / "backup.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 40)

    report = importer.sync(media_dir)

    assert report.added_files == ["raw-stream"]
    assert episodes()[0].mime_type == "audio/aac"
    assert report.skipped == [("backup.zip", "not a recognised audio format")]


def test_hidden_files_and_folders_are_left_alone(app_context, media_dir, audio_file):
    audio_file("speech.mp3", ".draft.mp3")
    audio_file("not-audio.mp3", ".trash/broken.mp3")
    audio_file("speech.ogg", "drafts/.unfinished.ogg")
    (media_dir / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")

    report = importer.sync(media_dir)

    assert report.summary() == "0 added, 0 updated, 0 unchanged, 0 skipped"
    assert episodes() == []


@pytest.mark.parametrize("extension", sorted(importer.IGNORED_EXTENSIONS))
def test_covers_notes_and_transcripts_are_ignored_silently(
    app_context, media_dir, audio_file, extension
):
    (media_dir / f"talk{extension}").write_text("not audio, and that is fine\n")
    audio_file("speech.mp3", "talk.mp3")

    report = importer.sync(media_dir)

    assert report.skipped == []
    assert report.added_files == ["talk.mp3"]


def test_second_run_writes_nothing(app_context, media_dir, audio_file, count_queries):
    for as_name, (fixture, _) in EACH_FORMAT.items():
        audio_file(fixture, as_name)
    first = importer.sync(media_dir)
    before = rows()

    with count_queries() as queries:
        again = importer.sync(media_dir)

    assert queries.writes == []
    assert rows() == before
    assert again.added == [] and again.updated == [] and again.lines() == []
    assert sorted(again.unchanged) == sorted(first.added)
    assert again.summary() == "0 added, 0 updated, 7 unchanged, 0 skipped"


def test_changed_file_updates_its_facts_and_keeps_what_hosts_edited(
    app_context, media_dir, audio_file
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


def test_file_replaced_by_another_format_gets_the_new_type(
    app_context, media_dir, audio_file
):
    audio_file("speech.mp3", "talk.mp3")
    importer.sync(media_dir)

    audio_file("speech.m4a", "talk.mp3")
    report = importer.sync(media_dir)

    assert report.updated == ["talk"]
    assert episodes()[0].mime_type == "audio/x-m4a"


def test_episode_whose_file_became_unreadable_is_kept_and_reported(
    app_context, media_dir, audio_file
):
    audio_file("speech.mp3", "talk.mp3")
    importer.sync(media_dir)
    guid = episodes()[0].guid

    (media_dir / "talk.mp3").write_bytes(b"")
    report = importer.sync(media_dir)

    assert report.skipped == [("talk.mp3", "empty file")]
    assert episodes()[0].guid == guid


def test_slugs_are_unique(app_context, media_dir, audio_file):
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
    app_context, media_dir, audio_file, as_name, slug
):
    audio_file("longer.mp3", as_name)

    report = importer.sync(media_dir)

    assert report.added == [slug]
    assert episodes()[0].title


def test_slugs_that_fall_back_to_episode_stay_unique(
    app_context, media_dir, audio_file
):
    audio_file("speech.mp3", "日本.mp3")
    audio_file("speech.ogg", "中文.ogg")

    report = importer.sync(media_dir)

    assert sorted(report.added) == ["episode", "episode-2"]
    assert {e.title for e in episodes()} == {TITLE}


def test_long_file_names_give_slugs_that_fit(app_context, media_dir, audio_file):
    audio_file("speech.mp3", "a" * 240 + ".mp3")
    audio_file("speech.ogg", "a" * 239 + "b.ogg")

    report = importer.sync(media_dir)

    assert len(report.added) == 2
    assert all(len(slug) <= 200 for slug in report.added)


def test_failure_midway_writes_nothing(app_context, media_dir, audio_file, monkeypatch):
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


def test_sync_refuses_a_missing_folder(app_context, tmp_path):
    with pytest.raises(NotADirectoryError):
        importer.sync(tmp_path / "nowhere")


def test_cli_import_names_the_skipped_file_and_exits_1(app, runner, audio_file):
    audio_file("speech.mp3", "talk.mp3")
    audio_file("not-audio.mp3")

    result = runner.invoke(args=["hub", "import"])

    assert result.exit_code == 1
    assert "added: talk.mp3 → episode 'talk'" in result.stdout
    assert "skipped: not-audio.mp3: not a recognised audio format" in result.stderr
    assert "1 added, 0 updated, 0 unchanged, 1 skipped" in result.stdout
    with app.app_context():
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
    summary, _, checklist = again.stdout.partition("\n\n")
    assert summary == "0 added, 0 updated, 1 unchanged, 0 skipped"
    # The first import made the show from the files: it has no cover art yet.
    assert checklist.startswith("Feed health (")
    assert "fail  Cover art: the show has no cover art" in checklist


SIDECARS = FIXTURES / "sidecars"
DEMO_COVER = FIXTURES.parent.parent / "episodes" / "cover.png"  # 1400 px PNG
SIZE_RULE = "Apple wants 1400 to 3000 px square"


def sidecar_file(media_dir, name, as_name=None):
    """Copy a sidecar fixture into the media folder and return its path."""
    target = media_dir / (as_name or name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SIDECARS / name, target)
    return target


def saved_later(path, seconds=5):
    """Date the file `seconds` into the future: saved after anything so far.

    File times come from a coarse kernel clock that can lag the one the
    database sees by a few milliseconds.
    """
    moment = datetime.now(UTC).timestamp() + seconds
    os.utime(path, (moment, moment))


def chapters_of(episode):
    return [(c.start_s, c.title, c.url, c.source) for c in episode.chapters]


def chapter_extras_of(episode):
    return [(c.title, c.img, c.toc) for c in episode.chapters]


def transcripts_of(episode):
    return [(t.file, t.mime_type, t.language) for t in episode.transcripts]


AUDIO_CHAPTERS = [
    (0, "Intro — Café", None, "audio"),
    (1, "日本の話", "https://example.com/notes#japan", "audio"),
    (2, "Zoë’s outro", None, "audio"),
]
SIDECAR_CHAPTERS = [
    (0, "Intro — Café", None, "sidecar"),
    (1, "日本の話", "https://example.com/notes#japan", "sidecar"),
    (2, "Cover change only", None, "sidecar"),
    (2, "Zoë’s outro", None, "sidecar"),
]


def test_chapters_and_cover_art_come_from_the_audio(app, client, media_dir, audio_file):
    make_show()
    audio_file("chapters.mp3", "talk.mp3")

    with app.app_context():
        report = importer.sync(media_dir)
        (episode,) = episodes()
        assert chapters_of(episode) == AUDIO_CHAPTERS
        assert episode.image == "talk.jpg"
    art = audio.read(media_dir / "talk.mp3").artwork
    assert (media_dir / "talk.jpg").read_bytes() == art.data
    with client.get("/media/talk.jpg") as served:
        assert served.status_code == 200
        assert served.mimetype == "image/jpeg"
        assert served.data == art.data
    assert report.warnings == []
    assert report.lines() == ["added: talk.mp3 → episode 'talk'"]


def test_m4a_cover_art_is_saved_as_png_in_the_same_folder(
    app_context, media_dir, audio_file
):
    audio_file("chapters.m4a", "season-1/talk.m4a")

    importer.sync(media_dir)

    (episode,) = episodes()
    assert episode.image == "season-1/talk.png"
    assert (media_dir / "season-1/talk.png").read_bytes().startswith(b"\x89PNG")
    assert [c[:2] for c in chapters_of(episode)] == [
        (0, "Intro — Café"),
        (1, "日本の話"),
        (2, "Zoë’s outro"),
    ]


def test_art_that_breaks_apples_rules_is_a_warning(app, runner, media_dir, audio_file):
    audio_file("art.flac", "talk.flac")

    result = runner.invoke(args=["hub", "import"])

    warning = f"cover art talk.jpg is 600×400 px; {SIZE_RULE}"
    assert result.exit_code == 0, result.output
    assert f"warning: talk.flac: {warning}" in result.stderr
    assert "1 added, 0 updated, 0 unchanged, 0 skipped, 1 warning" in result.stdout
    with app.app_context():
        (episode,) = episodes()
        assert episode.image == "talk.jpg"
        assert [c.title for c in episode.chapters] == ["Anfang", "Ende — Schluß"]


def test_damaged_art_is_a_warning_and_not_saved(app_context, media_dir, audio_file):
    audio_file("chapters.opus", "talk.opus")

    report = importer.sync(media_dir)

    assert report.warnings == [
        ("talk.opus", "embedded cover art is damaged or cut short; not used")
    ]
    assert report.added_files == ["talk.opus"]
    (episode,) = episodes()
    assert episode.image is None
    assert sorted(p.name for p in media_dir.iterdir()) == ["talk.opus"]


def test_art_a_host_put_next_to_the_audio_wins_and_is_never_overwritten(
    app_context, media_dir, audio_file
):
    audio_file("chapters.mp3", "talk.mp3")
    own = media_dir / "talk.png"
    shutil.copyfile(DEMO_COVER, own)

    report = importer.sync(media_dir)

    assert episodes()[0].image == "talk.png"
    assert own.read_bytes() == DEMO_COVER.read_bytes()
    assert not (media_dir / "talk.jpg").exists()
    assert report.warnings == []


def test_an_image_chosen_on_the_dashboard_stays(app_context, media_dir, audio_file):
    audio_file("chapters.mp3", "talk.mp3")
    importer.sync(media_dir)
    (media_dir / "uploads").mkdir()
    (media_dir / "uploads/cover.jpg").write_bytes(b"chosen by the host")
    episodes()[0].image = "uploads/cover.jpg"
    db.session.commit()

    report = importer.sync(media_dir)

    assert report.unchanged == ["talk"]
    assert episodes()[0].image == "uploads/cover.jpg"


def test_sidecar_files_set_fields_chapters_and_transcripts(
    app_context, media_dir, audio_file
):
    make_show()
    audio_file("speech.mp3", "talk.mp3")
    for name in ("talk.toml", "talk.chapters.json", "talk.vtt", "talk.es.srt"):
        sidecar_file(media_dir, name)

    report = importer.sync(media_dir)

    assert report.warnings == []
    assert report.lines() == ["added: talk.mp3 → episode 'lighthouse-keeper'"]
    (episode,) = episodes()
    assert episode.slug == "lighthouse-keeper"
    assert episode.title == "Die Leuchtturmwärterin — 灯台"  # not the tag's title
    assert episode.artist == ARTIST
    assert episode.published_at == datetime(2025, 3, 30, 7, 15, tzinfo=UTC)
    assert (episode.season, episode.number) == (2, 5)
    assert episode.episode_type == "bonus"
    assert episode.explicit is True
    assert episode.description.startswith("A story about a lighthouse")
    assert chapters_of(episode) == SIDECAR_CHAPTERS
    # A picture-only chapter stays, out of the table of contents; pictures stay.
    assert chapter_extras_of(episode) == [
        ("Intro — Café", None, True),
        ("日本の話", None, True),
        ("Cover change only", None, False),
        ("Zoë’s outro", "https://example.com/outro.jpg", True),
    ]
    assert transcripts_of(episode) == [
        ("talk.es.srt", "application/x-subrip", "es"),
        ("talk.vtt", "text/vtt", None),
    ]


def test_audio_chapters_win_over_the_chapters_file(app_context, media_dir, audio_file):
    audio_file("art.flac", "talk.flac")
    sidecar_file(media_dir, "talk.chapters.json")

    report = importer.sync(media_dir)

    assert (
        "talk.chapters.json",
        "not used: the audio file has chapters of its own",
    ) in report.warnings
    assert [c.source for c in episodes()[0].chapters] == ["audio", "audio"]


def test_bad_sidecar_fields_are_warnings_and_the_audio_still_imports(
    app, runner, media_dir, audio_file
):
    audio_file("speech.mp3", "talk.mp3")
    (media_dir / "talk.toml").write_text(
        'title = "Kept"\nseason = 0\ntype = "bonsu"\npublished = "soon"\n'
    )
    (media_dir / "talk.vtt").write_text("not a transcript\n")

    result = runner.invoke(args=["hub", "import"])

    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "warning: talk.toml: season: must be a whole number from 1, not 0; ignored",
        "warning: talk.toml: type: must be full, trailer or bonus, not 'bonsu'; "
        "ignored",
        "warning: talk.toml: published: 'soon' is not a date like "
        "2024-05-01T09:00:00Z; ignored",
        'warning: talk.vtt: is not WebVTT (it must start with "WEBVTT"); left out',
    ]
    with app.app_context():
        (episode,) = episodes()
        assert episode.title == "Kept"
        assert episode.season is None and episode.episode_type == "full"
        assert episode.transcripts == []


def test_toml_syntax_error_is_a_warning(app_context, media_dir, audio_file):
    audio_file("speech.mp3", "talk.mp3")
    (media_dir / "talk.toml").write_text('title = "Unclosed\n')

    report = importer.sync(media_dir)

    ((name, message),) = report.warnings
    assert name == "talk.toml"
    assert message.startswith("is not valid TOML: ")
    assert episodes()[0].title == TITLE


def test_sidecar_slug_that_is_taken_is_a_warning(app_context, media_dir, audio_file):
    make_episode(slug="lighthouse-keeper", audio_file="old.mp3")
    audio_file("speech.mp3", "talk.mp3")
    sidecar_file(media_dir, "talk.toml")

    report = importer.sync(media_dir)

    assert report.added == ["talk"]
    assert report.warnings == [
        ("talk.toml", "slug: 'lighthouse-keeper' is taken by another episode; ignored")
    ]


def test_sidecars_of_no_audio_file_are_warnings(app_context, media_dir, audio_file):
    audio_file("speech.mp3", "talk.mp3")
    sidecar_file(media_dir, "talk.toml", "Talk.toml")
    sidecar_file(media_dir, "talk.vtt", "season-1/gone.vtt")

    report = importer.sync(media_dir)

    assert report.warnings == [
        ("Talk.toml", "no audio file is named like it; ignored"),
        ("season-1/gone.vtt", "no audio file is named like it; ignored"),
    ]


def everything(media_dir, audio_file):
    """Fill the media folder with audio, art, chapters, transcripts and sidecars."""
    audio_file("chapters.mp3", "a.mp3")
    audio_file("chapters.m4a", "b.m4a")
    audio_file("speech.mp3", "c.mp3")
    for name in ("talk.toml", "talk.chapters.json", "talk.vtt", "talk.es.srt"):
        sidecar_file(media_dir, name, name.replace("talk", "c"))
    sidecar_file(media_dir, "show.toml")
    shutil.copyfile(DEMO_COVER, media_dir / "cover.png")


def test_second_run_with_sidecars_chapters_and_art_writes_nothing(
    app_context, media_dir, audio_file, count_queries
):
    everything(media_dir, audio_file)
    first = importer.sync(media_dir)
    assert first.warnings == []
    assert first.show == "added"
    before = rows()

    with count_queries() as queries:
        again = importer.sync(media_dir)

    assert queries.writes == []
    assert rows() == before
    assert again.lines() == []
    assert again.summary() == "0 added, 0 updated, 3 unchanged, 0 skipped"


def test_changed_sidecar_updates_the_episode_and_keeps_its_guid(
    app_context, media_dir, audio_file
):
    audio_file("speech.mp3", "talk.mp3")
    path = sidecar_file(media_dir, "talk.toml")
    importer.sync(media_dir)
    (episode,) = episodes()
    guid, episode_id = episode.guid, episode.id

    path.write_text(
        path.read_text()
        .replace("number = 5", "number = 6")
        .replace("2025-03-30", "2025-04-02")
    )
    saved_later(path)
    report = importer.sync(media_dir)

    db.session.expire_all()
    (episode,) = episodes()
    assert report.updated == ["lighthouse-keeper"]
    assert (episode.id, episode.guid) == (episode_id, guid)
    assert episode.number == 6
    assert episode.published_at == datetime(2025, 4, 2, 7, 15, tzinfo=UTC)
    assert importer.sync(media_dir).unchanged == ["lighthouse-keeper"]


def test_dashboard_edits_made_after_the_sidecar_was_saved_stay(
    app_context, media_dir, audio_file
):
    audio_file("speech.mp3", "talk.mp3")
    sidecar_file(media_dir, "talk.toml")
    importer.sync(media_dir)
    (episode,) = episodes()
    episode.title = "Edited on the dashboard"
    episode.season = 3
    db.session.commit()

    report = importer.sync(media_dir)

    assert episodes()[0].title == "Edited on the dashboard"
    assert report.unchanged == ["lighthouse-keeper"]
    assert report.warnings == [
        (
            "talk.toml",
            "title, season: the episode was edited after this file was saved; "
            "the episode keeps its values (save the file again to apply it)",
        )
    ]


def test_sidecar_saved_after_a_dashboard_edit_wins(app_context, media_dir, audio_file):
    audio_file("speech.mp3", "talk.mp3")
    path = sidecar_file(media_dir, "talk.toml")
    importer.sync(media_dir)
    episodes()[0].title = "Edited on the dashboard"
    db.session.commit()

    saved_later(path)
    report = importer.sync(media_dir)

    assert report.updated == ["lighthouse-keeper"]
    assert episodes()[0].title == "Die Leuchtturmwärterin — 灯台"


def test_removing_a_sidecar_field_keeps_the_value(app_context, media_dir, audio_file):
    audio_file("speech.mp3", "talk.mp3")
    path = sidecar_file(media_dir, "talk.toml")
    importer.sync(media_dir)

    path.write_text('title = "Only the title now"\n')
    saved_later(path)
    importer.sync(media_dir)

    (episode,) = episodes()
    assert episode.title == "Only the title now"
    assert episode.season == 2 and episode.slug == "lighthouse-keeper"


def test_changed_audio_chapters_replace_imported_ones_only(
    app_context, media_dir, audio_file
):
    audio_file("chapters.mp3", "talk.mp3")
    importer.sync(media_dir)

    audio_file("art.flac", "talk.mp3")
    report = importer.sync(media_dir)

    assert report.updated == ["talk"]
    assert chapters_of(episodes()[0]) == [
        (0, "Anfang", None, "audio"),
        (1, "Ende — Schluß", "https://example.com/ende", "audio"),
    ]


def test_chapters_fall_back_to_the_sidecar_and_follow_it(
    app_context, media_dir, audio_file
):
    audio_file("speech.mp3", "talk.mp3")
    path = sidecar_file(media_dir, "talk.chapters.json")
    importer.sync(media_dir)
    edited_at = episodes()[0].updated_at

    path.write_text('{"chapters": [{"startTime": 2.9, "title": "Only one"}]}')
    report = importer.sync(media_dir)

    assert report.updated == ["talk"]
    (episode,) = episodes()
    assert chapters_of(episode) == [(2, "Only one", None, "sidecar")]
    assert episode.updated_at > edited_at  # so the feed is rebuilt

    path.unlink()
    importer.sync(media_dir)
    assert episodes()[0].chapters == []


def test_chapters_after_the_end_of_the_audio_are_left_out(
    app_context, media_dir, audio_file
):
    audio_file("speech.mp3", "talk.mp3")  # 3 s long
    (media_dir / "talk.chapters.json").write_text(
        '{"chapters": [{"startTime": 0, "title": "Start"},'
        ' {"startTime": 1e30, "title": "Far away"}]}'
    )

    report = importer.sync(media_dir)

    assert chapters_of(episodes()[0]) == [(0, "Start", None, "sidecar")]
    assert report.warnings == [
        (
            "talk.chapters.json",
            "chapter 'Far away' starts at 1000000000000000019884624838656 s, "
            "after the audio ends; left out",
        )
    ]


def test_host_chapters_stay_when_imported_ones_change(
    app_context, media_dir, audio_file
):
    audio_file("chapters.mp3", "talk.mp3")
    importer.sync(media_dir)
    (episode,) = episodes()
    make_chapter(episode, start_s=1, title="Added by the host", source="host")

    audio_file("art.flac", "talk.mp3")
    report = importer.sync(media_dir)

    db.session.expire_all()
    assert report.updated == ["talk"]
    assert sorted(chapters_of(episodes()[0])) == [
        (0, "Anfang", None, "audio"),
        (1, "Added by the host", None, "host"),
        (1, "Ende — Schluß", "https://example.com/ende", "audio"),
    ]
    assert importer.sync(media_dir).unchanged == ["talk"]


def test_transcripts_follow_the_files(app_context, media_dir, audio_file):
    audio_file("speech.mp3", "talk.mp3")
    sidecar_file(media_dir, "talk.vtt")
    srt = sidecar_file(media_dir, "talk.es.srt")
    importer.sync(media_dir)

    srt.unlink()
    sidecar_file(media_dir, "talk.vtt", "talk.fr.vtt")
    report = importer.sync(media_dir)

    assert report.updated == ["talk"]
    assert transcripts_of(episodes()[0]) == [
        ("talk.fr.vtt", "text/vtt", "fr"),
        ("talk.vtt", "text/vtt", None),
    ]


def test_files_that_share_a_name_are_one_episode_with_alternates(
    app_context, media_dir, audio_file
):
    """talk.mp3 + talk.ogg + talk.flac: one episode, the MP3 its enclosure."""
    audio_file("speech.ogg", "talk.ogg")
    audio_file("speech.flac", "talk.flac")
    audio_file("speech.mp3", "talk.mp3")
    sidecar_file(media_dir, "talk.vtt")

    report = importer.sync(media_dir)

    assert report.added_files == ["talk.mp3"] and report.warnings == []
    (episode,) = episodes()
    assert episode.audio_file == "talk.mp3" and episode.mime_type == "audio/mpeg"
    assert transcripts_of(episode) == [("talk.vtt", "text/vtt", None)]
    assert [
        (a.file, a.mime_type, a.codec, a.size_bytes, a.duration_s)
        for a in episode.alternates
    ] == [
        (
            "talk.flac",
            "audio/flac",
            "flac",
            (media_dir / "talk.flac").stat().st_size,
            3,
        ),
        ("talk.ogg", "audio/ogg", "vorbis", (media_dir / "talk.ogg").stat().st_size, 3),
    ]
    assert all(a.bitrate_bps > 1000 for a in episode.alternates)
    assert importer.sync(media_dir).unchanged == ["talk"]


def test_an_mp3_beside_an_imported_ogg_becomes_its_enclosure(
    app_context, media_dir, audio_file
):
    """The episode keeps its guid and slug; the Ogg file becomes its alternate."""
    audio_file("speech.ogg", "talk.ogg")
    importer.sync(media_dir)
    (before,) = episodes()
    guid = before.guid
    audio_file("speech.mp3", "talk.mp3")

    report = importer.sync(media_dir)

    assert report.updated == ["talk"] and report.added == []
    (episode,) = episodes()
    assert (episode.guid, episode.slug) == (guid, "talk")
    assert (episode.audio_file, episode.mime_type) == ("talk.mp3", "audio/mpeg")
    assert [a.file for a in episode.alternates] == ["talk.ogg"]

    (media_dir / "talk.mp3").unlink()
    importer.sync(media_dir)
    (episode,) = episodes()
    assert (episode.guid, episode.audio_file, episode.alternates) == (
        guid,
        "talk.ogg",
        [],
    )


def test_an_episode_imported_twice_before_pairing_leaves_the_feed(
    app_context, media_dir, audio_file
):
    """Imports before pairing made talk.ogg an episode of its own: it becomes a
    draft with its comments, and its transcript goes to the MP3's episode."""
    audio_file("speech.mp3", "talk.mp3")
    audio_file("speech.ogg", "talk.ogg")
    sidecar_file(media_dir, "talk.vtt")
    main = make_episode(slug="talk", audio_file="talk.mp3")
    twin = make_episode(slug="talk-2", audio_file="talk.ogg", mime_type="audio/ogg")
    make_transcript(twin, file="talk.vtt")

    report = importer.sync(media_dir)

    assert report.warnings == [
        (
            "talk.ogg",
            "now an alternate file of episode 'talk'; its own episode 'talk-2' is "
            "unpublished (a draft: its comments stay; delete it on the dashboard)",
        )
    ]
    by_slug = {e.slug: e for e in episodes()}
    assert by_slug["talk-2"].published_at is None
    assert by_slug["talk"].published_at == main.published_at
    assert transcripts_of(by_slug["talk"]) == [("talk.vtt", "text/vtt", None)]
    assert [a.file for a in by_slug["talk"].alternates] == ["talk.ogg"]


def test_show_toml_creates_the_show(app_context, media_dir, audio_file):
    sidecar_file(media_dir, "show.toml")
    shutil.copyfile(DEMO_COVER, media_dir / "cover.png")

    report = importer.sync(media_dir)

    show = get_show()
    assert report.show == "added"
    assert report.lines()[0] == "added: show.toml → the show"
    assert (show.title, show.show_type, show.language) == (
        "Momente — 瞬間",
        "serial",
        "de-AT",
    )
    assert show.category == "Society & Culture > Personal Journals"
    assert (show.funding_url, show.funding_text) == (
        "https://example.com/support",
        "Support the show",
    )
    assert show.new_feed_url == "https://feeds.example.com/momente.xml"
    assert show.locked is False and show.cover == "cover.png"


def test_show_toml_updates_the_show_and_refuses_a_cover_that_is_no_image(
    app_context, media_dir
):
    make_show(
        title="Old title",
        moderation_mode="hold_all",
        cover="old.png",
        podcast_guid="917393e3-1b1e-5cef-ace4-edaa54e1f810",
    )
    sidecar_file(media_dir, "show.toml")
    saved_later(media_dir / "show.toml")
    (media_dir / "cover.png").write_bytes(b"not an image")

    report = importer.sync(media_dir)

    show = get_show()
    assert report.lines()[0] == "updated: show.toml → the show"
    assert show.title == "Momente — 瞬間"
    assert show.moderation_mode == "hold_all"  # not a sidecar field
    assert show.cover == "old.png"
    assert report.warnings == [
        (
            "show.toml",
            "cover art cover.png is not a readable image (unknown format or "
            "damaged); not used",
        )
    ]


BOMB_REASON = (
    f"claims more than 25 megapixels, too large for cover art; {SIZE_RULE}; not used"
)


def test_a_show_cover_claiming_50000_px_square_is_refused(app_context, media_dir):
    sidecar_file(media_dir, "show.toml")
    (media_dir / "cover.png").write_bytes(png_claiming(50_000, 50_000))

    report = importer.sync(media_dir)

    assert get_show().cover is None
    assert report.warnings == [("show.toml", f"cover art cover.png {BOMB_REASON}")]


def test_a_show_cover_that_became_a_bomb_leaves_the_feed(app_context, media_dir):
    sidecar_file(media_dir, "show.toml")
    shutil.copyfile(DEMO_COVER, media_dir / "cover.png")
    importer.sync(media_dir)
    assert get_show().cover == "cover.png"

    (media_dir / "cover.png").write_bytes(png_claiming(50_000, 50_000))
    report = importer.sync(media_dir)

    assert get_show().cover is None
    assert report.show == "updated"


def test_episode_art_claiming_50000_px_square_is_refused(
    app_context, media_dir, audio_file
):
    audio_file("speech.mp3", "talk.mp3")
    (media_dir / "talk.png").write_bytes(png_claiming(50_000, 50_000))

    report = importer.sync(media_dir)

    assert episodes()[0].image is None
    assert report.warnings == [("talk.mp3", f"cover art talk.png {BOMB_REASON}")]


def test_episode_art_that_became_a_bomb_leaves_the_feed(
    app_context, media_dir, audio_file
):
    audio_file("speech.mp3", "talk.mp3")
    shutil.copyfile(DEMO_COVER, media_dir / "talk.png")
    importer.sync(media_dir)
    assert episodes()[0].image == "talk.png"

    (media_dir / "talk.png").write_bytes(png_claiming(10_000, 10_000))
    saved_later(media_dir / "talk.png")
    report = importer.sync(media_dir)

    assert episodes()[0].image is None
    assert report.updated == ["talk"]


def test_embedded_art_claiming_50000_px_square_is_not_saved(
    app_context, media_dir, audio_file
):
    from mutagen.id3 import APIC, ID3

    path = audio_file("speech.mp3", "talk.mp3")
    tags = ID3(path)
    tags.add(
        APIC(encoding=3, mime="image/png", type=3, data=png_claiming(50_000, 50_000))
    )
    tags.save()

    report = importer.sync(media_dir)

    assert episodes()[0].image is None
    assert report.warnings == [
        (
            "talk.mp3",
            f"embedded cover art {BOMB_REASON}",
        )
    ]
    assert sorted(p.name for p in media_dir.iterdir()) == ["talk.mp3"]


def test_show_toml_without_a_title_makes_the_show_with_the_folders_name(
    app_context, media_dir
):
    (media_dir / "show.toml").write_text('author = "Zoë"\n')

    report = importer.sync(media_dir)

    show = get_show()
    assert (show.title, show.author) == ("Media", "Zoë")
    assert report.warnings == []
    assert report.lines()[0] == (
        "added: the show 'Media' from show.toml and the files "
        "(title from the folder's name): its feed is at /feed.xml"
    )


def test_chapter_links_from_audio_tags_are_web_links_only(
    app, client, media_dir, audio_file
):
    """A `javascript:` or `data:` link in an ID3 chapter never reaches
    chapters.json; the import says which chapter lost its link."""
    from mutagen.id3 import CHAP, ID3, TIT2, WXXX

    make_show()
    path = audio_file("speech.mp3", "talk.mp3")
    tags = ID3(path)
    for element_id, start_ms, link in [
        ("a", 0, "javascript:alert(document.cookie)"),
        ("b", 1000, "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
        ("c", 2000, "https://example.org/c"),
    ]:
        title = TIT2(encoding=3, text=[f"Chapter {element_id}"])
        link_frame = WXXX(encoding=3, url=link)
        tags.add(
            CHAP(
                element_id=element_id,
                start_time=start_ms,
                sub_frames=[title, link_frame],
            )
        )
    tags.save()

    with app.app_context():
        report = importer.sync(media_dir)
        (episode,) = episodes()
        assert chapters_of(episode) == [
            (0, "Chapter a", None, "audio"),
            (1, "Chapter b", None, "audio"),
            (2, "Chapter c", "https://example.org/c", "audio"),
        ]
    assert [name for name, _ in report.warnings] == ["talk.mp3", "talk.mp3"]
    assert "'javascript:alert(document.cookie)'" in report.warnings[0][1]
    response = client.get("/episodes/talk/chapters.json")
    chapters = json.loads(response.data)["chapters"]
    assert [chapter.get("url") for chapter in chapters] == [
        None,
        None,
        "https://example.org/c",
    ]


def test_cli_import_skips_a_wav_claiming_days_in_a_few_bytes(
    app, runner, media_dir, audio_file
):
    """130 bytes whose header claims six days of audio are not an episode."""
    import struct

    audio_file("speech.mp3", "talk.mp3")
    claimed = 6 * 86400 * 8000  # 8 kHz, 8-bit mono: 8,000 bytes a second
    chunks = (
        b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 8000, 1, 8)
        + b"data"
        + struct.pack("<I", claimed)
        + b"\x80" * 86
    )
    lying = b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks
    (media_dir / "tiny.wav").write_bytes(lying)

    result = runner.invoke(args=["hub", "import"])

    assert result.exit_code == 1
    assert "skipped: tiny.wav: claims to last 6.0 days" in result.stderr
    assert "1 added, 0 updated, 0 unchanged, 1 skipped" in result.stdout
    with app.app_context():
        assert [e.audio_file for e in episodes()] == ["talk.mp3"]


def people_of(row):
    return [(p.name, p.role, p.group_name, p.img, p.href) for p in row.people]


def test_sidecars_credit_people_and_set_the_episode_author(
    app_context, media_dir, audio_file
):
    audio_file("speech.mp3", "talk.mp3")
    sidecar_file(media_dir, "talk.toml")
    sidecar_file(media_dir, "show.toml")
    shutil.copyfile(DEMO_COVER, media_dir / "cover.png")

    report = importer.sync(media_dir)

    assert report.warnings == []
    (episode,) = episodes()
    assert episode.artist == "Zoë Ørsted"
    assert people_of(episode) == [
        (
            "Ada Gast",
            "guest",
            "cast",
            "https://example.com/ada.jpg",
            "https://example.com/ada",
        ),
        ("Ben Ton", "audio editor", "audio post-production", None, None),
    ]
    show = get_show()
    assert people_of(show) == [
        ("Zoë Ørsted", "host", "cast", None, "https://example.com/zoe")
    ]
    assert (show.medium, show.license, show.update_rrule) == (
        "podcast",
        "CC-BY-NC-4.0",
        "FREQ=WEEKLY;INTERVAL=2",
    )


def test_people_edited_on_the_dashboard_after_the_sidecar_stay(
    app_context, media_dir, audio_file
):
    audio_file("speech.mp3", "talk.mp3")
    path = sidecar_file(media_dir, "talk.toml")
    importer.sync(media_dir)
    (episode,) = episodes()
    publishing.remove_person(episode, episode.people[0].id)

    report = importer.sync(media_dir)

    assert [p.name for p in episodes()[0].people] == ["Ben Ton"]
    assert report.warnings == [
        (
            "talk.toml",
            "person: the episode was edited after this file was saved; the "
            "episode keeps its people (save the file again to apply it)",
        )
    ]
    saved_later(path)
    assert importer.sync(media_dir).updated == ["lighthouse-keeper"]
    assert [p.name for p in episodes()[0].people] == ["Ada Gast", "Ben Ton"]
