"""Serving audio and images from the media folder, as players request them."""

import os
from datetime import UTC, datetime, timedelta

import pytest

from .helpers import make_episode, make_transcript

SECRET = b"the secret next to the media folder"


@pytest.fixture
def audio_bytes(media_dir):
    """Put 1000 known bytes in the media folder as x.mp3 and return them."""
    data = os.urandom(1000)
    (media_dir / "x.mp3").write_bytes(data)
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
    from datetime import UTC, datetime, timedelta

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
    status, _, body = get(
        client, "/media/x.mp3", headers={"If-None-Match": headers["ETag"]}
    )
    assert (status, body) == (304, b"")


def test_missing_file_is_not_found(client, audio_bytes):
    assert get(client, "/media/nothing.mp3")[0] == 404


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
        ("a.m4a", "audio/mp4"),
        ("a.ogg", "audio/ogg"),
        ("a.flac", "audio/flac"),
        ("a.wav", "audio/wav"),
        ("a.opus", "audio/ogg"),
        ("A.MP3", "audio/mpeg"),
        ("cover.png", "image/png"),
        ("cover.jpg", "image/jpeg"),
    ],
)
def test_content_type_follows_the_extension(client, media_dir, name, mime_type):
    (media_dir / name).write_bytes(b"\0" * 10)
    status, headers, _ = get(client, f"/media/{name}")
    assert status == 200
    assert headers["Content-Type"] == mime_type


def test_episode_mime_type_wins_over_the_extension(client, media_dir):
    (media_dir / "talk.ogg").write_bytes(b"OggS" + b"\0" * 96)
    make_episode(audio_file="talk.ogg", mime_type="audio/opus")
    status, headers, _ = get(client, "/media/talk.ogg")
    assert status == 200
    assert headers["Content-Type"] == "audio/opus"


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
        ("a.aac", "audio/aac"),
        ("a.m4b", "audio/mp4"),
        ("talk.vtt", "text/vtt; charset=utf-8"),
        ("talk.srt", "application/x-subrip"),
        ("art.jpeg", "image/jpeg"),
        ("ART.PNG", "image/png"),
    ],
)
def test_sidecars_and_art_have_their_types(client, media_dir, name, mime_type):
    (media_dir / name).write_bytes(b"\0" * 10)
    status, headers, _ = get(client, f"/media/{name}")
    assert status == 200
    assert headers["Content-Type"] == mime_type


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
