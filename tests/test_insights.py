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
    assert (found.bar_s, found.bar_words) == (60, "minute")
    assert found.bars == [0, 3, 0, 0, 1, 0]
    assert found.comments == 7
    assert found.listener_comments == 5
    assert (found.threads, found.threads_answered) == (4, 2)
    assert found.median_first_reply_s == 20 * 60


def test_top_moments_rank_the_busiest_stretches(app_context, episode, conversation):
    [first, second] = insights.for_episode(episode).top_moments
    assert (first.start_s, first.count, first.sample) == (60, 3, "The thunder!")
    assert (second.start_s, second.count) == (240, 1)


def test_no_comments_makes_an_empty_histogram(app_context, episode):
    found = insights.for_episode(episode)
    assert found.bars == [0] * 6
    assert found.median_first_reply_s is None and found.top_moments == []


def test_insights_page_is_readable_without_javascript(
    client, auth, episode, conversation
):
    auth.login()
    html = client.get(f"/dashboard/episodes/{episode.id}/insights").get_data(True)
    svg = re.search(r"<svg.*?</svg>", html, re.S).group()
    assert 'role="img"' in svg and "<title" in svg
    assert svg.count("<rect") == 6
    assert "1:00–1:59: 3 comments" in svg
    assert 'href="/episodes/storm?t=60"' in svg
    assert "2 of 4" in html and "20 min" in html
    assert "The thunder!" in html
    assert "<script" not in svg


def test_one_click_turns_a_moment_into_a_chapter_and_a_soundbite(
    client, auth, episode, conversation
):
    auth.login()
    html = client.get(f"/dashboard/episodes/{episode.id}/insights").get_data(True)
    token = csrf_from(html)
    chapter_form = re.search(
        r'<form[^>]*action="[^"]*/chapters".*?</form>', html, re.S
    ).group()
    assert 'name="start" value="60"' in chapter_form
    assert 'value="The thunder!"' in chapter_form

    response = client.post(
        f"/dashboard/episodes/{episode.id}/chapters",
        data={"start": "60", "title": "The thunder!", "csrf_token": token},
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
            60,
            "The thunder!",
            "host",
        )
        [soundbite] = stored.soundbites
        assert (soundbite.start_s, soundbite.duration_s) == (60, 30)
    api = client.get("/api/episodes/storm").get_json()
    assert {"start": 60, "title": "The thunder!", "url": None} in api["chapters"]


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
    "duration_s", [0, 59, 60, 7199, 7200, 7201, 36_000, 86_400, 518_400, 10**8]
)
def test_an_episode_of_any_length_has_at_most_120_bars(app_context, duration_s):
    """Does every moment from 0:00 to the end land in one of at most 120 bars of
    whole minutes?"""
    episode = make_episode(duration_s=duration_s)
    for moment in {0, duration_s // 2, duration_s}:
        make_comment(episode, timestamp_s=moment)

    found = insights.for_episode(episode)

    assert 1 <= len(found.bars) <= insights.MAX_BARS
    assert found.bar_s % 60 == 0
    assert len(found.bars) * found.bar_s > duration_s
    assert sum(found.bars) == len({0, duration_s // 2, duration_s})
    assert found.bars[-1] >= 1


def test_a_day_long_episode_has_a_small_insights_page(client, auth):
    """A 24-hour episode: 111 bars of 13 minutes, labelled with their stretch,
    not 1,441 bars of a minute."""
    make_show()
    episode = make_episode(slug="marathon", title="Marathon", duration_s=86_400)
    for moment in (0, 43_200, 86_399):
        make_comment(episode, timestamp_s=moment, body="Still here")
    auth.login()

    html = client.get(f"/dashboard/episodes/{episode.id}/insights").get_data(True)

    svg = re.search(r"<svg.*?</svg>", html, re.S).group()
    assert svg.count("<rect") == 111
    assert "Comments per 13 minutes of “Marathon”" in svg
    assert "0:00–12:59: 1 comment" in svg
    assert "11:55:00–12:07:59: 1 comment" in svg
    assert 'href="/episodes/marathon?t=42900"' in svg
    assert "23:50:00–24:00:00: 1 comment" in svg  # the last bar ends with it
    assert len(html.encode()) < 60_000
