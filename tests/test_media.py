"""Serving audio and images from the media folder, as players request them.

Only the audio, art and transcripts of published episodes and the show's cover
are served, each by its stored name; anything else is the same 404.
"""

import os
import re
import signal
from datetime import UTC, datetime, timedelta

import pytest

from .helpers import make_episode, make_show, make_transcript

SECRET = b"the secret next to the media folder"
# What every file of the unreleased episode starts with; no response may hold it.
UNRELEASED = b"UNRELEASED:"
_CSRF_META = re.compile(rb'<meta name="csrf-token" content="[^"]*">')


@pytest.fixture
def audio_bytes(media_dir):
    """Publish an episode whose audio is x.mp3, 1000 known bytes; return them."""
    data = os.urandom(1000)
    (media_dir / "x.mp3").write_bytes(data)
    make_episode(audio_file="x.mp3", mime_type="audio/mpeg", size_bytes=1000)
    return data


@pytest.fixture
def secret(media_dir):
    """Put a file beside the media folder that must never be served."""
    path = media_dir.parent / "secret"
    path.write_bytes(SECRET)
    (media_dir / "sub").mkdir()
    return path


def get(client, path, **kwargs):
    """Return status, headers and body of a GET, closing any open file."""
    with client.get(path, **kwargs) as response:
        return response.status_code, response.headers, response.data


def test_get_sends_the_whole_file(client, audio_bytes):
    status, headers, body = get(client, "/media/x.mp3")
    assert status == 200
    assert body == audio_bytes
    assert headers["Content-Type"] == "audio/mpeg"
    assert headers["Content-Length"] == "1000"
    assert headers["Accept-Ranges"] == "bytes"


def test_range_sends_exactly_those_bytes(client, audio_bytes):
    status, headers, body = get(
        client, "/media/x.mp3", headers={"Range": "bytes=100-199"}
    )
    assert status == 206
    assert body == audio_bytes[100:200]
    assert headers["Content-Range"] == "bytes 100-199/1000"
    assert headers["Content-Length"] == "100"
    assert headers["Content-Type"] == "audio/mpeg"


@pytest.mark.parametrize(
    ("header", "expected"),
    [("bytes=900-", slice(900, None)), ("bytes=-50", slice(-50, None))],
)
def test_open_ended_ranges_send_the_tail(client, audio_bytes, header, expected):
    status, _, body = get(client, "/media/x.mp3", headers={"Range": header})
    assert status == 206
    assert body == audio_bytes[expected]


def test_unsatisfiable_range_is_refused(client, audio_bytes):
    status, headers, body = get(
        client, "/media/x.mp3", headers={"Range": "bytes=5000-6000"}
    )
    assert status == 416
    assert headers["Content-Range"] == "bytes */1000"
    assert audio_bytes not in body


def test_audio_of_a_scheduled_episode_is_not_served_early(client, media_dir):
    (media_dir / "soon.mp3").write_bytes(b"ID3" + bytes(100))
    make_episode(
        audio_file="soon.mp3", published_at=datetime.now(UTC) + timedelta(days=1)
    )
    status, _, _ = get(client, "/media/soon.mp3")
    assert status == 404


def test_head_sends_the_exact_length_without_a_body(client, audio_bytes):
    with client.head("/media/x.mp3") as response:
        assert response.status_code == 200
        assert response.headers["Content-Length"] == "1000"
        assert response.headers["Content-Type"] == "audio/mpeg"
        assert response.data == b""


def test_conditional_get_is_not_modified(client, audio_bytes):
    _, headers, _ = get(client, "/media/x.mp3")
    assert headers["Last-Modified"]
    status, _, body = get(
        client, "/media/x.mp3", headers={"If-None-Match": headers["ETag"]}
    )
    assert (status, body) == (304, b"")


def test_missing_file_is_not_found(client, audio_bytes):
    assert get(client, "/media/nothing.mp3")[0] == 404


def test_published_episode_whose_file_is_gone_is_not_found(client, media_dir):
    make_episode(audio_file="gone.mp3")
    assert get(client, "/media/gone.mp3")[0] == 404


@pytest.mark.parametrize(
    "path",
    [
        "/media/../secret",
        "/media/%2e%2e/secret",
        "/media/%2E%2E/secret",
        "/media/..%2fsecret",
        "/media/..%2Fsecret",
        "/media/sub/../../secret",
        "/media/sub/%2e%2e/%2e%2e/secret",
        "/media/sub/..%2f..%2fsecret",
        "/media//secret",
        "/media/%2fsecret",
        "/media/..\\secret",
        "/media/..%5csecret",
    ],
)
def test_paths_out_of_the_media_folder_are_not_found(client, secret, path):
    # Doubled slashes are first redirected to the merged path, still under /media.
    status, _, body = get(client, path, follow_redirects=True)
    assert status == 404
    assert SECRET not in body


def test_absolute_paths_are_not_found(client, secret):
    for path in (f"/media/{secret}", f"/media/%2f{str(secret).lstrip('/')}"):
        first_status, headers, _ = get(client, path)
        assert first_status == 308
        assert headers["Location"].startswith("http://localhost/media/")
        status, _, body = get(client, path, follow_redirects=True)
        assert status == 404
        assert SECRET not in body


@pytest.mark.parametrize(
    ("name", "mime_type"),
    [
        ("a.mp3", "audio/mpeg"),
        ("a.m4a", "audio/x-m4a"),
        ("a.m4b", "audio/x-m4a"),
        ("a.aac", "audio/aac"),
        ("a.ogg", "audio/ogg"),
        ("a.flac", "audio/flac"),
        ("a.wav", "audio/wav"),
        ("A.MP3", "audio/mpeg"),
    ],
)
def test_audio_is_served_with_the_episode_type(client, media_dir, name, mime_type):
    (media_dir / name).write_bytes(b"\0" * 10)
    make_episode(audio_file=name, mime_type=mime_type)
    status, headers, _ = get(client, f"/media/{name}")
    assert status == 200
    assert headers["Content-Type"] == mime_type


def test_episode_mime_type_wins_over_the_extension(client, media_dir):
    (media_dir / "talk.ogg").write_bytes(b"OggS" + b"\0" * 96)
    make_episode(audio_file="talk.ogg", mime_type="audio/opus")
    status, headers, _ = get(client, "/media/talk.ogg")
    assert status == 200
    assert headers["Content-Type"] == "audio/opus"


@pytest.mark.parametrize("stored", ["text/html", "image/svg+xml", "audio/x; a=b"])
def test_audio_stored_with_another_type_is_not_served_as_that(
    client, media_dir, stored
):
    (media_dir / "talk.mp3").write_bytes(b"<script>alert(1)</script>")
    make_episode(audio_file="talk.mp3", mime_type=stored)
    status, headers, _ = get(client, "/media/talk.mp3")
    assert status == 200
    assert headers["Content-Type"] == "application/octet-stream"


def test_files_in_subfolders_are_served(client, media_dir):
    (media_dir / "season-1").mkdir()
    (media_dir / "season-1" / "one.m4a").write_bytes(b"m4a!")
    make_episode(audio_file="season-1/one.m4a", mime_type="audio/x-m4a")
    status, headers, body = get(client, "/media/season-1/one.m4a")
    assert (status, body) == (200, b"m4a!")
    assert headers["Content-Type"] == "audio/x-m4a"


def test_if_range_with_the_current_etag_sends_the_range(client, audio_bytes):
    _, headers, _ = get(client, "/media/x.mp3")
    status, _, body = get(
        client,
        "/media/x.mp3",
        headers={"Range": "bytes=10-19", "If-Range": headers["ETag"]},
    )
    assert (status, body) == (206, audio_bytes[10:20])


def test_if_range_with_the_current_date_sends_the_range(client, audio_bytes):
    _, headers, _ = get(client, "/media/x.mp3")
    status, _, body = get(
        client,
        "/media/x.mp3",
        headers={"Range": "bytes=10-19", "If-Range": headers["Last-Modified"]},
    )
    assert (status, body) == (206, audio_bytes[10:20])


@pytest.mark.parametrize(
    "validator", ['"an-older-etag"', "Mon, 01 Jan 2001 00:00:00 GMT"]
)
def test_if_range_that_no_longer_matches_sends_the_whole_file(
    client, audio_bytes, validator
):
    status, headers, body = get(
        client, "/media/x.mp3", headers={"Range": "bytes=10-19", "If-Range": validator}
    )
    assert (status, body) == (200, audio_bytes)
    assert "Content-Range" not in headers


def test_head_announces_ranges(client, audio_bytes):
    with client.head("/media/x.mp3", headers={"Range": "bytes=0-9"}) as response:
        assert response.status_code == 206
        assert response.headers["Accept-Ranges"] == "bytes"
        assert response.headers["Content-Length"] == "10"
        assert response.data == b""


def test_media_can_be_kept_by_shared_caches(client, audio_bytes):
    _, headers, _ = get(client, "/media/x.mp3")
    assert "public" in headers["Cache-Control"]
    assert "max-age=3600" in headers["Cache-Control"]
    assert "Cookie" not in headers.get("Vary", "")
    assert "Set-Cookie" not in headers
    assert headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("name", "mime_type"),
    [
        ("talk.vtt", "text/vtt; charset=utf-8"),
        ("talk.en.srt", "application/x-subrip"),
        ("TALK.VTT", "text/vtt; charset=utf-8"),
    ],
)
def test_transcripts_have_their_types(client, media_dir, name, mime_type):
    (media_dir / name).write_bytes(b"WEBVTT\n")
    make_transcript(make_episode(), file=name)
    status, headers, body = get(client, f"/media/{name}")
    assert (status, body) == (200, b"WEBVTT\n")
    assert headers["Content-Type"] == mime_type
    assert headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("name", "mime_type"),
    [
        ("art.jpg", "image/jpeg"),
        ("art.jpeg", "image/jpeg"),
        ("ART.PNG", "image/png"),
        ("art/ep.JPG", "image/jpeg"),
    ],
)
def test_episode_art_has_its_type(client, media_dir, name, mime_type):
    (media_dir / "art").mkdir()
    (media_dir / name).write_bytes(b"\0" * 10)
    make_episode(image=name)
    status, headers, _ = get(client, f"/media/{name}")
    assert status == 200
    assert headers["Content-Type"] == mime_type


@pytest.mark.parametrize(
    ("name", "mime_type"), [("cover.png", "image/png"), ("cover.JPEG", "image/jpeg")]
)
def test_the_show_cover_is_served(client, media_dir, name, mime_type):
    (media_dir / name).write_bytes(b"\0" * 10)
    make_show(cover=name)
    status, headers, body = get(client, f"/media/{name}")
    assert (status, body) == (200, b"\0" * 10)
    assert headers["Content-Type"] == mime_type
    assert "public" in headers["Cache-Control"]


@pytest.mark.parametrize("published", [True, False])
def test_art_and_transcripts_wait_for_their_episode(client, media_dir, published):
    for name in ("later.jpg", "later.vtt"):
        (media_dir / name).write_bytes(b"\0" * 10)
    moment = datetime.now(UTC) + timedelta(days=-1 if published else 1)
    episode = make_episode(image="later.jpg", published_at=moment)
    make_transcript(episode, file="later.vtt")
    expected = 200 if published else 404
    assert get(client, "/media/later.jpg")[0] == expected
    assert get(client, "/media/later.vtt")[0] == expected


# An unreleased episode `secret` with its audio, transcript, art and sidecars,
# next to a published one: no spelling of a path reaches any of its files.

UNRELEASED_FILES = [
    "secret.mp3",
    "secret.vtt",
    "secret.jpg",
    "secret.toml",
    "secret.chapters.json",
]


# Ways of writing /media/<name> that a file server may merge into <name>.
SPELLINGS = [
    "{name}",
    "{name}/",
    "./{name}",
    "x/../{name}",
    "/{name}",
    "x//../{name}",
    "%2e/{name}",
    "%2E/{name}",
    "x/%2e%2e/{name}",
    "x%2F..%2F{name}",
    "x%2f%2e%2e%2f{name}",
    "%2F{name}",
    "{stem}%2E{suffix}",
    ".%5C{name}",
    ".%5c{name}",
    ".\\{name}",
    "x\\..\\{name}",
    "{stem}.{SUFFIX}",
    "{NAME}",
    "{Stem}.{suffix}",
    "{name}%00",
    "{name}%00.mp3",
    "{name}%20",
    "{name}.",
]


def spell(spelling, name):
    """Return /media/`name` written as `spelling` says."""
    stem, _, suffix = name.partition(".")
    parts = {"name": name, "NAME": name.upper(), "stem": stem, "suffix": suffix}
    parts.update(Stem=stem.capitalize(), SUFFIX=suffix.upper())
    return "/media/" + spelling.format(**parts)


@pytest.fixture(params=["scheduled", "draft"])
def unreleased(request, app, media_dir):
    """Put a scheduled or draft episode's files in the folder, beside a released one."""
    make_show(cover="cover.png")
    make_episode(slug="out", audio_file="out.mp3")
    for name in ("out.mp3", "cover.png"):
        (media_dir / name).write_bytes(b"released")
    for name in UNRELEASED_FILES:
        (media_dir / name).write_bytes(UNRELEASED + name.encode() + os.urandom(64))
    moment = datetime.now(UTC) + timedelta(days=7)
    episode = make_episode(
        slug="secret",
        title="The secret guest",
        audio_file="secret.mp3",
        image="secret.jpg",
        published_at=moment if request.param == "scheduled" else None,
    )
    make_transcript(episode, file="secret.vtt")
    return episode


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_no_spelling_reaches_an_unreleased_episode(client, unreleased, spelling):
    for name in UNRELEASED_FILES:
        path = spell(spelling, name)
        status, headers, body = get(client, path, follow_redirects=True)
        assert status == 404, path
        assert UNRELEASED not in body, path
        assert "public" not in headers.get("Cache-Control", ""), path
        with client.head(path, follow_redirects=True) as response:
            assert response.status_code == 404, f"HEAD {path}"


def test_not_found_says_the_same_whether_or_not_an_episode_is_coming(
    client, unreleased
):
    """Does a 404 tell a scheduled file from one that does not exist?"""

    def page(path):
        status, _, body = get(client, path)
        assert status == 404
        return _CSRF_META.sub(b"", body)

    nothing = page("/media/nothing.mp3")
    assert page("/media/secret.mp3") == nothing
    assert page("/media/secret.vtt") == nothing
    assert page("/media/./secret.mp3") == nothing
    assert b"secret" not in nothing


def test_media_of_the_released_episode_still_serves_beside_it(client, unreleased):
    for path in ("/media/out.mp3", "/media/cover.png"):
        status, _, body = get(client, path)
        assert (status, body) == (200, b"released"), path


# Everything else a host keeps in the media folder.

FOLDER_FILES = {
    "show.toml": b'title = "Moments"\nowner_email = "owner@example.com"\n',
    "README.md": b"# Media folder\nThe guest list for next season.\n",
    "out.toml": b'title = "Out"\nnotes = "draft notes"\n',
    "out.chapters.json": b'{"version": "1.2.0", "chapters": []}',
    "out.txt": b"private notes",
    "drop.html": b"<script>alert(document.cookie)</script>",
    "drop.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "sub/drop.htm": b"<script>alert(2)</script>",
}


@pytest.fixture
def folder(app, media_dir):
    """Fill the folder as a host would, with one published episode."""
    make_show(cover="cover.png")
    make_episode(slug="out", audio_file="out.mp3", image="out.jpg")
    (media_dir / "sub").mkdir()
    for name, data in FOLDER_FILES.items():
        (media_dir / name).write_bytes(data)
    for name in ("out.mp3", "out.jpg", "cover.png"):
        (media_dir / name).write_bytes(b"released")
    return media_dir


@pytest.mark.parametrize("name", FOLDER_FILES)
def test_other_files_in_the_folder_are_not_served(client, folder, name):
    status, _, body = get(client, f"/media/{name}")
    assert status == 404
    assert FOLDER_FILES[name] not in body


@pytest.mark.parametrize(
    ("field", "name"),
    [
        ("image", "art.svg"),
        ("image", "art.html"),
        ("image", "out.toml"),
        ("cover", "cover.svg"),
        ("cover", "show.toml"),
        ("transcript", "talk.html"),
        ("transcript", "talk.txt"),
    ],
)
def test_art_and_transcripts_of_another_type_are_not_served(
    client, media_dir, field, name
):
    """A name stored as art or transcript is served only as an image or captions."""
    (media_dir / name).write_bytes(b"<svg onload=alert(1)>")
    if field == "cover":
        make_show(cover=name)
    elif field == "image":
        make_episode(image=name)
    else:
        make_transcript(make_episode(), file=name, mime_type="text/html")
    status, _, body = get(client, f"/media/{name}")
    assert status == 404
    assert b"onload" not in body


@pytest.mark.parametrize("target", ["secret", "/etc/passwd"])
def test_symlink_out_of_the_folder_is_not_followed(client, media_dir, secret, target):
    """A published episode whose audio is a link to a file outside the folder."""
    outside = secret if target == "secret" else target
    if not os.path.isfile(outside):
        pytest.skip(f"{outside} is not here")
    (media_dir / "leak.mp3").symlink_to(outside)
    (media_dir / "leak.jpg").symlink_to(outside)
    (media_dir / "cover.png").symlink_to(outside)
    make_show(cover="cover.png")
    make_episode(audio_file="leak.mp3", image="leak.jpg")
    for name in ("leak.mp3", "leak.jpg", "cover.png"):
        status, _, body = get(client, f"/media/{name}")
        assert status == 404, name
        assert SECRET not in body
        assert b"root:" not in body


def test_symlink_to_a_folder_outside_is_not_followed(client, media_dir, secret):
    (media_dir / "season").symlink_to(secret.parent)
    make_episode(audio_file="season/secret")
    status, _, body = get(client, "/media/season/secret")
    assert status == 404
    assert SECRET not in body


def test_stored_name_that_leaves_the_folder_is_not_served(client, secret):
    make_episode(audio_file="../secret")
    status, _, body = get(client, "/media/..%2fsecret")
    assert status == 404
    assert SECRET not in body


def test_symlink_inside_the_folder_is_served(client, media_dir):
    (media_dir / "store").mkdir()
    (media_dir / "store" / "take-3.mp3").write_bytes(b"final cut")
    (media_dir / "ep.mp3").symlink_to(media_dir / "store" / "take-3.mp3")
    make_episode(audio_file="ep.mp3")
    status, headers, body = get(client, "/media/ep.mp3")
    assert (status, body) == (200, b"final cut")
    assert headers["Content-Type"] == "audio/mpeg"


def test_a_folder_is_not_served(client, media_dir):
    (media_dir / "odd.mp3").mkdir()
    make_episode(audio_file="odd.mp3")
    assert get(client, "/media/odd.mp3")[0] == 404


def test_a_named_pipe_is_not_served(client, media_dir):
    os.mkfifo(media_dir / "odd.mp3")
    make_episode(audio_file="odd.mp3")

    def waited(*_):
        raise TimeoutError("the request waited for someone to write to the pipe")

    # A server that opened the pipe would wait for a writer for ever.
    previous = signal.signal(signal.SIGALRM, waited)
    signal.alarm(5)
    try:
        assert get(client, "/media/odd.mp3")[0] == 404
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_request_costs_one_query(client, audio_bytes, unreleased, count_queries):
    # A running site has rendered a page, which its error pages take the
    # show's name from: a refusal then costs no query of its own.
    client.get("/")
    for path in ("/media/x.mp3", "/media/secret.mp3", "/media/show.toml"):
        with count_queries() as queries:
            get(client, path)
        assert len(queries) == 1, (path, queries.statements)
