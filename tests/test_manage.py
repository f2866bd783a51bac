"""Running the show from the dashboard: unpublishing asks first and publishing
again keeps the date; insights' bars and moments open their comments; the
show-wide insights page."""

import re
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
import sqlalchemy as sa

from podcast_hub.conversation import insights
from podcast_hub.models import Show

from .conftest import csrf_from
from .helpers import (
    in_app,
    make_comment,
    make_episode,
    make_show,
    reload,
    scalar,
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
