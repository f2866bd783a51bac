"""Shared media: two instances on one database and one media store serve the
same episodes, from a shared folder or from an S3-compatible bucket (moto's
server, spoken to over HTTP by boto3 as a real store would be).
"""

import io
import shutil
import tempfile
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

import boto3
import feedparser
import pytest
import sqlalchemy as sa
from moto.server import ThreadedMotoServer
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from podcast_hub.catalog import publishing, storage
from podcast_hub.config import ConfigError
from podcast_hub.extensions import db
from podcast_hub.models import Episode, Show

from . import services
from .conftest import AUDIO_FIXTURES, csrf_from, make_app
from .helpers import make_episode, make_show, scalar, scalars, update

SPEECH = (AUDIO_FIXTURES / "speech.mp3").read_bytes()
SPEECH_OGG = (AUDIO_FIXTURES / "speech.ogg").read_bytes()
COVER = AUDIO_FIXTURES.parent.parent.parent / "episodes" / "cover.png"
AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def s3_server():
    """Start moto's S3 server on a free loopback port; return its URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(monkeypatch, tmp_path):
    """Give boto3 credentials from the environment, and no file of this machine's."""
    for name, value in AWS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-creds"))


@pytest.fixture
def bucket(s3_server, aws):
    """Return a new, empty bucket on the S3 server: a boto3 Bucket."""
    resource = boto3.resource("s3", endpoint_url=s3_server, region_name="us-east-1")
    found = resource.create_bucket(Bucket=f"media-{uuid.uuid4().hex[:12]}")
    yield found
    found.objects.all().delete()
    found.delete()
    resource.meta.client.close()


def s3_config(s3_server, bucket, **more):
    return {
        "MEDIA_S3_BUCKET": bucket.name,
        "MEDIA_S3_ENDPOINT_URL": s3_server,
        "MEDIA_S3_REGION": "us-east-1",
        **more,
    }


@pytest.fixture
def config_overrides(s3_server, bucket):
    """The app of each test here keeps its media in the bucket."""
    return s3_config(s3_server, bucket)


def second_app(app, **config):
    """Return another instance on the same database, on another machine: its own
    (empty) media folder and secret, the same media store settings."""
    settings = {
        key: app.config[key]
        for key in app.config
        if key.startswith("MEDIA_S3_") or key == "MEDIA_BASE_URL"
    }
    return make_app(
        {
            "SECRET_KEY": "another-instance",
            "DATABASE_URL": app.config["DATABASE_URL"],
            "MEDIA_DIR": config.pop("MEDIA_DIR", app.config["MEDIA_DIR"] + "-b"),
            **settings,
            **config,
        }
    )


@pytest.fixture
def other(app):
    """Instance B: the same database and media store as `app` (instance A)."""
    other = second_app(app)
    yield other
    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """Return the folder where uploads to a bucket are received, for this test."""
    path = tmp_path / "scratch"
    path.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(path))
    return path


@pytest.fixture
def token(client, auth):
    """Log in on instance A; return a CSRF token for dashboard forms."""
    make_show(cover=None)
    auth.login()
    return csrf_from(client.get("/dashboard").get_data(as_text=True))


def upload(client, token, data, filename, url="/dashboard/episodes/new", **fields):
    field = "cover" if url.endswith("/cover") else "audio"
    boundary, body = encode_multipart(
        MultiDict(
            {
                field: FileStorage(io.BytesIO(data), filename),
                "csrf_token": token,
                **fields,
            }
        )
    )
    return client.post(
        url, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def keys(bucket):
    return sorted(item.key for item in bucket.objects.all())


def stored(bucket, key):
    got = bucket.Object(key).get()
    return got["Body"].read(), got["ContentType"]


def publish(episode_id):
    update(
        scalar(sa.select(Episode).where(Episode.id == episode_id)),
        published_at=datetime.now(UTC) - timedelta(minutes=1),
    )


def get(client, path, **kwargs):
    with client.get(path, **kwargs) as response:
        return response.status_code, response.headers, response.data


def test_an_upload_on_one_instance_is_served_by_another(
    client, token, bucket, other, media_dir, scratch
):
    response = upload(client, token, SPEECH, "speech.mp3", title="Shared one")
    assert response.status_code == 303
    [episode] = scalars(sa.select(Episode))
    assert keys(bucket) == ["shared-one.mp3"]
    assert stored(bucket, "shared-one.mp3") == (SPEECH, "audio/mpeg")
    assert list(media_dir.iterdir()) == [], "nothing kept on instance A's disk"
    assert list(scratch.iterdir()) == [], "the received upload is removed"
    publish(episode.id)

    b = other.test_client()
    feed = feedparser.parse(b.get("/feed.xml").data)
    [item] = feed.entries
    enclosure = item.enclosures[0]
    assert enclosure.href == "http://localhost/media/shared-one.mp3"
    assert int(enclosure.length) == len(SPEECH)

    status, headers, body = get(b, "/media/shared-one.mp3")
    assert (status, body) == (200, SPEECH)
    assert headers["Content-Type"] == "audio/mpeg"
    assert headers["Content-Length"] == str(len(SPEECH))
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Access-Control-Allow-Origin"] == "*"

    status, headers, body = get(
        b, "/media/shared-one.mp3", headers={"Range": "bytes=100-1099"}
    )
    assert status == 206
    assert body == SPEECH[100:1100]
    assert headers["Content-Range"] == f"bytes 100-1099/{len(SPEECH)}"
    assert headers["Content-Length"] == "1000"

    page = b.get(f"/episodes/{episode.slug}").get_data(as_text=True)
    assert 'src="/media/shared-one.mp3"' in page


@pytest.mark.parametrize(
    ("header", "expected"),
    [("bytes=900-", slice(900, None)), ("bytes=-50", slice(-50, None))],
)
def test_open_ended_ranges_come_from_the_bucket(client, bucket, header, expected):
    bucket.put_object(Key="x.mp3", Body=SPEECH)
    make_episode(audio_file="x.mp3", size_bytes=len(SPEECH))
    status, headers, body = get(client, "/media/x.mp3", headers={"Range": header})
    assert status == 206
    assert body == SPEECH[expected]


def test_head_and_validators_of_a_file_in_the_bucket(client, bucket):
    bucket.put_object(Key="x.mp3", Body=SPEECH)
    make_episode(audio_file="x.mp3", size_bytes=len(SPEECH))
    head = client.head("/media/x.mp3")
    assert head.status_code == 200
    assert head.headers["Content-Length"] == str(len(SPEECH))
    assert head.data == b""
    etag = head.headers["ETag"]
    again = client.get("/media/x.mp3", headers={"If-None-Match": etag})
    assert again.status_code == 304
    refused = client.get("/media/x.mp3", headers={"Range": "bytes=90000-90001"})
    assert refused.status_code == 416


def test_drafts_and_missing_objects_are_404_with_a_bucket(client, bucket):
    bucket.put_object(Key="draft.mp3", Body=b"UNRELEASED")
    make_episode(audio_file="draft.mp3", published_at=None)
    make_episode(audio_file="gone.mp3")
    assert client.get("/media/draft.mp3").status_code == 404
    assert client.get("/media/gone.mp3").status_code == 404
    assert client.get("/media/nothing.mp3").status_code == 404


def test_with_media_base_url_links_and_media_point_at_the_store(app, bucket, s3_server):
    # The bucket as its website or a CDN publishes it (moto answers on paths).
    base = f"{s3_server}/{bucket.name}"
    b = second_app(app, MEDIA_BASE_URL=base)
    try:
        bucket.put_object(
            Key="talk one.mp3", Body=SPEECH, ContentType="audio/mpeg", ACL="public-read"
        )
        make_show(cover=None)
        episode = make_episode(audio_file="talk one.mp3", size_bytes=len(SPEECH))
        client = b.test_client()
        feed = feedparser.parse(client.get("/feed.xml").data)
        href = feed.entries[0].enclosures[0].href
        assert href == f"{base}/talk%20one.mp3"
        response = client.get("/media/talk%20one.mp3")
        assert response.status_code == 302
        assert response.headers["Location"] == href
        page = client.get(f"/episodes/{episode.slug}").get_data(as_text=True)
        assert f'src="{href}"' in page
        assert client.get("/media/other.mp3").status_code == 404
        # What the player gets there: the same bytes, ranges and all.
        request = urllib.request.Request(href, headers={"Range": "bytes=10-19"})
        with urllib.request.urlopen(request) as answer:
            assert answer.status == 206
            assert answer.read() == SPEECH[10:20]
    finally:
        with b.app_context():
            db.engine.dispose()


def test_new_audio_replaces_the_object_and_removes_the_old(client, token, bucket):
    upload(client, token, SPEECH, "speech.mp3", title="Recut")
    [episode] = scalars(sa.select(Episode))
    response = upload(
        client,
        token,
        SPEECH_OGG,
        "speech.ogg",
        url=f"/dashboard/episodes/{episode.id}/audio",
    )
    assert response.status_code == 303
    assert keys(bucket) == ["recut.ogg"]
    assert stored(bucket, "recut.ogg") == (SPEECH_OGG, "audio/ogg")


def test_a_new_cover_goes_to_the_bucket_and_the_old_one_leaves(
    client, token, bucket, other
):
    data = COVER.read_bytes()
    assert (
        upload(
            client, token, data, "cover.png", url="/dashboard/show/cover"
        ).status_code
        == 303
    )
    [first] = keys(bucket)
    assert first.startswith("cover-") and stored(bucket, first) == (data, "image/png")
    assert (
        upload(
            client, token, data, "cover.png", url="/dashboard/show/cover"
        ).status_code
        == 303
    )
    [second] = keys(bucket)
    assert second != first
    assert scalar(sa.select(Show.cover)) == second
    status, headers, body = get(other.test_client(), f"/media/{second}")
    assert (status, body, headers["Content-Type"]) == (200, data, "image/png")


def test_a_taken_name_in_the_bucket_is_never_overwritten(app, bucket, tmp_path):
    bucket.put_object(Key="talk.mp3", Body=b"someone else's")
    store = storage.from_config(app.config)
    source = tmp_path / "upload.part"
    source.write_bytes(SPEECH)
    name = store.put_new(source, "talk", ".mp3", lambda n: False, "audio/mpeg")
    assert name == "talk-2.mp3"
    assert stored(bucket, "talk.mp3")[0] == b"someone else's"
    assert stored(bucket, "talk-2.mp3")[0] == SPEECH
    assert not source.exists()


def test_a_database_failure_after_the_upload_leaves_no_orphan(
    app, client, token, bucket, monkeypatch
):
    def fail():
        raise sa.exc.OperationalError("COMMIT", {}, Exception("disk I/O error"))

    with app.app_context():
        monkeypatch.setattr(db.session, "commit", fail)
        upload_ = publishing.Upload(io.BytesIO(SPEECH), "speech.mp3", 10**7)
        with pytest.raises(sa.exc.OperationalError):
            publishing.create_episode(upload_, storage.from_config(app.config))
    assert keys(bucket) == []
    assert scalars(sa.select(Episode)) == []


@pytest.fixture
def down(app):
    """Instance A again, with its media store not answering (nothing listens)."""
    down = second_app(
        app,
        MEDIA_S3_ENDPOINT_URL=f"http://127.0.0.1:{services.free_port()}",
        MEDIA_S3_TIMEOUT_S=1,
    )
    yield down
    with down.app_context():
        db.engine.dispose()


def test_a_store_that_is_down_refuses_the_upload_and_stores_nothing(
    down, auth, bucket, scratch
):
    make_show(cover=None)
    client = down.test_client()
    client.post(
        "/login",
        data={
            "email": "host@example.com",
            "password": "correct horse",
            "csrf_token": csrf_from(client.get("/login").get_data(as_text=True)),
        },
    )
    token = csrf_from(client.get("/dashboard").get_data(as_text=True))
    response = upload(client, token, SPEECH, "speech.mp3", title="Lost")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "The file was not uploaded: the media store is not answering" in page
    assert "Nothing was changed; try again in a moment." in page
    assert scalars(sa.select(Episode)) == []
    assert keys(bucket) == []
    assert list(scratch.iterdir()) == [], "the received upload is removed"


def test_listeners_get_503_while_the_store_is_down(down):
    make_episode(audio_file="x.mp3")
    response = down.test_client().get("/media/x.mp3", headers={"Accept": "audio/*"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "15"
    assert "media store is not answering" in response.get_data(as_text=True)


def test_import_reads_the_folder_and_stores_its_files_in_the_bucket(
    app, runner, bucket, tmp_path, other
):
    folder = tmp_path / "to-import"
    folder.mkdir()
    shutil.copyfile(AUDIO_FIXTURES / "speech.mp3", folder / "talk.mp3")
    shutil.copyfile(COVER, folder / "cover.png")
    (folder / "talk.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n")
    result = runner.invoke(args=["hub", "import", str(folder)])
    assert "stored: talk.mp3 → the media store" in result.output
    assert keys(bucket) == ["cover.png", "talk.mp3", "talk.vtt"]
    assert stored(bucket, "talk.vtt")[1] == "text/vtt"
    assert stored(bucket, "talk.mp3") == (SPEECH, "audio/mpeg")

    b = other.test_client()
    [episode] = scalars(sa.select(Episode))
    assert episode.published_at is not None
    assert get(b, "/media/talk.mp3", headers={"Range": "bytes=0-9"})[2] == SPEECH[:10]
    assert get(b, "/media/talk.vtt")[0] == 200

    again = runner.invoke(args=["hub", "import", str(folder)])
    assert "stored:" not in again.output
    assert "1 unchanged" in again.output


def test_import_leaves_episodes_uploaded_to_the_bucket_in_the_feed(
    client, token, runner, bucket, tmp_path
):
    upload(client, token, SPEECH, "speech.mp3", title="Uploaded")
    [episode] = scalars(sa.select(Episode))
    publish(episode.id)
    folder = tmp_path / "local"
    folder.mkdir()
    result = runner.invoke(args=["hub", "import", str(folder)])
    assert "missing" not in result.output
    assert scalar(sa.select(Episode.missing_since)) is None


def test_import_with_the_store_down_imports_nothing(down, tmp_path):
    folder = tmp_path / "to-import"
    folder.mkdir()
    shutil.copyfile(AUDIO_FIXTURES / "speech.mp3", folder / "talk.mp3")
    result = down.test_cli_runner().invoke(args=["hub", "import", str(folder)])
    assert result.exit_code == 1
    assert "media store is not answering" in result.output
    assert "nothing was imported" in result.output
    assert scalars(sa.select(Episode)) == []


class TestSharedFolder:
    """Two instances on one database and one folder (an NFS or SMB mount)."""

    @pytest.fixture
    def config_overrides(self):
        return {}

    def test_an_upload_on_one_instance_is_served_by_another(
        self, app, client, token, media_dir
    ):
        b = second_app(app, MEDIA_DIR=str(media_dir))
        try:
            assert (
                upload(client, token, SPEECH, "a.mp3", title="Shared").status_code
                == 303
            )
            [episode] = scalars(sa.select(Episode))
            publish(episode.id)
            assert sorted(p.name for p in media_dir.iterdir()) == ["shared.mp3"]
            reader = b.test_client()
            feed = feedparser.parse(reader.get("/feed.xml").data)
            assert feed.entries[0].enclosures[0].href.endswith("/media/shared.mp3")
            status, headers, body = get(
                reader, "/media/shared.mp3", headers={"Range": "bytes=5-14"}
            )
            assert (status, body) == (206, SPEECH[5:15])
        finally:
            with b.app_context():
                db.engine.dispose()

    def test_both_instances_uploading_one_title_keep_both_files(
        self, app, client, token, media_dir
    ):
        b = second_app(app, MEDIA_DIR=str(media_dir))
        try:
            upload(client, token, SPEECH, "a.mp3", title="Same title")
            with b.app_context():
                second = publishing.create_episode(
                    publishing.Upload(io.BytesIO(SPEECH_OGG), "b.ogg", 10**7),
                    storage.from_config(b.config),
                    title="Same title",
                )
                assert second.audio_file == "same-title-2.ogg"
            names = sorted(p.name for p in media_dir.iterdir())
            assert names == ["same-title-2.ogg", "same-title.mp3"]
        finally:
            with b.app_context():
                db.engine.dispose()


def test_with_an_acl_stored_files_are_public(app, bucket, s3_server, tmp_path):
    store = storage.from_config({**app.config, "MEDIA_S3_ACL": "public-read"})
    source = tmp_path / "upload.part"
    source.write_bytes(SPEECH)
    name = store.put_new(source, "open", ".mp3", lambda n: False)
    with urllib.request.urlopen(f"{s3_server}/{bucket.name}/{name}") as answer:
        assert answer.read() == SPEECH
        assert answer.headers["Content-Type"] == "audio/mpeg"
        assert answer.headers["Cache-Control"] == storage.CACHE_CONTROL


def test_feed_health_looks_for_the_files_in_the_bucket(client, token, bucket):
    cover = COVER.read_bytes()
    upload(client, token, cover, "cover.png", url="/dashboard/show/cover")
    upload(client, token, SPEECH, "speech.mp3", title="Checked")
    [episode] = scalars(sa.select(Episode))
    publish(episode.id)
    page = client.get("/dashboard/health").get_data(as_text=True)
    assert f"{scalar(sa.select(Show.cover))} is in the feed" in page
    assert "every file the feed names is there" in page
    bucket.Object("checked.mp3").delete()
    page = client.get("/dashboard/health").get_data(as_text=True)
    assert "checked.mp3" in page and "apps get a 404" in page


def test_the_site_icon_is_made_from_the_cover_in_the_bucket(app, bucket):
    bucket.put_object(Key="cover.png", Body=COVER.read_bytes())
    default = app.test_client().get("/favicon.ico").data
    make_show(cover="cover.png")
    response = app.test_client().get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/x-icon"
    assert response.data.startswith(b"\x00\x00\x01\x00")
    assert response.data != default


def test_hub_check_looks_in_the_bucket(app, runner, bucket):
    bucket.put_object(Key="cover.png", Body=COVER.read_bytes())
    make_show(cover="cover.png")
    make_episode(audio_file="gone.mp3")
    result = runner.invoke(args=["hub", "check"])
    assert "cover.png is in the feed" in result.output
    assert "gone.mp3" in result.output
    assert result.exit_code == 1


def test_a_bucket_without_boto3_installed_is_refused_at_start(monkeypatch, tmp_path):
    real = storage.importlib.util.find_spec
    monkeypatch.setattr(
        storage.importlib.util,
        "find_spec",
        lambda name, *args: None if name == "boto3" else real(name, *args),
    )
    with pytest.raises(ConfigError, match=r"pip install 'podcast-hub\[s3\]'"):
        storage.from_config({"MEDIA_S3_BUCKET": "media", "MEDIA_DIR": str(tmp_path)})


def test_a_stored_file_reads_in_ranges_and_on_past_the_range(app, bucket):
    bucket.put_object(Key="x.mp3", Body=SPEECH)
    store = storage.from_config(app.config)
    with store.open("x.mp3", end=99) as data:
        data.seek(50)
        assert data.read(50) == SPEECH[50:100]
        assert data.read(10) == SPEECH[100:110]
        data.seek(-5, io.SEEK_END)
        assert data.read() == SPEECH[-5:]
    with pytest.raises(FileNotFoundError):
        store.open("nothing.mp3")


@pytest.mark.browser
def test_the_player_plays_and_seeks_audio_from_the_bucket(app, bucket, open_page):
    from .browser import DEMO_AUDIO, require_chromium, seek, wait_until

    require_chromium()
    bucket.put_object(Key="lighthouse.m4a", Body=DEMO_AUDIO.read_bytes())
    make_show(title="Moments", cover=None)
    make_episode(
        slug="lighthouse",
        audio_file="lighthouse.m4a",
        mime_type="audio/mp4",
        size_bytes=DEMO_AUDIO.stat().st_size,
        duration_s=40,
    )
    page = open_page("/episodes/lighthouse", width=375)
    wait_until(page, "document.getElementById('player').readyState >= 1")
    assert page.evaluate("document.getElementById('player').duration") > 30
    seek(page, 30)
    assert abs(page.evaluate("document.getElementById('player').currentTime") - 30) < 1
    wait_until(page, "document.getElementById('player').readyState >= 2")
    source = page.evaluate("document.getElementById('player').currentSrc")
    assert source.endswith("/media/lighthouse.m4a")


def test_a_name_taken_between_the_check_and_the_upload_is_not_overwritten(
    app, bucket, tmp_path, monkeypatch
):
    """Another instance stores `talk.mp3` just after this one found it free."""
    bucket.put_object(Key="talk.mp3", Body=b"the other instance's")
    store = storage.from_config(app.config)
    monkeypatch.setattr(store, "exists", lambda name: False)
    source = tmp_path / "upload.part"
    source.write_bytes(SPEECH)
    assert store.put_new(source, "talk", ".mp3", lambda n: False) == "talk-2.mp3"
    assert stored(bucket, "talk.mp3")[0] == b"the other instance's"
