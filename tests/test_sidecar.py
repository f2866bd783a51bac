"""Reading the metadata files next to the audio: TOML, JSON chapters, transcripts."""

import json
import re
import shutil
from datetime import UTC, datetime

import pytest

from podcast_hub.library import sidecar
from podcast_hub.library.audio import Chapter

from .conftest import FIXTURES

SIDECARS = FIXTURES / "sidecars"


def write(folder, name, content):
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_episode_sidecar_gives_each_field():
    read = sidecar.read_episode(SIDECARS / "talk.toml", "talk.toml")

    assert read.warnings == []
    assert read.values == {
        "title": "Die Leuchtturmwärterin — 灯台",
        "published_at": datetime(2025, 3, 30, 7, 15, tzinfo=UTC),
        "season": 2,
        "number": 5,
        "episode_type": "bonus",
        "explicit": True,
        "description": (
            "A story about a lighthouse, a storm and a very long night.\n\n"
            "Music: “Nocturne” by Zoë Ørsted."
        ),
        "slug": "lighthouse-keeper",
        "guid": "momente-2-5",
        "artist": "Zoë Ørsted",
        "people": [
            sidecar.PersonFacts(
                "Ada Gast",
                "guest",
                "cast",
                "https://example.com/ada.jpg",
                "https://example.com/ada",
            ),
            sidecar.PersonFacts("Ben Ton", "audio editor", "audio post-production"),
        ],
    }
    assert read.keys["artist"] == "author"
    assert read.keys["published_at"] == "published"
    assert read.keys["episode_type"] == "type"


@pytest.mark.parametrize(
    ("line", "published_at"),
    [
        ("published = 2025-03-30", datetime(2025, 3, 30, tzinfo=UTC)),
        ("published = 2025-03-30T09:15:00", datetime(2025, 3, 30, 9, 15, tzinfo=UTC)),
        ("published = 2025-03-30 09:15:00Z", datetime(2025, 3, 30, 9, 15, tzinfo=UTC)),
        (
            "published = 2025-03-30T09:15:00-05:00",
            datetime(2025, 3, 30, 14, 15, tzinfo=UTC),
        ),
        (
            'published = "2025-03-30T09:15:00+01:00"',
            datetime(2025, 3, 30, 8, 15, tzinfo=UTC),
        ),
        ('published = "2025-03-30"', datetime(2025, 3, 30, tzinfo=UTC)),
    ],
)
def test_published_dates_become_aware_utc(tmp_path, line, published_at):
    """Is a date midnight UTC, and a datetime without an offset taken as UTC?"""
    read = sidecar.read_episode(write(tmp_path, "talk.toml", line), "talk.toml")

    assert read.warnings == []
    assert read.values == {"published_at": published_at}


@pytest.mark.parametrize(
    ("content", "warning"),
    [
        ("season = 0", "season: must be a whole number from 1, not 0; ignored"),
        ("season = -2", "season: must be a whole number from 1, not -2; ignored"),
        ('number = "5"', "number: must be a whole number from 1, not '5'; ignored"),
        ("number = 2.5", "number: must be a whole number from 1, not 2.5; ignored"),
        ("number = true", "number: must be a whole number from 1, not True; ignored"),
        ("number = 9999999999", "number: 9999999999 is too large; ignored"),
        (
            'type = "bonsu"',
            "type: must be full, trailer or bonus, not 'bonsu'; ignored",
        ),
        ('explicit = "yes"', "explicit: must be true or false, not 'yes'; ignored"),
        ("title = 5", "title: must be text in quotes; ignored"),
        ('title = "  "', "title: is empty; ignored"),
        (f'title = "{"x" * 256}"', "title: longer than 255 characters; ignored"),
        (
            'published = "next tuesday"',
            "published: 'next tuesday' is not a date like 2024-05-01T09:00:00Z; "
            "ignored",
        ),
        (
            "published = 09:15:00",
            "published: must be a date like 2024-05-01 or 2024-05-01T09:00:00Z; "
            "ignored",
        ),
        (
            "published = 0001-01-01T00:00:00+01:00",
            "published: 0001-01-01T00:00:00+01:00 is out of range; ignored",
        ),
        (
            'slug = "Not A Slug"',
            "slug: 'Not A Slug' must be lowercase letters, digits and single "
            "dashes; ignored",
        ),
        (
            'guid = "two words"',
            "guid: 'two words' must be text of up to 255 characters without "
            "spaces; ignored",
        ),
        (
            "guid = 42",
            "guid: 42 must be text of up to 255 characters without spaces; ignored",
        ),
        ("sesaon = 2", "unknown field 'sesaon' (did you mean 'season'?); ignored"),
        ("[chapters]\nintro = 0", "unknown field 'chapters'; ignored"),
    ],
)
def test_bad_episode_fields_are_warnings_and_the_rest_still_counts(
    tmp_path, content, warning
):
    path = write(tmp_path, "talk.toml", f'notes = "Kept"\n{content}\n')

    read = sidecar.read_episode(path, "season-1/talk.toml")

    assert read.warnings == [("season-1/talk.toml", warning)]
    assert read.values == {"description": "Kept"}


@pytest.mark.parametrize(
    ("content", "warning"),
    [
        (
            'title = "Unclosed\nseason = 2\n',
            "is not valid TOML: Illegal character '\\n' (at line 1, column 18); "
            "ignored",
        ),
        ("season = 2\nseason = 3\n", "is not valid TOML: Cannot overwrite a value"),
        (b'title = "caf\xe9"\n', "is not UTF-8 text; ignored"),
        ("# " + "x" * (1 << 20), "is larger than 1 MB; ignored"),
    ],
)
def test_unreadable_episode_sidecar_is_one_warning(tmp_path, content, warning):
    read = sidecar.read_episode(write(tmp_path, "talk.toml", content), "talk.toml")

    ((name, message),) = read.warnings
    assert name == "talk.toml"
    assert message.startswith(warning)
    assert read.values == {}


def test_byte_order_mark_is_allowed(tmp_path):
    path = write(tmp_path, "talk.toml", b'\xef\xbb\xbftitle = "Caf\xc3\xa9"\n')

    assert sidecar.read_episode(path, "talk.toml").values == {"title": "Café"}


def test_show_sidecar_gives_each_field(tmp_path):
    shutil.copyfile(SIDECARS / "show.toml", tmp_path / "show.toml")
    write(tmp_path, "cover.png", b"checked by the importer, not here")

    read = sidecar.read_show(tmp_path / "show.toml", "show.toml", tmp_path)

    assert read.warnings == []
    assert read.values == {
        "title": "Momente — 瞬間",
        "description": (
            "A small show about the moments in conversations that stay with you."
        ),
        "author": "Zoë Ørsted",
        "owner_name": "Zoë Ørsted",
        "owner_email": "zoe@example.com",
        "language": "de-AT",
        "category": "Society & Culture > Personal Journals",
        "explicit": False,
        "show_type": "serial",
        "cover": "cover.png",
        "funding_url": "https://example.com/support",
        "funding_text": "Support the show",
        "new_feed_url": "https://feeds.example.com/momente.xml",
        "locked": False,
        "podcast_guid": "917393e3-1b1e-5cef-ace4-edaa54e1f810",
        "block": False,
        "complete": False,
        "medium": "podcast",
        "copyright": "© 2025 Zoë Ørsted",
        "license": "CC-BY-NC-4.0",
        "update_frequency": "Every other week",
        "update_rrule": "FREQ=WEEKLY;INTERVAL=2",
        "txt": [
            {"purpose": "applepodcastsverify", "text": "abc123"},
            {"purpose": None, "text": "a note for robots"},
        ],
        "people": [
            sidecar.PersonFacts(
                "Zoë Ørsted", "host", "cast", href="https://example.com/zoe"
            )
        ],
    }


@pytest.mark.parametrize(
    ("content", "warning"),
    [
        ('type = "daily"', "type: must be episodic or serial, not 'daily'; ignored"),
        (
            'owner_email = "zoe at example"',
            "owner_email: 'zoe at example' is not an e-mail address; ignored",
        ),
        (
            'language = "English"',
            "language: 'English' is not a language code like en or pt-BR; ignored",
        ),
        (
            'category = "Arts > Design > Posters"',
            "category: 'Arts > Design > Posters' must be \"Category\" or "
            '"Category > Subcategory"; ignored',
        ),
        (
            'funding_url = "example.com/support"',
            "funding_url: 'example.com/support' is not a web link (https://...); "
            "ignored",
        ),
        ('cover = "missing.png"', "cover: there is no file missing.png in the folder"),
        (
            'cover = "../outside.png"',
            "cover: '../outside.png' must be a file name inside the folder; ignored",
        ),
        ('locked = "no"', "locked: must be true or false, not 'no'; ignored"),
        (
            'guid = "my-show"',
            "guid: 'my-show' is not a UUID (the show's podcast:guid); ignored",
        ),
        (
            'medium = "radio"',
            "medium: 'radio': Use one of the Podcast Namespace's mediums: podcast,",
        ),
        (
            'update_rrule = "weekly"',
            "update_rrule: 'weekly': Use an iCalendar rule starting with FREQ=",
        ),
        (
            'license = "Acme-1.0"',
            "license: Acme-1.0 is not an SPDX identifier we know: give the "
            "licence's address too.; ignored",
        ),
        (
            'license_url = "http://example.org/licence"',
            "license_url: 'http://example.org/licence' is not an https:// address",
        ),
        ('txt = [{ text = "" }]', "txt: Give a text of 1 to 4000 characters."),
        (
            'person = [{ name = "Ana", role = "wizard" }]',
            "person: role: In the group 'cast' the Podcast Taxonomy's roles are:",
        ),
        (
            'person = [{ name = "Ana", group = "wizards" }]',
            "person: group: Use a group of the Podcast Taxonomy",
        ),
        (
            'person = [{ name = "Ana", role = "guest", group = "writing" }]',
            "person: role: In the group 'writing' the Podcast Taxonomy's roles are:",
        ),
        (
            'person = [{ name = "Ana", img = "http://example.org/a.jpg" }]',
            "person: img: Give an address starting with https://",
        ),
        ('person = [{ name = "Ana", age = 3 }]', "person: unknown key 'age'"),
        ('person = ["Ana", 3]', "person: person 2: give a name or a table"),
    ],
)
def test_bad_show_fields_are_warnings(tmp_path, content, warning):
    path = write(tmp_path, "show.toml", f'title = "Kept"\n{content}\n')

    read = sidecar.read_show(path, "show.toml", tmp_path)

    ((name, message),) = read.warnings
    assert name == "show.toml"
    assert message.startswith(warning)
    assert read.values == {"title": "Kept"}


def test_show_category_spacing_is_normalised(tmp_path):
    path = write(tmp_path, "show.toml", 'category = "Arts>Design"\n')

    assert sidecar.read_show(path, "show.toml", tmp_path).values == {
        "category": "Arts > Design"
    }


def test_json_chapters_are_read_with_whole_second_starts_pictures_and_toc():
    chapters, warnings = sidecar.read_chapters(
        SIDECARS / "talk.chapters.json", "talk.chapters.json"
    )

    assert warnings == []
    assert chapters == [
        Chapter(0, "Intro — Café"),
        Chapter(1, "日本の話", "https://example.com/notes#japan"),
        Chapter(2, "Cover change only", toc=False),
        Chapter(2, "Zoë’s outro", img="https://example.com/outro.jpg"),
    ]


@pytest.mark.parametrize(
    ("entry", "warning"),
    [
        ('{"startTime": -1, "title": "Early"}', "startTime must be seconds, 0 or more"),
        ('{"startTime": "1:00", "title": "Text"}', "startTime must be seconds"),
        ('{"title": "No start"}', "startTime must be seconds, 0 or more"),
        ('{"startTime": 1}', "has no title; left out"),
        ('{"startTime": 1, "title": "  "}', "has no title; left out"),
        ('"just text"', "not an object; left out"),
    ],
)
def test_bad_json_chapters_are_left_out_with_a_warning(tmp_path, entry, warning):
    content = f'{{"chapters": [{{"startTime": 0, "title": "Kept"}}, {entry}]}}'
    path = write(tmp_path, "talk.chapters.json", content)

    chapters, warnings = sidecar.read_chapters(path, "talk.chapters.json")

    assert chapters == [Chapter(0, "Kept")]
    ((name, message),) = warnings
    assert name == "talk.chapters.json"
    assert message.startswith(f"chapter 2: {warning}")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:x",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:x",
        "//evil.example/x",
        "https://",
        "https:///path",
        "https://e.org/a b",
        3,
    ],
)
def test_json_chapter_link_that_is_not_a_web_link_is_dropped(tmp_path, url):
    chapter = {"startTime": 3, "title": "T", "url": url}
    content = json.dumps({"chapters": [chapter]})
    path = write(tmp_path, "talk.chapters.json", content)

    chapters, warnings = sidecar.read_chapters(path, "talk.chapters.json")

    assert chapters == [Chapter(3, "T")]
    assert warnings == [
        ("talk.chapters.json", "chapter 1: url is not a web link; dropped")
    ]


@pytest.mark.parametrize(
    ("content", "warning"),
    [
        ('{"chapters": [', "is not valid JSON: Expecting value: line 1 column 15"),
        ('[{"startTime": 0, "title": "T"}]', 'has no "chapters" list; ignored'),
        ('{"chapters": {"startTime": 0}}', 'has no "chapters" list; ignored'),
    ],
)
def test_unreadable_json_chapters_are_one_warning(tmp_path, content, warning):
    path = write(tmp_path, "talk.chapters.json", content)

    chapters, warnings = sidecar.read_chapters(path, "talk.chapters.json")

    assert chapters == []
    ((name, message),) = warnings
    assert message.startswith(warning)


def test_find_gives_the_sidecars_of_one_audio_file():
    names = {
        "talk.mp3",
        "talk.toml",
        "talk.chapters.json",
        "talk.vtt",
        "talk.es.srt",
        "talk.pt-BR.vtt",
        "talk.final.vtt",  # not a language
        "other.vtt",
        "talk.jpg",
    }

    found = sidecar.find("talk", names, {"talk"})

    assert found == sidecar.Found(
        episode="talk.toml",
        chapters="talk.chapters.json",
        transcripts=(
            sidecar.TranscriptFile("talk.es.srt", "application/x-subrip", "es"),
            sidecar.TranscriptFile("talk.pt-BR.vtt", "text/vtt", "pt-BR"),
            sidecar.TranscriptFile("talk.vtt", "text/vtt", None),
        ),
    )


def test_a_language_suffix_that_names_another_audio_file_is_that_files():
    names = {"talk.mp3", "talk.en.mp3", "talk.en.vtt"}
    stems = {"talk", "talk.en"}

    assert sidecar.find("talk", names, stems).transcripts == ()
    assert sidecar.find("talk.en", names, stems).transcripts == (
        sidecar.TranscriptFile("talk.en.vtt", "text/vtt", None),
    )


def test_show_toml_at_the_root_is_never_an_episode_sidecar():
    names = {"show.mp3", "show.toml"}

    assert sidecar.find("show", names, {"show"}, root=True).episode is None
    assert sidecar.find("show", names, {"show"}).episode == "show.toml"


def test_unclaimed_lists_sidecars_of_no_audio_file():
    names = {
        "talk.mp3",
        "talk.toml",
        "talk.de.vtt",
        "Talk.toml",
        "gone.chapters.json",
        "gone.srt",
        "show.toml",
        "cover.png",
        "notes.md",
    }

    assert sidecar.unclaimed(names, {"talk"}, root=True) == [
        "Talk.toml",
        "gone.chapters.json",
        "gone.srt",
    ]
    assert "show.toml" in sidecar.unclaimed(names, {"talk"})


@pytest.mark.parametrize(
    ("name", "content", "warning"),
    [
        ("talk.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n", None),
        ("talk.vtt", "\ufeffWEBVTT - with a header\n", None),
        ("talk.vtt", "1\n00:00:00,000 --> 00:00:01,000\nHi\n", "is not WebVTT"),
        ("talk.srt", "1\n00:00:00,000 --> 00:00:01,000\nHi\n", None),
        ("talk.srt", "WEBVTT\n\nHi\n", "is not SRT"),
        ("talk.srt", "  \n", "is empty; left out"),
    ],
)
def test_check_transcript_looks_at_the_start(tmp_path, name, content, warning):
    path = write(tmp_path, name, content)

    warnings = sidecar.check_transcript(path, name)

    if warning is None:
        assert warnings == []
    else:
        ((file, message),) = warnings
        assert file == name and message.startswith(warning)


def readme_examples(language):
    """Return the fenced `language` blocks of episodes/README.md."""
    readme = (FIXTURES.parent.parent / "episodes" / "README.md").read_text()
    return re.findall(rf"```{language}\n(.*?)```", readme, re.DOTALL)


def test_the_readme_examples_read_without_warnings(tmp_path):
    episode_toml, show_toml = readme_examples("toml")
    (chapters_json,) = readme_examples("json")
    write(tmp_path, "cover.png", b"")

    episode = sidecar.read_episode(write(tmp_path, "talk.toml", episode_toml), "t")
    show = sidecar.read_show(write(tmp_path, "show.toml", show_toml), "s", tmp_path)
    chapters, warnings = sidecar.read_chapters(
        write(tmp_path, "talk.chapters.json", chapters_json), "c"
    )

    assert episode.warnings == [] and len(episode.values) == 11
    assert show.warnings == [] and len(show.values) == 24
    assert warnings == [] and [c.start_s for c in chapters] == [0, 754, 1200]
