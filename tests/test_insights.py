"""Insights: comments per minute, top moments, totals, and hot moments turned
into chapters and soundbites."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from podcast_hub.conversation import insights
from podcast_hub.models import Episode

from .conftest import csrf_from
from .helpers import in_app, make_comment, make_episode, make_show

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def episode(app):
    make_show()
    return make_episode(slug="storm", title="The Storm", duration_s=300)


def at(minutes):
    return START + timedelta(minutes=minutes)


@pytest.fixture
def conversation(episode):
    """Three threads at 1:05, 1:10 and 4:00, two answered (after 10 and 30 min)."""
    a = make_comment(episode, timestamp_s=65, body="The thunder!", created_at=at(0))
    b = make_comment(episode, timestamp_s=70, body="So loud", created_at=at(1))
    c = make_comment(episode, timestamp_s=240, created_at=at(2))
    make_comment(episode, timestamp_s=None, created_at=at(3))
    make_comment(
        episode, parent_id=a.id, is_host=True, timestamp_s=None, created_at=at(10)
    )
    listener = make_comment(episode, parent_id=b.id, timestamp_s=71, created_at=at(5))
    make_comment(
        episode,
        parent_id=listener.id,
        is_host=True,
        timestamp_s=None,
        created_at=at(31),
    )
    make_comment(episode, timestamp_s=75, status="hidden")
    return a, b, c


def test_comments_per_minute_and_totals(app_context, episode, conversation):
    found = insights.for_episode(episode)
    assert (found.bar_s, found.bar_words) == (5, "5 seconds")
    assert len(found.bars) == 60
    assert {i: n for i, n in enumerate(found.bars) if n} == {13: 1, 14: 2, 48: 1}
    assert found.comments == 7
    assert found.listener_comments == 5
    assert (found.threads, found.threads_answered) == (4, 2)
    assert found.median_first_reply_s == 20 * 60


def test_top_moments_rank_the_busiest_stretches(app_context, episode, conversation):
    """A moment is the exact range of its comments' times, not a 30 s bucket."""
    [first, second] = insights.for_episode(episode).top_moments
    assert (first.start_s, first.end_s, first.count) == (65, 71, 3)
    assert (first.sample, first.label) == ("The thunder!", "1:05–1:11, 3 comments")
    assert (second.start_s, second.end_s, second.label) == (240, 240, "4:00, 1 comment")


@pytest.mark.parametrize(
    ("moments", "labels"),
    [
        ([12, 20], ["0:12–0:20, 2 comments"]),
        # Across a 30-second boundary: one moment, not two half-buckets.
        ([28, 31, 33], ["0:28–0:33, 3 comments"]),
        # The busiest window wins, the rest stays its own moment.
        ([0, 40, 45, 50], ["0:40–0:50, 3 comments", "0:00, 1 comment"]),
        # A window never reaches across an earlier pick.
        ([5, 10, 11, 12, 30], ["0:05–0:30, 5 comments"]),
        ([0, 10, 11, 12, 45, 60], ["0:00–0:12, 4 comments", "0:45–1:00, 2 comments"]),
    ],
)
def test_top_moments_are_exact_ranges(app_context, moments, labels):
    episode = make_episode(duration_s=300)
    for moment in moments:
        make_comment(episode, timestamp_s=moment)
    found = insights.for_episode(episode).top_moments
    assert [moment.label for moment in found] == labels


def test_no_comments_makes_an_empty_histogram(app_context, episode):
    found = insights.for_episode(episode)
    assert found.bars == [0] * 60
    assert found.median_first_reply_s is None and found.top_moments == []


def test_insights_page_is_readable_without_javascript(
    client, auth, episode, conversation
):
    auth.login()
    html = client.get(f"/dashboard/episodes/{episode.id}/insights").get_data(True)
    svg = re.search(r"<svg.*?</svg>", html, re.S).group()
    # A group of links, named by its title.
    assert 'role="group"' in svg and "<title" in svg
    assert len(re.findall(r'class="bar[ "]', svg)) == 60
    assert "Comments per 5 seconds of “The Storm”" in svg
    assert "1:10–1:14, 2 comments" in svg
    assert "4:55–5:00, 0 comments" in svg
    # Each bar with comments opens the comments of its stretch, by name.
    links = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)"', svg)
    assert links == [
        (
            f"/dashboard/episodes/{episode.id}/insights/comments?from=65&amp;to=69",
            "1:05–1:09, 1 comment",
        ),
        (
            f"/dashboard/episodes/{episode.id}/insights/comments?from=70&amp;to=74",
            "1:10–1:14, 2 comments",
        ),
        (
            f"/dashboard/episodes/{episode.id}/insights/comments?from=240&amp;to=244",
            "4:00–4:04, 1 comment",
        ),
    ]
    assert "2 of 4" in html and "20 min" in html
    assert "The thunder!" in html
    assert re.search(
        r'insights/comments\?from=65&amp;to=71" class="moment-range" '
        r'aria-label="1:05–1:11, 3 comments">1:05–1:11</a>',
        html,
    )
    assert 'href="/episodes/storm?t=65"' in html  # and where to listen to it
    assert "<script" not in svg
    # The axis labels are text outside the stretched SVG, crisp at every width.
    assert "<text" not in svg
    assert re.search(
        r'class="histogram-axis"[^>]*><span>0:00</span><span>2:30</span>'
        r"<span>5:00</span>",
        html,
    )


def test_one_click_turns_a_moment_into_a_chapter_and_a_soundbite(
    client, auth, episode, conversation
):
    auth.login()
    html = client.get(f"/dashboard/episodes/{episode.id}/insights").get_data(True)
    token = csrf_from(html)
    chapter_form = re.search(
        r'<form[^>]*action="[^"]*/chapters".*?</form>', html, re.S
    ).group()
    assert 'name="start" value="65"' in chapter_form
    assert 'value="The thunder!"' in chapter_form

    response = client.post(
        f"/dashboard/episodes/{episode.id}/chapters",
        data={"start": "65", "title": "The thunder!", "csrf_token": token},
    )
    assert response.status_code == 303
    response = client.post(
        f"/dashboard/episodes/{episode.id}/soundbites",
        data={"start": "60", "duration": "30", "title": "Thunder", "csrf_token": token},
    )
    assert response.status_code == 303
    with in_app() as session:
        stored = session.get(Episode, episode.id)
        [chapter] = stored.chapters
        assert (chapter.start_s, chapter.title, chapter.source) == (
            65,
            "The thunder!",
            "host",
        )
        [soundbite] = stored.soundbites
        assert (soundbite.start_s, soundbite.duration_s) == (60, 30)
    api = client.get("/api/episodes/storm").get_json()
    assert {"start": 65, "title": "The thunder!", "url": None} in api["chapters"]


@pytest.mark.parametrize(
    ("duration", "message"), [("10", "15 to 120 seconds."), ("121", "15 to 120")]
)
def test_a_soundbite_must_last_15_to_120_seconds(
    client, auth, episode, duration, message
):
    auth.login()
    token = csrf_from(client.get("/dashboard").get_data(as_text=True))
    response = client.post(
        f"/dashboard/episodes/{episode.id}/soundbites",
        data={"start": "60", "duration": duration, "title": "x", "csrf_token": token},
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with in_app() as session:
        assert session.get(Episode, episode.id).soundbites == []


@pytest.mark.parametrize(
    "duration_s", [0, 1, 10, 59, 60, 300, 7199, 7200, 7201, 36_000, 86_400, 10**8]
)
def test_an_episode_of_any_length_has_bars_that_fit_it(app_context, duration_s):
    """Does every moment from 0:00 to the end land in one of 10 to 60 bars of a
    round stretch (fewer only when the episode has fewer seconds)?"""
    episode = make_episode(duration_s=duration_s)
    for moment in {0, duration_s // 2, duration_s}:
        make_comment(episode, timestamp_s=moment)

    found = insights.for_episode(episode)

    assert min(duration_s, 10) <= len(found.bars) <= insights.MAX_BARS
    assert found.bar_s in insights.BAR_STEPS or found.bar_s % 86_400 == 0
    assert len(found.bars) * found.bar_s >= duration_s
    assert sum(found.bars) == len({0, duration_s // 2, duration_s})
    assert found.bars[-1] >= 1


@pytest.mark.parametrize(
    ("duration_s", "bar_s", "words"),
    [(10, 1, "second"), (90, 2, "2 seconds"), (1800, 30, "30 seconds")]
    + [(3600, 60, "minute"), (5400, 120, "2 minutes"), (86_400, 1800, "30 minutes")],
)
def test_a_bar_covers_a_round_stretch_for_the_length(
    app_context, duration_s, bar_s, words
):
    found = insights.for_episode(make_episode(duration_s=duration_s))
    assert (found.bar_s, found.bar_words) == (bar_s, words)


def test_a_short_episode_is_not_one_block(client, auth):
    """A 40-second episode with comments at 0:03 and 0:30: two bars apart."""
    make_show()
    episode = make_episode(slug="short", title="Short", duration_s=40)
    make_comment(episode, timestamp_s=3)
    make_comment(episode, timestamp_s=30)
    auth.login()

    html = client.get(f"/dashboard/episodes/{episode.id}/insights").get_data(True)

    svg = re.search(r"<svg.*?</svg>", html, re.S).group()
    assert len(re.findall(r'class="bar[ "]', svg)) == 40
    assert "Comments per second of “Short”" in svg
    assert 'aria-label="0:03, 1 comment"' in svg
    assert 'aria-label="0:30, 1 comment"' in svg


def test_a_day_long_episode_has_a_small_insights_page(client, auth):
    """A 24-hour episode: 48 bars of 30 minutes, labelled with their stretch,
    not 1,441 bars of a minute."""
    make_show()
    episode = make_episode(slug="marathon", title="Marathon", duration_s=86_400)
    for moment in (0, 43_200, 86_400):
        make_comment(episode, timestamp_s=moment, body="Still here")
    auth.login()

    html = client.get(f"/dashboard/episodes/{episode.id}/insights").get_data(True)

    svg = re.search(r"<svg.*?</svg>", html, re.S).group()
    assert len(re.findall(r'class="bar[ "]', svg)) == 48
    assert "Comments per 30 minutes of “Marathon”" in svg
    assert "0:00–29:59, 1 comment" in svg
    assert "12:00:00–12:29:59, 1 comment" in svg
    assert "insights/comments?from=43200&amp;to=45000" not in svg
    assert "insights/comments?from=43200&amp;to=44999" in svg
    assert "23:30:00–24:00:00, 1 comment" in svg  # the last bar ends with it
    assert len(html.encode()) < 60_000


def _token(client):
    return csrf_from(client.get("/dashboard").get_data(as_text=True))


@pytest.mark.parametrize("kind", ["chapters", "soundbites"])
def test_a_chapter_or_soundbite_starts_at_0_00(client, auth, kind):
    """The 0:00 moment is a moment: its chapter or soundbite is made."""
    make_show()
    episode = make_episode(slug="cold-open", duration_s=300)
    make_comment(episode, timestamp_s=0, body="Cold open!")
    auth.login()
    html = client.get(f"/dashboard/episodes/{episode.id}/insights").get_data(True)
    assert 'name="start" value="0"' in html

    response = client.post(
        f"/dashboard/episodes/{episode.id}/{kind}",
        data={"start": "0", "title": "Cold open", "duration": "30"}
        | {"csrf_token": _token(client)},
    )

    assert response.status_code == 303
    with in_app() as session:
        [made] = getattr(session.get(Episode, episode.id), kind)
        assert (made.start_s, made.title) == (0, "Cold open")


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("chapters", {"start": ""}, "Give the start."),
        ("chapters", {"start": "9:99"}, None),
        ("soundbites", {"start": "", "duration": "30"}, "Give the start."),
        ("soundbites", {"start": "0", "duration": "5"}, "15 to 120 seconds."),
        ("chapters", {"start": "10:00"}, None),
    ],
)
def test_a_refused_chapter_or_soundbite_keeps_what_was_typed(
    client, auth, kind, data, message
):
    """The error shows once, and the form comes back with the typed values."""
    make_show()
    episode = make_episode(slug="cold-open", duration_s=300)
    make_comment(episode, timestamp_s=0, body="Cold open!")
    auth.login()

    response = client.post(
        f"/dashboard/episodes/{episode.id}/{kind}",
        data=data | {"title": "My “typed” title", "csrf_token": _token(client)},
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    alert = re.search(r'<p class="error" role="alert">(.*?)</p>', html, re.S)
    assert alert and alert.group(1).strip()
    if message:
        assert html.count(message) == 1
    retry = re.search(r'<section class="panel retry".*?</section>', html, re.S)
    assert 'value="My “typed” title"' in retry.group()
    assert f'value="{data["start"]}"' in retry.group()
    if "duration" in data:
        assert f'value="{data["duration"]}"' in retry.group()
    with in_app() as session:
        stored = session.get(Episode, episode.id)
        assert stored.chapters == [] and stored.soundbites == []
