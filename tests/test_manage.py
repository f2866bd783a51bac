"""Running the show from the dashboard: unpublishing asks first and publishing
again keeps the date; insights' bars and moments open their comments; the
show-wide insights page."""

import io
import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import feedparser
import pytest
import sqlalchemy as sa
from lxml import etree
from PIL import Image

from podcast_hub.catalog import importer
from podcast_hub.conversation import insights
from podcast_hub.models import Chapter, Show, Transcript

from .conftest import AUDIO_FIXTURES, csrf_from
from .helpers import (
    in_app,
    make_comment,
    make_episode,
    make_show,
    reload,
    scalar,
    scalars,
    update,
)

FIRST = datetime(2026, 3, 4, 5, 6, tzinfo=UTC)


@pytest.fixture
def token(client, auth):
    make_show()
    auth.login()
    return csrf_from(client.get("/dashboard").get_data(as_text=True))


@pytest.fixture
def episode(token):
    return make_episode(slug="storm", title="The Storm", published_at=FIRST)


def pub_date(client):
    entries = feedparser.parse(client.get("/feed.xml").data).entries
    return [entry.published for entry in entries]


def test_unpublish_asks_first_and_changes_nothing_until_confirmed(
    client, token, episode
):
    """The button is a link to the question; an old page's POST only asks."""
    listing = client.get("/dashboard/episodes").get_data(as_text=True)
    link = f"/dashboard/episodes/{episode.id}/unpublish?next=/dashboard/episodes"
    assert f'href="{link}"' in listing and "Unpublish…" in listing

    question = client.get(link).get_data(as_text=True)
    assert "Unpublish “The Storm”?" in question
    assert 'name="confirm" value="yes"' in question
    assert 'name="next" value="/dashboard/episodes"' in question
    assert "It keeps its date" in question
    assert 'href="/dashboard/episodes">Cancel, keep it published' in question

    unconfirmed = client.post(
        f"/dashboard/episodes/{episode.id}/unpublish", data={"csrf_token": token}
    )
    assert unconfirmed.status_code == 200
    assert "Unpublish “The Storm”?" in unconfirmed.get_data(as_text=True)
    assert reload(episode).published_at == FIRST
    assert client.get("/episodes/storm").status_code == 200


def test_unpublish_needs_the_csrf_token(client, token, episode):
    response = client.post(
        f"/dashboard/episodes/{episode.id}/unpublish", data={"confirm": "yes"}
    )
    assert response.status_code == 400
    assert reload(episode).published_at == FIRST


def test_publishing_again_keeps_the_first_date(client, token, episode, clock):
    before = pub_date(client)
    assert before == ["Wed, 04 Mar 2026 05:06:00 +0000"]

    done = client.post(
        f"/dashboard/episodes/{episode.id}/unpublish",
        data={"csrf_token": token, "confirm": "yes", "next": "/dashboard/episodes"},
        follow_redirects=True,
    )
    assert "“The Storm” is a draft again" in done.get_data(as_text=True)
    assert client.get("/episodes/storm").status_code == 404
    assert pub_date(client) == []
    draft = reload(episode)
    assert draft.published_at is None and draft.first_published_at == FIRST
    page = client.get(f"/dashboard/episodes/{episode.id}").get_data(as_text=True)
    assert "Publish again" in page

    clock.advance(days=3)
    client.post(f"/dashboard/episodes/{episode.id}/publish", data={"csrf_token": token})
    assert reload(episode).published_at == FIRST
    assert pub_date(client) == before
    assert 'datetime="2026-03-04T05:06' in client.get("/episodes/storm").get_data(True)


def test_the_edit_form_to_draft_and_back_keeps_the_date(client, token, episode):
    def save(publication):
        return client.post(
            f"/dashboard/episodes/{episode.id}",
            data={
                "title": "The Storm",
                "slug": "storm",
                "description": "",
                "episode_type": "full",
                "publication": publication,
                "publish_at": "",
                "csrf_token": token,
            },
        )

    assert save("draft").status_code == 303
    assert reload(episode).published_at is None
    assert save("now").status_code == 303
    assert reload(episode).published_at == FIRST


def test_a_scheduled_episode_made_a_draft_goes_out_when_published(client, token, clock):
    """Only a date the episode was out at is kept: a schedule is not."""
    later = clock() + timedelta(days=2)
    episode = make_episode(slug="soon", published_at=later)
    client.post(
        f"/dashboard/episodes/{episode.id}/unpublish",
        data={"csrf_token": token, "confirm": "yes"},
    )
    client.post(f"/dashboard/episodes/{episode.id}/publish", data={"csrf_token": token})
    assert reload(episode).published_at == clock()


# Insights: bars and moments open their comments.


@pytest.fixture
def talk(episode):
    """Listener comments at 0:10, 0:12, 0:12 and 2:00, a hidden one at 0:11, a
    host's at 0:12 and a general one."""
    make_comment(episode, author="Ana", body="First!", timestamp_s=10)
    make_comment(episode, author="Bo", body="The thunder", timestamp_s=12)
    make_comment(episode, author="Cy", body="So loud", timestamp_s=12)
    make_comment(episode, author="Di", body="Later on", timestamp_s=120)
    make_comment(
        episode, author="Hid", body="Hidden words", timestamp_s=11, status="hidden"
    )
    make_comment(
        episode, author="Hannah Host", body="Thanks", timestamp_s=12, is_host=True
    )
    make_comment(episode, author="Gen", body="General words", timestamp_s=None)
    return episode


def test_a_range_lists_its_published_listener_comments(client, token, talk):
    html = client.get(
        f"/dashboard/episodes/{talk.id}/insights/comments?from=10&to=12"
    ).get_data(as_text=True)
    assert "<h1>Comments at 0:10–0:12</h1>" in html
    assert "3 listener comments" in html
    bodies = re.findall(r'<blockquote class="comment-body"><p>([^<]+)</p>', html)
    assert bodies == ["First!", "The thunder", "So loud"]
    assert "Hidden words" not in html and "Thanks" not in html
    assert "General words" not in html and "Later on" not in html
    assert 'href="/episodes/storm?t=10"' in html


def test_a_range_with_nothing_says_so(client, token, talk):
    response = client.get(
        f"/dashboard/episodes/{talk.id}/insights/comments?from=30&to=40"
    )
    assert response.status_code == 200
    assert "No published listener comment is at 0:30–0:40." in response.get_data(True)


def test_each_top_moment_links_to_its_comments(client, token, talk):
    html = client.get(f"/dashboard/episodes/{talk.id}/insights").get_data(True)
    assert (
        f'href="/dashboard/episodes/{talk.id}/insights/comments?from=10&amp;to=12" '
        'class="moment-range" aria-label="0:10–0:12, 3 comments"'
    ) in html
    assert 'href="/dashboard/insights">Insights for the whole show' in html


# The show-wide page.


def test_show_insights_for_an_empty_show(client, token):
    html = client.get("/dashboard/insights").get_data(as_text=True)
    assert "The show has no episodes yet" in html
    assert 'href="/dashboard/insights" aria-current="page"' in html


def test_show_insights_for_one_episode_without_comments(client, token, episode):
    html = client.get("/dashboard/insights").get_data(as_text=True)
    assert "No listener commented since" in html
    assert re.search(r"<dt>Unanswered</dt><dd>–</dd>", html)
    assert re.search(r"<dt>Median time to first host reply</dt><dd>–</dd>", html)


def test_show_insights_rank_episodes_moments_and_answer_times(client, token, clock):
    now = clock()
    busy = make_episode(slug="busy", title="Busy", published_at=FIRST)
    calm = make_episode(slug="calm", title="Calm", published_at=FIRST)
    make_episode(slug="silent", title="Silent", published_at=FIRST)
    old = make_episode(slug="old", title="Old", published_at=FIRST)
    waits = [10, 20, 30, 40, 50, 60, 70, 80, 90, 600]  # minutes to a reply
    for n, wait in enumerate(waits):
        asked = now - timedelta(days=1, minutes=n)
        root = make_comment(
            busy,
            author=f"L{n % 4}",
            timestamp_s=30 + n,
            body=f"Moment {n}",
            created_at=asked,
        )
        make_comment(
            busy,
            author="Hannah Host",
            is_host=True,
            parent_id=root.id,
            timestamp_s=None,
            created_at=asked + timedelta(minutes=wait),
        )
    make_comment(calm, author="Solo", timestamp_s=5, created_at=now - timedelta(days=2))
    make_comment(
        calm, author="Solo", timestamp_s=None, created_at=now - timedelta(days=2)
    )
    make_comment(old, author="Past", timestamp_s=5, created_at=now - timedelta(days=60))

    with in_app():
        found = insights.show_insights("28")
        assert [t.episode.slug for t in found.episodes] == ["busy", "calm"]
        busy_talk, calm_talk = found.episodes
        assert (busy_talk.comments, busy_talk.listeners, busy_talk.replies) == (
            10,
            4,
            10,
        )
        assert (calm_talk.comments, calm_talk.listeners, calm_talk.replies) == (
            2,
            1,
            0,
        )
        assert found.quiet_episodes == 2  # silent, and old in this period
        assert (found.threads, found.threads_answered) == (12, 10)
        assert found.unanswered_percent == 17
        assert found.median_first_reply_s == 55 * 60
        assert found.p90_first_reply_s == 90 * 60
        assert found.moments[0][1].label == "0:30–0:39, 10 comments"

    html = client.get("/dashboard/insights").get_data(as_text=True)
    assert "<dt>Listener comments</dt><dd>12</dd>" in html
    assert "<dt>Unanswered</dt><dd>17%</dd>" in html
    assert "55 min" in html and "1 h 30 min" in html
    assert (
        f'href="/dashboard/episodes/{busy.id}/insights/comments?from=30&amp;to=39"'
        in html
    )
    assert "2 other episodes drew no listener comment" in html

    everything = client.get("/dashboard/insights?period=all").get_data(as_text=True)
    assert ">Old</a>" in everything
    assert "<dt>Listener comments</dt><dd>13</dd>" in everything
    # An unknown period is the default one.
    assert "since" in client.get("/dashboard/insights?period=9").get_data(True)


# The show's category, from Apple's list.


def show_form(client, **changes):
    """Return the show settings form's fields as the page has them, changed."""
    html = client.get("/dashboard/show").get_data(as_text=True)
    form = re.search(
        r'<form method="post" action="/dashboard/show" .*?</form>', html, re.S
    )
    values = dict(
        re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group())
    )
    values.update(
        re.findall(
            r'<select[^>]*name="([^"]+)".*?<option selected value="([^"]*)"',
            form.group(),
            re.S,
        )
    )
    values = {k: v for k, v in values.items() if k not in ("explicit", "locked")}
    values.update(changes)
    return html, values


def test_the_category_is_chosen_from_apples_list(client, token):
    html, values = show_form(client)
    select = re.search(r'<select[^>]*name="category".*?</select>', html, re.S).group()
    assert '<optgroup label="Arts">' in select
    assert '<option value="Arts > Books">Books</option>' in select.replace("&gt;", ">")
    assert "<input" not in select and "datalist" not in html

    response = client.post(
        "/dashboard/show", data={**values, "category": "Leisure > Video Games"}
    )
    assert response.status_code == 303
    feed = client.get("/feed.xml").get_data(as_text=True)
    assert re.search(
        r'<itunes:category text="Leisure">\s*<itunes:category text="Video Games"/>'
        r"\s*</itunes:category>",
        feed,
    )
    html, _ = show_form(client)
    assert re.search(
        r'<option selected value="Leisure &gt; Video Games">Video Games</option>', html
    )


def test_a_category_not_on_the_list_is_refused(client, token):
    _, values = show_form(client)
    response = client.post("/dashboard/show", data={**values, "category": "Podcasts"})
    assert response.status_code == 400
    assert "“Podcasts” is not one of Apple&#39;s categories" in response.get_data(True)


def test_an_old_free_text_category_is_shown_and_kept_until_changed(client, token):
    show = scalar(sa.select(Show))
    update(show, category="Tech")
    html, values = show_form(client)
    assert re.search(
        r'<optgroup label="Kept until you choose one of Apple&#39;s">'
        r'<option selected value="Tech">Tech \(not an Apple category\)',
        html,
    )
    assert "perhaps Technology" in html
    response = client.post("/dashboard/show", data={**values, "title": "Renamed"})
    assert response.status_code == 303
    assert reload(show).category == "Tech"
    assert reload(show).title == "Renamed"
    client.post("/dashboard/show", data={**values, "category": "Technology"})
    assert reload(show).category == "Technology"
    html, _ = show_form(client)
    assert "not an Apple category" not in html


# Episode art, transcripts and chapters on the dashboard's episode page.

VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello and welcome.\n"
SRT = "1\n00:00:00,000 --> 00:00:02,000\nHola y bienvenidos.\n"


@pytest.fixture
def talk_episode(token, media_dir):
    """A published episode with real audio (3 seconds) at season-1/talk.mp3."""
    (media_dir / "season-1").mkdir(parents=True, exist_ok=True)
    (media_dir / "season-1" / "talk.mp3").write_bytes(
        (AUDIO_FIXTURES / "speech.mp3").read_bytes()
    )
    return make_episode(
        slug="talk",
        title="The Talk",
        audio_file="season-1/talk.mp3",
        duration_s=3,
        published_at=FIRST,
    )


def transcript_files(episode):
    return scalars(
        sa.select(Transcript.file)
        .where(Transcript.episode_id == episode.id)
        .order_by(Transcript.file)
    )


def chapter_titles(episode):
    return scalars(
        sa.select(Chapter.title)
        .where(Chapter.episode_id == episode.id)
        .order_by(Chapter.start_s)
    )


def square_png(side=1400, colour=(200, 40, 90)):
    out = io.BytesIO()
    Image.new("RGB", (side, side), colour).save(out, "PNG")
    return out.getvalue()


def send(client, token, url, field, data, filename, **fields):
    return client.post(
        url,
        data={field: (io.BytesIO(data), filename), "csrf_token": token, **fields},
        content_type="multipart/form-data",
    )


def feed_item(client):
    feed = etree.fromstring(client.get("/feed.xml").data)
    return feed.find("channel/item")


NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
}


def test_episode_art_upload_reaches_the_feed_and_the_page(
    client, token, talk_episode, media_dir
):
    url = f"/dashboard/episodes/{talk_episode.id}/art"
    response = send(client, token, url, "art", square_png(), "art.png")
    assert response.status_code == 303
    image = reload(talk_episode).image
    assert re.fullmatch(r"season-1/art-talk-[0-9a-f]{12}\.png", image)
    assert (media_dir / image).read_bytes() == square_png()
    item = feed_item(client)
    href = item.find("itunes:image", NS).get("href")
    assert href.endswith("/media/" + image)
    with client.get(f"/media/{image}") as served:
        assert served.status_code == 200
    assert f"/media/{image}" in client.get("/episodes/talk").get_data(True)

    # An import of the folder leaves the episode its art.
    with in_app():
        importer.sync(media_dir)
    assert reload(talk_episode).image == image

    # A second upload replaces the first, whose file goes.
    send(client, token, url, "art", square_png(colour=(0, 0, 0)), "black.png")
    second = reload(talk_episode).image
    assert second != image and not (media_dir / image).exists()
    # Taking it away brings the show's cover back; the uploaded file goes.
    client.post(f"{url}/delete", data={"csrf_token": token})
    assert reload(talk_episode).image is None
    assert not (media_dir / second).exists()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"GIF89a" + b"\x00" * 40, "art.gif", "“art.gif” is not a JPEG or PNG image"),
        (b"", "empty.png", "“empty.png” is empty."),
        (b"\x89PNG\r\n\x1a\nnot really", "broken.png", "broken.png"),
    ],
)
def test_bad_episode_art_is_refused_and_nothing_changes(
    client, token, talk_episode, media_dir, data, filename, message
):
    before = sorted(p.name for p in media_dir.rglob("*"))
    response = send(
        client,
        token,
        f"/dashboard/episodes/{talk_episode.id}/art",
        "art",
        data,
        filename,
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert reload(talk_episode).image is None
    assert sorted(p.name for p in media_dir.rglob("*")) == before


def test_small_art_is_kept_with_apples_warning(client, token, talk_episode):
    response = send(
        client,
        token,
        f"/dashboard/episodes/{talk_episode.id}/art",
        "art",
        square_png(600),
        "small.png",
    )
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "Apple may refuse this art" in page and "600×600 px" in page
    assert reload(talk_episode).image is not None


def test_transcripts_are_saved_as_the_media_folder_names_them(
    client, token, talk_episode, media_dir
):
    url = f"/dashboard/episodes/{talk_episode.id}/transcripts"
    assert (
        send(client, token, url, "transcript", VTT.encode(), "x.vtt").status_code == 303
    )
    response = send(
        client, token, url, "transcript", SRT.encode(), "spanish.srt", language="es"
    )
    assert response.status_code == 303
    assert (media_dir / "season-1" / "talk.vtt").read_text() == VTT
    assert (media_dir / "season-1" / "talk.es.srt").read_text() == SRT
    found = {
        t.get("url").rsplit("/media/", 1)[1]: (t.get("type"), t.get("language"))
        for t in feed_item(client).findall("podcast:transcript", NS)
    }
    assert found == {
        "season-1/talk.vtt": ("text/vtt", None),
        "season-1/talk.es.srt": ("application/x-subrip", "es"),
    }
    with client.get("/media/season-1/talk.vtt") as served:
        assert served.get_data(True) == VTT

    # The same format and language again replaces it, in one step.
    newer = VTT.replace("Hello", "Hi")
    send(client, token, url, "transcript", newer.encode(), "again.vtt")
    assert (media_dir / "season-1" / "talk.vtt").read_text() == newer
    assert len(transcript_files(talk_episode)) == 2

    # An import of the folder keeps them: they are its own sidecars.
    with in_app():
        importer.sync(media_dir)
    assert transcript_files(talk_episode) == [
        "season-1/talk.es.srt",
        "season-1/talk.vtt",
    ]

    page = client.get(f"/dashboard/episodes/{talk_episode.id}").get_data(True)
    remove = re.search(
        r'action="(/dashboard/episodes/\d+/transcripts/\d+/delete)"[^>]*>.*?'
        r"Remove<span class=\"visually-hidden\"> season-1/talk.es.srt",
        page,
        re.S,
    )
    client.post(remove.group(1), data={"csrf_token": token})
    assert not (media_dir / "season-1" / "talk.es.srt").exists()
    assert transcript_files(talk_episode) == ["season-1/talk.vtt"]


@pytest.mark.parametrize(
    ("data", "filename", "fields", "message"),
    [
        (b"Hello", "notes.txt", {}, "“notes.txt” is not a transcript we publish"),
        (b"Hello there", "t.vtt", {}, "“t.vtt” is not WebVTT"),
        (b"1\nHello there\n", "t.srt", {}, "“t.srt” is not SRT"),
        ("WEBVTT\n\nolé".encode("latin-1"), "t.vtt", {}, "is not UTF-8 text"),
        (VTT.encode(), "t.vtt", {"language": "english please"}, "language code"),
        (b"", "t.vtt", {}, "“t.vtt” is empty."),
    ],
)
def test_bad_transcripts_are_refused_and_nothing_is_stored(
    client, token, talk_episode, media_dir, data, filename, fields, message
):
    before = sorted(p.name for p in media_dir.rglob("*"))
    response = send(
        client,
        token,
        f"/dashboard/episodes/{talk_episode.id}/transcripts",
        "transcript",
        data,
        filename,
        **fields,
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert transcript_files(talk_episode) == []
    assert sorted(p.name for p in media_dir.rglob("*")) == before


def test_a_file_of_the_operator_is_never_overwritten(
    client, token, talk_episode, media_dir
):
    (media_dir / "season-1" / "talk.vtt").write_text("WEBVTT\n\nmine")
    response = send(
        client,
        token,
        f"/dashboard/episodes/{talk_episode.id}/transcripts",
        "transcript",
        VTT.encode(),
        "t.vtt",
    )
    assert response.status_code == 400
    assert "already has a file named season-1/talk.vtt" in response.get_data(True)
    assert (media_dir / "season-1" / "talk.vtt").read_text() == "WEBVTT\n\nmine"


def chapter_list(client, token, episode, rows):
    data = {"csrf_token": token}
    for index, (start, title) in enumerate(rows):
        data[f"chapter-{index}-start"] = start
        data[f"chapter-{index}-title"] = title
    return client.post(f"/dashboard/episodes/{episode.id}/chapters/edit", data=data)


def test_chapters_are_edited_as_a_list(client, token, talk_episode, media_dir):
    page = client.get(f"/dashboard/episodes/{talk_episode.id}").get_data(True)
    # Without JavaScript there are empty rows to fill.
    assert 'name="chapter-0-start" value=""' in page
    assert 'name="chapter-1-title" value=""' in page

    response = chapter_list(
        client, token, talk_episode, [("0:02", "Ending"), ("", ""), ("0", "Intro")]
    )
    assert response.status_code == 303
    chapters = json.loads(client.get("/episodes/talk/chapters.json").data)
    assert chapters["chapters"] == [
        {"startTime": 0, "title": "Intro"},
        {"startTime": 2, "title": "Ending"},
    ]
    item = feed_item(client)
    assert (
        item.find("podcast:chapters", NS)
        .get("url")
        .endswith("/episodes/talk/chapters.json")
    )
    page = client.get(f"/dashboard/episodes/{talk_episode.id}").get_data(True)
    assert 'name="chapter-0-start" value="0:00"' in page
    assert 'name="chapter-1-title" value="Ending"' in page

    # Removing a row and saving removes the chapter.
    chapter_list(client, token, talk_episode, [("0:00", "Intro"), ("", "")])
    assert chapter_titles(talk_episode) == ["Intro"]
    # An import keeps the host's chapters.
    with in_app():
        importer.sync(media_dir)
    assert chapter_titles(talk_episode) == ["Intro"]


def test_a_bad_chapter_list_keeps_what_was_typed_and_changes_nothing(
    client, token, talk_episode
):
    chapter_list(client, token, talk_episode, [("0:00", "Intro")])
    response = chapter_list(
        client,
        token,
        talk_episode,
        [
            ("0:00", "Intro again"),
            ("0:09", "Too late"),
            ("0:00", "Same start"),
            ("1:2", "Typo"),
            ("0:01", ""),
        ],
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was saved" in page
    assert "Chapter 2: start between 0:00 and 0:03, the end of the audio." in page
    assert "Chapter 3 starts at 0:00, as chapter 1 does" in page
    assert "Chapter 4: Use a time like 12:34 or 1:02:03." in page
    assert "Chapter 5: give it a title." in page
    assert 'value="Intro again"' in page and 'value="Too late"' in page
    assert 'id="chapter-1-start" name="chapter-1-start" value="0:09"' in page
    assert 'aria-invalid="true" aria-describedby="chapter-1-start-error"' in page
    assert chapter_titles(talk_episode) == ["Intro"]


def test_a_json_chapters_file_replaces_the_hosts_chapters(client, token, talk_episode):
    chapter_list(client, token, talk_episode, [("0:00", "Old")])
    document = {
        "version": "1.2.0",
        "chapters": [
            {"startTime": 2.5, "title": "Second", "url": "https://example.org/2"},
            {"startTime": 0, "title": "First"},
        ],
    }
    response = send(
        client,
        token,
        f"/dashboard/episodes/{talk_episode.id}/chapters/upload",
        "chapters_file",
        json.dumps(document).encode(),
        "talk.chapters.json",
    )
    assert response.status_code == 303
    chapters = json.loads(client.get("/episodes/talk/chapters.json").data)
    assert chapters["chapters"] == [
        {"startTime": 0, "title": "First"},
        {"startTime": 2, "title": "Second", "url": "https://example.org/2"},
    ]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"{not json", "is not valid JSON"),
        (b'{"version": "1.2.0"}', 'has no "chapters" list'),
        (b'{"chapters": []}', 'has an empty "chapters" list'),
        (b'{"chapters": [{"startTime": 0}]}', "chapter 1: has no title"),
        (
            b'{"chapters": [{"startTime": 0, "title": "A"}, '
            b'{"startTime": 60, "title": "Late"}]}',
            "chapter “Late” starts at 1:00, after the audio ends (0:03)",
        ),
        (
            b'{"chapters": [{"startTime": 0, "title": "A", "url": "javascript:x"}]}',
            "chapter 1: url is not a web link",
        ),
    ],
)
def test_a_bad_chapters_file_is_refused_whole(
    client, token, talk_episode, document, message
):
    chapter_list(client, token, talk_episode, [("0:00", "Kept")])
    response = send(
        client,
        token,
        f"/dashboard/episodes/{talk_episode.id}/chapters/upload",
        "chapters_file",
        document,
        "c.json",
    )
    assert response.status_code == 400
    page = unescape(response.get_data(as_text=True))
    assert message in page and "Nothing was changed." in page
    assert chapter_titles(talk_episode) == ["Kept"]


def test_a_range_at_0_00_is_that_moment_only(client, token, talk):
    make_comment(talk, author="Zero", body="At the very start", timestamp_s=0)
    html = client.get(
        f"/dashboard/episodes/{talk.id}/insights/comments?from=0&to=0"
    ).get_data(as_text=True)
    assert "<h1>Comments at 0:00</h1>" in html
    assert "At the very start" in html and "First!" not in html


def test_an_episode_pruned_by_the_import_keeps_its_date_when_published_again(
    client, token, talk_episode, media_dir
):
    (media_dir / "season-1" / "talk.mp3").unlink()
    with in_app():
        importer.sync(media_dir, prune=True)
    pruned = reload(talk_episode)
    assert pruned.published_at is None and pruned.first_published_at == FIRST
    (media_dir / "season-1" / "talk.mp3").write_bytes(
        (AUDIO_FIXTURES / "speech.mp3").read_bytes()
    )
    with in_app():
        importer.sync(media_dir)
    client.post(
        f"/dashboard/episodes/{talk_episode.id}/publish", data={"csrf_token": token}
    )
    assert reload(talk_episode).published_at == FIRST
