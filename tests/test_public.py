"""The show page, episode pages, the episode API and the health check."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from .helpers import make_comment, make_episode, make_show


@pytest.fixture
def show(app):
    return make_show(title="Moments", description="About <moments>.")


def test_home_lists_published_episodes_newest_first(client, show):
    now = datetime.now(UTC)
    older = make_episode(title="Older", published_at=now - timedelta(days=9))
    newer = make_episode(title="Newer", published_at=now - timedelta(days=1))
    make_episode(title="Next week", published_at=now + timedelta(days=7))
    make_comment(newer)
    html = client.get("/").get_data(as_text=True)
    assert html.index("Newer") < html.index("Older")
    assert "Next week" not in html
    assert "About &lt;moments&gt;." in html
    assert "/feed.xml" in html
    assert "1 comment" in html
    assert older.slug in html


def test_episode_page_has_player_notes_form_and_csrf_meta(client, show):
    episode = make_episode(slug="ep", audio_file="ep.mp3", description="Notes & more")
    html = client.get("/episodes/ep").get_data(as_text=True)
    assert len(re.findall(r'<audio id="player"', html)) == 1
    assert 'src="/media/ep.mp3"' in html
    assert "Notes &amp; more" in html
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', html)
    for name in ("author", "email", "body", "timestamp", "csrf_token"):
        assert f'name="{name}"' in html
    assert episode.title in html


@pytest.mark.parametrize(
    ("query", "start"), [("754", 754), ("12:34", 754), ("0:12:34", 754)]
)
def test_t_starts_the_player_there(client, show, query, start):
    make_episode(slug="ep", audio_file="ep.mp3", duration_s=1800)
    html = client.get(f"/episodes/ep?t={query}").get_data(as_text=True)
    assert f'src="/media/ep.mp3#t={start}"' in html
    assert f'data-start="{start}"' in html


@pytest.mark.parametrize("query", ["junk", "99999", "-3"])
def test_bad_t_is_ignored(client, show, query):
    make_episode(slug="ep", audio_file="ep.mp3", duration_s=1800)
    response = client.get(f"/episodes/ep?t={query}")
    assert response.status_code == 200
    assert "data-start" not in response.get_data(as_text=True)


def test_unknown_episode_is_a_404_page(client, show):
    response = client.get("/episodes/missing")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_api_lists_published_episodes_with_absolute_urls(client, show):
    episode = make_episode(slug="ep", audio_file="sub/ep one.mp3", duration_s=61)
    make_episode(slug="later", published_at=datetime.now(UTC) + timedelta(hours=1))
    make_comment(episode)
    make_comment(episode, status="hidden")
    data = client.get("/api/episodes").get_json()
    assert [e["slug"] for e in data] == ["ep"]
    [item] = data
    assert set(item) == {
        "slug",
        "title",
        "published_at",
        "duration",
        "audio_url",
        "page_url",
        "comment_count",
    }
    assert item["duration"] == 61
    assert item["audio_url"] == "http://localhost/media/sub/ep%20one.mp3"
    assert item["page_url"] == "http://localhost/episodes/ep"
    assert item["comment_count"] == 1
    assert item["published_at"].endswith("Z")


@pytest.mark.parametrize("config_overrides", [{"BASE_URL": "https://pod.example.org"}])
def test_api_urls_use_base_url(client, show):
    make_episode(slug="ep", audio_file="ep.mp3")
    [item] = client.get("/api/episodes").get_json()
    assert item["audio_url"] == "https://pod.example.org/media/ep.mp3"
    assert item["page_url"] == "https://pod.example.org/episodes/ep"


def test_api_episode_detail(client, show):
    from podcast_hub.extensions import db
    from podcast_hub.models import Chapter

    episode = make_episode(slug="ep", description="Line <1>\n\nLine 2")
    data = client.get("/api/episodes/ep").get_json()
    assert data["description_html"] == "<p>Line &lt;1&gt;</p><p>Line 2</p>"
    assert data["chapters"] == []
    db.session.add_all(
        [
            Chapter(episode_id=episode.id, start_s=90, title="Storm"),
            Chapter(
                episode_id=episode.id, start_s=0, title="Intro", url="https://x.test/"
            ),
        ]
    )
    db.session.commit()
    data = client.get("/api/episodes/ep").get_json()
    assert data["chapters"] == [
        {"start": 0, "title": "Intro", "url": "https://x.test/"},
        {"start": 90, "title": "Storm", "url": None},
    ]
    assert data["slug"] == "ep"


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/api/episodes/missing", 404),
        ("GET", "/api/episodes/missing/comments", 404),
        ("GET", "/api/nothing-here", 404),
        ("DELETE", "/api/episodes", 405),
    ],
)
def test_api_errors_are_json(client, show, method, url, status):
    response = client.open(url, method=method)
    assert response.status_code == status
    assert response.is_json
    assert response.get_json()["error"]


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_is_503_when_the_database_does_not_answer(media_dir):
    from podcast_hub import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": "sqlite:////nonexistent-dir/nope/db.sqlite",
            "MEDIA_DIR": str(media_dir),
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}
