"""Publishing from the dashboard: uploads, edits, publication, show settings,
cover art, chapters and soundbites, and shifting moments after a re-cut."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from lxml import etree
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from podcast_hub.catalog import publishing
from podcast_hub.errors import ValidationFailed
from podcast_hub.extensions import db
from podcast_hub.models import Chapter, Comment, Episode, Person, Soundbite

from .conftest import AUDIO_FIXTURES, FIXTURES, csrf_from
from .helpers import (
    at_once,
    get,
    make_comment,
    make_episode,
    make_host,
    make_show,
    png_claiming,
    reload,
    scalar,
    scalars,
    tabs_of,
    writes_meet,
)

COVER = FIXTURES.parent.parent / "episodes" / "cover.png"


@pytest.fixture
def show(app):
    return make_show(cover=None)


@pytest.fixture
def token(client, auth, show):
    """Log in and return a CSRF token for dashboard forms."""
    auth.login()
    return csrf_from(client.get("/dashboard").get_data(as_text=True))


def upload(client, token, data, filename, url="/dashboard/episodes/new", **fields):
    # Encoded here: the test client would spool a large body to a temporary
    # file that it never closes (a ResourceWarning).
    boundary, body = encode_multipart(
        MultiDict(
            {
                "audio": FileStorage(io.BytesIO(data), filename),
                "csrf_token": token,
                **fields,
            }
        )
    )
    return client.post(
        url, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def episode_count():
    return scalar(sa.select(sa.func.count(Episode.id)))


def files_in(media_dir):
    """Return every file in the media folder, hidden temporary files included."""
    return sorted(p.name for p in media_dir.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("fixture", "mime_type", "stored_as", "kind"),
    [
        ("speech.mp3", "audio/mpeg", "my-first-episode.mp3", "MP3"),
        ("speech.ogg", "audio/ogg", "my-first-episode.ogg", "OGG"),
    ],
)
def test_uploading_real_audio_makes_a_draft_episode(
    client, token, media_dir, fixture, mime_type, stored_as, kind
):
    data = (AUDIO_FIXTURES / fixture).read_bytes()
    response = upload(client, token, data, fixture, title="My first episode")
    assert response.status_code == 303
    [episode] = scalars(sa.select(Episode))
    assert response.headers["Location"] == f"/dashboard/episodes/{episode.id}"
    assert episode.title == "My first episode"
    assert episode.slug == "my-first-episode"
    assert episode.mime_type == mime_type
    assert episode.duration_s == 3
    assert episode.size_bytes == len(data)
    assert episode.published_at is None
    assert episode.guid
    assert files_in(media_dir) == [stored_as]
    assert (media_dir / stored_as).read_bytes() == data

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{kind} audio, 0:03 long" in page
    assert "draft" in page.lower()
    assert client.get("/api/episodes").get_json() == [], "drafts stay private"


def test_one_upload_sent_twice_at_once_makes_two_drafts_not_an_error(
    app, client, token, media_dir
):
    """The form sent twice at once: each request finds the slug and the guid
    free before either stores its episode. Both are answered, and the second
    is stored as it would be one after the other: the next slug, its own guid."""
    data = (AUDIO_FIXTURES / "speech.mp3").read_bytes()
    tabs = tabs_of(app, client)
    # Storing a new slug first frees it from former slugs: the first write.
    with writes_meet(app):
        answers = at_once(
            *(
                lambda tab=tab: upload(tab, token, data, "speech.mp3", title="Twice")
                for tab in tabs
            )
        )
    assert [a.status_code for a in answers] == [303, 303]
    stored = scalars(sa.select(Episode).order_by(Episode.slug))
    assert [e.slug for e in stored] == ["twice", "twice-2"]
    assert len({e.guid for e in stored}) == 2
    assert files_in(media_dir) == sorted(e.audio_file for e in stored)


def test_upload_title_falls_back_to_the_tags(client, token):
    data = (AUDIO_FIXTURES / "speech.m4a").read_bytes()
    upload(client, token, data, "whatever.m4a")
    [episode] = scalars(sa.select(Episode))
    assert episode.title == "Café Ünïcode — 日本"
    assert episode.slug == "cafe-unicode"
    assert episode.audio_file == "cafe-unicode.m4a"


def test_upload_with_the_wrong_extension_is_stored_under_the_right_one(
    client, token, media_dir
):
    data = (AUDIO_FIXTURES / "speech.ogg").read_bytes()
    upload(client, token, data, "speech.mp3", title="Named wrong")
    [episode] = scalars(sa.select(Episode))
    assert episode.audio_file == "named-wrong.ogg"
    assert episode.mime_type == "audio/ogg"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (
            (AUDIO_FIXTURES / "not-audio.mp3").read_bytes(),
            "not-audio.mp3",
            "“not-audio.mp3” is not audio we can read: not a recognised audio format.",
        ),
        (b"", "empty.mp3", "“empty.mp3” is empty."),
        (None, "", "Choose a file to upload as the audio."),
    ],
)
def test_a_bad_upload_is_refused_and_leaves_nothing(
    client, token, media_dir, data, filename, message
):
    if data is None:
        response = client.post(
            "/dashboard/episodes/new",
            data={"csrf_token": token, "title": "x"},
            content_type="multipart/form-data",
        )
    else:
        response = upload(client, token, data, filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert files_in(media_dir) == []
    assert episode_count() == 0


@pytest.mark.parametrize("config_overrides", [{"MAX_UPLOAD_MB": 1}])
def test_an_over_limit_upload_gets_a_clear_dashboard_message(
    client, token, media_dir, config_overrides
):
    data = (AUDIO_FIXTURES / "speech.mp3").read_bytes() * 200  # about 1.3 MB
    response = upload(client, token, data, "huge.mp3")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "larger than 1 MB, the largest this site accepts" in html
    assert "Nothing was stored." in html
    assert "Upload an episode" in html, "the host stays on the upload page"
    assert files_in(media_dir) == []
    assert episode_count() == 0


def test_an_upload_over_the_limit_is_caught_while_streaming(app_context, media_dir):
    """The form may be under the request limit while the file alone is over it."""
    data = (AUDIO_FIXTURES / "speech.mp3").read_bytes()
    too_big = publishing.Upload(io.BytesIO(data), "speech.mp3", max_bytes=len(data) - 1)
    with pytest.raises(ValidationFailed) as failure:
        publishing.create_episode(too_big, media_dir)
    assert "is larger than" in failure.value.fields["audio"][0]
    assert files_in(media_dir) == []
    assert episode_count() == 0


def test_a_database_failure_removes_the_placed_file(
    app_context, media_dir, monkeypatch
):
    data = (AUDIO_FIXTURES / "speech.mp3").read_bytes()

    def broken_commit():
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        publishing.create_episode(
            publishing.Upload(io.BytesIO(data), "a.mp3", 10**6), media_dir
        )
    assert files_in(media_dir) == []


def test_uploads_never_overwrite_an_existing_file(client, token, media_dir):
    (media_dir / "same.mp3").write_bytes(b"somebody else's file")
    data = (AUDIO_FIXTURES / "speech.mp3").read_bytes()
    upload(client, token, data, "x.mp3", title="Same")
    upload(client, token, data, "x.mp3", title="Same")
    assert (media_dir / "same.mp3").read_bytes() == b"somebody else's file"
    stored = set(scalars(sa.select(Episode.audio_file)))
    assert len(stored) == 2 and "same.mp3" not in stored
    assert set(files_in(media_dir)) == stored | {"same.mp3"}


@pytest.fixture
def episode(show, media_dir):
    (media_dir / "old.mp3").write_bytes((AUDIO_FIXTURES / "speech.mp3").read_bytes())
    return make_episode(
        slug="lighthouse",
        title="The Lighthouse",
        audio_file="old.mp3",
        duration_s=3,
        description="",
    )


def edit(client, token, episode, **changes):
    values = {
        "title": episode.title,
        "slug": episode.slug,
        "description": episode.description,
        "season": "",
        "number": "",
        "episode_type": "full",
        "publication": "now",
        "publish_at": "",
        "csrf_token": token,
    }
    values.update(changes)
    return client.post(f"/dashboard/episodes/{episode.id}", data=values)


def test_editing_title_slug_numbers_type_and_explicit(client, token, episode):
    response = edit(
        client,
        token,
        episode,
        title="The Keeper",
        slug="the-keeper",
        season="2",
        number="7",
        episode_type="bonus",
        explicit="y",
    )
    assert response.status_code == 303
    episode = reload(episode)
    assert (episode.title, episode.slug) == ("The Keeper", "the-keeper")
    assert (episode.season, episode.number) == (2, 7)
    assert episode.episode_type == "bonus" and episode.explicit is True
    data = client.get("/api/episodes/the-keeper").get_json()
    assert data["title"] == "The Keeper"


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"slug": "Not A Slug"}, "Use lowercase letters, digits and single hyphens"),
        ({"title": ""}, "Give the episode a title."),
        ({"season": "0"}, "From 1 to 99,999, or empty."),
        ({"number": "9" * 30}, "From 1 to 99,999, or empty."),
        ({"episode_type": "movie"}, "Not a valid choice"),
        ({"publication": "at", "publish_at": ""}, "Give the date and time"),
    ],
)
def test_bad_edits_are_refused_with_messages(
    client, token, episode, changes, field_message
):
    response = edit(client, token, episode, **changes)
    assert response.status_code == 400
    assert field_message in response.get_data(as_text=True)
    episode = reload(episode)
    assert episode.slug == "lighthouse" and episode.title == "The Lighthouse"


def test_a_slug_must_be_unique(client, token, episode):
    make_episode(slug="taken")
    response = edit(client, token, episode, slug="taken")
    assert response.status_code == 400
    assert "Another episode already has this slug." in response.get_data(True)


def test_show_notes_are_markdown_sanitised_on_the_page_and_in_the_api(
    client, token, episode
):
    notes = (
        "## Links\n\n* [Our site](https://example.org)\n* **bold** move\n\n"
        "<script>alert(1)</script> [bad](javascript:alert(1))"
    )
    edit(client, token, episode, description=notes)
    html = client.get("/api/episodes/lighthouse").get_json()["description_html"]
    assert '<a href="https://example.org" rel="nofollow noopener">Our site</a>' in html
    assert "<strong>bold</strong>" in html and "<h3>Links</h3>" in html
    assert "<script>" not in html and "javascript:" not in html.replace(
        "[bad](javascript:alert(1))", ""
    )
    page = client.get("/episodes/lighthouse").get_data(as_text=True)
    assert "<strong>bold</strong>" in page
    assert "<script>alert(1)</script>" not in page


def test_publication_draft_scheduled_and_now(client, token, episode):
    edit(client, token, episode, publication="draft")
    assert client.get("/episodes/lighthouse").status_code == 404
    episode = reload(episode)
    assert episode.published_at is None

    later = datetime.now(UTC) + timedelta(days=2)
    edit(
        client,
        token,
        episode,
        publication="at",
        publish_at=later.strftime("%Y-%m-%dT%H:%M"),
    )
    episode = reload(episode)
    assert episode.published_at == later.replace(second=0, microsecond=0)
    assert client.get("/episodes/lighthouse").status_code == 404
    listing = client.get("/dashboard/episodes").get_data(as_text=True)
    assert "Scheduled for" in listing

    edit(client, token, episode, publication="now")
    episode = reload(episode)
    assert episode.published_at <= datetime.now(UTC)
    assert client.get("/episodes/lighthouse").status_code == 200


def test_publishing_now_keeps_the_date_of_an_episode_already_out(
    client, token, episode
):
    first = episode.published_at
    edit(client, token, episode, publication="now", title="Renamed")
    episode = reload(episode)
    assert episode.published_at == first


def test_unpublish_and_publish_buttons(client, token, episode):
    response = client.post(
        f"/dashboard/episodes/{episode.id}/unpublish",
        data={"csrf_token": token, "confirm": "yes"},
    )
    assert response.status_code == 303
    assert client.get("/api/episodes/lighthouse").status_code == 404
    client.post(f"/dashboard/episodes/{episode.id}/publish", data={"csrf_token": token})
    assert client.get("/api/episodes/lighthouse").status_code == 200


def test_episode_list_shows_drafts_and_counts(client, token, episode):
    make_episode(title="Next week", published_at=None)
    make_comment(episode, status="pending")
    html = client.get("/dashboard/episodes").get_data(as_text=True)
    assert "Next week" in html and "Draft" in html
    assert "1 awaiting moderation" in html


def test_replacing_audio_keeps_the_guid_and_removes_the_old_file(
    client, token, episode, media_dir
):
    guid = episode.guid
    data = (AUDIO_FIXTURES / "longer.mp3").read_bytes()
    response = upload(
        client, token, data, "recut.mp3", url=f"/dashboard/episodes/{episode.id}/audio"
    )
    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"/dashboard/episodes/{episode.id}/shift?was=3"
    )
    episode = reload(episode)
    assert episode.guid == guid
    assert episode.duration_s == 6
    assert episode.audio_file == "lighthouse.mp3"
    assert files_in(media_dir) == ["lighthouse.mp3"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "was 0:03 long and is now 0:06" in page


def test_a_bad_replacement_changes_nothing(client, token, episode, media_dir):
    before = (episode.audio_file, episode.duration_s, episode.size_bytes)
    response = upload(
        client,
        token,
        b"just text",
        "recut.mp3",
        url=f"/dashboard/episodes/{episode.id}/audio",
    )
    assert response.status_code == 400
    assert "is not audio we can read" in response.get_data(as_text=True)
    episode = reload(episode)
    assert (episode.audio_file, episode.duration_s, episode.size_bytes) == before
    assert files_in(media_dir) == ["old.mp3"]


@pytest.mark.parametrize("config_overrides", [{"MAX_UPLOAD_MB": 1}])
def test_an_over_limit_replacement_explains_on_the_episode_page(
    client, token, episode, media_dir, config_overrides
):
    data = (AUDIO_FIXTURES / "speech.mp3").read_bytes() * 200
    response = upload(
        client, token, data, "big.mp3", url=f"/dashboard/episodes/{episode.id}/audio"
    )
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "larger than 1 MB" in html and "Replace the audio" in html
    assert files_in(media_dir) == ["old.mp3"]


def test_shifting_moments_moves_them_and_lists_the_ones_outside(app_context, show):
    episode = make_episode(duration_s=600)
    inside = make_comment(episode, timestamp_s=100)
    general = make_comment(episode, timestamp_s=None)
    near_end = make_comment(episode, timestamp_s=590)
    hidden = make_comment(episode, timestamp_s=200, status="hidden")

    shift = publishing.shift_moments(episode, 20)
    assert shift.moved == 2
    assert [(c.id, where) for c, where in shift.outside] == [(near_end.id, 610)]
    db.session.expire_all()
    assert get(Comment, inside.id).timestamp_s == 120
    assert get(Comment, hidden.id).timestamp_s == 220
    assert get(Comment, general.id).timestamp_s is None
    assert get(Comment, near_end.id).timestamp_s == 590, "not lost"

    shift = publishing.shift_moments(episode, -150)
    assert [(c.id, where) for c, where in shift.outside] == [(inside.id, -30)]
    assert get(Comment, inside.id).timestamp_s == 120


def test_shift_form_after_a_recut(client, token, show):
    episode = make_episode(slug="recut", duration_s=60)
    moved = make_comment(episode, timestamp_s=10)
    outside = make_comment(episode, timestamp_s=50, body="Right at the end")
    response = client.post(
        f"/dashboard/episodes/{episode.id}/shift",
        data={"offset": "+0:20", "csrf_token": token},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "1 moment moved by +0:20." in html
    assert "0:50 (would be 1:10)" in html and "Right at the end" in html
    assert get(Comment, moved.id).timestamp_s == 30
    assert get(Comment, outside.id).timestamp_s == 50

    bad = client.post(
        f"/dashboard/episodes/{episode.id}/shift",
        data={"offset": "soon", "csrf_token": token},
    )
    assert bad.status_code == 400
    assert "12:34" in bad.get_data(as_text=True)


def test_moments_past_the_end_are_listed_on_the_episode_page(client, token, show):
    episode = make_episode(duration_s=60)
    make_comment(episode, timestamp_s=90, body="After the cut")
    html = client.get(f"/dashboard/episodes/{episode.id}").get_data(as_text=True)
    assert "Moments after the end of the audio" in html
    assert "After the cut" in html


def show_values(**changes):
    values = {
        "title": "Moments",
        "description": "About moments.",
        "author": "Dana",
        "owner_name": "Dana Reyes",
        "owner_email": "dana@example.com",
        "language": "en-GB",
        "category": "Society & Culture>Documentary",
        "show_type": "serial",
        "explicit": "y",
        "funding_url": "https://example.org/support",
        "funding_text": "Support us",
        "new_feed_url": "",
    }
    values.update(changes)
    return values


def test_show_settings_save_every_feed_field(client, token, show):
    response = client.post(
        "/dashboard/show", data={**show_values(), "csrf_token": token}
    )
    assert response.status_code == 303
    show = reload(show)
    assert show.title == "Moments" and show.owner_email == "dana@example.com"
    assert show.language == "en-GB"
    assert show.category == "Society & Culture > Documentary"
    assert show.show_type == "serial" and show.explicit is True
    assert show.locked is False
    assert show.funding_url == "https://example.org/support"
    assert show.new_feed_url is None
    feed = client.get("/feed.xml").get_data(as_text=True)
    assert "<title>Moments</title>" in feed


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "The show needs a title."),
        ({"owner_email": "nope"}, "That does not look like an e-mail address."),
        ({"language": "english please"}, "Use a language code"),
        ({"category": "A > B > C"}, "Use an Apple category"),
        ({"funding_url": "ftp://x"}, "Give a web address starting with https://"),
        ({"show_type": "weekly"}, "Not a valid choice"),
    ],
)
def test_bad_show_settings_are_refused(client, token, show, changes, message):
    response = client.post(
        "/dashboard/show", data={**show_values(**changes), "csrf_token": token}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    show = reload(show)
    assert show.title == "Moments Test Show"


def upload_cover(client, token, data, filename):
    return client.post(
        "/dashboard/show/cover",
        data={"cover": (io.BytesIO(data), filename), "csrf_token": token},
        content_type="multipart/form-data",
    )


def test_cover_upload_checks_apples_rules(client, token, show, media_dir):
    response = upload_cover(client, token, COVER.read_bytes(), "cover.png")
    assert response.status_code == 303
    show = reload(show)
    assert show.cover.startswith("cover-") and show.cover.endswith(".png")
    assert files_in(media_dir) == [show.cover]
    page = client.get("/dashboard/show").get_data(as_text=True)
    assert "Apple may refuse" not in page


def test_a_cover_breaking_apples_rules_is_kept_with_warnings(
    client, token, show, media_dir
):
    from PIL import Image

    small = io.BytesIO()
    Image.new("RGB", (300, 200), "purple").save(small, "PNG")
    response = upload_cover(client, token, small.getvalue(), "small.png")
    assert response.status_code == 303
    page = client.get("/dashboard/show").get_data(as_text=True)
    assert "Apple may refuse this cover" in page
    assert "300×200 px" in page
    show = reload(show)
    old = show.cover
    upload_cover(client, token, COVER.read_bytes(), "cover.png")
    show = reload(show)
    assert files_in(media_dir) == [show.cover] and show.cover != old


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a not really", "is not a JPEG or PNG image"),
        (b"", "is empty"),
    ],
)
def test_a_cover_that_is_not_jpeg_or_png_is_refused(
    client, token, show, media_dir, data, message
):
    response = upload_cover(client, token, data, "cover.gif")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert files_in(media_dir) == []
    show = reload(show)
    assert show.cover is None


def test_chapters_and_soundbites_are_validated(app_context, show):
    episode = make_episode(duration_s=100)
    with pytest.raises(ValidationFailed) as failure:
        publishing.add_soundbite(episode, start_s=90, duration_s=30, title="x")
    assert "end before the episode" in failure.value.fields["duration"][0]
    with pytest.raises(ValidationFailed) as failure:
        publishing.add_soundbite(episode, start_s=0, duration_s=10, title="x")
    assert "15 to 120 seconds" in failure.value.fields["duration"][0]
    with pytest.raises(ValidationFailed):
        publishing.add_chapter(episode, start_s=101, title="Late")
    chapter = publishing.add_chapter(episode, start_s=50, title="Middle")
    assert chapter.source == "host"
    soundbite = publishing.add_soundbite(
        episode, start_s=50, duration_s=15, title="Best"
    )
    publishing.remove_soundbite(episode, soundbite.id)
    publishing.remove_chapter(episode, chapter.id)
    assert scalar(sa.select(sa.func.count(Chapter.id))) == 0
    assert scalar(sa.select(sa.func.count(Soundbite.id))) == 0


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/x",
        "https://",
    ],
)
def test_a_chapter_link_that_is_not_a_web_link_is_a_field_error(client, token, url):
    episode = make_episode(duration_s=100)
    response = client.post(
        f"/dashboard/episodes/{episode.id}/chapters",
        data={"start": "0:10", "title": "Bad", "url": url, "csrf_token": token},
    )
    assert response.status_code == 400
    assert "Give a web address starting with https://" in response.get_data(
        as_text=True
    )
    assert scalar(sa.select(sa.func.count(Chapter.id))) == 0


def test_a_chapter_with_a_web_link_is_added(client, token):
    episode = make_episode(duration_s=100)
    response = client.post(
        f"/dashboard/episodes/{episode.id}/chapters",
        data={
            "start": "0:10",
            "title": "Good",
            "url": "https://example.org/x",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    chapter = scalar(sa.select(Chapter))
    assert (chapter.start_s, chapter.url) == (10, "https://example.org/x")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (png_claiming(50_000, 50_000), "bomb.png claims more than 25 megapixels"),
        (
            png_claiming(6000, 6000),
            "bomb.png claims more than 25 megapixels (6000×6000 px)",
        ),
        (COVER.read_bytes()[:2000], "bomb.png is damaged or cut short"),
    ],
)
def test_a_cover_claiming_too_many_pixels_or_damaged_is_refused(
    client, token, show, media_dir, data, message
):
    response = upload_cover(client, token, data, "bomb.png")

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert files_in(media_dir) == []
    show = reload(show)
    assert show.cover is None


def wav_claiming_six_days():
    """Return 130 bytes of WAV whose header claims six days of 8 kHz audio."""
    import struct

    claimed = 6 * 86400 * 8000
    fmt = struct.pack("<IHHIIHH", 16, 1, 1, 8000, 8000, 1, 8)
    chunks = b"fmt " + fmt + b"data" + struct.pack("<I", claimed) + b"\x80" * 86
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def test_an_upload_claiming_days_in_a_few_bytes_is_refused(client, token, media_dir):
    response = upload(client, token, wav_claiming_six_days(), "tiny.wav")

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "“tiny.wav” is not audio we can read: claims to last 6.0 days" in html
    assert episode_count() == 0
    assert files_in(media_dir) == []


def test_a_replacement_claiming_days_in_a_few_bytes_changes_nothing(
    client, token, episode, media_dir
):
    before = (episode.audio_file, episode.duration_s, episode.size_bytes)
    response = upload(
        client,
        token,
        wav_claiming_six_days(),
        "tiny.wav",
        url=f"/dashboard/episodes/{episode.id}/audio",
    )

    assert response.status_code == 400
    assert "claims to last 6.0 days" in response.get_data(as_text=True)
    episode = reload(episode)
    assert (episode.audio_file, episode.duration_s, episode.size_bytes) == before
    assert files_in(media_dir) == ["old.mp3"]


ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"


def channel(client):
    return etree.fromstring(client.get("/feed.xml").data).find("channel")


def test_show_settings_save_the_tags_hosts_ask_for(client, token, show):
    response = client.post(
        "/dashboard/show",
        data={
            **show_values(
                block="y",
                complete="y",
                medium="audiobook",
                copyright="© 2026 Dana Reyes",
                license="CC-BY-SA-4.0",
                update_frequency="Every other Monday",
                update_rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
                txt="applepodcastsverify: 5f0c-11ee\nsomething else: with a colon",
            ),
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    show = reload(show)
    assert (show.block, show.complete, show.medium) == (True, True, "audiobook")
    assert show.txt == [
        {"purpose": "applepodcastsverify", "text": "5f0c-11ee"},
        {"purpose": None, "text": "something else: with a colon"},
    ]
    tags = channel(client)
    assert tags.findtext(f"{ITUNES}block") == "Yes"
    assert tags.findtext(f"{PODCAST}block") == "yes"
    assert tags.findtext(f"{ITUNES}complete") == "Yes"
    assert tags.findtext(f"{PODCAST}medium") == "audiobook"
    assert tags.findtext("copyright") == "© 2026 Dana Reyes"
    assert tags.findtext(f"{PODCAST}license") == "CC-BY-SA-4.0"
    [frequency] = tags.findall(f"{PODCAST}updateFrequency")
    assert (frequency.text, dict(frequency.attrib)) == (
        "Every other Monday",
        {"rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "complete": "true"},
    )
    assert [(t.get("purpose"), t.text) for t in tags.findall(f"{PODCAST}txt")] == [
        ("applepodcastsverify", "5f0c-11ee"),
        (None, "something else: with a colon"),
    ]
    # The form shows the records as they were typed.
    page = client.get("/dashboard/show").get_data(as_text=True)
    assert "applepodcastsverify: 5f0c-11ee\nsomething else: with a colon" in page
    # Unticked and emptied, they leave the feed.
    client.post("/dashboard/show", data={**show_values(), "csrf_token": token})
    tags = channel(client)
    for tag in ("block", "complete"):
        assert tags.find(f"{ITUNES}{tag}") is None
    for tag in ("block", "license", "txt", "updateFrequency"):
        assert tags.find(f"{PODCAST}{tag}") is None
    assert tags.findtext(f"{PODCAST}medium") == "podcast"
    assert tags.find("copyright") is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"medium": "radio"}, "Not a valid choice"),
        ({"license": "My Own"}, "Use a licence identifier such as CC-BY-4.0"),
        ({"license": "Acme-1.0"}, "not an SPDX identifier we know"),
        (
            {"license": "Acme-1.0", "license_url": "http://example.org/l"},
            "Give an address starting with https://",
        ),
        ({"license_url": "https://example.org/l"}, "Name the licence"),
        ({"update_rrule": "weekly"}, "Use an iCalendar rule starting with FREQ="),
        ({"txt": "ok: " + "x" * 4001}, "Line 1: Give a text of 1 to 4000"),
    ],
)
def test_bad_feed_tags_are_refused_with_the_rule(client, token, show, changes, message):
    response = client.post(
        "/dashboard/show", data={**show_values(**changes), "csrf_token": token}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert reload(show).title == "Moments Test Show"


def test_the_shows_people_are_added_and_removed(client, token, show):
    make_host(email="other@example.com", display_name="Account Only")
    response = client.post(
        "/dashboard/show/people",
        data={
            "name": "Dana Reyes",
            "role": "cast|co-host",
            "img": "https://example.org/dana.jpg",
            "href": "https://example.org/dana",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    [person] = channel(client).findall(f"{PODCAST}person")
    assert (person.text, dict(person.attrib)) == (
        "Dana Reyes",
        {
            "role": "co-host",
            "group": "cast",
            "img": "https://example.org/dana.jpg",
            "href": "https://example.org/dana",
        },
    )
    page = client.get("/dashboard/show").get_data(as_text=True)
    [person_id] = scalars(sa.select(Person.id))
    assert f'data-person-id="{person_id}"' in page
    client.post(
        f"/dashboard/show/people/{person_id}/delete",
        data={"csrf_token": token, "next": "/dashboard/show"},
    )
    assert channel(client).findall(f"{PODCAST}person") == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Give the person&#39;s name."),
        ({"role": "cast|director"}, "Not a valid choice"),
        ({"role": "writing|guest"}, "Not a valid choice"),
        ({"img": "http://example.org/a.jpg"}, "Give an address starting with https://"),
        ({"href": "javascript:alert(1)"}, "Give an address starting with https://"),
    ],
)
def test_a_person_breaking_the_rules_is_refused(client, token, show, changes, message):
    data = {"name": "Dana", "role": "cast|host", "csrf_token": token, **changes}
    response = client.post("/dashboard/show/people", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert scalars(sa.select(Person)) == []


def test_episode_author_is_editable_and_guests_are_credited(
    client, token, show, episode
):
    item = lambda: channel(client).find("item")  # noqa: E731
    response = edit(client, token, episode, author="Guest Narrator")
    assert response.status_code == 303
    assert item().findtext(f"{ITUNES}author") == "Guest Narrator"
    response = client.post(
        f"/dashboard/episodes/{episode.id}/people",
        data={"name": "Grace Guest", "role": "cast|guest", "csrf_token": token},
    )
    assert response.status_code == 303
    [guest] = item().findall(f"{PODCAST}person")
    assert (guest.text, guest.get("role"), guest.get("group")) == (
        "Grace Guest",
        "guest",
        "cast",
    )
    # A form without the author field keeps it; an empty one clears it.
    edit(client, token, episode, title="Renamed")
    assert item().findtext(f"{ITUNES}author") == "Guest Narrator"
    edit(client, token, episode, author="")
    assert reload(episode).artist is None
    assert item().findtext(f"{ITUNES}author") == reload(show).author
    [person_id] = scalars(sa.select(Person.id))
    client.post(
        f"/dashboard/episodes/{episode.id}/people/{person_id}/delete",
        data={"csrf_token": token},
    )
    assert item().findall(f"{PODCAST}person") == []
